//! Exact-match span scoring (seqeval's default, CoNLL `conlleval`): a predicted entity counts
//! only if its type and both boundaries equal a gold entity's.
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub n_gold: usize,
    pub n_pred: usize,
    pub n_correct: usize,
}

impl Prf {
    pub fn from_counts(n_gold: usize, n_pred: usize, n_correct: usize) -> Prf {
        let p = if n_pred == 0 { 0.0 } else { n_correct as f64 / n_pred as f64 };
        let r = if n_gold == 0 { 0.0 } else { n_correct as f64 / n_gold as f64 };
        let f1 = if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) };
        Prf { precision: p, recall: r, f1, n_gold, n_pred, n_correct }
    }
}

/// Accumulates (group, kind, start, end) spans per sentence/document.
#[derive(Debug, Default)]
pub struct SpanScorer {
    /// per type: (gold, pred, correct)
    counts: BTreeMap<String, (usize, usize, usize)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SpanReport {
    pub f1: f64,
    pub precision: f64,
    pub recall: f64,
    pub macro_f1: f64,
    pub n_gold: usize,
    pub n_pred: usize,
    pub per_type: BTreeMap<String, Prf>,
}

impl SpanScorer {
    /// Add one unit's gold and predicted spans `(kind, start, end)`.
    pub fn add(&mut self, gold: &[(String, usize, usize)], pred: &[(String, usize, usize)]) {
        let g: HashSet<&(String, usize, usize)> = gold.iter().collect();
        let p: HashSet<&(String, usize, usize)> = pred.iter().collect();
        for s in &g {
            self.counts.entry(s.0.clone()).or_default().0 += 1;
        }
        for s in &p {
            let c = self.counts.entry(s.0.clone()).or_default();
            c.1 += 1;
            if g.contains(s) {
                c.2 += 1;
            }
        }
    }

    pub fn report(&self) -> SpanReport {
        let per_type: BTreeMap<String, Prf> =
            self.counts.iter().map(|(k, &(g, p, c))| (k.clone(), Prf::from_counts(g, p, c))).collect();
        let (g, p, c) = self.counts.values().fold((0, 0, 0), |a, &(g, p, c)| (a.0 + g, a.1 + p, a.2 + c));
        let micro = Prf::from_counts(g, p, c);
        let macro_f1 = if per_type.is_empty() { 0.0 } else { per_type.values().map(|x| x.f1).sum::<f64>() / per_type.len() as f64 };
        SpanReport { f1: micro.f1, precision: micro.precision, recall: micro.recall, macro_f1, n_gold: g, n_pred: p, per_type }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::training::corpus::tag_spans;

    fn t(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    /// Worked by hand with seqeval's default (conlleval) rules: gold has PER, LOC, ORG, PER;
    /// predictions PER, LOC, ORG (too long), LOC (wrong type): micro P = R = 2/4; PER P = 1,
    /// R = 1/2, F1 = 2/3; LOC P = 1/2, R = 1, F1 = 2/3; ORG F1 = 0.
    #[test]
    fn agrees_with_seqeval_on_hand_built_cases() {
        let gold = [t("B-PER I-PER O B-LOC"), t("B-ORG O B-PER")];
        let pred = [t("B-PER I-PER O B-LOC"), t("B-ORG I-ORG B-LOC")];
        let mut sc = SpanScorer::default();
        for (g, p) in gold.iter().zip(&pred) {
            sc.add(&tag_spans(g), &tag_spans(p));
        }
        let r = sc.report();
        assert_eq!((r.n_gold, r.n_pred), (4, 4));
        assert!((r.precision - 0.5).abs() < 1e-9 && (r.recall - 0.5).abs() < 1e-9);
        assert!((r.per_type["PER"].f1 - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(r.per_type["LOC"].n_pred, 2);
        assert_eq!(r.per_type["ORG"].f1, 0.0);
        // seqeval treats a dangling I- as the start of an entity
        let mut sc = SpanScorer::default();
        sc.add(&tag_spans(&t("O I-PER I-PER")), &tag_spans(&t("O B-PER I-PER")));
        assert_eq!(sc.report().f1, 1.0);
    }
}
