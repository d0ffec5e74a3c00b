//! `pactwatch report OUT_DIR`: write `OUT_DIR/report.html` (or `--out FILE`) from the files of
//! an `annotate` run directory; see [`pactwatch::report`].
use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Run directory written by `pactwatch annotate --out DIR`
    dir: PathBuf,
    /// Where to write the page [default: DIR/report.html]
    #[arg(long)]
    out: Option<PathBuf>,
    /// Metadata field with each document's date [default: the run's own --date-field]
    #[arg(long)]
    date_field: Option<String>,
    /// Metadata field naming a document's source (outlet); documents without it are grouped by input file
    #[arg(long, default_value = "source")]
    source_field: String,
    /// Canonical actors charted per target
    #[arg(long, default_value_t = 30)]
    top_actors: usize,
    /// Entities listed per entity type
    #[arg(long, default_value_t = 15)]
    top_entities: usize,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let r = pactwatch::report::gather(&a.dir, a.date_field.as_deref(), &a.source_field, a.top_actors, a.top_entities)?;
    let html = pactwatch::report::html::render(&r);
    let out = a.out.unwrap_or_else(|| a.dir.join("report.html"));
    let tmp = out.with_extension("html.tmp");
    std::fs::write(&tmp, &html).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, &out).with_context(|| format!("writing {}", out.display()))?;
    eprintln!(
        "pactwatch: report of {} documents, {} target(s), {} charted actors: {} ({} KB)",
        r.documents,
        r.targets.len(),
        r.targets.iter().map(|t| t.actors.len()).sum::<usize>(),
        out.display(),
        html.len() / 1024
    );
    Ok(ExitCode::SUCCESS)
}
