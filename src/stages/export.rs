//! The formats annotators already load, one document at a time (written by
//! [`crate::stages::output::Outputs`] next to the CSV tables):
//!
//! - CoNLL (`annotations.conll`): `-DOCSTART- O` per document, one word per line with its BIO
//!   tag (tab-separated), a blank line after each sentence. Words are cut by the rule the
//!   models are trained with (punctuation split off), so every entity covers whole words.
//! - brat (`brat/NAME.txt` + `brat/NAME.ann`): the text as is, `T` lines with character
//!   offsets (code points, end exclusive) and the covered text; NAME is the document id made
//!   safe for a file name plus a hash of the id, so ids that differ only in unsafe characters
//!   stay apart.
//! - Label Studio (`labelstudio.jsonl`, assembled into the JSON list `labelstudio.json` at the
//!   end of the run): one task per document, `data.text` and `data.id`, and one prediction:
//!   entity spans (`labels` on `label` → `text`, with scores) and each target's document stance
//!   as a `choices` result named `stance` (or `stance_<target>` for further targets). Offsets
//!   are UTF-16 code units, the unit of JavaScript strings that Label Studio indexes by.
use crate::document::{Document, Scope};
use crate::stages::words::split_words;
use serde_json::{json, Value};

/// The document in CoNLL BIO form.
pub fn conll(doc: &Document) -> String {
    let mut out = String::from("-DOCSTART- O\n\n");
    // Entities and words both run in text order: one cursor, not a search per word.
    let mut next = 0;
    for s in &doc.sentences {
        let text = &doc.text[s.span.byte_start..s.span.byte_end];
        let words = split_words(text);
        if words.is_empty() {
            continue;
        }
        for (ws, we) in words {
            let (ws, we) = (ws + s.span.byte_start, we + s.span.byte_start);
            while next < doc.entities.len() && doc.entities[next].span.byte_end <= ws {
                next += 1;
            }
            let ent = doc.entities.get(next).filter(|e| e.span.byte_start <= ws && we <= e.span.byte_end);
            let tag = match ent {
                Some(e) if e.span.byte_start == ws => format!("B-{}", e.label),
                Some(e) => format!("I-{}", e.label),
                None => "O".to_string(),
            };
            // A word never holds whitespace; a tab or newline inside it would break the columns.
            let w: String = doc.text[ws..we].chars().map(|c| if c.is_whitespace() { '_' } else { c }).collect();
            out.push_str(&w);
            out.push('\t');
            out.push_str(&tag);
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

/// A file-name-safe name for a document: its id with unsafe characters as `_`, cut to 80
/// characters, and the FNV-1a hash of the whole id.
pub fn brat_name(doc_id: &str) -> String {
    let safe: String = doc_id.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).take(80).collect();
    format!("{safe}-{:016x}", crate::stages::output::shard_of(doc_id, u64::MAX))
}

/// The brat `.ann` text: one `T` line per entity.
pub fn brat_ann(doc: &Document) -> String {
    let mut out = String::new();
    for (i, e) in doc.entities.iter().enumerate() {
        // brat's text field is one line: line breaks inside a span become spaces.
        let covered: String = e.text.chars().map(|c| if c == '\n' || c == '\r' { ' ' } else { c }).collect();
        out.push_str(&format!("T{}\t{} {} {}\t{}\n", i + 1, e.label, e.span.char_start, e.span.char_end, covered));
    }
    out
}

/// UTF-16 offset of every char boundary: `utf16[char_index]`.
fn utf16_offsets(text: &str) -> Vec<usize> {
    let mut v = Vec::with_capacity(text.len() + 1);
    let mut n = 0;
    for c in text.chars() {
        v.push(n);
        n += c.len_utf16();
    }
    v.push(n);
    v
}

/// The Label Studio task of a document.
pub fn labelstudio_task(doc: &Document, model_version: &str) -> Value {
    let u = utf16_offsets(&doc.text);
    let mut result: Vec<Value> = doc
        .entities
        .iter()
        .enumerate()
        .map(|(i, e)| {
            json!({"id": format!("e{i}"), "from_name": "label", "to_name": "text", "type": "labels", "score": e.score,
                   "value": {"start": u[e.span.char_start], "end": u[e.span.char_end], "text": e.text, "labels": [e.label]}})
        })
        .collect();
    let mut targets: Vec<&str> = Vec::new();
    for r in doc.stances.iter().filter(|r| r.scope == Scope::Document) {
        let name = if targets.is_empty() { "stance".to_string() } else { format!("stance_{}", r.target) };
        targets.push(&r.target);
        let p = r.probs;
        result.push(json!({"id": format!("s-{}", r.target), "from_name": name, "to_name": "text", "type": "choices",
                           "score": p.favor.max(p.against).max(p.none), "value": {"choices": [r.label]}}));
    }
    json!({"data": {"id": doc.id, "text": doc.text, "lang": doc.lang.code}, "predictions": [{"model_version": model_version, "result": result}]})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_counts_an_emoji_as_two_units() {
        let u = utf16_offsets("😀 Putin");
        assert_eq!((u[0], u[1], u[2], u[7]), (0, 2, 3, 8));
    }

    #[test]
    fn brat_names_are_safe_and_distinct() {
        let (a, b) = (brat_name("raw/a b.txt"), brat_name("raw_a_b.txt"));
        assert!(a.starts_with("raw_a_b.txt-") && b.starts_with("raw_a_b.txt-"));
        assert_ne!(a, b);
    }
}
