//! NER fine-tuning on libtorch: a token-classification head on a base encoder, AdamW with
//! warm-up and linear decay, gradient clipping, language-balanced length-bucketed batches, a
//! fixed seed, checkpoints, and an overlay export (only the tensors that differ from the base,
//! in half precision). Labels are placed on sub-tokens exactly as `annotate` reads them back:
//! words from `words::split_words`, the first sub-token of each word carries the word's label.
use crate::training::corpus::GoldSentence;
use crate::stages::encoding::{align_words, TextTokenizer};
use crate::error::{Error, Result};
use crate::models::{Classifier, ModelDir};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use tch::{Kind, Tensor};

pub const NER_LABELS: [&str; 9] = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"];

/// Partial label for corpora whose scheme has no MISC (WikiANN): an `O` word there may be a
/// MISC entity the annotators did not mark, so the loss accepts O, B-MISC or I-MISC.
pub const O_OR_MISC: i64 = -2;
const O_OR_MISC_ALLOWED: [i64; 3] = [0, 7, 8];

/// Turn the `O` labels of an example into `O_OR_MISC` (for corpora without MISC).
pub fn o_may_be_misc(e: &mut Example) {
    for l in e.labels.iter_mut().filter(|l| **l == 0) {
        *l = O_OR_MISC;
    }
}

/// A small deterministic generator (SplitMix64), so runs repeat without a `rand` dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            v.swap(i, self.below(i + 1));
        }
    }
}

/// One training sequence: framed ids and per-token label ids (-100 = not scored).
#[derive(Debug, Clone)]
pub struct Example {
    pub ids: Vec<i64>,
    pub labels: Vec<i64>,
    pub lang: String,
}

/// Word labels from gold tokens, re-split with `split_words`, then placed on first sub-tokens.
/// None when the sentence is longer than `max_tokens` (counted by the caller).
pub fn encode_example(tok: &TextTokenizer, s: &GoldSentence, max_tokens: usize) -> Option<Example> {
    let (text, ents) = s.text_and_entities();
    let words = crate::stages::words::split_words(&text);
    let tokens = tok.encode(&text).ok()?;
    if tokens.len() + tok.n_special() > max_tokens {
        return None;
    }
    let ignored = s.ignored_spans();
    let mut labels = vec![-100i64; tokens.len()];
    for ((ws, we), toks) in words.iter().zip(align_words(&tokens, &words)) {
        let Some(&first) = toks.first() else { continue };
        if labels[first] != -100 || ignored.iter().any(|(a, b)| ws < b && we > a) {
            continue;
        }
        let label = match ents.iter().find(|(_, a, b)| *ws >= *a && *we <= *b) {
            Some((k, a, _)) => format!("{}-{k}", if ws == a { "B" } else { "I" }),
            None => "O".into(),
        };
        labels[first] = NER_LABELS.iter().position(|l| *l == label).unwrap_or(0) as i64;
    }
    let ids: Vec<i64> = tokens.iter().map(|t| t.id).collect();
    let mut framed_labels = vec![-100i64; tok.prefix.len()];
    framed_labels.extend(labels);
    framed_labels.extend(std::iter::repeat(-100).take(tok.suffix.len()));
    Some(Example { ids: tok.frame(&ids), labels: framed_labels, lang: s.lang.clone() })
}

/// A stance training pair: framed ids of `stance::pair_text(target, text)` and its label
/// index in `stance::STANCE_LABELS`; grouped by corpus (`source`) for the sampler.
pub fn encode_stance_example(tok: &TextTokenizer, e: &crate::training::stance_data::StanceExample, max_tokens: usize) -> Result<Example> {
    let ids = crate::models::stance::pair_ids(tok, &e.target, &e.text, max_tokens)?;
    let label = crate::training::stance_data::StanceLabel::ALL.iter().position(|l| *l == e.label).expect("label in ALL") as i64;
    Ok(Example { ids, labels: vec![label], lang: e.source.to_string() })
}

