//! Actors: who holds the stance of a sentence, and which mentions in a document are the same
//! actor. Rules, not a model: the speaker of a quote or the subject of a reporting or stance
//! verb from the cue lexicons (`lexicons/cues.toml`, data per language); people first, then
//! organisations, then places standing for governments ("the Kremlin rejected", "Moscow said").
use crate::error::{Error, Result};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Cue words of one language.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Cues {
    #[serde(default)]
    pub speech: Vec<String>,
    #[serde(default)]
    pub favour: Vec<String>,
    #[serde(default)]
    pub against: Vec<String>,
    /// Words joining coordinated names ("and"); added to the built-in `CONJUNCTIONS`
    #[serde(default)]
    pub conjunctions: Vec<String>,
    /// Words opening a subordinate clause ("that"); added to the built-in `SUBORDINATORS`
    #[serde(default)]
    pub subordinators: Vec<String>,
    /// Prepositions introducing the agent of a passive ("signed by"): a stance cue followed by
    /// one takes its holder after it
    #[serde(default)]
    pub agents: Vec<String>,
    /// Prepositions ("in", "v", "στο"): a name right after one is not the subject of a verb
    /// ("Speaking in Clacton, ... asked", "V Rade EÚ hlasovali proti nej Francúzsko")
    #[serde(default)]
    pub prepositions: Vec<String>,
    /// Articles ("the", "de", "τον"): a preposition's name may follow one ("in the UK")
    #[serde(default)]
    pub articles: Vec<String>,
}

/// The clause words of one language (its lexicon's lists plus the built-in ones), lower-case.
#[derive(Debug, Clone)]
pub struct Grammar {
    pub conjunctions: Vec<String>,
    pub subordinators: Vec<String>,
    pub agents: Vec<String>,
    pub prepositions: Vec<String>,
    pub articles: Vec<String>,
    /// Whether a stance cue with no holder before it may take one after it (`attribute_all`)
    pub after_cue: bool,
    /// Whether the person a reporting cue names shares the stance a stance cue gives another
    /// holder in the sentence (`attribute_all`)
    pub speaker_shares: bool,
    /// Whether the subject of the clause a speaker reports shares the speaker's stance
    /// ("Kosiniak-Kamysz zapewnił, że Polska osiągnie cel": Poland's own commitment)
    pub complement: bool,
    /// Whether every reporting cue of a sentence without a stance-cue holder names its speaker
    /// ("Weidel called it madness, while Wagenknecht asked ..."), not only the first
    pub all_speakers: bool,
    /// Whether the person a favour cue names right after it acts with its subject
    /// ("signed together with Macron and Zelensky")
    pub cue_partners: bool,
}

impl Default for Grammar {
    fn default() -> Grammar {
        Grammar { conjunctions: Vec::new(), subordinators: Vec::new(), agents: Vec::new(), prepositions: Vec::new(), articles: Vec::new(), after_cue: true, speaker_shares: false, complement: false, all_speakers: false, cue_partners: false }
    }
}

impl Grammar {
    /// Whether the name at byte `start` of `sentence` follows a preposition of the language
    /// (it is then an adverbial or an object, not a subject): the word right before it, or the
    /// one before that across an article ("in the UK", "door de VS"), never across
    /// punctuation. An elided article's apostrophe is dropped first ("nell'Ucraina",
    /// "d'Ukraine").
    pub fn after_preposition(&self, sentence: &str, start: usize) -> bool {
        if self.prepositions.is_empty() {
            return false;
        }
        let mut rest = sentence[..start].trim_end().trim_end_matches(['\'', '’']);
        for back in 0..2 {
            let word: String = rest.chars().rev().take_while(|c| c.is_alphabetic()).collect::<Vec<_>>().into_iter().rev().collect();
            if word.is_empty() {
                return false;
            }
            let lower = word.to_lowercase();
            if self.prepositions.contains(&lower) {
                return true;
            }
            if back == 0 && !self.articles.contains(&lower) {
                return false;
            }
            rest = rest[..rest.len() - word.len()].trim_end_matches(' ');
        }
        false
    }

    fn is_subordinator(&self, w: &str) -> bool {
        SUBORDINATORS.contains(&w) || self.subordinators.iter().any(|c| c == w)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CueKind {
    Speech,
    Favour,
    Against,
}

/// A cue found in a sentence: byte span and kind.
#[derive(Debug, Clone, PartialEq)]
pub struct CueHit {
    pub kind: CueKind,
    pub cue: String,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    pub by_lang: BTreeMap<String, Cues>,
}

impl Lexicon {
    pub fn load(path: &Path) -> Result<Lexicon> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let by_lang = toml::from_str(&text).map_err(|e| Error::Invalid(format!("{}: {e}", path.display())))?;
        Ok(Lexicon { by_lang })
    }

    /// The clause words of language `lang` (built-in lists only when it has no table).
    pub fn grammar(&self, lang: &str) -> Grammar {
        let lower = |v: &[String]| v.iter().map(|w| w.to_lowercase()).collect::<Vec<_>>();
        match self.by_lang.get(lang) {
            Some(c) => Grammar {
                conjunctions: lower(&c.conjunctions),
                subordinators: lower(&c.subordinators),
                agents: lower(&c.agents),
                prepositions: lower(&c.prepositions),
                articles: lower(&c.articles),
                ..Grammar::default()
            },
            None => Grammar::default(),
        }
    }

    /// Cues of language `lang` in `sentence`, in order of position (longest first at a tie).
    pub fn find(&self, lang: &str, sentence: &str) -> Vec<CueHit> {
        let Some(c) = self.by_lang.get(lang) else { return Vec::new() };
        let lower = sentence.to_lowercase();
        // Lower-casing can change byte lengths (rare: e.g. 'İ'); keep offsets only when it did not.
        let same_len = lower.len() == sentence.len();
        let mut hits = Vec::new();
        for (kind, list) in [(CueKind::Speech, &c.speech), (CueKind::Favour, &c.favour), (CueKind::Against, &c.against)] {
            for cue in list {
                if !same_len {
                    continue;
                }
                for s in crate::stages::words::find_phrase(&lower, &cue.to_lowercase()) {
                    hits.push(CueHit { kind, cue: cue.clone(), start: s, end: s + cue.to_lowercase().len() });
                }
            }
        }
        hits.sort_by_key(|h| (h.start, usize::MAX - h.end));
        // Drop cues inside a longer cue ("warned" inside "warned against").
        let mut out: Vec<CueHit> = Vec::new();
        for h in hits {
            if !out.iter().any(|o| o.start <= h.start && h.end <= o.end) {
                out.push(h);
            }
        }
        out
    }
}

/// An entity mention inside one sentence (byte offsets relative to the sentence).
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    pub label: String,
    pub start: usize,
    pub end: usize,
}

