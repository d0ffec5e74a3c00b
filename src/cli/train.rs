//! `pactwatch train ner`: fine-tune the NER model on the labelled corpora of ../shared/data.
use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use pactwatch::stages::annotate::{Annotator, NerOptions};
use pactwatch::training::corpus::{read_corpus, Columns, Format, GoldSentence};
use pactwatch::stages::encoding::TextTokenizer;
use pactwatch::models::{Classifier, LoadOptions, ModelDir, Task};
use pactwatch::training::train::{self, encode_example, Sampler, TrainOptions, NER_LABELS};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum Which {
    /// Token classification (PER / ORG / LOC / MISC) on the NER corpora
    Ner(NerArgs),
    /// Sequence classification (favor / against / none) of (target, text) pairs
    Stance(super::train_stance::StanceArgs),
}

#[derive(clap::Args)]
pub struct NerArgs {
    /// Folder with the labelled corpora (layout of ../shared/data)
    #[arg(long, default_value = "../shared/data")]
    data: PathBuf,
    /// Base encoder (Hugging Face directory)
    #[arg(long, default_value = "models/e5-small")]
    base: PathBuf,
    /// Output model directory (overlay on the base)
    #[arg(long, default_value = "models/ner-multi")]
    out: PathBuf,
    #[arg(long, default_value_t = 6000)]
    steps: usize,
    #[arg(long, default_value_t = 16)]
    batch_size: usize,
    #[arg(long, default_value_t = 5e-5)]
    lr: f64,
    #[arg(long, default_value_t = 0.05)]
    warmup_frac: f64,
    #[arg(long, default_value_t = 13)]
    seed: u64,
    /// Stop (and save) after this many minutes even if steps remain
    #[arg(long, default_value_t = 110.0)]
    max_minutes: f64,
    /// Save a checkpoint every N steps
    #[arg(long, default_value_t = 500)]
    checkpoint_every: usize,
    /// Also train the word-embedding table (about 2.5x slower on CPU)
    #[arg(long)]
    train_embeddings: bool,
    /// Longest training sequence in tokens (longer sentences are skipped and counted)
    #[arg(long, default_value_t = 128)]
    max_tokens: usize,
    /// Sentences of each dev set scored at the end (0 = all)
    #[arg(long, default_value_t = 0)]
    dev_limit: usize,
    /// Continue from the checkpoint in OUT/checkpoint
    #[arg(long)]
    resume: bool,
    /// Start from the weights of this NER model directory (warm start; the schedule restarts)
    #[arg(long)]
    init: Option<PathBuf>,
    #[arg(long)]
    threads: Option<usize>,
    /// Batch mix: GROUP=WEIGHT,... over the corpus groups (default: the built-in news-weighted
    /// mix; groups not named get 1)
    #[arg(long, default_value = MIX)]
    mix: String,
}

