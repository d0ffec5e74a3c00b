//! Property: for arbitrary Unicode text (emoji, CJK, combining marks, CRLF, RTL, ...), every
//! entity and sentence the pipeline emits satisfies `text[start..end] == span text` in both
//! byte and code-point units, and the model sees every non-whitespace character.
use super::fixture::{make_model, Arch, Head};
use pactwatch::stages::annotate::{Annotator, NerOptions};
use pactwatch::stages::input::{Origin, Record};
use pactwatch::models::ModelDir;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z]{1,12}",
        Just("Macron".to_string()),
        Just("Starmer,".to_string()),
        Just("U.S.".to_string()),
        Just("e\u{301}te\u{301}".to_string()),   // combining acute accents
        Just("👩‍👩‍👧".to_string()),                    // ZWJ emoji sequence
        Just("🇺🇦".to_string()),
        Just("北京市".to_string()),
        Just("Зеленський".to_string()),
        Just("שלום".to_string()),
        Just("«Paris»".to_string()),
        Just("\r\n".to_string()),
        Just("\n\n".to_string()),
        Just("\t".to_string()),
        Just("\u{200b}".to_string()),          // zero-width space
        Just("\u{feff}".to_string()),
        Just(". ".to_string()),
        Just("! ".to_string()),
        any::<char>().prop_map(|c| c.to_string()),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 1..60).prop_map(|v| v.join(" "))
}

#[test]
fn entity_and_sentence_offsets_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    make_model(dir.path(), Arch::Bert, Head::Token, 3);
    let md = ModelDir::open(dir.path()).unwrap();
    // small windows so that long texts exercise the windowing too
    let opts = NerOptions { max_tokens: 16, stride_tokens: 4, batch_size: 4, ..Default::default() };
    let ann = std::cell::RefCell::new(Annotator::load(&md, opts, tch::Device::Cpu).unwrap());
    let mut runner = TestRunner::new(Config { cases: 64, ..Config::default() });
    let n_entities = std::cell::Cell::new(0usize);
    runner
        .run(&text(), |t| {
            if t.trim().is_empty() {
                return Ok(());
            }
            let rec = Record { id: "p".into(), text: t.clone(), metadata: Default::default(), origin: Origin { file: "-".into(), line: None } };
            let doc = ann.borrow_mut().annotate(vec![rec]).pop().unwrap().map_err(|e| TestCaseError::fail(e.reason))?;
            let chars: Vec<char> = t.chars().collect();
            for e in &doc.entities {
                prop_assert_eq!(&t[e.span.byte_start..e.span.byte_end], e.text.as_str());
                let by_chars: String = chars[e.span.char_start..e.span.char_end].iter().collect();
                prop_assert_eq!(by_chars, e.text.clone());
                prop_assert!(e.sentence < doc.sentences.len());
                let s = &doc.sentences[e.sentence].span;
                prop_assert!(s.byte_start <= e.span.byte_start && e.span.byte_end <= s.byte_end);
            }
            for s in &doc.sentences {
                let by_chars: String = chars[s.span.char_start..s.span.char_end].iter().collect();
                prop_assert_eq!(&t[s.span.byte_start..s.span.byte_end], by_chars.as_str());
            }
            prop_assert_eq!(doc.n_chars, chars.len());
            let words_covered = doc.coverage.chars_covered + doc.coverage.words_without_tokens;
            prop_assert!(words_covered >= doc.coverage.chars_covered);
            n_entities.set(n_entities.get() + doc.entities.len());
            Ok(())
        })
        .unwrap();
    assert!(n_entities.get() > 0, "the random fixture model should emit some entities to check");
}

/// Readers on arbitrary bytes: never panic, and every non-blank JSONL line and every text file
/// ends up as exactly one record or one error.
#[test]
fn readers_account_for_arbitrary_bytes() {
    use pactwatch::stages::input::{Reader, ReaderOptions};
    let dir = tempfile::tempdir().unwrap();
    let mut runner = TestRunner::new(Config { cases: 300, ..Config::default() });
    let bytes = prop::collection::vec(
        prop_oneof![any::<u8>(), Just(b'\n'), Just(b'{'), Just(b'"'), Just(b','), Just(0xffu8)],
        0..400,
    );
    runner
        .run(&bytes, |b| {
            for ext in ["jsonl", "csv", "txt"] {
                let p = dir.path().join(format!("f.{ext}"));
                std::fs::write(&p, &b).unwrap();
                let items: Vec<_> = Reader::new(vec![p], ReaderOptions::default()).collect();
                match ext {
                    "jsonl" => {
                        let lines = b.split(|&c| c == b'\n').filter(|l| {
                            let t = String::from_utf8_lossy(l);
                            !t.trim_start_matches('\u{feff}').trim().is_empty()
                        });
                        prop_assert_eq!(items.len(), lines.count());
                    }
                    "txt" => prop_assert_eq!(items.len(), 1),
                    _ => {}
                }
            }
            Ok(())
        })
        .unwrap();
}
