//! Gold NER corpora: readers for the CoNLL-style formats (2, 3, 4 columns, `lang:token`
//! prefixes, `#` comments, `-DOCSTART-`, blank-line runs) and SlavicNER JSONL (character
//! offsets), all mapped to IOB2 over PER / ORG / LOC / MISC by `map_type`, the one place where
//! label schemes meet.
use crate::error::{Error, Result};
use std::io::BufRead;
use std::path::Path;

/// A sentence as gold tokens with IOB2 tags over PER / ORG / LOC / MISC.
#[derive(Debug, Clone, PartialEq)]
pub struct GoldSentence {
    pub lang: String,
    pub tokens: Vec<String>,
    pub tags: Vec<String>,
}

/// Entity type of a source label, or None for "outside". The mapping (stated in the model card):
/// PER, PERS → PER; ORG → ORG; LOC → LOC; MISC, OTH, EVT, PRO → MISC; GermEval `*deriv`
/// (derived adjectives such as "deutsche") → MISC, as CoNLL labels nationality adjectives;
/// GermEval `*part` (compounds containing a name, "EU-weit") → O.
pub fn map_type(kind: &str) -> Option<&'static str> {
    if kind.ends_with("part") {
        return None;
    }
    if kind.ends_with("deriv") {
        return Some("MISC");
    }
    match kind {
        "PER" | "PERS" | "PERSON" => Some("PER"),
        "ORG" => Some("ORG"),
        "LOC" | "GPE" => Some("LOC"),
        "MISC" | "OTH" | "EVT" | "PRO" => Some("MISC"),
        _ => None,
    }
}

/// Map one source tag to IOB2 given the previous mapped tag (repairs IOB1 and dangling I-).
fn to_iob2(tag: &str, prev: &str) -> String {
    if tag == "O" || tag.is_empty() {
        return "O".into();
    }
    let (prefix, kind) = match tag.split_once('-') {
        Some((p, k)) if matches!(p, "B" | "I" | "E" | "S") => (p, k),
        _ => ("I", tag),
    };
    let Some(kind) = map_type(kind) else { return "O".into() };
    let continues = prev.len() > 2 && &prev[2..] == kind;
    if prefix == "I" && continues || prefix == "E" && continues {
        format!("I-{kind}")
    } else {
        format!("B-{kind}")
    }
}

/// Column layout of a CoNLL-style file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Columns {
    /// token first, tag last (CoNLL-2002/2003, NER-UK); a `xx:` language prefix is stripped
    TokenFirstTagLast,
    /// index, token, tag[, more] (WikiNEuRal, WikiANN .conllu, GermEval outer column)
    IndexTokenTag,
}

/// Read a CoNLL-style file into sentences.
pub fn read_conll(path: &Path, lang: &str, columns: Columns) -> Result<Vec<GoldSentence>> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut out = Vec::new();
    let mut cur = GoldSentence { lang: lang.into(), tokens: vec![], tags: vec![] };
    let flush = |cur: &mut GoldSentence, out: &mut Vec<GoldSentence>| {
        if !cur.tokens.is_empty() {
            out.push(std::mem::replace(cur, GoldSentence { lang: cur.lang.clone(), tokens: vec![], tags: vec![] }));
        }
    };
    for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
        let line = line.map_err(|e| Error::io(path, e))?;
        let line = line.trim_end_matches(['\r', '\n']);
        if line.trim().is_empty() || line.starts_with("-DOCSTART-") {
            flush(&mut cur, &mut out);
            continue;
        }
        if line.starts_with("#\t") || line.starts_with("# ") {
            continue;
        }
        let fields: Vec<&str> = if line.contains('\t') { line.split('\t').collect() } else { line.split(' ').collect() };
        let (token, tag) = match columns {
            Columns::TokenFirstTagLast if fields.len() >= 2 => {
                let t = fields[0];
                let t = match t.split_once(':') {
                    Some((p, rest)) if p.len() == 2 && !rest.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()) => rest,
                    _ => t,
                };
                (t, fields[fields.len() - 1])
            }
            Columns::IndexTokenTag if fields.len() >= 3 => (fields[1], fields[2]),
            _ => {
                return Err(Error::Invalid(format!("{}:{}: expected more columns in {line:?}", path.display(), i + 1)));
            }
        };
        if token.is_empty() || token.chars().all(char::is_whitespace) {
            continue;
        }
        let prev = cur.tags.last().map(String::as_str).unwrap_or("O");
        let t = to_iob2(tag.trim(), prev);
        cur.tokens.push(token.to_string());
        cur.tags.push(t);
    }
    flush(&mut cur, &mut out);
    Ok(out)
}

