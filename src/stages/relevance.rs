//! The embedding half of relevance: cosine between the target's description (e5 "query: ") and
//! each sentence (e5 "passage: "), mean-pooled and L2-normalised as multilingual-e5 was
//! trained. Combined with `target::Target::match_text` by the stance stage; each target's
//! threshold is calibrated with `pactwatch eval relevance`.
use crate::stages::encoding::TextTokenizer;
use crate::error::{Error, Result};
use crate::models::{Encoder, ModelDir, ModelInputs, Precision};
use crate::target::Target;
use crate::stages::window;
use tch::{Device, Kind, Tensor};

pub struct Relevance {
    tok: TextTokenizer,
    enc: Encoder,
    /// One row per target: `[targets, hidden]`.
    targets: Tensor,
    /// Tokens per model input, special tokens included.
    pub max_tokens: usize,
    pub batch_size: usize,
    /// What the encoder's forward passes processed (for FLOP accounting).
    pub stats: std::cell::RefCell<crate::models::PassStats>,
    /// The run's pass journal (`models::passes`), when it writes an output directory.
    pub passes: Option<crate::models::passes::SharedPasses>,
}

impl Relevance {
    pub fn load(dir: &ModelDir, targets: &[Target], device: Device) -> Result<Relevance> {
        Relevance::load_at(dir, targets, device, Precision::Fp32).map(|(r, _)| r)
    }

    /// As `load`, the encoder at `precision` (the targets are embedded at it too); the flag says
    /// whether the precision could be applied (see `Encoder::set_precision`).
    pub fn load_at(dir: &ModelDir, targets: &[Target], device: Device, precision: Precision) -> Result<(Relevance, bool)> {
        let tok = TextTokenizer::from_file(&dir.tokenizer)?;
        let mut enc = Encoder::load(dir, device)?;
        let applied = enc.set_precision(precision);
        let mut r = Relevance { tok, enc, targets: Tensor::zeros([0], (Kind::Float, device)), max_tokens: 256.min(dir.max_positions() as usize), batch_size: 16, stats: Default::default(), passes: None };
        let queries: Vec<String> = targets.iter().map(|t| format!("query: {}", t.description)).collect();
        r.targets = r.embed(&queries)?;
        Ok((r, applied))
    }

    /// The encoder's variables (for `model::share_word_embeddings`).
    pub fn encoder_vs(&self) -> &tch::nn::VarStore {
        &self.enc.vs
    }

    pub fn dir(&self) -> &ModelDir {
        &self.enc.dir
    }

    /// Mean-pooled, normalised embeddings of `texts` (as given: the caller adds prefixes).
    /// A text longer than `max_tokens` is embedded window by window and the windows averaged.
    pub fn embed(&self, texts: &[String]) -> Result<Tensor> {
        let n_special = self.tok.n_special();
        let mut rows: Vec<(usize, Vec<i64>)> = Vec::new();
        for (i, t) in texts.iter().enumerate() {
            let ids: Vec<i64> = self
                .tok
                .encode(t)
                .map_err(|source| Error::Encode { doc_id: format!("text {i}"), source })?
                .iter()
                .map(|x| x.id)
                .collect();
            for w in window::plan(ids.len(), self.max_tokens - n_special, 0) {
                rows.push((i, self.tok.frame(&ids[w.start..w.end])));
            }
        }
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by_key(|&k| rows[k].1.len());
        let hidden = self.enc.dir.config.get("hidden_size").or_else(|| self.enc.dir.config.get("dim")).and_then(|v| v.as_i64()).unwrap_or(384);
        let mut sums = Tensor::zeros([texts.len() as i64, hidden], (Kind::Float, Device::Cpu));
        let mut counts = Tensor::zeros([texts.len() as i64, 1], (Kind::Float, Device::Cpu));
        for chunk in order.chunks(self.batch_size.max(1)) {
            let batch: Vec<&[i64]> = chunk.iter().map(|&k| rows[k].1.as_slice()).collect();
            let x = ModelInputs::from_rows(&batch, self.tok.pad_id, self.enc.vs.device());
            let tf = std::time::Instant::now();
            let v = crate::models::passes::through(self.passes.as_ref(), "relevance", &batch, || Ok(self.enc.mean_pooled(&x)?.to_device(Device::Cpu)))?;
            self.stats.borrow_mut().record(&batch, tf.elapsed().as_secs_f64());
            let owners = Tensor::from_slice(&chunk.iter().map(|&k| rows[k].0 as i64).collect::<Vec<_>>());
            let _ = sums.index_add_(0, &owners, &v);
            let _ = counts.index_add_(0, &owners, &Tensor::ones([chunk.len() as i64, 1], (Kind::Float, Device::Cpu)));
        }
        let mean = sums / counts.clamp_min(1.0);
        let norm = mean.norm_scalaropt_dim(2.0, [1i64].as_slice(), true).clamp_min(1e-12);
        Ok(mean / norm)
    }

    /// Cosine of every sentence with every target: `result[sentence][target]`.
    pub fn scores(&self, sentences: &[&str]) -> Result<Vec<Vec<f32>>> {
        if sentences.is_empty() {
            return Ok(Vec::new());
        }
        let passages: Vec<String> = sentences.iter().map(|s| format!("passage: {s}")).collect();
        let e = self.embed(&passages)?;
        let sim = e.matmul(&self.targets.to_device(Device::Cpu).tr()).contiguous();
        let n_t = self.targets.size()[0] as usize;
        let flat = Vec::<f32>::try_from(sim.view(-1)).map_err(|e| Error::torch("reading similarities", e))?;
        Ok(flat.chunks(n_t.max(1)).map(|c| c.to_vec()).collect())
    }
}
