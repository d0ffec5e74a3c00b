//! Small fixture models in exact Hugging Face layout (config.json, model.safetensors with the
//! tensor names `transformers` writes, a WordPiece tokenizer.json), with random weights, built
//! by the tests themselves: nothing downloaded, nothing from ../shared.
use std::collections::BTreeMap;
use std::path::Path;
use tch::{Kind, Tensor};

pub const HIDDEN: i64 = 32;
pub const LAYERS: i64 = 2;
pub const HEADS: i64 = 4;
pub const FFN: i64 = 64;
pub const POSITIONS: i64 = 40;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Arch {
    Bert,
    XlmRoberta,
    DistilBert,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Head {
    Token,
    Sequence,
}

pub const NER_LABELS: [&str; 9] = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"];

/// Vocabulary of the fixture tokenizer: specials, ASCII letters and digits, some punctuation,
/// a few non-ASCII letters, and "##" continuations of all of them.
pub fn vocab() -> Vec<String> {
    let mut v: Vec<String> = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"].iter().map(|s| s.to_string()).collect();
    let mut chars: Vec<char> = ('a'..='z').chain('A'..='Z').chain('0'..='9').collect();
    chars.extend(".,;:!?'\"()-«»".chars());
    chars.extend("éèüöäßçñąłżЖжПпУуКкиаїє".chars());
    for c in &chars {
        v.push(c.to_string());
    }
    for c in &chars {
        v.push(format!("##{c}"));
    }
    for w in ["Paris", "Macron", "Starmer", "the", "and", "##er", "##on"] {
        v.push(w.to_string());
    }
    v
}

pub fn tokenizer_json() -> serde_json::Value {
    let vocab: serde_json::Map<String, serde_json::Value> =
        vocab().into_iter().enumerate().map(|(i, t)| (t, serde_json::Value::from(i))).collect();
    let special = |id: usize, content: &str| {
        serde_json::json!({"id": id, "content": content, "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true})
    };
    serde_json::json!({
        "version": "1.0", "truncation": null, "padding": null,
        "added_tokens": [special(0, "[PAD]"), special(1, "[UNK]"), special(2, "[CLS]"), special(3, "[SEP]")],
        "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": false, "lowercase": false},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {"type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 1}}, {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]}, "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}}},
        "decoder": null,
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100, "vocab": vocab}
    })
}