/// Why a mention was chosen as the stance holder.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Attribution {
    pub mention: usize,
    pub cue: String,
    pub cue_kind: CueKind,
    /// Held as the subject of a reported clause (`Grammar::complement`), not as a speaker or
    /// a cue's subject
    pub complement: bool,
}

/// Byte ranges inside quotation marks (“…”, «…», „…“, "…").
fn quoted_ranges(s: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, char)> = None;
    for (i, c) in s.char_indices() {
        match (open, c) {
            (None, '“' | '«' | '„' | '"' | '‘') => open = Some((i, c)),
            (Some((st, o)), _) if matches!((o, c), ('“', '”') | ('«', '»') | ('„', '“') | ('„', '”') | ('"', '"') | ('‘', '’')) => {
                out.push((st, i + c.len_utf8()));
                open = None;
            }
            _ => {}
        }
    }
    out
}

/// Whether a mention lies inside one of the quoted ranges.
fn in_quotes(quotes: &[(usize, usize)], m: &Mention) -> bool {
    quotes.iter().any(|&(a, b)| m.start >= a && m.end <= b)
}

/// Holder preference: people first, then organisations and places alike (the tagger often calls
/// a country or a government either: "САЩ призовават ЕС" is the USA's call whatever the tags).
fn rank(label: &str) -> Option<usize> {
    match label {
        "PER" => Some(0),
        "ORG" | "LOC" => Some(1),
        _ => None,
    }
}

/// Coordinating words that join the subjects of one verb ("A, B and C signed").
const CONJUNCTIONS: &[&str] = &["and", "et", "und", "і", "й", "та", "и", "y", "e", "i", "oraz", "as", "well"];

/// Words that open a subordinate clause: a mention after one is not a co-subject
/// ("Merz said in Berlin that Germany could join").
const SUBORDINATORS: &[&str] = &["that", "who", "which", "que", "qu'", "qui", "dass", "що", "який", "яка", "что", "который", "которая", "że", "który", "która", "che", "cui"];

/// Whether `between` (text between two mentions) only joins them: a comma or a conjunction,
/// at most five words (titles such as "le président ukrainien" may sit in between), no
/// sentence punctuation, no quotes, no verb-like clause break (";", ":").
fn coordinated(between: &str, g: &Grammar) -> bool {
    let words: Vec<String> = between.split_whitespace().map(|w| w.trim_matches(',').to_lowercase()).collect();
    // Conjunctions may be phrases ("as well as", "ainsi que"): matched on whole words, then
    // taken out so that their own words ("que") do not read as a subordinate clause.
    let mut rest = format!(" {} ", words.join(" "));
    // Arabic and Hebrew write "and" as a prefix of the next word ("والرئيس", "וראש").
    let mut joins = between.contains(',') || words.iter().any(|w| w.chars().count() > 2 && (w.starts_with('و') || w.starts_with('ו')));
    for c in CONJUNCTIONS.iter().copied().chain(g.conjunctions.iter().map(String::as_str)) {
        let pat = format!(" {c} ");
        if rest.contains(&pat) {
            joins = true;
            rest = rest.replace(&pat, " ");
        }
    }
    let subordinate = rest.split_whitespace().any(|w| g.is_subordinator(w));
    joins && !subordinate && words.len() <= 5 && !between.contains(['.', ';', ':', '“', '”', '«', '»', '"', '„'])
}

/// Whether the text between a mention (ending at `a`) and a cue (starting at `b`) keeps them in
/// one clause: no sentence punctuation, and quotation marks only as complete quoted inserts
/// ("Mr. Trump “strongly” backs"), never a quote opened or closed across them.
fn same_clause(sentence: &str, quotes: &[(usize, usize)], a: usize, b: usize) -> bool {
    let between = &sentence[a..b];
    if between.contains(['.', ';']) {
        return false;
    }
    between.char_indices().all(|(i, c)| {
        let at = a + i;
        !matches!(c, '“' | '”' | '«' | '»' | '"' | '„' | '‘' | '’') || quotes.iter().any(|&(qs, qe)| qs >= a && qe <= b && at >= qs && at < qe)
    })
}

/// Mentions after `k` coordinated with it, of its type, outside quotes ("Starmer, Macron and
/// Zelensky" from "Starmer").
pub fn followers(sentence: &str, mentions: &[Mention], k: usize, g: &Grammar) -> Vec<usize> {
    let quotes = quoted_ranges(sentence);
    let mut out = Vec::new();
    let mut tail = k;
    while let Some(j) = mentions
        .iter()
        .enumerate()
        .filter(|(_, m)| m.start >= mentions[tail].end && m.label == mentions[k].label && !in_quotes(&quotes, m))
        .min_by_key(|(_, m)| m.start)
        .map(|(j, _)| j)
    {
        if !coordinated(&sentence[mentions[tail].end..mentions[j].start], g) {
            break;
        }
        out.push(j);
        tail = j;
    }
    out
}

