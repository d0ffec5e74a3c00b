//! Transformer models: a model directory (`dir`), weight loading (`weights`) and the task models
//! the pipeline drives, built from rust-bert's structs. Inputs travel as one named struct.
pub mod dir;
pub mod fast;
pub mod weights;
pub mod convert;
pub mod stance;
pub mod passes;

pub use dir::{Architecture, ModelDir};
use crate::error::{Error, Result};
use rust_bert::bert::{BertConfig, BertEmbeddings, BertForSequenceClassification, BertForTokenClassification, BertModel};
use rust_bert::distilbert::{DistilBertConfig, DistilBertForTokenClassification, DistilBertModel, DistilBertModelClassifier};
use rust_bert::roberta::{RobertaEmbeddings, RobertaForSequenceClassification, RobertaForTokenClassification};
use tch::{nn::VarStore, Device, Kind, Tensor};

/// One padded batch: token ids and attention mask, both `[batch, tokens]` int64.
pub struct ModelInputs {
    pub ids: Tensor,
    pub mask: Tensor,
}

impl ModelInputs {
    /// Right-pad `rows` with `pad_id` into a batch.
    pub fn from_rows(rows: &[&[i64]], pad_id: i64, device: Device) -> ModelInputs {
        let width = rows.iter().map(|r| r.len()).max().unwrap_or(0);
        let mut ids = Vec::with_capacity(rows.len() * width);
        let mut mask = Vec::with_capacity(rows.len() * width);
        for r in rows {
            ids.extend_from_slice(r);
            ids.extend(std::iter::repeat(pad_id).take(width - r.len()));
            mask.extend(std::iter::repeat(1i64).take(r.len()));
            mask.extend(std::iter::repeat(0i64).take(width - r.len()));
        }
        let shape = [rows.len() as i64, width as i64];
        ModelInputs {
            ids: Tensor::from_slice(&ids).view(shape).to_device(device),
            mask: Tensor::from_slice(&mask).view(shape).to_device(device),
        }
    }
}

/// The numeric precision of the encoders' dense layers at inference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// The weights as stored (fp32 in memory)
    #[default]
    Fp32,
    /// Dynamic int8 quantization of every encoder layer's linear layers: int8 weights (a
    /// scale per output row), activations quantized per token at each call; embeddings,
    /// norms and heads stay fp32
    Int8,
    /// int8 where this CPU's int8 kernel is exact at 8-bit weights (AVX-512 VNNI), fp32 where
    /// it saturates (AVX2 only), whose 7-bit weights flipped a borderline entity of the sample
    /// corpus ("Vladimir Poutine" split into PER + LOC; `docs/performance.md`, "int8")
    Auto,
}

impl Precision {
    /// What `self` means on this CPU: `Auto` becomes `Int8` or `Fp32`.
    pub fn resolved(self) -> Precision {
        match self {
            Precision::Auto if fast::int8_weight_levels() == Some(127.0) => Precision::Int8,
            Precision::Auto => Precision::Fp32,
            p => p,
        }
    }
}

/// How to load a task model.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub device: Device,
    /// Labels for a new head (training from a base encoder); `None` reads config.json's id2label.
    pub new_head_labels: Option<Vec<String>>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions { device: Device::Cpu, new_head_labels: None }
    }
}

fn config_with_labels(dir: &ModelDir, labels: &[String]) -> serde_json::Value {
    let mut cfg = dir.config.clone();
    let id2label: serde_json::Map<String, serde_json::Value> =
        labels.iter().enumerate().map(|(i, l)| (i.to_string(), serde_json::Value::from(l.as_str()))).collect();
    let label2id: serde_json::Map<String, serde_json::Value> =
        labels.iter().enumerate().map(|(i, l)| (l.clone(), serde_json::Value::from(i))).collect();
    cfg["id2label"] = serde_json::Value::Object(id2label);
    cfg["label2id"] = serde_json::Value::Object(label2id);
    cfg
}

fn typed<T: serde::de::DeserializeOwned>(dir: &ModelDir, value: serde_json::Value) -> Result<T> {
    serde_json::from_value(value).map_err(|source| Error::Config { path: dir.config_path.clone(), source })
}

fn rb(dir: &ModelDir, e: rust_bert::RustBertError) -> Error {
    Error::model(&dir.dir, e.to_string())
}

enum TokenHead {
    Bert(BertForTokenClassification),
    Roberta(RobertaForTokenClassification),
    DistilBert(DistilBertForTokenClassification),
}

enum SequenceHead {
    Bert(BertForSequenceClassification),
    Roberta(RobertaForSequenceClassification),
    DistilBert(DistilBertModelClassifier),
}

