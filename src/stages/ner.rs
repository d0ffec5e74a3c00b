//! NER decoding: sub-token label probabilities → word labels (aggregation) → BIO repair →
//! entity spans. Pure functions; the model only supplies probabilities.
use serde::Serialize;

/// How a word's label is read from its sub-tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Aggregation {
    /// The first sub-token's distribution (what training labels).
    #[default]
    First,
    /// The mean of the sub-tokens' distributions.
    Average,
    /// The distribution of the most confident sub-token.
    Max,
}

/// A label split into its BIO prefix and type: "B-PER" → (B, "PER"), "O" → (O, "").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub prefix: char,
    pub kind: String,
}

/// Parse a label and map the scheme variants to PER / ORG / LOC / MISC.
pub fn parse_tag(label: &str) -> Tag {
    let (prefix, kind) = match label.split_once(['-', '_']) {
        Some((p, k)) if matches!(p, "B" | "I" | "E" | "S" | "L" | "U") => (p.chars().next().unwrap_or('B'), k),
        _ if label == "O" || label.is_empty() => return Tag { prefix: 'O', kind: String::new() },
        _ => ('I', label),
    };
    Tag { prefix, kind: normalize_type(kind).to_string() }
}

/// PERS → PER, GPE → LOC, OTH → MISC; other types pass through unchanged.
pub fn normalize_type(kind: &str) -> &str {
    match kind {
        "PER" | "PERS" | "PERSON" => "PER",
        "ORG" | "ORGANIZATION" => "ORG",
        "LOC" | "GPE" | "LOCATION" => "LOC",
        "MISC" | "OTH" => "MISC",
        other => other,
    }
}

/// Word-level distribution from the probability rows of its sub-tokens.
pub fn aggregate(rows: &[&[f32]], how: Aggregation) -> Option<Vec<f32>> {
    let first = rows.first()?;
    Some(match how {
        Aggregation::First => first.to_vec(),
        Aggregation::Average => {
            let mut acc = vec![0f32; first.len()];
            for r in rows {
                for (a, v) in acc.iter_mut().zip(r.iter()) {
                    *a += v;
                }
            }
            acc.iter().map(|a| a / rows.len() as f32).collect()
        }
        Aggregation::Max => {
            let best = rows
                .iter()
                .max_by(|a, b| max_of(a).total_cmp(&max_of(b)))
                .expect("rows is non-empty");
            best.to_vec()
        }
    })
}

fn max_of(r: &[f32]) -> f32 {
    r.iter().copied().fold(f32::NEG_INFINITY, f32::max)
}

/// An entity over words `[word_start, word_end)`.
#[derive(Debug, Clone, PartialEq)]
pub struct WordEntity {
    pub kind: String,
    pub word_start: usize,
    pub word_end: usize,
    pub score: f32,
}

/// Group word labels into entities. BIO repair: an I- after O or after another type opens a new
/// entity; E-/S- (BIOES) close one. `scores[i]` is word i's label probability.
pub fn decode(tags: &[Tag], scores: &[f32]) -> Vec<WordEntity> {
    let mut out = Vec::new();
    let mut cur: Option<WordEntity> = None;
    let mut sum = 0f32;
    let close = |cur: &mut Option<WordEntity>, sum: f32, out: &mut Vec<WordEntity>| {
        if let Some(mut e) = cur.take() {
            e.score = sum / (e.word_end - e.word_start) as f32;
            out.push(e);
        }
    };
    for (i, t) in tags.iter().enumerate() {
        let continues = matches!(t.prefix, 'I' | 'E' | 'L')
            && cur.as_ref().is_some_and(|c| c.kind == t.kind && c.word_end == i);
        if t.prefix == 'O' {
            close(&mut cur, sum, &mut out);
            continue;
        }
        if continues {
            let c = cur.as_mut().expect("continues implies an open entity");
            c.word_end = i + 1;
            sum += scores[i];
        } else {
            close(&mut cur, sum, &mut out);
            cur = Some(WordEntity { kind: t.kind.clone(), word_start: i, word_end: i + 1, score: 0.0 });
            sum = scores[i];
        }
        if matches!(t.prefix, 'E' | 'S' | 'L' | 'U') {
            close(&mut cur, sum, &mut out);
        }
    }
    close(&mut cur, sum, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(s: &str) -> Vec<Tag> {
        s.split_whitespace().map(parse_tag).collect()
    }

    fn spans(s: &str) -> Vec<(String, usize, usize)> {
        let t = tags(s);
        decode(&t, &vec![1.0; t.len()]).into_iter().map(|e| (e.kind, e.word_start, e.word_end)).collect()
    }

    #[test]
    fn bio_table() {
        let cases: &[(&str, &[(&str, usize, usize)])] = &[
            ("B-PER I-PER O B-LOC", &[("PER", 0, 2), ("LOC", 3, 4)]),
            ("O I-ORG I-ORG", &[("ORG", 1, 3)]),                 // I after O opens
            ("B-PER I-LOC", &[("PER", 0, 1), ("LOC", 1, 2)]),     // type change opens
            ("B-PER B-PER", &[("PER", 0, 1), ("PER", 1, 2)]),
            ("I-PERS I-PERS", &[("PER", 0, 2)]),                 // NER-UK scheme
            ("B-OTH", &[("MISC", 0, 1)]),                         // GermEval scheme
            ("S-LOC B-ORG E-ORG", &[("LOC", 0, 1), ("ORG", 1, 3)]), // BIOES
            ("O O", &[]),
        ];
        for (input, want) in cases {
            let want: Vec<_> = want.iter().map(|(k, a, b)| (k.to_string(), *a, *b)).collect();
            assert_eq!(spans(input), want, "{input}");
        }
    }

    #[test]
    fn aggregation() {
        let a = [0.9f32, 0.1];
        let b = [0.2f32, 0.8];
        let c = [0.05f32, 0.95];
        let rows: Vec<&[f32]> = vec![&a, &b, &c];
        assert_eq!(aggregate(&rows, Aggregation::First).unwrap(), vec![0.9, 0.1]);
        assert_eq!(aggregate(&rows, Aggregation::Max).unwrap(), vec![0.05, 0.95]);
        let avg = aggregate(&rows, Aggregation::Average).unwrap();
        assert!((avg[0] - 0.383333).abs() < 1e-5);
        assert!(aggregate(&[], Aggregation::First).is_none());
    }

    #[test]
    fn scores_are_means() {
        let t = tags("B-PER I-PER");
        let e = decode(&t, &[0.5, 1.0]);
        assert!((e[0].score - 0.75).abs() < 1e-6);
    }
}
