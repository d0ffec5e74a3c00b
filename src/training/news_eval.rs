//! Scoring stance on news articles the way an annotator labels them (`pactwatch eval news`):
//! gold articles (`eval/news-dev/*.jsonl`, format in its README) against the document and
//! actor stances `annotate` wrote (`documents.jsonl`).
//!
//! - Documents (on-topic gold only): the document row of the gold target; macro-F1 over
//!   favor / against / none, accuracy, confusion `[gold][pred]`, how many were called against,
//!   how many gold-`none` reports were called favor.
//! - Actors: each gold actor is matched to the predicted actors of its document and target by
//!   name (`names_match`); accuracy counts an unmatched actor as wrong. Also: gold `against`
//!   actors predicted against, stance-holding (favor / against) gold actors not found, and
//!   predicted actors with a side that match no gold actor (`spurious_sided`).
//! - Off-topic gold: the share with any relevant sentence or a document side for the target.
//!
//! Every figure is given per split: `dev` (tuned on) and `test` (never tuned on), by
//! `split_of` unless the gold line names its split.
use crate::error::{Error, Result};
use crate::training::stance_data::StanceLabel;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize)]
pub struct GoldActor {
    pub name: String,
    pub mentions: Vec<String>,
    pub stance: StanceLabel,
}

#[derive(Debug, Clone, Serialize)]
pub struct GoldArticle {
    pub id: String,
    pub target: String,
    pub lang: String,
    pub date: Option<String>,
    pub source: Option<String>,
    pub on_topic: bool,
    /// Document label (None for off-topic articles).
    pub label: Option<StanceLabel>,
    pub text: String,
    /// The article's id in a corpus of texts, when the gold line carries no text itself.
    pub corpus_id: Option<String>,
    pub actors: Vec<GoldActor>,
    pub split: String,
    /// Where the article came from, "file:line", for messages.
    pub origin: String,
}

/// `test` for about a third of the ids (FNV-1a of the id mod 100 < 35), else `dev`.
pub fn split_of(id: &str) -> &'static str {
    if crate::stages::output::shard_of(id, 100) < 35 {
        "test"
    } else {
        "dev"
    }
}

