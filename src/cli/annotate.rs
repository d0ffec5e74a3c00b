//! `pactwatch annotate`: flags → `pactwatch::pipeline::Pipeline` (read → annotate in batches → write), with a progress bar on stderr.
use pactwatch::pipeline::{Observer, Pipeline, PipelineOptions, StanceConfig};
use pactwatch::stages::annotate::NerOptions;
use pactwatch::stages::input::{InputFormat, ReaderOptions, RecordError};
use pactwatch::stages::ner::Aggregation;
use pactwatch::stages::output::OutputFormat;
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
    /// Stance model asked about each marked actor under --holder-model (trained on
    /// holder-marked pairs by `train stance --marked`; any stance model directory works)
    #[arg(long, default_value = "models/stance-holder")]
    holder_stance_model: Option<PathBuf>,
    /// Sentence-embedding model for relevance (multilingual-e5 layout: "query: " / "passage: ")
    #[arg(long, default_value = "models/e5-small")]
    relevance_model: PathBuf,
    /// Cue lexicons (reporting and stance verbs per language) for attribution
    #[arg(long, default_value = "lexicons/cues.toml")]
    cues: PathBuf,
    #[command(flatten)]
    stance: pactwatch::stages::stance::StanceOptions,
    /// Your alias file for canonical actors: CSV with a header canonical,type,variants
    /// (variants separated by |); it decides before any rule
    #[arg(long)]
    actors: Option<PathBuf>,
    /// Place and organisation names for canonical actors (lang, type, name, canonical): CLDR
    /// places and the bundled organisations by default; repeat the option to give several files
    #[arg(long, default_values = pactwatch::stages::canonical::DEFAULT_PLACES)]
    places: Vec<PathBuf>,
    /// Mean cosine of a name's embedding with an actor's names for an embedding merge
    #[arg(long, default_value_t = 0.90)]
    actor_threshold: f32,
    /// Metadata field (JSONL) or column (CSV) holding the document's date
    #[arg(long, default_value = "date")]
    date_field: String,
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
    word_rule: pactwatch::stages::words::WordRule,
    /// Tokens per model input, special tokens included
    #[arg(long, default_value_t = 128)]
    max_tokens: usize,
    /// Tokens shared by consecutive windows of a long sentence
    #[arg(long, default_value_t = 32)]
    stride_tokens: usize,
    /// Windows per forward pass
    #[arg(long, default_value_t = 16)]
    batch_size: usize,
    /// Documents read, annotated and written per batch, at most
    #[arg(long, default_value_t = 64)]
    docs_per_batch: usize,
    /// Sub-word tokens per batch, at most: a batch closes before a document that would take
    /// it past this, so the documents before a very long one are written before it (a longer
    /// document is a batch of its own)
    #[arg(long, default_value_t = 32_768)]
    batch_tokens: usize,
    /// Stop after this many input records
    #[arg(long)]
    limit: Option<usize>,
    /// Precision of the NER and relevance encoders' dense layers: int8 (dynamic quantization,
    /// a scale per weight row and per token; every NER dev set within 0.3 F1 of fp32), fp32,
    /// or auto: int8 where this CPU's int8 kernel is exact at 8-bit weights (AVX-512 VNNI),
    /// fp32 where it saturates (`docs/performance.md`, "int8")
    #[arg(long, value_enum, default_value = "auto")]
    precision: pactwatch::models::Precision,
    /// Precision of the stance and holder models' dense layers (int8 moves their probabilities
    /// enough to change some sentence labels)
    #[arg(long, value_enum, default_value = "fp32")]
    stance_precision: pactwatch::models::Precision,
    /// libtorch threads (default: all cores)
    #[arg(long)]
    threads: Option<usize>,
    /// No progress bar and no summary line
    #[arg(long)]
    quiet: bool,
}

impl Args {
    /// `--threads`.
    pub fn threads(&self) -> Option<usize> {
        self.threads
    }

