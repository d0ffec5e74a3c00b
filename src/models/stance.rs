//! Stance: a cross-encoder (target, text) → favor / against / none, its input format, scoring
//! of gold sets, and the aggregation of sentence stances into document and actor stances.
//!
//! Input format, the same in training, evaluation and annotation (and in any Python reference):
//! one sequence `"query: {target}\npassage: {text}"` framed by the tokenizer's special tokens,
//! cut at `max_tokens` from the end of the passage. One sequence rather than a tokenizer pair,
//! so a Hugging Face `text-classification` pipeline given the same string sees the same ids.
//! For an actor's own stance (`--holder-model`), the passage marks that actor's mentions
//! with `[[` `]]` (`mark_spans`); unmarked, it asks for the author's / the sentence's stance.
use crate::stages::encoding::TextTokenizer;
use crate::error::{Error, Result};
use crate::models::{Classifier, LoadOptions, ModelDir, ModelInputs, Task};
use crate::training::stance_data::{StanceExample, StanceLabel};
use serde::Serialize;
use std::collections::BTreeMap;
use tch::{Device, Kind};

/// Label names of the stance head, in head order.
pub const STANCE_LABELS: [&str; 3] = ["favor", "against", "none"];

/// The single-sequence text the stance model reads.
pub fn pair_text(target: &str, text: &str) -> String {
    format!("query: {}\npassage: {}", target.trim(), text.trim())
}

/// The marks around a stance holder's mention in a holder-marked passage: "Le ministre
/// [[Sergueï Lavrov]] a rejeté". One token each in the XLM-R vocabulary of multilingual-e5.
pub const HOLDER_OPEN: &str = "[[";
pub const HOLDER_CLOSE: &str = "]]";

/// `text` with the byte ranges `spans` (sorted or not, not overlapping) wrapped in the holder
/// marks: the model is asked for the stance of the actor so marked rather than the author's.
pub fn mark_spans(text: &str, spans: &[(usize, usize)]) -> String {
    let mut spans: Vec<(usize, usize)> = spans.iter().copied().filter(|&(a, b)| a < b && b <= text.len()).collect();
    spans.sort();
    let mut out = String::with_capacity(text.len() + 5 * spans.len());
    let mut at = 0;
    for (a, b) in spans {
        if a < at {
            continue;
        }
        out.push_str(&text[at..a]);
        out.push_str(HOLDER_OPEN);
        out.push_str(&text[a..b]);
        out.push_str(HOLDER_CLOSE);
        at = b;
    }
    out.push_str(&text[at..]);
    out
}

/// `text` with every occurrence of `name` marked (see `mark_spans`); None when `name` does not
/// occur in it.
pub fn mark_name(text: &str, name: &str) -> Option<String> {
    if name.trim().is_empty() {
        return None;
    }
    let spans: Vec<(usize, usize)> = text.match_indices(name).map(|(i, m)| (i, i + m.len())).collect();
    (!spans.is_empty()).then(|| mark_spans(text, &spans))
}

/// Framed ids of a (target, text) pair, at most `max_tokens` long.
pub fn pair_ids(tok: &TextTokenizer, target: &str, text: &str, max_tokens: usize) -> Result<Vec<i64>> {
    let s = pair_text(target, text);
    let toks = tok.encode(&s).map_err(|e| Error::Invalid(format!("tokenizing a stance pair: {e}")))?;
    let keep = max_tokens.saturating_sub(tok.n_special()).max(1);
    let ids: Vec<i64> = toks.iter().take(keep).map(|t| t.id).collect();
    Ok(tok.frame(&ids))
}

/// Probabilities in `StanceLabel::ALL` order (favor, against, none).
pub type Probs = [f32; 3];

pub fn argmax(p: &Probs) -> StanceLabel {
    let mut best = 0;
    for i in 1..3 {
        if p[i] > p[best] {
            best = i;
        }
    }
    StanceLabel::ALL[best]
}

/// A stance classifier loaded from a model directory (our overlay or any HF sequence model
/// whose labels name favor / against / none or their synonyms).
pub struct StanceModel {
    pub tok: TextTokenizer,
    pub model: Classifier,
    /// For each head output, its index in `StanceLabel::ALL`.
    order: Vec<usize>,
    pub max_tokens: usize,
    pub batch_size: usize,
    /// What the forward passes processed (for FLOP accounting).
    pub stats: std::cell::RefCell<crate::models::PassStats>,
    /// The run's pass journal (`models::passes`), when it writes an output directory.
    pub passes: Option<super::passes::SharedPasses>,
}

