//! The inference forward of BERT and XLM-R/RoBERTa encoders, written on libtorch's fused
//! kernels: one `gelu` kernel instead of rust-bert's five element-wise ops, fused
//! scaled-dot-product attention, `layer_norm` with the config's `layer_norm_eps` (rust-bert
//! 0.23 fixes 1e-12). It reads the very tensors of the rust-bert structs in the `VarStore`
//! (shallow clones share storage, so training updates are seen), and is used only when no
//! gradient or dropout is needed; training keeps rust-bert's modules.
use super::dir::Architecture;
use std::collections::HashMap;
use tch::{nn::VarStore, Kind, Tensor};

struct Linear {
    w: Tensor,
    b: Tensor,
}

impl Linear {
    fn apply(&self, x: &Tensor) -> Tensor {
        x.linear(&self.w, Some(&self.b))
    }
}

struct Norm {
    w: Tensor,
    b: Tensor,
}

struct Layer {
    query: Linear,
    key: Linear,
    value: Linear,
    attn_out: Linear,
    attn_norm: Norm,
    inter: Linear,
    out: Linear,
    out_norm: Norm,
}

/// Embeddings and encoder layers of one BERT-shaped body.
pub struct FastBody {
    arch: Architecture,
    word: Tensor,
    position: Tensor,
    token_type: Option<Tensor>,
    emb_norm: Norm,
    layers: Vec<Layer>,
    heads: i64,
    eps: f64,
    gelu: &'static str,
    pad_id: i64,
}

impl FastBody {
    /// The body under `prefix` ("bert.", "roberta." or "" for a bare encoder) in `vs`, or None
    /// when the architecture or activation is not covered, or the fused forward is switched off
    /// (`PACTWATCH_RUST_BERT_FORWARD=1`): the caller then keeps rust-bert's forward.
    pub fn from_vs(vs: &VarStore, prefix: &str, arch: Architecture, config: &serde_json::Value) -> Option<FastBody> {
        if arch == Architecture::DistilBert || super::fast_disabled() {
            return None;
        }
        let gelu = match config.get("hidden_act").and_then(|v| v.as_str()).unwrap_or("gelu") {
            "gelu" => "none",
            "gelu_new" | "gelu_pytorch_tanh" => "tanh",
            _ => return None,
        };
        let vars: HashMap<String, Tensor> = vs.variables();
        let t = |name: &str| vars.get(&format!("{prefix}{name}")).map(|v| v.shallow_clone());
        let lin = |name: &str| Some(Linear { w: t(&format!("{name}.weight"))?, b: t(&format!("{name}.bias"))? });
        let norm = |name: &str| Some(Norm { w: t(&format!("{name}.weight"))?, b: t(&format!("{name}.bias"))? });
        let mut layers = Vec::new();
        while let Some(query) = lin(&format!("encoder.layer.{}.attention.self.query", layers.len())) {
            let p = format!("encoder.layer.{}", layers.len());
            layers.push(Layer {
                query,
                key: lin(&format!("{p}.attention.self.key"))?,
                value: lin(&format!("{p}.attention.self.value"))?,
                attn_out: lin(&format!("{p}.attention.output.dense"))?,
                attn_norm: norm(&format!("{p}.attention.output.LayerNorm"))?,
                inter: lin(&format!("{p}.intermediate.dense"))?,
                out: lin(&format!("{p}.output.dense"))?,
                out_norm: norm(&format!("{p}.output.LayerNorm"))?,
            });
        }
        if layers.is_empty() {
            return None;
        }
        Some(FastBody {
            arch,
            word: t("embeddings.word_embeddings.weight")?,
            position: t("embeddings.position_embeddings.weight")?,
            token_type: t("embeddings.token_type_embeddings.weight"),
            emb_norm: norm("embeddings.LayerNorm")?,
            layers,
            heads: config.get("num_attention_heads").and_then(|v| v.as_i64())?,
            eps: config.get("layer_norm_eps").and_then(|v| v.as_f64()).unwrap_or(1e-12),
            gelu,
            pad_id: config.get("pad_token_id").and_then(|v| v.as_i64()).unwrap_or(1),
        })
    }

    fn norm(&self, x: &Tensor, n: &Norm) -> Tensor {
        let h = x.size()[x.dim() - 1];
        x.layer_norm([h], Some(&n.w), Some(&n.b), self.eps, false)
    }

    /// Last hidden states `[batch, tokens, hidden]` of `ids` under the 0/1 `mask`.
    pub fn hidden(&self, ids: &Tensor, mask: &Tensor) -> Tensor {
        let (b, t) = (ids.size()[0], ids.size()[1]);
        let positions = match self.arch {
            // transformers' create_position_ids_from_input_ids: padding_idx + running count.
            Architecture::XlmRoberta => {
                let m = ids.ne(self.pad_id).to_kind(Kind::Int64);
                m.cumsum(1, Kind::Int64) * &m + self.pad_id
            }
            _ => Tensor::arange(t, (Kind::Int64, ids.device())).unsqueeze(0).expand([b, t], true),
        };
        let mut x = Tensor::embedding(&self.word, ids, -1, false, false) + Tensor::embedding(&self.position, &positions, -1, false, false);
        if let Some(tt) = &self.token_type {
            x += tt.get(0);
        }
        let mut x = self.norm(&x, &self.emb_norm);
        let h = x.size()[2];
        let d = h / self.heads;
        // Boolean mask `[batch, 1, 1, tokens]`: true where a key may be attended to.
        let attend = mask.ne(0).view([b, 1, 1, t]);
        for l in &self.layers {
            let split = |y: Tensor| y.view([b, t, self.heads, d]).transpose(1, 2);
            let (q, k, v) = (split(l.query.apply(&x)), split(l.key.apply(&x)), split(l.value.apply(&x)));
            let ctx = Tensor::scaled_dot_product_attention(&q, &k, &v, Some(&attend), 0.0, false, None);
            let ctx = ctx.transpose(1, 2).reshape([b, t, h]);
            let a = self.norm(&(l.attn_out.apply(&ctx) + &x), &l.attn_norm);
            let f = l.out.apply(&l.inter.apply(&a).gelu(self.gelu));
            x = self.norm(&(f + &a), &l.out_norm);
        }
        x
    }
}