    pub fn ner_model_dir(&self) -> PathBuf {
        self.ner_model.clone()
    }

    /// The holder stance model's directory, when the stance stage runs with one.
    pub fn holder_model_dir(&self) -> Option<PathBuf> {
        if self.no_stance {
            return None;
        }
        self.holder_stance_model.clone()
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

impl Args {
    /// The library pipeline's options from the flags.
    pub fn pipeline_options(&self) -> PipelineOptions {
        PipelineOptions {
            inputs: self.inputs.clone(),
            reader: ReaderOptions { id_field: self.id_field.clone(), text_field: self.text_field.clone(), format: self.input_format },
            ner_model: self.ner_model.clone(),
            ner: NerOptions { aggregation: self.aggregation, max_tokens: self.max_tokens, stride_tokens: self.stride_tokens, batch_size: self.batch_size, word_rule: self.word_rule },
            stance: (!self.no_stance).then(|| StanceConfig {
                targets: self.targets.clone(),
                model: self.stance_model.clone(),
                relevance_model: self.relevance_model.clone(),
                holder_model: self.holder_stance_model.clone(),
                cues: self.cues.clone(),
                options: self.stance.clone(),
                places: self.places.clone(),
                aliases: self.actors.clone(),
                actor_threshold: self.actor_threshold,
            }),
            out: self.out.clone(),
            stdout: self.stdout,
            formats: self.format.clone(),
            shard: self.shard,
            resume: self.resume,
            docs_per_batch: self.docs_per_batch,
            batch_tokens: self.batch_tokens,
            limit: self.limit,
            date_field: self.date_field.clone(),
            precision: self.precision,
            stance_precision: self.stance_precision,
        }
    }
}

/// The progress bar and the failed-record lines on stderr.
struct Terminal {
    bar: indicatif::ProgressBar,
    show_bar: bool,
    quiet: bool,
}

impl Observer for Terminal {
    fn wants_total(&self) -> bool {
        self.show_bar
    }
    fn started(&mut self, done: u64, total: Option<u64>) {
        self.bar = progress_bar(self.show_bar, total);
        self.bar.set_position(done);
    }
    fn progress(&mut self, done: u64) {
        self.bar.set_position(done);
    }
    fn failed(&mut self, e: &RecordError) {
        if !self.quiet {
            self.bar.suspend(|| eprintln!("pactwatch: {}{}: {}", e.origin.file, e.origin.line.map(|l| format!(":{l}")).unwrap_or_default(), e.reason));
        }
    }
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    super::set_threads(a.threads);
    let mut pipeline = Pipeline::open(a.pipeline_options())?;
    for w in &pipeline.warnings {
        eprintln!("pactwatch: warning: {w}");
    }
    let show_bar = !a.quiet && std::io::stderr().is_terminal();
    let mut term = Terminal { bar: indicatif::ProgressBar::hidden(), show_bar, quiet: a.quiet };
    let s = pipeline.run(&mut term)?;
    term.bar.finish_and_clear();
    let (c, elapsed) = (&s.counts, s.elapsed_s);
    if !a.quiet {
        eprintln!(
            "pactwatch: read {} = annotated {} + failed {}; {} entities, {} stance rows, {} actor rows ({} canonical actor rows), {} tokens in {:.1} s ({:.1} docs/s, {:.0} tokens/s); outputs in {}",
            c.read, c.annotated, c.failed, c.entities, c.stance_rows, c.actor_rows, c.corpus_actor_rows, c.tokens, elapsed,
            c.annotated as f64 / elapsed, c.tokens as f64 / elapsed, s.out
        );
    }
    if c.failed > 0 {
        let where_ = a.out.as_ref().map_or("the error lines on stdout".to_string(), |p| p.join("errors.jsonl").display().to_string());
        eprintln!("pactwatch: {} record(s) failed; see {where_}", c.failed);
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
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
