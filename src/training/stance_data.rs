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
//! - P-Stance train (FAVOR / AGAINST), VAST three-way (`vast-en`, FAVOR / AGAINST / NONE),
//!   Perspectrum (SUPPORT → favor, UNDERMINE → against; claim = target, perspective = text),
//!   IBM claim stance (PRO / CON toward the motion), ArgKP (1 / -1 toward the motion),
//!   ValueEval (`in favor of` / `against` the conclusion);
//! - the project's own news-register pairs (`corpora/stance-news/*.jsonl`, `{"target", "text",
//!   "lang", "label", "holder", "kind"}`): favor / against / none, and `unrelated` (a sentence
//!   of the same news weeks that is not about the target) → none;
//! - holder-marked pairs (`read_marked_pairs`): the news pairs' holders and the per-actor
//!   labels of `corpora/stance-actors/*.jsonl`, each actor's mentions marked `[[ ]]`;
//! - the gold JSONL of `eval stance`: `{"text", "target", "label"[, "lang"]}` with `favor`,
//!   `favour`, `against`, `none`, `neutral` in any case.
use crate::error::{Error, Result};
use serde::Serialize;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
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
            "favor" | "favour" | "agree" | "pro" | "1" | "positive" | "support" | "in favor of" => Some(StanceLabel::Favor),
            "against" | "disagree" | "con" | "0" | "-1" | "negative" | "undermine" => Some(StanceLabel::Against),
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
            // FNC-1 has no split here; `unrelated` is recorded so callers can tell it from `discuss`.
            split: if r.get("Stance").is_some_and(|s| s.trim() == "unrelated") { "unrelated".into() } else { "train".into() },
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

/// VAST in the four-column cut (`Tweet, Target 1, Stance 1, seen?`), three-way.
pub fn read_vast3(path: &Path) -> Result<Vec<StanceExample>> {
    let l = Layout { delimiter: b',', text: "Tweet", target: TargetField::Column("Target 1"), label: "Stance 1", lang: "en", source: "vast3", split: "train" };
    read_single_target(path, &l)
}

/// A table whose rows name their own split: columns (text, target, label, split).
fn read_with_split_column(path: &Path, delimiter: u8, cols: [&str; 4], source: &'static str) -> Result<Vec<StanceExample>> {
    let [text, target, lab, split] = cols;
    rows(path, delimiter)?
        .into_iter()
        .map(|(line, r)| {
            Ok(StanceExample {
                text: r.get(text).cloned().unwrap_or_default(),
                target: r.get(target).cloned().unwrap_or_default(),
                label: label(path, line, r.get(lab).map_or("", String::as_str))?,
                lang: "en".into(),
                source,
                split: r.get(split).cloned().unwrap_or_default(),
            })
        })
        .collect()
}

/// Perspectrum `pairs.tsv`: split, claim (target), perspective (text), SUPPORT / UNDERMINE.
pub fn read_perspectrum(path: &Path) -> Result<Vec<StanceExample>> {
    read_with_split_column(path, b'\t', ["perspective", "claim", "stance", "split"], "perspectrum")
}

/// IBM Debater claim stance: topicText (motion), claims.claimCorrectedText, PRO / CON, split.
pub fn read_ibm_claims(path: &Path) -> Result<Vec<StanceExample>> {
    read_with_split_column(path, b',', ["claims.claimCorrectedText", "topicText", "claims.stance", "split"], "ibmclaims")
}

/// ArgKP `arguments_*.csv`: argument, topic (motion), stance 1 / -1.
pub fn read_argkp(path: &Path, split: &'static str) -> Result<Vec<StanceExample>> {
    let l = Layout { delimiter: b',', text: "argument", target: TargetField::Column("topic"), label: "stance", lang: "en", source: "argkp", split };
    read_single_target(path, &l)
}

/// ValueEval arguments TSV: Conclusion (target), Stance, Premise (text).
pub fn read_valueeval(path: &Path, split: &'static str) -> Result<Vec<StanceExample>> {
    let l = Layout { delimiter: b'\t', text: "Premise", target: TargetField::Column("Conclusion"), label: "Stance", lang: "en", source: "valueeval", split };
    read_single_target(path, &l)
}

/// The `*.jsonl` files of `dir`, sorted.
fn jsonl_files(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    Ok(files)
}