#[derive(Debug, Clone, Serialize)]
pub struct TrainOptions {
    pub steps: usize,
    pub batch_size: usize,
    pub lr: f64,
    pub warmup_frac: f64,
    pub clip_norm: f64,
    pub seed: u64,
    pub freeze_embeddings: bool,
    pub max_minutes: f64,
    pub checkpoint_every: usize,
}

/// Group-balanced batches (groups are languages for NER, corpora for stance): each pool of 50
/// batches draws from one group, chosen with probability proportional to size^`power` (0 =
/// uniform); within a pool examples are sorted by length so that padding stays small.
/// [`Sampler::mixed`] draws the group of every example of a pool instead, so that each batch
/// mixes the groups in their shares: with one group per pool a short run sees a few dozen
/// pools, and its last weights lean to whichever corpus came last.
pub struct Sampler {
    by_lang: Vec<(String, Vec<Example>, usize)>,
    weights: Vec<f64>,
    rng: Rng,
    /// Queued batches of (group, index in the group).
    queue: Vec<Vec<(usize, usize)>>,
    mixed: bool,
}

impl Sampler {
    pub fn new(examples: Vec<Example>, seed: u64) -> Sampler {
        Sampler::weighted(examples, seed, 0.0)
    }

    pub fn weighted(examples: Vec<Example>, seed: u64, power: f64) -> Sampler {
        Sampler::with_weights(examples, seed, |_, n| (n as f64).powf(power))
    }

    /// Groups drawn with probability proportional to `weight(group, size)`.
    pub fn with_weights(examples: Vec<Example>, seed: u64, weight: impl Fn(&str, usize) -> f64) -> Sampler {
        let mut m: BTreeMap<String, Vec<Example>> = BTreeMap::new();
        for e in examples {
            m.entry(e.lang.clone()).or_default().push(e);
        }
        let mut rng = Rng::new(seed);
        let by_lang: Vec<(String, Vec<Example>, usize)> = m
            .into_iter()
            .map(|(l, mut v)| {
                rng.shuffle(&mut v);
                (l, v, 0)
            })
            .collect();
        let weights = by_lang.iter().map(|(l, v, _)| weight(l, v.len()).max(0.0)).collect();
        Sampler { by_lang, weights, rng, queue: Vec::new(), mixed: false }
    }

    /// Each group with its size and its share of the batches.
    pub fn shares(&self) -> Vec<(String, usize, f64)> {
        let total: f64 = self.weights.iter().sum();
        self.by_lang.iter().zip(&self.weights).map(|((l, v, _), w)| (l.clone(), v.len(), w / total)).collect()
    }

    /// Every pool draws each example's group (see the type's documentation).
    pub fn mixed(mut self) -> Sampler {
        self.mixed = true;
        self
    }

