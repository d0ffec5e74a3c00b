//! Stance corpora: readers for every set in ../shared/data/stance, mapped to one example type
//! with labels favor / against / none. The label mapping lives here and only here:
//! - SemEval-2016, multi-target, P-Stance, RUW, Catalonia: FAVOR → favor, AGAINST → against,
//!   NONE / NEUTRAL → none;
//! - FNC-1 (headline = target, body = text): agree → favor, disagree → against, discuss and
//!   unrelated → none;
//! - VAST (sentiment-swapped): 1 (pro) → favor, 0 (con) → against;
//! - GerNTSA is sentiment toward a marked target, not stance: positive → favor, negative →
//!   against, neutral → none, kept separate (`source` = "gerntsa") so it can be weighted or
//!   dropped;
//! - the gold JSONL of `eval stance`: `{"text", "target", "label"[, "lang"]}` with `favor`,
//!   `favour`, `against`, `none`, `neutral` in any case.
use crate::error::{Error, Result};
use serde::Serialize;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StanceLabel {
    Favor,
    Against,
    None,
}

impl StanceLabel {
    pub const ALL: [StanceLabel; 3] = [StanceLabel::Favor, StanceLabel::Against, StanceLabel::None];

    /// Case-insensitive; `favour` and `neutral` are synonyms; `NONE`, `unrelated`, `discuss`,
    /// `agree`, `disagree`, `positive`, `negative` cover the corpora's schemes.
    pub fn parse(s: &str) -> Option<StanceLabel> {
        match s.trim().to_ascii_lowercase().as_str() {
            "favor" | "favour" | "agree" | "pro" | "1" | "positive" => Some(StanceLabel::Favor),
            "against" | "disagree" | "con" | "0" | "negative" => Some(StanceLabel::Against),
            "none" | "neutral" | "discuss" | "unrelated" => Some(StanceLabel::None),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StanceLabel::Favor => "favor",
            StanceLabel::Against => "against",
            StanceLabel::None => "none",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StanceExample {
    pub text: String,
    pub target: String,
    pub label: StanceLabel,
    pub lang: String,
    pub source: &'static str,
    /// "train", "dev" or "test" as the corpus marks it ("train" when it does not).
    pub split: String,
}

fn bad(path: &Path, line: u64, msg: impl std::fmt::Display) -> Error {
    Error::Invalid(format!("{}:{line}: {msg}", path.display()))
}

fn reader(path: &Path, delimiter: u8) -> Result<csv::Reader<std::fs::File>> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    Ok(csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).quoting(delimiter != b'\t').from_reader(f))
}

/// Rows of a CSV/TSV as maps from header to value.
fn rows(path: &Path, delimiter: u8) -> Result<Vec<(u64, std::collections::HashMap<String, String>)>> {
    let mut r = reader(path, delimiter)?;
    let headers: Vec<String> = r.headers().map_err(|e| bad(path, 1, e))?.iter().map(|h| h.trim().to_string()).collect();
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| bad(path, e.position().map_or(0, |p| p.line()), e))?;
        let line = rec.position().map_or(0, |p| p.line());
        out.push((line, headers.iter().cloned().zip(rec.iter().map(str::to_string)).collect()));
    }
    Ok(out)
}

fn label(path: &Path, line: u64, s: &str) -> Result<StanceLabel> {
    StanceLabel::parse(s).ok_or_else(|| bad(path, line, format!("unknown stance label {s:?}")))
}

