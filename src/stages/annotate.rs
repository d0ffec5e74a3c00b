//! The annotation stage runner: records → language → sentences → words and sub-word tokens →
//! windows → batched NER forward passes (sorted by length) → decoded entities → `Document`s.
use crate::document::{Coverage, Document, Entity, Sentence};
use crate::stages::encoding::{align_words, TextTokenizer, Token};
use crate::error::{Error, Result};
use crate::stages::input::{Record, RecordError};
use crate::models::{Classifier, LoadOptions, ModelDir, ModelInputs, Task};
use crate::stages::ner::{aggregate, decode, parse_tag, Aggregation, Tag};
use crate::offsets::{CharIndex, Span};
use crate::stages::{language, segment, window, words};
use serde::Serialize;
use tch::{Device, Kind};

#[derive(Debug, Clone, Serialize)]
pub struct NerOptions {
    pub aggregation: Aggregation,
    /// Tokens per model input, special tokens included.
    pub max_tokens: usize,
    /// Tokens shared by consecutive windows of a long sentence.
    pub stride_tokens: usize,
    /// Windows per forward pass.
    pub batch_size: usize,
    /// How words are cut (the models are trained with `WordRule::Pactwatch`).
    pub word_rule: words::WordRule,
}

impl Default for NerOptions {
    fn default() -> Self {
        NerOptions { aggregation: Aggregation::First, max_tokens: 128, stride_tokens: 32, batch_size: 16, word_rule: words::WordRule::Pactwatch }
    }
}

/// Per-stage wall time in seconds, summed over the run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Timings {
    pub language_s: f64,
    pub sentences_s: f64,
    pub tokenize_s: f64,
    pub ner_forward_s: f64,
    pub decode_s: f64,
    /// What the NER forward passes processed (for FLOP accounting).
    pub ner_pass: crate::models::PassStats,
}

pub struct Annotator {
    pub tokenizer: TextTokenizer,
    pub model: Classifier,
    tags: Vec<Tag>,
    pub opts: NerOptions,
    pub timings: Timings,
    /// The run's pass journal (`models::passes`), when it writes an output directory.
    pub passes: Option<crate::models::passes::SharedPasses>,
}

/// One sentence on its way through the model.
struct SentenceWork {
    span: (usize, usize),
    words: Vec<(usize, usize)>,
    tokens: Vec<Token>,
    windows: Vec<window::Window>,
    /// Softmax rows of the owned tokens, `tokens.len() * n_labels`.
    probs: Vec<f32>,
}

struct DocWork {
    record: Record,
    lang: language::Language,
    sentences: Vec<SentenceWork>,
}

/// A record segmented and tokenized, waiting for the model pass.
pub struct Prepared(DocWork);

impl Prepared {
    /// Sub-word tokens of all its sentences (special tokens and window overlaps not counted).
    pub fn n_tokens(&self) -> usize {
        self.0.sentences.iter().map(|s| s.tokens.len()).sum()
    }
}

impl Annotator {
    pub fn load(dir: &ModelDir, opts: NerOptions, device: Device) -> Result<Annotator> {
        let tokenizer = TextTokenizer::from_file(&dir.tokenizer)?;
        let model = Classifier::load(dir, Task::Token, &LoadOptions { device, new_head_labels: None })?;
        Annotator::new(tokenizer, model, opts)
    }

    /// An annotator over an already loaded model (e.g. one being trained).
    pub fn new(tokenizer: TextTokenizer, model: Classifier, opts: NerOptions) -> Result<Annotator> {
        let dir = &model.dir;
        let limit = dir.max_positions();
        if opts.max_tokens as i64 > limit {
            return Err(Error::model(
                &dir.dir,
                format!("--max-tokens {} is longer than the model's {} positions", opts.max_tokens, limit),
            ));
        }
        if opts.max_tokens <= tokenizer.n_special() + 1 || opts.stride_tokens >= opts.max_tokens - tokenizer.n_special() {
            return Err(Error::Invalid(format!(
                "--max-tokens {} must exceed the {} special tokens, and --stride-tokens {} must be smaller than the window's content",
                opts.max_tokens, tokenizer.n_special(), opts.stride_tokens
            )));
        }
        let tags = model.labels.iter().map(|l| parse_tag(l)).collect();
        Ok(Annotator { tokenizer, model, tags, opts, timings: Timings::default(), passes: None })
    }

