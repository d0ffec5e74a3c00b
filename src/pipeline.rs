//! The whole run as one library type: readers → language → sentences → tokens → NER →
//! relevance → stance → actors → sinks, built from one options struct. `pactwatch annotate`,
//! `bench`, `eval news` and the Spark script (through `annotate`) all drive it; a server or a
//! binding can too.
//!
//! ```no_run
//! use pactwatch::pipeline::{Pipeline, PipelineOptions, Quiet};
//! let mut opts = PipelineOptions::new(vec!["corpora/sample.jsonl".into()]);
//! opts.out = Some("out/sample".into());
//! let summary = Pipeline::open(opts)?.run(&mut Quiet)?;
//! assert_eq!(summary.counts.read, summary.counts.annotated + summary.counts.failed);
//! # Ok::<(), anyhow::Error>(())
//! ```
use crate::models::passes::PassJournal;
use crate::models::{share_word_embeddings, Architecture, ModelDir, Precision};
use crate::stages::annotate::{Annotator, NerOptions};
use crate::stages::input::{expand_inputs, count_records, ReaderOptions, Reader, RecordError};
use crate::stages::output::{read_journal, sha256_file, shard_of, write_json_atomic, JournalEntry, OutputFormat, Outputs};
use crate::stages::canonical::{Canonicalizer, Gazetteer};
use crate::stages::corpus_actors::{read_actor_rows, read_entity_rows, ActorLinker, CorpusActors};
use crate::stages::stance::{StanceOptions, StanceStage};
use anyhow::Context;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The stance stage's inputs: targets, models and lexicon paths, and its options.
#[derive(Debug, Clone)]
pub struct StanceConfig {
    pub targets: Vec<PathBuf>,
    pub model: PathBuf,
    pub relevance_model: PathBuf,
    /// The stance model asked about each actor under `--holder-model` (trained on
    /// holder-marked pairs); None: the stance model itself.
    pub holder_model: Option<PathBuf>,
    pub cues: PathBuf,
    pub options: StanceOptions,
    /// Place and organisation names for canonical actors (`lexicons/places.tsv`,
    /// `lexicons/organisations.tsv`), read in order into one gazetteer.
    pub places: Vec<PathBuf>,
    /// The user's alias file for canonical actors (CSV: canonical,type,variants).
    pub aliases: Option<PathBuf>,
    /// Mean cosine of a name's embedding with an actor's for an embedding merge.
    pub actor_threshold: f32,
}

/// Everything a run needs. `PipelineOptions::new` gives `annotate`'s defaults.
#[derive(Debug, Clone)]
pub struct PipelineOptions {
    /// Input files or directories (read recursively); "-" reads stdin.
    pub inputs: Vec<PathBuf>,
    pub reader: ReaderOptions,
    pub ner_model: PathBuf,
    pub ner: NerOptions,
    /// None: entities only (no relevance, stance or actors).
    pub stance: Option<StanceConfig>,
    /// Output directory; None writes to stdout only (`stdout` must be set).
    pub out: Option<PathBuf>,
    /// One JSON line per document and per failed record on stdout, in input order.
    pub stdout: bool,
    pub formats: Vec<OutputFormat>,
    /// Only shard K of N (FNV-1a 64 of the record id, mod N).
    pub shard: Option<(u64, u64)>,
    /// Continue an interrupted run in `out` (same options).
    pub resume: bool,
    /// Documents read, annotated and written per batch, at most.
    pub docs_per_batch: usize,
    /// Sub-word tokens per batch, at most (a single longer document is a batch of its own).
    pub batch_tokens: usize,
    /// Stop after this many input records.
    pub limit: Option<usize>,
    /// Metadata field with a document's date (actors.csv `date`, corpus_actors.csv first / last).
    pub date_field: String,
    /// Precision of the NER and relevance encoders' dense layers (int8 by default: every NER
    /// dev set within 0.3 F1 of fp32, `docs/performance.md`).
    pub precision: Precision,
    /// Precision of the stance and holder models' dense layers (fp32 by default: their
    /// probabilities move more at int8 than the document rule tolerates).
    pub stance_precision: Precision,
}

