//! `pactwatch train stance`: fine-tune the stance cross-encoder on the stance corpora of
//! ../shared/data (split policy: `stance_data::load_corpora`).
use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use pactwatch::stages::encoding::TextTokenizer;
use pactwatch::models::{Classifier, LoadOptions, ModelDir, Task};
use pactwatch::models::stance::{StanceModel, STANCE_LABELS};
use pactwatch::training::stance_data::{load_argument_corpora, load_corpora, load_xnli, read_marked_pairs, read_news_pairs, StanceExample, StanceLabel};
use pactwatch::training::train::{self, encode_stance_example, Rng, Sampler, TrainOptions};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct StanceArgs {
    /// Folder with the labelled corpora (layout of ../shared/data)
    #[arg(long, default_value = "../shared/data")]
    data: PathBuf,
    /// Base encoder (Hugging Face directory)
    #[arg(long, default_value = "models/e5-small")]
    base: PathBuf,
    /// Output model directory (overlay on the base)
    #[arg(long, default_value = "models/stance-multi")]
    out: PathBuf,
    #[arg(long, default_value_t = 3000)]
    steps: usize,
    #[arg(long, default_value_t = 16)]
    batch_size: usize,
    #[arg(long, default_value_t = 4e-5)]
    lr: f64,
    #[arg(long, default_value_t = 0.06)]
    warmup_frac: f64,
    #[arg(long, default_value_t = 17)]
    seed: u64,
    /// Stop (and save) after this many minutes even if steps remain
    #[arg(long, default_value_t = 60.0)]
    max_minutes: f64,
    #[arg(long, default_value_t = 500)]
    checkpoint_every: usize,
    /// Also train the word-embedding table
    #[arg(long)]
    train_embeddings: bool,
    /// Longest pair in tokens (longer passages are cut at the end)
    #[arg(long, default_value_t = 128)]
    max_tokens: usize,
    /// At most this many FNC-1 `discuss` pairs (the largest class of the largest corpus)
    #[arg(long, default_value_t = 3000)]
    fnc_discuss_cap: usize,
    /// Corpus sampling: probability of a corpus ∝ size^power (0 = uniform, 1 = proportional)
    #[arg(long, default_value_t = 0.5)]
    power: f64,
    /// Pairs of each dev set scored at the end (0 = all)
    #[arg(long, default_value_t = 0)]
    dev_limit: usize,
    #[arg(long)]
    threads: Option<usize>,
    /// Warm start: continue from this stance model (same labels) instead of a new head on the
    /// base; the overlay is still written against `--base`
    #[arg(long)]
    init: Option<PathBuf>,
    /// The project's own news-register pairs (`*.jsonl`; "" = none)
    #[arg(long, default_value = NEWS_PAIRS, value_parser = path_or_empty())]
    news: PathBuf,
    /// Folders of holder-marked pairs (`stance_data::read_marked_pairs`), comma-separated:
    /// the news pairs' holders and the per-actor labels of corpora/stance-actors, so that the
    /// model also answers "where does the marked actor stand" (`annotate --holder-model`)
    #[arg(long, default_value = "")]
    marked: String,
    /// Leave out the many-target argument corpora (P-Stance train, VAST three-way,
    /// Perspectrum, IBM claims, ArgKP, ValueEval)
    #[arg(long)]
    no_arguments: bool,
    /// Corpus weights multiplying size^power: SOURCE=WEIGHT,... (sources not named get 1)
    #[arg(long, default_value = "news=4")]
    mix: String,
    /// XNLI folder (`../shared/data/nli/xnli`) whose pairs join training as claim stance
    /// (entailment favor, contradiction against, neutral none; corpus `xnli` for `--mix`);
    /// "" = none
    #[arg(long, default_value = "", value_parser = path_or_empty())]
    nli: PathBuf,
    /// Batches: `corpus` = each pool of 50 batches from one corpus (sessions 2-13), `mixed` =
    /// every pair's corpus drawn by the mix, so each batch mixes corpora in their shares
    #[arg(long, value_enum, default_value = "corpus")]
    pools: Pools,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Pools {
    Corpus,
    Mixed,
}

/// A path flag whose empty value means "none" (clap's own `PathBuf` parser refuses "", so a
/// default of "" made every run without `--nli` fail at parsing).
fn path_or_empty() -> impl clap::builder::TypedValueParser<Value = PathBuf> {
    clap::builder::TypedValueParser::map(clap::builder::OsStringValueParser::new(), PathBuf::from)
}

/// The project's own news-register pairs (the default of `--news`).
const NEWS_PAIRS: &str = "corpora/stance-news";
/// The folders whose holder-marked pairs `eval stance --gold dev` scores (dev split of the
/// per-actor labels).
const MARKED_PAIRS: [&str; 1] = ["corpora/stance-actors"];

/// Every corpus `train stance` reads: ../shared/data's stance sets (`load_corpora`), the
/// argument corpora unless `no_arguments`, and the project's news pairs when `news` is a folder.
pub fn all_corpora(data: &Path, news: &Path, no_arguments: bool, marked: &str, nli: &Path) -> anyhow::Result<Vec<StanceExample>> {
    let mut all = load_corpora(data).context("reading the stance corpora")?;
    if !no_arguments {
        all.extend(load_argument_corpora(data).context("reading the argument corpora")?);
    }
    if !news.as_os_str().is_empty() {
        all.extend(read_news_pairs(news).with_context(|| format!("reading the news pairs in {}", news.display()))?);
    }
    for dir in marked.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        all.extend(read_marked_pairs(Path::new(dir)).with_context(|| format!("reading the holder-marked pairs in {dir}"))?);
    }
    if !nli.as_os_str().is_empty() {
        all.extend(load_xnli(nli).with_context(|| format!("reading XNLI in {}", nli.display()))?);
    }
    Ok(all)
}