/// What one model's forward passes processed, for FLOP accounting (`pactwatch bench`).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct PassStats {
    pub forward_s: f64,
    pub batches: usize,
    pub sequences: usize,
    /// Real tokens (special tokens included, padding excluded).
    pub tokens: usize,
    /// Tokens including padding (batch width × rows).
    pub padded_tokens: usize,
    /// Σ over sequences of length² (the attention term).
    pub sum_len_sq: f64,
}

impl PassStats {
    /// Count one batch of `rows` and its forward time.
    pub fn record(&mut self, rows: &[&[i64]], seconds: f64) {
        let width = rows.iter().map(|r| r.len()).max().unwrap_or(0);
        self.forward_s += seconds;
        self.batches += 1;
        self.sequences += rows.len();
        self.tokens += rows.iter().map(|r| r.len()).sum::<usize>();
        self.padded_tokens += width * rows.len();
        self.sum_len_sq += rows.iter().map(|r| (r.len() * r.len()) as f64).sum::<f64>();
    }

    /// Useful forward FLOPs for a BERT-shaped encoder described by `config`: 2 × non-embedding
    /// parameters per real token (every dense layer) plus 4 × layers × hidden × length² per
    /// sequence (QKᵀ and attention × V). Padding is not useful work and is not counted.
    pub fn flops(&self, config: &serde_json::Value) -> f64 {
        let g = |k: &str, alt: &str| config.get(k).or_else(|| config.get(alt)).and_then(|v| v.as_f64()).unwrap_or(0.0);
        let (h, f, l) = (g("hidden_size", "dim"), g("intermediate_size", "hidden_dim"), g("num_hidden_layers", "n_layers"));
        let per_layer = 4.0 * (h * h + h) + (h * f + f) + (f * h + h) + 4.0 * h;
        2.0 * l * per_layer * self.tokens as f64 + 4.0 * l * h * self.sum_len_sq
    }
}

/// The classification head on top of `fast::FastBody` (the same tensors as rust-bert's head).
enum FastHead {
    /// `classifier` on every token
    Token(Tensor, Tensor),
    /// `pooler` (BERT: `bert.pooler.dense`; RoBERTa: `classifier.dense`) + tanh on the first
    /// token, then `classifier` / `classifier.out_proj`
    Sequence { pool: (Tensor, Tensor), out: (Tensor, Tensor) },
}

/// Whether the fused inference forward is switched off (`PACTWATCH_RUST_BERT_FORWARD=1`: use
/// rust-bert's modules for inference too; for A/B timing and checks).
pub(crate) fn fast_disabled() -> bool {
    std::env::var("PACTWATCH_RUST_BERT_FORWARD").is_ok_and(|v| v == "1")
}

fn fast_for(vs: &VarStore, dir: &ModelDir, task: Task) -> Option<(fast::FastBody, FastHead)> {
    let prefix = format!("{}.", dir.architecture.prefix());
    let body = fast::FastBody::from_vs(vs, &prefix, dir.architecture, &dir.config)?;
    let vars = vs.variables();
    let lin = |n: &str| Some((vars.get(&format!("{n}.weight"))?.shallow_clone(), vars.get(&format!("{n}.bias"))?.shallow_clone()));
    let head = match (task, dir.architecture) {
        (Task::Token, _) => {
            let (w, b) = lin("classifier")?;
            FastHead::Token(w, b)
        }
        (Task::Sequence, Architecture::Bert) => FastHead::Sequence { pool: lin("bert.pooler.dense")?, out: lin("classifier")? },
        (Task::Sequence, Architecture::XlmRoberta) => FastHead::Sequence { pool: lin("classifier.dense")?, out: lin("classifier.out_proj")? },
        (Task::Sequence, Architecture::DistilBert) => return None,
    };
    Some((body, head))
}

/// Let `other` use `keep`'s storage for every word-embedding table the two hold with equal
/// shape and values (models fine-tuned from one base with the table frozen carry identical
/// copies: 96 M floats, 384 MB each for e5-small). Returns the bytes released. Only for
/// inference: the two tables are one tensor afterwards.
pub fn share_word_embeddings(keep: &VarStore, other: &VarStore) -> usize {
    let suffix = "word_embeddings.weight";
    let Some(k) = keep.variables().into_iter().find(|(n, _)| n.ends_with(suffix)).map(|(_, t)| t) else { return 0 };
    let mut freed = 0;
    for (_, mut t) in other.variables().into_iter().filter(|(n, _)| n.ends_with(suffix)) {
        if t.size() == k.size() && t.kind() == k.kind() && t.data_ptr() != k.data_ptr() && tch::no_grad(|| t.equal(&k)) {
            freed += t.numel() * t.kind().elt_size_in_bytes();
            tch::no_grad(|| t.set_data(&k));
        }
    }
    freed
}

