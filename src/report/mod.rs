//! `pactwatch report OUT_DIR`: one self-contained `report.html` from a finished (or partly
//! finished) `annotate` run directory. Data flows one way: [`gather`] reads the run's files
//! (`documents.jsonl` streamed line by line, `corpus_actors.csv`, `run.json`,
//! `run.args.json`, `errors.jsonl`) into a [`Report`] of counts; [`html::render`] turns it into
//! HTML with inline SVG charts, each followed by a table of its numbers. No script, no network.
pub mod html;

use crate::error::{Error, Result};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;
use std::path::Path;

/// Evidence sentences kept per (actor, target) and documents listed per target.
pub const EVIDENCE_PER_ACTOR: usize = 5;
pub const DOCS_LISTED: usize = 200;

/// Counts by stance label, in the order favor, against, none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Labels(pub [usize; 3]);

impl Labels {
    pub fn add(&mut self, label: &str) {
        if let Some(i) = label_index(label) {
            self.0[i] += 1;
        }
    }
    pub fn total(&self) -> usize {
        self.0.iter().sum()
    }
}

pub fn label_index(label: &str) -> Option<usize> {
    ["favor", "against", "none"].iter().position(|l| *l == label)
}

/// One sentence that shows an actor's stance.
#[derive(Debug, Clone)]
pub struct Evidence {
    pub doc_id: String,
    pub date: String,
    pub lang: String,
    pub label: String,
    pub sentence: usize,
    pub text: String,
}

/// One canonical actor's stance toward one target (a stance row of `corpus_actors.csv`).
#[derive(Debug, Clone)]
pub struct ActorLine {
    pub id: String,
    pub name: String,
    pub entity_label: String,
    pub docs: Labels,
    pub languages: String,
    pub variants: String,
    pub evidence: Vec<Evidence>,
}

/// A document's stance toward a target, as listed in the report.
#[derive(Debug, Clone)]
pub struct DocLine {
    pub id: String,
    pub date: String,
    pub lang: String,
    pub title: String,
    pub label: String,
    pub relevant_sentences: usize,
}

#[derive(Debug, Clone, Default)]
pub struct TargetReport {
    pub target: String,
    pub actors: Vec<ActorLine>,
    /// Documents that name the target (at least one relevant sentence), per label.
    pub relevant_docs: Labels,
    pub relevant_sentences: usize,
    /// How relevant sentences were found (alias, phrase, embedding, …) and how many.
    pub relevant_by: BTreeMap<String, usize>,
    pub by_period: BTreeMap<String, Labels>,
    pub by_lang: BTreeMap<String, Labels>,
    pub by_source: BTreeMap<String, Labels>,
    /// The first [`DOCS_LISTED`] relevant documents in input order, and how many there are.
    pub docs: Vec<DocLine>,
}

#[derive(Debug, Clone)]
pub struct EntityLine {
    pub id: String,
    pub name: String,
    pub mentions: usize,
    pub docs: usize,
}

/// Everything the HTML shows.
#[derive(Debug, Default)]
pub struct Report {
    pub run_dir: String,
    pub documents: usize,
    pub period: &'static str,
    pub targets: Vec<TargetReport>,
    /// Per entity type (PER, ORG, LOC, MISC, …), the most mentioned canonical entities.
    pub entities: BTreeMap<String, Vec<EntityLine>>,
    pub counts: BTreeMap<String, u64>,
    pub errors: Vec<(String, usize)>,
    pub chars_total: usize,
    pub chars_covered: usize,
    pub incomplete_docs: usize,
    pub models: Vec<(String, String, String)>,
    pub command: String,
    pub seconds: Option<f64>,
    pub docs_per_lang: BTreeMap<String, usize>,
}

#[derive(Deserialize)]
struct Doc {
    id: String,
    #[serde(default)]
    source: Option<Origin>,
    lang: Lang,
    #[serde(default)]
    metadata: serde_json::Map<String, serde_json::Value>,
    text: String,
    sentences: Vec<Sent>,
    entities: Vec<Ent>,
    #[serde(default)]
    coverage: Option<Cov>,
    #[serde(default)]
    stances: Vec<Stance>,
    #[serde(default)]
    actors: Vec<Actor>,
}
#[derive(Deserialize)]
struct Origin {
    file: String,
}
#[derive(Deserialize)]
struct Lang {
    code: String,
}
#[derive(Deserialize)]
struct Sent {
    char_start: usize,
    char_end: usize,
}
#[derive(Deserialize)]
struct Ent {
    text: String,
    label: String,
    #[serde(default)]
    canonical_id: Option<String>,
}
#[derive(Deserialize)]
struct Cov {
    chars_total: usize,
    chars_covered: usize,
    complete: bool,
}
#[derive(Deserialize)]
struct Stance {
    target: String,
    scope: String,
    label: String,
    relevant_by: String,
}
#[derive(Deserialize)]
struct Actor {
    target: String,
    label: String,
    evidence: Vec<usize>,
    #[serde(default)]
    canonical_id: Option<String>,
}

