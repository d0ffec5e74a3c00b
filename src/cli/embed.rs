use anyhow::Context;
use pactwatch::stages::encoding::TextTokenizer;
use pactwatch::models::{Encoder, ModelDir, ModelInputs};
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Model directory (Hugging Face layout)
    #[arg(long, default_value = "models/e5-small")]
    model: PathBuf,
    /// Text put before every input line (e5 expects "query: " or "passage: ")
    #[arg(long, default_value = "")]
    prefix: String,
    /// Longest input in tokens; longer inputs are an error, never truncated
    #[arg(long, default_value_t = 512)]
    max_tokens: usize,
    /// Input file with one text per line ("-" for stdin)
    input: PathBuf,
    #[arg(long)]
    threads: Option<usize>,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    super::set_threads(a.threads);
    let dir = ModelDir::open(&a.model)?;
    let tok = TextTokenizer::from_file(&dir.tokenizer)?;
    let enc = Encoder::load(&dir, tch::Device::Cpu)?;
    let reader: Box<dyn BufRead> = if a.input.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(std::fs::File::open(&a.input).with_context(|| format!("opening {}", a.input.display()))?))
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (i, line) in reader.lines().enumerate() {
        let line = line.with_context(|| format!("{}:{}", a.input.display(), i + 1))?;
        let text = format!("{}{}", a.prefix, line);
        let ids: Vec<i64> = tok.encode(&text).map_err(|e| anyhow::anyhow!("{}:{}: {e}", a.input.display(), i + 1))?.iter().map(|t| t.id).collect();
        let framed = tok.frame(&ids);
        anyhow::ensure!(framed.len() <= a.max_tokens, "{}:{}: {} tokens, more than --max-tokens {}", a.input.display(), i + 1, framed.len(), a.max_tokens);
        let x = ModelInputs::from_rows(&[&framed], tok.pad_id, tch::Device::Cpu);
        let v: Vec<f32> = Vec::<f32>::try_from(enc.mean_pooled(&x)?.view(-1))?;
        serde_json::to_writer(&mut out, &serde_json::json!({"line": i + 1, "text": line, "embedding": v}))?;
        out.write_all(b"\n")?;
    }
    Ok(ExitCode::SUCCESS)
}