/// The project's news-register pairs: every `*.jsonl` of `dir` (see the module doc), all train.
/// `unrelated` lines become none. A line that does not parse is an error naming file and line.
pub fn read_news_pairs(dir: &Path) -> Result<Vec<StanceExample>> {
    let mut out = Vec::new();
    for path in jsonl_files(dir)? {
        out.extend(read_pairs_jsonl(&path, "news", "train")?);
    }
    Ok(out)
}

/// Holder-marked pairs (`models::stance::mark_name`) from the project's news folders: a line
/// with an `"actors": [{"name", "label"}, ...]` list gives one pair per actor, its mentions
/// marked (`source` "actors": the stance of that actor, none when only mentioned); a line with
/// a `"holder"` that occurs in its text gives one pair with the holder marked (`source`
/// "news-marked"). Actor lines are split by a hash of the text: 20 % dev, the rest train; a
/// name missing from its text is an error naming file and line.
pub fn read_marked_pairs(dir: &Path) -> Result<Vec<StanceExample>> {
    let mut out = Vec::new();
    for path in jsonl_files(dir)? {
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        for (i, l) in text.lines().enumerate() {
            if l.trim().is_empty() {
                continue;
            }
            let line = i as u64 + 1;
            let v: serde_json::Value = serde_json::from_str(l).map_err(|e| bad(&path, line, e))?;
            let field = |k: &str| v[k].as_str().map(str::to_string).ok_or_else(|| bad(&path, line, format!("missing string field {k:?}")));
            let (t, target) = (field("text")?, field("target")?);
            let lang = v["lang"].as_str().unwrap_or("und").to_string();
            if let Some(actors) = v["actors"].as_array() {
                let split = if crate::stages::output::shard_of(&t, 100) < 20 { "dev" } else { "train" };
                for a in actors {
                    let name = a["name"].as_str().ok_or_else(|| bad(&path, line, "an actor without a \"name\""))?;
                    let marked = crate::models::stance::mark_name(&t, name).ok_or_else(|| bad(&path, line, format!("actor {name:?} does not occur in the text")))?;
                    let l = label(&path, line, a["label"].as_str().unwrap_or(""))?;
                    out.push(StanceExample { text: marked, target: target.clone(), label: l, lang: lang.clone(), source: "actors", split: split.into() });
                }
            } else if let Some(marked) = v["holder"].as_str().and_then(|h| crate::models::stance::mark_name(&t, h)) {
                let l = label(&path, line, &field("label")?)?;
                out.push(StanceExample { text: marked, target, label: l, lang, source: "news-marked", split: "train".into() });
            }
        }
    }
    Ok(out)
}

/// The many-target argument corpora added in session 4 (P-Stance train, VAST three-way,
/// Perspectrum, IBM claims, ArgKP, ValueEval), split as their releases split them: VAST topics
/// by the same hash as the sentiment-swapped VAST (half held out), Perspectrum / IBM / ArgKP /
/// ValueEval by their own train / dev (IBM: test) splits; their test splits are not read.
pub fn load_argument_corpora(data: &Path) -> Result<Vec<StanceExample>> {
    let d = data.join("stance");
    let mut all = Vec::new();
    all.extend(read_pstance(&d.join("pstance-en/train.csv"))?.into_iter().map(|mut e| { e.split = "train".into(); e }));
    for f in ["vast_dev.csv", "vast_test.csv"] {
        for mut e in read_vast3(&d.join("vast-en").join(f))? {
            e.split = if crate::stages::output::shard_of(&e.target, 100) < 50 { "dev".into() } else { "train".into() };
            all.push(e);
        }
    }
    all.extend(read_perspectrum(&d.join("perspectrum-en/pairs.tsv"))?.into_iter().filter(|e| e.split != "test"));
    for mut e in read_ibm_claims(&d.join("ibm-claim-stance-en/claim_stance_dataset_v1.csv"))? {
        e.split = if e.split == "test" { "dev".into() } else { "train".into() };
        all.push(e);
    }
    all.extend(read_argkp(&d.join("argkp-en/arguments_train.csv"), "train")?);
    all.extend(read_argkp(&d.join("argkp-en/arguments_dev.csv"), "dev")?);
    all.extend(read_valueeval(&d.join("valueeval-en/arguments-training.tsv"), "train")?);
    all.extend(read_valueeval(&d.join("valueeval-en/arguments-validation.tsv"), "dev")?);
    Ok(all)
}