#[derive(Deserialize)]
struct CorpusActorRow {
    canonical_id: String,
    name: String,
    entity_label: String,
    target: String,
    variants: String,
    /// Empty on the named rows (empty target).
    favor: Option<usize>,
    against: Option<usize>,
    none: Option<usize>,
    languages: String,
}

fn invalid(path: &Path, line: Option<usize>, e: impl std::fmt::Display) -> Error {
    match line {
        Some(l) => Error::Invalid(format!("{}: line {l}: {e}", path.display())),
        None => Error::Invalid(format!("{}: {e}", path.display())),
    }
}

/// Monday of the ISO week of a `YYYY-MM-DD` date (days since 1970 by the civil calendar).
pub fn week_of(date: &str) -> Option<String> {
    let (y, m, d) = parse_date(date)?;
    let days = days_from_civil(y, m, d);
    let monday = days - (days + 3).rem_euclid(7);
    let (y, m, d) = civil_from_days(monday);
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

fn parse_date(s: &str) -> Option<(i64, u32, u32)> {
    let s = s.get(..10)?;
    let b = s.as_bytes();
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d) = (s[..4].parse().ok()?, s[5..7].parse().ok()?, s[8..10].parse().ok()?);
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
}

// Howard Hinnant's days_from_civil / civil_from_days.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn metadata_str(m: &serde_json::Map<String, serde_json::Value>, key: &str) -> String {
    match m.get(key) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(v) => v.to_string(),
    }
}

