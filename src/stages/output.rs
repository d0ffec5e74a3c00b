//! Writers for the output directory: `documents.jsonl`, `entities.csv`, `stances.csv`,
//! `actors.csv`, `errors.jsonl`
//! (appended batch by batch), `journal.jsonl` (crash-safe progress) and `run.json` (written
//! atomically at the end). With `stdout`, document and error lines go to standard output as
//! one stream instead (`"kind": "document"` / `"kind": "error"`).
//!
//! Crash safety: after each batch the tables are flushed and synced, then one journal line
//! records how many input records are done and the byte length of every table. `--resume`
//! truncates the tables to the last journal line (dropping whatever a killed run wrote after
//! it) and skips that many records, so the finished outputs equal an uninterrupted run's.
use crate::document::Document;
use crate::error::{Error, Result};
use crate::stages::input::RecordError;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Which tables to write; errors.jsonl and run.json are always written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    Documents,
    Entities,
    Stances,
    Actors,
    /// annotations.conll: a word per line with its BIO tag
    Conll,
    /// brat/NAME.txt + brat/NAME.ann per document
    Brat,
    /// labelstudio.json: Label Studio tasks with predictions (UTF-16 offsets)
    Labelstudio,
    /// NAME.parquet beside each CSV table written (entities, stances, actors, corpus_actors)
    Parquet,
}

/// One row of `entities.csv`.
#[derive(Serialize)]
struct EntityRow<'a> {
    doc_id: &'a str,
    entity_index: usize,
    sentence: usize,
    label: &'a str,
    text: &'a str,
    score: f32,
    char_start: usize,
    char_end: usize,
    byte_start: usize,
    byte_end: usize,
    lang: &'a str,
    /// The canonical actor (empty without the stance stage).
    canonical_id: &'a str,
    /// The document's date (metadata field `--date-field`), empty when it has none.
    date: &'a str,
}

/// One row of `stances.csv`: a document's or a relevant sentence's stance toward a target.
#[derive(Serialize)]
struct StanceCsvRow<'a> {
    doc_id: &'a str,
    scope: crate::document::Scope,
    sentence: Option<usize>,
    target: &'a str,
    label: crate::training::stance_data::StanceLabel,
    p_favor: f32,
    p_against: f32,
    p_none: f32,
    relevance: f32,
    relevant_by: &'a str,
    n_sentences: usize,
    holder: Option<&'a str>,
    cue: Option<&'a str>,
    lang: &'a str,
}

/// One row of `actors.csv`: an actor's stance toward a target in a document.
#[derive(Serialize)]
struct ActorCsvRow<'a> {
    doc_id: &'a str,
    actor: &'a str,
    entity_label: &'a str,
    target: &'a str,
    label: crate::training::stance_data::StanceLabel,
    p_favor: f32,
    p_against: f32,
    p_none: f32,
    /// Sentence indices, separated by spaces.
    evidence: String,
    mentions: usize,
    lang: &'a str,
    /// The canonical actor across the corpus (`corpus_actors.csv`).
    canonical_id: &'a str,
    /// The document's date (metadata field `--date-field`), empty when it has none.
    date: &'a str,
}

/// One line of `errors.jsonl` (and an error line of the `--stdout` stream).
#[derive(Serialize)]
struct ErrorLine<'a> {
    kind: &'static str,
    file: &'a str,
    line: Option<u64>,
    doc_id: Option<&'a str>,
    reason: &'a str,
}

/// A document line of the `--stdout` stream.
#[derive(Serialize)]
struct DocumentLine<'a> {
    kind: &'static str,
    #[serde(flatten)]
    doc: &'a Document,
}

/// One line of `journal.jsonl`: the state after a fully written batch.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct JournalEntry {
    /// Input records (annotated or failed, of this shard or skipped as another's) done so far.
    pub records_done: u64,
    pub documents_bytes: u64,
    pub entities_bytes: u64,
    pub errors_bytes: u64,
    #[serde(default)]
    pub stances_bytes: u64,
    #[serde(default)]
    pub actors_bytes: u64,
    #[serde(default)]
    pub conll_bytes: u64,
    #[serde(default)]
    pub labelstudio_bytes: u64,
    /// The run's counters at that point, restored on resume.
    pub counts: serde_json::Value,
}

const TABLES: [&str; 5] = ["documents.jsonl", "entities.csv", "errors.jsonl", "stances.csv", "actors.csv"];

struct Table {
    path: PathBuf,
    w: BufWriter<File>,
}