    /// Annotate a batch of records; one result per record, in order.
    pub fn annotate(&mut self, records: Vec<Record>) -> Vec<std::result::Result<Document, RecordError>> {
        let prepared = records.into_iter().map(|r| self.prepare(r)).collect();
        self.annotate_prepared(prepared)
    }

    /// Language, sentences and tokens of one record: the work before the model, whose size
    /// (`Prepared::n_tokens`) the pipeline bounds its batches by.
    pub fn prepare_record(&mut self, record: Record) -> std::result::Result<Prepared, RecordError> {
        self.prepare(record).map(Prepared)
    }

    /// The model pass and decoding for records prepared by `prepare_record` (or failed there);
    /// one result per item, in order.
    pub fn annotate_prepared_records(&mut self, items: Vec<std::result::Result<Prepared, RecordError>>) -> Vec<std::result::Result<Document, RecordError>> {
        self.annotate_prepared(items.into_iter().map(|i| i.map(|p| p.0)).collect())
    }

    fn annotate_prepared(&mut self, mut prepared: Vec<std::result::Result<DocWork, RecordError>>) -> Vec<std::result::Result<Document, RecordError>> {
        let mut docs: Vec<&mut DocWork> = prepared.iter_mut().filter_map(|p| p.as_mut().ok()).collect();
        let forward = self.forward(&mut docs);
        prepared
            .into_iter()
            .map(|p| {
                let d = p?;
                if let Err(e) = &forward {
                    return Err(fail(&d.record, format!("model forward pass failed: {e:#}")));
                }
                Ok(self.finish(d))
            })
            .collect()
    }

    fn prepare(&mut self, record: Record) -> std::result::Result<DocWork, RecordError> {
        let t = std::time::Instant::now();
        let lang = language::detect(&record.text);
        let t1 = std::time::Instant::now();
        let spans = segment::sentences(&record.text, &lang.code);
        let t2 = std::time::Instant::now();
        let max_content = self.opts.max_tokens - self.tokenizer.n_special();
        let mut sentences = Vec::with_capacity(spans.len());
        for (s, e) in spans {
            let text = &record.text[s..e];
            let tokens = self
                .tokenizer
                .encode(text)
                .map_err(|err| fail(&record, format!("tokenizer failed on sentence at byte {s}: {err}")))?;
            let tokens: Vec<Token> = tokens.into_iter().map(|t| Token { id: t.id, start: t.start + s, end: t.end + s }).collect();
            let words = words::words_by_rule(self.opts.word_rule, text, s, &tokens, &record.text);
            let windows = window::plan(tokens.len(), max_content, self.opts.stride_tokens);
            sentences.push(SentenceWork { span: (s, e), words, tokens, windows, probs: Vec::new() });
        }
        self.timings.language_s += (t1 - t).as_secs_f64();
        self.timings.sentences_s += (t2 - t1).as_secs_f64();
        self.timings.tokenize_s += t2.elapsed().as_secs_f64();
        Ok(DocWork { record, lang, sentences })
    }

    /// Run every window of every document through the model, shortest first, and scatter the
    /// owned tokens' probabilities back to their sentences.
    fn forward(&mut self, docs: &mut [&mut DocWork]) -> Result<()> {
        let t = std::time::Instant::now();
        let n_labels = self.tags.len();
        let mut jobs = Vec::new(); // (doc, sentence, window)
        for (d, doc) in docs.iter_mut().enumerate() {
            for (s, sw) in doc.sentences.iter_mut().enumerate() {
                sw.probs = vec![0f32; sw.tokens.len() * n_labels];
                for w in 0..sw.windows.len() {
                    if sw.tokens.is_empty() {
                        continue;
                    }
                    jobs.push((d, s, w));
                }
            }
        }
        jobs.sort_by_key(|&(d, s, w)| {
            let win = docs[d].sentences[s].windows[w];
            win.end - win.start
        });
        for chunk in jobs.chunks(self.opts.batch_size.max(1)) {
            let rows: Vec<Vec<i64>> = chunk
                .iter()
                .map(|&(d, s, w)| {
                    let sw = &docs[d].sentences[s];
                    let win = sw.windows[w];
                    let ids: Vec<i64> = sw.tokens[win.start..win.end].iter().map(|t| t.id).collect();
                    self.tokenizer.frame(&ids)
                })
                .collect();
            let refs: Vec<&[i64]> = rows.iter().map(|r| r.as_slice()).collect();
            let inputs = ModelInputs::from_rows(&refs, self.tokenizer.pad_id, self.model.vs.device());
            let tf = std::time::Instant::now();
            let model = &self.model;
            let probs = crate::models::passes::through(self.passes.as_ref(), "ner", &refs, || {
                let logits = tch::no_grad(|| model.logits(&inputs, false))?;
                Ok(logits.softmax(-1, Kind::Float).to_device(Device::Cpu).contiguous())
            })?;
            self.timings.ner_pass.record(&refs, tf.elapsed().as_secs_f64());
            let (b, width) = (probs.size()[0] as usize, probs.size()[1] as usize);
            if probs.size()[2] as usize != n_labels {
                return Err(Error::model(&self.model.dir.dir, format!("head gives {} labels, id2label has {n_labels}", probs.size()[2])));
            }
            let flat: Vec<f32> = Vec::<f32>::try_from(probs.view(-1)).map_err(|e| Error::torch("reading probabilities", e))?;
            let pre = self.tokenizer.prefix.len();
            for (row, &(d, s, w)) in chunk.iter().enumerate().take(b) {
                let sw = &mut docs[d].sentences[s];
                let win = sw.windows[w];
                for tok in win.own_start..win.own_end {
                    let pos = pre + (tok - win.start);
                    let src = (row * width + pos) * n_labels;
                    sw.probs[tok * n_labels..(tok + 1) * n_labels].copy_from_slice(&flat[src..src + n_labels]);
                }
            }
        }
        self.timings.ner_forward_s += t.elapsed().as_secs_f64();
        Ok(())
    }

