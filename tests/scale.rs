//! Streaming, sharding, crash-safe resume and determinism of `annotate`, on the real binary.
use super::fixture::{make_model, stance_args, Arch, Head};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pactwatch"))
}

/// A corpus of `n` short documents with a few broken lines mixed in.
fn corpus(dir: &Path, n: usize) -> PathBuf {
    let mut s = String::new();
    for i in 0..n {
        if i % 17 == 5 {
            s.push_str("{broken json\n");
        }
        s.push_str(&serde_json::json!({"id": format!("doc-{i}"), "text": format!("Macron met Starmer in Paris on day {i}. The EU welcomed it.")}).to_string());
        s.push('\n');
    }
    let p = dir.join("corpus.jsonl");
    std::fs::write(&p, s).unwrap();
    p
}

fn model(dir: &Path) -> PathBuf {
    let m = dir.join("model");
    make_model(&m, Arch::Bert, Head::Token, 5);
    m
}

fn annotate(model: &Path, input: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    bin().args(["annotate", "--quiet", "--max-tokens", "32", "--stride-tokens", "8", "--docs-per-batch", "4"])
        .arg(input).arg("--ner-model").arg(model).args(stance_args(model.parent().unwrap())).arg("--out").arg(out).args(extra).stdin(Stdio::null()).output().unwrap()
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_default()
}

fn ids(documents: &str) -> BTreeSet<String> {
    documents.lines().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].as_str().unwrap().to_string()).collect()
}

#[test]
fn two_runs_are_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let (m, input) = (model(tmp.path()), corpus(tmp.path(), 40));
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    annotate(&m, &input, &a, &[]);
    annotate(&m, &input, &b, &[]);
    for t in ["documents.jsonl", "entities.csv", "errors.jsonl", "journal.jsonl"] {
        assert_eq!(read(&a.join(t)), read(&b.join(t)), "{t} differs");
    }
}

#[test]
fn shards_partition_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let (m, input) = (model(tmp.path()), corpus(tmp.path(), 60));
    let whole = tmp.path().join("whole");
    annotate(&m, &input, &whole, &[]);
    let (mut docs, mut errors, mut read_total) = (BTreeSet::new(), 0usize, 0u64);
    for k in 0..3 {
        let out = tmp.path().join(format!("s{k}"));
        annotate(&m, &input, &out, &["--shard", &format!("{k}/3")]);
        let d = ids(&read(&out.join("documents.jsonl")));
        assert!(docs.is_disjoint(&d), "shards overlap");
        docs.extend(d);
        errors += read(&out.join("errors.jsonl")).lines().count();
        let run: serde_json::Value = serde_json::from_str(&read(&out.join("run.json"))).unwrap();
        read_total += run["counts"]["read"].as_u64().unwrap();
    }
    assert_eq!(docs, ids(&read(&whole.join("documents.jsonl"))));
    assert_eq!(errors, read(&whole.join("errors.jsonl")).lines().count());
    let run: serde_json::Value = serde_json::from_str(&read(&whole.join("run.json"))).unwrap();
    assert_eq!(read_total, run["counts"]["read"].as_u64().unwrap());
    let bad = bin().args(["annotate", "x", "--out", "y", "--shard", "3/3"]).output().unwrap();
    assert!(String::from_utf8_lossy(&bad.stderr).contains("0 <= K < N"));
}

