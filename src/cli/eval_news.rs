//! `pactwatch eval news`: run `annotate` on gold news articles (every target they name, each
//! from `--targets-dir/<id>.toml`) and score documents, actors and off-topic false positives
//! per split (`pactwatch::training::news_eval`). Arguments after `--` go to `annotate` unchanged.
use anyhow::Context;
use clap::Parser;
use pactwatch::training::news_eval::{read_gold, read_predictions, score, GoldArticle, SplitScores};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct NewsArgs {
    /// Gold articles: a JSONL file or a folder of them (format: eval/news-dev/README.md)
    #[arg(long, default_value = "eval/news-dev")]
    gold: PathBuf,
    /// Where `annotate` writes (default: a temporary folder)
    #[arg(long)]
    out: Option<PathBuf>,
    /// Score an existing `annotate` output folder instead of running annotate
    #[arg(long)]
    pred: Option<PathBuf>,
    /// Folder of target files, one `<target id>.toml` per target the gold names
    #[arg(long, default_value = "targets")]
    targets_dir: PathBuf,
    /// Corpus of texts (JSONL with `id` and `text`) for gold lines that name a `corpus_id`
    /// instead of carrying their text (eval/news-real: real news read from ../shared)
    #[arg(long, default_value = "../shared/data/news/multilingual_news_unlabeled.jsonl")]
    texts: PathBuf,
    /// Print one JSON object instead of the table
    #[arg(long)]
    json: bool,
    /// Write per-article outcomes (gold vs predicted document label and actors) to this JSONL
    #[arg(long)]
    errors: Option<PathBuf>,
    /// Options passed to annotate (after `--`), e.g. `-- --min-margin 0.1`
    #[arg(last = true)]
    annotate_args: Vec<String>,
}

#[derive(Parser)]
struct AnnotateCli {
    #[command(flatten)]
    a: super::annotate::Args,
}

pub fn run(mut a: NewsArgs) -> anyhow::Result<ExitCode> {
    a.gold = pactwatch::home::resolve(&a.gold)?;
    a.targets_dir = pactwatch::home::resolve(&a.targets_dir)?;
    // Read only when a gold line names a corpus_id; a missing file is then an error naming it.
    let texts = pactwatch::home::resolve(&a.texts).unwrap_or_else(|_| a.texts.clone());
    let gold = read_gold(&a.gold, Some(&texts)).with_context(|| format!("reading the gold articles {}", a.gold.display()))?;
    anyhow::ensure!(!gold.is_empty(), "{}: no gold articles", a.gold.display());
    let _tmp;
    let pred_dir = match &a.pred {
        Some(p) => p.clone(),
        None => {
            let out = match &a.out {
                Some(o) => o.clone(),
                None => {
                    _tmp = tempfile::tempdir()?;
                    _tmp.path().to_path_buf()
                }
            };
            std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
            let input = out.join("gold-input.jsonl");
            let mut f = std::io::BufWriter::new(std::fs::File::create(&input).with_context(|| format!("creating {}", input.display()))?);
            for g in &gold {
                writeln!(f, "{}", serde_json::json!({"id": g.id, "text": g.text, "date": g.date, "source": g.source}))?;
            }
            f.flush()?;
            drop(f);
            let targets: std::collections::BTreeSet<&str> = gold.iter().map(|g| g.target.as_str()).collect();
            let mut argv: Vec<String> = vec!["annotate".into(), input.display().to_string(), "--out".into(), out.join("annotate").display().to_string(), "--quiet".into()];
            for t in targets {
                let p = a.targets_dir.join(format!("{t}.toml"));
                anyhow::ensure!(p.exists(), "the gold names target {t:?} but {} does not exist", p.display());
                argv.push("--target".into());
                argv.push(p.display().to_string());
            }
            argv.extend(a.annotate_args.iter().cloned());
            let cli = AnnotateCli::try_parse_from(&argv).map_err(|e| anyhow::anyhow!("annotate options: {e}"))?;
            super::set_threads(cli.a.threads());
            let summary = pactwatch::pipeline::Pipeline::open(cli.a.pipeline_options())?.run(&mut pactwatch::pipeline::Quiet)?;
            anyhow::ensure!(summary.counts.failed == 0, "annotate failed on {} gold article(s): see {}/errors.jsonl", summary.counts.failed, summary.out);
            out.join("annotate")
        }
    };
    let pred = read_predictions(&pred_dir.join("documents.jsonl"))?;
    let missing: Vec<&str> = gold.iter().filter(|g| !pred.keys().any(|(id, _)| id == &g.id)).map(|g| g.id.as_str()).collect();
    anyhow::ensure!(missing.is_empty(), "no prediction for {} gold articles (first: {:?}); see {}/errors.jsonl", missing.len(), missing.first(), pred_dir.display());
    if let Some(p) = &a.errors {
        write_outcomes(p, &gold, &pred)?;
    }
    let mut report = serde_json::Map::new();
    for split in ["dev", "test", "all"] {
        let part: Vec<&GoldArticle> = gold.iter().filter(|g| split == "all" || g.split == split).collect();
        report.insert(split.into(), serde_json::to_value(score(&part, &pred))?);
    }
    if a.json {
        println!("{}", serde_json::Value::Object(report));
    } else {
        print_table(&report);
    }
    Ok(ExitCode::SUCCESS)
}