/// Gold articles from a JSONL file or from every `*.jsonl` of a folder (sorted by name).
/// A line may leave out `text` and name a `corpus_id` instead: its text is then the `text` of
/// the record with that `id` in the JSONL corpus `texts` (real news that the project reads but
/// does not commit, e.g. `../shared/data/news`).
pub fn read_gold(path: &Path, texts: Option<&Path>) -> Result<Vec<GoldArticle>> {
    let files: Vec<PathBuf> = if path.is_dir() {
        let mut v: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| Error::io(path, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
            .collect();
        v.sort();
        v
    } else {
        vec![path.to_path_buf()]
    };
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut corpus: Option<std::collections::HashMap<String, String>> = None;
    for f in files {
        let text = std::fs::read_to_string(&f).map_err(|e| Error::io(&f, e))?;
        for (i, l) in text.lines().enumerate() {
            if l.trim().is_empty() {
                continue;
            }
            let origin = format!("{}:{}", f.display(), i + 1);
            let mut a = parse_article(l, &origin)?;
            if let Some(cid) = a.corpus_id.take() {
                if corpus.is_none() {
                    let t = texts.ok_or_else(|| Error::Invalid(format!("{origin}: names corpus_id {cid:?} but no corpus of texts was given")))?;
                    corpus = Some(read_corpus_texts(t).map_err(|e| Error::Invalid(format!("{origin}: names corpus_id {cid:?}: {e}")))?);
                }
                a.text = corpus.as_ref().and_then(|c| c.get(&cid)).cloned().ok_or_else(|| {
                    Error::Invalid(format!("{origin}: corpus_id {cid:?} is not in {}", texts.map(|t| t.display().to_string()).unwrap_or_default()))
                })?;
            }
            if !seen.insert(a.id.clone()) {
                return Err(Error::Invalid(format!("{origin}: duplicate id {:?}", a.id)));
            }
            out.push(a);
        }
    }
    Ok(out)
}

/// `id` → `text` of a JSONL corpus.
fn read_corpus_texts(path: &Path) -> Result<std::collections::HashMap<String, String>> {
    let raw = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut m = std::collections::HashMap::new();
    for (i, l) in raw.lines().enumerate() {
        if l.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(l).map_err(|e| Error::Invalid(format!("{}:{}: {e}", path.display(), i + 1)))?;
        if let (Some(id), Some(t)) = (v["id"].as_str(), v["text"].as_str()) {
            m.insert(id.to_string(), t.to_string());
        }
    }
    Ok(m)
}

fn parse_article(line: &str, origin: &str) -> Result<GoldArticle> {
    let bad = |m: String| Error::Invalid(format!("{origin}: {m}"));
    let v: serde_json::Value = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
    let s = |k: &str| v[k].as_str().map(str::to_string).ok_or_else(|| bad(format!("missing string field {k:?}")));
    let label_of = |x: &serde_json::Value, what: &str| -> Result<Option<StanceLabel>> {
        match x {
            serde_json::Value::Null => Ok(None),
            serde_json::Value::String(t) => StanceLabel::parse(t).map(Some).ok_or_else(|| bad(format!("unknown {what} label {t:?}"))),
            other => Err(bad(format!("{what} label must be a string or null, not {other}"))),
        }
    };
    let id = s("id")?;
    let on_topic = v["on_topic"].as_bool().ok_or_else(|| bad("missing boolean field \"on_topic\"".into()))?;
    let label = label_of(&v["label"], "document")?;
    if on_topic && label.is_none() {
        return Err(bad(format!("{id}: an on-topic article needs a label")));
    }
    let mut actors = Vec::new();
    for a in v["actors"].as_array().map(Vec::as_slice).unwrap_or_default() {
        let name = a["name"].as_str().ok_or_else(|| bad(format!("{id}: an actor without a name")))?.to_string();
        let stance = label_of(&a["stance"], "actor")?.ok_or_else(|| bad(format!("{id}: actor {name:?} has no stance")))?;
        let mut mentions: Vec<String> = a["mentions"].as_array().map(|m| m.iter().filter_map(|x| x.as_str().map(str::to_string)).collect()).unwrap_or_default();
        if !mentions.contains(&name) {
            mentions.push(name.clone());
        }
        actors.push(GoldActor { name, mentions, stance });
    }
    let split = v["split"].as_str().map(str::to_string).unwrap_or_else(|| split_of(&id).to_string());
    Ok(GoldArticle {
        target: s("target")?,
        lang: s("lang")?,
        date: v["date"].as_str().map(str::to_string),
        source: v["source"].as_str().map(str::to_string),
        on_topic,
        label,
        text: if v["corpus_id"].is_string() { String::new() } else { s("text")? },
        corpus_id: v["corpus_id"].as_str().map(str::to_string),
        actors,
        split,
        origin: origin.to_string(),
        id,
    })
}

/// What `annotate` said of one document and one target.
#[derive(Debug, Clone, Default)]
pub struct Predicted {
    pub label: Option<StanceLabel>,
    pub n_relevant: usize,
    /// (actor name, label, sentences of evidence)
    pub actors: Vec<(String, StanceLabel, usize)>,
}

/// Predictions per (document id, target id) from the lines of `documents.jsonl`.
pub fn read_predictions(path: &Path) -> Result<BTreeMap<(String, String), Predicted>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut out: BTreeMap<(String, String), Predicted> = BTreeMap::new();
    for (i, l) in text.lines().enumerate() {
        if l.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(l).map_err(|e| Error::Invalid(format!("{}:{}: {e}", path.display(), i + 1)))?;
        let Some(id) = v["id"].as_str() else { continue };
        for r in v["stances"].as_array().map(Vec::as_slice).unwrap_or_default() {
            if r["scope"] != "document" {
                continue;
            }
            let t = r["target"].as_str().unwrap_or_default().to_string();
            let p = out.entry((id.to_string(), t)).or_default();
            p.label = r["label"].as_str().and_then(StanceLabel::parse);
            p.n_relevant = r["n_sentences"].as_u64().unwrap_or(0) as usize;
        }
        for a in v["actors"].as_array().map(Vec::as_slice).unwrap_or_default() {
            let t = a["target"].as_str().unwrap_or_default().to_string();
            let Some(label) = a["label"].as_str().and_then(StanceLabel::parse) else { continue };
            let n = a["evidence"].as_array().map_or(0, Vec::len);
            out.entry((id.to_string(), t)).or_default().actors.push((a["actor"].as_str().unwrap_or_default().to_string(), label, n));
        }
    }
    Ok(out)
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric() && c != '-' && c != '\'').filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// Whether a predicted actor name denotes the gold actor: equal to one of its mentions (case
/// aside), or its last word (of at least 3 letters) is the last word of one: "Zakharova"
/// matches "Maria Zakharova", "Emmanuel Macron" matches "Macron", "Maria" matches neither.
pub fn names_match(pred: &str, gold: &GoldActor) -> bool {
    let p = pred.trim().to_lowercase();
    let pw = words(&p);
    gold.mentions.iter().any(|m| {
        let m = m.trim().to_lowercase();
        if m == p {
            return true;
        }
        let mw = words(&m);
        pw.last().filter(|w| w.chars().count() >= 3).is_some_and(|w| mw.last() == Some(w))
    })
}

