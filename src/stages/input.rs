//! Readers: JSONL, CSV and plain-text inputs as one lazy stream of records. Every record either
//! becomes a `Record` or a `RecordError` naming the file, the line and the reason; nothing is
//! dropped. Blank JSONL lines are not records.
use serde::Serialize;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InputFormat {
    Jsonl,
    Csv,
    Txt,
}

impl InputFormat {
    pub fn from_path(path: &Path) -> Option<InputFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "jsonl" | "ndjson" | "json" => Some(InputFormat::Jsonl),
            "csv" => Some(InputFormat::Csv),
            "txt" | "text" => Some(InputFormat::Txt),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ReaderOptions {
    pub id_field: String,
    pub text_field: String,
    /// Overrides the format guessed from each file's extension (and sets stdin's; default JSONL).
    pub format: Option<InputFormat>,
}

impl Default for ReaderOptions {
    fn default() -> Self {
        ReaderOptions { id_field: "id".into(), text_field: "text".into(), format: None }
    }
}

/// Where a record came from: file (or "-") and 1-based line (CSV: the record's first line).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Origin {
    pub file: String,
    pub line: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct Record {
    pub id: String,
    pub text: String,
    pub metadata: serde_json::Map<String, serde_json::Value>,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordError {
    pub origin: Origin,
    pub doc_id: Option<String>,
    pub reason: String,
}

pub type Item = Result<Record, RecordError>;

/// Expand inputs: files as given, directories recursively (sorted; only files with a known
/// extension unless a format is forced), "-" for stdin.
pub fn expand_inputs(inputs: &[PathBuf], forced: Option<InputFormat>) -> Result<Vec<PathBuf>, RecordError> {
    let mut out = Vec::new();
    for p in inputs {
        if p.as_os_str() == "-" || !p.is_dir() {
            out.push(p.clone());
            continue;
        }
        let mut stack = vec![p.clone()];
        let mut found = Vec::new();
        while let Some(d) = stack.pop() {
            let entries = std::fs::read_dir(&d).map_err(|e| RecordError {
                origin: Origin { file: d.display().to_string(), line: None },
                doc_id: None,
                reason: format!("cannot read directory: {e}"),
            })?;
            for e in entries.flatten() {
                let path = e.path();
                if path.is_dir() {
                    stack.push(path);
                } else if forced.is_some() || InputFormat::from_path(&path).is_some() {
                    found.push(path);
                }
            }
        }
        found.sort();
        out.extend(found);
    }
    Ok(out)
}

/// Number of records in `files` (one cheap pass: non-blank lines of JSONL, CSV records, one
/// per text file), for the progress bar's ETA; None when stdin is among the inputs.
pub fn count_records(files: &[PathBuf], forced: Option<InputFormat>) -> Option<u64> {
    let mut n = 0u64;
    for p in files {
        if p.as_os_str() == "-" {
            return None;
        }
        let Ok(f) = std::fs::File::open(p) else {
            n += 1;
            continue;
        };
        n += match forced.or_else(|| InputFormat::from_path(p)) {
            Some(InputFormat::Jsonl) => {
                let mut r = BufReader::new(f);
                let (mut k, mut buf) = (0u64, Vec::new());
                while r.read_until(b'\n', &mut buf).ok()? > 0 {
                    k += u64::from(buf.iter().any(|b| !b.is_ascii_whitespace()));
                    buf.clear();
                }
                k
            }
            Some(InputFormat::Csv) => csv::ReaderBuilder::new().flexible(true).from_reader(f).into_byte_records().count() as u64,
            _ => 1,
        };
    }
    Some(n)
}

/// A lazy stream of records over several inputs. `root` relative paths name `.txt` documents.
pub struct Reader {
    files: std::vec::IntoIter<PathBuf>,
    opts: ReaderOptions,
    current: Option<Box<dyn Iterator<Item = Item>>>,
}

impl Reader {
    pub fn new(files: Vec<PathBuf>, opts: ReaderOptions) -> Reader {
        Reader { files: files.into_iter(), opts, current: None }
    }

    fn open(&self, path: &Path) -> Box<dyn Iterator<Item = Item>> {
        let name = path.display().to_string();
        let fail = |reason: String| -> Box<dyn Iterator<Item = Item>> {
            Box::new(std::iter::once(Err(RecordError { origin: Origin { file: name.clone(), line: None }, doc_id: None, reason })))
        };
        let is_stdin = path.as_os_str() == "-";
        let format = match self.opts.format.or_else(|| InputFormat::from_path(path)) {
            Some(f) => f,
            None if is_stdin => InputFormat::Jsonl,
            None => return fail("unknown input format (extension not .jsonl/.csv/.txt): use --input-format".into()),
        };
        let stream: Box<dyn Read> = if is_stdin {
            Box::new(std::io::stdin())
        } else {
            match std::fs::File::open(path) {
                Ok(f) => Box::new(f),
                Err(e) => return fail(format!("cannot open: {e}")),
            }
        };
        match format {
            InputFormat::Jsonl => Box::new(JsonlReader { name, lines: BufReader::new(stream), line: 0, opts: self.opts.clone() }),
            InputFormat::Csv => csv_records(name, stream, &self.opts),
            InputFormat::Txt => Box::new(std::iter::once(read_txt(name, stream))),
        }
    }
}

impl Iterator for Reader {
    type Item = Item;
    fn next(&mut self) -> Option<Item> {
        loop {
            if let Some(cur) = self.current.as_mut() {
                if let Some(item) = cur.next() {
                    return Some(item);
                }
                self.current = None;
            }
            let path = self.files.next()?;
            self.current = Some(self.open(&path));
        }
    }
}

fn id_string(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Turn a parsed object into a record: text field required and non-blank; id optional
/// (default `file:line`); every other field becomes metadata.
fn record_from_map(
    mut obj: serde_json::Map<String, serde_json::Value>,
    origin: Origin,
    opts: &ReaderOptions,
) -> Item {
    let doc_id = obj.get(&opts.id_field).and_then(id_string);
    let err = |reason: String| RecordError { origin: origin.clone(), doc_id: doc_id.clone(), reason };
    let text = match obj.remove(&opts.text_field) {
        Some(serde_json::Value::String(s)) => s,
        Some(other) => return Err(err(format!("field {:?} is not a string but {}", opts.text_field, json_kind(&other)))),
        None => return Err(err(format!("no field {:?}", opts.text_field))),
    };
    if text.trim().is_empty() {
        return Err(err("empty text".into()));
    }
    obj.remove(&opts.id_field);
    let id = doc_id.clone().unwrap_or_else(|| format!("{}:{}", origin.file, origin.line.unwrap_or(0)));
    Ok(Record { id, text, metadata: obj, origin })
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

struct JsonlReader<R> {
    name: String,
    lines: R,
    line: u64,
    opts: ReaderOptions,
}

impl<R: BufRead> Iterator for JsonlReader<R> {
    type Item = Item;
    fn next(&mut self) -> Option<Item> {
        loop {
            let mut buf = Vec::new();
            self.line += 1;
            let origin = Origin { file: self.name.clone(), line: Some(self.line) };
            match self.lines.read_until(b'\n', &mut buf) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => return Some(Err(RecordError { origin, doc_id: None, reason: format!("read error: {e}") })),
            }
            let text = match std::str::from_utf8(&buf) {
                Ok(t) => t,
                Err(e) => {
                    return Some(Err(RecordError {
                        origin,
                        doc_id: None,
                        reason: format!("invalid UTF-8 at byte {} of the line", e.valid_up_to()),
                    }))
                }
            };
            let trimmed = text.trim_start_matches('\u{feff}').trim();
            if trimmed.is_empty() {
                continue;
            }
            return Some(match serde_json::from_str::<serde_json::Value>(trimmed) {
                Ok(serde_json::Value::Object(obj)) => record_from_map(obj, origin, &self.opts),
                Ok(other) => Err(RecordError { origin, doc_id: None, reason: format!("line is {}, not a JSON object", json_kind(&other)) }),
                Err(e) => Err(RecordError { origin, doc_id: None, reason: format!("malformed JSON: {e}") }),
            });
        }
    }
}

fn csv_records(name: String, stream: Box<dyn Read>, opts: &ReaderOptions) -> Box<dyn Iterator<Item = Item>> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(stream);
    let headers = match rdr.byte_headers() {
        Ok(h) => h.iter().map(|f| String::from_utf8_lossy(f).trim_start_matches('\u{feff}').to_string()).collect::<Vec<_>>(),
        Err(e) => {
            return Box::new(std::iter::once(Err(RecordError {
                origin: Origin { file: name, line: Some(1) },
                doc_id: None,
                reason: format!("cannot read CSV header: {e}"),
            })))
        }
    };
    let has_text = headers.iter().any(|h| h == &opts.text_field);
    let opts = opts.clone();
    Box::new(rdr.into_byte_records().map(move |rec| {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line());
                return Err(RecordError { origin: Origin { file: name.clone(), line }, doc_id: None, reason: format!("malformed CSV: {e}") });
            }
        };
        let origin = Origin { file: name.clone(), line: rec.position().map(|p| p.line()) };
        if !has_text {
            return Err(RecordError { origin, doc_id: None, reason: format!("the CSV header has no column {:?}", opts.text_field) });
        }
        let mut obj = serde_json::Map::new();
        for (i, field) in rec.iter().enumerate() {
            let Some(h) = headers.get(i) else {
                return Err(RecordError { origin, doc_id: None, reason: format!("row has {} fields, the header {}", rec.len(), headers.len()) });
            };
            match std::str::from_utf8(field) {
                Ok(s) => obj.insert(h.clone(), serde_json::Value::String(s.to_string())),
                Err(e) => {
                    return Err(RecordError { origin, doc_id: None, reason: format!("invalid UTF-8 in column {h:?} at byte {}", e.valid_up_to()) })
                }
            };
        }
        if !obj.contains_key(&opts.text_field) {
            return Err(RecordError { origin, doc_id: None, reason: format!("row has no value for column {:?} ({} of {} fields)", opts.text_field, rec.len(), headers.len()) });
        }
        record_from_map(obj, origin, &opts)
    }))
}

