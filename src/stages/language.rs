//! Language identification with `whatlang` (trigram models, 69 languages): an ISO 639-1 code
//! where one exists (else the 639-3 code), the script, and a confidence in [0, 1].
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Language {
    /// ISO 639-1 where one exists ("en", "uk"), else ISO 639-3; "und" when undetermined.
    pub code: String,
    pub script: String,
    pub confidence: f64,
    pub reliable: bool,
}

/// How much of a long text the detector reads: the start is enough and keeps it O(1) per doc.
pub const MAX_DETECT_BYTES: usize = 4096;

fn iso1(code3: &str) -> Option<&'static str> {
    Some(match code3 {
        "eng" => "en", "fra" => "fr", "deu" => "de", "ukr" => "uk", "rus" => "ru", "spa" => "es",
        "ita" => "it", "pol" => "pl", "por" => "pt", "nld" => "nl", "bul" => "bg", "ces" => "cs",
        "slk" => "sk", "slv" => "sl", "hrv" => "hr", "srp" => "sr", "bel" => "be", "ell" => "el",
        "kat" => "ka", "ron" => "ro", "hun" => "hu", "fin" => "fi", "swe" => "sv", "dan" => "da",
        "nob" => "nb", "est" => "et", "lav" => "lv", "lit" => "lt", "tur" => "tr", "ara" => "ar",
        "heb" => "he", "pes" => "fa", "hin" => "hi", "cmn" => "zh", "jpn" => "ja", "kor" => "ko",
        "cat" => "ca", "epo" => "eo", "aze" => "az", "hye" => "hy", "mkd" => "mk", "vie" => "vi",
        "ind" => "id", "tha" => "th", "ben" => "bn", "urd" => "ur", "tam" => "ta", "tel" => "te",
        "mar" => "mr", "guj" => "gu", "kan" => "kn", "mal" => "ml", "pan" => "pa", "amh" => "am",
        "yid" => "yi", "afr" => "af", "tgl" => "tl", "uzb" => "uz", "kaz" => "kk", "lat" => "la",
        "zul" => "zu", "sna" => "sn", "aka" => "ak", "jav" => "jv", "khm" => "km", "mya" => "my",
        "nep" => "ne", "sin" => "si", "ori" => "or", "tuk" => "tk", "cym" => "cy", "gle" => "ga",
        _ => return None,
    })
}

/// Detect the language of `text` (its first `MAX_DETECT_BYTES`).
pub fn detect(text: &str) -> Language {
    let mut end = text.len().min(MAX_DETECT_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    match whatlang::detect(&text[..end]) {
        Some(info) => {
            let c3 = info.lang().code();
            Language {
                code: iso1(c3).unwrap_or(c3).to_string(),
                script: format!("{:?}", info.script()),
                confidence: (info.confidence() * 1000.0).round() / 1000.0,
                reliable: info.is_reliable(),
            }
        }
        None => Language { code: "und".into(), script: "unknown".into(), confidence: 0.0, reliable: false },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_target_languages() {
        let cases = [
            ("en", "The British prime minister said the force would deploy after a ceasefire was agreed."),
            ("fr", "Le président français a déclaré que la force serait déployée après un cessez-le-feu."),
            ("de", "Der Bundeskanzler sagte, Deutschland könne sich der Initiative bald anschließen."),
            ("uk", "Президент України привітав угоду і заявив, що вона поки що недостатня."),
            ("ru", "Президент России неоднократно выступал против иностранного военного присутствия."),
            ("es", "El primer ministro británico dijo que la fuerza se desplegaría tras un alto el fuego."),
            ("it", "Il presidente francese ha detto che la forza sarà schierata dopo il cessate il fuoco."),
            ("pl", "Premier Wielkiej Brytanii powiedział, że siły zostaną rozmieszczone po zawieszeniu broni."),
        ];
        for (want, text) in cases {
            assert_eq!(detect(text).code, want, "{text}");
        }
        assert_eq!(detect("12345 !!!").code, "und");
    }
}