    /// A group index drawn by weight.
    fn draw_group(&mut self) -> usize {
        let total: f64 = self.weights.iter().sum();
        let mut r = (self.rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * total;
        for (i, w) in self.weights.iter().enumerate() {
            if r < *w {
                return i;
            }
            r -= w;
        }
        self.weights.len() - 1
    }

    /// The next example of group `li`, cycling through its shuffled order.
    fn take(&mut self, li: usize) -> (usize, usize) {
        let (_, v, cursor) = &mut self.by_lang[li];
        if *cursor >= v.len() {
            *cursor = 0;
        }
        *cursor += 1;
        (li, *cursor - 1)
    }

    pub fn next_batch(&mut self, batch_size: usize) -> Vec<&Example> {
        if self.queue.is_empty() {
            let one = (!self.mixed).then(|| self.draw_group());
            let mut idx: Vec<(usize, usize)> = (0..batch_size * 50)
                .map(|_| {
                    let li = one.unwrap_or_else(|| self.draw_group());
                    self.take(li)
                })
                .collect();
            idx.sort_by_key(|&(li, i)| self.by_lang[li].1[i].ids.len());
            let mut batches: Vec<Vec<(usize, usize)>> = idx.chunks(batch_size).map(|c| c.to_vec()).collect();
            self.rng.shuffle(&mut batches);
            self.queue = batches;
        }
        let b = self.queue.pop().expect("queue refilled above");
        b.into_iter().map(|(li, i)| &self.by_lang[li].1[i]).collect()
    }
}

/// Learning rate at `step`: linear warm-up, then linear decay to zero.
pub fn lr_at(step: usize, total: usize, warmup: usize, peak: f64) -> f64 {
    if step < warmup {
        peak * (step + 1) as f64 / warmup as f64
    } else {
        peak * (total.saturating_sub(step)) as f64 / (total - warmup).max(1) as f64
    }
}

/// Batch tensors: ids padded with `pad`; token labels padded with -100 (`[batch, width]`), or
/// one label per sequence (`[batch]`) when examples carry a single label (stance).
pub fn batch_tensors(batch: &[&Example], pad: i64) -> (crate::models::ModelInputs, Tensor) {
    let rows: Vec<&[i64]> = batch.iter().map(|e| e.ids.as_slice()).collect();
    let x = crate::models::ModelInputs::from_rows(&rows, pad, tch::Device::Cpu);
    if batch.iter().all(|e| e.labels.len() == 1 && e.ids.len() > 1) {
        let labels: Vec<i64> = batch.iter().map(|e| e.labels[0]).collect();
        return (x, Tensor::from_slice(&labels));
    }
    let width = x.ids.size()[1] as usize;
    let mut labels = Vec::with_capacity(batch.len() * width);
    for e in batch {
        labels.extend_from_slice(&e.labels);
        labels.extend(std::iter::repeat(-100).take(width - e.labels.len()));
    }
    (x, Tensor::from_slice(&labels).view([batch.len() as i64, width as i64]))
}

/// What the training loop reports after each step.
#[derive(Debug, Clone, Copy)]
pub struct StepInfo {
    pub step: usize,
    pub loss: f64,
    pub loss_ema: f64,
    pub tokens_per_s: f64,
    pub lr: f64,
}

/// What `fit` did.
#[derive(Debug, Clone, Serialize)]
pub struct FitReport {
    pub steps_done: usize,
    pub tokens_seen: usize,
    pub train_seconds: f64,
    pub stopped_by_time: bool,
    pub final_loss_ema: f64,
}

/// The training loop: AdamW, warm-up then linear decay (following whichever of `steps` and
/// `max_minutes` runs out first), gradient clipping, token cross-entropy ignoring -100.
/// `on_step` sees every step (progress, logging, checkpoints).
pub fn fit(
    model: &Classifier,
    sampler: &mut Sampler,
    pad_id: i64,
    opts: &TrainOptions,
    start_step: usize,
    mut on_step: impl FnMut(&StepInfo) -> Result<()>,
) -> Result<FitReport> {
    let mut opt = tch::nn::OptimizerConfig::build(tch::nn::AdamW::default(), &model.vs, opts.lr)
        .map_err(|e| Error::torch("building AdamW", e))?;
    let warmup = ((opts.steps as f64) * opts.warmup_frac) as usize;
    // Skip the batches an interrupted run already consumed, so resuming sees the same stream.
    for _ in 0..start_step {
        sampler.next_batch(opts.batch_size);
    }
    let start = std::time::Instant::now();
    let budget_s = opts.max_minutes * 60.0;
    let (mut tokens_seen, mut ema, mut step, mut stopped_by_time) = (0usize, f64::NAN, start_step, false);
    while step < opts.steps {
        if start.elapsed().as_secs_f64() > budget_s {
            stopped_by_time = true;
            break;
        }
        let batch = sampler.next_batch(opts.batch_size);
        let (x, y) = batch_tensors(&batch, pad_id);
        tokens_seen += batch.iter().map(|e| e.ids.len()).sum::<usize>();
        let time_step = (start.elapsed().as_secs_f64() / budget_s * opts.steps as f64) as usize;
        let lr = lr_at(step.max(time_step).min(opts.steps), opts.steps, warmup, opts.lr);
        opt.set_lr(lr);
        let logits = model.logits(&x, true)?;
        let n = logits.size()[logits.dim() - 1];
        let loss = token_loss(&logits.view([-1, n]), &y.view([-1]));
        opt.backward_step_clip(&loss, opts.clip_norm);
        let l = loss.double_value(&[]);
        ema = if ema.is_nan() { l } else { 0.98 * ema + 0.02 * l };
        step += 1;
        let tokens_per_s = tokens_seen as f64 / start.elapsed().as_secs_f64();
        on_step(&StepInfo { step, loss: l, loss_ema: ema, tokens_per_s, lr })?;
    }
    Ok(FitReport { steps_done: step, tokens_seen, train_seconds: start.elapsed().as_secs_f64(), stopped_by_time, final_loss_ema: ema })
}

/// Cross-entropy ignoring -100; rows labelled `O_OR_MISC` score the probability mass of O,
/// B-MISC and I-MISC together (partial-label likelihood), all other rows are plain
/// cross-entropy.
pub fn token_loss(logits: &Tensor, y: &Tensor) -> Tensor {
    let partial = y.eq(O_OR_MISC);
    if partial.any().int64_value(&[]) == 0 {
        return logits.cross_entropy_loss::<Tensor>(y, None, tch::Reduction::Mean, -100, 0.0);
    }
    let n = logits.size()[1];
    let valid = y.ne(-100);
    let mut allowed = y.clamp_min(0).one_hot(n).to_kind(Kind::Bool);
    let mut misc = vec![false; n as usize];
    for i in O_OR_MISC_ALLOWED {
        misc[i as usize] = true;
    }
    let misc = Tensor::from_slice(&misc).view([1, n]);
    allowed = allowed.logical_or(&partial.view([-1, 1]).logical_and(&misc));
    let log_z = logits.logsumexp([1i64].as_slice(), false);
    let log_allowed = logits.masked_fill(&allowed.logical_not(), f64::NEG_INFINITY).logsumexp([1i64].as_slice(), false);
    let per_row = (log_z - log_allowed) * valid.to_kind(Kind::Float);
    per_row.sum(Kind::Float) / valid.sum(Kind::Float).clamp_min(1.0)
}

/// Freeze the word-embedding table (96 M of e5-small's 118 M parameters).
pub fn freeze_word_embeddings(model: &Classifier) -> usize {
    let mut n = 0;
    for (name, v) in model.vs.variables() {
        if name.ends_with("word_embeddings.weight") {
            let _ = v.set_requires_grad(false);
            n += v.numel();
        }
    }
    n
}

/// Save the fine-tuned tensors (all but the frozen word embeddings) as half-precision
/// safetensors, with config, overlay.json pointing at the base, and checksums.
pub fn save_overlay(model: &Classifier, base: &ModelDir, out: &Path, skip_word_embeddings: bool, architecture: &str) -> Result<()> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let mut named: Vec<(String, Tensor)> = model
        .vs
        .variables()
        .into_iter()
        .filter(|(n, _)| !(skip_word_embeddings && n.ends_with("word_embeddings.weight")))
        .map(|(n, t)| (n, t.detach().to_kind(Kind::Half)))
        .collect();
    named.sort_by(|a, b| a.0.cmp(&b.0));
    let wpath = out.join("model.safetensors");
    Tensor::write_safetensors(&named, &wpath).map_err(|e| Error::torch(format!("writing {}", wpath.display()), e))?;
    let mut cfg = base.config.clone();
    cfg["architectures"] = serde_json::json!([architecture]);
    cfg["id2label"] = serde_json::Value::Object(model.labels.iter().enumerate().map(|(i, l)| (i.to_string(), serde_json::Value::from(l.as_str()))).collect());
    cfg["label2id"] = serde_json::Value::Object(model.labels.iter().enumerate().map(|(i, l)| (l.clone(), serde_json::Value::from(i))).collect());
    let base_rel = pathdiff(base, out);
    let base_sha = crate::stages::output::sha256_file(&base.weights[0])?;
    let overlay = serde_json::json!({"base": base_rel, "base_sha256": base_sha, "weights": "model.safetensors"});
    for (name, v) in [("config.json", &cfg), ("overlay.json", &overlay)] {
        let p = out.join(name);
        std::fs::write(&p, serde_json::to_string_pretty(v).expect("plain JSON") + "\n").map_err(|e| Error::io(&p, e))?;
    }
    Ok(())
}