impl StanceModel {
    pub fn load(dir: &ModelDir, device: Device) -> Result<StanceModel> {
        let tok = TextTokenizer::from_file(&dir.tokenizer)?;
        let model = Classifier::load(dir, Task::Sequence, &LoadOptions { device, new_head_labels: None })?;
        StanceModel::new(tok, model)
    }

    pub fn new(tok: TextTokenizer, model: Classifier) -> Result<StanceModel> {
        let order = model
            .labels
            .iter()
            .map(|l| {
                StanceLabel::parse(l)
                    .map(|s| StanceLabel::ALL.iter().position(|x| *x == s).expect("ALL has every label"))
                    .ok_or_else(|| Error::model(&model.dir.config_path, format!("label {l:?} is not a stance label (favor / against / none)")))
            })
            .collect::<Result<Vec<_>>>()?;
        let max_tokens = 128.min(model.dir.max_positions() as usize);
        Ok(StanceModel { tok, model, order, max_tokens, batch_size: 32, stats: Default::default(), passes: None })
    }

    /// Probabilities for each (target, text) pair, batched by length.
    pub fn predict(&self, pairs: &[(&str, &str)]) -> Result<Vec<Probs>> {
        let ids: Vec<Vec<i64>> = pairs.iter().map(|(t, x)| pair_ids(&self.tok, t, x, self.max_tokens)).collect::<Result<_>>()?;
        let mut idx: Vec<usize> = (0..ids.len()).collect();
        idx.sort_by_key(|&i| ids[i].len());
        let mut out = vec![[0f32; 3]; ids.len()];
        let (tag, model) = (self.model.dir.dir.display().to_string(), &self.model);
        for chunk in idx.chunks(self.batch_size.max(1)) {
            let rows: Vec<&[i64]> = chunk.iter().map(|&i| ids[i].as_slice()).collect();
            let x = ModelInputs::from_rows(&rows, self.tok.pad_id, self.model.vs.device());
            let tf = std::time::Instant::now();
            let probs = super::passes::through(self.passes.as_ref(), &tag, &rows, || {
                Ok(tch::no_grad(|| model.logits(&x, false))?.softmax(-1, Kind::Float).to_device(Device::Cpu))
            })?;
            self.stats.borrow_mut().record(&rows, tf.elapsed().as_secs_f64());
            let flat: Vec<f32> = Vec::<f32>::try_from(probs.view([-1])).map_err(|e| Error::torch("reading stance probabilities", e))?;
            let n = self.order.len();
            for (row, &i) in chunk.iter().enumerate() {
                let mut p = [0f32; 3];
                for (k, &slot) in self.order.iter().enumerate() {
                    p[slot] += flat[row * n + k];
                }
                out[i] = p;
            }
        }
        Ok(out)
    }
}

/// F1 of one label from a confusion matrix `m[gold][pred]`.
fn f1_of(m: &[[usize; 3]; 3], k: usize) -> f64 {
    let tp = m[k][k] as f64;
    let pred: usize = (0..3).map(|g| m[g][k]).sum();
    let gold: usize = m[k].iter().sum();
    if tp == 0.0 {
        return 0.0;
    }
    let (p, r) = (tp / pred as f64, tp / gold as f64);
    2.0 * p * r / (p + r)
}

/// Scores of one group of gold pairs.
#[derive(Debug, Clone, Serialize)]
pub struct StanceScores {
    pub n: usize,
    /// Mean F1 over the labels that occur in the gold of this group.
    pub macro_f1: f64,
    /// SemEval-2016's F_avg: mean of the F1 of favor and against.
    pub f_avg: f64,
    pub accuracy: f64,
    pub per_label_f1: BTreeMap<String, f64>,
    /// `confusion[gold][pred]`, labels in `labels` order.
    pub labels: Vec<&'static str>,
    pub confusion: [[usize; 3]; 3],
}

impl StanceScores {
    pub fn from_pairs(pairs: &[(StanceLabel, StanceLabel)]) -> StanceScores {
        let pos = |l: StanceLabel| StanceLabel::ALL.iter().position(|x| *x == l).expect("label in ALL");
        let mut m = [[0usize; 3]; 3];
        for &(g, p) in pairs {
            m[pos(g)][pos(p)] += 1;
        }
        let present: Vec<usize> = (0..3).filter(|&k| m[k].iter().sum::<usize>() > 0).collect();
        let per_label_f1: BTreeMap<String, f64> = present.iter().map(|&k| (STANCE_LABELS[k].to_string(), f1_of(&m, k))).collect();
        let macro_f1 = if present.is_empty() { 0.0 } else { present.iter().map(|&k| f1_of(&m, k)).sum::<f64>() / present.len() as f64 };
        let correct: usize = (0..3).map(|k| m[k][k]).sum();
        StanceScores {
            n: pairs.len(),
            macro_f1,
            f_avg: (f1_of(&m, 0) + f1_of(&m, 1)) / 2.0,
            accuracy: if pairs.is_empty() { 0.0 } else { correct as f64 / pairs.len() as f64 },
            per_label_f1,
            labels: STANCE_LABELS.to_vec(),
            confusion: m,
        }
    }
}