/// Every stance corpus under `data` (the layout of ../shared/data), each example marked
/// `split` = "train" or "dev" by the held-out policy below, and `source` naming its corpus.
///
/// Held out so that dev measures what matters, stance toward targets the model never saw:
/// - Catalonia (ca, es; independence): both val files are dev, the train files are not used —
///   an unseen target in two languages the training data lacks;
/// - P-Stance (Trump, Biden, Sanders; binary): all dev (Biden never appears in training);
/// - VAST (396 topics): topics split by hash, half train, half dev (unseen topics);
/// - GerNTSA (de news): targets split by hash, 15 % of targets dev.
///
/// Seen-target dev splits: SemEval trial, multi-target's Dev and Test rows, RUW val.
/// FNC-1 is train only, without its `unrelated` pairs: whether a sentence concerns the target
/// is the relevance stage's question, not the stance model's.
pub fn load_corpora(data: &Path) -> Result<Vec<StanceExample>> {
    let d = data.join("stance");
    let mut all = Vec::new();
    let mut semeval = read_semeval(&d.join("semeval2016-en/train.tsv"))?;
    let mut trial = read_semeval(&d.join("semeval2016-en/trial.tsv"))?;
    trial.iter_mut().for_each(|e| e.split = "dev".into());
    all.append(&mut semeval);
    all.append(&mut trial);
    for mut e in read_two_target(&d.join("multitarget-en/train_dev.csv"), "multitarget")? {
        e.split = if e.split == "train" { "train".into() } else { "dev".into() };
        all.push(e);
    }
    all.extend(read_two_target(&d.join("ruw-en/train.csv"), "ruw")?.into_iter().map(|mut e| { e.split = "train".into(); e }));
    all.extend(read_two_target(&d.join("ruw-en/val.csv"), "ruw")?.into_iter().map(|mut e| { e.split = "dev".into(); e }));
    all.extend(read_pstance(&d.join("pstance-en/val.csv"))?);
    all.extend(read_catalonia(&d.join("catalonia-ca-es/catalan_val.tsv"), "ca", "dev")?);
    all.extend(read_catalonia(&d.join("catalonia-ca-es/spanish_val.tsv"), "es", "dev")?);
    all.extend(
        read_fnc1(&d.join("fnc1-en/stances.csv"), &d.join("fnc1-en/bodies.csv"))?
            .into_iter()
            .filter(|e| !is_unrelated(e)),
    );
    for mut e in read_vast(&d.join("vast-sentswap-en/vast_test-sentswap.csv"))? {
        e.split = if crate::stages::output::shard_of(&e.target, 100) < 50 { "dev".into() } else { "train".into() };
        all.push(e);
    }
    for mut e in read_gerntsa(&d.join("gerntsa-de/GerNTSA.json"))? {
        e.split = if crate::stages::output::shard_of(&e.target, 100) < 15 { "dev".into() } else { "train".into() };
        all.push(e);
    }
    Ok(all)
}

/// Languages of XNLI 1.0 in `../shared/data/nli/xnli`.
pub const XNLI_LANGS: [&str; 15] = ["ar", "bg", "de", "el", "en", "es", "fr", "hi", "ru", "sw", "th", "tr", "ur", "vi", "zh"];
/// Rows of each language's XNLI dev file scored as the `xnli-LANG` dev sets (the rest of the dev
/// file is not used, so that scoring 15 languages stays short).
pub const XNLI_DEV_ROWS: usize = 300;