/// Label counts of a set of examples, for the log and the model card.
fn label_counts(v: &[&StanceExample]) -> BTreeMap<&'static str, usize> {
    let mut m = BTreeMap::new();
    for e in v {
        *m.entry(e.label.as_str()).or_insert(0) += 1;
    }
    m
}

pub fn run(a: StanceArgs) -> anyhow::Result<ExitCode> {
    let t0 = std::time::Instant::now();
    super::set_threads(a.threads);
    tch::manual_seed(a.seed as i64);
    let base = ModelDir::open(&a.base).context("opening the base model (run scripts/setup.sh)")?;
    let tok = TextTokenizer::from_file(&base.tokenizer)?;
    let labels: Vec<String> = STANCE_LABELS.iter().map(|s| s.to_string()).collect();
    let model = match &a.init {
        Some(init) => {
            let dir = ModelDir::open(init).with_context(|| format!("opening the --init model {}", init.display()))?;
            anyhow::ensure!(dir.labels()? == labels, "--init {}: its labels {:?} are not {labels:?}", init.display(), dir.labels()?);
            Classifier::load(&dir, Task::Sequence, &LoadOptions { device: tch::Device::Cpu, new_head_labels: None })?
        }
        None => Classifier::load(&base, Task::Sequence, &LoadOptions { device: tch::Device::Cpu, new_head_labels: Some(labels) })?,
    };
    let frozen = if a.train_embeddings { 0 } else { train::freeze_word_embeddings(&model) };

    let all = all_corpora(&a.data, &a.news, a.no_arguments, &a.marked, &a.nli)?;
    let mix = super::train::parse_mix(&a.mix)?;
    let mut rng = Rng::new(a.seed);
    let mut discuss: Vec<usize> = all.iter().enumerate().filter(|(_, e)| e.source == "fnc1" && e.label == StanceLabel::None).map(|(i, _)| i).collect();
    rng.shuffle(&mut discuss);
    let dropped: std::collections::HashSet<usize> = discuss.into_iter().skip(a.fnc_discuss_cap).collect();
    let train_set: Vec<&StanceExample> = all.iter().enumerate().filter(|(i, e)| e.split == "train" && !dropped.contains(i)).map(|(_, e)| e).collect();
    let mut per_source: BTreeMap<&str, BTreeMap<&'static str, usize>> = BTreeMap::new();
    for s in train_set.iter().map(|e| e.source).collect::<std::collections::BTreeSet<_>>() {
        per_source.insert(s, label_counts(&train_set.iter().copied().filter(|e| e.source == s).collect::<Vec<_>>()));
    }
    let n_targets = train_set.iter().map(|e| e.target.as_str()).collect::<std::collections::HashSet<_>>().len();
    eprintln!("train: {} pairs, {n_targets} distinct targets; per corpus: {per_source:?}", train_set.len());
    let examples = train_set.iter().map(|e| encode_stance_example(&tok, e, a.max_tokens)).collect::<pactwatch::Result<Vec<_>>>()?;
    let mut sampler = Sampler::with_weights(examples, a.seed, |g, n| (n as f64).powf(a.power) * mix.get(g).copied().unwrap_or(1.0));
    if matches!(a.pools, Pools::Mixed) {
        sampler = sampler.mixed();
    }
    for (g, n, share) in sampler.shares() {
        eprintln!("mix: {g:<12} {n:>7} pairs {:>5.1} % of batches", share * 100.0);
    }

    let opts = TrainOptions {
        steps: a.steps, batch_size: a.batch_size, lr: a.lr, warmup_frac: a.warmup_frac, clip_norm: 1.0, seed: a.seed,
        freeze_embeddings: !a.train_embeddings, max_minutes: a.max_minutes, checkpoint_every: a.checkpoint_every,
    };
    let bar = if std::io::stderr().is_terminal() { ProgressBar::new(a.steps as u64) } else { ProgressBar::hidden() };
    bar.set_style(ProgressStyle::with_template("{bar:30} {pos}/{len} {msg} [{elapsed_precise}<{eta_precise}]").expect("static template"));
    let arch = "BertForSequenceClassification";
    let mut log = Vec::new();
    let fit = train::fit(&model, &mut sampler, tok.pad_id, &opts, 0, |s| {
        super::train::report_step(&bar, &mut log, t0, s);
        if s.step % a.checkpoint_every == 0 {
            train::save_overlay(&model, &base, &a.out, !a.train_embeddings, arch)?;
        }
        Ok(())
    })?;
    bar.finish_and_clear();
    train::save_overlay(&model, &base, &a.out, !a.train_embeddings, arch)?;

    // Dev scores from the saved (half-precision) overlay, through the same code as `eval stance`.
    let dir = ModelDir::open(&a.out)?;
    let sm = StanceModel::load(&dir, tch::Device::Cpu)?;
    let dev = score_dev_sets(&sm, &all, a.dev_limit, &train_set)?;
    let report = serde_json::json!({
        "command": std::env::args().collect::<Vec<_>>(),
        "options": opts, "power": a.power, "mix": a.mix, "init": a.init, "news": a.news, "marked": a.marked, "no_arguments": a.no_arguments, "nli": a.nli, "pools": a.pools, "max_tokens": a.max_tokens, "fnc_discuss_cap": a.fnc_discuss_cap,
        "fit": fit, "train_minutes": fit.train_seconds / 60.0, "total_minutes": t0.elapsed().as_secs_f64() / 60.0,
        "train_pairs": train_set.len(), "train_targets": n_targets, "train_per_corpus": per_source,
        "tokens_per_s": fit.tokens_seen as f64 / fit.train_seconds, "frozen_parameters": frozen, "log": log, "dev": dev,
    });
    std::fs::write(a.out.join("training.json"), serde_json::to_string_pretty(&report)? + "\n")?;
    println!("{}", serde_json::to_string_pretty(&report["dev"])?);
    Ok(ExitCode::SUCCESS)
}