/// Base directory as seen from the overlay directory (both under models/ in the project).
fn pathdiff(base: &ModelDir, out: &Path) -> String {
    let b = base.dir.canonicalize().unwrap_or(base.dir.clone());
    let o = out.canonicalize().unwrap_or(out.to_path_buf());
    match (b.parent(), o.parent()) {
        (Some(bp), Some(op)) if bp == op => format!("../{}", b.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default()),
        _ => b.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_label_loss() {
        let logits = Tensor::from_slice(&[0.5f32, 1.0, -1.0, 0.0, 0.2, 0.3, -0.4, 2.0, 0.1, 1.5, 0.0, 0.0, 0.3, -2.0, 0.0, 0.0, 1.0, 0.4]).view([2, 9]);
        // Plain labels: the same as cross-entropy.
        let y = Tensor::from_slice(&[7i64, -100]);
        let ce = logits.cross_entropy_loss::<Tensor>(&y, None, tch::Reduction::Mean, -100, 0.0).double_value(&[]);
        let with_partial_row = Tensor::from_slice(&[7i64, O_OR_MISC]);
        let l = token_loss(&logits, &with_partial_row).double_value(&[]);
        // Row 2 by hand: -log(p(O) + p(B-MISC) + p(I-MISC)).
        let r: Vec<f64> = (9..18).map(|i| logits.view([-1]).double_value(&[i])).collect();
        let z: f64 = r.iter().map(|v| v.exp()).sum();
        let row2 = -((r[0].exp() + r[7].exp() + r[8].exp()) / z).ln();
        assert!((l - (ce + row2) / 2.0).abs() < 1e-5, "{l} vs {}", (ce + row2) / 2.0);
        assert!((token_loss(&logits, &y).double_value(&[]) - ce).abs() < 1e-6);
    }

    #[test]
    fn schedule() {
        assert!((lr_at(0, 100, 10, 1.0) - 0.1).abs() < 1e-12);
        assert!((lr_at(9, 100, 10, 1.0) - 1.0).abs() < 1e-12);
        assert!((lr_at(55, 100, 10, 1.0) - 0.5).abs() < 1e-12);
        assert_eq!(lr_at(100, 100, 10, 1.0), 0.0);
    }

    #[test]
    fn mixed_sampler_mixes_groups_within_batches_in_their_shares() {
        let ex = |g: &str, n: usize| Example { ids: vec![1; 3 + n % 7], labels: vec![0], lang: g.into() };
        let make = || (0..300).map(|n| ex("a", n)).chain((0..100).map(|n| ex("b", n))).collect::<Vec<_>>();
        let groups = |s: &mut Sampler| (0..200).map(|_| s.next_batch(8).iter().map(|e| e.lang.clone()).collect::<std::collections::BTreeSet<_>>().len()).collect::<Vec<_>>();
        // One group per pool: every batch holds one corpus.
        let mut pooled = Sampler::with_weights(make(), 3, |_, _| 1.0);
        assert!(groups(&mut pooled).iter().all(|&g| g == 1));
        let mut mixed = Sampler::with_weights(make(), 3, |g, _| if g == "a" { 3.0 } else { 1.0 }).mixed();
        assert!(groups(&mut mixed).iter().filter(|&&g| g == 2).count() > 150, "most batches mix both corpora");
        let b_share = (0..400).flat_map(|_| mixed.next_batch(8).into_iter().map(|e| (e.lang == "b") as usize).collect::<Vec<_>>()).sum::<usize>() as f64 / 3200.0;
        assert!((b_share - 0.25).abs() < 0.03, "share of b {b_share}");
    }

    #[test]
    fn rng_is_deterministic() {
        let (mut a, mut b) = (Rng::new(5), Rng::new(5));
        assert_eq!((0..5).map(|_| a.next_u64()).collect::<Vec<_>>(), (0..5).map(|_| b.next_u64()).collect::<Vec<_>>());
        let mut v: Vec<usize> = (0..10).collect();
        Rng::new(1).shuffle(&mut v);
        v.sort();
        assert_eq!(v, (0..10).collect::<Vec<_>>());
    }
}