/// Which kind of head a task model carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    Token,
    Sequence,
}

/// A transformer with a classification head: per token (NER) or per sequence (stance).
pub struct Classifier {
    pub vs: VarStore,
    pub labels: Vec<String>,
    pub dir: ModelDir,
    pub report: weights::LoadReport,
    token: Option<TokenHead>,
    sequence: Option<SequenceHead>,
    fast: Option<(fast::FastBody, FastHead)>,
}

impl Classifier {
    pub fn load(dir: &ModelDir, task: Task, opts: &LoadOptions) -> Result<Classifier> {
        let labels = match &opts.new_head_labels {
            Some(l) => l.clone(),
            None => dir.labels()?,
        };
        if labels.is_empty() {
            return Err(Error::model(&dir.config_path, "id2label is empty"));
        }
        let cfg = config_with_labels(dir, &labels);
        let mut vs = VarStore::new(opts.device);
        let root = vs.root();
        let (mut token, mut sequence) = (None, None);
        let head_names: &[&str] = match (dir.architecture, task) {
            (Architecture::Bert, Task::Token) => {
                let c: BertConfig = typed(dir, cfg)?;
                token = Some(TokenHead::Bert(BertForTokenClassification::new(&root, &c).map_err(|e| rb(dir, e))?));
                &["classifier."]
            }
            (Architecture::XlmRoberta, Task::Token) => {
                let c: BertConfig = typed(dir, cfg)?;
                token = Some(TokenHead::Roberta(RobertaForTokenClassification::new(&root, &c).map_err(|e| rb(dir, e))?));
                &["classifier."]
            }
            (Architecture::DistilBert, Task::Token) => {
                let c: DistilBertConfig = typed(dir, cfg)?;
                token = Some(TokenHead::DistilBert(DistilBertForTokenClassification::new(&root, &c).map_err(|e| rb(dir, e))?));
                &["classifier."]
            }
            (Architecture::Bert, Task::Sequence) => {
                let c: BertConfig = typed(dir, cfg)?;
                sequence = Some(SequenceHead::Bert(BertForSequenceClassification::new(&root, &c).map_err(|e| rb(dir, e))?));
                &["classifier.", "bert.pooler."]
            }
            (Architecture::XlmRoberta, Task::Sequence) => {
                let c: BertConfig = typed(dir, cfg)?;
                sequence = Some(SequenceHead::Roberta(RobertaForSequenceClassification::new(&root, &c).map_err(|e| rb(dir, e))?));
                &["classifier."]
            }
            (Architecture::DistilBert, Task::Sequence) => {
                let c: DistilBertConfig = typed(dir, cfg)?;
                sequence = Some(SequenceHead::DistilBert(DistilBertModelClassifier::new(&root, &c).map_err(|e| rb(dir, e))?));
                &["classifier.", "pre_classifier."]
            }
        };
        let may_init: &[&str] = if opts.new_head_labels.is_some() { head_names } else { &[] };
        let report = weights::assign(&mut vs, &dir.weights, dir.architecture.prefix(), may_init)?;
        let fast = fast_for(&vs, dir, task);
        Ok(Classifier { vs, labels, dir: dir.clone(), report, token, sequence, fast })
    }

    /// Run inference at `precision`. False when the model has no fused forward (DistilBERT, or
    /// `PACTWATCH_RUST_BERT_FORWARD=1`) or this CPU no int8 kernel, and so stays fp32.
    /// Inference only: the int8 copies do not follow training updates.
    pub fn set_precision(&mut self, precision: Precision) -> bool {
        set_body_precision(self.fast.as_mut().map(|(b, _)| b), precision)
    }

    /// Whether inference runs on the fused forward (`fast`) rather than rust-bert's modules.
    pub fn uses_fused_forward(&self) -> bool {
        self.fast.is_some()
    }

