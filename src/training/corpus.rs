//! Gold NER corpora: readers for the CoNLL-style formats (2, 3, 4, 5 columns, `lang:token`
//! prefixes, `#` comments, `-DOCSTART-` lines, blank-line runs, IOB1, NKJP's `#`-joined nested
//! tags) and span JSONL (SlavicNER, NEREL, CNEC: character offsets, nested spans resolved to the
//! outermost), all mapped to IOB2 over PER / ORG / LOC / MISC by `map_type`, the one place where
//! label schemes meet. Words inside a span of a type with no clear CoNLL counterpart
//! (`ignored_type`) get the tag `X`: not scored in training, outside in evaluation.
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
/// - PER, PERS, PERSON → PER; ORG, ORGANIZATION → ORG; LOC, GPE, LOCATION → LOC; MISC, OTH,
///   EVT, PRO → MISC;
/// - GermEval `*deriv` (derived adjectives such as "deutsche") → MISC, as CoNLL labels
///   nationality adjectives; GermEval `*part` (compounds containing a name, "EU-weit") → O;
/// - NEREL: COUNTRY, CITY, STATE_OR_PROVINCE, DISTRICT → LOC; NATIONALITY, WORK_OF_ART → MISC;
///   FACILITY, PRODUCT, AWARD, LAW → ignored (`ignored_type`); PROFESSION, EVENT, IDEOLOGY,
///   DATE, numbers and the rest → O;
/// - NKJP: persName* → PER, orgName → ORG, placeName*, geogName → LOC; date, time → O;
/// - CNEC 2.0: P and p* (pf ps pm pp p_) → PER, pc (inhabitants) → MISC, g* → LOC, ic if io i_
///   → ORG, ia (events) → MISC, mn ms (media) → ORG, oa op (works, products) → MISC; or (laws)
///   and `?` → ignored; pd (titles), t* n* a* m[ei] o[emr_] and the marks lower upper segm cap
///   → O.
pub fn map_type(kind: &str) -> Option<&'static str> {
    if kind.ends_with("part") {
        return None;
    }
    if kind.ends_with("deriv") {
        return Some("MISC");
    }
    if kind.starts_with("persName") {
        return Some("PER");
    }
    if kind.starts_with("placeName") || kind == "geogName" {
        return Some("LOC");
    }
    match kind {
        "PER" | "PERS" | "PERSON" => Some("PER"),
        "ORG" | "ORGANIZATION" | "orgName" => Some("ORG"),
        "LOC" | "GPE" | "LOCATION" | "COUNTRY" | "CITY" | "STATE_OR_PROVINCE" | "DISTRICT" => Some("LOC"),
        "MISC" | "OTH" | "EVT" | "PRO" | "NATIONALITY" | "WORK_OF_ART" => Some("MISC"),
        // CNEC 2.0 two-level types
        "P" | "pf" | "ps" | "pm" | "pp" | "p_" => Some("PER"),
        "pc" | "ia" | "oa" | "op" => Some("MISC"),
        "ic" | "if" | "io" | "i_" | "mn" | "ms" => Some("ORG"),
        k if k.len() == 2 && k.starts_with('g') => Some("LOC"),
        _ => None,
    }
}

/// Source types that name something without a clear PER / ORG / LOC / MISC counterpart
/// (NEREL FACILITY, PRODUCT, AWARD, LAW; CNEC laws and uncertain `?` marks): their words are
/// tagged `X`, which training leaves unscored rather than teaching "outside".
pub fn ignored_type(kind: &str) -> bool {
    matches!(kind, "FACILITY" | "PRODUCT" | "AWARD" | "LAW" | "?" | "or")
}

/// Map one source tag to IOB2 given the previous mapped tag (repairs IOB1 and dangling I-).
fn to_iob2(tag: &str, prev: &str) -> String {
    // NKJP joins nested tags with '#': the first (outer) one counts
    let tag = tag.split('#').next().unwrap_or(tag);
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
    read_conll_docs(path, lang, columns, |_| true)
}

/// Read a CoNLL-style file, keeping the sentences of the documents whose index (0-based, counted
/// at each `-DOCSTART` line) passes `keep`: how a corpus without a split gets a held-out part.
pub fn read_conll_docs(path: &Path, lang: &str, columns: Columns, keep: impl Fn(usize) -> bool) -> Result<Vec<GoldSentence>> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut doc = 0usize;
    let mut seen_doc = false;
    let mut out = Vec::new();
    let mut cur = GoldSentence { lang: lang.into(), tokens: vec![], tags: vec![] };
    let flush = |cur: &mut GoldSentence, out: &mut Vec<GoldSentence>, doc: usize| {
        if !cur.tokens.is_empty() && !keep(doc) {
            cur.tokens.clear();
            cur.tags.clear();
        }
        if !cur.tokens.is_empty() {
            out.push(std::mem::replace(cur, GoldSentence { lang: cur.lang.clone(), tokens: vec![], tags: vec![] }));
        }
    };
    for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
        let line = line.map_err(|e| Error::io(path, e))?;
        let line = line.trim_end_matches(['\r', '\n']);
        let docstart = line.starts_with("-DOCSTART") || line.split(['\t', ' ']).nth(1) == Some("-DOCSTART-");
        if line.trim().is_empty() || docstart {
            flush(&mut cur, &mut out, doc);
            if docstart {
                doc += usize::from(seen_doc);
                seen_doc = true;
            }
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
    flush(&mut cur, &mut out, doc);
    Ok(out)
}