/// The mentions that hold the stance of `sentence`. Each stance cue ("welcomed", "rejected")
/// takes the nearest PER (else the nearest ORG or LOC) outside quotation marks before the cue in the
/// same clause ("Macron welcomed"), within 80 characters; reporting cues may also take one right
/// after them ("said Macron", "a déclaré M. Macron");
/// subjects coordinated with that holder ("Starmer, Macron and Zelensky signed") share the
/// cue. A stance cue with no candidate before it in its clause takes one after it: any type
/// after a passive agent word ("signed by Starmer, Macron and Zelensky", "podpisana przez"),
/// else a person within 40 characters ("Deklarację podpisali w środę Keir Starmer, ..."), with
/// the names coordinated with it. Reporting cues ("said", "a déclaré", "заявил") name the
/// holder only when no stance cue found one: "Kushner said Trump backs it" is Trump's stance,
/// not Kushner's.
pub fn attribute_all(sentence: &str, mentions: &[Mention], cues: &[CueHit], g: &Grammar) -> Vec<Attribution> {
    const MAX_GAP: usize = 80;
    let quotes = quoted_ranges(sentence);
    let outside = |m: &Mention| !in_quotes(&quotes, m);
    // Stance cues look back for their subject only ("support Ukraine" names an object);
    // reporting cues also look ahead ("said Macron", "a déclaré M. Macron", "заявил Путин").
    let nearest = |cue: &CueHit| -> Option<usize> {
        let mut best: Option<(usize, usize, usize)> = None; // (rank, gap, index)
        for (i, m) in mentions.iter().enumerate() {
            let Some(r) = rank(&m.label) else { continue };
            if !outside(m) {
                continue;
            }
            // Gaps in characters, so that Cyrillic and Latin sentences are treated alike.
            let gap = if m.end <= cue.start {
                if !same_clause(sentence, &quotes, m.end, cue.start) || g.after_preposition(sentence, m.start) {
                    continue;
                }
                sentence[m.end..cue.start].chars().count()
            } else if m.start >= cue.end && cue.kind == CueKind::Speech {
                sentence[cue.end..m.start].chars().count()
            } else {
                continue;
            };
            if gap <= MAX_GAP && best.is_none_or(|(br, bg, _)| (r, gap) < (br, bg)) {
                best = Some((r, gap, i));
            }
        }
        best.map(|b| b.2)
    };
    // A stance cue's holder after it: after an agent word, or a person close by (verb-first
    // clauses), never across a subordinate clause.
    let after = |cue: &CueHit| -> Option<usize> {
        mentions
            .iter()
            .enumerate()
            .filter(|(_, m)| m.start >= cue.end && rank(&m.label).is_some() && outside(m) && same_clause(sentence, &quotes, cue.end, m.start))
            .min_by_key(|(_, m)| m.start)
            .filter(|(_, m)| {
                let between = &sentence[cue.end..m.start];
                let words: Vec<String> = between.split_whitespace().map(|w| w.trim_matches(',').to_lowercase()).collect();
                let gap = between.chars().count();
                let agent = words.iter().any(|w| g.agents.contains(w));
                !words.iter().any(|w| g.is_subordinator(w)) && !between.contains(',') && gap <= MAX_GAP && (agent || m.label == "PER" && gap <= 40)
            })
            .map(|(i, _)| i)
    };
    let mut out: Vec<Attribution> = Vec::new();
    let push = |out: &mut Vec<Attribution>, i: usize, cue: &CueHit| {
        if !out.iter().any(|a| a.mention == i) {
            out.push(Attribution { mention: i, cue: cue.cue.clone(), cue_kind: cue.kind, complement: false });
        }
    };
    for cue in cues.iter().filter(|c| c.kind != CueKind::Speech) {
        let Some(i) = nearest(cue) else {
            if let Some(i) = after(cue).filter(|_| g.after_cue) {
                push(&mut out, i, cue);
                for j in followers(sentence, mentions, i, g) {
                    push(&mut out, j, cue);
                }
            }
            continue;
        };
        push(&mut out, i, cue);
        for j in coordinated_before(sentence, &quotes, mentions, cues, i, cue, g) {
            push(&mut out, j, cue);
        }
        // "Starmer podpisał w środę w Paryżu wraz z Emmanuelem Macronem i Wołodymyrem
        // Zełenskim", "firmó junto a Emmanuel Macron y Keir Starmer": the people a favour cue
        // names right after it, in its clause, act with its subject.
        if g.cue_partners && cue.kind == CueKind::Favour {
            let partner = mentions
                .iter()
                .enumerate()
                .filter(|(_, m)| m.label == "PER" && m.start >= cue.end && outside(m) && same_clause(sentence, &quotes, cue.end, m.start))
                .min_by_key(|(_, m)| m.start)
                .filter(|(_, m)| {
                    let between = &sentence[cue.end..m.start];
                    between.chars().count() <= 40 && !between.contains(',') && !between.split_whitespace().any(|w| g.is_subordinator(&w.to_lowercase()))
                })
                .map(|(j, _)| j);
            if let Some(j) = partner {
                push(&mut out, j, cue);
                for k in followers(sentence, mentions, j, g) {
                    push(&mut out, k, cue);
                }
            }
        }
    }
    if !out.is_empty() && g.speaker_shares {
        // "Witkoff assured that Trump strongly backs the guarantees": the person reporting a
        // stance holds it too (an envoy, a spokesman, a minister speaking for a government),
        // and so do the people coordinated with them ("Witkoff i Kushner zapewnili, że ...").
        for cue in cues.iter().filter(|c| c.kind == CueKind::Speech) {
            if let Some(i) = nearest(cue).filter(|&i| mentions[i].label == "PER") {
                push(&mut out, i, cue);
                if g.complement {
                    for j in coordinated_before(sentence, &quotes, mentions, cues, i, cue, g) {
                        push(&mut out, j, cue);
                    }
                }
            }
        }
    }
    if out.is_empty() {
        for cue in cues.iter().filter(|c| c.kind == CueKind::Speech) {
            if let Some(i) = nearest(cue) {
                push(&mut out, i, cue);
                // "Латвия, Литва и Полша се обявиха срещу": the reporting verb's subjects.
                for j in coordinated_before(sentence, &quotes, mentions, cues, i, cue, g) {
                    push(&mut out, j, cue);
                }
                // "Kosiniak-Kamysz zapewnił, że Polska osiągnie cel": a person reporting what
                // their country or party will do speaks for it.
                if g.complement && mentions[i].label == "PER" {
                    if let Some(j) = complement_subject(sentence, &quotes, mentions, cue, i, g) {
                        for k in std::iter::once(j).chain(followers(sentence, mentions, j, g)) {
                            if !out.iter().any(|a| a.mention == k) {
                                out.push(Attribution { mention: k, cue: cue.cue.clone(), cue_kind: cue.kind, complement: true });
                            }
                        }
                    }
                }
                if !g.all_speakers {
                    break;
                }
            }
        }
    }
    out
}