impl Table {
    fn open(path: PathBuf, truncate_to: Option<u64>) -> Result<Table> {
        let f = match truncate_to {
            None => File::create(&path),
            Some(len) => OpenOptions::new().create(true).truncate(false).write(true).open(&path).and_then(|f| {
                f.set_len(len)?;
                Ok(f)
            }),
        }
        .map_err(|e| Error::io(&path, e))?;
        let mut w = BufWriter::new(f);
        if let Some(len) = truncate_to {
            use std::io::Seek;
            w.seek(std::io::SeekFrom::Start(len)).map_err(|e| Error::io(&path, e))?;
        }
        Ok(Table { path, w })
    }

    fn sync(&mut self) -> Result<u64> {
        self.w.flush().map_err(|e| Error::io(&self.path, e))?;
        self.sync_flushed()
    }

    /// Sync and measure a table whose buffer is already flushed.
    fn sync_flushed(&self) -> Result<u64> {
        let f = self.w.get_ref();
        f.sync_data().map_err(|e| Error::io(&self.path, e))?;
        Ok(f.metadata().map_err(|e| Error::io(&self.path, e))?.len())
    }
}

pub struct Outputs {
    pub dir: PathBuf,
    documents: Option<Table>,
    entities: Option<csv::Writer<Table>>,
    stances: Option<csv::Writer<Table>>,
    actors: Option<csv::Writer<Table>>,
    errors: Option<Table>,
    stdout: Option<BufWriter<std::io::Stdout>>,
    journal: Option<File>,
    /// Metadata field holding a document's date (the `date` column of actors.csv).
    pub date_field: String,
    conll: Option<Table>,
    labelstudio: Option<Table>,
    brat: Option<PathBuf>,
    /// Written into each Label Studio prediction.
    pub model_version: String,
}

impl Write for Table {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.w.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.w.flush()
    }
}

impl Outputs {
    /// Standard output only: no files (`--stdout` without `--out`).
    pub fn stdout_only() -> Outputs {
        Outputs { dir: PathBuf::from("<stdout>"), documents: None, entities: None, stances: None, actors: None, errors: None, stdout: Some(BufWriter::new(std::io::stdout())), journal: None, date_field: "date".into(), conll: None, labelstudio: None, brat: None, model_version: String::new() }
    }

