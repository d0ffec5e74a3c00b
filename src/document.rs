//! The annotated document: what `documents.jsonl` holds, one per input record. Field names are
//! the documented output schema (docs/commands.md, "Output schema").
use crate::stages::input::Origin;
use crate::stages::language::Language;
use crate::offsets::Span;
use crate::training::stance_data::StanceLabel;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Sentence {
    pub index: usize,
    #[serde(flatten)]
    pub span: Span,
    pub n_tokens: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Entity {
    pub text: String,
    pub label: String,
    pub score: f32,
    pub sentence: usize,
    #[serde(flatten)]
    pub span: Span,
    /// The canonical actor across the corpus (`stages::canonical`), with the stance stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canonical_id: Option<String>,
}

/// How much of the text the model saw: every non-whitespace char should be `chars_covered`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Coverage {
    /// Non-whitespace chars in the text.
    pub chars_total: usize,
    /// Non-whitespace chars inside a word that at least one model token covered.
    pub chars_covered: usize,
    pub words: usize,
    /// Words the tokenizer produced no token for (e.g. characters its normaliser removes).
    pub words_without_tokens: usize,
    pub tokens: usize,
    pub windows: usize,
    /// Sentences longer than one window, split into overlapping windows.
    pub sentences_windowed: usize,
    pub complete: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Document {
    pub id: String,
    pub source: Origin,
    pub lang: Language,
    pub metadata: serde_json::Map<String, serde_json::Value>,
    pub text: String,
    pub n_chars: usize,
    pub n_bytes: usize,
    pub sentences: Vec<Sentence>,
    pub entities: Vec<Entity>,
    pub coverage: Coverage,
    /// Stance toward each target: one document row per target, then one row per relevant
    /// sentence (empty when the stance stage is off).
    pub stances: Vec<StanceRow>,
    /// Actors holding a stance toward a target, with the sentences that show it.
    pub actors: Vec<ActorStance>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Document,
    Sentence,
}

/// Probabilities of favor / against / none.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StanceProbs {
    pub favor: f32,
    pub against: f32,
    pub none: f32,
}

impl From<crate::models::stance::Probs> for StanceProbs {
    fn from(p: crate::models::stance::Probs) -> Self {
        StanceProbs { favor: p[0], against: p[1], none: p[2] }
    }
}

/// A stance toward one target, of the whole document or of one sentence.
#[derive(Debug, Clone, Serialize)]
pub struct StanceRow {
    pub target: String,
    pub scope: Scope,
    /// Sentence index (sentence rows only).
    pub sentence: Option<usize>,
    pub label: StanceLabel,
    pub probs: StanceProbs,
    /// Cosine of the sentence to the target description (document: the highest of all its
    /// sentences; NaN / null when the target's prefilter ruled the document out unembedded).
    pub relevance: f32,
    /// Why the sentence counts as about the target: "alias", "phrase", "anaphora", "cue", "context" or
    /// "embedding"; "sentences" for a document row.
    pub relevant_by: String,
    /// Relevant sentences aggregated (1 for a sentence row; 0 when the document has none).
    pub n_sentences: usize,
    /// The (first) actor the sentence's stance is attributed to, and the cue that decided it.
    pub holder: Option<String>,
    pub cue: Option<String>,
}

/// One actor's stance toward one target in one document.
#[derive(Debug, Clone, Serialize)]
pub struct ActorStance {
    pub actor: String,
    /// PER / ORG / LOC.
    pub entity_label: String,
    pub target: String,
    pub label: StanceLabel,
    pub probs: StanceProbs,
    /// Sentence indices attributed to this actor.
    pub evidence: Vec<usize>,
    /// Mentions of the actor in the document (all spellings merged).
    pub mentions: usize,
    /// The canonical actor across the corpus (`stages::canonical`), e.g. "PER:putin".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canonical_id: Option<String>,
}

impl Document {
    /// The document's date from its metadata field `field` (a string, or a number as written).
    pub fn date(&self, field: &str) -> Option<String> {
        match self.metadata.get(field)? {
            serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
}