/// The report of `eval stance`: overall, per language, per target, per source.
#[derive(Debug, Clone, Serialize)]
pub struct StanceReport {
    pub macro_f1: f64,
    pub f_avg: f64,
    pub overall: StanceScores,
    pub per_lang: BTreeMap<String, StanceScores>,
    pub per_target: BTreeMap<String, StanceScores>,
    /// True when the gold has no `none` and predictions were restricted to favor / against
    /// (the likelier of the two), as for binary stance sets.
    pub binary: bool,
}

/// Predict every gold pair and score. When the gold set has no `none` label the prediction is
/// the likelier of favor and against (binary sets such as P-Stance and VAST).
pub fn evaluate(model: &StanceModel, gold: &[StanceExample]) -> Result<StanceReport> {
    let pairs: Vec<(&str, &str)> = gold.iter().map(|e| (e.target.as_str(), e.text.as_str())).collect();
    let probs = model.predict(&pairs)?;
    let binary = !gold.iter().any(|e| e.label == StanceLabel::None);
    let pred: Vec<StanceLabel> = probs
        .iter()
        .map(|p| if binary { if p[0] >= p[1] { StanceLabel::Favor } else { StanceLabel::Against } } else { argmax(p) })
        .collect();
    let mut by_lang: BTreeMap<String, Vec<(StanceLabel, StanceLabel)>> = BTreeMap::new();
    let mut by_target: BTreeMap<String, Vec<(StanceLabel, StanceLabel)>> = BTreeMap::new();
    let all: Vec<(StanceLabel, StanceLabel)> = gold.iter().zip(&pred).map(|(e, &p)| (e.label, p)).collect();
    for (e, &gp) in gold.iter().zip(&all) {
        by_lang.entry(e.lang.clone()).or_default().push(gp);
        by_target.entry(e.target.clone()).or_default().push(gp);
    }
    let overall = StanceScores::from_pairs(&all);
    Ok(StanceReport {
        macro_f1: overall.macro_f1,
        f_avg: overall.f_avg,
        per_lang: by_lang.iter().map(|(k, v)| (k.clone(), StanceScores::from_pairs(v))).collect(),
        per_target: by_target.iter().map(|(k, v)| (k.clone(), StanceScores::from_pairs(v))).collect(),
        overall,
        binary,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use StanceLabel::*;

    #[test]
    fn scores_match_hand_counts() {
        // gold favor ×3, against ×2, none ×1
        let pairs = [(Favor, Favor), (Favor, Favor), (Favor, None), (Against, Against), (Against, Favor), (None, None)];
        let s = StanceScores::from_pairs(&pairs);
        // favor: P 2/3 R 2/3 → 0.667; against: P 1 R 0.5 → 0.667; none: P 0.5 R 1 → 0.667
        assert!((s.per_label_f1["favor"] - 2.0 / 3.0).abs() < 1e-9);
        assert!((s.per_label_f1["against"] - 2.0 / 3.0).abs() < 1e-9);
        assert!((s.per_label_f1["none"] - 2.0 / 3.0).abs() < 1e-9);
        assert!((s.f_avg - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(s.confusion[0], [2, 0, 1]);
        assert!((s.accuracy - 4.0 / 6.0).abs() < 1e-9);
    }

    #[test]
    fn macro_f1_averages_only_labels_in_gold() {
        // binary gold: none never occurs, so macro-F1 is over favor and against only
        let s = StanceScores::from_pairs(&[(Favor, Favor), (Against, Favor)]);
        assert_eq!(s.per_label_f1.len(), 2);
        assert!((s.macro_f1 - (2.0 / 3.0 + 0.0) / 2.0).abs() < 1e-9);
    }

    #[test]
    fn holder_marks() {
        assert_eq!(mark_spans("Lavrov rejected it, Macron not.", &[(20, 26), (0, 6)]), "[[Lavrov]] rejected it, [[Macron]] not.");
        assert_eq!(mark_name("Macron met Macron's allies", "Macron").as_deref(), Some("[[Macron]] met [[Macron]]'s allies"));
        assert!(mark_name("Macron spoke", "Starmer").is_none());
    }

    #[test]
    fn pair_text_format() {
        assert_eq!(pair_text(" Paris Declaration ", "Macron welcomed it."), "query: Paris Declaration\npassage: Macron welcomed it.");
    }
}
