//! A journal of model passes. Each forward batch's output (NER probabilities, relevance
//! embeddings, stance probabilities) is appended to `passes.bin` in the output directory as
//! soon as it is computed, keyed by the model and the batch's token rows, and the file is
//! emptied at each commit of the run's journal. After a kill, `--resume` reads it back: the
//! batch of documents that was in flight — however long its documents — is prepared again
//! (cheap: language, sentences, tokens), but every model pass it had finished is read instead
//! of recomputed, so at most the one model batch in flight at the kill is redone. Batches are
//! formed exactly as in the first attempt, so the outputs equal an uninterrupted run's.
//!
//! Record layout (little endian): key u64, tokens u64, dims u32, each dim i64, then the f32
//! values. A torn record at the end (a kill while writing) is dropped on reading.
use crate::error::{Error, Result};
use std::cell::RefCell;
use std::collections::HashMap;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use tch::{Kind, Tensor};

/// The pass journal shared by the pipeline's models.
pub type SharedPasses = Rc<RefCell<PassJournal>>;

pub struct PassJournal {
    path: PathBuf,
    file: std::fs::File,
    /// Outputs read back on `--resume` (empty in a fresh run: nothing is kept in memory).
    done: HashMap<(u64, u64), Tensor>,
    /// Passes answered from the journal, and passes written to it, over the run.
    pub hits: usize,
    pub stored: usize,
    /// Passes written since the last commit.
    since_commit: usize,
    /// Test hook (`PACTWATCH_ABORT_AFTER_PASSES=N`): abort the process, as a kill would, once N
    /// passes have been written since the last commit.
    abort_after: Option<usize>,
}

impl PassJournal {
    /// A new, empty journal at `path` (an existing one is emptied).
    pub fn create(path: &Path) -> Result<PassJournal> {
        let file = std::fs::OpenOptions::new().create(true).read(true).write(true).truncate(true).open(path).map_err(|e| Error::io(path, e))?;
        Ok(PassJournal::new(path, file, HashMap::new()))
    }

    /// The journal an interrupted run left at `path` (or a new one): its complete records are
    /// read back, a torn last record is cut off, and new passes are appended.
    pub fn resume(path: &Path) -> Result<PassJournal> {
        if !path.exists() {
            return PassJournal::create(path);
        }
        let mut file = std::fs::OpenOptions::new().read(true).write(true).open(path).map_err(|e| Error::io(path, e))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(|e| Error::io(path, e))?;
        let (done, complete) = parse(&bytes);
        file.set_len(complete as u64).map_err(|e| Error::io(path, e))?;
        file.seek(std::io::SeekFrom::End(0)).map_err(|e| Error::io(path, e))?;
        Ok(PassJournal::new(path, file, done))
    }

    fn new(path: &Path, file: std::fs::File, done: HashMap<(u64, u64), Tensor>) -> PassJournal {
        let abort_after = std::env::var("PACTWATCH_ABORT_AFTER_PASSES").ok().and_then(|v| v.parse().ok());
        PassJournal { path: path.to_path_buf(), file, done, hits: 0, stored: 0, since_commit: 0, abort_after }
    }

    /// The key of a batch of token rows under a model tag: FNV-1a 64 of the tag and every row
    /// (length, then ids), and the number of tokens.
    pub fn key(tag: &str, rows: &[&[i64]]) -> (u64, u64) {
        let mut h: u64 = 0xcbf29ce484222325;
        let mut eat = |bytes: &[u8]| {
            for b in bytes {
                h ^= *b as u64;
                h = h.wrapping_mul(0x100000001b3);
            }
        };
        eat(tag.as_bytes());
        let mut tokens = 0u64;
        for r in rows {
            eat(&(r.len() as u64).to_le_bytes());
            for id in r.iter() {
                eat(&id.to_le_bytes());
            }
            tokens += r.len() as u64;
        }
        (h, tokens)
    }

    fn store(&mut self, key: (u64, u64), t: &Tensor) -> Result<()> {
        let t = t.to_kind(Kind::Float).contiguous();
        let values = Vec::<f32>::try_from(t.view([-1])).map_err(|e| Error::torch("reading a pass output for the pass journal", e))?;
        let dims = t.size();
        let mut rec = Vec::with_capacity(20 + 8 * dims.len() + 4 * values.len());
        rec.extend_from_slice(&key.0.to_le_bytes());
        rec.extend_from_slice(&key.1.to_le_bytes());
        rec.extend_from_slice(&(dims.len() as u32).to_le_bytes());
        for d in &dims {
            rec.extend_from_slice(&d.to_le_bytes());
        }
        for v in &values {
            rec.extend_from_slice(&v.to_le_bytes());
        }
        self.file.write_all(&rec).map_err(|e| Error::io(&self.path, e))?;
        self.stored += 1;
        self.since_commit += 1;
        if self.abort_after.is_some_and(|n| self.since_commit >= n) {
            eprintln!("pactwatch: PACTWATCH_ABORT_AFTER_PASSES: aborting after {} passes", self.since_commit);
            std::process::abort();
        }
        Ok(())
    }

