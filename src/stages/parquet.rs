//! `--format parquet`: at the end of a run, each CSV table (`entities`, `stances`, `actors`,
//! `corpus_actors`) is also written as `NAME.parquet` with a fixed typed schema (strings as
//! UTF-8, counts and offsets as INT64, probabilities as DOUBLE; empty cells of optional columns
//! as nulls), Snappy-compressed, in row groups of [`ROW_GROUP`] rows. The CSV written batch by
//! batch stays the journal-backed source (a resumed run converts the whole table again), so
//! both files always hold the same rows in the same order.
use crate::error::{Error, Result};
use parquet::basic::Compression;
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use std::path::Path;
use std::sync::Arc;

pub const ROW_GROUP: usize = 65_536;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    Str,
    /// A string whose empty cell is a null (holder, cue, dates).
    OptStr,
    Int,
    OptInt,
    Float,
    OptFloat,
}
use Col::*;

impl Col {
    /// Whether the column is nullable (an empty cell is a null).
    fn optional(self) -> bool {
        matches!(self, OptStr | OptInt | OptFloat)
    }
}

const ENTITIES: &[(&str, Col)] = &[
    ("doc_id", Str), ("entity_index", Int), ("sentence", Int), ("label", Str), ("text", Str), ("score", Float),
    ("char_start", Int), ("char_end", Int), ("byte_start", Int), ("byte_end", Int), ("lang", Str), ("canonical_id", OptStr), ("date", OptStr),
];
const STANCES: &[(&str, Col)] = &[
    ("doc_id", Str), ("scope", Str), ("sentence", OptInt), ("target", Str), ("label", Str), ("p_favor", Float), ("p_against", Float),
    ("p_none", Float), ("relevance", Float), ("relevant_by", Str), ("n_sentences", Int), ("holder", OptStr), ("cue", OptStr), ("lang", Str),
];
const ACTORS: &[(&str, Col)] = &[
    ("doc_id", Str), ("actor", Str), ("entity_label", Str), ("target", Str), ("label", Str), ("p_favor", Float), ("p_against", Float),
    ("p_none", Float), ("evidence", Str), ("mentions", Int), ("lang", Str), ("canonical_id", OptStr), ("date", OptStr),
];
const CORPUS_ACTORS: &[(&str, Col)] = &[
    ("canonical_id", Str), ("name", Str), ("entity_label", Str), ("target", OptStr), ("variants", Str), ("documents", Int), ("sentences", Int),
    ("favor", OptInt), ("against", OptInt), ("none", OptInt), ("mean_p_favor", OptFloat), ("mean_p_against", OptFloat), ("mean_p_none", OptFloat),
    ("languages", Str), ("first_date", OptStr), ("last_date", OptStr), ("evidence_doc", OptStr), ("evidence_sentence", OptInt), ("evidence_p", OptFloat),
];

/// The tables converted, with their schemas.
pub const TABLES: [(&str, &[(&str, Col)]); 4] = [("entities", ENTITIES), ("stances", STANCES), ("actors", ACTORS), ("corpus_actors", CORPUS_ACTORS)];

/// The Parquet message type of a table.
pub fn message_type(name: &str, cols: &[(&str, Col)]) -> String {
    let mut s = format!("message {name} {{\n");
    for (c, t) in cols {
        let rep = if t.optional() { "optional" } else { "required" };
        let ty = match t {
            Str | OptStr => "binary",
            Int | OptInt => "int64",
            Float | OptFloat => "double",
        };
        let ann = if ty == "binary" { " (UTF8)" } else { "" };
        s += &format!("  {rep} {ty} {c}{ann};\n");
    }
    s + "}\n"
}

/// Convert every CSV table of `dir` that exists to Parquet; returns (table, rows) written.
pub fn write_tables(dir: &Path) -> Result<Vec<(String, usize)>> {
    let mut done = Vec::new();
    for (name, cols) in TABLES {
        let csv_path = dir.join(format!("{name}.csv"));
        if csv_path.exists() {
            let n = csv_to_parquet(&csv_path, &dir.join(format!("{name}.parquet")), name, cols)?;
            done.push((name.to_string(), n));
        }
    }
    Ok(done)
}

/// One column's values of a row group, with definition levels for the optional ones.
enum Buf {
    S(Vec<ByteArray>),
    I(Vec<i64>),
    F(Vec<f64>),
}

