//! Words: the units NER labels, independent of any model's sub-word tokenizer. Training and
//! annotation both split text with `split_words`, so labels are aligned the same way in both.
//!
//! A word is a run of non-whitespace with leading and trailing punctuation split off as words of
//! their own; inner punctuation stays (`U.S.`, `Jean-Pierre`, `O'Brien`, `l'Ukraine`, `3,5`).
//! A final full stop stays attached when the word already has an inner one (`U.S.`).

/// How words are cut for labelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum WordRule {
    /// `split_words`: punctuation split off (the rule the models are trained with)
    #[default]
    Pactwatch,
    /// The fallback heuristic of transformers' token-classification pipeline for tokenizers
    /// without a continuing-subword prefix (SentencePiece): a token starts a new word only when
    /// a plain space (U+0020) precedes it or starts it, so `“Reuters”` is one word, labelled by
    /// the quote's sub-token. For comparisons with `transformers` (`scripts/bench.sh`).
    Hf,
}

/// Word spans of a sentence under `rule`, from its text (starting at byte `offset` of the
/// document) and its tokens (document byte offsets).
pub fn words_by_rule(rule: WordRule, text: &str, offset: usize, tokens: &[crate::stages::encoding::Token], doc: &str) -> Vec<(usize, usize)> {
    match rule {
        WordRule::Pactwatch => split_words(text).into_iter().map(|(a, b)| (a + offset, b + offset)).collect(),
        WordRule::Hf => hf_words(doc, tokens),
    }
}

/// `WordRule::Hf`: consecutive non-empty tokens grouped into words (document byte spans).
pub fn hf_words(doc: &str, tokens: &[crate::stages::encoding::Token]) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (i, t) in tokens.iter().enumerate().filter(|(_, t)| t.end > t.start) {
        let new_word = i == 0 || out.is_empty() || doc.as_bytes()[t.start] == b' ' || (t.start > 0 && doc.as_bytes()[t.start - 1] == b' ');
        match out.last_mut() {
            Some(w) if !new_word => w.1 = t.end,
            _ => out.push((t.start, t.end)),
        }
    }
    out
}

/// Byte spans `[start, end)` of the words of `text`.
pub fn split_words(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    let bytes_len = text.len();
    while i < bytes_len {
        let c = text[i..].chars().next().expect("i is a char boundary inside text");
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        let start = i;
        let mut end = i;
        for (off, ch) in text[i..].char_indices() {
            if ch.is_whitespace() {
                break;
            }
            end = i + off + ch.len_utf8();
        }
        split_chunk(text, start, end, &mut out);
        i = end;
    }
    out
}

fn is_punct(c: char) -> bool {
    !c.is_alphanumeric() && !c.is_whitespace()
}

/// Split one whitespace-free chunk into leading punctuation, a core, and trailing punctuation.
fn split_chunk(text: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let chunk = &text[start..end];
    let chars: Vec<(usize, char)> = chunk.char_indices().collect();
    let first_alnum = chars.iter().position(|&(_, c)| !is_punct(c));
    let Some(first) = first_alnum else {
        // All punctuation: one word per char.
        for &(o, c) in &chars {
            out.push((start + o, start + o + c.len_utf8()));
        }
        return;
    };
    let last = chars.iter().rposition(|&(_, c)| !is_punct(c)).expect("a char is alphanumeric");
    for &(o, c) in &chars[..first] {
        out.push((start + o, start + o + c.len_utf8()));
    }
    let core_start = start + chars[first].0;
    let mut core_end = start + chars[last].0 + chars[last].1.len_utf8();
    let mut tail = last + 1;
    // Keep an abbreviation's final dot: "U.S." (the core already holds a dot).
    if tail < chars.len() && chars[tail].1 == '.' && text[core_start..core_end].contains('.') {
        core_end += 1;
        tail += 1;
    }
    // English possessive: "Trump's" → "Trump" + "'s" (as CoNLL tokenizes), so names end cleanly.
    let core = &text[core_start..core_end];
    let possessive = ["'s", "’s", "'S"].iter().find(|p| core.len() > p.len() + 1 && core.ends_with(*p));
    match possessive {
        Some(p) => {
            out.push((core_start, core_end - p.len()));
            out.push((core_end - p.len(), core_end));
        }
        None => out.push((core_start, core_end)),
    }
    for &(o, c) in &chars[tail..] {
        out.push((start + o, start + o + c.len_utf8()));
    }
}

/// Byte offsets where `needle` occurs in `hay` with no letter or digit right before or after it
/// (callers lower-case both for case-insensitive matching).
pub fn find_phrase(hay: &str, needle: &str) -> Vec<usize> {
    let mut out = Vec::new();
    if needle.is_empty() {
        return out;
    }
    let mut from = 0;
    while let Some(i) = hay[from..].find(needle) {
        let s = from + i;
        let e = s + needle.len();
        let before = hay[..s].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        let after = hay[e..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        if before && after {
            out.push(s);
        }
        from = s + hay[s..].chars().next().map_or(1, char::len_utf8);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hf_rule_glues_tokens_not_preceded_by_a_space() {
        use crate::stages::encoding::Token;
        let doc = "Xx «Reuters», and\nKyiv";
        // Tokens as a SentencePiece tokenizer cuts them (byte offsets, one empty).
        let cut = [(0, 2), (3, 5), (5, 12), (12, 14), (14, 15), (16, 19), (19, 19), (20, 24)];
        let toks: Vec<Token> = cut.iter().map(|&(start, end)| Token { id: 0, start, end }).collect();
        let w: Vec<&str> = hf_words(doc, &toks).into_iter().map(|(a, b)| &doc[a..b]).collect();
        // "«Reuters»," is one word; after a newline (no U+0020) "Kyiv" is glued to "and".
        assert_eq!(w, vec!["Xx", "«Reuters»,", "and\nKyiv"]);
        let p: Vec<&str> = words_by_rule(WordRule::Pactwatch, &doc[3..], 3, &toks, doc).into_iter().map(|(a, b)| &doc[a..b]).collect();
        assert_eq!(p, vec!["«", "Reuters", "»", ",", "and", "Kyiv"]);
    }

    fn words(t: &str) -> Vec<&str> {
        split_words(t).into_iter().map(|(s, e)| &t[s..e]).collect()
    }

    #[test]
    fn table() {
        let cases: &[(&str, &[&str])] = &[
            ("Macron, Starmer.", &["Macron", ",", "Starmer", "."]),
            ("the U.S. envoy", &["the", "U.S.", "envoy"]),
            ("«Paris» (France)", &["«", "Paris", "»", "(", "France", ")"]),
            ("Jean-Pierre O'Brien l'Ukraine", &["Jean-Pierre", "O'Brien", "l'Ukraine"]),
            ("\"strongly\"...", &["\"", "strongly", "\"", ".", ".", "."]),
            ("Зеленський, Київ!", &["Зеленський", ",", "Київ", "!"]),
            ("  \r\n ", &[]),
            ("3,5 %", &["3,5", "%"]),
            ("Trump's envoy, Ukraine’s army, it's", &["Trump", "'s", "envoy", ",", "Ukraine", "’s", "army", ",", "it", "'s"]),
        ];
        assert_eq!(find_phrase("a multinational force, multinational forces", "multinational force"), vec![2]);
        assert_eq!(find_phrase("«паризька декларація»", "паризька декларація"), vec![2]);
        for (text, want) in cases {
            assert_eq!(words(text), *want, "{text:?}");
        }
    }
}
