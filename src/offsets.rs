//! Byte offsets (what Rust slices and tokenizers use) to Unicode code-point offsets (what
//! Python's `str` indices use). Every span the tool writes carries both.

/// Maps byte offsets at char boundaries to code-point indices in one text.
pub struct CharIndex {
    /// Byte offset of every char start, plus the text length at the end.
    starts: Vec<usize>,
}

impl CharIndex {
    pub fn new(text: &str) -> CharIndex {
        let mut starts: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        starts.push(text.len());
        CharIndex { starts }
    }

    /// Code-point index of byte offset `byte`, which must lie on a char boundary.
    pub fn char_at(&self, byte: usize) -> usize {
        match self.starts.binary_search(&byte) {
            Ok(i) => i,
            // Not a boundary: the char that contains it (callers only pass boundaries).
            Err(i) => i.saturating_sub(1),
        }
    }

    pub fn n_chars(&self) -> usize {
        self.starts.len() - 1
    }
}

/// A span of one text in both units. Invariant: `text[byte_start..byte_end]` is the span and
/// `text.chars().skip(char_start).take(char_end - char_start)` is the same string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Span {
    pub char_start: usize,
    pub char_end: usize,
    pub byte_start: usize,
    pub byte_end: usize,
}

impl Span {
    pub fn from_bytes(index: &CharIndex, byte_start: usize, byte_end: usize) -> Span {
        Span { char_start: index.char_at(byte_start), char_end: index.char_at(byte_end), byte_start, byte_end }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_to_chars() {
        let t = "aé😀b";
        let ix = CharIndex::new(t);
        assert_eq!(ix.char_at(0), 0);
        assert_eq!(ix.char_at(1), 1);
        assert_eq!(ix.char_at(3), 2);
        assert_eq!(ix.char_at(7), 3);
        assert_eq!(ix.char_at(8), 4);
        assert_eq!(ix.n_chars(), 4);
    }
}