/// One XNLI TSV (`premise hypothesis label`, unquoted) as stance pairs: the hypothesis is the
/// target and the premise the text, so that "does this passage support the claim" is asked as
/// stance is: entailment → favor, contradiction → against, neutral → none (NLI as an
/// intermediate task, issue 11). `source` = "xnli".
pub fn read_xnli(path: &Path, lang: &str, split: &str, limit: usize) -> Result<Vec<StanceExample>> {
    let mut out = Vec::new();
    for (line, r) in rows(path, b'\t')? {
        if limit > 0 && out.len() >= limit {
            break;
        }
        let l = match r.get("label").map(|s| s.trim()) {
            Some("entailment") => StanceLabel::Favor,
            Some("contradiction") => StanceLabel::Against,
            Some("neutral") => StanceLabel::None,
            other => return Err(bad(path, line, format!("unknown NLI label {other:?}"))),
        };
        let field = |k: &str| r.get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).ok_or_else(|| bad(path, line, format!("empty {k}")));
        out.push(StanceExample { text: field("premise")?, target: field("hypothesis")?, label: l, lang: lang.into(), source: "xnli", split: split.into() });
    }
    Ok(out)
}

/// XNLI in every language under `dir` (`../shared/data/nli/xnli`): the released test files are
/// the training pairs (5,010 per language, the same pairs in each language), the first
/// `XNLI_DEV_ROWS` rows of each dev file the dev sets.
pub fn load_xnli(dir: &Path) -> Result<Vec<StanceExample>> {
    let mut all = Vec::new();
    for lang in XNLI_LANGS {
        all.extend(read_xnli(&dir.join(format!("test.{lang}.tsv")), lang, "train", 0)?);
        all.extend(read_xnli(&dir.join(format!("dev.{lang}.tsv")), lang, "dev", XNLI_DEV_ROWS)?);
    }
    Ok(all)
}

/// FNC-1's `unrelated` pairs (kept apart from `discuss`, both of which map to none).
fn is_unrelated(e: &StanceExample) -> bool {
    e.source == "fnc1" && e.split == "unrelated"
}

/// Name of the dev set an example belongs to: corpus and language ("catalonia-es").
pub fn dev_set_name(e: &StanceExample) -> String {
    format!("{}-{}", e.source, e.lang)
}

/// Gold JSONL for `eval stance`: one `{"text", "target", "label"[, "lang"]}` per line.
pub fn read_gold_jsonl(path: &Path) -> Result<Vec<StanceExample>> {
    read_pairs_jsonl(path, "gold", "test")
}

