//! After the stance stage: every entity and every actor row gets its canonical actor
//! ([`ActorLinker`], in input order, so `entities.csv` and `actors.csv` carry `canonical_id` as
//! they are written), and the run adds up to `corpus_actors.csv` ([`CorpusActors`]): one row per
//! canonical actor and target, with the variants seen, documents and sentences, documents per
//! label, mean probabilities, languages, first and last date, and the strongest evidence; and
//! one row per canonical actor with an empty target for every named entity (who is named, with
//! or without a stance). On `--resume` both are rebuilt from the rows already written
//! ([`read_entity_rows`], [`read_actor_rows`]).
use crate::document::Document;
use crate::error::{Error, Result};
use crate::stages::canonical::Canonicalizer;
use crate::training::stance_data::StanceLabel;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// Name embeddings for a batch of names (normalised rows).
pub type Embed<'a> = dyn Fn(&[String]) -> Result<Vec<Vec<f32>>> + 'a;

pub struct ActorLinker {
    pub canon: Canonicalizer,
    cache: HashMap<String, Vec<f32>>,
}

impl ActorLinker {
    pub fn new(canon: Canonicalizer) -> ActorLinker {
        ActorLinker { canon, cache: HashMap::new() }
    }

    /// Embed the names not seen before, in one batch.
    fn embed_new(&mut self, names: impl Iterator<Item = String>, embed: &Embed) -> Result<()> {
        let mut new: Vec<String> = names.filter(|n| !self.cache.contains_key(n)).collect::<BTreeSet<_>>().into_iter().collect();
        new.retain(|n| !n.trim().is_empty());
        for (n, e) in new.iter().zip(embed(&new)?) {
            self.cache.insert(n.clone(), e);
        }
        Ok(())
    }

    /// Give every entity and actor row of `docs` its canonical id (documents in order; in each,
    /// its entities, then its actors).
    pub fn link(&mut self, docs: &mut [&mut Document], embed: &Embed) -> Result<()> {
        let names: Vec<String> = docs.iter().flat_map(|d| d.entities.iter().map(|e| e.text.clone()).chain(d.actors.iter().map(|a| a.actor.clone()))).collect();
        self.embed_new(names.into_iter(), embed)?;
        for d in docs.iter_mut() {
            // Each mention in its sentence (a place name's second sense is picked by its
            // sentence's cue words); an actor row in the sentence of its first mention.
            let d = &mut **d;
            let (text, sentences) = (&d.text, &d.sentences);
            let sentence_of = |si: usize| sentences.get(si).map_or("", |s| &text[s.span.byte_start..s.span.byte_end]);
            for e in d.entities.iter_mut() {
                let (idx, _) = self.canon.assign_in(&e.text, &e.label, self.cache.get(&e.text).map(Vec::as_slice), sentence_of(e.sentence));
                e.canonical_id = Some(self.canon.actors[idx].id.clone());
            }
            for a in d.actors.iter_mut() {
                let first = d.entities.iter().find(|e| e.text == a.actor).map_or("", |e| sentence_of(e.sentence));
                let (idx, _) = self.canon.assign_in(&a.actor, &a.entity_label, self.cache.get(&a.actor).map(Vec::as_slice), first);
                a.canonical_id = Some(self.canon.actors[idx].id.clone());
            }
        }
        Ok(())
    }

    /// Rebuild the state from rows already written (a resumed run), in the order they were
    /// placed: each document's entities, then its actors.
    pub fn replay(&mut self, entities: &[EntityRow], actors: &[ActorRow], embed: &Embed) -> Result<()> {
        self.embed_new(entities.iter().map(|r| r.text.clone()).chain(actors.iter().map(|r| r.actor.clone())), embed)?;
        let mut a = 0;
        let mut i = 0;
        while i < entities.len() || a < actors.len() {
            let doc = entities.get(i).map_or_else(|| actors[a].doc_id.clone(), |e| e.doc_id.clone());
            while i < entities.len() && entities[i].doc_id == doc {
                let e = &entities[i];
                self.canon.replay(&e.canonical_id, &e.text, &e.label, self.cache.get(&e.text).map(Vec::as_slice));
                i += 1;
            }
            while a < actors.len() && actors[a].doc_id == doc {
                let r = &actors[a];
                self.canon.replay(&r.canonical_id, &r.actor, &r.entity_label, self.cache.get(&r.actor).map(Vec::as_slice));
                a += 1;
            }
        }
        Ok(())
    }
}