impl PipelineOptions {
    /// `annotate`'s defaults (models under `models/`, the Paris Declaration target) on `inputs`.
    pub fn new(inputs: Vec<PathBuf>) -> PipelineOptions {
        PipelineOptions {
            inputs,
            reader: ReaderOptions::default(),
            ner_model: "models/ner-multi".into(),
            ner: NerOptions::default(),
            stance: Some(StanceConfig {
                targets: vec!["targets/paris-declaration.toml".into()],
                model: "models/stance-multi".into(),
                relevance_model: "models/e5-small".into(),
                holder_model: Some("models/stance-holder".into()),
                cues: "lexicons/cues.toml".into(),
                options: StanceOptions::default(),
                places: crate::stages::canonical::DEFAULT_PLACES.iter().map(Into::into).collect(),
                aliases: None,
                actor_threshold: 0.90,
            }),
            out: None,
            stdout: false,
            formats: vec![OutputFormat::Documents, OutputFormat::Entities, OutputFormat::Stances, OutputFormat::Actors],
            shard: None,
            resume: false,
            docs_per_batch: 64,
            batch_tokens: 32_768,
            limit: None,
            date_field: "date".into(),
            precision: Precision::Auto,
            stance_precision: Precision::Fp32,
        }
    }
}

impl PipelineOptions {
    /// The same options with the model, target and lexicon paths found from any working
    /// directory ([`crate::home::resolve`]).
    pub fn resolved(mut self) -> crate::Result<PipelineOptions> {
        use crate::home::resolve;
        self.ner_model = resolve(&self.ner_model)?;
        if let Some(c) = self.stance.as_mut() {
            c.targets = c.targets.iter().map(|t| resolve(t)).collect::<crate::Result<_>>()?;
            c.model = resolve(&c.model)?;
            c.relevance_model = resolve(&c.relevance_model)?;
            c.holder_model = c.holder_model.as_ref().map(|p| resolve(p)).transpose()?;
            c.cues = resolve(&c.cues)?;
            c.places = c.places.iter().map(|p| resolve(p)).collect::<crate::Result<_>>()?;
        }
        Ok(self)
    }
}

/// What a caller hears while a run goes on. Every method has a default that does nothing.
pub trait Observer {
    /// Before the first batch: records already done (a resume), and the total when known.
    fn started(&mut self, _done: u64, _total: Option<u64>) {}
    /// After each written batch: input records done so far.
    fn progress(&mut self, _done: u64) {}
    /// A record that failed (also written to errors.jsonl / stdout).
    fn failed(&mut self, _e: &RecordError) {}
    /// Whether `started` needs the total (one extra pass over the inputs to count records).
    fn wants_total(&self) -> bool {
        false
    }
}

/// An observer that hears nothing.
pub struct Quiet;
impl Observer for Quiet {}

/// The run's counters (also in run.json and the journal).
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Counts {
    pub read: usize,
    pub annotated: usize,
    pub failed: usize,
    pub sentences: usize,
    pub entities: usize,
    pub tokens: usize,
    pub windows: usize,
    pub chars: usize,
    #[serde(default)]
    pub stance_rows: usize,
    #[serde(default)]
    pub actor_rows: usize,
    /// Rows of corpus_actors.csv (canonical actor × target), at the end of the run.
    #[serde(default)]
    pub corpus_actor_rows: usize,
}

/// What a finished run reports.
#[derive(Debug, Clone)]
pub struct Summary {
    pub counts: Counts,
    pub elapsed_s: f64,
    /// Where the outputs are ("<stdout>" without a directory).
    pub out: String,
}

#[derive(Serialize)]
struct ModelInfo {
    dir: String,
    architecture: Architecture,
    labels: Vec<String>,
    sha256: BTreeMap<String, String>,
}

#[derive(Serialize)]
struct RunInfo<'a> {
    tool: &'static str,
    version: &'static str,
    command: Vec<String>,
    inputs: Vec<String>,
    models: BTreeMap<&'static str, ModelInfo>,
    options: serde_json::Value,
    counts: &'a Counts,
    timings: serde_json::Value,
    offset_unit: &'static str,
    outputs: Vec<&'static str>,
}