    /// Logits: `[batch, tokens, labels]` for a token head, `[batch, labels]` for a sequence head.
    pub fn logits(&self, x: &ModelInputs, train: bool) -> Result<Tensor> {
        let ids = Some(&x.ids);
        let mask = Some(&x.mask);
        let err = |e: rust_bert::RustBertError| rb(&self.dir, e);
        if let (false, Some((body, head))) = (train, &self.fast) {
            let h = body.hidden(&x.ids, &x.mask);
            return Ok(match head {
                FastHead::Token(w, b) => h.linear(w, Some(b)),
                FastHead::Sequence { pool, out } => h.select(1, 0).linear(&pool.0, Some(&pool.1)).tanh().linear(&out.0, Some(&out.1)),
            });
        }
        if let Some(h) = &self.token {
            return Ok(match h {
                TokenHead::Bert(m) => m.forward_t(ids, mask, None, None, None, train).logits,
                TokenHead::Roberta(m) => m.forward_t(ids, mask, None, None, None, train).logits,
                TokenHead::DistilBert(m) => m.forward_t(ids, mask, None, train).map_err(err)?.logits,
            });
        }
        match self.sequence.as_ref().expect("a Classifier holds a token or a sequence head") {
            SequenceHead::Bert(m) => Ok(m.forward_t(ids, mask, None, None, None, train).logits),
            SequenceHead::Roberta(m) => Ok(m.forward_t(ids, mask, None, None, None, train).logits),
            SequenceHead::DistilBert(m) => Ok(m.forward_t(ids, mask, None, train).map_err(err)?.logits),
        }
    }
}

enum EncoderBody {
    Bert(BertModel<BertEmbeddings>),
    Roberta(BertModel<RobertaEmbeddings>),
    DistilBert(DistilBertModel),
}

/// A bare encoder giving hidden states and mean-pooled sentence embeddings.
pub struct Encoder {
    pub vs: VarStore,
    pub dir: ModelDir,
    body: EncoderBody,
    fast: Option<fast::FastBody>,
}

impl Encoder {
    pub fn load(dir: &ModelDir, device: Device) -> Result<Encoder> {
        let mut vs = VarStore::new(device);
        let root = vs.root();
        let body = match dir.architecture {
            Architecture::Bert => {
                EncoderBody::Bert(BertModel::new_with_optional_pooler(&root, &dir.typed_config::<BertConfig>()?, false))
            }
            Architecture::XlmRoberta => {
                EncoderBody::Roberta(BertModel::new_with_optional_pooler(&root, &dir.typed_config::<BertConfig>()?, false))
            }
            Architecture::DistilBert => EncoderBody::DistilBert(DistilBertModel::new(&root, &dir.typed_config::<DistilBertConfig>()?)),
        };
        weights::assign(&mut vs, &dir.weights, dir.architecture.prefix(), &[])?;
        let fast = fast::FastBody::from_vs(&vs, "", dir.architecture, &dir.config);
        Ok(Encoder { vs, dir: dir.clone(), body, fast })
    }

    /// As [`Classifier::set_precision`].
    pub fn set_precision(&mut self, precision: Precision) -> bool {
        set_body_precision(self.fast.as_mut(), precision)
    }

    /// Last hidden states `[batch, tokens, hidden]`.
    pub fn hidden(&self, x: &ModelInputs) -> Result<Tensor> {
        let err = |e: rust_bert::RustBertError| rb(&self.dir, e);
        if let Some(f) = &self.fast {
            return Ok(f.hidden(&x.ids, &x.mask));
        }
        Ok(match &self.body {
            EncoderBody::Bert(m) => m.forward_t(Some(&x.ids), Some(&x.mask), None, None, None, None, None, false).map_err(err)?.hidden_state,
            EncoderBody::Roberta(m) => m.forward_t(Some(&x.ids), Some(&x.mask), None, None, None, None, None, false).map_err(err)?.hidden_state,
            EncoderBody::DistilBert(m) => m.forward_t(Some(&x.ids), Some(&x.mask), None, false).map_err(err)?.hidden_state,
        })
    }

    /// Mean over unmasked tokens, L2-normalised: `[batch, hidden]`.
    pub fn mean_pooled(&self, x: &ModelInputs) -> Result<Tensor> {
        let h = tch::no_grad(|| self.hidden(x))?;
        let m = x.mask.to_kind(Kind::Float).unsqueeze(-1);
        let sum = (h * &m).sum_dim_intlist([1i64].as_slice(), false, Kind::Float);
        let n = m.sum_dim_intlist([1i64].as_slice(), false, Kind::Float).clamp_min(1e-9);
        let mean = sum / n;
        let norm = mean.norm_scalaropt_dim(2.0, [1i64].as_slice(), true).clamp_min(1e-12);
        Ok(mean / norm)
    }
}

fn set_body_precision(body: Option<&mut fast::FastBody>, precision: Precision) -> bool {
    match (precision.resolved(), body) {
        // No int8 kernel on this CPU: the model stays fp32, as one without a fused forward.
        (Precision::Int8, Some(b)) => b.quantize_int8(),
        // No fused forward: an explicit int8 is reported; for auto, fp32 is what it means there.
        (Precision::Int8, None) => precision == Precision::Auto,
        // `resolved` gives Int8 or Fp32 only.
        _ => true,
    }
}