thread_local! {
    /// The fixture's own random state (splitmix64), one per test thread: libtorch's global
    /// generator is shared by the tests running in parallel, so a seed set on one thread did
    /// not decide the draws that followed it (two fixtures of the same seed came out unequal).
    static RNG: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

fn next_u64() -> u64 {
    RNG.with(|r| {
        let x = r.get().wrapping_add(0x9E37_79B9_7F4A_7C15);
        r.set(x);
        let z = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        let z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    })
}

/// Standard normal draws (Box–Muller) times `seed_scale`, from the thread's fixture state.
fn rand(shape: &[i64], seed_scale: f64) -> Tensor {
    let n: i64 = shape.iter().product();
    let uniform = || ((next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
    let v: Vec<f32> = (0..n).map(|_| ((-2.0 * uniform().ln()).sqrt() * (std::f64::consts::TAU * uniform()).cos() * seed_scale) as f32).collect();
    Tensor::from_slice(&v).view(shape)
}

fn linear(t: &mut BTreeMap<String, Tensor>, name: &str, out: i64, inp: i64) {
    t.insert(format!("{name}.weight"), rand(&[out, inp], 0.3));
    t.insert(format!("{name}.bias"), rand(&[out], 0.1));
}

fn layer_norm(t: &mut BTreeMap<String, Tensor>, name: &str) {
    t.insert(format!("{name}.weight"), rand(&[HIDDEN], 0.1) + 1.0);
    t.insert(format!("{name}.bias"), rand(&[HIDDEN], 0.1));
}

/// Write a fixture model directory; returns its labels.
pub fn make_model(dir: &Path, arch: Arch, head: Head, seed: i64) -> Vec<String> {
    make_model_eps(dir, arch, head, seed, if arch == Arch::XlmRoberta { 1e-5 } else { 1e-12 })
}

/// `make_model` with an explicit `layer_norm_eps` (BERT-style configs only).
pub fn make_model_eps(dir: &Path, arch: Arch, head: Head, seed: i64, eps: f64) -> Vec<String> {
    RNG.with(|r| r.set(seed as u64));
    std::fs::create_dir_all(dir).unwrap();
    let v = vocab().len() as i64;
    let labels: Vec<String> = match head {
        Head::Token => NER_LABELS.iter().map(|s| s.to_string()).collect(),
        Head::Sequence => ["favor", "against", "none"].iter().map(|s| s.to_string()).collect(),
    };
    let n = labels.len() as i64;
    let mut t = BTreeMap::new();
    let (model_type, prefix) = match arch {
        Arch::Bert => ("bert", "bert"),
        Arch::XlmRoberta => ("xlm-roberta", "roberta"),
        Arch::DistilBert => ("distilbert", "distilbert"),
    };
    let e = format!("{prefix}.embeddings");
    t.insert(format!("{e}.word_embeddings.weight"), rand(&[v, HIDDEN], 1.0));
    t.insert(format!("{e}.position_embeddings.weight"), rand(&[POSITIONS, HIDDEN], 0.5));
    layer_norm(&mut t, &format!("{e}.LayerNorm"));
    if arch != Arch::DistilBert {
        t.insert(format!("{e}.token_type_embeddings.weight"), rand(&[if arch == Arch::Bert { 2 } else { 1 }, HIDDEN], 0.5));
        t.insert(format!("{e}.position_ids"), Tensor::arange(POSITIONS, (Kind::Int64, tch::Device::Cpu)).unsqueeze(0));
    }
    for l in 0..LAYERS {
        if arch == Arch::DistilBert {
            let p = format!("{prefix}.transformer.layer.{l}");
            for m in ["q_lin", "k_lin", "v_lin", "out_lin"] {
                linear(&mut t, &format!("{p}.attention.{m}"), HIDDEN, HIDDEN);
            }
            layer_norm(&mut t, &format!("{p}.sa_layer_norm"));
            linear(&mut t, &format!("{p}.ffn.lin1"), FFN, HIDDEN);
            linear(&mut t, &format!("{p}.ffn.lin2"), HIDDEN, FFN);
            layer_norm(&mut t, &format!("{p}.output_layer_norm"));
        } else {
            let p = format!("{prefix}.encoder.layer.{l}");
            for m in ["query", "key", "value"] {
                linear(&mut t, &format!("{p}.attention.self.{m}"), HIDDEN, HIDDEN);
            }
            linear(&mut t, &format!("{p}.attention.output.dense"), HIDDEN, HIDDEN);
            layer_norm(&mut t, &format!("{p}.attention.output.LayerNorm"));
            linear(&mut t, &format!("{p}.intermediate.dense"), FFN, HIDDEN);
            linear(&mut t, &format!("{p}.output.dense"), HIDDEN, FFN);
            layer_norm(&mut t, &format!("{p}.output.LayerNorm"));
        }
    }
    match (arch, head) {
        (_, Head::Token) => linear(&mut t, "classifier", n, HIDDEN),
        (Arch::Bert, Head::Sequence) => {
            linear(&mut t, "bert.pooler.dense", HIDDEN, HIDDEN);
            linear(&mut t, "classifier", n, HIDDEN);
        }
        (Arch::XlmRoberta, Head::Sequence) => {
            linear(&mut t, "classifier.dense", HIDDEN, HIDDEN);
            linear(&mut t, "classifier.out_proj", n, HIDDEN);
        }
        (Arch::DistilBert, Head::Sequence) => {
            linear(&mut t, "pre_classifier", HIDDEN, HIDDEN);
            linear(&mut t, "classifier", n, HIDDEN);
        }
    }
    let named: Vec<(String, Tensor)> = t.into_iter().collect();
    Tensor::write_safetensors(&named, dir.join("model.safetensors")).unwrap();
    let id2label: serde_json::Map<String, serde_json::Value> =
        labels.iter().enumerate().map(|(i, l)| (i.to_string(), serde_json::Value::from(l.as_str()))).collect();
    let label2id: serde_json::Map<String, serde_json::Value> =
        labels.iter().enumerate().map(|(i, l)| (l.clone(), serde_json::Value::from(i))).collect();
    let config = match arch {
        Arch::DistilBert => serde_json::json!({
            "model_type": "distilbert", "activation": "gelu", "attention_dropout": 0.1, "dim": HIDDEN, "dropout": 0.1,
            "hidden_dim": FFN, "max_position_embeddings": POSITIONS, "n_heads": HEADS, "n_layers": LAYERS, "qa_dropout": 0.1,
            "seq_classif_dropout": 0.2, "sinusoidal_pos_embds": false, "tie_weights_": true, "vocab_size": v, "initializer_range": 0.02,
            "id2label": id2label, "label2id": label2id, "pad_token_id": 0}),
        _ => serde_json::json!({
            "model_type": model_type, "hidden_act": "gelu", "attention_probs_dropout_prob": 0.1, "hidden_dropout_prob": 0.1,
            "hidden_size": HIDDEN, "initializer_range": 0.02, "intermediate_size": FFN, "max_position_embeddings": POSITIONS,
            "num_attention_heads": HEADS, "num_hidden_layers": LAYERS, "type_vocab_size": if arch == Arch::Bert { 2 } else { 1 },
            "vocab_size": v, "layer_norm_eps": eps,
            "pad_token_id": if arch == Arch::Bert { 0 } else { 1 }, "id2label": id2label, "label2id": label2id}),
    };
    std::fs::write(dir.join("config.json"), serde_json::to_string_pretty(&config).unwrap()).unwrap();
    std::fs::write(dir.join("tokenizer.json"), serde_json::to_string(&tokenizer_json()).unwrap()).unwrap();
    labels
}

/// `annotate` arguments pointing the stance stage at a fixture sequence model (favor / against
/// / none), which also serves as the relevance encoder, so runs need nothing from set-up.
pub fn stance_args(dir: &Path) -> Vec<String> {
    let m = dir.join("stance-fixture");
    if !m.join("config.json").exists() {
        make_model(&m, Arch::Bert, Head::Sequence, 23);
    }
    let p = m.display().to_string();
    // The random fixture tags so many entities that asking it about each (--holder-model all,
    // the default) multiplies the long-document test's time; these tests check the rules' path,
    // and tests/stance.rs the holder model with the shipped weights.
    vec!["--stance-model".into(), p.clone(), "--relevance-model".into(), p, "--holder-model".into(), "off".into()]
}
