//! Reading weight files (safetensors, PyTorch `.bin`) and copying tensors into a `VarStore` by
//! Hugging Face name. Later files override earlier ones, which is how a fine-tuned overlay is
//! composed with a shared base. A checkpoint saved from a bare encoder (`embeddings.*`) loads into
//! a task model (`bert.embeddings.*`) and the other way round.
use crate::error::{Error, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tch::{nn::VarStore, Tensor};

/// Read every tensor of one weight file.
pub fn read_tensors(path: &Path) -> Result<Vec<(String, Tensor)>> {
    if !path.exists() {
        return Err(Error::model(path, "weight file does not exist"));
    }
    let res = match path.extension().and_then(|e| e.to_str()) {
        Some("safetensors") => Tensor::read_safetensors(path),
        Some("bin") | Some("pt") => Tensor::loadz_multi_with_device(path, tch::Device::Cpu),
        _ => Tensor::load_multi_with_device(path, tch::Device::Cpu),
    };
    res.map_err(|e| Error::torch(format!("reading {}", path.display()), e))
}

/// What `assign` did.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct LoadReport {
    pub loaded: usize,
    /// Variables absent from every file and left at their initial values (allowed heads only).
    pub initialized: Vec<String>,
    /// Tensors in the files that no variable used.
    pub unused: usize,
}

/// Older checkpoints name LayerNorm parameters gamma/beta.
fn legacy_names(name: &str) -> Vec<String> {
    let mut v = Vec::new();
    if let Some(stem) = name.strip_suffix("LayerNorm.weight") {
        v.push(format!("{stem}LayerNorm.gamma"));
    }
    if let Some(stem) = name.strip_suffix("LayerNorm.bias") {
        v.push(format!("{stem}LayerNorm.beta"));
    }
    v
}

/// Copy tensors from `files` (in order; later wins) into `vs`. `prefix` is the task model's
/// encoder prefix (`bert`, `roberta`, `distilbert`): a variable `bert.x` also matches a file
/// tensor `x`. Variables whose name starts with one of `may_init` may be missing (a fresh head);
/// any other missing variable is an error naming it.
pub fn assign(vs: &mut VarStore, files: &[PathBuf], prefix: &str, may_init: &[&str]) -> Result<LoadReport> {
    let mut table: HashMap<String, Tensor> = HashMap::new();
    for f in files {
        for (name, t) in read_tensors(f)? {
            table.insert(name, t);
        }
    }
    let mut report = LoadReport::default();
    let mut used = std::collections::HashSet::new();
    let mut missing = Vec::new();
    let dir = files.first().map(|p| p.as_path()).unwrap_or(Path::new("."));
    for (name, mut var) in vs.variables() {
        let mut candidates = vec![name.clone()];
        if let Some(rest) = name.strip_prefix(&format!("{prefix}.")) {
            candidates.push(rest.to_string());
        } else if !prefix.is_empty() {
            candidates.push(format!("{prefix}.{name}"));
        }
        let extra: Vec<String> = candidates.iter().flat_map(|c| legacy_names(c)).collect();
        candidates.extend(extra);
        match candidates.iter().find(|c| table.contains_key(*c)) {
            Some(key) => {
                let src = &table[key];
                if src.size() != var.size() {
                    return Err(Error::model(
                        dir,
                        format!("tensor {key} has shape {:?}, the model expects {:?} for {name} \
                                 (does config.json match the weights? for a head: does id2label have as many labels as the head has rows?)",
                                src.size(), var.size()),
                    ));
                }
                tch::no_grad(|| var.f_copy_(&src.to_kind(var.kind())))
                    .map_err(|e| Error::torch(format!("copying {key}"), e))?;
                used.insert(key.clone());
                report.loaded += 1;
            }
            None if may_init.iter().any(|p| name.starts_with(p)) => report.initialized.push(name),
            None => missing.push(name),
        }
    }
    if !missing.is_empty() {
        missing.sort();
        let shown: Vec<_> = missing.iter().take(8).cloned().collect();
        return Err(Error::model(
            dir,
            format!("{} model variables missing from the weight files, e.g. {}", missing.len(), shown.join(", ")),
        ));
    }
    // Buffers such as position_ids are not variables; do not count them as unused weights.
    report.unused = table.keys().filter(|k| !used.contains(*k) && !k.ends_with("position_ids")).count();
    report.initialized.sort();
    Ok(report)
}
