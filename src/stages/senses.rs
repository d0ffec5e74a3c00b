//! Cue words that pick a place name's second sense from its sentence (`lexicons/places-senses.tsv`:
//! "Georgia" is the US state in a sentence that names Atlanta, a governor or the United States,
//! and the country otherwise). Read by `canonical::Gazetteer`; used by
//! `canonical::Canonicalizer::assign_in`.

/// The cue words of one sense: whole words, word prefixes (`abc*`), parts of words (`*abc*`)
/// and phrases (a cue with a space, a hyphen or a dot, matched anywhere).
#[derive(Debug, Clone, Default)]
pub struct Cues {
    words: Vec<String>,
    prefixes: Vec<String>,
    parts: Vec<String>,
    phrases: Vec<String>,
}

impl Cues {
    /// From the `|`-separated field of a lexicon line (lower-cased here).
    pub fn parse(field: &str) -> Cues {
        let mut c = Cues::default();
        for cue in field.split('|').map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty() && s != "*") {
            if cue.len() > 2 && cue.starts_with('*') && cue.ends_with('*') {
                c.parts.push(cue.trim_matches('*').to_string());
            } else if let Some(p) = cue.strip_suffix('*') {
                c.prefixes.push(p.to_string());
            } else if cue.contains([' ', '-', '.']) {
                c.phrases.push(cue);
            } else {
                c.words.push(cue);
            }
        }
        c
    }

    /// Add another line's cues (several names of one sense).
    pub fn extend(&mut self, other: Cues) {
        self.words.extend(other.words);
        self.prefixes.extend(other.prefixes);
        self.parts.extend(other.parts);
        self.phrases.extend(other.phrases);
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.prefixes.is_empty() && self.parts.is_empty() && self.phrases.is_empty()
    }

    /// Whether the sentence has one of the cues (case-insensitive).
    pub fn found_in(&self, sentence: &str) -> bool {
        let lower = sentence.to_lowercase();
        if self.phrases.iter().any(|p| lower.contains(p.as_str())) {
            return true;
        }
        lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).any(|w| {
            self.words.iter().any(|c| c == w) || self.prefixes.iter().any(|c| w.starts_with(c.as_str())) || self.parts.iter().any(|c| w.contains(c.as_str()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_words_prefixes_parts_and_phrases() {
        let c = Cues::parse("stan|америк*|*ولاية*|united states|u.s.");
        assert!(c.found_in("Stan Georgia okazał się kluczowy."));
        assert!(!c.found_in("Afganistan i Georgia podpisały umowę."), "a whole-word cue inside another word");
        assert!(c.found_in("Американский штат Джорджия пересчитал голоса."));
        assert!(c.found_in("أُغلقت مراكز الاقتراع في بولاية جورجيا."));
        assert!(c.found_in("Georgia, in the United States, voted."));
        assert!(c.found_in("The U.S. state of Georgia voted."));
        assert!(!c.found_in("Protesters filled Rustaveli Avenue in Tbilisi as Georgia faced EU criticism."));
        assert!(Cues::parse(" | * ").is_empty());
    }
}