/// One row of `actors.csv` as read back.
#[derive(Debug, Clone, Deserialize)]
pub struct ActorRow {
    pub doc_id: String,
    pub actor: String,
    pub entity_label: String,
    pub target: String,
    pub label: StanceLabel,
    pub p_favor: f32,
    pub p_against: f32,
    pub p_none: f32,
    pub evidence: String,
    pub lang: String,
    pub canonical_id: String,
    pub date: String,
}

/// One row of `entities.csv` as read back.
#[derive(Debug, Clone, Deserialize)]
pub struct EntityRow {
    pub doc_id: String,
    pub sentence: usize,
    pub label: String,
    pub text: String,
    pub score: f32,
    pub lang: String,
    pub canonical_id: String,
    #[serde(default)]
    pub date: String,
}

/// `entities.csv` as written so far.
pub fn read_entity_rows(path: &Path) -> Result<Vec<EntityRow>> {
    read_rows(path)
}

/// `actors.csv` as written so far.
pub fn read_actor_rows(path: &Path) -> Result<Vec<ActorRow>> {
    read_rows(path)
}

/// The rows of a CSV table written so far (none if it does not exist); errors name the row.
pub fn read_rows<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    let mut r = csv::Reader::from_path(path).map_err(|e| Error::Invalid(format!("{}: {e}", path.display())))?;
    r.deserialize().enumerate().map(|(i, row)| row.map_err(|e| Error::Invalid(format!("{}: row {}: {e}", path.display(), i + 2)))).collect()
}

#[derive(Default)]
struct Acc {
    docs: usize,
    last_doc: String,
    /// The last (document, sentence) counted, for named rows.
    last_sentence: Option<(String, usize)>,
    sentences: usize,
    labels: [usize; 3],
    sum_p: [f64; 3],
    rows: usize,
    langs: BTreeSet<String>,
    first: Option<String>,
    last: Option<String>,
    /// (probability of the row's side, doc id, first evidence sentence)
    best: Option<(f32, String, Option<usize>)>,
}

/// The corpus table, added up row by row.
#[derive(Default)]
pub struct CorpusActors {
    by: BTreeMap<(String, String), Acc>,
}

#[derive(Serialize)]
struct CorpusRow<'a> {
    canonical_id: &'a str,
    name: String,
    entity_label: &'a str,
    target: &'a str,
    variants: String,
    documents: usize,
    sentences: usize,
    favor: Option<usize>,
    against: Option<usize>,
    none: Option<usize>,
    mean_p_favor: Option<f64>,
    mean_p_against: Option<f64>,
    mean_p_none: Option<f64>,
    languages: String,
    first_date: &'a str,
    last_date: &'a str,
    evidence_doc: &'a str,
    evidence_sentence: Option<usize>,
    evidence_p: f32,
}