#[test]
fn stdout_stream_has_every_record_in_order() {
    let tmp = tempfile::tempdir().unwrap();
    let (m, input) = (model(tmp.path()), corpus(tmp.path(), 20));
    let o = bin().args(["annotate", "-", "--stdout", "--quiet", "--max-tokens", "32", "--stride-tokens", "8", "--ner-model"]).arg(&m).args(stance_args(tmp.path()))
        .stdin(std::fs::File::open(&input).unwrap()).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "some lines are broken");
    let lines: Vec<serde_json::Value> = String::from_utf8(o.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let n_input = read(&input).lines().count();
    assert_eq!(lines.len(), n_input, "one output line per input line");
    let kinds: Vec<&str> = lines.iter().map(|l| l["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "error").count(), 1);
    let doc_ids: Vec<&str> = lines.iter().filter(|l| l["kind"] == "document").map(|l| l["id"].as_str().unwrap()).collect();
    let want: Vec<String> = (0..20).map(|i| format!("doc-{i}")).collect();
    assert_eq!(doc_ids, want.iter().map(String::as_str).collect::<Vec<_>>());
}

#[test]
fn kill_9_then_resume_equals_an_uninterrupted_run() {
    let tmp = tempfile::tempdir().unwrap();
    let (m, input) = (model(tmp.path()), corpus(tmp.path(), 150));
    let whole = tmp.path().join("whole");
    annotate(&m, &input, &whole, &[]);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos() as u64;
    for attempt in 0..3u64 {
        let out = tmp.path().join(format!("killed{attempt}"));
        let mut child = bin().args(["annotate", "--quiet", "--max-tokens", "32", "--stride-tokens", "8", "--docs-per-batch", "4"])
            .arg(&input).arg("--ner-model").arg(&m).args(stance_args(tmp.path())).arg("--out").arg(&out).stdin(Stdio::null()).spawn().unwrap();
        // a random moment after start-up (model load takes ~100 ms)
        let wait_ms = 100 + (nanos / 1000 + attempt * 7919) % 700;
        std::thread::sleep(std::time::Duration::from_millis(wait_ms));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let o = annotate(&m, &input, &out, &["--resume"]);
        assert!(o.status.code() == Some(1), "resume finished (exit 1: the corpus has broken lines): {}", String::from_utf8_lossy(&o.stderr));
        for t in ["documents.jsonl", "entities.csv", "errors.jsonl", "actors.csv", "corpus_actors.csv"] {
            assert_eq!(read(&out.join(t)), read(&whole.join(t)), "{t} after kill at {wait_ms} ms");
        }
        let (r1, r2): (serde_json::Value, serde_json::Value) =
            (serde_json::from_str(&read(&out.join("run.json"))).unwrap(), serde_json::from_str(&read(&whole.join("run.json"))).unwrap());
        assert_eq!(r1["counts"], r2["counts"]);
    }
    let o = annotate(&m, &input, &tmp.path().join("killed0"), &["--resume", "--aggregation", "max"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("arguments differ"));
}

/// No network at run time: the run succeeds in a network namespace without interfaces.
#[test]
fn runs_without_network() {
    let probe = Command::new("unshare").args(["-n", "true"]).output();
    if !probe.as_ref().is_ok_and(|o| o.status.success()) {
        eprintln!("SKIPPED runs_without_network: `unshare -n` is not available here");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (m, input) = (model(tmp.path()), corpus(tmp.path(), 8));
    let out = tmp.path().join("out");
    let o = Command::new("unshare").arg("-n").arg(env!("CARGO_BIN_EXE_pactwatch"))
        .args(["annotate", "--quiet", "--max-tokens", "32", "--stride-tokens", "8"]).arg(&input)
        .arg("--ner-model").arg(&m).args(stance_args(tmp.path())).arg("--out").arg(&out).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(read(&out.join("documents.jsonl")).lines().count(), 8);
}

/// `long.jsonl` with one document per text, ids d0, d1, ...
fn documents(dir: &Path, texts: &[&str]) -> PathBuf {
    let lines: Vec<String> = texts.iter().enumerate().map(|(i, t)| serde_json::json!({"id": format!("d{i}"), "text": t}).to_string() + "\n").collect();
    let p = dir.join("long.jsonl");
    std::fs::write(&p, lines.concat()).unwrap();
    p
}

/// `records_done` of each line of a run's journal.
fn commits(out: &Path) -> Vec<u64> {
    read(&out.join("journal.jsonl")).lines().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["records_done"].as_u64().unwrap()).collect()
}

#[test]
fn a_batch_closes_before_a_document_over_the_token_budget() {
    let tmp = tempfile::tempdir().unwrap();
    let m = model(tmp.path());
    let long: String = (0..120).map(|i| format!("Sentence {i} names Macron and the EU. ")).collect();
    let input = documents(tmp.path(), &["Starmer spoke.", "Merz agreed.", "Tusk left.", &long, "Meloni came.", "Orbán refused.", "Fico objected."]);
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let out = annotate(&m, &input, &a, &["--batch-tokens", "200"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The three short documents are committed before the long one, which is a batch of its own.
    assert_eq!(commits(&a), vec![3, 4, 7], "journal commits");
    // Token-bounded batches change when documents are written, not what is written.
    annotate(&m, &input, &b, &[]);
    let spans = |p: &Path| -> Vec<String> { read(p).lines().map(|l| l.split(',').take(4).chain(l.split(',').skip(6).take(2)).collect::<Vec<_>>().join(",")).collect() };
    assert_eq!(spans(&a.join("entities.csv")), spans(&b.join("entities.csv")));
    assert_eq!(ids(&read(&a.join("documents.jsonl"))).len(), 7);
    let fp: serde_json::Value = serde_json::from_str(&read(&a.join("run.args.json"))).unwrap();
    assert_eq!(fp["batch_tokens"], 200);
}

/// A kill inside a long document: `--resume` reads back the model passes the killed run had
/// finished (`passes.bin`) instead of redoing them, and the outputs equal an uninterrupted run's.
#[test]
fn a_kill_inside_a_long_document_resumes_from_its_passes() {
    let tmp = tempfile::tempdir().unwrap();
    let m = model(tmp.path());
    let long: String = (0..150).map(|i| format!("Macron met Starmer in Paris on day {i} and the EU welcomed the declaration. ")).collect();
    let input = documents(tmp.path(), &["Starmer spoke in London.", &long, "Meloni came to Rome."]);
    let whole = tmp.path().join("whole");
    let o = annotate(&m, &input, &whole, &["--batch-tokens", "100"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!whole.join("passes.bin").exists(), "the pass journal is removed at the end");
    let killed = tmp.path().join("killed");
    let o = bin().args(["annotate", "--quiet", "--max-tokens", "32", "--stride-tokens", "8", "--docs-per-batch", "4", "--batch-tokens", "100"])
        .arg(&input).arg("--ner-model").arg(&m).args(stance_args(tmp.path())).arg("--out").arg(&killed)
        .env("PACTWATCH_ABORT_AFTER_PASSES", "12").stdin(Stdio::null()).output().unwrap();
    assert!(!o.status.success(), "the run aborts in the long document");
    assert_eq!(commits(&killed), vec![1], "only the short first document was committed");
    assert!(std::fs::metadata(killed.join("passes.bin")).unwrap().len() > 0);
    let o = annotate(&m, &input, &killed, &["--batch-tokens", "100", "--resume"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for t in ["documents.jsonl", "entities.csv", "stances.csv", "actors.csv", "corpus_actors.csv", "errors.jsonl"] {
        assert_eq!(read(&killed.join(t)), read(&whole.join(t)), "{t} after the resume");
    }
    let run: serde_json::Value = serde_json::from_str(&read(&killed.join("run.json"))).unwrap();
    assert_eq!(run["timings"]["stages"]["pass_journal"]["read_back"], 12, "the 12 passes done before the kill are read back");
}
