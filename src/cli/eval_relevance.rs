//! `pactwatch eval relevance`: calibrate a target's embedding threshold on data. Sentences of
//! off-topic documents give the false-positive side (their cosines to the target); sentences
//! of on-topic documents that name the target (alias or phrase) give the recall side. The
//! threshold proposed is the lowest cosine that keeps the off-topic false-positive rate at or
//! below `--max-fpr`.
use anyhow::Context;
use pactwatch::stages::input::{Reader, ReaderOptions};
use pactwatch::models::ModelDir;
use pactwatch::stages::relevance::Relevance;
use pactwatch::target::Target;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct RelevanceArgs {
    #[arg(long, default_value = "targets/paris-declaration.toml")]
    target: PathBuf,
    /// Documents about the target (JSONL / CSV / TXT)
    #[arg(long, required = true, num_args = 1..)]
    on_topic: Vec<PathBuf>,
    /// Documents not about the target
    #[arg(long, required = true, num_args = 1..)]
    off_topic: Vec<PathBuf>,
    /// Off-topic documents read (the first N)
    #[arg(long, default_value_t = 300)]
    off_topic_limit: usize,
    /// Highest acceptable share of off-topic sentences above the threshold
    #[arg(long, default_value_t = 0.01)]
    max_fpr: f64,
    #[arg(long, default_value = "models/e5-small")]
    relevance_model: PathBuf,
    #[arg(long)]
    threads: Option<usize>,
}

/// Sentences of the records in `files` (at most `limit` records), with lexical match flags;
/// with `named_docs_only`, only documents that name the target somewhere.
fn sentences(files: &[PathBuf], limit: usize, target: &Target, named_docs_only: bool) -> anyhow::Result<Vec<(String, bool, String)>> {
    let files = pactwatch::stages::input::expand_inputs(files, None).map_err(|e| anyhow::anyhow!("{}: {}", e.origin.file, e.reason))?;
    let opts = ReaderOptions { id_field: "id".into(), text_field: "text".into(), format: None };
    let mut out = Vec::new();
    for r in Reader::new(files, opts).take(limit) {
        let Ok(r) = r else { continue };
        let lang = pactwatch::stages::language::detect(&r.text);
        let mut doc = Vec::new();
        for (s, e) in pactwatch::stages::segment::sentences(&r.text, &lang.code) {
            let t = r.text[s..e].trim();
            if t.chars().count() >= 20 {
                doc.push((t.to_string(), target.match_text(t).any(), lang.code.clone()));
            }
        }
        if !named_docs_only || doc.iter().any(|d| d.1) {
            out.extend(doc);
        }
    }
    Ok(out)
}

pub fn run(a: RelevanceArgs) -> anyhow::Result<ExitCode> {
    super::set_threads(a.threads);
    let target = Target::load(&a.target)?;
    let dir = ModelDir::open(&a.relevance_model).context("opening the relevance model")?;
    let rel = Relevance::load(&dir, std::slice::from_ref(&target), tch::Device::Cpu)?;
    let on = sentences(&a.on_topic, usize::MAX, &target, true)?;
    let off = sentences(&a.off_topic, a.off_topic_limit, &target, false)?;
    let cos = |v: &[(String, bool, String)]| -> anyhow::Result<Vec<f32>> {
        let texts: Vec<&str> = v.iter().map(|x| x.0.as_str()).collect();
        Ok(rel.scores(&texts)?.into_iter().map(|r| r[0]).collect())
    };
    let (c_on, c_off) = (cos(&on)?, cos(&off)?);
    // Off-topic sentences that name the target lexically are not negatives.
    let mut neg: Vec<f32> = c_off.iter().zip(&off).filter(|(_, s)| !s.1).map(|(c, _)| *c).collect();
    neg.sort_by(|a, b| a.total_cmp(b));
    let pos: Vec<f32> = c_on.iter().zip(&on).filter(|(_, s)| s.1).map(|(c, _)| *c).collect();
    let unnamed: Vec<f32> = c_on.iter().zip(&on).filter(|(_, s)| !s.1).map(|(c, _)| *c).collect();
    anyhow::ensure!(!neg.is_empty() && !pos.is_empty(), "need off-topic sentences and on-topic sentences that name the target");
    let k = ((neg.len() as f64) * (1.0 - a.max_fpr)).ceil() as usize;
    let threshold = neg[k.min(neg.len() - 1)] + 1e-4;
    let share = |v: &[f32], t: f32| v.iter().filter(|&&c| c >= t).count() as f64 / v.len().max(1) as f64;
    let q = |p: f64| neg[((neg.len() - 1) as f64 * p) as usize];
    let report = serde_json::json!({
        "target": target.id, "threshold": threshold, "max_fpr": a.max_fpr,
        "off_topic_sentences": neg.len(), "off_topic_fpr_at_threshold": share(&neg, threshold),
        "off_topic_quantiles": {"p50": q(0.5), "p90": q(0.9), "p99": q(0.99), "max": neg[neg.len() - 1]},
        "named_sentences": pos.len(), "named_recall_at_threshold": share(&pos, threshold),
        "unnamed_on_topic_sentences": unnamed.len(), "unnamed_above_threshold": share(&unnamed, threshold),
        "off_topic_fpr_at_current": share(&neg, target.relevance_threshold), "current_threshold": target.relevance_threshold,
        "named_recall_at_current": share(&pos, target.relevance_threshold),
    });
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(ExitCode::SUCCESS)
}