    fn finish(&mut self, d: DocWork) -> Document {
        let t = std::time::Instant::now();
        let text = &d.record.text;
        let index = CharIndex::new(text);
        let n_labels = self.tags.len();
        let mut sentences = Vec::with_capacity(d.sentences.len());
        let mut entities = Vec::new();
        let mut cov = Coverage::default();
        for (si, sw) in d.sentences.iter().enumerate() {
            let aligned = align_words(&sw.tokens, &sw.words);
            let mut tags = Vec::with_capacity(sw.words.len());
            let mut scores = Vec::with_capacity(sw.words.len());
            for (wi, toks) in aligned.iter().enumerate() {
                let rows: Vec<&[f32]> = toks.iter().map(|&t| &sw.probs[t * n_labels..(t + 1) * n_labels]).collect();
                let (ws, we) = sw.words[wi];
                let word_chars = text[ws..we].chars().filter(|c| !c.is_whitespace()).count();
                match aggregate(&rows, self.opts.aggregation) {
                    Some(dist) => {
                        let (best, p) = dist.iter().enumerate().fold((0, f32::MIN), |acc, (i, &p)| if p > acc.1 { (i, p) } else { acc });
                        tags.push(self.tags[best].clone());
                        scores.push(p);
                        cov.chars_covered += word_chars;
                    }
                    None => {
                        tags.push(parse_tag("O"));
                        scores.push(0.0);
                        cov.words_without_tokens += 1;
                    }
                }
            }
            for e in decode(&tags, &scores) {
                let (bs, be) = (sw.words[e.word_start].0, sw.words[e.word_end - 1].1);
                entities.push(Entity {
                    text: text[bs..be].to_string(),
                    label: e.kind,
                    score: (e.score * 10_000.0).round() / 10_000.0,
                    sentence: si,
                    span: Span::from_bytes(&index, bs, be),
                    canonical_id: None,
                });
            }
            cov.words += sw.words.len();
            cov.tokens += sw.tokens.len();
            cov.windows += sw.windows.len();
            cov.sentences_windowed += usize::from(sw.windows.len() > 1);
            sentences.push(Sentence { index: si, span: Span::from_bytes(&index, sw.span.0, sw.span.1), n_tokens: sw.tokens.len() });
        }
        cov.chars_total = text.chars().filter(|c| !c.is_whitespace()).count();
        cov.complete = cov.chars_covered == cov.chars_total;
        self.timings.decode_s += t.elapsed().as_secs_f64();
        Document {
            id: d.record.id,
            source: d.record.origin,
            lang: d.lang,
            metadata: d.record.metadata,
            n_chars: index.n_chars(),
            n_bytes: text.len(),
            text: d.record.text,
            sentences,
            entities,
            coverage: cov,
            stances: Vec::new(),
            actors: Vec::new(),
        }
    }
}

fn fail(r: &Record, reason: String) -> RecordError {
    RecordError { origin: r.origin.clone(), doc_id: Some(r.id.clone()), reason }
}
