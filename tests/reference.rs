//! An independent forward pass for BERT, XLM-RoBERTa and DistilBERT, written from the
//! Hugging Face `transformers` modelling code and reading tensors straight from
//! model.safetensors by name. The fixture tests check rust-bert's structs (as loaded by
//! pactwatch) against it.
use super::fixture::{Arch, Head, HEADS};
use std::collections::HashMap;
use tch::{Kind, Tensor};

pub struct Reference {
    t: HashMap<String, Tensor>,
    arch: Arch,
    eps: f64,
    pad_id: i64,
}

impl Reference {
    pub fn load(dir: &std::path::Path, arch: Arch) -> Reference {
        let t: HashMap<String, Tensor> = Tensor::read_safetensors(dir.join("model.safetensors")).unwrap().into_iter().collect();
        let cfg: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("config.json")).unwrap()).unwrap();
        let eps = cfg.get("layer_norm_eps").and_then(|v| v.as_f64()).unwrap_or(1e-12);
        let pad_id = cfg.get("pad_token_id").and_then(|v| v.as_i64()).unwrap_or(0);
        Reference { t, arch, eps, pad_id }
    }

    fn w(&self, name: &str) -> &Tensor {
        self.t.get(name).unwrap_or_else(|| panic!("fixture has no tensor {name}"))
    }

    fn lin(&self, x: &Tensor, name: &str) -> Tensor {
        x.matmul(&self.w(&format!("{name}.weight")).tr()) + self.w(&format!("{name}.bias"))
    }

    fn ln(&self, x: &Tensor, name: &str) -> Tensor {
        let mean = x.mean_dim([-1i64].as_slice(), true, Kind::Float);
        let var = (x - &mean).pow_tensor_scalar(2).mean_dim([-1i64].as_slice(), true, Kind::Float);
        (x - mean) / (var + self.eps).sqrt() * self.w(&format!("{name}.weight")) + self.w(&format!("{name}.bias"))
    }

    fn attention(&self, x: &Tensor, mask: &Tensor, q: &str, k: &str, v: &str) -> Tensor {
        let (b, t, h) = x.size3().unwrap();
        let d = h / HEADS;
        let split = |y: Tensor| y.view([b, t, HEADS, d]).transpose(1, 2);
        let (q, k, v) = (split(self.lin(x, q)), split(self.lin(x, k)), split(self.lin(x, v)));
        let bias = (mask.to_kind(Kind::Float).ones_like() - mask.to_kind(Kind::Float)).view([b, 1, 1, t]) * -1e9;
        let scores = q.matmul(&k.transpose(-1, -2)) / (d as f64).sqrt() + bias;
        scores.softmax(-1, Kind::Float).matmul(&v).transpose(1, 2).contiguous().view([b, t, h])
    }

    /// Logits for ids `[b, t]` and mask `[b, t]`.
    pub fn logits(&self, ids: &Tensor, mask: &Tensor, head: Head) -> Tensor {
        let (b, t) = ids.size2().unwrap();
        let p = match self.arch {
            Arch::Bert => "bert",
            Arch::XlmRoberta => "roberta",
            Arch::DistilBert => "distilbert",
        };
        let e = format!("{p}.embeddings");
        let positions = match self.arch {
            // transformers' create_position_ids_from_input_ids: padding_idx + cumulative count
            Arch::XlmRoberta => {
                let m = ids.ne(self.pad_id).to_kind(Kind::Int64);
                m.cumsum(1, Kind::Int64) * &m + self.pad_id
            }
            _ => Tensor::arange(t, (Kind::Int64, tch::Device::Cpu)).unsqueeze(0).expand([b, t], true),
        };
        let mut x = self.w(&format!("{e}.word_embeddings.weight")).index_select(0, &ids.view(-1)).view([b, t, -1])
            + self.w(&format!("{e}.position_embeddings.weight")).index_select(0, &positions.reshape([-1])).view([b, t, -1]);
        if self.arch != Arch::DistilBert {
            x = x + self.w(&format!("{e}.token_type_embeddings.weight")).get(0);
        }
        x = self.ln(&x, &format!("{e}.LayerNorm"));
        let mut l = 0;
        loop {
            if self.arch == Arch::DistilBert {
                let lp = format!("{p}.transformer.layer.{l}");
                if !self.t.contains_key(&format!("{lp}.attention.q_lin.weight")) {
                    break;
                }
                let a = self.attention(&x, mask, &format!("{lp}.attention.q_lin"), &format!("{lp}.attention.k_lin"), &format!("{lp}.attention.v_lin"));
                x = self.ln(&(self.lin(&a, &format!("{lp}.attention.out_lin")) + &x), &format!("{lp}.sa_layer_norm"));
                let f = self.lin(&self.lin(&x, &format!("{lp}.ffn.lin1")).gelu("none"), &format!("{lp}.ffn.lin2"));
                x = self.ln(&(f + &x), &format!("{lp}.output_layer_norm"));
            } else {
                let lp = format!("{p}.encoder.layer.{l}");
                if !self.t.contains_key(&format!("{lp}.attention.self.query.weight")) {
                    break;
                }
                let s = format!("{lp}.attention.self");
                let a = self.attention(&x, mask, &format!("{s}.query"), &format!("{s}.key"), &format!("{s}.value"));
                x = self.ln(&(self.lin(&a, &format!("{lp}.attention.output.dense")) + &x), &format!("{lp}.attention.output.LayerNorm"));
                let f = self.lin(&self.lin(&x, &format!("{lp}.intermediate.dense")).gelu("none"), &format!("{lp}.output.dense"));
                x = self.ln(&(f + &x), &format!("{lp}.output.LayerNorm"));
            }
            l += 1;
        }
        match (head, self.arch) {
            (Head::Token, _) => self.lin(&x, "classifier"),
            (Head::Sequence, Arch::Bert) => self.lin(&self.lin(&x.select(1, 0), "bert.pooler.dense").tanh(), "classifier"),
            (Head::Sequence, Arch::XlmRoberta) => self.lin(&self.lin(&x.select(1, 0), "classifier.dense").tanh(), "classifier.out_proj"),
            (Head::Sequence, Arch::DistilBert) => self.lin(&self.lin(&x.select(1, 0), "pre_classifier").relu(), "classifier"),
        }
    }
}