impl CorpusActors {
    pub fn add(&mut self, r: &ActorRow) {
        let a = self.by.entry((r.canonical_id.clone(), r.target.clone())).or_default();
        let li = match r.label {
            StanceLabel::Favor => 0,
            StanceLabel::Against => 1,
            StanceLabel::None => 2,
        };
        // Two spellings of one actor in a document are one document.
        if a.last_doc != r.doc_id || a.docs == 0 {
            a.docs += 1;
            a.labels[li] += 1;
            a.last_doc = r.doc_id.clone();
        }
        let ev: Vec<usize> = r.evidence.split_whitespace().filter_map(|x| x.parse().ok()).collect();
        a.sentences += ev.len();
        a.sum_p[0] += r.p_favor as f64;
        a.sum_p[1] += r.p_against as f64;
        a.sum_p[2] += r.p_none as f64;
        a.rows += 1;
        a.langs.insert(r.lang.clone());
        if !r.date.is_empty() {
            if a.first.as_ref().is_none_or(|f| r.date < *f) {
                a.first = Some(r.date.clone());
            }
            if a.last.as_ref().is_none_or(|l| r.date > *l) {
                a.last = Some(r.date.clone());
            }
        }
        let p = [r.p_favor, r.p_against, r.p_none][li];
        if a.best.as_ref().is_none_or(|(b, _, _)| p > *b) {
            a.best = Some((p, r.doc_id.clone(), ev.first().copied()));
        }
    }

    /// A named entity (target-less row): documents, sentences, languages, dates, and the
    /// most confident mention as evidence.
    pub fn add_entity(&mut self, r: &EntityRow, date: &str) {
        let a = self.by.entry((r.canonical_id.clone(), String::new())).or_default();
        if a.last_doc != r.doc_id || a.docs == 0 {
            a.docs += 1;
            a.labels[2] += 1;
            a.last_doc = r.doc_id.clone();
        }
        let here = (r.doc_id.clone(), r.sentence);
        if a.last_sentence.as_ref() != Some(&here) {
            a.sentences += 1;
            a.last_sentence = Some(here);
        }
        a.rows += 1;
        a.langs.insert(r.lang.clone());
        if !date.is_empty() {
            if a.first.as_deref().is_none_or(|f| date < f) {
                a.first = Some(date.to_string());
            }
            if a.last.as_deref().is_none_or(|l| date > l) {
                a.last = Some(date.to_string());
            }
        }
        if a.best.as_ref().is_none_or(|(b, _, _)| r.score > *b) {
            a.best = Some((r.score, r.doc_id.clone(), Some(r.sentence)));
        }
    }

    /// Add a written document's entities and actor rows (their canonical ids set).
    pub fn add_document(&mut self, d: &Document, date_field: &str) {
        let date = d.date(date_field).unwrap_or_default();
        for e in &d.entities {
            self.add_entity(
                &EntityRow { doc_id: d.id.clone(), sentence: e.sentence, label: e.label.clone(), text: e.text.clone(), score: e.score, lang: d.lang.code.clone(), canonical_id: e.canonical_id.clone().unwrap_or_default(), date: date.clone() },
                &date,
            );
        }
        for a in &d.actors {
            self.add(&ActorRow {
                doc_id: d.id.clone(),
                actor: a.actor.clone(),
                entity_label: a.entity_label.clone(),
                target: a.target.clone(),
                label: a.label,
                p_favor: a.probs.favor,
                p_against: a.probs.against,
                p_none: a.probs.none,
                evidence: a.evidence.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(" "),
                lang: d.lang.code.clone(),
                canonical_id: a.canonical_id.clone().unwrap_or_default(),
                date: date.clone(),
            });
        }
    }

    pub fn len(&self) -> usize {
        self.by.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by.is_empty()
    }