/// A loaded pipeline: its models and options.
pub struct Pipeline {
    pub opts: PipelineOptions,
    pub annotator: Annotator,
    pub stance: Option<StanceStage>,
    /// Canonical actors across the run (with the stance stage).
    pub linker: Option<ActorLinker>,
    corpus: CorpusActors,
    ner_dir: ModelDir,
    started: std::time::Instant,
    load_s: f64,
    /// Warnings about the model directories (e.g. a missing optional file).
    pub warnings: Vec<String>,
    /// Model passes read back from the pass journal on `--resume`, and passes written to it.
    pass_counts: (usize, usize),
}

impl Pipeline {
    /// Load the models. The stance stage's two models share the NER model's word-embedding
    /// table where it is the same (one base), each right after it loads, so that no more than
    /// two copies are ever held.
    pub fn open(opts: PipelineOptions) -> anyhow::Result<Pipeline> {
        let started = std::time::Instant::now();
        let opts = opts.resolved()?;
        let ner_dir = ModelDir::open(&opts.ner_model).context("opening the NER model")?;
        let mut warnings: Vec<String> = ner_dir.warnings().iter().map(|w| w.to_string()).collect();
        let mut annotator = Annotator::load(&ner_dir, opts.ner.clone(), tch::Device::Cpu).context("loading the NER model")?;
        let mut unapplied = Vec::new();
        if !annotator.model.set_precision(opts.precision) {
            unapplied.push(ner_dir.dir.display().to_string());
        }
        let stance = match &opts.stance {
            None => None,
            Some(c) => Some(load_stance_stage(c, &annotator.model.vs, (opts.precision, opts.stance_precision), &mut unapplied).context("loading the stance stage")?),
        };
        if !unapplied.is_empty() {
            warnings.push(format!("int8 applies to BERT and XLM-R encoders on the fused forward, on a CPU with int8 kernels; these stay fp32: {}", unapplied.join(", ")));
        }
        let linker = match &opts.stance {
            None => None,
            Some(c) => {
                let mut canon = Canonicalizer::new(Gazetteer::load_files(&c.places)?, c.actor_threshold);
                if let Some(f) = &c.aliases {
                    canon.load_aliases(f).with_context(|| format!("reading the alias file {} (--actors)", f.display()))?;
                }
                Some(ActorLinker::new(canon))
            }
        };
        let load_s = started.elapsed().as_secs_f64();
        Ok(Pipeline { opts, annotator, stance, linker, corpus: CorpusActors::default(), ner_dir, started, load_s, warnings, pass_counts: (0, 0) })
    }

    /// What must not change between a run and its `--resume` (`run.args.json`).
    fn fingerprint(&self, files: &[PathBuf]) -> serde_json::Value {
        let o = &self.opts;
        serde_json::json!({"inputs": files, "reader": o.reader, "ner": o.ner, "format": o.formats,
            "shard": o.shard, "limit": o.limit, "docs_per_batch": o.docs_per_batch, "batch_tokens": o.batch_tokens, "stdout": o.stdout, "model": self.ner_dir.dir,
            "date_field": o.date_field, "precision": o.precision, "stance_precision": o.stance_precision,
            "stance": o.stance.as_ref().map(|c| serde_json::json!({"targets": c.targets, "model": c.model, "relevance": c.relevance_model, "holder_model": c.holder_model, "cues": c.cues, "options": c.options,
                "places": c.places, "aliases": c.aliases, "actor_threshold": c.actor_threshold}))})
    }