/// Training corpora: (group, relative path, language, layout). A group is the unit of the
/// sampler's mix (`MIX`).
const TRAIN: &[(&str, &str, &str, Format)] = &[
    ("conll2003-en", "ner/conll2003-en/train.txt", "en", Format::Conll(Columns::TokenFirstTagLast)),
    ("conll2003-de", "ner/conll2003-de/train.conllu", "de", Format::Conll(Columns::IndexTokenTag)),
    ("conll2002-es", "ner/conll2002-es/train.txt", "es", Format::Conll(Columns::TokenFirstTagLast)),
    ("conll2002-nl", "ner/conll2002-nl/train.txt", "nl", Format::Conll(Columns::TokenFirstTagLast)),
    ("kind-it", "ner/kind-wikinews-it/WN_train.tsv", "it", Format::Conll(Columns::TokenFirstTagLast)),
    ("elner-el", "ner/elner-el/train_elNER4.iob2", "el", Format::Conll(Columns::TokenFirstTagLast)),
    ("nerel-ru", "ner/nerel-ru/train.jsonl", "ru", Format::Jsonl),
    ("cnec-cs", "ner/cnec2-cs/train.jsonl", "cs", Format::Jsonl),
    ("nkjp-pl", NKJP, "pl", Format::ConllHeldOut { columns: Columns::TokenFirstTagLast, n: NKJP_DEV_EVERY, dev: false }),
    ("ner-uk", "ner/ner-uk/train.iob", "uk", Format::Conll(Columns::TokenFirstTagLast)),
    ("slavicner", "ner/slavicner/train.jsonl", "und", Format::Jsonl),
    ("wikineural-de", "ner/wikineural/de.conllu", "de", Format::Conll(Columns::IndexTokenTag)),
    ("wikineural-en", "ner/wikineural/en.conllu", "en", Format::Conll(Columns::IndexTokenTag)),
    ("wikineural-es", "ner/wikineural/es.conllu", "es", Format::Conll(Columns::IndexTokenTag)),
    ("wikineural-fr", "ner/wikineural/fr.conllu", "fr", Format::Conll(Columns::IndexTokenTag)),
    ("wikineural-it", "ner/wikineural/it.conllu", "it", Format::Conll(Columns::IndexTokenTag)),
    ("wikineural-nl", "ner/wikineural/nl.conllu", "nl", Format::Conll(Columns::IndexTokenTag)),
    ("wikineural-pl", "ner/wikineural/pl.conllu", "pl", Format::Conll(Columns::IndexTokenTag)),
    ("wikineural-pt", "ner/wikineural/pt.conllu", "pt", Format::Conll(Columns::IndexTokenTag)),
    ("wikineural-ru", "ner/wikineural/ru.conllu", "ru", Format::Conll(Columns::IndexTokenTag)),
    ("wikiann-de", "ner/wikiann/de.tsv", "de", Format::Conll(Columns::TokenFirstTagLast)),
    ("wikiann-en", "ner/wikiann/en.tsv", "en", Format::Conll(Columns::TokenFirstTagLast)),
    ("wikiann-fr", "ner/wikiann/fr.tsv", "fr", Format::Conll(Columns::TokenFirstTagLast)),
    ("wikiann-nl", "ner/wikiann/nl.tsv", "nl", Format::Conll(Columns::TokenFirstTagLast)),
    ("wikiann-es", "ner/wikiann/es.conllu", "es", Format::Conll(Columns::IndexTokenTag)),
    ("wikiann-pl", "ner/wikiann/pl.conllu", "pl", Format::Conll(Columns::IndexTokenTag)),
    ("wikiann-ru", "ner/wikiann/ru.conllu", "ru", Format::Conll(Columns::IndexTokenTag)),
];

/// NKJP has no split: every 20th document is held out as the Polish dev set.
const NKJP: &str = "ner/nkjp-pl/nkjp-nested-simplified-v2.2col.iob";
const NKJP_DEV_EVERY: usize = 20;

/// Groups whose scheme has no MISC: their `O` words may be MISC (partial label).
const NO_MISC: &[&str] = &["wikiann-", "kind-", "nkjp-"];

/// The default batch mix (weights; groups not named get 1): gold news first, Wikipedia silver
/// data weighted down where a language has gold news.
pub const MIX: &str = "conll2003-en=18,conll2003-de=14,conll2002-es=9,conll2002-nl=10,kind-it=5,elner-el=5,nerel-ru=5,cnec-cs=4,\
nkjp-pl=5,ner-uk=4,slavicner=4,wikiann-en=4,wikiann-de=2,wikiann-fr=6,wikiann-nl=2,wikineural-de=2,wikineural-es=2,wikineural-en=1,\
wikineural-fr=4,wikineural-nl=1,wikiann-es=1,wikineural-it=1,wikineural-pl=1,wikineural-pt=1,wikineural-ru=1,wikiann-pl=1,wikiann-ru=1";

pub(super) fn parse_mix(s: &str) -> anyhow::Result<std::collections::BTreeMap<String, f64>> {
    s.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let (g, w) = p.split_once('=').with_context(|| format!("--mix entry {p:?} is not NAME=WEIGHT"))?;
            Ok((g.trim().to_string(), w.trim().parse::<f64>().with_context(|| format!("--mix weight in {p:?}"))?))
        })
        .collect()
}