/// Score every dev set (`stance_data::dev_set_name`) of `all`; each set notes whether its
/// targets were seen in `train`. Returns {name: {seen_targets, report}}.
pub fn score_dev_sets(model: &StanceModel, all: &[StanceExample], limit: usize, train: &[&StanceExample]) -> anyhow::Result<serde_json::Value> {
    let seen: std::collections::HashSet<String> = train.iter().map(|e| e.target.to_lowercase()).collect();
    let mut sets: BTreeMap<String, Vec<StanceExample>> = BTreeMap::new();
    for e in all.iter().filter(|e| e.split == "dev") {
        sets.entry(pactwatch::training::stance_data::dev_set_name(e)).or_default().push(e.clone());
    }
    let mut out = serde_json::Map::new();
    for (name, mut gold) in sets {
        if limit > 0 && gold.len() > limit {
            // an even spread over the file rather than its head
            let step = gold.len() as f64 / limit as f64;
            gold = (0..limit).map(|i| gold[(i as f64 * step) as usize].clone()).collect();
        }
        let t = std::time::Instant::now();
        let r = pactwatch::models::stance::evaluate(model, &gold)?;
        let n_seen = gold.iter().filter(|e| seen.contains(&e.target.to_lowercase())).count();
        eprintln!("dev {name}: macro-F1 {:.3} F_avg {:.3} on {} pairs ({} with a seen target){} in {:.0} s",
            r.macro_f1, r.f_avg, gold.len(), n_seen, if r.binary { ", binary" } else { "" }, t.elapsed().as_secs_f64());
        out.insert(name, serde_json::json!({"seen_target_share": n_seen as f64 / gold.len().max(1) as f64, "report": r}));
    }
    Ok(serde_json::Value::Object(out))
}

/// Used by `eval stance --gold dev`: the dev sets without a training run.
pub fn dev_sets_only(model: &StanceModel, data: &Path, limit: usize) -> anyhow::Result<serde_json::Value> {
    let news = Path::new(NEWS_PAIRS);
    let marked: Vec<&str> = MARKED_PAIRS.iter().copied().filter(|d| Path::new(d).is_dir()).collect();
    let xnli = data.join("nli/xnli");
    let all = all_corpora(data, if news.is_dir() { news } else { Path::new("") }, false, &marked.join(","), if xnli.is_dir() { &xnli } else { Path::new("") })?;
    let train: Vec<&StanceExample> = all.iter().filter(|e| e.split == "train").collect();
    score_dev_sets(model, &all, limit, &train)
}
