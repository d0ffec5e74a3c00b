//! `pactwatch annotate`: read → annotate in batches → write, with a progress bar on stderr.
use anyhow::Context;
use pactwatch::annotate::{Annotator, NerOptions};
use pactwatch::input::{expand_inputs, InputFormat, Reader, ReaderOptions};
use pactwatch::model::ModelDir;
use pactwatch::ner::Aggregation;
use pactwatch::output::{sha256_file, write_json_atomic, OutputFormat, Outputs};
use serde::Serialize;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Input files or directories (read recursively); "-" reads JSONL from stdin
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Output directory (optional with --stdout)
    #[arg(long, required_unless_present = "stdout")]
    out: Option<PathBuf>,
    /// Write one line per document (and per failed record, "kind": "error") to stdout, in input order
    #[arg(long)]
    stdout: bool,
    /// Process only shard K of N: records whose id (FNV-1a 64) mod N == K
    #[arg(long, value_parser = parse_shard)]
    shard: Option<(u64, u64)>,
    /// Continue an interrupted run in --out (same arguments): outputs are cut back to the last
    /// journaled batch and the records before it are skipped
    #[arg(long, requires = "out")]
    resume: bool,
    /// NER model directory (Hugging Face token-classification layout, or a pactwatch overlay)
    #[arg(long, default_value = "models/ner-multi")]
    ner_model: PathBuf,
    /// Target of the stance stage (TOML; see targets/); repeat for several targets
    #[arg(long = "target", default_value = "targets/paris-declaration.toml")]
    targets: Vec<PathBuf>,
    /// Stance model directory (sequence classification with favor / against / none labels)
    #[arg(long, default_value = "models/stance-multi")]
    stance_model: PathBuf,
    /// Sentence-embedding model for relevance (multilingual-e5 layout: "query: " / "passage: ")
    #[arg(long, default_value = "models/e5-small")]
    relevance_model: PathBuf,
    /// Cue lexicons (reporting and stance verbs per language) for attribution
    #[arg(long, default_value = "lexicons/cues.toml")]
    cues: PathBuf,
    #[command(flatten)]
    stance: pactwatch::stance_stage::StanceOptions,
    /// Entities only: skip relevance, stance and actors
    #[arg(long)]
    no_stance: bool,
    /// Input format; default: from each file's extension (.jsonl, .csv, .txt)
    #[arg(long, value_enum)]
    input_format: Option<InputFormat>,
    /// Field (JSONL) or column (CSV) holding the document id
    #[arg(long, default_value = "id")]
    id_field: String,
    /// Field (JSONL) or column (CSV) holding the text
    #[arg(long, default_value = "text")]
    text_field: String,
    /// Tables to write (errors.jsonl and run.json are always written)
    #[arg(long, value_enum, value_delimiter = ',', default_value = "documents,entities,stances,actors")]
    format: Vec<OutputFormat>,
    /// How a word's label is read from its sub-tokens
    #[arg(long, value_enum, default_value = "first")]
    aggregation: Aggregation,
    /// How words are cut: pactwatch (punctuation split off; what the models are trained with)
    /// or hf (transformers' pipeline heuristic, for comparisons with it)
    #[arg(long, value_enum, default_value = "pactwatch")]
    word_rule: pactwatch::words::WordRule,
    /// Tokens per model input, special tokens included
    #[arg(long, default_value_t = 128)]
    max_tokens: usize,
    /// Tokens shared by consecutive windows of a long sentence
    #[arg(long, default_value_t = 32)]
    stride_tokens: usize,
    /// Windows per forward pass
    #[arg(long, default_value_t = 16)]
    batch_size: usize,
    /// Documents read, annotated and written per batch
    #[arg(long, default_value_t = 64)]
    docs_per_batch: usize,
    /// Stop after this many input records
    #[arg(long)]
    limit: Option<usize>,
    /// libtorch threads (default: all cores)
    #[arg(long)]
    threads: Option<usize>,
    /// No progress bar and no summary line
    #[arg(long)]
    quiet: bool,
}

impl Args {
    pub fn ner_model_dir(&self) -> PathBuf {
        self.ner_model.clone()
    }

    /// (relevance, stance) model directories, None with --no-stance.
    pub fn stance_model_dirs(&self) -> Option<(PathBuf, PathBuf)> {
        (!self.no_stance).then(|| (self.relevance_model.clone(), self.stance_model.clone()))
    }
}