    /// Create (or, with `resume`, reopen and truncate to the journal's state) the outputs.
    pub fn open(dir: &Path, formats: &[OutputFormat], stdout: bool, resume: Option<&JournalEntry>) -> Result<Outputs> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let at = |bytes: fn(&JournalEntry) -> u64| resume.map(bytes);
        let documents = if formats.contains(&OutputFormat::Documents) && !stdout {
            Some(Table::open(dir.join(TABLES[0]), at(|j| j.documents_bytes))?)
        } else {
            None
        };
        // A CSV table, its header written only when it starts empty.
        let csv_table = |f: OutputFormat, name: &str, start: Option<u64>| -> Result<Option<csv::Writer<Table>>> {
            if !formats.contains(&f) {
                return Ok(None);
            }
            let t = Table::open(dir.join(name), start)?;
            Ok(Some(csv::WriterBuilder::new().has_headers(start.unwrap_or(0) == 0).from_writer(t)))
        };
        let entities = csv_table(OutputFormat::Entities, TABLES[1], at(|j| j.entities_bytes))?;
        let stances = csv_table(OutputFormat::Stances, TABLES[3], at(|j| j.stances_bytes))?;
        let actors = csv_table(OutputFormat::Actors, TABLES[4], at(|j| j.actors_bytes))?;
        let errors = if stdout { None } else { Some(Table::open(dir.join(TABLES[2]), at(|j| j.errors_bytes))?) };
        let jpath = dir.join("journal.jsonl");
        let journal = match resume {
            Some(_) => OpenOptions::new().append(true).open(&jpath),
            None => File::create(&jpath),
        }
        .map_err(|e| Error::io(&jpath, e))?;
        let stdout = stdout.then(|| BufWriter::new(std::io::stdout()));
        let conll = if formats.contains(&OutputFormat::Conll) { Some(Table::open(dir.join("annotations.conll"), at(|j| j.conll_bytes))?) } else { None };
        let labelstudio = if formats.contains(&OutputFormat::Labelstudio) { Some(Table::open(dir.join("labelstudio.jsonl"), at(|j| j.labelstudio_bytes))?) } else { None };
        let brat = if formats.contains(&OutputFormat::Brat) {
            let b = dir.join("brat");
            std::fs::create_dir_all(&b).map_err(|e| Error::io(&b, e))?;
            Some(b)
        } else {
            None
        };
        Ok(Outputs { dir: dir.to_path_buf(), documents, entities, stances, actors, errors, stdout, journal: Some(journal), date_field: "date".into(), conll, labelstudio, brat, model_version: String::new() })
    }

    pub fn write_document(&mut self, doc: &Document) -> Result<()> {
        if let Some(t) = self.conll.as_mut() {
            t.w.write_all(crate::stages::export::conll(doc).as_bytes()).map_err(|e| Error::io(&t.path, e))?;
        }
        if let Some(t) = self.labelstudio.as_mut() {
            json_line(&mut t.w, &crate::stages::export::labelstudio_task(doc, &self.model_version), &t.path)?;
        }
        if let Some(b) = &self.brat {
            // Each document's pair is written whole (a resume rewrites it identically).
            let name = crate::stages::export::brat_name(&doc.id);
            for (ext, body) in [("txt", doc.text.clone()), ("ann", crate::stages::export::brat_ann(doc))] {
                let p = b.join(format!("{name}.{ext}"));
                std::fs::write(&p, body).map_err(|e| Error::io(&p, e))?;
            }
        }
        if let Some(w) = self.stdout.as_mut() {
            json_line(w, &DocumentLine { kind: "document", doc }, Path::new("<stdout>"))?;
        }
        if let Some(t) = self.documents.as_mut() {
            json_line(&mut t.w, doc, &t.path)?;
        }
        if let Some(w) = self.entities.as_mut() {
            let date = doc.date(&self.date_field);
            for (i, e) in doc.entities.iter().enumerate() {
                w.serialize(EntityRow {
                    doc_id: &doc.id,
                    entity_index: i,
                    sentence: e.sentence,
                    label: &e.label,
                    text: &e.text,
                    score: e.score,
                    char_start: e.span.char_start,
                    char_end: e.span.char_end,
                    byte_start: e.span.byte_start,
                    byte_end: e.span.byte_end,
                    lang: &doc.lang.code,
                    canonical_id: e.canonical_id.as_deref().unwrap_or(""),
                    date: date.as_deref().unwrap_or(""),
                })
                .map_err(|e| Error::io(self.dir.join(TABLES[1]), e.into()))?;
            }
        }
        if let Some(w) = self.stances.as_mut() {
            for r in &doc.stances {
                w.serialize(StanceCsvRow {
                    doc_id: &doc.id,
                    scope: r.scope,
                    sentence: r.sentence,
                    target: &r.target,
                    label: r.label,
                    p_favor: r.probs.favor,
                    p_against: r.probs.against,
                    p_none: r.probs.none,
                    relevance: r.relevance,
                    relevant_by: &r.relevant_by,
                    n_sentences: r.n_sentences,
                    holder: r.holder.as_deref(),
                    cue: r.cue.as_deref(),
                    lang: &doc.lang.code,
                })
                .map_err(|e| Error::io(self.dir.join(TABLES[3]), e.into()))?;
            }
        }
        if let Some(w) = self.actors.as_mut() {
            let date = doc.date(&self.date_field);
            for r in &doc.actors {
                w.serialize(ActorCsvRow {
                    doc_id: &doc.id,
                    actor: &r.actor,
                    entity_label: &r.entity_label,
                    target: &r.target,
                    label: r.label,
                    p_favor: r.probs.favor,
                    p_against: r.probs.against,
                    p_none: r.probs.none,
                    evidence: r.evidence.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(" "),
                    mentions: r.mentions,
                    lang: &doc.lang.code,
                    canonical_id: r.canonical_id.as_deref().unwrap_or(""),
                    date: date.as_deref().unwrap_or(""),
                })
                .map_err(|e| Error::io(self.dir.join(TABLES[4]), e.into()))?;
            }
        }
        Ok(())
    }

    pub fn write_error(&mut self, e: &RecordError) -> Result<()> {
        let line = ErrorLine { kind: "error", file: &e.origin.file, line: e.origin.line, doc_id: e.doc_id.as_deref(), reason: &e.reason };
        if let Some(w) = self.stdout.as_mut() {
            json_line(w, &line, Path::new("<stdout>"))?;
        }
        if let Some(t) = self.errors.as_mut() {
            json_line(&mut t.w, &line, &t.path)?;
        }
        Ok(())
    }

    /// Flush and sync every table, then journal the batch (called after each batch).
    pub fn commit(&mut self, records_done: u64, counts: serde_json::Value) -> Result<()> {
        if let Some(w) = self.stdout.as_mut() {
            w.flush().map_err(|e| Error::io("<stdout>", e))?;
        }
        let mut entry = JournalEntry { records_done, counts, ..Default::default() };
        if let Some(t) = self.documents.as_mut() {
            entry.documents_bytes = t.sync()?;
        }
        for (w, name, bytes) in [
            (self.entities.as_mut(), TABLES[1], &mut entry.entities_bytes),
            (self.stances.as_mut(), TABLES[3], &mut entry.stances_bytes),
            (self.actors.as_mut(), TABLES[4], &mut entry.actors_bytes),
        ] {
            if let Some(w) = w {
                w.flush().map_err(|e| Error::io(self.dir.join(name), e))?;
                *bytes = w.get_ref().sync_flushed()?;
            }
        }
        if let Some(t) = self.errors.as_mut() {
            entry.errors_bytes = t.sync()?;
        }
        if let Some(t) = self.conll.as_mut() {
            entry.conll_bytes = t.sync()?;
        }
        if let Some(t) = self.labelstudio.as_mut() {
            entry.labelstudio_bytes = t.sync()?;
        }
        let Some(journal) = self.journal.as_mut() else { return Ok(()) };
        let jpath = self.dir.join("journal.jsonl");
        let line = serde_json::to_string(&entry).expect("journal entry is plain JSON") + "\n";
        journal.write_all(line.as_bytes()).map_err(|e| Error::io(&jpath, e))?;
        journal.sync_data().map_err(|e| Error::io(&jpath, e))
    }
}

