//! The corpus readers on the real files of ../shared/data (present for developers and CI, not
//! for users): sizes match ../shared/data/README.md. Skipped with a message when absent.
use pactwatch::training::corpus::{read_conll, read_span_jsonl, Columns};
use pactwatch::training::stance_data::*;
use std::path::{Path, PathBuf};

fn data() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("SKIPPED: ../shared/data is not here");
        None
    }
}

#[test]
fn ner_corpora_sizes() {
    let Some(d) = data() else { return };
    let n = |rel: &str, cols| read_conll(&d.join(rel), "xx", cols).unwrap().len();
    assert_eq!(n("ner/conll2003-en/train.txt", Columns::TokenFirstTagLast), 14041);
    assert_eq!(n("ner/conll2003-en/dev.txt", Columns::TokenFirstTagLast), 3250);
    assert_eq!(n("ner/conll2002-es/dev.txt", Columns::TokenFirstTagLast), 1915);
    assert_eq!(n("ner/germeval2014-de/dev.tsv", Columns::IndexTokenTag), 2200);
    assert_eq!(n("ner/ner-uk/train.iob", Columns::TokenFirstTagLast), 11161);
    assert_eq!(n("ner/wikiann/fr.dev.tsv", Columns::TokenFirstTagLast), 10000);
    let s = read_span_jsonl(&d.join("ner/slavicner/train.jsonl")).unwrap();
    assert!(s.len() > 3772, "SlavicNER documents split into sentences");
    let tags: usize = s.iter().map(|x| x.tags.iter().filter(|t| t.starts_with("B-")).count()).sum();
    assert!(tags > 10_000, "{tags} entities");
}

#[test]
fn stance_corpora_sizes() {
    let Some(d) = data() else { return };
    let s = d.join("stance");
    assert_eq!(read_semeval(&s.join("semeval2016-en/train.tsv")).unwrap().len(), 2814);
    assert_eq!(read_pstance(&s.join("pstance-en/val.csv")).unwrap().len(), 2193);
    assert_eq!(read_two_target(&s.join("multitarget-en/train_dev.csv"), "multitarget").unwrap().len(), 2 * 3565);
    assert_eq!(read_two_target(&s.join("ruw-en/val.csv"), "ruw").unwrap().len(), 2 * 600);
    assert_eq!(read_catalonia(&s.join("catalonia-ca-es/spanish_val.tsv"), "es", "dev").unwrap().len(), 2015);
    assert_eq!(read_fnc1(&s.join("fnc1-en/stances.csv"), &s.join("fnc1-en/bodies.csv")).unwrap().len(), 25413);
    assert_eq!(read_vast(&s.join("vast-sentswap-en/vast_test-sentswap.csv")).unwrap().len(), 932);
    assert_eq!(read_gerntsa(&s.join("gerntsa-de/GerNTSA.json")).unwrap().len(), 3792);
}

/// eval/news-real names its texts by corpus_id: every one resolves in ../shared/data/news, every
/// gold actor's mentions occur in its text, and the counts are those of eval/news-real/README.md.
#[test]
fn news_real_gold_resolves_its_texts() {
    let Some(d) = data() else { return };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = d.join("news/multilingual_news_unlabeled.jsonl");
    let gold = pactwatch::training::news_eval::read_gold(&root.join("eval/news-real"), Some(&corpus)).unwrap();
    assert_eq!(gold.len(), 444);
    assert_eq!(gold.iter().filter(|g| g.on_topic).count(), 184);
    for g in &gold {
        assert!(!g.text.is_empty(), "{}", g.origin);
        for a in &g.actors {
            assert!(a.mentions.iter().any(|m| g.text.contains(m.as_str())), "{}: {} not in the text", g.origin, a.name);
        }
    }
}
