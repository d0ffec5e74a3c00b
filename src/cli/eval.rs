//! `pactwatch eval ner`: score the annotate pipeline on gold data (exact-span P / R / F1).
use super::train::DEV;
use anyhow::Context;
use pactwatch::stages::annotate::{Annotator, NerOptions};
use pactwatch::training::corpus::{read_conll, read_corpus, read_span_jsonl, Columns};
use pactwatch::training::evaluate::evaluate;
use pactwatch::models::ModelDir;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum Which {
    /// Named entities: exact-match spans per type, micro and macro, per language
    Ner(NerArgs),
    /// Stance: macro-F1, F_avg, confusion matrix, per language and per target
    Stance(StanceArgs),
    /// Relevance: propose an embedding threshold from on-topic and off-topic documents
    Relevance(super::eval_relevance::RelevanceArgs),
    /// News: annotate gold articles and score document stance, actor stance and off-topic
    /// false positives, per split (dev / test)
    News(super::eval_news::NewsArgs),
    /// Actors: canonical-actor merging on a name-variant gold file (pairwise precision / recall)
    Actors(super::eval_actors::ActorsArgs),
}

#[derive(clap::Args)]
pub struct StanceArgs {
    /// Gold JSONL (`{"text", "target", "label"[, "lang"]}` per line); or "dev" to score every
    /// stance dev split under --data
    #[arg(long)]
    gold: String,
    #[arg(long, default_value = "../shared/data")]
    data: PathBuf,
    #[arg(long, default_value = "models/stance-multi")]
    stance_model: PathBuf,
    /// Pairs per dev set (0 = all)
    #[arg(long, default_value_t = 0)]
    limit: usize,
    #[arg(long)]
    json: bool,
    #[arg(long)]
    threads: Option<usize>,
}