    /// Everything up to here is committed in the run's journal: empty the pass journal.
    pub fn commit(&mut self) -> Result<()> {
        self.done.clear();
        self.since_commit = 0;
        self.file.set_len(0).map_err(|e| Error::io(&self.path, e))?;
        self.file.seek(std::io::SeekFrom::Start(0)).map_err(|e| Error::io(&self.path, e))?;
        Ok(())
    }

    /// The run is over: remove the (empty) file.
    pub fn finish(self) -> Result<()> {
        std::fs::remove_file(&self.path).map_err(|e| Error::io(&self.path, e))
    }
}

/// The complete records of a journal file and the length they take.
fn parse(bytes: &[u8]) -> (HashMap<(u64, u64), Tensor>, usize) {
    let mut done = HashMap::new();
    let mut at = 0usize;
    let take = |at: &mut usize, n: usize| -> Option<&[u8]> {
        let s = bytes.get(*at..*at + n)?;
        *at += n;
        Some(s)
    };
    loop {
        let start = at;
        let rec = (|| {
            let key = u64::from_le_bytes(take(&mut at, 8)?.try_into().ok()?);
            let tokens = u64::from_le_bytes(take(&mut at, 8)?.try_into().ok()?);
            let nd = u32::from_le_bytes(take(&mut at, 4)?.try_into().ok()?) as usize;
            let mut dims = Vec::with_capacity(nd);
            for _ in 0..nd {
                dims.push(i64::from_le_bytes(take(&mut at, 8)?.try_into().ok()?));
            }
            let n: i64 = dims.iter().product();
            let raw = take(&mut at, 4 * usize::try_from(n).ok()?)?;
            let values: Vec<f32> = raw.chunks_exact(4).map(|c| f32::from_le_bytes(c.try_into().unwrap())).collect();
            Some(((key, tokens), Tensor::from_slice(&values).view(dims.as_slice())))
        })();
        match rec {
            Some((k, t)) => {
                done.insert(k, t);
            }
            None => return (done, start),
        }
    }
}

/// Run `compute` for a batch of `rows`, unless the journal already holds its output; store
/// what is computed. Without a journal, just `compute`.
pub fn through(passes: Option<&SharedPasses>, tag: &str, rows: &[&[i64]], compute: impl FnOnce() -> Result<Tensor>) -> Result<Tensor> {
    let Some(p) = passes else { return compute() };
    let key = PassJournal::key(tag, rows);
    let hit = p.borrow().done.get(&key).map(|t| t.shallow_clone());
    if let Some(t) = hit {
        p.borrow_mut().hits += 1;
        return Ok(t);
    }
    let t = compute()?;
    p.borrow_mut().store(key, &t)?;
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_come_back_after_a_torn_write_and_commit_empties() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("passes.bin");
        let (a, b): (&[i64], &[i64]) = (&[0, 5, 6, 2], &[0, 7, 2]);
        let x = Tensor::from_slice(&[0.25f32, 0.5, 0.125, 1.0, 2.0, 3.0]).view([2, 3]);
        {
            let j = Rc::new(RefCell::new(PassJournal::create(&path).unwrap()));
            let got = through(Some(&j), "ner", &[a, b], || Ok(x.shallow_clone())).unwrap();
            assert_eq!(got, x);
            let _ = through(Some(&j), "ner", &[b], || Ok(Tensor::from_slice(&[9f32]))).unwrap();
        }
        // A kill in the middle of a third record.
        let mut f = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(&[1, 2, 3, 4, 5]).unwrap();
        let j = Rc::new(RefCell::new(PassJournal::resume(&path).unwrap()));
        let again = through(Some(&j), "ner", &[a, b], || panic!("must come from the journal")).unwrap();
        assert_eq!(again, x);
        assert_eq!(again.size(), vec![2, 3]);
        // Another model's tag, or other rows, are computed.
        let other = through(Some(&j), "stance", &[a, b], || Ok(Tensor::from_slice(&[7f32]))).unwrap();
        assert_eq!(other, Tensor::from_slice(&[7f32]));
        assert_eq!(j.borrow().hits, 1);
        j.borrow_mut().commit().unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
        let _ = through(Some(&j), "ner", &[a, b], || Ok(Tensor::from_slice(&[1f32]))).unwrap();
        assert_eq!(j.borrow().hits, 1, "after a commit nothing is read back");
    }
}