/// Read SlavicNER JSONL (`text` + character-offset `entities`) into sentences over the words
/// of `crate::words::split_words`, cut at `crate::segment` sentence boundaries.
pub fn read_slavicner(path: &Path) -> Result<Vec<GoldSentence>> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
        let line = line.map_err(|e| Error::io(path, e))?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&line)
            .map_err(|e| Error::Invalid(format!("{}:{}: {e}", path.display(), i + 1)))?;
        let text = v["text"].as_str().unwrap_or_default();
        let lang = v["lang"].as_str().unwrap_or("und").to_string();
        // char offsets → byte offsets
        let byte_of: Vec<usize> = text.char_indices().map(|(b, _)| b).chain([text.len()]).collect();
        let mut spans: Vec<(usize, usize, &'static str)> = Vec::new();
        for e in v["entities"].as_array().into_iter().flatten() {
            let (Some(s), Some(en)) = (e["start"].as_u64(), e["end"].as_u64()) else { continue };
            let (s, en) = (s as usize, en as usize);
            if s >= en || en >= byte_of.len() {
                continue;
            }
            if let Some(kind) = map_type(e["type"].as_str().unwrap_or("")) {
                spans.push((byte_of[s], byte_of[en], kind));
            }
        }
        for (ss, se) in crate::segment::sentences(text, &lang) {
            let words = crate::words::split_words(&text[ss..se]);
            let mut sent = GoldSentence { lang: lang.clone(), tokens: vec![], tags: vec![] };
            for (ws, we) in words {
                let (ws, we) = (ws + ss, we + ss);
                let tag = match spans.iter().find(|(a, b, _)| ws >= *a && we <= *b) {
                    Some((a, _, k)) => {
                        let prev_inside = sent.tags.last().is_some_and(|t| t != "O" && &t[2..] == *k) && ws > *a;
                        format!("{}-{k}", if prev_inside { "I" } else { "B" })
                    }
                    None => "O".to_string(),
                };
                sent.tokens.push(text[ws..we].to_string());
                sent.tags.push(tag);
            }
            if !sent.tokens.is_empty() {
                out.push(sent);
            }
        }
    }
    Ok(out)
}

/// Entity spans `(kind, token_start, token_end)` of an IOB2 tag sequence.
pub fn tag_spans(tags: &[String]) -> Vec<(String, usize, usize)> {
    let parsed: Vec<crate::ner::Tag> = tags.iter().map(|t| crate::ner::parse_tag(t)).collect();
    crate::ner::decode(&parsed, &vec![1.0; tags.len()]).into_iter().map(|e| (e.kind, e.word_start, e.word_end)).collect()
}

impl GoldSentence {
    /// The sentence as text (tokens joined by single spaces) and its entities as
    /// `(kind, byte_start, byte_end)` in that text: what `annotate` would be scored against.
    pub fn text_and_entities(&self) -> (String, Vec<(String, usize, usize)>) {
        let (text, spans) = rebuild_text(&self.tokens);
        let ents = tag_spans(&self.tags).into_iter().map(|(k, a, b)| (k, spans[a].0, spans[b - 1].1)).collect();
        (text, ents)
    }
}

/// Text of a gold sentence (tokens joined by single spaces) and each token's byte span.
pub fn rebuild_text(tokens: &[String]) -> (String, Vec<(usize, usize)>) {
    let mut text = String::new();
    let mut spans = Vec::with_capacity(tokens.len());
    for t in tokens {
        if !text.is_empty() {
            text.push(' ');
        }
        spans.push((text.len(), text.len() + t.len()));
        text.push_str(t);
    }
    (text, spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iob_repair_and_mapping() {
        let tags = ["I-PER", "I-PER", "O", "I-OTH", "B-LOCderiv", "B-ORGpart", "I-PERS", "B-EVT"];
        let mut prev = "O".to_string();
        let got: Vec<String> = tags.iter().map(|t| { let m = to_iob2(t, &prev); prev = m.clone(); m }).collect();
        assert_eq!(got, ["B-PER", "I-PER", "O", "B-MISC", "B-MISC", "O", "B-PER", "B-MISC"]);
    }

    #[test]
    fn reads_each_column_layout() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        std::fs::write(&p, "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\n\n1996 CD I-NP O\n").unwrap();
        let s = read_conll(&p, "en", Columns::TokenFirstTagLast).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].tags, ["B-ORG", "O"]);
        assert_eq!(s[1].tokens, ["1996"]);
        std::fs::write(&p, "de:Hu\tB-LOC\nde:(\tI-LOC\n").unwrap();
        assert_eq!(read_conll(&p, "de", Columns::TokenFirstTagLast).unwrap()[0].tokens, ["Hu", "("]);
        std::fs::write(&p, "#\thttp://x [2010]\n1\tGleich\tO\tO\n2\tBerlin\tB-LOC\tO\n").unwrap();
        let g = read_conll(&p, "de", Columns::IndexTokenTag).unwrap();
        assert_eq!((g[0].tokens.len(), g[0].tags[1].as_str()), (2, "B-LOC"));
    }

    #[test]
    fn slavic_offsets_to_words() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.jsonl");
        let line = serde_json::json!({"lang": "uk", "text": "Зеленський прибув до Києва. Путін мовчить.",
            "entities": [{"start": 0, "end": 10, "type": "PER"}, {"start": 21, "end": 26, "type": "LOC"}, {"start": 28, "end": 33, "type": "PER"}]});
        std::fs::write(&p, line.to_string() + "\n").unwrap();
        let s = read_slavicner(&p).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].tags, ["B-PER", "O", "O", "B-LOC", "O"]);
        assert_eq!(s[1].tags, ["B-PER", "O", "O"]);
    }
}