#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct DocScores {
    pub n: usize,
    pub macro_f1: f64,
    pub accuracy: f64,
    /// `confusion[gold][pred]` in favor, against, none order.
    pub confusion: [[usize; 3]; 3],
    pub gold_against: usize,
    pub predicted_against: usize,
    pub gold_none_called_favor: usize,
    pub gold_none: usize,
}

#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct ActorScores {
    pub n_gold: usize,
    pub correct: usize,
    pub accuracy: f64,
    pub confusion_found: [[usize; 3]; 3],
    pub gold_against: usize,
    pub against_found_against: usize,
    pub gold_sided: usize,
    pub sided_not_found: usize,
    pub predicted_sided: usize,
    pub spurious_sided: usize,
}

#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct OffTopicScores {
    pub n: usize,
    pub with_relevant_or_side: usize,
    pub share: f64,
}

#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct SplitScores {
    pub documents: DocScores,
    pub actors: ActorScores,
    pub off_topic: OffTopicScores,
    /// Document accuracy per target and per language: (correct, n).
    pub doc_by_target: BTreeMap<String, (usize, usize)>,
    pub doc_by_lang: BTreeMap<String, (usize, usize)>,
    /// Gold actors right / all, by language.
    #[serde(default)]
    pub actor_by_lang: BTreeMap<String, (usize, usize)>,
}

fn idx(l: StanceLabel) -> usize {
    StanceLabel::ALL.iter().position(|x| *x == l).expect("ALL has every label")
}

fn macro_f1(m: &[[usize; 3]; 3]) -> f64 {
    let present: Vec<usize> = (0..3).filter(|&k| m[k].iter().sum::<usize>() > 0).collect();
    if present.is_empty() {
        return 0.0;
    }
    let f1 = |k: usize| {
        let tp = m[k][k] as f64;
        let pred: usize = (0..3).map(|g| m[g][k]).sum();
        let gold: usize = m[k].iter().sum();
        if tp == 0.0 {
            0.0
        } else {
            2.0 * tp / (pred + gold) as f64
        }
    };
    present.iter().map(|&k| f1(k)).sum::<f64>() / present.len() as f64
}