/// Read the run directory. `date_field` and `source_field` name metadata fields (the date
/// field defaults to the run's own `--date-field`).
pub fn gather(dir: &Path, date_field: Option<&str>, source_field: &str, top_actors: usize, top_entities: usize) -> Result<Report> {
    let docs_path = dir.join("documents.jsonl");
    if !docs_path.exists() {
        return Err(Error::Invalid(format!(
            "{}: not found; `report` reads a run directory of `pactwatch annotate --out DIR` written with the documents table (the default --format)",
            docs_path.display()
        )));
    }
    let read_json = |name: &str| -> Result<Option<serde_json::Value>> {
        let p = dir.join(name);
        if !p.exists() {
            return Ok(None);
        }
        let s = std::fs::read_to_string(&p).map_err(|e| invalid(&p, None, e))?;
        serde_json::from_str(&s).map(Some).map_err(|e| invalid(&p, None, e))
    };
    let run = read_json("run.json")?.unwrap_or_default();
    let args = read_json("run.args.json")?.unwrap_or_default();
    let date_field = date_field.map(str::to_string).or_else(|| args["date_field"].as_str().map(str::to_string)).unwrap_or_else(|| "date".into());

    let mut r = Report { run_dir: dir.display().to_string(), ..Default::default() };
    if let Some(c) = run["counts"].as_object() {
        r.counts = c.iter().filter_map(|(k, v)| v.as_u64().map(|n| (k.clone(), n))).collect();
    }
    r.command = run["command"].as_array().map(|a| a.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>().join(" ")).unwrap_or_default();
    r.seconds = run["timings"]["total_s"].as_f64();
    if let Some(m) = run["models"].as_object() {
        for (role, v) in m {
            let weights = v["sha256"].as_object().and_then(|s| s.iter().find(|(k, _)| k.ends_with("model.safetensors") && !k.contains("../")).or_else(|| s.iter().next()));
            let sha = weights.and_then(|(_, h)| h.as_str()).map(|h| h[..12.min(h.len())].to_string()).unwrap_or_default();
            r.models.push((role.clone(), v["dir"].as_str().unwrap_or("").to_string(), sha));
        }
    }

    // Canonical names, and the per-target actor lines of corpus_actors.csv.
    let mut names: HashMap<String, String> = HashMap::new();
    let mut actor_lines: BTreeMap<String, Vec<ActorLine>> = BTreeMap::new();
    for row in crate::stages::corpus_actors::read_rows::<CorpusActorRow>(&dir.join("corpus_actors.csv"))? {
        names.entry(row.canonical_id.clone()).or_insert_with(|| row.name.clone());
        if !row.target.is_empty() {
            actor_lines.entry(row.target.clone()).or_default().push(ActorLine {
                id: row.canonical_id,
                name: row.name,
                entity_label: row.entity_label,
                docs: Labels([row.favor.unwrap_or(0), row.against.unwrap_or(0), row.none.unwrap_or(0)]),
                languages: row.languages,
                variants: row.variants,
                evidence: Vec::new(),
            });
        }
    }
    let mut targets: BTreeMap<String, TargetReport> = BTreeMap::new();
    for (t, mut lines) in actor_lines {
        lines.sort_by(|a, b| b.docs.total().cmp(&a.docs.total()).then_with(|| a.name.cmp(&b.name)));
        lines.truncate(top_actors);
        targets.insert(t.clone(), TargetReport { target: t, actors: lines, ..Default::default() });
    }
    let wanted: HashMap<(String, String), usize> =
        targets.values().flat_map(|t| t.actors.iter().enumerate().map(move |(i, a)| ((t.target.clone(), a.id.clone()), i))).collect();

    // Entity mentions per canonical id: (type, surface counts, mentions, documents).
    let mut ents: HashMap<String, (String, HashMap<String, usize>, usize, usize)> = HashMap::new();
    let mut dates: Vec<String> = Vec::new();
    let mut doc_periods: Vec<(String, String, String)> = Vec::new(); // target, date, label
    let f = std::fs::File::open(&docs_path).map_err(|e| invalid(&docs_path, None, e))?;
    for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
        let line = line.map_err(|e| invalid(&docs_path, Some(i + 1), e))?;
        if line.trim().is_empty() {
            continue;
        }
        let d: Doc = serde_json::from_str(&line).map_err(|e| invalid(&docs_path, Some(i + 1), e))?;
        r.documents += 1;
        *r.docs_per_lang.entry(d.lang.code.clone()).or_default() += 1;
        if let Some(c) = &d.coverage {
            r.chars_total += c.chars_total;
            r.chars_covered += c.chars_covered;
            r.incomplete_docs += usize::from(!c.complete);
        }
        let mut seen = std::collections::HashSet::new();
        for e in &d.entities {
            let id = e.canonical_id.clone().unwrap_or_else(|| format!("{}:{}", e.label, e.text.to_lowercase()));
            let x = ents.entry(id.clone()).or_insert_with(|| (e.label.clone(), HashMap::new(), 0, 0));
            *x.1.entry(e.text.clone()).or_default() += 1;
            x.2 += 1;
            if seen.insert(id) {
                x.3 += 1;
            }
        }
        let date = metadata_str(&d.metadata, &date_field);
        let date = date.get(..10).filter(|s| parse_date(s).is_some()).unwrap_or("").to_string();
        if !date.is_empty() {
            dates.push(date.clone());
        }
        let source = Some(metadata_str(&d.metadata, source_field)).filter(|s| !s.is_empty()).or_else(|| d.source.as_ref().map(|o| o.file.clone())).unwrap_or_default();
        let title = metadata_str(&d.metadata, "title");
        let chars: Vec<(usize, usize)> = d.sentences.iter().map(|s| (s.char_start, s.char_end)).collect();
        let sentence_text = |k: usize| -> String {
            chars.get(k).map(|&(a, b)| d.text.chars().skip(a).take(b - a).collect::<String>().trim().to_string()).unwrap_or_default()
        };
        let mut relevant: HashMap<&str, usize> = HashMap::new();
        for s in d.stances.iter().filter(|s| s.scope == "sentence") {
            let t = targets.entry(s.target.clone()).or_insert_with(|| TargetReport { target: s.target.clone(), ..Default::default() });
            t.relevant_sentences += 1;
            *t.relevant_by.entry(s.relevant_by.clone()).or_default() += 1;
            *relevant.entry(&s.target).or_default() += 1;
        }
        for s in d.stances.iter().filter(|s| s.scope == "document") {
            let n = relevant.get(s.target.as_str()).copied().unwrap_or(0);
            if n == 0 {
                continue;
            }
            let t = targets.entry(s.target.clone()).or_insert_with(|| TargetReport { target: s.target.clone(), ..Default::default() });
            t.relevant_docs.add(&s.label);
            t.by_lang.entry(d.lang.code.clone()).or_default().add(&s.label);
            t.by_source.entry(source.clone()).or_default().add(&s.label);
            if t.docs.len() < DOCS_LISTED {
                t.docs.push(DocLine { id: d.id.clone(), date: date.clone(), lang: d.lang.code.clone(), title: title.clone(), label: s.label.clone(), relevant_sentences: n });
            }
            if !date.is_empty() {
                doc_periods.push((s.target.clone(), date.clone(), s.label.clone()));
            }
        }
        for a in &d.actors {
            let Some(id) = &a.canonical_id else { continue };
            let Some(&k) = wanted.get(&(a.target.clone(), id.clone())) else { continue };
            let line = &mut targets.get_mut(&a.target).expect("wanted targets exist").actors[k];
            // Sided evidence first: a none line is replaced by a sided one when the list is full.
            let sided = a.label != "none";
            let full = line.evidence.len() >= EVIDENCE_PER_ACTOR;
            if full && !(sided && line.evidence.iter().any(|e| e.label == "none")) {
                continue;
            }
            if let Some(&s) = a.evidence.first() {
                let ev = Evidence { doc_id: d.id.clone(), date: date.clone(), lang: d.lang.code.clone(), label: a.label.clone(), sentence: s, text: sentence_text(s) };
                if full {
                    let j = line.evidence.iter().position(|e| e.label == "none").expect("checked");
                    line.evidence[j] = ev;
                } else {
                    line.evidence.push(ev);
                }
            }
        }
    }

    // Days when the dated documents span at most 62 days, else ISO weeks (their Mondays).
    dates.sort();
    let span = match (dates.first().and_then(|d| parse_date(d)), dates.last().and_then(|d| parse_date(d))) {
        (Some(a), Some(b)) => days_from_civil(b.0, b.1, b.2) - days_from_civil(a.0, a.1, a.2),
        _ => 0,
    };
    r.period = if span <= 62 { "day" } else { "week" };
    for (t, date, label) in doc_periods {
        let key = if r.period == "day" { date } else { week_of(&date).unwrap_or(date) };
        targets.get_mut(&t).expect("target seen").by_period.entry(key).or_default().add(&label);
    }
    r.targets = targets.into_values().collect();

    let mut by_type: BTreeMap<String, Vec<EntityLine>> = BTreeMap::new();
    for (id, (label, surfaces, mentions, docs)) in ents {
        let name = names.get(&id).cloned().unwrap_or_else(|| {
            let mut s: Vec<_> = surfaces.into_iter().collect();
            s.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            s.into_iter().next().map(|x| x.0).unwrap_or_default()
        });
        by_type.entry(label).or_default().push(EntityLine { id, name, mentions, docs });
    }
    for v in by_type.values_mut() {
        v.sort_by(|a, b| b.mentions.cmp(&a.mentions).then_with(|| a.name.cmp(&b.name)));
        v.truncate(top_entities);
    }
    r.entities = by_type;

    // Errors grouped by kind and reason (the reason without the file's own position).
    let ep = dir.join("errors.jsonl");
    if ep.exists() {
        let mut groups: BTreeMap<String, usize> = BTreeMap::new();
        let s = std::fs::read_to_string(&ep).map_err(|e| invalid(&ep, None, e))?;
        for (i, l) in s.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(l).map_err(|e| invalid(&ep, Some(i + 1), e))?;
            let reason: String = v["reason"].as_str().unwrap_or("").chars().take(120).collect();
            *groups.entry(format!("{}: {reason}", v["kind"].as_str().unwrap_or("error"))).or_default() += 1;
        }
        let mut g: Vec<_> = groups.into_iter().collect();
        g.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        r.errors = g;
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday() {
        assert_eq!(week_of("2026-01-07").as_deref(), Some("2026-01-05")); // a Wednesday
        assert_eq!(week_of("2026-01-05").as_deref(), Some("2026-01-05"));
        assert_eq!(week_of("2026-01-04").as_deref(), Some("2025-12-29")); // a Sunday
        assert_eq!(week_of("2024-03-01T10:00:00Z").as_deref(), Some("2024-02-26"));
        assert_eq!(week_of("07/01/2026"), None);
    }
}