impl Outputs {
    /// At the end of the run: `labelstudio.json`, the JSON list Label Studio imports, from
    /// `labelstudio.jsonl` (written atomically).
    pub fn finish(&mut self) -> Result<()> {
        let Some(t) = self.labelstudio.as_mut() else { return Ok(()) };
        t.sync()?;
        let text = std::fs::read_to_string(&t.path).map_err(|e| Error::io(&t.path, e))?;
        let out = self.dir.join("labelstudio.json");
        let tmp = self.dir.join("labelstudio.json.tmp");
        let mut w = BufWriter::new(File::create(&tmp).map_err(|e| Error::io(&tmp, e))?);
        let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
        w.write_all(b"[").map_err(|e| Error::io(&tmp, e))?;
        for (i, l) in lines.iter().enumerate() {
            if i > 0 {
                w.write_all(b",\n").map_err(|e| Error::io(&tmp, e))?;
            }
            w.write_all(l.as_bytes()).map_err(|e| Error::io(&tmp, e))?;
        }
        w.write_all(b"]\n").map_err(|e| Error::io(&tmp, e))?;
        w.flush().map_err(|e| Error::io(&tmp, e))?;
        drop(w);
        std::fs::rename(&tmp, &out).map_err(|e| Error::io(&out, e))
    }
}

/// Write `value` as one JSON line; errors name `path`.
fn json_line<T: Serialize>(w: &mut impl Write, value: &T, path: &Path) -> Result<()> {
    serde_json::to_writer(&mut *w, value).map_err(|e| Error::io(path, e.into()))?;
    w.write_all(b"\n").map_err(|e| Error::io(path, e))
}

/// The last complete line of `DIR/journal.jsonl` (a torn last line from a kill is ignored).
pub fn read_journal(dir: &Path) -> Result<Option<JournalEntry>> {
    let p = dir.join("journal.jsonl");
    let text = match std::fs::read_to_string(&p) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(&p, e)),
    };
    Ok(text.lines().rev().find_map(|l| serde_json::from_str::<JournalEntry>(l).ok()))
}

/// Write `value` as pretty JSON to `path` atomically (temporary file, then rename).
pub fn write_json_atomic<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let tmp = path.with_extension("json.tmp");
    let f = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    let mut w = BufWriter::new(f);
    serde_json::to_writer_pretty(&mut w, value).map_err(|e| Error::io(&tmp, e.into()))?;
    w.write_all(b"\n").map_err(|e| Error::io(&tmp, e))?;
    w.into_inner().map_err(|e| Error::io(&tmp, e.into_error()))?.sync_all().map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

/// sha256 of a file, hex.
pub fn sha256_file(path: &Path) -> Result<String> {
    use sha2::Digest;
    let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut h = sha2::Sha256::new();
    std::io::copy(&mut f, &mut h).map_err(|e| Error::io(path, e))?;
    Ok(format!("{:x}", h.finalize()))
}

/// Shard of a record key: FNV-1a 64-bit of its UTF-8 bytes, modulo `n`. Stable across
/// platforms and versions (documented in docs/scale.md, "Sharding").
pub fn shard_of(key: &str, n: u64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h % n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_reference_values() {
        // FNV-1a 64 of "" and "a" (reference values of the algorithm)
        assert_eq!(shard_of("", u64::MAX), 0xcbf29ce484222325 % u64::MAX);
        assert_eq!(shard_of("a", u64::MAX), 0xaf63dc4c8601ec8c);
        let n = 4;
        let counts = (0..1000).fold([0; 4], |mut c, i| {
            c[shard_of(&format!("doc-{i}"), n) as usize] += 1;
            c
        });
        assert!(counts.iter().all(|&c| c > 200), "{counts:?}");
    }
}
