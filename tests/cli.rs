//! The real binary on fixture corpora: outputs written, every record accounted for, errors named.
use super::fixture::{make_model, stance_args, Arch, Head};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pactwatch"))
}

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn fixture_model(dir: &Path) -> PathBuf {
    let m = dir.join("model");
    make_model(&m, Arch::Bert, Head::Token, 11);
    m
}

fn annotate(args: &[&str], model: &Path, out: &Path) -> Output {
    bin().arg("annotate").args(args).arg("--ner-model").arg(model).args(stance_args(model.parent().unwrap())).arg("--out").arg(out).arg("--max-tokens").arg("32").arg("--stride-tokens").arg("8")
        .stdin(Stdio::null()).output().unwrap()
}

fn run_json(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap()
}

fn lines(p: &Path) -> Vec<String> {
    std::fs::read_to_string(p).unwrap().lines().map(str::to_string).collect()
}

#[test]
fn sample_corpus_writes_every_output() {
    let tmp = tempfile::tempdir().unwrap();
    let model = fixture_model(tmp.path());
    let out = tmp.path().join("out");
    let o = annotate(&[repo("corpora/sample.jsonl").to_str().unwrap()], &model, &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let run = run_json(&out);
    let c = &run["counts"];
    let docs = lines(&out.join("documents.jsonl"));
    assert_eq!(c["read"], c["annotated"]);
    assert_eq!(c["failed"], 0);
    assert_eq!(docs.len() as u64, c["annotated"].as_u64().unwrap());
    assert!(docs.len() >= 12);
    let mut entity_rows = csv::Reader::from_path(out.join("entities.csv")).unwrap();
    assert_eq!(entity_rows.records().count() as u64, c["entities"].as_u64().unwrap());
    assert_eq!(lines(&out.join("errors.jsonl")).len(), 0);
    // Stance tables: one document row per document (one target), rows match documents.jsonl.
    let stance_rows: Vec<csv::StringRecord> = csv::Reader::from_path(out.join("stances.csv")).unwrap().records().map(Result::unwrap).collect();
    assert_eq!(stance_rows.len() as u64, c["stance_rows"].as_u64().unwrap());
    assert_eq!(stance_rows.iter().filter(|r| &r[1] == "document").count(), docs.len());
    let actor_rows = csv::Reader::from_path(out.join("actors.csv")).unwrap().records().count();
    assert_eq!(actor_rows as u64, c["actor_rows"].as_u64().unwrap());
    assert!(run["models"]["stance"]["sha256"].as_object().is_some() && run["models"]["relevance"]["sha256"].as_object().is_some());
    for d in &docs {
        let d: serde_json::Value = serde_json::from_str(d).unwrap();
        assert_eq!(d["coverage"]["complete"], true, "{}", d["id"]);
        assert!(d["metadata"]["title"].is_string(), "metadata passes through");
    }
    assert!(run["models"]["ner"]["sha256"].as_object().unwrap().len() >= 3);
    let langs: std::collections::BTreeSet<String> = docs
        .iter()
        .map(|d| serde_json::from_str::<serde_json::Value>(d).unwrap()["lang"]["code"].as_str().unwrap().to_string())
        .collect();
    for l in ["en", "fr", "de", "uk", "ru", "es", "it", "pl"] {
        assert!(langs.contains(l), "language {l} detected in the sample corpus: {langs:?}");
    }
}

#[test]
fn broken_inputs_become_error_rows_and_the_run_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let model = fixture_model(tmp.path());
    let out = tmp.path().join("out");
    let o = annotate(&[repo("corpora/broken").to_str().unwrap()], &model, &out);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "exit 1 when records failed: {stderr}");
    let run = run_json(&out);
    let c = &run["counts"];
    let (read, ok, failed) = (c["read"].as_u64().unwrap(), c["annotated"].as_u64().unwrap(), c["failed"].as_u64().unwrap());
    assert_eq!(read, ok + failed);
    assert!(ok >= 4 && failed >= 6, "{c}");
    let errors = lines(&out.join("errors.jsonl"));
    assert_eq!(errors.len() as u64, failed);
    assert_eq!(lines(&out.join("documents.jsonl")).len() as u64, ok);
    let all = errors.join("\n");
    for reason in ["malformed JSON", "not a JSON object", "empty text", "no field \\\"text\\\"", "invalid UTF-8", "binary file", "no value for column"] {
        assert!(all.contains(reason), "an error row says {reason:?}: {all}");
    }
    for e in &errors {
        let e: serde_json::Value = serde_json::from_str(e).unwrap();
        assert!(e["file"].as_str().unwrap().contains("broken"), "{e}");
    }
    assert!(stderr.contains(&format!("failed {failed}")), "{stderr}");
}

