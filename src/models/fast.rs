//! The inference forward of BERT and XLM-R/RoBERTa encoders, written on libtorch's fused
//! kernels: one `gelu` kernel instead of rust-bert's five element-wise ops, fused
//! scaled-dot-product attention, `layer_norm` with the config's `layer_norm_eps` (rust-bert
//! 0.23 fixes 1e-12). It reads the very tensors of the rust-bert structs in the `VarStore`
//! (shallow clones share storage, so training updates are seen), and is used only when no
//! gradient or dropout is needed; training keeps rust-bert's modules.
use super::dir::Architecture;
use std::collections::HashMap;
use tch::{nn::VarStore, Kind, Tensor};

/// A dense layer: the model's fp32 weight, or (after `FastBody::quantize_int8`) its int8 copy
/// with the activations quantized per token at each call (dynamic quantization).
enum Linear {
    F32 { w: Tensor, b: Tensor },
    Int8(Int8Linear),
}

/// Each output row of the weight quantized symmetrically on its own scale (max |w| / 127);
/// each token's activations quantized symmetrically on their own scale at every call; the
/// int8 × int8 → int32 product by libtorch's `_int_mm` (oneDNN on x86-64), then both scales
/// and the bias applied to it. A scale per token, not one per call over the whole batch (the
/// scheme of fbgemm's and `quantize_dynamic`'s dynamic linear), keeps one token with large
/// activations from coarsening every other token's: NER dev F1 within 0.15 of fp32 on the
/// four sets where the per-call scale lost 0.4 to 0.7 (`docs/performance.md`, "int8").
struct Int8Linear {
    /// `[in, out]`: the int8 weight transposed, as `_int_mm` takes it.
    qt: Tensor,
    /// `[out]`: the weight rows' scales.
    scales: Tensor,
    b: Tensor,
}

impl Linear {
    fn apply(&self, x: &Tensor) -> Tensor {
        match self {
            Linear::F32 { w, b } => x.linear(w, Some(b)),
            Linear::Int8(l) => l.apply(x).expect("_int_mm was probed in quantize_int8"),
        }
    }
}

/// The largest weight level `_int_mm` multiplies exactly on this CPU, probed once: 127, or 63
/// where its kernel saturates (x86-64 without AVX-512 VNNI: oneDNN's AVX2 path adds pairs of
/// u8 × s8 products in 16 bits, so 255 · 127 · 2 overflows and logits come out wrong, e.g. on
/// AMD EPYC with AVX2 only); None when `_int_mm` cannot run or is wrong even then.
pub fn int8_weight_levels() -> Option<f64> {
    static LEVELS: std::sync::OnceLock<Option<f64>> = std::sync::OnceLock::new();
    *LEVELS.get_or_init(|| {
        let exact = |wl: f64| -> bool {
            tch::no_grad(|| {
                // Extreme activations and weights of both signs, inner width 64: every pair
                // sum of the AVX2 kernel reaches 255 · wl · 2.
                let a = Tensor::from_slice(&(0..4 * 64).map(|i| if (i / 3) % 2 == 0 { 127.0f32 } else { -127.0 }).collect::<Vec<_>>()).view([4, 64]);
                let b = Tensor::from_slice(&(0..64 * 8).map(|i| if (i / 5) % 2 == 0 { wl as f32 } else { -(wl as f32) }).collect::<Vec<_>>()).view([64, 8]);
                let want = a.matmul(&b);
                match a.to_kind(Kind::Int8).f_internal_int_mm(&b.to_kind(Kind::Int8)) {
                    Ok(got) => got.to_kind(Kind::Float).equal(&want),
                    Err(_) => false,
                }
            })
        };
        [127.0, 63.0].into_iter().find(|&wl| exact(wl))
    })
}

impl Int8Linear {
    /// `levels`: the largest weight level (127, or 63 where `_int_mm` saturates beyond it).
    fn new(w: &Tensor, b: &Tensor, levels: f64) -> Int8Linear {
        tch::no_grad(|| {
            let w = w.to_kind(Kind::Float).contiguous();
            let scales = (w.abs().amax([1i64].as_slice(), false) / levels).clamp_min(1e-12);
            let q = (&w / scales.unsqueeze(1)).round().clamp(-levels, levels).to_kind(Kind::Int8);
            Int8Linear { qt: q.transpose(0, 1).contiguous(), scales, b: b.to_kind(Kind::Float).contiguous() }
        })
    }

