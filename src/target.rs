//! Targets: the agreement or policy whose stance is measured, as data (`targets/*.toml`): name,
//! description, NLI hypothesis, and per-language aliases and key phrases. The lexical half of
//! relevance lives here: which aliases and phrases a sentence contains.
use crate::error::{Error, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct Target {
    pub id: String,
    pub name: String,
    pub description: String,
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub hypothesis: Option<String>,
    /// Names of the agreement per language.
    #[serde(default)]
    pub aliases: BTreeMap<String, Vec<String>>,
    /// Phrases about what it commits to, per language.
    #[serde(default)]
    pub phrases: BTreeMap<String, Vec<String>>,
    /// Words that refer back to the target ("the deal", "l'accord"): a sentence with one of
    /// them counts as about the target only in a document that names it (alias or phrase).
    #[serde(default)]
    pub anaphora: BTreeMap<String, Vec<String>>,
    /// What the stance model is asked about (the "query: " of its input); default: `name`.
    #[serde(default)]
    pub query: Option<String>,
    /// Cosine (e5 query: description vs passage: sentence) at or above which a sentence is
    /// relevant without a lexical match; calibrated by `pactwatch eval relevance` (docs/stance.md, "Relevance threshold").
    #[serde(default = "default_threshold")]
    pub relevance_threshold: f32,
    /// Word stems (matched case-insensitively anywhere in a document) without which a
    /// document cannot concern the target: a document with none of them, and no alias or
    /// phrase, is not embedded for relevance (it can have no relevant sentence). Empty: every
    /// document is embedded.
    #[serde(default)]
    pub prefilter: Vec<String>,
}

fn default_threshold() -> f32 {
    0.85
}

/// What a sentence's text matched.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LexicalMatch {
    pub aliases: Vec<String>,
    pub phrases: Vec<String>,
}

impl LexicalMatch {
    pub fn any(&self) -> bool {
        !self.aliases.is_empty() || !self.phrases.is_empty()
    }
}

impl Target {
    pub fn load(path: &Path) -> Result<Target> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let t: Target = toml::from_str(&text).map_err(|e| Error::Invalid(format!("{}: {e}", path.display())))?;
        if t.aliases.values().all(|v| v.is_empty()) && t.phrases.values().all(|v| v.is_empty()) {
            return Err(Error::Invalid(format!("{}: a target needs at least one alias or phrase", path.display())));
        }
        Ok(t)
    }

    /// Aliases and phrases (of every language: news quotes names across languages) in `text`,
    /// matched case-insensitively on word boundaries.
    pub fn match_text(&self, text: &str) -> LexicalMatch {
        let lower = text.to_lowercase();
        let find = |m: &BTreeMap<String, Vec<String>>| -> Vec<String> {
            let mut v: Vec<String> = m.values().flatten().filter(|p| contains_words(&lower, &p.to_lowercase())).cloned().collect();
            v.sort();
            v.dedup();
            v
        };
        LexicalMatch { aliases: find(&self.aliases), phrases: find(&self.phrases) }
    }

    /// Anaphoric references ("the deal") of any language in `text`.
    pub fn match_anaphora(&self, text: &str) -> Vec<String> {
        let lower = text.to_lowercase();
        let mut v: Vec<String> = self.anaphora.values().flatten().filter(|p| contains_words(&lower, &p.to_lowercase())).cloned().collect();
        v.sort();
        v.dedup();
        v
    }

    /// Whether a document could concern the target: it contains a prefilter stem, an alias or
    /// a phrase (true when the target has no prefilter).
    pub fn could_match(&self, text: &str) -> bool {
        if self.prefilter.is_empty() {
            return true;
        }
        let lower = text.to_lowercase();
        self.prefilter.iter().any(|p| lower.contains(&p.to_lowercase())) || self.match_text(text).any()
    }

    /// The text the stance model is asked about.
    pub fn stance_query(&self) -> &str {
        self.query.as_deref().unwrap_or(&self.name)
    }
}

fn contains_words(hay: &str, needle: &str) -> bool {
    !crate::stages::words::find_phrase(hay, needle).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_target() -> Target {
        Target::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("targets/paris-declaration.toml")).unwrap()
    }

    #[test]
    fn matches_in_every_target_language() {
        let t = default_target();
        let cases = [
            ("en", "Leaders signed the Paris Declaration on Wednesday.", true),
            ("fr", "La déclaration de Paris a été signée mercredi.", true),
            ("de", "Die Pariser Erklärung wurde am Mittwoch unterzeichnet.", true),
            ("uk", "Лідери підписали Паризьку декларацію в середу.", true),
            ("ru", "Кремль отверг Парижскую декларацию.", true),
            ("es", "La Declaración de París fue firmada el miércoles.", true),
            ("it", "La Dichiarazione di Parigi è stata firmata mercoledì.", true),
            ("pl", "Przywódcy podpisali deklarację paryską w środę.", true),
            ("en", "The reassurance force would deploy after a ceasefire.", true),
            ("de", "Merz sprach über Sicherheitsgarantien.", true),
            ("en", "The recipe calls for two cups of flour.", false),
            ("en", "Parisian declarations of love.", false),
        ];
        for (lang, text, want) in cases {
            assert_eq!(t.match_text(text).any(), want, "{lang}: {text}");
        }
    }

}