#[test]
fn stdin_and_csv_and_txt_inputs() {
    let tmp = tempfile::tempdir().unwrap();
    let model = fixture_model(tmp.path());
    let out = tmp.path().join("out");
    let mut child = bin()
        .args(["annotate", "-", "--max-tokens", "32", "--stride-tokens", "8", "--quiet", "--ner-model"]).arg(&model).args(stance_args(tmp.path())).arg("--out").arg(&out)
        .stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"{\"id\":\"s1\",\"text\":\"Macron met Starmer.\"}\n{\"id\":\"s2\",\"body\":\"x\"}\n").unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(run_json(&out)["counts"]["annotated"], 1);
    assert_eq!(run_json(&out)["counts"]["failed"], 1);
}

#[test]
fn long_document_is_windowed_not_truncated() {
    let tmp = tempfile::tempdir().unwrap();
    let model = fixture_model(tmp.path());
    // ~5 MB: many sentences, and one 3,000-word sentence with no full stop
    let mut text = String::new();
    let long_sentence: Vec<String> = (0..3000).map(|i| format!("w{i}")).collect();
    text.push_str(&long_sentence.join(" "));
    text.push_str(".\n");
    let para = "Macron and Starmer signed the Paris declaration in Paris on Wednesday. ";
    while text.len() < 5_000_000 {
        text.push_str(para);
    }
    let input = tmp.path().join("big.jsonl");
    std::fs::write(&input, serde_json::to_string(&serde_json::json!({"id": "big", "text": text})).unwrap() + "\n").unwrap();
    let out = tmp.path().join("out");
    let o = bin().args(["annotate", "--max-tokens", "40", "--batch-size", "256", "--format", "documents", "--quiet"])
        .arg(&input).arg("--ner-model").arg(&model).args(stance_args(tmp.path())).arg("--out").arg(&out).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let doc: serde_json::Value = serde_json::from_str(&lines(&out.join("documents.jsonl"))[0]).unwrap();
    let cov = &doc["coverage"];
    assert_eq!(cov["complete"], true, "{cov}");
    assert!(cov["sentences_windowed"].as_u64().unwrap() >= 1, "{cov}");
    assert!(cov["windows"].as_u64().unwrap() > doc["sentences"].as_array().unwrap().len() as u64);
    assert_eq!(doc["n_bytes"].as_u64().unwrap() as usize, text.len());
    assert!(!out.join("entities.csv").exists(), "--format documents writes no entities.csv");
}

#[test]
fn bad_model_directory_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let o = annotate(&[repo("corpora/sample.jsonl").to_str().unwrap()], &tmp.path().join("missing"), &tmp.path().join("out"));
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("opening the NER model") && e.contains("does not exist"), "{e}");
}

/// `train stance` with its defaults parses (`--nli ""` and `--news ""` mean none): the run
/// gets as far as reading the corpora and names the missing file.
#[test]
fn train_stance_defaults_parse_and_a_missing_corpus_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("no-data");
    for extra in [&[][..], &["--nli", "", "--news", ""][..]] {
        let o = bin()
            .args(["train", "stance", "--data", missing.to_str().unwrap(), "--out", tmp.path().join("m").to_str().unwrap(), "--steps", "1"])
            .args(extra)
            .output()
            .unwrap();
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{e}");
        assert!(e.contains("reading the stance corpora") && e.contains("no-data"), "{e}");
    }
}

#[test]
fn runs_from_any_directory_with_the_bundled_models() {
    // No model, target or lexicon flags, from a folder with none of them: the defaults are
    // found in the checkout the binary was built from.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("in.jsonl"), "{\"id\":\"a\",\"text\":\"Keir Starmer and Emmanuel Macron signed the Paris Declaration in Paris.\"}\n").unwrap();
    let o = bin().current_dir(tmp.path()).args(["annotate", "in.jsonl", "--out", "out", "--quiet"]).stdin(Stdio::null()).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let run = run_json(&tmp.path().join("out"));
    assert_eq!(run["counts"]["annotated"], 1);
    assert_eq!(run["models"]["ner"]["dir"].as_str().unwrap(), repo("models/ner-multi").to_str().unwrap());
    let o = bin().current_dir(tmp.path()).args(["annotate", "in.jsonl", "--out", "out2", "--ner-model", "models/absent"]).stdin(Stdio::null()).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("models/absent: not found from the working directory") && e.contains("PACTWATCH_HOME"), "{e}");
}