/// Dev sets: (name, relative path, language, layout).
pub const DEV: &[(&str, &str, &str, Format)] = &[
    ("conll2003-en", "ner/conll2003-en/dev.txt", "en", Format::Conll(Columns::TokenFirstTagLast)),
    ("conll2003-de", "ner/conll2003-de/dev.txt", "de", Format::Conll(Columns::TokenFirstTagLast)),
    ("conll2002-es", "ner/conll2002-es/dev.txt", "es", Format::Conll(Columns::TokenFirstTagLast)),
    ("conll2002-nl", "ner/conll2002-nl/dev.txt", "nl", Format::Conll(Columns::TokenFirstTagLast)),
    ("germeval2014-de", "ner/germeval2014-de/dev.tsv", "de", Format::Conll(Columns::IndexTokenTag)),
    ("kind-it", "ner/kind-wikinews-it/WN_dev.tsv", "it", Format::Conll(Columns::TokenFirstTagLast)),
    ("elner-el", "ner/elner-el/dev_elNER4.iob2", "el", Format::Conll(Columns::TokenFirstTagLast)),
    ("nerel-ru", "ner/nerel-ru/dev.jsonl", "ru", Format::Jsonl),
    ("cnec-cs", "ner/cnec2-cs/dev.jsonl", "cs", Format::Jsonl),
    ("nkjp-pl", NKJP, "pl", Format::ConllHeldOut { columns: Columns::TokenFirstTagLast, n: NKJP_DEV_EVERY, dev: true }),
    ("wikiann-de", "ner/wikiann/de.dev.tsv", "de", Format::Conll(Columns::TokenFirstTagLast)),
    ("wikiann-en", "ner/wikiann/en.dev.tsv", "en", Format::Conll(Columns::TokenFirstTagLast)),
    ("wikiann-fr", "ner/wikiann/fr.dev.tsv", "fr", Format::Conll(Columns::TokenFirstTagLast)),
    ("wikiann-nl", "ner/wikiann/nl.dev.tsv", "nl", Format::Conll(Columns::TokenFirstTagLast)),
];

pub fn run(w: Which) -> anyhow::Result<ExitCode> {
    match w {
        Which::Ner(a) => run_ner(a),
        Which::Stance(a) => super::train_stance::run(a),
    }
}

/// Progress of a training step: bar position and message; every 100 steps a log line (stderr
/// and `log`, which goes into training.json).
pub fn report_step(bar: &ProgressBar, log: &mut Vec<String>, t0: std::time::Instant, s: &train::StepInfo) {
    bar.set_position(s.step as u64);
    bar.set_message(format!("loss {:.4} {:.0} tok/s", s.loss_ema, s.tokens_per_s));
    if s.step % 100 == 0 {
        let line = format!("step {} loss_ema {:.4} lr {:.2e} tokens/s {:.0} elapsed_min {:.1}", s.step, s.loss_ema, s.lr, s.tokens_per_s, t0.elapsed().as_secs_f64() / 60.0);
        bar.suspend(|| eprintln!("{line}"));
        log.push(line);
    }
}

/// Every training corpus as (group, sentences); files missing under `data` are reported and
/// left out (a subset of the corpora still trains).
fn load_train(data: &Path) -> anyhow::Result<Vec<(String, Vec<GoldSentence>)>> {
    let mut all = Vec::new();
    for (group, rel, lang, format) in TRAIN {
        let p = data.join(rel);
        if !p.exists() {
            eprintln!("train: {rel}: not found, group {group} left out");
            continue;
        }
        let s = read_corpus(&p, lang, *format).with_context(|| format!("reading {}", p.display()))?;
        eprintln!("train: {rel}: {} sentences", s.len());
        all.push((group.to_string(), s));
    }
    Ok(all)
}