/// One line per gold article: gold and predicted labels, and each gold actor's prediction.
fn write_outcomes(path: &std::path::Path, gold: &[GoldArticle], pred: &std::collections::BTreeMap<(String, String), pactwatch::training::news_eval::Predicted>) -> anyhow::Result<()> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?);
    let empty = Default::default();
    for g in gold {
        let p: &pactwatch::training::news_eval::Predicted = pred.get(&(g.id.clone(), g.target.clone())).unwrap_or(&empty);
        let actors: Vec<serde_json::Value> = g
            .actors
            .iter()
            .map(|ga| {
                let found: Vec<_> = p.actors.iter().filter(|(n, _, _)| pactwatch::training::news_eval::names_match(n, ga)).map(|(n, l, e)| serde_json::json!([n, l, e])).collect();
                serde_json::json!({"name": ga.name, "gold": ga.stance, "predicted": found})
            })
            .collect();
        let others: Vec<_> = p.actors.iter().filter(|(n, _, _)| !g.actors.iter().any(|ga| pactwatch::training::news_eval::names_match(n, ga))).map(|(n, l, e)| serde_json::json!([n, l, e])).collect();
        writeln!(f, "{}", serde_json::json!({"id": g.id, "split": g.split, "lang": g.lang, "target": g.target, "on_topic": g.on_topic,
            "gold": g.label, "predicted": p.label, "n_relevant": p.n_relevant, "actors": actors, "other_predicted_actors": others}))?;
    }
    Ok(())
}

fn print_table(report: &serde_json::Map<String, serde_json::Value>) {
    let get = |split: &str| -> SplitScores { serde_json::from_value(report[split].clone()).unwrap_or_default() };
    let (d, t, all) = (get("dev"), get("test"), get("all"));
    println!("| | dev | test | all |\n|---|---|---|---|");
    let row = |name: &str, f: &dyn Fn(&SplitScores) -> String| println!("| {name} | {} | {} | {} |", f(&d), f(&t), f(&all));
    row("on-topic articles", &|s| s.documents.n.to_string());
    row("document macro-F1 (accuracy)", &|s| format!("{:.3} ({:.3})", s.documents.macro_f1, s.documents.accuracy));
    row("documents predicted against / gold against", &|s| format!("{} / {}", s.documents.predicted_against, s.documents.gold_against));
    row("gold none called favor", &|s| format!("{} of {}", s.documents.gold_none_called_favor, s.documents.gold_none));
    row("actor accuracy (gold actors)", &|s| format!("{:.3} ({})", s.actors.accuracy, s.actors.n_gold));
    row("gold against actors predicted against", &|s| format!("{} of {}", s.actors.against_found_against, s.actors.gold_against));
    row("stance-holding actors not found", &|s| format!("{} of {}", s.actors.sided_not_found, s.actors.gold_sided));
    row("predicted sided actors matching no gold actor", &|s| format!("{} of {}", s.actors.spurious_sided, s.actors.predicted_sided));
    row("off-topic with a relevant sentence or a side", &|s| format!("{:.1} % ({} of {})", 100.0 * s.off_topic.share, s.off_topic.with_relevant_or_side, s.off_topic.n));
    println!();
    for (what, name, m) in [("document", "target", &all.doc_by_target), ("document", "language", &all.doc_by_lang), ("actor", "language", &all.actor_by_lang)] {
        let cells: Vec<String> = m.iter().map(|(k, (c, n))| format!("{k} {c}/{n}")).collect();
        println!("{what} accuracy by {name} (all): {}", cells.join(", "));
    }
}