/// Write `csv_path` as `out` (atomically); the CSV header must be the schema's columns.
pub fn csv_to_parquet(csv_path: &Path, out: &Path, name: &str, cols: &[(&str, Col)]) -> Result<usize> {
    let err = |row: Option<usize>, e: String| match row {
        Some(r) => Error::Invalid(format!("{}: row {r}: {e}", csv_path.display())),
        None => Error::Invalid(format!("{}: {e}", csv_path.display())),
    };
    let mut rd = csv::Reader::from_path(csv_path).map_err(|e| err(None, e.to_string()))?;
    let header: Vec<String> = rd.headers().map_err(|e| err(None, e.to_string()))?.iter().map(str::to_string).collect();
    let want: Vec<&str> = cols.iter().map(|c| c.0).collect();
    if header != want {
        return Err(err(None, format!("columns {header:?}, expected {want:?} for the Parquet schema")));
    }
    let schema = Arc::new(parse_message_type(&message_type(name, cols)).map_err(|e| err(None, e.to_string()))?);
    let props = Arc::new(WriterProperties::builder().set_compression(Compression::SNAPPY).build());
    let tmp = out.with_extension("parquet.tmp");
    let file = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    let pq = |e: parquet::errors::ParquetError| Error::Invalid(format!("{}: {e}", out.display()));
    let mut w = SerializedFileWriter::new(file, schema, props).map_err(pq)?;
    let mut rows = 0usize;
    let mut records = rd.records().enumerate().peekable();
    while records.peek().is_some() {
        let mut bufs: Vec<(Buf, Vec<i16>)> = cols
            .iter()
            .map(|(_, t)| {
                let b = match t {
                    Str | OptStr => Buf::S(Vec::new()),
                    Int | OptInt => Buf::I(Vec::new()),
                    Float | OptFloat => Buf::F(Vec::new()),
                };
                (b, Vec::new())
            })
            .collect();
        for (i, rec) in records.by_ref().take(ROW_GROUP) {
            let row = i + 2;
            let rec = rec.map_err(|e| err(Some(row), e.to_string()))?;
            for (k, ((b, defs), (cname, t))) in bufs.iter_mut().zip(cols).enumerate() {
                let cell = rec.get(k).unwrap_or("");
                if t.optional() && cell.is_empty() {
                    defs.push(0);
                    continue;
                }
                defs.push(1);
                let bad = |what: &str| err(Some(row), format!("column {cname}: {cell:?} is not {what}"));
                match b {
                    Buf::S(v) => v.push(ByteArray::from(cell)),
                    Buf::I(v) => v.push(cell.parse().map_err(|_| bad("an integer"))?),
                    Buf::F(v) => v.push(cell.parse().map_err(|_| bad("a number"))?),
                }
            }
            rows += 1;
        }
        let mut rg = w.next_row_group().map_err(pq)?;
        let mut k = 0;
        while let Some(mut col) = rg.next_column().map_err(pq)? {
            let (b, defs) = &bufs[k];
            let defs = cols[k].1.optional().then_some(defs.as_slice());
            match b {
                Buf::S(v) => col.typed::<ByteArrayType>().write_batch(v, defs, None).map_err(pq)?,
                Buf::I(v) => col.typed::<Int64Type>().write_batch(v, defs, None).map_err(pq)?,
                Buf::F(v) => col.typed::<DoubleType>().write_batch(v, defs, None).map_err(pq)?,
            };
            col.close().map_err(pq)?;
            k += 1;
        }
        rg.close().map_err(pq)?;
    }
    w.close().map_err(pq)?;
    std::fs::rename(&tmp, out).map_err(|e| Error::io(out, e))?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;

    #[test]
    fn csv_round_trips_with_types_and_nulls() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("stances.csv");
        std::fs::write(
            &csv,
            "doc_id,scope,sentence,target,label,p_favor,p_against,p_none,relevance,relevant_by,n_sentences,holder,cue,lang\n\
             d1,document,,t,favor,0.5,0.25,0.25,0.9,sentences,3,,,en\n\
             d1,sentence,2,t,against,0.1,0.8,0.1,0.85,alias,1,\"Orbán, Viktor\",rejected,hu\n",
        )
        .unwrap();
        let out = dir.path().join("stances.parquet");
        assert_eq!(csv_to_parquet(&csv, &out, "stances", STANCES).unwrap(), 2);
        let r = SerializedFileReader::new(std::fs::File::open(&out).unwrap()).unwrap();
        let rows: Vec<_> = r.get_row_iter(None).unwrap().map(|x| x.unwrap()).collect();
        assert_eq!(rows.len(), 2);
        let get = |i: usize, c: &str| rows[i].get_column_iter().find(|(n, _)| n.as_str() == c).unwrap().1.clone();
        assert_eq!(get(0, "sentence"), Field::Null);
        assert_eq!(get(1, "sentence"), Field::Long(2));
        assert_eq!(get(1, "holder"), Field::Str("Orbán, Viktor".into()));
        assert_eq!(get(0, "holder"), Field::Null);
        assert_eq!(get(1, "p_against"), Field::Double(0.8));
        // A wrong header or a bad number names the file and row.
        std::fs::write(&csv, "doc_id,scope\nd1,document\n").unwrap();
        assert!(csv_to_parquet(&csv, &out, "stances", STANCES).unwrap_err().to_string().contains("expected"));
        let bad = "doc_id,scope,sentence,target,label,p_favor,p_against,p_none,relevance,relevant_by,n_sentences,holder,cue,lang\nd1,document,x,t,favor,0.5,0.25,0.25,0.9,s,3,,,en\n";
        std::fs::write(&csv, bad).unwrap();
        let e = csv_to_parquet(&csv, &out, "stances", STANCES).unwrap_err().to_string();
        assert!(e.contains("row 2") && e.contains("sentence"), "{e}");
    }
}