fn run_stance(a: StanceArgs) -> anyhow::Result<ExitCode> {
    super::set_threads(a.threads);
    let dir = ModelDir::open(&pactwatch::home::resolve(&a.stance_model)?).context("opening the stance model")?;
    let data = pactwatch::home::resolve(&a.data)?;
    let model = pactwatch::models::stance::StanceModel::load(&dir, tch::Device::Cpu)?;
    let out = if a.gold == "dev" {
        super::train_stance::dev_sets_only(&model, &data, a.limit)?
    } else {
        let mut gold = pactwatch::training::stance_data::read_gold_jsonl(Path::new(&a.gold))?;
        if a.limit > 0 {
            gold.truncate(a.limit);
        }
        serde_json::to_value(pactwatch::models::stance::evaluate(&model, &gold)?)?
    };
    if a.json {
        println!("{}", serde_json::to_string(&out)?);
    } else {
        println!("{}", serde_json::to_string_pretty(&out)?);
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum GoldFormat {
    /// CoNLL-style columns (token first, tag last; or index, token, tag)
    Conll,
    /// SlavicNER-style JSONL: {text, lang, entities: [{start, end, type}]} (character offsets)
    Jsonl,
}

#[derive(clap::Args)]
pub struct NerArgs {
    /// Gold file; or "dev" to score every dev set under --data
    #[arg(long)]
    gold: String,
    #[arg(long, value_enum, default_value = "conll")]
    gold_format: GoldFormat,
    /// Language code recorded for CoNLL gold (for the per-language table)
    #[arg(long, default_value = "und")]
    lang: String,
    /// Folder with the corpora, for --gold dev
    #[arg(long, default_value = "../shared/data")]
    data: PathBuf,
    #[arg(long, default_value = "models/ner-multi")]
    ner_model: PathBuf,
    /// Sentences per dev set (0 = all)
    #[arg(long, default_value_t = 0)]
    limit: usize,
    /// With --gold dev: score only these dev sets (comma-separated names; default all)
    #[arg(long, value_delimiter = ',')]
    sets: Vec<String>,
    /// With --gold dev: write the (selected) dev sets' sentences as `token<TAB>tag` files
    /// (IOB2 after label mapping, what is scored) to this folder, one `<name>.tsv` each, and
    /// exit without scoring (for baselines scored on exactly the same sentences)
    #[arg(long)]
    dump_gold: Option<PathBuf>,
    #[arg(long)]
    json: bool,
    #[arg(long)]
    threads: Option<usize>,
    /// Precision of the encoder's dense layers (as `annotate --precision`; fp32 here, the model
    /// card's figures; `--precision int8` scores what `annotate` runs by default)
    #[arg(long, value_enum, default_value = "fp32")]
    precision: pactwatch::models::Precision,
}

pub fn run(w: Which) -> anyhow::Result<ExitCode> {
    let a = match w {
        Which::Ner(a) => a,
        Which::Stance(a) => return run_stance(a),
        Which::Relevance(a) => return super::eval_relevance::run(a),
        Which::News(a) => return super::eval_news::run(a),
        Which::Actors(a) => return super::eval_actors::run(a),
    };
    super::set_threads(a.threads);
    if let Some(out) = &a.dump_gold {
        return dump_dev_sets(&pactwatch::home::resolve(&a.data)?, out, a.limit, &a.sets);
    }
    let dir = ModelDir::open(&pactwatch::home::resolve(&a.ner_model)?).context("opening the NER model")?;
    let mut ann = Annotator::load(&dir, NerOptions::default(), tch::Device::Cpu)?;
    if !ann.model.set_precision(a.precision) {
        eprintln!("note: --precision {:?} does not apply to {} (no fused forward, or no int8 kernel on this CPU); scored at fp32", a.precision, dir.dir.display());
    }
    let out = if a.gold == "dev" {
        score_dev_sets(&mut ann, &pactwatch::home::resolve(&a.data)?, a.limit, &a.sets)?
    } else {
        let p = Path::new(&a.gold);
        let mut gold = match a.gold_format {
            GoldFormat::Conll => {
                let first = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
                let cols = if first.lines().find(|l| !l.trim().is_empty() && !l.starts_with('#')).is_some_and(|l| l.split(['\t', ' ']).next().is_some_and(|f| f.chars().all(|c| c.is_ascii_digit())) && l.contains('\t')) {
                    Columns::IndexTokenTag
                } else {
                    Columns::TokenFirstTagLast
                };
                read_conll(p, &a.lang, cols)?
            }
            GoldFormat::Jsonl => read_span_jsonl(p)?,
        };
        if a.limit > 0 {
            gold.truncate(a.limit);
        }
        serde_json::to_value(evaluate(&mut ann, &gold, 64))?
    };
    if a.json {
        println!("{}", serde_json::to_string(&out)?);
    } else {
        println!("{}", serde_json::to_string_pretty(&out)?);
    }
    Ok(ExitCode::SUCCESS)
}

/// Each dev set present under `data` (only those named in `only`, when not empty), its first
/// `limit` sentences (0 = all), passed to `f` one at a time.
fn for_each_dev_set(data: &Path, limit: usize, only: &[String], mut f: impl FnMut(&str, Vec<pactwatch::training::corpus::GoldSentence>) -> anyhow::Result<()>) -> anyhow::Result<()> {
    for (name, rel, lang, format) in DEV {
        let p = data.join(rel);
        if !p.exists() || !only.is_empty() && !only.iter().any(|o| o == name) {
            continue;
        }
        let mut gold = read_corpus(&p, lang, *format)?;
        if limit > 0 {
            gold.truncate(limit);
        }
        f(name, gold)?;
    }
    Ok(())
}

/// Write the dev sets as `token<TAB>tag` files (`X` words as O, as scored).
fn dump_dev_sets(data: &Path, out: &Path, limit: usize, only: &[String]) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    for_each_dev_set(data, limit, only, |name, gold| {
        let mut text = String::new();
        for s in &gold {
            for (t, g) in s.tokens.iter().zip(&s.tags) {
                text.push_str(&format!("{t}\t{}\n", if g == "X" { "O" } else { g }));
            }
            text.push('\n');
        }
        let f = out.join(format!("{name}.tsv"));
        std::fs::write(&f, text).with_context(|| format!("writing {}", f.display()))?;
        eprintln!("{name}: {} sentences -> {}", gold.len(), f.display());
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Score every dev set present under `data`; returns {name: report}.
/// `only` (when not empty) names the sets to score.
pub fn score_dev_sets(ann: &mut Annotator, data: &Path, limit: usize, only: &[String]) -> anyhow::Result<serde_json::Value> {
    let mut out = serde_json::Map::new();
    for_each_dev_set(data, limit, only, |name, gold| {
        let t = std::time::Instant::now();
        let r = evaluate(ann, &gold, 64);
        eprintln!("dev {name}: F1 {:.2} (P {:.2} R {:.2}) on {} sentences in {:.0} s",
            100.0 * r.overall.f1, 100.0 * r.overall.precision, 100.0 * r.overall.recall, gold.len(), t.elapsed().as_secs_f64());
        out.insert(name.to_string(), serde_json::to_value(&r)?);
        Ok(())
    })?;
    Ok(serde_json::Value::Object(out))
}
