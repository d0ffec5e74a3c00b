//! `pactwatch export-model`: write a model directory (a pactwatch overlay on its base, or any
//! directory pactwatch loads) as one self-contained Hugging Face directory: float32
//! `model.safetensors` with `transformers` tensor names, `config.json`, `tokenizer.json` and a
//! `tokenizer_config.json`, loadable by `AutoModelFor*.from_pretrained` (used by
//! scripts/bench_reference.py, so both sides run the very same weights).
use anyhow::Context;
use pactwatch::models::{Classifier, LoadOptions, ModelDir, Task};
use std::path::PathBuf;
use std::process::ExitCode;
use tch::{Kind, Tensor};

#[derive(clap::Args)]
pub struct Args {
    /// Model directory to export (e.g. models/ner-multi)
    model: PathBuf,
    /// Output directory
    #[arg(long)]
    out: PathBuf,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let dir = ModelDir::open(&a.model).with_context(|| format!("opening {}", a.model.display()))?;
    let arch = dir.config["architectures"][0].as_str().unwrap_or("").to_string();
    let task = if arch.ends_with("ForTokenClassification") {
        Task::Token
    } else if arch.ends_with("ForSequenceClassification") {
        Task::Sequence
    } else {
        anyhow::bail!("{}: architectures[0] is {arch:?}; export supports token and sequence classification models", dir.config_path.display());
    };
    let model = Classifier::load(&dir, task, &LoadOptions::default())?;
    std::fs::create_dir_all(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
    let mut named: Vec<(String, Tensor)> = model.vs.variables().into_iter().map(|(n, t)| (n, t.detach().to_kind(Kind::Float))).collect();
    named.sort_by(|x, y| x.0.cmp(&y.0));
    let w = a.out.join("model.safetensors");
    Tensor::write_safetensors(&named, &w).with_context(|| format!("writing {}", w.display()))?;
    std::fs::write(a.out.join("config.json"), serde_json::to_string_pretty(&dir.config)? + "\n")?;
    std::fs::copy(&dir.tokenizer, a.out.join("tokenizer.json")).with_context(|| format!("copying {}", dir.tokenizer.display()))?;
    let tok: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&dir.tokenizer)?)?;
    let has = |t: &str| tok["added_tokens"].as_array().is_some_and(|v| v.iter().any(|x| x["content"] == t));
    let specials = if has("<s>") {
        serde_json::json!({"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "</s>", "cls_token": "<s>", "pad_token": "<pad>", "mask_token": "<mask>"})
    } else {
        serde_json::json!({"unk_token": "[UNK]", "sep_token": "[SEP]", "cls_token": "[CLS]", "pad_token": "[PAD]", "mask_token": "[MASK]"})
    };
    let mut tc = specials;
    tc["tokenizer_class"] = "PreTrainedTokenizerFast".into();
    tc["model_max_length"] = dir.max_positions().into();
    std::fs::write(a.out.join("tokenizer_config.json"), serde_json::to_string_pretty(&tc)? + "\n")?;
    eprintln!("exported {} ({} tensors, {:?}) to {}", a.model.display(), named.len(), task, a.out.display());
    Ok(ExitCode::SUCCESS)
}
