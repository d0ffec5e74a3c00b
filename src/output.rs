//! Writers for the output directory: `documents.jsonl`, `entities.csv`, `errors.jsonl` (appended
//! and flushed batch by batch) and `run.json` (written atomically at the end).
use crate::document::Document;
use crate::error::{Error, Result};
use crate::input::RecordError;
use serde::Serialize;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Which tables to write; errors.jsonl and run.json are always written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    Documents,
    Entities,
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
}

/// One line of `errors.jsonl`.
#[derive(Serialize)]
struct ErrorLine<'a> {
    kind: &'static str,
    file: &'a str,
    line: Option<u64>,
    doc_id: Option<&'a str>,
    reason: &'a str,
}

pub struct Outputs {
    pub dir: PathBuf,
    documents: Option<BufWriter<File>>,
    entities: Option<csv::Writer<BufWriter<File>>>,
    errors: BufWriter<File>,
}

fn create(path: &Path) -> Result<BufWriter<File>> {
    File::create(path).map(BufWriter::new).map_err(|e| Error::io(path, e))
}

impl Outputs {
    pub fn create(dir: &Path, formats: &[OutputFormat]) -> Result<Outputs> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let documents = if formats.contains(&OutputFormat::Documents) { Some(create(&dir.join("documents.jsonl"))?) } else { None };
        let entities = if formats.contains(&OutputFormat::Entities) {
            Some(csv::Writer::from_writer(create(&dir.join("entities.csv"))?))
        } else {
            None
        };
        let errors = create(&dir.join("errors.jsonl"))?;
        Ok(Outputs { dir: dir.to_path_buf(), documents, entities, errors })
    }

    pub fn write_document(&mut self, doc: &Document) -> Result<()> {
        if let Some(w) = self.documents.as_mut() {
            serde_json::to_writer(&mut *w, doc).map_err(|e| Error::io(self.dir.join("documents.jsonl"), e.into()))?;
            w.write_all(b"\n").map_err(|e| Error::io(self.dir.join("documents.jsonl"), e))?;
        }
        if let Some(w) = self.entities.as_mut() {
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
                })
                .map_err(|e| Error::io(self.dir.join("entities.csv"), e.into()))?;
            }
        }
        Ok(())
    }

    pub fn write_error(&mut self, e: &RecordError) -> Result<()> {
        let line = ErrorLine { kind: "error", file: &e.origin.file, line: e.origin.line, doc_id: e.doc_id.as_deref(), reason: &e.reason };
        let path = self.dir.join("errors.jsonl");
        serde_json::to_writer(&mut self.errors, &line).map_err(|e| Error::io(&path, e.into()))?;
        self.errors.write_all(b"\n").map_err(|e| Error::io(&path, e))
    }

    /// Flush every table (called after each batch).
    pub fn flush(&mut self) -> Result<()> {
        if let Some(w) = self.documents.as_mut() {
            w.flush().map_err(|e| Error::io(self.dir.join("documents.jsonl"), e))?;
        }
        if let Some(w) = self.entities.as_mut() {
            w.flush().map_err(|e| Error::io(self.dir.join("entities.csv"), e))?;
        }
        self.errors.flush().map_err(|e| Error::io(self.dir.join("errors.jsonl"), e))
    }
}

/// Write `value` as pretty JSON to `path` atomically (temporary file, then rename).
pub fn write_json_atomic<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let tmp = path.with_extension("json.tmp");
    let mut f = create(&tmp)?;
    serde_json::to_writer_pretty(&mut f, value).map_err(|e| Error::io(&tmp, e.into()))?;
    f.write_all(b"\n").map_err(|e| Error::io(&tmp, e))?;
    f.into_inner().map_err(|e| Error::io(&tmp, e.into_error()))?.sync_all().map_err(|e| Error::io(&tmp, e))?;
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
