//! Sub-word tokenization with the model's own `tokenizer.json` (Hugging Face `tokenizers`),
//! keeping each token's byte span in the original text, and the alignment of tokens to words.
use crate::error::{Error, Result};
use std::path::Path;

/// One content token: vocabulary id and byte span `[start, end)` relative to the encoded text.
/// A span may be empty (a bare "▁" piece); such a token belongs to no word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub id: i64,
    pub start: usize,
    pub end: usize,
}

pub struct TextTokenizer {
    tok: tokenizers::Tokenizer,
    /// Special tokens the model expects before / after a single sequence (`<s>` / `</s>`).
    pub prefix: Vec<i64>,
    pub suffix: Vec<i64>,
    /// Special tokens between the two sequences of a pair, and after the second.
    pub pair_middle: Vec<i64>,
    pub pad_id: i64,
}

impl TextTokenizer {
    pub fn from_file(path: &Path) -> Result<TextTokenizer> {
        let mut tok = tokenizers::Tokenizer::from_file(path)
            .map_err(|source| Error::Tokenizer { path: path.into(), source })?;
        tok.with_padding(None);
        tok.with_truncation(None).map_err(|source| Error::Tokenizer { path: path.into(), source })?;
        let err = |source| Error::Tokenizer { path: path.into(), source };
        let single = tok.encode("a", true).map_err(err)?;
        let (prefix, suffix) = split_specials(single.get_ids(), single.get_special_tokens_mask());
        let pair = tok.encode(("a", "b"), true).map_err(err)?;
        let ids = pair.get_ids();
        let mask = pair.get_special_tokens_mask();
        let content: Vec<usize> = (0..ids.len()).filter(|&i| mask[i] == 0).collect();
        let pair_middle = match content.as_slice() {
            [a, .., b] => ids[a + 1..*b].iter().map(|&x| x as i64).filter(|_| true).collect(),
            _ => suffix.clone(),
        };
        let pad_id = tok
            .get_padding()
            .map(|p| p.pad_id as i64)
            .or_else(|| ["<pad>", "[PAD]"].iter().find_map(|t| tok.token_to_id(t)).map(|x| x as i64))
            .unwrap_or(0);
        Ok(TextTokenizer { tok, prefix, suffix, pair_middle, pad_id })
    }

    /// Content tokens of `text` (no special tokens) with byte spans into `text`.
    pub fn encode(&self, text: &str) -> std::result::Result<Vec<Token>, tokenizers::Error> {
        let enc = self.tok.encode(text, false)?;
        Ok(enc
            .get_ids()
            .iter()
            .zip(enc.get_offsets())
            .map(|(&id, &(s, e))| Token { id: id as i64, start: s.min(text.len()), end: e.min(text.len()) })
            .collect())
    }

    /// Ids of one sequence framed by the model's special tokens.
    pub fn frame(&self, content: &[i64]) -> Vec<i64> {
        let mut v = Vec::with_capacity(self.prefix.len() + content.len() + self.suffix.len());
        v.extend_from_slice(&self.prefix);
        v.extend_from_slice(content);
        v.extend_from_slice(&self.suffix);
        v
    }

    pub fn n_special(&self) -> usize {
        self.prefix.len() + self.suffix.len()
    }

    pub fn vocab_size(&self) -> usize {
        self.tok.get_vocab_size(true)
    }
}

fn split_specials(ids: &[u32], mask: &[u32]) -> (Vec<i64>, Vec<i64>) {
    let first = mask.iter().position(|&m| m == 0).unwrap_or(ids.len());
    let last = mask.iter().rposition(|&m| m == 0).map(|i| i + 1).unwrap_or(ids.len());
    (
        ids[..first].iter().map(|&x| x as i64).collect(),
        ids[last..].iter().map(|&x| x as i64).collect(),
    )
}

/// For each word (byte spans, sorted), the indices of the tokens overlapping it, in order.
/// Both lists must be sorted by start; a token may overlap two words (it then serves both).
pub fn align_words(tokens: &[Token], words: &[(usize, usize)]) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); words.len()];
    let mut t0 = 0;
    for (w, &(ws, we)) in words.iter().enumerate() {
        while t0 < tokens.len() && tokens[t0].end <= ws {
            t0 += 1;
        }
        let mut t = t0;
        while t < tokens.len() && tokens[t].start < we {
            if tokens[t].end > ws && tokens[t].end > tokens[t].start {
                out[w].push(t);
            }
            t += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tk(start: usize, end: usize) -> Token {
        Token { id: 0, start, end }
    }

    #[test]
    fn alignment_table() {
        // "Paris, France": words Paris | , | France ; tokens ▁Par is , ▁France + empty piece
        let tokens = [tk(0, 3), tk(3, 5), tk(5, 6), tk(6, 6), tk(7, 13)];
        let words = [(0, 5), (5, 6), (7, 13)];
        assert_eq!(align_words(&tokens, &words), vec![vec![0, 1], vec![2], vec![4]]);
        // one token over two words ("),") serves both
        let tokens = [tk(0, 2)];
        let words = [(0, 1), (1, 2)];
        assert_eq!(align_words(&tokens, &words), vec![vec![0], vec![0]]);
        // a word no token covers
        assert_eq!(align_words(&[], &[(0, 1)]), vec![Vec::<usize>::new()]);
    }
}