/// The subject of the clause a reporting cue introduces: the first organisation or place
/// after the cue (and after its speaker `speaker` when that follows the cue), with at most
/// five words between, among them a subordinator or a comma ("said on Tuesday that Britain",
/// "erklärte, Schweden werde", "заяви, че Румъния"), no other name, no quote opened, and no
/// preposition right before it.
fn complement_subject(sentence: &str, quotes: &[(usize, usize)], mentions: &[Mention], cue: &CueHit, speaker: usize, g: &Grammar) -> Option<usize> {
    let from = if mentions[speaker].start >= cue.end { mentions[speaker].end } else { cue.end };
    let (j, m) = mentions.iter().enumerate().filter(|(_, m)| m.start >= from).min_by_key(|(_, m)| m.start)?;
    if !matches!(m.label.as_str(), "ORG" | "LOC") || in_quotes(quotes, m) || g.after_preposition(sentence, m.start) {
        return None;
    }
    let between = &sentence[from..m.start];
    let words: Vec<String> = between.split_whitespace().map(|w| w.trim_matches(',').to_lowercase()).collect();
    let opens = between.contains(',') || words.iter().any(|w| g.is_subordinator(w));
    (opens && words.len() <= 5 && !between.contains(['.', ';', ':', '“', '”', '«', '»', '"', '„'])).then_some(j)
}

/// Byte ranges of the coordinated main clauses of `sentence`: it is cut after "; " and after a
/// comma followed by a conjunction of the language (", and", ", a", ", y"), never inside quotes.
pub fn clauses(sentence: &str, g: &Grammar) -> Vec<(usize, usize)> {
    let quotes = quoted_ranges(sentence);
    // (end of a clause, start of the next)
    let mut cuts = vec![(0, 0)];
    for (i, c) in sentence.char_indices() {
        if quotes.iter().any(|&(a, b)| i > a && i < b) {
            continue;
        }
        let rest = &sentence[i + c.len_utf8()..];
        let next = rest.trim_start();
        let word: String = next.chars().take_while(|ch| ch.is_alphabetic()).collect::<String>().to_lowercase();
        let conj = !word.is_empty() && (CONJUNCTIONS.contains(&word.as_str()) || g.conjunctions.iter().any(|w| *w == word));
        if c == ';' || (c == ',' && conj) {
            let start = sentence.len() - next.len() + if c == ',' { word.len() } else { 0 };
            cuts.push((i + c.len_utf8(), start));
        }
    }
    cuts.push((sentence.len(), sentence.len()));
    cuts.windows(2).map(|w| (w[0].1, w[1].0)).filter(|(a, b)| b > a).collect()
}

/// Subjects coordinated with the holder `i` before it, of its kind of entity, when `i` stands
/// before its cue ("Starmer, Macron and Zelensky signed" from "Zelensky"), nearest first.
fn coordinated_before(sentence: &str, quotes: &[(usize, usize)], mentions: &[Mention], cues: &[CueHit], i: usize, cue: &CueHit, g: &Grammar) -> Vec<usize> {
    let mut out = Vec::new();
    if mentions[i].end > cue.start {
        return out;
    }
    let mut head = i;
    while let Some(j) = mentions
        .iter()
        .enumerate()
        .filter(|(_, m)| m.end <= mentions[head].start && m.label == mentions[i].label && !in_quotes(quotes, m))
        .max_by_key(|(_, m)| m.end)
        .map(|(j, _)| j)
    {
        let (a, b) = (mentions[j].end, mentions[head].start);
        // "Kushner sagte, Trump unterstützt": a cue in between starts another clause.
        if !coordinated(&sentence[a..b], g) || cues.iter().any(|c| c.start >= a && c.end <= b) {
            break;
        }
        out.push(j);
        head = j;
    }
    out
}

/// The sentence's subject as a fallback holder: its first person outside quotation marks, else
/// its first organisation or place (news sentences in the languages pactwatch
/// reads mostly open with their subject).
pub fn subject(sentence: &str, mentions: &[Mention], g: &Grammar) -> Option<usize> {
    let quotes = quoted_ranges(sentence);
    let outside = |m: &Mention| !in_quotes(&quotes, m);
    mentions
        .iter()
        .enumerate()
        .filter(|(_, m)| outside(m) && !g.after_preposition(sentence, m.start))
        .filter_map(|(i, m)| rank(&m.label).map(|r| (r, m.start, i)))
        .min()
        .map(|(_, _, i)| i)
}

/// Organisations and places in apposition to a person holding a stance, who share it: "Dmitri
/// Peskov, porte-parole du Kremlin", "Mathilde Panot, présidente du groupe LFI", "Kremlin
/// spokesman Dmitry Peskov", "France's Macron". After the person: a comma or bracket opens at
/// most five words, no sentence punctuation or quotes; before: at most three words, no comma.
pub fn affiliated(sentence: &str, mentions: &[Mention], holder: usize, g: &Grammar) -> Vec<usize> {
    let h = &mentions[holder];
    if h.label != "PER" {
        return Vec::new();
    }
    let quotes = quoted_ranges(sentence);
    let clean = |t: &str| !t.contains(['.', ';', ':', '“', '”', '«', '»', '"', '„']);
    mentions
        .iter()
        .enumerate()
        .filter(|(i, m)| *i != holder && matches!(m.label.as_str(), "ORG" | "LOC") && !in_quotes(&quotes, m))
        .filter(|(_, m)| {
            if m.start >= h.end {
                let between = &sentence[h.end..m.start];
                let t = between.trim_start();
                (t.starts_with(',') || t.starts_with('(')) && between.split_whitespace().count() <= 5 && clean(between) && between.matches(',').count() == 1
            } else if m.end <= h.start {
                // "Premier Danii Mette Frederiksen", but not "in Parijs verklaarde dat president Trump".
                let between = &sentence[m.end..h.start];
                between.split_whitespace().count() <= 3 && clean(between) && !between.contains(',') && !g.after_preposition(sentence, m.start)
            } else {
                false
            }
        })
        .map(|(i, _)| i)
        .collect()
}

/// The first holder of `attribute_all` (the sentence's main stance holder).
pub fn attribute(sentence: &str, mentions: &[Mention], cues: &[CueHit], g: &Grammar) -> Option<Attribution> {
    attribute_all(sentence, mentions, cues, g).into_iter().next()
}

/// Titles dropped before comparing names.
const TITLES: &[&str] = &["mr", "mr.", "mrs", "ms", "dr", "sir", "m.", "mme", "herr", "frau", "pan", "pani", "sr.", "sig."];