    /// Write `corpus_actors.csv` (atomically): the stance rows, then the named rows (empty
    /// target; stance columns empty), each by documents, most first.
    pub fn write(&self, path: &Path, canon: &Canonicalizer) -> Result<()> {
        let ids: HashMap<&str, usize> = canon.actors.iter().enumerate().map(|(i, a)| (a.id.as_str(), i)).collect();
        let mut keys: Vec<&(String, String)> = self.by.keys().collect();
        keys.sort_by_key(|k| (k.1.is_empty(), std::cmp::Reverse(self.by[*k].docs), (*k).clone()));
        let tmp = path.with_extension("csv.tmp");
        let mut w = csv::Writer::from_path(&tmp).map_err(|e| Error::io(&tmp, e.into()))?;
        for k in keys {
            let a = &self.by[k];
            // Rows with a target carry stance; the target-less rows count who is named.
            let stance = !k.1.is_empty();
            let actor = ids.get(k.0.as_str()).map(|&i| &canon.actors[i]);
            let mut variants: Vec<(&String, &usize)> = actor.map(|x| x.variants.iter().collect()).unwrap_or_default();
            variants.sort_by(|x, y| y.1.cmp(x.1).then(x.0.cmp(y.0)));
            let n = a.rows.max(1) as f64;
            let (bp, bdoc, bsent) = a.best.clone().unwrap_or((0.0, String::new(), None));
            w.serialize(CorpusRow {
                canonical_id: &k.0,
                name: actor.map(|x| x.name()).unwrap_or_else(|| k.0.clone()),
                entity_label: actor.map_or("", |x| x.main_label()),
                target: &k.1,
                variants: variants.iter().map(|(v, _)| v.as_str()).collect::<Vec<_>>().join("|"),
                documents: a.docs,
                sentences: a.sentences,
                favor: stance.then_some(a.labels[0]),
                against: stance.then_some(a.labels[1]),
                none: stance.then_some(a.labels[2]),
                mean_p_favor: stance.then_some(a.sum_p[0] / n),
                mean_p_against: stance.then_some(a.sum_p[1] / n),
                mean_p_none: stance.then_some(a.sum_p[2] / n),
                languages: a.langs.iter().cloned().collect::<Vec<_>>().join("|"),
                first_date: a.first.as_deref().unwrap_or(""),
                last_date: a.last.as_deref().unwrap_or(""),
                evidence_doc: &bdoc,
                evidence_sentence: bsent,
                evidence_p: bp,
            })
            .map_err(|e| Error::io(&tmp, e.into()))?;
        }
        w.flush().map_err(|e| Error::io(&tmp, e))?;
        drop(w);
        std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(doc: &str, actor: &str, label: StanceLabel, p: [f32; 3], date: &str, lang: &str) -> ActorRow {
        ActorRow {
            doc_id: doc.into(), actor: actor.into(), entity_label: "PER".into(), target: "t".into(), label,
            p_favor: p[0], p_against: p[1], p_none: p[2], evidence: "2 5".into(), lang: lang.into(), canonical_id: "PER:putin".into(), date: date.into(),
        }
    }

    #[test]
    fn one_actor_adds_up_across_documents_and_spellings() {
        let mut c = CorpusActors::default();
        c.add(&row("a", "Putin", StanceLabel::Against, [0.1, 0.8, 0.1], "2026-01-08", "en"));
        c.add(&row("a", "Путин", StanceLabel::Against, [0.1, 0.9, 0.0], "2026-01-08", "en"));
        c.add(&row("b", "Putina", StanceLabel::None, [0.2, 0.2, 0.6], "2026-01-07", "pl"));
        let mut canon = Canonicalizer::new(Default::default(), 0.9);
        for n in ["Putin", "Путин", "Putina"] {
            canon.assign(n, "PER", None);
        }
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("corpus_actors.csv");
        c.write(&p, &canon).unwrap();
        let mut r = csv::Reader::from_path(&p).unwrap();
        let h = r.headers().unwrap().clone();
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
        assert_eq!(rows.len(), 1);
        let get = |n: &str| rows[0][h.iter().position(|c| c == n).unwrap()].to_string();
        assert_eq!((get("documents"), get("against"), get("none"), get("sentences")), ("2".into(), "1".into(), "1".into(), "6".into()));
        assert_eq!((get("first_date"), get("last_date"), get("languages")), ("2026-01-07".into(), "2026-01-08".into(), "en|pl".into()));
        assert_eq!((get("evidence_doc"), get("evidence_sentence"), get("name")), ("a".into(), "2".into(), "Putin".into()));
    }
}
