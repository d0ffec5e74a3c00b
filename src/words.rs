//! Words: the units NER labels, independent of any model's sub-word tokenizer. Training and
//! annotation both split text with `split_words`, so labels are aligned the same way in both.
//!
//! A word is a run of non-whitespace with leading and trailing punctuation split off as words of
//! their own; inner punctuation stays (`U.S.`, `Jean-Pierre`, `O'Brien`, `l'Ukraine`, `3,5`).
//! A final full stop stays attached when the word already has an inner one (`U.S.`).

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