    /// `x · wᵀ + b` with `x` `[..., in]` quantized per token.
    fn apply(&self, x: &Tensor) -> Result<Tensor, tch::TchError> {
        let mut shape = x.size();
        let x2 = x.reshape([-1, *shape.last().unwrap_or(&0)]);
        let amax = x2.abs().amax([1i64].as_slice(), true).clamp_min_(1e-8);
        let mut xs: Tensor = &x2 * (amax.reciprocal() * 127.0);
        let mut y = xs.round_().to_kind(Kind::Int8).f_internal_int_mm(&self.qt)?.to_kind(Kind::Float);
        y *= amax / 127.0;
        let y = self.b.addcmul(&y, &self.scales);
        if let Some(last) = shape.last_mut() {
            *last = self.qt.size()[1];
        }
        Ok(y.view(shape.as_slice()))
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
        let lin = |name: &str| Some(Linear::F32 { w: t(&format!("{name}.weight"))?, b: t(&format!("{name}.bias"))? });
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

    /// Replace every encoder layer's dense weights by int8 copies ([`Int8Linear`]: a scale
    /// per weight row, the activations quantized per token at each call). Embeddings, layer
    /// norms and the task head stay fp32. The copies do not follow later changes to the
    /// weights: inference only. False, and nothing replaced, when this CPU or libtorch build
    /// cannot run `_int_mm`.
    pub fn quantize_int8(&mut self) -> bool {
        let Some(levels) = int8_weight_levels() else { return false };
        for l in &mut self.layers {
            for lin in [&mut l.query, &mut l.key, &mut l.value, &mut l.attn_out, &mut l.inter, &mut l.out] {
                if let Linear::F32 { w, b } = lin {
                    *lin = Linear::Int8(Int8Linear::new(w, b, levels));
                }
            }
        }
        true
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_mm_is_exact_at_the_probed_weight_levels() {
        let levels = int8_weight_levels().expect("this libtorch runs _int_mm");
        let cpu = (Kind::Float, tch::Device::Cpu);
        tch::manual_seed(3);
        // Random int8 activations of full range, weights up to the probed level, inner widths
        // that are and are not multiples of the kernels' blocks.
        for k in [64, 384, 37] {
            let a = (Tensor::rand([32, k], cpu) * 254.0 - 127.0).round();
            let b = (Tensor::rand([k, 48], cpu) * (2.0 * levels) - levels).round();
            let got = a.to_kind(Kind::Int8).internal_int_mm(&b.to_kind(Kind::Int8)).to_kind(Kind::Float);
            assert!(got.equal(&a.matmul(&b)), "k {k}: _int_mm differs from the exact product at levels {levels}");
        }
    }

    #[test]
    fn int8_linear_is_close_to_fp32_and_keeps_leading_dims() {
        tch::manual_seed(7);
        let w = Tensor::randn([48, 64], (Kind::Float, tch::Device::Cpu)) * 0.05;
        let b = Tensor::randn([48], (Kind::Float, tch::Device::Cpu)) * 0.1;
        let x = Tensor::randn([3, 5, 64], (Kind::Float, tch::Device::Cpu));
        let f = Linear::F32 { w: w.shallow_clone(), b: b.shallow_clone() };
        let q = Linear::Int8(Int8Linear::new(&w, &b, int8_weight_levels().unwrap()));
        let (yf, yq) = (f.apply(&x), q.apply(&x));
        assert_eq!(yq.size(), vec![3, 5, 48]);
        let rel = (&yq - &yf).norm().double_value(&[]) / yf.norm().double_value(&[]);
        // int8 weights and activations: about 1 % relative error on Gaussian data; a wrong
        // scale or transposition gives errors of order 1.
        assert!(rel < 0.03, "relative error {rel}");
        assert!(rel > 0.0, "the int8 path must not be the fp32 one");
    }

    #[test]
    fn one_token_with_large_activations_does_not_coarsen_the_others() {
        tch::manual_seed(11);
        let cpu = (Kind::Float, tch::Device::Cpu);
        let w = Tensor::randn([40, 24], cpu) * 0.05;
        let b = Tensor::zeros([40], cpu);
        // 16 tokens, the first 500 times larger than the rest (as the first token's states
        // are in many encoders); one lone token; an inner width that is no multiple of 8.
        let x = Tensor::randn([16, 24], cpu);
        let _ = x.get(0).g_mul_scalar_(500.0);
        let f = Linear::F32 { w: w.shallow_clone(), b: b.shallow_clone() };
        let q = Linear::Int8(Int8Linear::new(&w, &b, int8_weight_levels().unwrap()));
        let (yf, yq) = (f.apply(&x), q.apply(&x));
        let rest = |y: &Tensor| y.narrow(0, 1, 15);
        let rel = (rest(&yq) - rest(&yf)).norm().double_value(&[]) / rest(&yf).norm().double_value(&[]);
        // One scale for the whole call would leave the small tokens about 2 levels of 255.
        assert!(rel < 0.03, "relative error of the small tokens {rel}");
        let one = x.narrow(0, 3, 1);
        assert_eq!(q.apply(&one).size(), vec![1, 40]);
        let w7 = Tensor::randn([8, 7], cpu);
        let q7 = Linear::Int8(Int8Linear::new(&w7, &Tensor::zeros([8], cpu), int8_weight_levels().unwrap()));
        assert_eq!(q7.apply(&Tensor::randn([2, 3, 7], cpu)).size(), vec![2, 3, 8]);
    }
}