fn run_ner(a: NerArgs) -> anyhow::Result<ExitCode> {
    let t0 = std::time::Instant::now();
    super::set_threads(a.threads);
    tch::manual_seed(a.seed as i64);
    let base = ModelDir::open(&a.base).context("opening the base model (run scripts/setup.sh)")?;
    let tok = TextTokenizer::from_file(&base.tokenizer)?;
    let labels: Vec<String> = NER_LABELS.iter().map(|s| s.to_string()).collect();
    let ckpt = a.out.join("checkpoint");
    let (model, start_step) = if a.resume {
        let state: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(ckpt.join("train_state.json")).context("reading checkpoint state")?)?;
        let dir = ModelDir::open(&ckpt)?;
        (Classifier::load(&dir, Task::Token, &LoadOptions::default())?, state["step"].as_u64().unwrap_or(0) as usize)
    } else if let Some(init) = &a.init {
        let dir = ModelDir::open(init).with_context(|| format!("opening --init {}", init.display()))?;
        (Classifier::load(&dir, Task::Token, &LoadOptions::default())?, 0)
    } else {
        (Classifier::load(&base, Task::Token, &LoadOptions { device: tch::Device::Cpu, new_head_labels: Some(labels.clone()) })?, 0)
    };
    let frozen = if a.train_embeddings { 0 } else { train::freeze_word_embeddings(&model) };
    let total_params: i64 = model.vs.variables().values().map(|v| v.numel() as i64).sum();
    eprintln!("model: {total_params} parameters, {frozen} frozen (word embeddings)");

    let mix = parse_mix(&a.mix)?;
    let mut examples = Vec::new();
    let mut skipped = 0usize;
    for (group, gold) in load_train(&a.data)? {
        let no_misc = NO_MISC.iter().any(|p| group.starts_with(p));
        for s in &gold {
            match encode_example(&tok, s, a.max_tokens) {
                Some(mut e) => {
                    if no_misc {
                        train::o_may_be_misc(&mut e);
                    }
                    e.lang = group.clone();
                    examples.push(e)
                }
                None => skipped += 1,
            }
        }
    }
    let n_examples = examples.len();
    eprintln!("encoded {n_examples} training sentences ({skipped} longer than {} tokens skipped) in {:.0} s", a.max_tokens, t0.elapsed().as_secs_f64());
    let mut sampler = Sampler::with_weights(examples, a.seed, |g, _| mix.get(g).copied().unwrap_or(1.0));
    let groups = sampler.shares();
    for (g, n, share) in &groups {
        eprintln!("mix: {g:<16} {n:>7} sentences {:>5.1} % of batches", share * 100.0);
    }

    let opts = TrainOptions {
        steps: a.steps, batch_size: a.batch_size, lr: a.lr, warmup_frac: a.warmup_frac, clip_norm: 1.0, seed: a.seed,
        freeze_embeddings: !a.train_embeddings, max_minutes: a.max_minutes, checkpoint_every: a.checkpoint_every,
    };
    let bar = if std::io::stderr().is_terminal() { ProgressBar::new(a.steps as u64) } else { ProgressBar::hidden() };
    bar.set_style(ProgressStyle::with_template("{bar:30} {pos}/{len} {msg} [{elapsed_precise}<{eta_precise}]").expect("static template"));
    bar.set_position(start_step as u64);
    let mut log = Vec::new();
    // The checkpoint: the overlay so far and the step it was taken at (for --resume).
    let save_checkpoint = |step: usize| -> pactwatch::Result<()> {
        train::save_overlay(&model, &base, &ckpt, !a.train_embeddings, "BertForTokenClassification")?;
        let p = ckpt.join("train_state.json");
        std::fs::write(&p, serde_json::json!({"step": step}).to_string()).map_err(|e| pactwatch::Error::io(&p, e))
    };
    let fit = train::fit(&model, &mut sampler, tok.pad_id, &opts, start_step, |s| {
        report_step(&bar, &mut log, t0, s);
        if s.step % a.checkpoint_every == 0 {
            save_checkpoint(s.step)?;
        }
        Ok(())
    })?;
    bar.finish_and_clear();
    if fit.stopped_by_time {
        eprintln!("time budget of {} min reached at step {}", a.max_minutes, fit.steps_done);
    }
    let (step, tokens_seen) = (fit.steps_done, fit.tokens_seen);
    let train_minutes = fit.train_seconds / 60.0;
    train::save_overlay(&model, &base, &a.out, !a.train_embeddings, "BertForTokenClassification")?;
    save_checkpoint(step)?;

    // Dev scores through the same pipeline as `annotate`, from the saved (half-precision) overlay.
    let dir = ModelDir::open(&a.out)?;
    let mut ann = Annotator::load(&dir, NerOptions::default(), tch::Device::Cpu)?;
    let dev = super::eval::score_dev_sets(&mut ann, &a.data, a.dev_limit, &[])?;
    let report = serde_json::json!({
        "command": std::env::args().collect::<Vec<_>>(),
        "options": opts, "fit": fit, "steps_done": step, "train_minutes": train_minutes, "total_minutes": t0.elapsed().as_secs_f64() / 60.0,
        "train_sentences": n_examples, "skipped_long": skipped, "groups": groups, "mix": a.mix, "no_misc_groups": NO_MISC,
        "tokens_seen": tokens_seen, "tokens_per_s": tokens_seen as f64 / (train_minutes * 60.0),
        "frozen_parameters": frozen, "log": log, "dev": dev,
    });
    std::fs::write(a.out.join("training.json"), serde_json::to_string_pretty(&report)? + "\n")?;
    println!("{}", serde_json::to_string_pretty(&report["dev"])?);
    Ok(ExitCode::SUCCESS)
}