#[test]
fn conll_brat_and_labelstudio_exports_match_the_entities() {
    let tmp = tempfile::tempdir().unwrap();
    let model = fixture_model(tmp.path());
    let input = tmp.path().join("in.jsonl");
    // An emoji (two UTF-16 units) and a CJK character before the names shift UTF-16 offsets.
    std::fs::write(&input, "{\"id\":\"e/1\",\"text\":\"😀 Keir Starmer met Emmanuel Macron in Paris. 東 Vladimir Putin said no.\"}\n").unwrap();
    let out = tmp.path().join("out");
    let o = annotate(&[input.to_str().unwrap(), "--format", "documents,entities,conll,brat,labelstudio,parquet"], &model, &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let doc: serde_json::Value = serde_json::from_str(&lines(&out.join("documents.jsonl"))[0]).unwrap();
    let text = doc["text"].as_str().unwrap();
    let ents = doc["entities"].as_array().unwrap();
    // CoNLL: one B- tag per entity, every word of the text in order.
    let conll = std::fs::read_to_string(out.join("annotations.conll")).unwrap();
    assert!(conll.starts_with("-DOCSTART- O\n\n"));
    let tags: Vec<(&str, &str)> = conll.lines().skip(2).filter(|l| !l.is_empty()).map(|l| l.split_once('\t').unwrap()).collect();
    assert_eq!(tags.iter().filter(|(_, t)| t.starts_with("B-")).count(), ents.len());
    assert_eq!(tags.iter().map(|(w, _)| *w).collect::<String>(), text.split_whitespace().collect::<String>());
    // brat: text file identical, one T line per entity whose offsets (code points) give its text.
    let name = std::fs::read_dir(out.join("brat")).unwrap().map(|e| e.unwrap().path()).find(|p| p.extension().unwrap() == "ann").unwrap();
    assert_eq!(std::fs::read_to_string(name.with_extension("txt")).unwrap(), text);
    let chars: Vec<char> = text.chars().collect();
    let ann = std::fs::read_to_string(&name).unwrap();
    assert_eq!(ann.lines().count(), ents.len());
    for l in ann.lines() {
        let f: Vec<&str> = l.split('\t').collect();
        let span: Vec<&str> = f[1].split(' ').collect();
        let (s, e): (usize, usize) = (span[1].parse().unwrap(), span[2].parse().unwrap());
        assert_eq!(chars[s..e].iter().collect::<String>(), f[2]);
    }
    // Label Studio: a JSON list, offsets in UTF-16 units.
    let tasks: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("labelstudio.json")).unwrap()).unwrap();
    let res = tasks[0]["predictions"][0]["result"].as_array().unwrap();
    let u16: Vec<u16> = text.encode_utf16().collect();
    let spans: Vec<&serde_json::Value> = res.iter().filter(|r| r["type"] == "labels").collect();
    assert_eq!(spans.len(), ents.len());
    for r in spans {
        let (s, e) = (r["value"]["start"].as_u64().unwrap() as usize, r["value"]["end"].as_u64().unwrap() as usize);
        assert_eq!(String::from_utf16(&u16[s..e]).unwrap(), r["value"]["text"].as_str().unwrap());
    }
    // Parquet: entities.parquet holds the rows of entities.csv, typed (DuckDB reads it in
    // scripts/check_exports.sh; here the parquet crate's own reader).
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;
    let r = SerializedFileReader::new(std::fs::File::open(out.join("entities.parquet")).unwrap()).unwrap();
    let rows: Vec<_> = r.get_row_iter(None).unwrap().map(|x| x.unwrap()).collect();
    let mut csv = csv::Reader::from_path(out.join("entities.csv")).unwrap();
    let csv_rows: Vec<csv::StringRecord> = csv.records().map(|x| x.unwrap()).collect();
    assert_eq!(rows.len(), csv_rows.len());
    assert_eq!(rows.len(), ents.len());
    for (p, c) in rows.iter().zip(&csv_rows) {
        let f: Vec<&Field> = p.get_column_iter().map(|(_, f)| f).collect();
        assert_eq!((f[4], f[6]), (&Field::Str(c[4].to_string()), &Field::Long(c[6].parse().unwrap())));
    }
}