fn name_tokens(s: &str) -> Vec<String> {
    s.split(|c: char| c.is_whitespace())
        .map(|t| t.to_lowercase())
        .filter(|t| !t.is_empty() && !TITLES.contains(&t.as_str()))
        .collect()
}

/// Group a document's mentions into actors: identical names (case-insensitive, titles
/// dropped) are one actor, and a person's surname alone ("Macron", "Mr. Macron") joins the
/// longest full name ending in it ("Emmanuel Macron"). Names in different scripts stay apart.
/// Returns, for each mention, the index of its actor's canonical mention.
pub fn merge_mentions(mentions: &[(String, String)]) -> Vec<usize> {
    // Distinct (label, name tokens), each represented by its first mention; a name can only
    // join another that ends with the same token, so candidates are grouped by (label, last
    // token): linear in the mentions, quadratic only in distinct names sharing a surname.
    let toks: Vec<Vec<String>> = mentions.iter().map(|(_, text)| name_tokens(text)).collect();
    let mut first: HashMap<(&str, &[String]), usize> = HashMap::new();
    let mut groups: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for (i, (label, _)) in mentions.iter().enumerate() {
        if first.contains_key(&(label.as_str(), toks[i].as_slice())) {
            continue;
        }
        first.insert((label.as_str(), toks[i].as_slice()), i);
        if let Some(last) = toks[i].last() {
            groups.entry((label.as_str(), last.as_str())).or_default().push(i);
        }
    }
    let best_of = |i: usize| -> usize {
        let label = mentions[i].0.as_str();
        let Some(last) = toks[i].last() else { return i };
        let mut best = i;
        for &j in &groups[&(label, last.as_str())] {
            let joins = label == "PER" && toks[j].len() > toks[i].len() && toks[j].ends_with(&toks[i]);
            let longer = toks[j].len() > toks[best].len() || (toks[j].len() == toks[best].len() && j < best);
            if joins && longer {
                best = j;
            }
        }
        best
    };
    (0..mentions.len())
        .map(|i| if toks[i].is_empty() { i } else { best_of(first[&(mentions[i].0.as_str(), toks[i].as_slice())]) })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organisations_in_apposition_share_the_holder() {
        let s = "Dmitri Peskov, porte-parole du Kremlin, a jugé que la France et Kiev se trompent.";
        let m = |label: &str, t: &str| Mention { label: label.into(), start: s.find(t).unwrap(), end: s.find(t).unwrap() + t.len() };
        let ms = vec![m("PER", "Dmitri Peskov"), m("ORG", "Kremlin"), m("LOC", "France"), m("LOC", "Kiev")];
        assert_eq!(affiliated(s, &ms, 0, &Grammar::default()), vec![1]);
        let s2 = "Kremlin spokesman Dmitry Peskov said Britain would regret it.";
        let m2 = |label: &str, t: &str| Mention { label: label.into(), start: s2.find(t).unwrap(), end: s2.find(t).unwrap() + t.len() };
        assert_eq!(affiliated(s2, &[m2("ORG", "Kremlin"), m2("PER", "Dmitry Peskov"), m2("LOC", "Britain")], 1, &Grammar::default()), vec![0]);
        assert!(affiliated(s2, &[m2("ORG", "Kremlin"), m2("PER", "Dmitry Peskov")], 0, &Grammar::default()).is_empty());
        // A place after a preposition is where someone spoke, not whom they speak for.
        let s3 = "Kushner verklaarde in Parijs dat president Trump steunt.";
        let ms = mentions(s3, &[("LOC", "Parijs"), ("PER", "Trump")]);
        assert_eq!(affiliated(s3, &ms, 1, &Grammar::default()), vec![0]);
        assert!(affiliated(s3, &ms, 1, &lexicon().grammar("nl")).is_empty());
    }

    #[test]
    fn subject_is_the_first_person_outside_quotes() {
        let s = "“Britain and Macron are reckless,” Zakharova told reporters in Moscow.";
        let m = |label: &str, t: &str| Mention { label: label.into(), start: s.find(t).unwrap(), end: s.find(t).unwrap() + t.len() };
        let ms = vec![m("LOC", "Britain"), m("PER", "Macron"), m("PER", "Zakharova"), m("LOC", "Moscow")];
        assert_eq!(subject(s, &ms, &Grammar::default()), Some(2));
        assert_eq!(subject(s, &[m("LOC", "Britain"), m("LOC", "Moscow")], &Grammar::default()), Some(1));
        assert_eq!(subject(s, &[], &Grammar::default()), None);
    }

    fn lexicon() -> Lexicon {
        Lexicon::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("lexicons/cues.toml")).unwrap()
    }

    /// Mentions given as (label, text) found in order in the sentence.
    fn mentions(s: &str, names: &[(&str, &str)]) -> Vec<Mention> {
        let mut from = 0;
        names
            .iter()
            .map(|(l, n)| {
                let i = from + s[from..].find(n).unwrap_or_else(|| panic!("{n} in {s}"));
                from = i + n.len();
                Mention { label: l.to_string(), start: i, end: i + n.len() }
            })
            .collect()
    }

    fn holder(lang: &str, s: &str, names: &[(&str, &str)]) -> Option<(String, CueKind)> {
        let lex = lexicon();
        let ms = mentions(s, names);
        let a = attribute(s, &ms, &lex.find(lang, s), &lex.grammar(lang))?;
        Some((s[ms[a.mention].start..ms[a.mention].end].to_string(), a.cue_kind))
    }

    #[test]
    fn attribution_per_language() {
        use CueKind::*;
        let cases: &[(&str, &str, &[(&str, &str)], Option<(&str, CueKind)>)] = &[
            ("en", "Zelensky welcomed the deal but said it does not go far enough yet.", &[("PER", "Zelensky")], Some(("Zelensky", Favour))),
            ("en", "“It is a historic step,” said Keir Starmer in Paris.", &[("PER", "Keir Starmer"), ("LOC", "Paris")], Some(("Keir Starmer", Speech))),
            ("en", "The Kremlin rejected the plan within hours.", &[("ORG", "Kremlin")], Some(("Kremlin", Against))),
            ("en", "Putin has repeatedly opposed any foreign military presence in Ukraine.", &[("PER", "Putin"), ("LOC", "Ukraine")], Some(("Putin", Against))),
            ("en", "Troops would be based in Ukraine.", &[("LOC", "Ukraine")], None),
            ("fr", "« C'est un pas historique », a déclaré Emmanuel Macron.", &[("PER", "Emmanuel Macron")], Some(("Emmanuel Macron", Speech))),
            ("fr", "Le Kremlin a rejeté la déclaration de Paris.", &[("ORG", "Kremlin"), ("LOC", "Paris")], Some(("Kremlin", Against))),
            ("de", "Bundeskanzler Friedrich Merz begrüßte die Erklärung.", &[("PER", "Friedrich Merz")], Some(("Friedrich Merz", Favour))),
            ("de", "Moskau wies die Pläne zurück.", &[("LOC", "Moskau")], None), // separable verb: "wies ... zurück" not contiguous
            ("uk", "Зеленський привітав угоду, але заявив, що її недостатньо.", &[("PER", "Зеленський")], Some(("Зеленський", Favour))),
            ("ru", "Путин выступает против любых иностранных войск на Украине.", &[("PER", "Путин"), ("LOC", "Украине")], Some(("Путин", Against))),
            ("ru", "«Это провокация», — заявил Дмитрий Песков.", &[("PER", "Дмитрий Песков")], Some(("Дмитрий Песков", Speech))),
            ("es", "Pedro Sánchez respaldó la Declaración de París.", &[("PER", "Pedro Sánchez"), ("MISC", "Declaración de París")], Some(("Pedro Sánchez", Favour))),
            ("it", "Giorgia Meloni ha accolto con favore l'accordo.", &[("PER", "Giorgia Meloni")], Some(("Giorgia Meloni", Favour))),
            ("pl", "Donald Tusk poparł deklarację paryską.", &[("PER", "Donald Tusk")], Some(("Donald Tusk", Favour))),
            ("pl", "Kreml odrzucił deklarację, a Moskwa milczy.", &[("ORG", "Kreml"), ("LOC", "Moskwa")], Some(("Kreml", Against))),
        ];
        for (lang, s, names, want) in cases {
            let got = holder(lang, s, names);
            let want = want.map(|(n, k)| (n.to_string(), k));
            assert_eq!(got, want, "{lang}: {s}");
        }
    }

    #[test]
    fn names_inside_quotes_do_not_hold_the_stance() {
        let s = "“Putin will not stop,” Starmer warned.";
        assert_eq!(holder("en", s, &[("PER", "Putin"), ("PER", "Starmer")]), Some(("Starmer".into(), CueKind::Speech)));
    }

    #[test]
    fn surnames_join_full_names() {
        let m: Vec<(String, String)> = [("PER", "Emmanuel Macron"), ("PER", "Macron"), ("PER", "Mr. Macron"), ("PER", "Keir Starmer"),
            ("PER", "Starmer"), ("ORG", "NATO"), ("ORG", "Nato"), ("PER", "Макрон"), ("LOC", "Paris")]
            .iter().map(|(l, t)| (l.to_string(), t.to_string())).collect();
        assert_eq!(merge_mentions(&m), vec![0, 0, 0, 3, 3, 5, 5, 7, 8]);
    }

    fn holders(lang: &str, s: &str, names: &[(&str, &str)]) -> Vec<String> {
        let ms = mentions(s, names);
        let lex = lexicon();
        let mut v: Vec<String> = attribute_all(s, &ms, &lex.find(lang, s), &lex.grammar(lang)).iter().map(|a| s[ms[a.mention].start..ms[a.mention].end].to_string()).collect();
        v.sort();
        v
    }

    #[test]
    fn coordinated_subjects_share_the_cue_in_every_language() {
        let cases: &[(&str, &str, &[(&str, &str)])] = &[
            ("en", "Keir Starmer, Emmanuel Macron and Volodymyr Zelensky signed the declaration.", &[("PER", "Keir Starmer"), ("PER", "Emmanuel Macron"), ("PER", "Volodymyr Zelensky")]),
            ("fr", "Keir Starmer, le président Emmanuel Macron et Volodymyr Zelensky ont signé la déclaration.", &[("PER", "Keir Starmer"), ("PER", "Emmanuel Macron"), ("PER", "Volodymyr Zelensky")]),
            ("de", "Keir Starmer, Emmanuel Macron und Wolodymyr Selenskyj unterzeichneten die Erklärung.", &[("PER", "Keir Starmer"), ("PER", "Emmanuel Macron"), ("PER", "Wolodymyr Selenskyj")]),
            ("uk", "Кір Стармер, Еммануель Макрон і Володимир Зеленський підписали декларацію.", &[("PER", "Кір Стармер"), ("PER", "Еммануель Макрон"), ("PER", "Володимир Зеленський")]),
            ("ru", "Кир Стармер, Эммануэль Макрон и Владимир Зеленский подписали декларацию.", &[("PER", "Кир Стармер"), ("PER", "Эммануэль Макрон"), ("PER", "Владимир Зеленский")]),
            ("es", "Keir Starmer, Emmanuel Macron y Volodímir Zelenski firmaron la declaración.", &[("PER", "Keir Starmer"), ("PER", "Emmanuel Macron"), ("PER", "Volodímir Zelenski")]),
            ("it", "Keir Starmer, Emmanuel Macron e Volodymyr Zelensky hanno firmato la dichiarazione.", &[("PER", "Keir Starmer"), ("PER", "Emmanuel Macron"), ("PER", "Volodymyr Zelensky")]),
            ("pl", "Keir Starmer, Emmanuel Macron i Wołodymyr Zełenski podpisali deklarację.", &[("PER", "Keir Starmer"), ("PER", "Emmanuel Macron"), ("PER", "Wołodymyr Zełenski")]),
        ];
        for (lang, s, names) in cases {
            let mut want: Vec<String> = names.iter().map(|n| n.1.to_string()).collect();
            want.sort();
            assert_eq!(holders(lang, s, names), want, "{lang}: {s}");
        }
        // A subordinate clause is not coordination, and a gap counts characters, not bytes.
        let s = "Канцлер Німеччини Фрідріх Мерц повідомив у Берліні, що Німеччина незабаром може приєднатися до ініціативи.";
        assert_eq!(holders("uk", s, &[("PER", "Фрідріх Мерц"), ("LOC", "Берліні"), ("LOC", "Німеччина")]), vec!["Фрідріх Мерц"]);
        let s = "Канцлер ФРГ Фридрих Мерц заявил в Берлине, что Германия вскоре может присоединиться к инициативе.";
        assert_eq!(holders("ru", s, &[("PER", "Фридрих Мерц"), ("LOC", "Берлине"), ("LOC", "Германия")]), vec!["Фридрих Мерц"]);
        // A clause break is not coordination.
        assert_eq!(holders("en", "Putin spoke to reporters; Macron welcomed the deal.", &[("PER", "Putin"), ("PER", "Macron")]), vec!["Macron"]);
    }

    #[test]
    fn a_quoted_insert_does_not_separate_subject_and_verb() {
        let s = "Jared Kushner said Mr. Trump “strongly” backs the guarantees.";
        assert_eq!(holders("en", s, &[("PER", "Jared Kushner"), ("PER", "Mr. Trump")]), vec!["Mr. Trump"]);
        // ... but a quote that opens before the verb and closes after it does.
        let s = "Putin said “Macron supports war”.";
        assert_eq!(holders("en", s, &[("PER", "Putin"), ("PER", "Macron")]), vec!["Putin"]);
    }

    #[test]
    fn every_stance_cue_names_its_holder_and_speech_only_without_one() {
        let s = "Der Kreml lehnte ab: Wladimir Putin verurteilte den Plan.";
        assert_eq!(holders("de", s, &[("ORG", "Kreml"), ("PER", "Wladimir Putin")]), vec!["Kreml", "Wladimir Putin"]);
        let s = "Kushner sagte, Trump unterstützt die Garantien.";
        assert_eq!(holders("de", s, &[("PER", "Kushner"), ("PER", "Trump")]), vec!["Trump"]);
    }

    #[test]
    fn every_speaker_of_a_sentence_holds_it_when_asked() {
        let s = "Tice said the plan was reckless, while Ed Davey said ministers should go further.";
        let ms = mentions(s, &[("PER", "Tice"), ("PER", "Ed Davey")]);
        let lex = lexicon();
        let mut g = lex.grammar("en");
        let got = |g: &Grammar| -> Vec<usize> { attribute_all(s, &ms, &lex.find("en", s), g).iter().map(|a| a.mention).collect() };
        assert_eq!(got(&g), [0]);
        g.all_speakers = true;
        assert_eq!(got(&g), [0, 1]);
    }

    #[test]
    fn people_a_favour_cue_names_after_it_act_with_its_subject_when_asked() {
        let s = "Deklaracja, którą Starmer podpisał w środę w Paryżu wraz z Emmanuelem Macronem i Wołodymyrem Zełenskim, nie określa liczby żołnierzy.";
        let ms = mentions(s, &[("PER", "Starmer"), ("LOC", "Paryżu"), ("PER", "Emmanuelem Macronem"), ("PER", "Wołodymyrem Zełenskim")]);
        let lex = lexicon();
        let mut g = lex.grammar("pl");
        let got = |g: &Grammar| -> Vec<usize> { attribute_all(s, &ms, &lex.find("pl", s), g).iter().map(|a| a.mention).collect() };
        assert_eq!(got(&g), [0]);
        g.cue_partners = true;
        assert_eq!(got(&g), [0, 2, 3]);
        // Not after an against cue: "Orbán rejected Macron's plan" is not Macron's stance.
        let s = "Orbán rejected Macron's plan.";
        let ms = mentions(s, &[("PER", "Orbán"), ("PER", "Macron")]);
        assert_eq!(attribute_all(s, &ms, &lex.find("en", s), &g).iter().map(|a| a.mention).collect::<Vec<_>>(), [0]);
    }

    #[test]
    fn sentences_split_into_coordinated_clauses() {
        let g = lexicon().grammar("en");
        let s = "France rejected it, and Copa-Cogeca said the deal hurts farmers; Ireland agreed.";
        let parts: Vec<&str> = clauses(s, &g).into_iter().map(|(a, b)| s[a..b].trim()).collect();
        assert_eq!(parts, ["France rejected it,", "Copa-Cogeca said the deal hurts farmers;", "Ireland agreed."]);
        // Names joined by "and" are no clauses; quotes are not cut.
        let s = "Britain and France signed “the pact, and the force”.";
        assert_eq!(clauses(s, &g).len(), 1);
    }

    #[test]
    fn speakers_share_the_stance_they_report_when_asked() {
        let s = "Kushner sagte, Trump unterstützt die Garantien.";
        let ms = mentions(s, &[("PER", "Kushner"), ("PER", "Trump")]);
        let lex = lexicon();
        let mut g = lex.grammar("de");
        g.speaker_shares = true;
        let mut got: Vec<&str> = attribute_all(s, &ms, &lex.find("de", s), &g).iter().map(|a| &s[ms[a.mention].start..ms[a.mention].end]).collect();
        got.sort();
        assert_eq!(got, ["Kushner", "Trump"]);
    }

    #[test]
    fn organisations_and_places_rank_alike_and_arabic_and_is_a_prefix() {
        // The first of an organisation and a place is the subject, whatever the tags.
        let s = "САЩ призовават ЕС да спре проекта.";
        assert_eq!(subject(s, &mentions(s, &[("LOC", "САЩ"), ("ORG", "ЕС")]), &Grammar::default()), Some(0));
        // A person still comes first.
        let s = "В Москва Дмитрий Песков заяви, че Кремъл е против.";
        assert_eq!(subject(s, &mentions(s, &[("LOC", "Москва"), ("PER", "Дмитрий Песков"), ("ORG", "Кремъл")]), &Grammar::default()), Some(1));
        // Arabic "and" written onto the next word joins coordinated names.
        let s = "وقّع رئيس الوزراء البريطاني كير ستارمر والرئيس الفرنسي إيمانويل ماكرون الإعلان.";
        let ms = mentions(s, &[("PER", "كير ستارمر"), ("PER", "إيمانويل ماكرون")]);
        let g = lexicon().grammar("ar");
        assert_eq!(followers(s, &ms, 0, &g), vec![1]);
    }

    #[test]
    fn a_cue_without_a_subject_before_it_takes_the_agent_or_a_person_after_it() {
        // Passive with an agent word: every coordinated signatory holds the cue.
        let s = "La déclaration a été signée par Keir Starmer, Emmanuel Macron et Volodymyr Zelensky.";
        let names = [("PER", "Keir Starmer"), ("PER", "Emmanuel Macron"), ("PER", "Volodymyr Zelensky")];
        assert_eq!(holders("fr", s, &names), ["Emmanuel Macron", "Keir Starmer", "Volodymyr Zelensky"]);
        // Verb first (Polish word order): a person right after the cue.
        let s = "Deklarację podpisali w środę Keir Starmer i Emmanuel Macron.";
        assert_eq!(holders("pl", s, &[("PER", "Keir Starmer"), ("PER", "Emmanuel Macron")]), ["Emmanuel Macron", "Keir Starmer"]);
        // ... but a place after a stance verb is its object, not its holder.
        assert!(holders("en", "Support Ukraine, the banner read.", &[("LOC", "Ukraine")]).is_empty());
        // A subject before the cue still wins over names after it.
        let s = "Viktor Orbán rejected the plan backed by Keir Starmer.";
        assert_eq!(holders("en", s, &[("PER", "Viktor Orbán"), ("PER", "Keir Starmer")]), ["Viktor Orbán"]);
    }

    #[test]
    fn followers_are_the_names_coordinated_with_a_subject() {
        let s = "Auch Litauen und Lettland signalisierten Unterstützung.";
        let ms = mentions(s, &[("LOC", "Litauen"), ("LOC", "Lettland")]);
        let g = lexicon().grammar("de");
        assert_eq!(followers(s, &ms, 0, &g), vec![1]);
        // Language conjunctions come from the lexicon (Dutch "en", Romanian "și").
        let s = "Ook VVD, CDA en JA21 staan achter de afspraak.";
        let ms = mentions(s, &[("ORG", "VVD"), ("ORG", "CDA"), ("ORG", "JA21")]);
        assert_eq!(followers(s, &ms, 0, &lexicon().grammar("nl")), vec![1, 2]);
        let s = "Franța și Polonia au votat împotrivă.";
        let ms = mentions(s, &[("LOC", "Franța"), ("LOC", "Polonia")]);
        assert_eq!(followers(s, &ms, 0, &lexicon().grammar("ro")), vec![1]);
    }

    #[test]
    fn names_after_a_preposition_are_not_subjects() {
        let lex = lexicon();
        // "V Rade EÚ hlasovali proti": the Council is where, not who.
        let s = "V Rade EÚ hlasovali proti nej Francúzsko a Poľsko.";
        let ms = mentions(s, &[("ORG", "Rade EÚ"), ("LOC", "Francúzsko"), ("LOC", "Poľsko")]);
        let g = lex.grammar("sk");
        assert!(g.after_preposition(s, ms[0].start));
        assert!(attribute_all(s, &ms, &lex.find("sk", s), &g).iter().all(|a| a.mention != 0));
        let mut off = g.clone();
        off.prepositions.clear();
        assert_eq!(attribute_all(s, &ms, &lex.find("sk", s), &off).first().map(|a| a.mention), Some(0));
        // The fallback subject too, and an elided article's apostrophe is skipped.
        let s = "Speaking in Clacton, Nigel Farage asked who would protect them.";
        let ms = mentions(s, &[("LOC", "Clacton"), ("PER", "Nigel Farage")]);
        assert_eq!(subject(s, &ms[..1], &lex.grammar("en")), None);
        let s = "Truppe nell'Ucraina";
        assert!(lex.grammar("it").after_preposition(s, s.find("Ucraina").unwrap()));
        // Across an article, but not across a pronoun or a name.
        let s = "een door de VS geleid mechanisme";
        assert!(lex.grammar("nl").after_preposition(s, s.find("VS").unwrap()));
        let s = "hlasovali proti nej Francúzsko";
        assert!(!lex.grammar("sk").after_preposition(s, s.find("Francúzsko").unwrap()));
        let s = "Пратеникът на САЩ Стив Уиткоф заяви";
        assert!(!lex.grammar("bg").after_preposition(s, s.find("Стив").unwrap()));
    }

    #[test]
    fn a_reporting_person_speaks_for_the_subject_of_the_reported_clause() {
        let lex = lexicon();
        let s = "Minister Władysław Kosiniak-Kamysz zapewnił, że Polska osiągnie cel.";
        let ms = mentions(s, &[("PER", "Władysław Kosiniak-Kamysz"), ("LOC", "Polska")]);
        let mut g = lex.grammar("pl");
        assert_eq!(attribute_all(s, &ms, &lex.find("pl", s), &g).len(), 1);
        g.complement = true;
        let got: Vec<usize> = attribute_all(s, &ms, &lex.find("pl", s), &g).iter().map(|a| a.mention).collect();
        assert_eq!(got, [0, 1]);
        // Not a name in a prepositional phrase, nor one far into the clause.
        let s = "Peskov said that troops in Ukraine would be a target for Russia.";
        let ms = mentions(s, &[("PER", "Peskov"), ("LOC", "Ukraine"), ("LOC", "Russia")]);
        let got: Vec<usize> = attribute_all(s, &ms, &lex.find("en", s), &lexicon().grammar("en")).iter().map(|a| a.mention).collect();
        assert_eq!(got, [0]);
        // With speaker shares, the speakers coordinated with the nearest one hold it too.
        let s = "Steve Witkoff i Jared Kushner zapewnili, że Donald Trump popiera gwarancje.";
        let ms = mentions(s, &[("PER", "Steve Witkoff"), ("PER", "Jared Kushner"), ("PER", "Donald Trump")]);
        g.speaker_shares = true;
        let mut got: Vec<usize> = attribute_all(s, &ms, &lex.find("pl", s), &g).iter().map(|a| a.mention).collect();
        got.sort();
        assert_eq!(got, [0, 1, 2]);
    }

    #[test]
    fn every_language_table_has_cues_and_clause_words() {
        let lex = lexicon();
        assert!(lex.by_lang.len() >= 29, "{} languages", lex.by_lang.len());
        for (lang, c) in &lex.by_lang {
            assert!(!c.speech.is_empty() && !c.favour.is_empty() && !c.against.is_empty() && !c.conjunctions.is_empty(), "{lang}");
            for w in c.speech.iter().chain(&c.favour).chain(&c.against) {
                assert!(!w.trim().is_empty(), "{lang}: empty cue");
            }
        }
    }
}