/// How a corpus file is laid out (the training and dev tables name one per file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Conll(Columns),
    /// Span JSONL: `{text, lang, entities: [{start, end, type}]}` (SlavicNER, NEREL, CNEC)
    Jsonl,
    /// CoNLL without a split: every `n`-th document (index % n == 0) is the held-out dev part;
    /// `dev` selects that part, otherwise the rest
    ConllHeldOut { columns: Columns, n: usize, dev: bool },
}

/// Read a corpus file in the given layout.
pub fn read_corpus(path: &Path, lang: &str, format: Format) -> Result<Vec<GoldSentence>> {
    match format {
        Format::Conll(c) => read_conll(path, lang, c),
        Format::Jsonl => read_span_jsonl(path),
        Format::ConllHeldOut { columns, n, dev } => read_conll_docs(path, lang, columns, |d| (d % n.max(1) == 0) == dev),
    }
}

/// Read span JSONL (`text` + character-offset `entities`, nested allowed) into sentences over the words
/// of `crate::stages::words::split_words`, cut at `crate::stages::segment` sentence boundaries.
pub fn read_span_jsonl(path: &Path) -> Result<Vec<GoldSentence>> {
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
        let mut ignored: Vec<(usize, usize)> = Vec::new();
        for e in v["entities"].as_array().into_iter().flatten() {
            let (Some(s), Some(en)) = (e["start"].as_u64(), e["end"].as_u64()) else { continue };
            let (s, en) = (s as usize, en as usize);
            if s >= en || en >= byte_of.len() {
                continue;
            }
            let kind = e["type"].as_str().unwrap_or("");
            if let Some(kind) = map_type(kind) {
                spans.push((byte_of[s], byte_of[en], kind));
            } else if ignored_type(kind) {
                ignored.push((byte_of[s], byte_of[en]));
            }
        }
        let spans = outermost(spans);
        for (ss, se) in crate::stages::segment::sentences(text, &lang) {
            let words = crate::stages::words::split_words(&text[ss..se]);
            let mut sent = GoldSentence { lang: lang.clone(), tokens: vec![], tags: vec![] };
            for (ws, we) in words {
                let (ws, we) = (ws + ss, we + ss);
                let tag = match spans.iter().find(|(a, b, _)| ws >= *a && we <= *b) {
                    Some((a, _, k)) => {
                        let prev_inside = sent.tags.last().is_some_and(|t| t.len() > 2 && &t[2..] == *k) && ws > *a;
                        format!("{}-{k}", if prev_inside { "I" } else { "B" })
                    }
                    None if ignored.iter().any(|(a, b)| ws < *b && we > *a) => "X".to_string(),
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

/// Nested and overlapping spans resolved for flat tagging: longest first, a span that overlaps
/// one already kept is dropped, and a MISC span that contains a PER / ORG / LOC span yields to
/// it (NEREL's NATIONALITY "гражданами США" holds the country "США").
fn outermost(mut spans: Vec<(usize, usize, &'static str)>) -> Vec<(usize, usize, &'static str)> {
    let all = spans.clone();
    spans.retain(|(a, b, k)| *k != "MISC" || !all.iter().any(|(c, d, j)| *j != "MISC" && c >= a && d <= b && (c, d) != (a, b)));
    spans.sort_by_key(|(a, b, _)| (std::cmp::Reverse(b - a), *a));
    let mut kept: Vec<(usize, usize, &'static str)> = Vec::new();
    for sp in spans {
        if !kept.iter().any(|(a, b, _)| sp.0 < *b && sp.1 > *a) {
            kept.push(sp);
        }
    }
    kept.sort_by_key(|(a, _, _)| *a);
    kept
}

/// Entity spans `(kind, token_start, token_end)` of an IOB2 tag sequence (`X` words are not
/// entities).
pub fn tag_spans(tags: &[String]) -> Vec<(String, usize, usize)> {
    let parsed: Vec<crate::stages::ner::Tag> = tags.iter().map(|t| crate::stages::ner::parse_tag(if t == "X" { "O" } else { t })).collect();
    crate::stages::ner::decode(&parsed, &vec![1.0; tags.len()]).into_iter().map(|e| (e.kind, e.word_start, e.word_end)).collect()
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

impl GoldSentence {
    /// Byte spans (in the `text_and_entities` text) of the words tagged `X`.
    pub fn ignored_spans(&self) -> Vec<(usize, usize)> {
        let (_, spans) = rebuild_text(&self.tokens);
        self.tags.iter().zip(spans).filter(|(t, _)| *t == "X").map(|(_, s)| s).collect()
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
        let s = read_span_jsonl(&p).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].tags, ["B-PER", "O", "O", "B-LOC", "O"]);
        assert_eq!(s[1].tags, ["B-PER", "O", "O"]);
    }

    #[test]
    fn nested_spans_outermost_misc_yields_and_ignored_types() {
        // NEREL-like: ORGANIZATION holding a COUNTRY, NATIONALITY holding a COUNTRY, PROFESSION
        // (outside) holding an ORG, a FACILITY (ignored), and a discontinuous-free overlap.
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("n.jsonl");
        let text = "МИД России осудил гражданами США сотрудников посольства Франции в Кремле.";
        let at = |w: &str| text[..text.find(w).unwrap()].chars().count();
        let len = |w: &str| w.chars().count();
        let e = |w: &str, t: &str| serde_json::json!({"start": at(w), "end": at(w) + len(w), "type": t});
        let line = serde_json::json!({"lang": "ru", "text": text, "entities": [
            e("МИД России", "ORGANIZATION"), e("России", "COUNTRY"), e("гражданами США", "NATIONALITY"), e("США", "COUNTRY"),
            e("сотрудников посольства Франции", "PROFESSION"), e("посольства Франции", "ORGANIZATION"), e("Франции", "COUNTRY"),
            e("Кремле", "FACILITY")]});
        std::fs::write(&p, line.to_string() + "\n").unwrap();
        let s = read_span_jsonl(&p).unwrap();
        assert_eq!(s[0].tokens, ["МИД", "России", "осудил", "гражданами", "США", "сотрудников", "посольства", "Франции", "в", "Кремле", "."]);
        assert_eq!(s[0].tags, ["B-ORG", "I-ORG", "O", "O", "B-LOC", "O", "B-ORG", "I-ORG", "O", "X", "O"]);
        let (_, ents) = s[0].text_and_entities();
        assert_eq!(ents.len(), 3, "X words are not entities: {ents:?}");
        assert_eq!(s[0].ignored_spans().len(), 1);
    }

    #[test]
    fn cnec_and_nkjp_schemes() {
        // CNEC: P holds pf + ps (one PER), gu → LOC, ic → ORG, pd (title) and ty (year) → O
        assert_eq!([map_type("P"), map_type("pf"), map_type("gu"), map_type("ic"), map_type("mn"), map_type("pd"), map_type("ty"), map_type("segm")],
            [Some("PER"), Some("PER"), Some("LOC"), Some("ORG"), Some("ORG"), None, None, None]);
        // NKJP: '#'-joined nested tags, the outer one counts; date drops; doc split by -DOCSTART
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k.iob");
        std::fs::write(&p, "-DOCSTART FILE a\nJan\tB-persName#B-persName-forename\nKowalski\tI-persName#B-persName-surname\nw\tO\nWarszawie\tB-placeName-settlement\n\n\
-DOCSTART FILE b\n5\tB-date\nmaja\tI-date\nSejm\tB-orgName\n\n-DOCSTART FILE c\nPolska\tB-placeName-country\n").unwrap();
        let all = read_conll(&p, "pl", Columns::TokenFirstTagLast).unwrap();
        assert_eq!(all[0].tags, ["B-PER", "I-PER", "O", "B-LOC"]);
        assert_eq!(all[1].tags, ["O", "O", "B-ORG"]);
        let dev = read_corpus(&p, "pl", Format::ConllHeldOut { columns: Columns::TokenFirstTagLast, n: 2, dev: true }).unwrap();
        assert_eq!(dev.iter().map(|s| s.tokens[0].as_str()).collect::<Vec<_>>(), ["Jan", "Polska"]);
        let train = read_corpus(&p, "pl", Format::ConllHeldOut { columns: Columns::TokenFirstTagLast, n: 2, dev: false }).unwrap();
        assert_eq!(train.len(), 1);
        // index layout with a -DOCSTART- token row (CoNLL-2003 German train) is a document break
        std::fs::write(&p, "0\t-DOCSTART-\tO\n\n0\tBonn\tI-LOC\n1\tund\tO\n").unwrap();
        let g = read_conll(&p, "de", Columns::IndexTokenTag).unwrap();
        assert_eq!((g.len(), g[0].tags[0].as_str()), (1, "B-LOC"));
    }
}