/// The column holding the target, or the one target of the whole corpus.
enum TargetField {
    Column(&'static str),
    Fixed(&'static str),
}

/// Where a one-target table keeps its fields.
struct Layout {
    delimiter: u8,
    text: &'static str,
    target: TargetField,
    label: &'static str,
    lang: &'static str,
    source: &'static str,
    split: &'static str,
}

fn read_single_target(path: &Path, l: &Layout) -> Result<Vec<StanceExample>> {
    rows(path, l.delimiter)?
        .into_iter()
        .map(|(line, r)| {
            let target = match l.target {
                TargetField::Column(col) => r.get(col).cloned().unwrap_or_default(),
                TargetField::Fixed(fixed) => fixed.to_string(),
            };
            Ok(StanceExample {
                text: r.get(l.text).cloned().unwrap_or_default(),
                target,
                label: label(path, line, r.get(l.label).map_or("", String::as_str))?,
                lang: l.lang.into(),
                source: l.source,
                split: l.split.into(),
            })
        })
        .collect()
}

/// SemEval-2016 Task 6 TSV (ID, Target, Tweet, Stance, ...).
pub fn read_semeval(path: &Path) -> Result<Vec<StanceExample>> {
    let l = Layout { delimiter: b'\t', text: "Tweet", target: TargetField::Column("Target"), label: "Stance", lang: "en", source: "semeval2016", split: "train" };
    read_single_target(path, &l)
}

/// Two-target CSVs (multi-target, RUW): Tweet, Target 1, Stance 1, Target 2, Stance 2, split.
pub fn read_two_target(path: &Path, source: &'static str) -> Result<Vec<StanceExample>> {
    let mut out = Vec::new();
    for (line, r) in rows(path, b',')? {
        let split = r.iter().find(|(k, _)| k.contains("Train")).map_or("train".to_string(), |(_, v)| v.to_ascii_lowercase());
        for i in ["1", "2"] {
            let (Some(t), Some(s)) = (r.get(&format!("Target {i}")), r.get(&format!("Stance {i}"))) else { continue };
            if t.trim().is_empty() {
                continue;
            }
            out.push(StanceExample {
                text: r.get("Tweet").cloned().unwrap_or_default(),
                target: t.trim().to_string(),
                label: label(path, line, s)?,
                lang: "en".into(),
                source,
                split: split.clone(),
            });
        }
    }
    Ok(out)
}

/// P-Stance CSV: Tweet, Target, Stance.
pub fn read_pstance(path: &Path) -> Result<Vec<StanceExample>> {
    let l = Layout { delimiter: b',', text: "Tweet", target: TargetField::Column("Target"), label: "Stance", lang: "en", source: "pstance", split: "dev" };
    read_single_target(path, &l)
}

/// Catalonia Independence Corpus TSV: id_str, TWEET, LABEL; target: Catalan independence.
pub fn read_catalonia(path: &Path, lang: &'static str, split: &'static str) -> Result<Vec<StanceExample>> {
    let target = if lang == "ca" { "la independència de Catalunya" } else { "la independencia de Cataluña" };
    let l = Layout { delimiter: b'\t', text: "TWEET", target: TargetField::Fixed(target), label: "LABEL", lang, source: "catalonia", split };
    read_single_target(path, &l)
}

/// FNC-1: headline (target) against article body (text).
pub fn read_fnc1(stances: &Path, bodies: &Path) -> Result<Vec<StanceExample>> {
    let bodies: std::collections::HashMap<String, String> = rows(bodies, b',')?
        .into_iter()
        .filter_map(|(_, r)| Some((r.get("Body ID")?.clone(), r.get("articleBody")?.clone())))
        .collect();
    let mut out = Vec::new();
    for (line, r) in rows(stances, b',')? {
        let id = r.get("Body ID").cloned().unwrap_or_default();
        let body = bodies.get(&id).ok_or_else(|| bad(stances, line, format!("no body {id}")))?;
        out.push(StanceExample {
            text: body.clone(),
            target: r.get("Headline").cloned().unwrap_or_default(),
            label: label(stances, line, r.get("Stance").map_or("", String::as_str))?,
            lang: "en".into(),
            source: "fnc1",
            split: "train".into(),
        });
    }
    Ok(out)
}

/// VAST sentiment-swapped CSV: post, topic_str, label (0 con, 1 pro).
pub fn read_vast(path: &Path) -> Result<Vec<StanceExample>> {
    let l = Layout { delimiter: b',', text: "post", target: TargetField::Column("topic_str"), label: "label", lang: "en", source: "vast", split: "dev" };
    read_single_target(path, &l)
}

/// GerNTSA JSON array: opinion_snippet, target, sentiment.polarity.
pub fn read_gerntsa(path: &Path) -> Result<Vec<StanceExample>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(path, e.line() as u64, e))?;
    let arr = v.as_array().ok_or_else(|| bad(path, 1, "expected a JSON array"))?;
    arr.iter()
        .enumerate()
        .map(|(i, e)| {
            Ok(StanceExample {
                text: e["opinion_snippet"].as_str().unwrap_or_default().to_string(),
                target: e["target"].as_str().unwrap_or_default().to_string(),
                label: label(path, i as u64 + 1, e["sentiment"]["polarity"].as_str().unwrap_or(""))?,
                lang: "de".into(),
                source: "gerntsa",
                split: "train".into(),
            })
        })
        .collect()
}

/// Gold JSONL for `eval stance`: one `{"text", "target", "label"[, "lang"]}` per line.
pub fn read_gold_jsonl(path: &Path) -> Result<Vec<StanceExample>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        if l.trim().is_empty() {
            continue;
        }
        let line = i as u64 + 1;
        let v: serde_json::Value = serde_json::from_str(l).map_err(|e| bad(path, line, e))?;
        let field = |k: &str| v[k].as_str().map(str::to_string).ok_or_else(|| bad(path, line, format!("missing string field {k:?}")));
        out.push(StanceExample {
            text: field("text")?,
            target: field("target")?,
            label: label(path, line, &field("label")?)?,
            lang: v["lang"].as_str().unwrap_or("und").to_string(),
            source: "gold",
            split: "test".into(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_synonyms() {
        for (s, l) in [("FAVOR", StanceLabel::Favor), ("favour", StanceLabel::Favor), ("Neutral", StanceLabel::None), ("NONE", StanceLabel::None),
            ("agree", StanceLabel::Favor), ("disagree", StanceLabel::Against), ("discuss", StanceLabel::None), ("unrelated", StanceLabel::None), ("0", StanceLabel::Against)] {
            assert_eq!(StanceLabel::parse(s), Some(l), "{s}");
        }
        assert_eq!(StanceLabel::parse("maybe"), None);
    }

    #[test]
    fn formats() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.csv");
        std::fs::write(&p, "Tweet,Target 1,Stance 1,Target 2,Stance 2,Test/Train/Dev\n\"a, b\",Russia,AGAINST,Ukraine,FAVOR,Dev\n").unwrap();
        let v = read_two_target(&p, "ruw").unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!((v[0].target.as_str(), v[0].label, v[1].label, v[0].split.as_str()), ("Russia", StanceLabel::Against, StanceLabel::Favor, "dev"));
        let g = dir.path().join("g.jsonl");
        std::fs::write(&g, "{\"text\":\"x\",\"target\":\"t\",\"label\":\"Favour\",\"lang\":\"fr\"}\n\n{\"text\":\"y\",\"target\":\"t\",\"label\":\"bogus\"}\n").unwrap();
        let e = read_gold_jsonl(&g).unwrap_err().to_string();
        assert!(e.contains(":3:") && e.contains("bogus"), "{e}");
    }
}