/// Score the gold articles of one split against the predictions (a missing prediction is a
/// document with no relevant sentence: label none, no actors).
pub fn score(gold: &[&GoldArticle], pred: &BTreeMap<(String, String), Predicted>) -> SplitScores {
    let mut s = SplitScores::default();
    let empty = Predicted::default();
    for g in gold {
        let p = pred.get(&(g.id.clone(), g.target.clone())).unwrap_or(&empty);
        let plabel = p.label.unwrap_or(StanceLabel::None);
        if !g.on_topic {
            s.off_topic.n += 1;
            if p.n_relevant > 0 || plabel != StanceLabel::None {
                s.off_topic.with_relevant_or_side += 1;
            }
            continue;
        }
        let gl = g.label.expect("on-topic gold has a label (read_gold)");
        let d = &mut s.documents;
        d.n += 1;
        d.confusion[idx(gl)][idx(plabel)] += 1;
        d.gold_against += (gl == StanceLabel::Against) as usize;
        d.predicted_against += (plabel == StanceLabel::Against) as usize;
        d.gold_none += (gl == StanceLabel::None) as usize;
        d.gold_none_called_favor += (gl == StanceLabel::None && plabel == StanceLabel::Favor) as usize;
        for (key, m) in [(g.target.clone(), &mut s.doc_by_target), (g.lang.clone(), &mut s.doc_by_lang)] {
            let e = m.entry(key).or_default();
            e.0 += (gl == plabel) as usize;
            e.1 += 1;
        }
        let a = &mut s.actors;
        let mut used = vec![false; p.actors.len()];
        let correct_before = a.correct;
        for ga in &g.actors {
            a.n_gold += 1;
            let sided = ga.stance != StanceLabel::None;
            a.gold_sided += sided as usize;
            a.gold_against += (ga.stance == StanceLabel::Against) as usize;
            // The matching predicted actor with the most evidence.
            let best = p
                .actors
                .iter()
                .enumerate()
                .filter(|(_, (n, _, _))| names_match(n, ga))
                .max_by_key(|(i, (_, _, ev))| (*ev, std::cmp::Reverse(*i)))
                .map(|(_, x)| x);
            match best {
                Some((_, l, _)) => {
                    for (j, (n, _, _)) in p.actors.iter().enumerate() {
                        if names_match(n, ga) {
                            used[j] = true;
                        }
                    }
                    a.confusion_found[idx(ga.stance)][idx(*l)] += 1;
                    a.correct += (*l == ga.stance) as usize;
                    a.against_found_against += (ga.stance == StanceLabel::Against && *l == StanceLabel::Against) as usize;
                }
                None => {
                    a.correct += (ga.stance == StanceLabel::None) as usize;
                    a.sided_not_found += sided as usize;
                }
            }
        }
        let by_lang = s.actor_by_lang.entry(g.lang.clone()).or_default();
        by_lang.0 += s.actors.correct - correct_before;
        by_lang.1 += g.actors.len();
        let a = &mut s.actors;
        for (j, (_, l, _)) in p.actors.iter().enumerate() {
            if *l != StanceLabel::None {
                a.predicted_sided += 1;
                a.spurious_sided += (!used[j]) as usize;
            }
        }
    }
    let d = &mut s.documents;
    d.macro_f1 = macro_f1(&d.confusion);
    d.accuracy = (0..3).map(|k| d.confusion[k][k]).sum::<usize>() as f64 / d.n.max(1) as f64;
    s.actors.accuracy = s.actors.correct as f64 / s.actors.n_gold.max(1) as f64;
    s.off_topic.share = s.off_topic.with_relevant_or_side as f64 / s.off_topic.n.max(1) as f64;
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(name: &str, mentions: &[&str], stance: StanceLabel) -> GoldActor {
        GoldActor { name: name.into(), mentions: mentions.iter().map(|s| s.to_string()).collect(), stance }
    }

    #[test]
    fn name_matching() {
        let z = actor("Maria Zakharova", &["Maria Zakharova", "Zakharova"], StanceLabel::Against);
        assert!(names_match("Zakharova", &z));
        assert!(names_match("maria zakharova", &z));
        assert!(!names_match("Maria", &z));
        assert!(!names_match("Lavrov", &z));
        let m = actor("Macron", &["Macron"], StanceLabel::Favor);
        assert!(names_match("Emmanuel Macron", &m));
        assert!(!names_match("France", &m));
    }

    #[test]
    fn gold_texts_from_a_corpus() {
        let dir = tempfile::tempdir().unwrap();
        let (g, c) = (dir.path().join("g.jsonl"), dir.path().join("c.jsonl"));
        std::fs::write(&c, "{\"id\":\"raw/1\",\"text\":\"Real text.\"}\n").unwrap();
        std::fs::write(&g, r#"{"id":"r1","corpus_id":"raw/1","target":"t","lang":"pl","on_topic":false,"label":null,"actors":[]}"#).unwrap();
        let gold = read_gold(&g, Some(&c)).unwrap();
        assert_eq!((gold[0].text.as_str(), gold[0].corpus_id.as_deref()), ("Real text.", None));
        let e = read_gold(&g, None).unwrap_err().to_string();
        assert!(e.contains("g.jsonl:1") && e.contains("raw/1"), "{e}");
        std::fs::write(&g, r#"{"id":"r1","corpus_id":"raw/2","target":"t","lang":"pl","on_topic":false,"label":null,"actors":[]}"#).unwrap();
        let e = read_gold(&g, Some(&c)).unwrap_err().to_string();
        assert!(e.contains("raw/2") && e.contains("is not in"), "{e}");
    }

    #[test]
    fn gold_lines_and_scores() {
        let dir = tempfile::tempdir().unwrap();
        let g = dir.path().join("g.jsonl");
        std::fs::write(&g, concat!(
            r#"{"id":"a","target":"t","lang":"en","on_topic":true,"label":"against","text":"x","actors":[{"name":"Maria Zakharova","mentions":["Zakharova"],"stance":"against"},{"name":"Macron","stance":"favor"}]}"#, "\n",
            r#"{"id":"b","target":"t","lang":"de","on_topic":true,"label":"none","text":"y","actors":[]}"#, "\n",
            r#"{"id":"c","target":"t","lang":"de","on_topic":false,"label":null,"text":"z","actors":[]}"#, "\n",
        )).unwrap();
        let gold = read_gold(&g, None).unwrap();
        assert_eq!(gold.len(), 3);
        assert_eq!(gold[0].actors[0].mentions, vec!["Zakharova".to_string(), "Maria Zakharova".to_string()]);
        let mut pred = BTreeMap::new();
        pred.insert(("a".into(), "t".into()), Predicted { label: Some(StanceLabel::Against), n_relevant: 3, actors: vec![("Zakharova".into(), StanceLabel::Against, 2), ("Britain".into(), StanceLabel::Favor, 1)] });
        pred.insert(("b".into(), "t".into()), Predicted { label: Some(StanceLabel::Favor), n_relevant: 1, actors: vec![] });
        pred.insert(("c".into(), "t".into()), Predicted { label: Some(StanceLabel::None), n_relevant: 1, actors: vec![] });
        let refs: Vec<&GoldArticle> = gold.iter().collect();
        let s = score(&refs, &pred);
        assert_eq!((s.documents.n, s.documents.predicted_against, s.documents.gold_none_called_favor), (2, 1, 1));
        assert!((s.documents.accuracy - 0.5).abs() < 1e-9);
        assert_eq!(s.actor_by_lang.get("en"), Some(&(1, 2)));
        // against 1.0, none 0.0 (favor is predicted but not in the gold, so not averaged)
        assert!((s.documents.macro_f1 - 0.5).abs() < 1e-9, "{}", s.documents.macro_f1);
        assert_eq!((s.actors.n_gold, s.actors.correct, s.actors.against_found_against, s.actors.sided_not_found, s.actors.spurious_sided), (2, 1, 1, 1, 1));
        assert_eq!((s.off_topic.n, s.off_topic.with_relevant_or_side), (1, 1));
        // A bad line names file and line.
        std::fs::write(&g, "{\"id\":\"a\",\"target\":\"t\",\"lang\":\"en\",\"on_topic\":true,\"label\":\"maybe\",\"text\":\"x\"}\n").unwrap();
        let e = read_gold(&g, None).unwrap_err().to_string();
        assert!(e.contains("g.jsonl:1") && e.contains("maybe"), "{e}");
    }
}