fn read_txt(name: String, mut stream: Box<dyn Read>) -> Item {
    let origin = Origin { file: name.clone(), line: None };
    let err = |reason: String| RecordError { origin: origin.clone(), doc_id: Some(name.clone()), reason };
    let mut bytes = Vec::new();
    if let Err(e) = stream.read_to_end(&mut bytes) {
        return Err(err(format!("read error: {e}")));
    }
    if bytes.contains(&0) {
        return Err(err("binary file (contains NUL bytes)".into()));
    }
    let text = String::from_utf8(bytes).map_err(|e| err(format!("invalid UTF-8 at byte {}", e.utf8_error().valid_up_to())))?;
    let text = text.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(text);
    if text.trim().is_empty() {
        return Err(err("empty text".into()));
    }
    Ok(Record { id: name, text, metadata: Default::default(), origin })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(name: &str, bytes: &[u8], opts: ReaderOptions) -> Vec<Item> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        Reader::new(vec![p], opts).collect()
    }

    #[test]
    fn jsonl_good_and_bad_lines() {
        let data = b"{\"id\": \"a\", \"text\": \"Hello.\", \"src\": \"x\"}\n\n{bad json\n[1,2]\n{\"id\": 7, \"text\": \"\"}\n{\"text\": \"No id.\"}\n\xff\xfe\n{\"id\":\"n\",\"text\":3}\n";
        let items = read("c.jsonl", data, Default::default());
        assert_eq!(items.len(), 7);
        let a = items[0].as_ref().unwrap();
        assert_eq!((a.id.as_str(), a.text.as_str(), a.metadata["src"].as_str()), ("a", "Hello.", Some("x")));
        let e = items[1].as_ref().unwrap_err();
        assert_eq!(e.origin.line, Some(3));
        assert!(e.reason.starts_with("malformed JSON"), "{}", e.reason);
        assert!(items[2].as_ref().unwrap_err().reason.contains("not a JSON object"));
        let empty = items[3].as_ref().unwrap_err();
        assert_eq!((empty.reason.as_str(), empty.doc_id.as_deref()), ("empty text", Some("7")));
        assert!(items[4].as_ref().unwrap().id.ends_with("c.jsonl:6"));
        assert!(items[5].as_ref().unwrap_err().reason.contains("invalid UTF-8"));
        assert!(items[6].as_ref().unwrap_err().reason.contains("not a string"));
    }

    #[test]
    fn csv_rows_and_custom_fields() {
        let data = "doc,body,lang\n1,\"Hello, world.\",en\n2\n3,\"multi\nline\",fr\n";
        let opts = ReaderOptions { id_field: "doc".into(), text_field: "body".into(), format: None };
        let items = read("c.csv", data.as_bytes(), opts);
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].as_ref().unwrap().text, "Hello, world.");
        assert_eq!(items[0].as_ref().unwrap().metadata["lang"], "en");
        let e = items[1].as_ref().unwrap_err();
        assert!(e.reason.contains("no value for column \"body\""), "{}", e.reason);
        assert_eq!(e.origin.line, Some(3));
        assert_eq!(items[2].as_ref().unwrap().id, "3");
        let no_col = read("d.csv", b"id,title\n1,x\n", Default::default());
        assert!(no_col[0].as_ref().unwrap_err().reason.contains("no column \"text\""));
    }

    #[test]
    fn txt_binary_and_empty() {
        assert!(read("a.txt", b"Some text.", Default::default())[0].is_ok());
        assert!(read("b.txt", b"\x7fELF\x00\x01", Default::default())[0].as_ref().unwrap_err().reason.contains("binary"));
        assert_eq!(read("c.txt", b"  \n", Default::default())[0].as_ref().unwrap_err().reason, "empty text");
        assert!(read("d.bin", b"x", Default::default())[0].as_ref().unwrap_err().reason.contains("unknown input format"));
    }
}
