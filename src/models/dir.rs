//! A model directory on disk: Hugging Face layout (`config.json`, `model.safetensors` or
//! `pytorch_model.bin`, `tokenizer.json`), or a pactwatch overlay (`overlay.json` naming a base
//! directory whose weights the overlay's tensors override).
use crate::error::{Error, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Encoder families whose rust-bert structs the tool drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Architecture {
    Bert,
    XlmRoberta,
    DistilBert,
}

impl Architecture {
    /// Name prefix of the encoder inside a task model.
    pub fn prefix(self) -> &'static str {
        match self {
            Architecture::Bert => "bert",
            Architecture::XlmRoberta => "roberta",
            Architecture::DistilBert => "distilbert",
        }
    }
    /// Positions usable by tokens (RoBERTa-style models reserve `pad + 1` of them).
    pub fn usable_positions(self, max_position_embeddings: i64) -> i64 {
        match self {
            Architecture::XlmRoberta => max_position_embeddings - 2,
            _ => max_position_embeddings,
        }
    }
}

/// `overlay.json`: a fine-tuned model stored as the tensors that differ from a base.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct Overlay {
    /// Base model directory, relative to the overlay directory.
    pub base: PathBuf,
    /// sha256 of the base's model.safetensors the overlay was trained on.
    pub base_sha256: Option<String>,
    /// Weight file of the overlay, relative to the overlay directory.
    pub weights: PathBuf,
}

#[derive(Debug, Clone)]
pub struct ModelDir {
    pub dir: PathBuf,
    pub config_path: PathBuf,
    pub config: serde_json::Value,
    pub architecture: Architecture,
    /// Weight files, base first; later files override earlier ones.
    pub weights: Vec<PathBuf>,
    pub tokenizer: PathBuf,
    pub overlay: Option<Overlay>,
}

fn find_weights(dir: &Path) -> Result<PathBuf> {
    for name in ["model.safetensors", "pytorch_model.bin", "rust_model.ot"] {
        let p = dir.join(name);
        if p.exists() {
            return Ok(p);
        }
    }
    Err(Error::model(dir, "no weights: expected model.safetensors, pytorch_model.bin or rust_model.ot"))
}

impl ModelDir {
    pub fn open(dir: &Path) -> Result<ModelDir> {
        if !dir.is_dir() {
            return Err(Error::model(dir, "model directory does not exist"));
        }
        let config_path = dir.join("config.json");
        if !config_path.exists() {
            return Err(Error::model(dir, "missing config.json"));
        }
        let text = std::fs::read_to_string(&config_path).map_err(|e| Error::io(&config_path, e))?;
        let config: serde_json::Value = serde_json::from_str(&text)
            .map_err(|source| Error::Config { path: config_path.clone(), source })?;
        let model_type = config.get("model_type").and_then(|v| v.as_str()).unwrap_or("");
        let architecture = match model_type {
            "bert" => Architecture::Bert,
            "xlm-roberta" | "roberta" | "camembert" => Architecture::XlmRoberta,
            "distilbert" => Architecture::DistilBert,
            other => {
                return Err(Error::model(
                    &config_path,
                    format!("unknown architecture model_type={other:?}; supported: bert, xlm-roberta, roberta, camembert, distilbert"),
                ))
            }
        };
        let overlay_path = dir.join("overlay.json");
        let (weights, overlay, base_dir) = if overlay_path.exists() {
            let text = std::fs::read_to_string(&overlay_path).map_err(|e| Error::io(&overlay_path, e))?;
            let ov: Overlay = serde_json::from_str(&text)
                .map_err(|source| Error::Config { path: overlay_path.clone(), source })?;
            let base = dir.join(&ov.base);
            let base_w = find_weights(&base).map_err(|_| {
                Error::model(&base, format!("base model of overlay {} not found: run scripts/setup.sh", dir.display()))
            })?;
            (vec![base_w, dir.join(&ov.weights)], Some(ov), Some(base))
        } else {
            (vec![find_weights(dir)?], None, None)
        };
        let mut tokenizer = dir.join("tokenizer.json");
        if !tokenizer.exists() {
            if let Some(b) = &base_dir {
                tokenizer = b.join("tokenizer.json");
            }
        }
        if !tokenizer.exists() {
            return Err(Error::model(dir, "missing tokenizer.json (the fast-tokenizer file of Hugging Face)"));
        }
        Ok(ModelDir { dir: dir.to_path_buf(), config_path, config, architecture, weights, tokenizer, overlay })
    }

    /// Labels from `id2label`, in id order.
    pub fn labels(&self) -> Result<Vec<String>> {
        let map = self
            .config
            .get("id2label")
            .and_then(|m| m.as_object())
            .ok_or_else(|| Error::model(&self.config_path, "config.json has no id2label: not a classification model"))?;
        let mut labels = vec![None; map.len()];
        for (k, v) in map {
            let i: usize = k.parse().map_err(|_| Error::model(&self.config_path, format!("id2label key {k:?} is not an integer")))?;
            let slot = labels.get_mut(i).ok_or_else(|| {
                Error::model(&self.config_path, format!("id2label ids must be 0..{}; found {i}", map.len()))
            })?;
            *slot = Some(v.as_str().unwrap_or_default().to_string());
        }
        Ok(labels.into_iter().map(|l| l.unwrap_or_default()).collect())
    }

    /// Known ways in which rust-bert's structs depart from this config (printed by the CLI).
    pub fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        let eps = self.config.get("layer_norm_eps").and_then(|v| v.as_f64()).unwrap_or(1e-12);
        if self.architecture != Architecture::DistilBert && (eps - 1e-12).abs() > 1e-15 && super::fast_disabled() {
            w.push(format!(
                "{}: config layer_norm_eps is {eps:e}; with PACTWATCH_RUST_BERT_FORWARD=1 inference runs on rust-bert 0.23, \
                 which uses 1e-12 for every BERT/RoBERTa LayerNorm (logits move by ~1e-5 relative on real models)",
                self.config_path.display()
            ));
        }
        w
    }

    pub fn max_positions(&self) -> i64 {
        let p = self.config.get("max_position_embeddings").and_then(|v| v.as_i64()).unwrap_or(512);
        self.architecture.usable_positions(p)
    }

    /// `config` parsed as a rust-bert config type.
    pub fn typed_config<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_value(self.config.clone())
            .map_err(|source| Error::Config { path: self.config_path.clone(), source })
    }
}