    /// The journal of an interrupted run to continue, checked against this run's options.
    fn journal(&self, fingerprint: &serde_json::Value) -> anyhow::Result<Option<JournalEntry>> {
        match (&self.opts.out, self.opts.resume) {
            (Some(out), true) if out.join("run.args.json").exists() => {
                let fp_path = out.join("run.args.json");
                let old: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&fp_path).with_context(|| format!("--resume: reading {}", fp_path.display()))?)?;
                anyhow::ensure!(&old == fingerprint, "--resume: the arguments differ from the interrupted run's ({})", fp_path.display());
                Ok(read_journal(out)?)
            }
            // Killed before anything was written: a resume is a fresh start.
            _ => Ok(None),
        }
    }

    /// Read, annotate and write every input record in batches; every record is accounted for as
    /// annotated or failed. Writes run.json into the output directory at the end.
    pub fn run(&mut self, observer: &mut dyn Observer) -> anyhow::Result<Summary> {
        let files = match expand_inputs(&self.opts.inputs, self.opts.reader.format) {
            Ok(f) => f,
            Err(e) => anyhow::bail!("{}: {}", e.origin.file, e.reason),
        };
        let fingerprint = self.fingerprint(&files);
        let journal = self.journal(&fingerprint)?;
        let o = self.opts.clone();
        let mut outputs = match &o.out {
            Some(out) => {
                let w = Outputs::open(out, &o.formats, o.stdout, journal.as_ref()).with_context(|| format!("creating outputs in {}", out.display()))?;
                if journal.is_none() {
                    write_json_atomic(&out.join("run.args.json"), &fingerprint)?;
                }
                w
            }
            None => Outputs::stdout_only(),
        };
        outputs.date_field = o.date_field.clone();
        outputs.model_version = format!("pactwatch {} ({})", env!("CARGO_PKG_VERSION"), self.ner_dir.dir.display());
        // A resumed run: canonical actors and the corpus table rebuilt from the rows written.
        if let (Some(out), Some(_), Some(linker), Some(st)) = (&o.out, &journal, self.linker.as_mut(), self.stance.as_ref()) {
            let ents = read_entity_rows(&out.join("entities.csv"))?;
            let rows = read_actor_rows(&out.join("actors.csv"))?;
            linker.replay(&ents, &rows, &|n: &[String]| st.embed_names(n))?;
            ents.iter().for_each(|e| self.corpus.add_entity(e, &e.date));
            rows.iter().for_each(|r| self.corpus.add(r));
        }
        // Every model pass journaled (models::passes), so that a resume inside a long batch
        // reads back the passes it had finished.
        let passes = match &o.out {
            Some(out) => {
                let path = out.join("passes.bin");
                let j = if journal.is_some() { PassJournal::resume(&path)? } else { PassJournal::create(&path)? };
                Some(std::rc::Rc::new(std::cell::RefCell::new(j)))
            }
            None => None,
        };
        self.annotator.passes = passes.clone();
        if let Some(st) = self.stance.as_mut() {
            st.set_passes(passes.clone());
        }
        let mut counts: Counts = journal.as_ref().and_then(|j| serde_json::from_value(j.counts.clone()).ok()).unwrap_or_default();
        let mut records_done = journal.as_ref().map_or(0, |j| j.records_done);
        let limit = o.limit.unwrap_or(usize::MAX);
        let mut reader = Reader::new(files.clone(), o.reader.clone()).take(limit);
        reader.by_ref().take(records_done as usize).for_each(drop);
        let total = if observer.wants_total() && o.shard.is_none() { count_records(&files, o.reader.format).map(|t| t.min(limit as u64)) } else { None };
        observer.started(records_done, total);
        let in_shard = |key: &str| o.shard.is_none_or(|(k, n)| shard_of(key, n) == k);
        // A batch closes at `docs_per_batch` records or `batch_tokens` sub-word tokens. A
        // record that would take a non-empty batch past the token budget is carried into the
        // next one, so that the records before a very long document are written before it.
        let (max_docs, budget) = (o.docs_per_batch.max(1), o.batch_tokens.max(1));
        let mut carried: Option<crate::stages::annotate::Prepared> = None;
        loop {
            let mut errors = Vec::new();
            let mut prepared = Vec::new();
            let (mut consumed, mut tokens) = (0usize, 0usize);
            if let Some(p) = carried.take() {
                tokens += p.n_tokens();
                prepared.push(Ok(p));
                consumed += 1;
                counts.read += 1;
            }
            while consumed < max_docs && tokens < budget {
                let Some(item) = reader.next() else { break };
                match item {
                    Ok(r) if in_shard(&r.id) => match self.annotator.prepare_record(r) {
                        Ok(p) if !prepared.is_empty() && tokens + p.n_tokens() > budget => {
                            carried = Some(p);
                            break;
                        }
                        Ok(p) => {
                            tokens += p.n_tokens();
                            prepared.push(Ok(p));
                        }
                        Err(e) => prepared.push(Err(e)),
                    },
                    Err(e) if in_shard(&e.doc_id.clone().unwrap_or_else(|| format!("{}:{}", e.origin.file, e.origin.line.unwrap_or(0)))) => errors.push(e),
                    _ => {
                        consumed += 1;
                        continue;
                    }
                }
                consumed += 1;
                counts.read += 1;
            }
            if consumed == 0 {
                break;
            }
            records_done += consumed as u64;
            let mut results = self.annotator.annotate_prepared_records(prepared);
            if let Some(st) = self.stance.as_mut() {
                let mut docs: Vec<&mut crate::document::Document> = results.iter_mut().filter_map(|r| r.as_mut().ok()).collect();
                let linked = st.run(&mut docs).and_then(|()| match self.linker.as_mut() {
                    Some(l) => l.link(&mut docs, &|n: &[String]| st.embed_names(n)),
                    None => Ok(()),
                });
                if let Err(e) = linked {
                    // The batch's documents fail together, each named, and the run goes on.
                    for r in results.iter_mut() {
                        if let Ok(d) = r {
                            *r = Err(RecordError { origin: d.source.clone(), doc_id: Some(d.id.clone()), reason: format!("stance stage failed: {e:#}") });
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
                        self.corpus.add_document(&doc, &o.date_field);
                    }
                    Err(e) => errors.push(e),
                }
            }
            for e in &errors {
                counts.failed += 1;
                outputs.write_error(e)?;
                observer.failed(e);
            }
            outputs.commit(records_done, serde_json::to_value(&counts)?)?;
            if let Some(p) = &passes {
                p.borrow_mut().commit()?;
            }
            observer.progress(records_done);
        }
        outputs.finish()?;
        self.annotator.passes = None;
        if let Some(st) = self.stance.as_mut() {
            st.set_passes(None);
        }
        if let Some(p) = passes {
            let j = std::rc::Rc::try_unwrap(p).map_err(|_| anyhow::anyhow!("the pass journal is still shared"))?.into_inner();
            self.pass_counts = (j.hits, j.stored);
            j.finish()?;
        }
        if let (Some(out), Some(linker)) = (&o.out, &self.linker) {
            if o.formats.contains(&OutputFormat::Actors) {
                self.corpus.write(&out.join("corpus_actors.csv"), &linker.canon)?;
                counts.corpus_actor_rows = self.corpus.len();
            }
        }
        if let (Some(out), true) = (&o.out, o.formats.contains(&OutputFormat::Parquet)) {
            crate::stages::parquet::write_tables(out)?;
        }
        // The clock runs from the start of the model load.
        let elapsed = self.started.elapsed().as_secs_f64();
        if let Some(out) = &o.out {
            write_json_atomic(&out.join("run.json"), &self.run_info(&files, &counts, elapsed)?)?;
        }
        assert_eq!(counts.read, counts.annotated + counts.failed, "every record is annotated or failed");
        Ok(Summary { counts, elapsed_s: elapsed, out: o.out.as_ref().map_or("<stdout>".to_string(), |p| p.display().to_string()) })
    }

    fn run_info<'a>(&self, files: &[PathBuf], counts: &'a Counts, elapsed: f64) -> anyhow::Result<RunInfo<'a>> {
        let o = &self.opts;
        // The three models share one base: each file is hashed once.
        let mut hashed = BTreeMap::new();
        let mut models = BTreeMap::new();
        models.insert("ner", model_info(&self.ner_dir, self.annotator.model.labels.clone(), &mut hashed)?);
        if let Some(st) = &self.stance {
            let (s, r) = (st.stance_dir(), st.relevance_dir());
            models.insert("stance", model_info(&s, s.labels().unwrap_or_default(), &mut hashed)?);
            models.insert("relevance", model_info(&r, r.labels().unwrap_or_default(), &mut hashed)?);
            if let Some(h) = st.holder_dir() {
                models.insert("holder", model_info(&h, h.labels().unwrap_or_default(), &mut hashed)?);
            }
        }
        let stage = self.stance.as_ref();
        let t = serde_json::json!({"ner": self.annotator.timings, "stance": stage.map(|s| s.timings.clone()),
            "passes": {"relevance": stage.map(|s| s.pass_stats().0), "stance": stage.map(|s| s.pass_stats().1),
                       "holder": stage.and_then(|s| s.holder_pass_stats())},
            "pass_journal": {"read_back": self.pass_counts.0, "written": self.pass_counts.1}});
        Ok(RunInfo {
            tool: "pactwatch",
            version: env!("CARGO_PKG_VERSION"),
            command: std::env::args().collect(),
            inputs: files.iter().map(|p| p.display().to_string()).collect(),
            models,
            options: serde_json::json!({"ner": o.ner, "reader": o.reader, "format": o.formats, "docs_per_batch": o.docs_per_batch, "batch_tokens": o.batch_tokens,
                                        "limit": o.limit, "shard": o.shard, "resumed": o.resume, "threads": tch::get_num_threads(), "precision": o.precision, "stance_precision": o.stance_precision,
                                        "precision_resolved": o.precision.resolved(), "stance_precision_resolved": o.stance_precision.resolved(),
                                        // 127, or 63 on CPUs whose int8 kernel saturates (models::fast)
                                        "int8_weight_levels": crate::models::fast::int8_weight_levels()}),
            counts,
            timings: serde_json::json!({"total_s": elapsed, "model_load_s": self.load_s, "stages": t,
                "docs_per_s": counts.annotated as f64 / elapsed, "tokens_per_s": counts.tokens as f64 / elapsed}),
            offset_unit: "char_start/char_end: Unicode code points (Python str indices); byte_start/byte_end: UTF-8 bytes; end exclusive",
            outputs: ["documents.jsonl", "entities.csv", "stances.csv", "actors.csv", "errors.jsonl", "corpus_actors.csv", "annotations.conll", "brat/", "labelstudio.json", "*.parquet", "journal.jsonl", "run.args.json", "run.json"].into_iter().collect(),
        })
    }
}

