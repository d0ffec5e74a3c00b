//! Scoring canonical-actor merging on a name-variant gold file (`eval/actors/variants.jsonl`:
//! entity, type, lang, mention, context per line): every mention is placed by the
//! [`Canonicalizer`] in a fixed shuffled order (the gold is grouped by entity; a corpus is not),
//! then pairwise merge precision and recall, for the dev part and the held-back test part
//! (entities whose FNV-1a hash mod 3 is 0; a pair belongs to a part when either of its mentions
//! does, so false merges across the parts count in both).
use crate::error::{Error, Result};
use crate::stages::canonical::Canonicalizer;
use crate::stages::output::shard_of;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, Deserialize)]
pub struct GoldMention {
    pub entity: String,
    #[serde(rename = "type")]
    pub label: String,
    pub lang: String,
    pub mention: String,
    #[serde(default)]
    pub context: String,
}

pub fn read_gold(path: &Path) -> Result<Vec<GoldMention>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).map_err(|e| Error::Invalid(format!("{}:{}: {e}", path.display(), i + 1))))
        .collect()
}

/// Whether a gold entity is in the held-back test part.
pub fn is_test(entity: &str) -> bool {
    shard_of(entity, 3) == 0
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct PairScore {
    pub precision: f64,
    pub recall: f64,
    pub true_pairs: u64,
    pub predicted_pairs: u64,
    pub gold_pairs: u64,
    pub mentions: usize,
    pub entities: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActorsReport {
    pub dev: PairScore,
    pub test: PairScore,
    /// How many mentions each rule placed.
    pub via: BTreeMap<String, usize>,
    pub predicted_actors: usize,
    pub gold_entities: usize,
    pub threshold: f32,
    /// Largest false merges and splits (dev part only), for error analysis.
    pub false_merges: Vec<(String, String, u64)>,
    pub splits: Vec<(String, Vec<Vec<String>>)>,
}

/// The order mentions are fed in: by a hash of the line, stable across runs.
pub fn shuffled(gold: &[GoldMention]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..gold.len()).collect();
    order.sort_by_key(|&i| (shard_of(&format!("{}\u{1}{}\u{1}{}\u{1}{i}", gold[i].entity, gold[i].lang, gold[i].mention), u64::MAX), i));
    order
}

/// Place every mention (`emb(i)` gives mention i's normalised name embedding) and score.
pub fn score(gold: &[GoldMention], canon: &mut Canonicalizer, emb: &dyn Fn(usize) -> Vec<f32>) -> ActorsReport {
    let mut pred = vec![0usize; gold.len()];
    let mut via: BTreeMap<String, usize> = BTreeMap::new();
    for i in shuffled(gold) {
        let g = &gold[i];
        let e = canon.needs_embedding(&g.mention, &g.label).then(|| emb(i));
        let (a, v) = canon.assign_in(&g.mention, &g.label, e.as_deref(), &g.context);
        pred[i] = a;
        *via.entry(format!("{v:?}").to_lowercase()).or_default() += 1;
    }
    let part = |test: bool| {
        let (mut tp, mut pp, mut gp) = (0u64, 0u64, 0u64);
        let inside = |i: usize| is_test(&gold[i].entity) == test;
        for i in 0..gold.len() {
            for j in i + 1..gold.len() {
                if !(inside(i) || inside(j)) {
                    continue;
                }
                let same = gold[i].entity == gold[j].entity;
                let p = pred[i] == pred[j];
                tp += (same && p) as u64;
                pp += p as u64;
                gp += same as u64;
            }
        }
        let ents: std::collections::BTreeSet<&str> = gold.iter().filter(|g| is_test(&g.entity) == test).map(|g| g.entity.as_str()).collect();
        PairScore {
            precision: tp as f64 / pp.max(1) as f64,
            recall: tp as f64 / gp.max(1) as f64,
            true_pairs: tp,
            predicted_pairs: pp,
            gold_pairs: gp,
            mentions: gold.iter().filter(|g| is_test(&g.entity) == test).count(),
            entities: ents.len(),
        }
    };
    // Error analysis on dev: false merges by entity pair, splits by entity.
    let mut fm: BTreeMap<(String, String), u64> = BTreeMap::new();
    for i in 0..gold.len() {
        for j in i + 1..gold.len() {
            if pred[i] == pred[j] && gold[i].entity != gold[j].entity && !(is_test(&gold[i].entity) && is_test(&gold[j].entity)) {
                let (a, b) = if gold[i].entity < gold[j].entity { (&gold[i].entity, &gold[j].entity) } else { (&gold[j].entity, &gold[i].entity) };
                *fm.entry((a.clone(), b.clone())).or_default() += 1;
            }
        }
    }
    let mut false_merges: Vec<(String, String, u64)> = fm.into_iter().map(|((a, b), n)| (a, b, n)).collect();
    false_merges.sort_by(|a, b| b.2.cmp(&a.2));
    let mut by_entity: BTreeMap<&str, BTreeMap<usize, Vec<String>>> = BTreeMap::new();
    for (i, g) in gold.iter().enumerate() {
        if !is_test(&g.entity) {
            by_entity.entry(&g.entity).or_default().entry(pred[i]).or_default().push(g.mention.clone());
        }
    }
    let mut splits: Vec<(String, Vec<Vec<String>>)> = by_entity.into_iter().filter(|(_, c)| c.len() > 1).map(|(e, c)| {
        let mut groups: Vec<Vec<String>> = c.into_values().collect();
        groups.sort_by_key(|g| std::cmp::Reverse(g.len()));
        (e.to_string(), groups)
    }).collect();
    splits.sort_by_key(|(_, g)| std::cmp::Reverse(g.iter().skip(1).map(Vec::len).sum::<usize>()));
    let ents: std::collections::BTreeSet<&str> = gold.iter().map(|g| g.entity.as_str()).collect();
    ActorsReport { dev: part(false), test: part(true), via, predicted_actors: canon.actors.len(), gold_entities: ents.len(), threshold: canon.threshold, false_merges, splits }
}