/// One `{"text", "target", "label"[, "lang"]}` object per line (other fields ignored), every
/// example with `source` and `split`; errors name file and line.
fn read_pairs_jsonl(path: &Path, source: &'static str, split: &str) -> Result<Vec<StanceExample>> {
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
            source,
            split: split.into(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xnli_rows_become_claim_pairs() {
        let dir = std::env::temp_dir().join(format!("pw-xnli-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("dev.en.tsv");
        std::fs::write(&p, "premise\thypothesis\tlabel\nHe said \"no\".\tHe agreed.\tcontradiction\nA.\tB.\tentailment\nC.\tD.\tneutral\n").unwrap();
        let v = read_xnli(&p, "en", "dev", 0).unwrap();
        assert_eq!(v.iter().map(|e| e.label).collect::<Vec<_>>(), [StanceLabel::Against, StanceLabel::Favor, StanceLabel::None]);
        assert_eq!((v[0].target.as_str(), v[0].text.as_str(), v[0].source), ("He agreed.", "He said \"no\".", "xnli"));
        assert_eq!(read_xnli(&p, "en", "dev", 2).unwrap().len(), 2);
        std::fs::write(&p, "premise\thypothesis\tlabel\nA.\tB.\tmaybe\n").unwrap();
        let e = read_xnli(&p, "en", "dev", 0).unwrap_err().to_string();
        assert!(e.contains("dev.en.tsv:2") && e.contains("maybe"), "{e}");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn label_synonyms() {
        for (s, l) in [("FAVOR", StanceLabel::Favor), ("favour", StanceLabel::Favor), ("Neutral", StanceLabel::None), ("NONE", StanceLabel::None),
            ("agree", StanceLabel::Favor), ("disagree", StanceLabel::Against), ("discuss", StanceLabel::None), ("unrelated", StanceLabel::None), ("0", StanceLabel::Against)] {
            assert_eq!(StanceLabel::parse(s), Some(l), "{s}");
        }
        assert_eq!(StanceLabel::parse("maybe"), None);
    }

    #[test]
    fn holder_marked_pairs() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.jsonl"), concat!(
            "{\"target\":\"T\",\"text\":\"Moscow called it a provocation.\",\"lang\":\"en\",\"label\":\"against\",\"holder\":\"Moscow\"}\n",
            "{\"target\":\"T\",\"text\":\"Snow fell.\",\"lang\":\"en\",\"label\":\"none\",\"holder\":null}\n",
            "{\"target\":\"T\",\"text\":\"Kyiv welcomed it in Paris.\",\"lang\":\"en\",\"actors\":[{\"name\":\"Kyiv\",\"label\":\"favor\"},{\"name\":\"Paris\",\"label\":\"none\"}]}\n",
        )).unwrap();
        let v = read_marked_pairs(dir.path()).unwrap();
        let got: Vec<(&str, StanceLabel, &str)> = v.iter().map(|e| (e.text.as_str(), e.label, e.source)).collect();
        assert_eq!(got, [
            ("[[Moscow]] called it a provocation.", StanceLabel::Against, "news-marked"),
            ("[[Kyiv]] welcomed it in Paris.", StanceLabel::Favor, "actors"),
            ("Kyiv welcomed it in [[Paris]].", StanceLabel::None, "actors"),
        ]);
        assert_eq!(v[1].split, v[2].split, "one sentence's actors share a split");
        std::fs::write(dir.path().join("b.jsonl"), "{\"target\":\"T\",\"text\":\"Kyiv welcomed it.\",\"actors\":[{\"name\":\"Kiev\",\"label\":\"favor\"}]}\n").unwrap();
        let e = read_marked_pairs(dir.path()).unwrap_err().to_string();
        assert!(e.contains("b.jsonl:1:") && e.contains("Kiev"), "{e}");
    }

    #[test]
    fn argument_and_news_formats() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pairs.tsv");
        std::fs::write(&p, "split\tclaim_id\tclaim\tperspective_id\tperspective\tstance\ndev\t1\tBan X\t2\tX harms\tSUPPORT\ntrain\t1\tBan X\t3\tX helps\tUNDERMINE\n").unwrap();
        let v = read_perspectrum(&p).unwrap();
        assert_eq!((v[0].target.as_str(), v[0].text.as_str(), v[0].label, v[0].split.as_str()), ("Ban X", "X harms", StanceLabel::Favor, "dev"));
        assert_eq!(v[1].label, StanceLabel::Against);
        let a = dir.path().join("a.csv");
        std::fs::write(&a, "arg_id,argument,topic,stance\na1,\"no, never\",Ban Y,-1\na2,yes,Ban Y,1\n").unwrap();
        let v = read_argkp(&a, "train").unwrap();
        assert_eq!((v[0].text.as_str(), v[0].label, v[1].label), ("no, never", StanceLabel::Against, StanceLabel::Favor));
        let ve = dir.path().join("v.tsv");
        std::fs::write(&ve, "Argument ID\tConclusion\tStance\tPremise\nA1\tWe should ban Z\tin favor of\tZ is bad\nA2\tWe should ban Z\tagainst\tZ is fine\n").unwrap();
        let v = read_valueeval(&ve, "dev").unwrap();
        assert_eq!((v[0].label, v[1].label, v[0].target.as_str()), (StanceLabel::Favor, StanceLabel::Against, "We should ban Z"));
        let news = dir.path().join("news");
        std::fs::create_dir(&news).unwrap();
        std::fs::write(news.join("x.jsonl"), "{\"target\":\"T\",\"text\":\"Moscow called it a provocation.\",\"lang\":\"en\",\"label\":\"against\",\"holder\":\"Moscow\",\"kind\":\"reaction\"}\n{\"target\":\"T\",\"text\":\"Snow fell.\",\"lang\":\"en\",\"label\":\"unrelated\",\"holder\":null,\"kind\":\"offtopic\"}\n").unwrap();
        std::fs::write(news.join("ignored.txt"), "not read").unwrap();
        let v = read_news_pairs(&news).unwrap();
        assert_eq!((v.len(), v[0].label, v[1].label, v[0].source), (2, StanceLabel::Against, StanceLabel::None, "news"));
        std::fs::write(news.join("y.jsonl"), "{\"target\":\"T\",\"text\":\"x\",\"label\":\"sideways\"}\n").unwrap();
        let e = read_news_pairs(&news).unwrap_err().to_string();
        assert!(e.contains("y.jsonl:1") && e.contains("sideways"), "{e}");
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
