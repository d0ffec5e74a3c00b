//! The annotated document: what `documents.jsonl` holds, one per input record. Field names are
//! the documented output schema (README, "Output schema").
use crate::input::Origin;
use crate::language::Language;
use crate::offsets::Span;
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
    /// Filled by the stance stage (issue "Stance toward the target"); empty until then.
    pub stances: Vec<serde_json::Value>,
    pub actors: Vec<serde_json::Value>,
}
