//! NER evaluation: gold sentences go through the same pipeline as `annotate` (each sentence's
//! tokens joined by spaces become one document) and predicted spans are scored against gold
//! spans by exact byte boundaries and type.
use crate::stages::annotate::Annotator;
use crate::training::corpus::{tag_spans, GoldSentence};
use crate::stages::input::{Origin, Record};
use crate::training::metrics::{SpanReport, SpanScorer};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
pub struct NerEval {
    #[serde(flatten)]
    pub overall: SpanReport,
    pub per_language: BTreeMap<String, SpanReport>,
    pub sentences: usize,
    /// Gold sentences the pipeline could not annotate (counted as all-missed).
    pub failed: usize,
    /// Predictions of types the gold scheme does not have (WikiANN has no MISC), not scored.
    pub dropped_predictions: BTreeMap<String, usize>,
}

/// Score `annotator` on `gold`. Predicted types that never occur in the gold data are left
/// out of the scores and counted in `dropped_predictions` (the gold scheme defines the types).
pub fn evaluate(annotator: &mut Annotator, gold: &[GoldSentence], docs_per_batch: usize) -> NerEval {
    let gold_types: std::collections::BTreeSet<String> =
        gold.iter().flat_map(|s| tag_spans(&s.tags)).map(|(k, _, _)| k).collect();
    let mut dropped: BTreeMap<String, usize> = BTreeMap::new();
    let mut all = SpanScorer::default();
    let mut per_lang: BTreeMap<String, SpanScorer> = BTreeMap::new();
    let mut failed = 0;
    for chunk in gold.chunks(docs_per_batch.max(1)) {
        let mut golds = Vec::with_capacity(chunk.len());
        let mut records = Vec::with_capacity(chunk.len());
        for (i, s) in chunk.iter().enumerate() {
            let (text, g) = s.text_and_entities();
            golds.push(g);
            records.push(Record { id: i.to_string(), text, metadata: Default::default(), origin: Origin { file: "gold".into(), line: None } });
        }
        for ((res, g), s) in annotator.annotate(records).into_iter().zip(&golds).zip(chunk) {
            let pred: Vec<(String, usize, usize)> = match res {
                Ok(doc) => doc
                    .entities
                    .iter()
                    .filter(|e| {
                        let keep = gold_types.contains(&e.label);
                        if !keep {
                            *dropped.entry(e.label.clone()).or_default() += 1;
                        }
                        keep
                    })
                    .map(|e| (e.label.clone(), e.span.byte_start, e.span.byte_end))
                    .collect(),
                Err(_) => {
                    failed += 1;
                    Vec::new()
                }
            };
            all.add(g, &pred);
            per_lang.entry(s.lang.clone()).or_default().add(g, &pred);
        }
    }
    NerEval {
        overall: all.report(),
        per_language: per_lang.into_iter().map(|(k, v)| (k, v.report())).collect(),
        sentences: gold.len(),
        failed,
        dropped_predictions: dropped,
    }
}