fn parse_shard(s: &str) -> Result<(u64, u64), String> {
    let (k, n) = s.split_once('/').ok_or("expected K/N, e.g. 0/4")?;
    let (k, n): (u64, u64) = (k.parse().map_err(|_| "K is not a number")?, n.parse().map_err(|_| "N is not a number")?);
    if n == 0 || k >= n {
        return Err(format!("need 0 <= K < N, got {k}/{n}"));
    }
    Ok((k, n))
}

#[derive(Serialize, serde::Deserialize, Default)]
struct Counts {
    read: usize,
    annotated: usize,
    failed: usize,
    sentences: usize,
    entities: usize,
    tokens: usize,
    windows: usize,
    chars: usize,
    #[serde(default)]
    stance_rows: usize,
    #[serde(default)]
    actor_rows: usize,
}

#[derive(Serialize)]
struct ModelInfo {
    dir: String,
    architecture: pactwatch::model::Architecture,
    labels: Vec<String>,
    sha256: std::collections::BTreeMap<String, String>,
}

#[derive(Serialize)]
struct RunInfo<'a> {
    tool: &'static str,
    version: &'static str,
    command: Vec<String>,
    inputs: Vec<String>,
    models: std::collections::BTreeMap<&'static str, ModelInfo>,
    options: serde_json::Value,
    counts: &'a Counts,
    timings: serde_json::Value,
    offset_unit: &'static str,
    outputs: Vec<&'static str>,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    super::set_threads(a.threads);
    let dir = ModelDir::open(&a.ner_model).context("opening the NER model")?;
    for w in dir.warnings() {
        eprintln!("pactwatch: warning: {w}");
    }
    let opts = NerOptions { aggregation: a.aggregation, max_tokens: a.max_tokens, stride_tokens: a.stride_tokens, batch_size: a.batch_size, word_rule: a.word_rule };
    let mut annotator = Annotator::load(&dir, opts.clone(), tch::Device::Cpu).context("loading the NER model")?;
    let mut stage = if a.no_stance { None } else { Some(load_stance_stage(&a, &annotator.model.vs).context("loading the stance stage")?) };
    let load_s = started.elapsed().as_secs_f64();
    let reader_opts = ReaderOptions { id_field: a.id_field.clone(), text_field: a.text_field.clone(), format: a.input_format };
    let files = match expand_inputs(&a.inputs, a.input_format) {
        Ok(f) => f,
        Err(e) => anyhow::bail!("{}: {}", e.origin.file, e.reason),
    };
    // What must not change between a run and its --resume.
    let fingerprint = serde_json::json!({"inputs": files, "reader": reader_opts, "ner": opts, "format": a.format,
        "shard": a.shard, "limit": a.limit, "docs_per_batch": a.docs_per_batch, "stdout": a.stdout, "model": dir.dir,
        "stance": (!a.no_stance).then(|| serde_json::json!({"targets": a.targets, "model": a.stance_model, "relevance": a.relevance_model, "cues": a.cues, "options": a.stance}))});
    let journal = match (&a.out, a.resume) {
        (Some(out), true) if out.join("run.args.json").exists() => {
            let fp_path = out.join("run.args.json");
            let old: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&fp_path).with_context(|| format!("--resume: reading {}", fp_path.display()))?)?;
            anyhow::ensure!(old == fingerprint, "--resume: the arguments differ from the interrupted run's ({})", fp_path.display());
            pactwatch::output::read_journal(out)?
        }
        // Killed before anything was written: a resume is a fresh start.
        _ => None,
    };
    let mut outputs = match &a.out {
        Some(out) => {
            let o = Outputs::open(out, &a.format, a.stdout, journal.as_ref()).with_context(|| format!("creating outputs in {}", out.display()))?;
            if journal.is_none() {
                write_json_atomic(&out.join("run.args.json"), &fingerprint)?;
            }
            o
        }
        None => Outputs::stdout_only(),
    };
    let mut counts: Counts = journal.as_ref().and_then(|j| serde_json::from_value(j.counts.clone()).ok()).unwrap_or_default();
    let mut records_done = journal.as_ref().map_or(0, |j| j.records_done);
    let mut reader = Reader::new(files.clone(), reader_opts.clone()).take(a.limit.unwrap_or(usize::MAX));
    reader.by_ref().take(records_done as usize).for_each(drop);
    // The ETA needs a record count: one cheap pass over the inputs, only when the bar is shown.
    let show_bar = !a.quiet && std::io::stderr().is_terminal();
    let total = if show_bar && a.shard.is_none() { pactwatch::input::count_records(&files, a.input_format) } else { None };
    let bar = progress_bar(show_bar, total.map(|t| t.min(a.limit.unwrap_or(usize::MAX) as u64)));
    bar.set_position(records_done);
    let in_shard = |key: &str| a.shard.is_none_or(|(k, n)| pactwatch::output::shard_of(key, n) == k);
    loop {
        let batch: Vec<_> = reader.by_ref().take(a.docs_per_batch.max(1)).collect();
        if batch.is_empty() {
            break;
        }
        records_done += batch.len() as u64;
        let mut errors = Vec::new();
        let mut records = Vec::new();
        for item in batch {
            match item {
                Ok(r) if in_shard(&r.id) => records.push(r),
                Err(e) if in_shard(&e.doc_id.clone().unwrap_or_else(|| format!("{}:{}", e.origin.file, e.origin.line.unwrap_or(0)))) => errors.push(e),
                _ => continue,
            }
            counts.read += 1;
        }
        let mut results = annotator.annotate(records);
        if let Some(st) = stage.as_mut() {
            let mut docs: Vec<&mut pactwatch::document::Document> = results.iter_mut().filter_map(|r| r.as_mut().ok()).collect();
            if let Err(e) = st.run(&mut docs) {
                // The batch's documents fail together, each named, and the run goes on.
                for r in results.iter_mut() {
                    if let Ok(d) = r {
                        *r = Err(pactwatch::input::RecordError { origin: d.source.clone(), doc_id: Some(d.id.clone()), reason: format!("stance stage failed: {e:#}") });
                    }
                }
            }
        }
        for res in results {
            match res {
                Ok(doc) => {
                    counts.annotated += 1;
                    counts.sentences += doc.sentences.len();
                    counts.entities += doc.entities.len();
                    counts.tokens += doc.coverage.tokens;
                    counts.windows += doc.coverage.windows;
                    counts.chars += doc.n_chars;
                    counts.stance_rows += doc.stances.len();
                    counts.actor_rows += doc.actors.len();
                    outputs.write_document(&doc)?;
                }
                Err(e) => errors.push(e),
            }
        }
        for e in &errors {
            counts.failed += 1;
            outputs.write_error(e)?;
            if !a.quiet {
                bar.suspend(|| eprintln!("pactwatch: {}{}: {}", e.origin.file, e.origin.line.map(|l| format!(":{l}")).unwrap_or_default(), e.reason));
            }
        }
        outputs.commit(records_done, serde_json::to_value(&counts)?)?;
        bar.set_position(records_done);
    }
    bar.finish_and_clear();
    let elapsed = started.elapsed().as_secs_f64();
    // The three models share one base: each file is hashed once.
    let mut hashed = std::collections::BTreeMap::new();
    let mut models = std::collections::BTreeMap::new();
    models.insert("ner", model_info(&dir, annotator.model.labels.clone(), &mut hashed)?);
    if let Some(st) = &stage {
        let (s, r) = (st.stance_dir(), st.relevance_dir());
        models.insert("stance", model_info(&s, s.labels().unwrap_or_default(), &mut hashed)?);
        models.insert("relevance", model_info(&r, r.labels().unwrap_or_default(), &mut hashed)?);
    }
    let t = serde_json::json!({"ner": annotator.timings, "stance": stage.as_ref().map(|s| s.timings.clone()),
        "passes": {"relevance": stage.as_ref().map(|s| s.pass_stats().0), "stance": stage.as_ref().map(|s| s.pass_stats().1)}});
    let run = RunInfo {
        tool: "pactwatch",
        version: env!("CARGO_PKG_VERSION"),
        command: std::env::args().collect(),
        inputs: files.iter().map(|p| p.display().to_string()).collect(),
        models,
        options: serde_json::json!({"ner": opts, "reader": reader_opts, "format": a.format, "docs_per_batch": a.docs_per_batch,
                                    "limit": a.limit, "shard": a.shard, "resumed": a.resume, "threads": tch::get_num_threads()}),
        counts: &counts,
        timings: serde_json::json!({"total_s": elapsed, "model_load_s": load_s, "stages": t,
            "docs_per_s": counts.annotated as f64 / elapsed, "tokens_per_s": counts.tokens as f64 / elapsed}),
        offset_unit: "char_start/char_end: Unicode code points (Python str indices); byte_start/byte_end: UTF-8 bytes; end exclusive",
        outputs: ["documents.jsonl", "entities.csv", "stances.csv", "actors.csv", "errors.jsonl", "journal.jsonl", "run.args.json", "run.json"].into_iter().collect(),
    };
    if let Some(out) = &a.out {
        write_json_atomic(&out.join("run.json"), &run)?;
    }
    assert_eq!(counts.read, counts.annotated + counts.failed, "every record is annotated or failed");
    if !a.quiet {
        eprintln!(
            "pactwatch: read {} = annotated {} + failed {}; {} entities, {} stance rows, {} actor rows, {} tokens in {:.1} s ({:.1} docs/s, {:.0} tokens/s); outputs in {}",
            counts.read, counts.annotated, counts.failed, counts.entities, counts.stance_rows, counts.actor_rows, counts.tokens, elapsed,
            counts.annotated as f64 / elapsed, counts.tokens as f64 / elapsed,
            a.out.as_ref().map_or("<stdout>".to_string(), |p| p.display().to_string())
        );
    }
    if counts.failed > 0 {
        let where_ = a.out.as_ref().map_or("the error lines on stdout".to_string(), |p| p.join("errors.jsonl").display().to_string());
        eprintln!("pactwatch: {} record(s) failed; see {where_}", counts.failed);
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// The stance stage; its two models share the NER model's word-embedding table where it is the
/// same (one base), each right after it loads, so that no more than two copies are ever held.
fn load_stance_stage(a: &Args, ner: &tch::nn::VarStore) -> anyhow::Result<pactwatch::stance_stage::StanceStage> {
    use pactwatch::model::share_word_embeddings;
    use pactwatch::stance_stage::StanceStage;
    let targets = a.targets.iter().map(|p| pactwatch::target::Target::load(p)).collect::<pactwatch::Result<Vec<_>>>()?;
    let rdir = ModelDir::open(&a.relevance_model).context("opening the relevance model (--relevance-model)")?;
    let relevance = pactwatch::relevance::Relevance::load(&rdir, &targets, tch::Device::Cpu)?;
    share_word_embeddings(ner, relevance.encoder_vs());
    let sdir = ModelDir::open(&a.stance_model).context("opening the stance model (--stance-model)")?;
    let model = pactwatch::stance::StanceModel::load(&sdir, tch::Device::Cpu)?;
    share_word_embeddings(ner, &model.model.vs);
    let lexicon = pactwatch::actors::Lexicon::load(&a.cues)?;
    Ok(StanceStage::new(targets, relevance, model, lexicon, a.stance.clone()))
}

/// What run.json records of a model: sha256 of every weight, config and tokenizer file
/// (`hashed` remembers files already hashed in this run, such as a shared base).
fn model_info(dir: &ModelDir, labels: Vec<String>, hashed: &mut std::collections::BTreeMap<PathBuf, String>) -> anyhow::Result<ModelInfo> {
    let mut sha = std::collections::BTreeMap::new();
    for f in dir.weights.iter().chain([&dir.config_path, &dir.tokenizer]) {
        let h = match hashed.get(f) {
            Some(h) => h.clone(),
            None => sha256_file(f)?,
        };
        hashed.insert(f.clone(), h.clone());
        sha.insert(f.display().to_string(), h);
    }
    Ok(ModelInfo { dir: dir.dir.display().to_string(), architecture: dir.architecture, labels, sha256: sha })
}

/// A bar on stderr with docs/s and ETA (a spinner when the total is unknown, e.g. stdin);
/// hidden unless `show` (not --quiet, and stderr is a terminal).
fn progress_bar(show: bool, total: Option<u64>) -> indicatif::ProgressBar {
    if !show {
        return indicatif::ProgressBar::hidden();
    }
    let (bar, template) = match total {
        Some(t) => (indicatif::ProgressBar::new(t), "{bar:30} {pos}/{len} docs {per_sec} [{elapsed_precise}<{eta_precise}] {msg}"),
        None => (indicatif::ProgressBar::new_spinner(), "{spinner} {elapsed_precise} {pos} docs ({per_sec}) {msg}"),
    };
    bar.set_style(indicatif::ProgressStyle::with_template(template).expect("static progress template"));
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}