fn load_stance_stage(c: &StanceConfig, ner: &tch::nn::VarStore, (precision, stance_precision): (Precision, Precision), unapplied: &mut Vec<String>) -> anyhow::Result<StanceStage> {
    let targets = c.targets.iter().map(|p| crate::target::Target::load(p)).collect::<crate::Result<Vec<_>>>()?;
    let rdir = ModelDir::open(&c.relevance_model).context("opening the relevance model (--relevance-model)")?;
    let (relevance, applied) = crate::stages::relevance::Relevance::load_at(&rdir, &targets, tch::Device::Cpu, precision)?;
    if !applied {
        unapplied.push(rdir.dir.display().to_string());
    }
    share_word_embeddings(ner, relevance.encoder_vs());
    let mut load_at = |dir: &ModelDir| -> anyhow::Result<crate::models::stance::StanceModel> {
        let mut m = crate::models::stance::StanceModel::load(dir, tch::Device::Cpu)?;
        if !m.model.set_precision(stance_precision) {
            unapplied.push(dir.dir.display().to_string());
        }
        Ok(m)
    };
    let sdir = ModelDir::open(&c.model).context("opening the stance model (--stance-model)")?;
    let model = load_at(&sdir)?;
    share_word_embeddings(ner, &model.model.vs);
    let holder = match &c.holder_model {
        Some(dir) if c.options.holder_model != crate::stages::stance::HolderModel::Off => {
            let hdir = ModelDir::open(dir).context("opening the holder stance model (--holder-stance-model)")?;
            let m = load_at(&hdir)?;
            share_word_embeddings(ner, &m.model.vs);
            Some(m)
        }
        _ => None,
    };
    let lexicon = crate::stages::actors::Lexicon::load(&c.cues)?;
    Ok(StanceStage::new(targets, relevance, model, lexicon, c.options.clone()).with_holder_model(holder))
}

/// What run.json records of a model: sha256 of every weight, config and tokenizer file
/// (`hashed` remembers files already hashed in this run, such as a shared base).
fn model_info(dir: &ModelDir, labels: Vec<String>, hashed: &mut BTreeMap<PathBuf, String>) -> anyhow::Result<ModelInfo> {
    let mut sha = BTreeMap::new();
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
