//! The NER training loop on a fixture model: labels land on first sub-tokens, the loss falls,
//! and the half-precision overlay reloads (through `overlay.json`) to the same predictions.
use super::fixture::{make_model, Arch, Head};
use pactwatch::training::corpus::GoldSentence;
use pactwatch::stages::encoding::TextTokenizer;
use pactwatch::models::{Classifier, LoadOptions, ModelDir, ModelInputs, Task};
use pactwatch::training::train::{encode_example, fit, save_overlay, Sampler, TrainOptions, NER_LABELS};

fn sent(tokens: &str, tags: &str, lang: &str) -> GoldSentence {
    GoldSentence {
        lang: lang.into(),
        tokens: tokens.split(' ').map(str::to_string).collect(),
        tags: tags.split(' ').map(str::to_string).collect(),
    }
}

#[test]
fn labels_sit_on_first_sub_tokens() {
    let dir = tempfile::tempdir().unwrap();
    make_model(dir.path(), Arch::Bert, Head::Token, 1);
    let tok = TextTokenizer::from_file(&dir.path().join("tokenizer.json")).unwrap();
    // "Starmer" is one piece; "Kyiv" is K ##y ##i ##v in the fixture vocabulary
    let e = encode_example(&tok, &sent("Starmer visited Kyiv .", "B-PER O B-LOC O", "en"), 64).unwrap();
    let names: Vec<&str> = e.labels.iter().filter(|&&l| l >= 0).map(|&l| NER_LABELS[l as usize]).collect();
    assert_eq!(names, ["B-PER", "O", "B-LOC", "O"]);
    assert_eq!(e.labels.first(), Some(&-100), "[CLS] is not scored");
    assert_eq!(e.labels.len(), e.ids.len());
    let kyiv_pieces = e.labels.iter().rev().skip(2).take(3).all(|&l| l == -100);
    assert!(kyiv_pieces, "continuation pieces are not scored: {:?}", e.labels);
    assert!(encode_example(&tok, &sent("Starmer visited Kyiv .", "B-PER O B-LOC O", "en"), 5).is_none(), "too long");
}

#[test]
fn loss_falls_and_overlay_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let base_dir = dir.path().join("base");
    make_model(&base_dir, Arch::Bert, Head::Token, 2);
    let base = ModelDir::open(&base_dir).unwrap();
    let tok = TextTokenizer::from_file(&base.tokenizer).unwrap();
    let labels: Vec<String> = NER_LABELS.iter().map(|s| s.to_string()).collect();
    let model = Classifier::load(&base, Task::Token, &LoadOptions { new_head_labels: Some(labels), ..Default::default() }).unwrap();
    pactwatch::training::train::freeze_word_embeddings(&model);
    let data = [
        sent("Macron met Starmer in Paris .", "B-PER O B-PER O B-LOC O", "en"),
        sent("the EU and NATO met .", "O B-ORG O B-ORG O O", "en"),
        sent("Macron et Starmer à Paris .", "B-PER O B-PER O B-LOC O", "fr"),
    ];
    let examples: Vec<_> = data.iter().map(|s| encode_example(&tok, s, 64).unwrap()).collect();
    let mut sampler = Sampler::new(examples, 3);
    let opts = TrainOptions { steps: 80, batch_size: 3, lr: 3e-3, warmup_frac: 0.1, clip_norm: 1.0, seed: 3,
        freeze_embeddings: true, max_minutes: 5.0, checkpoint_every: 1000 };
    let mut losses = Vec::new();
    let report = fit(&model, &mut sampler, tok.pad_id, &opts, 0, |s| {
        losses.push(s.loss);
        Ok(())
    })
    .unwrap();
    assert_eq!(report.steps_done, 80);
    let first: f64 = losses[..5].iter().sum::<f64>() / 5.0;
    let last: f64 = losses[75..].iter().sum::<f64>() / 5.0;
    assert!(last < 0.5 * first, "loss {first:.3} -> {last:.3}");

    let out = dir.path().join("tuned");
    save_overlay(&model, &base, &out, true, "BertForTokenClassification").unwrap();
    let tuned = ModelDir::open(&out).unwrap();
    assert!(tuned.overlay.is_some() && tuned.weights.len() == 2);
    let reloaded = Classifier::load(&tuned, Task::Token, &LoadOptions::default()).unwrap();
    let ids = tok.frame(&tok.encode("Macron met Starmer in Paris .").unwrap().iter().map(|t| t.id).collect::<Vec<_>>());
    let x = ModelInputs::from_rows(&[&ids], tok.pad_id, tch::Device::Cpu);
    let a = tch::no_grad(|| model.logits(&x, false)).unwrap().argmax(-1, false);
    let b = tch::no_grad(|| reloaded.logits(&x, false)).unwrap().argmax(-1, false);
    assert_eq!(Vec::<i64>::try_from(a.view(-1)).unwrap(), Vec::<i64>::try_from(b.view(-1)).unwrap());
}

#[test]
fn stance_training_learns_pairs_and_the_overlay_reloads_as_a_stance_model() {
    use pactwatch::models::stance::{StanceModel, STANCE_LABELS};
    use pactwatch::training::stance_data::{StanceExample, StanceLabel};
    let dir = tempfile::tempdir().unwrap();
    let base_dir = dir.path().join("base");
    make_model(&base_dir, Arch::Bert, Head::Sequence, 4);
    let base = ModelDir::open(&base_dir).unwrap();
    let tok = TextTokenizer::from_file(&base.tokenizer).unwrap();
    let labels: Vec<String> = STANCE_LABELS.iter().map(|s| s.to_string()).collect();
    // The new head and dropout draw from libtorch's global generator, which tests running in
    // parallel share: the seed makes a lone run repeatable, and the checks below compare the
    // model before and after training rather than single noisy batch losses.
    tch::manual_seed(5);
    let model = Classifier::load(&base, Task::Sequence, &LoadOptions { new_head_labels: Some(labels), ..Default::default() }).unwrap();
    let ex = |text: &str, label: StanceLabel, source: &'static str| StanceExample {
        text: text.into(), target: "the pact".into(), label, lang: "en".into(), source, split: "train".into(),
    };
    let data = [
        ex("We welcome it, great news", StanceLabel::Favor, "a"),
        ex("We reject it, bad idea", StanceLabel::Against, "a"),
        ex("Rain in Oslo today", StanceLabel::None, "a"),
    ];
    let examples: Vec<_> = data.iter().map(|e| pactwatch::training::train::encode_stance_example(&tok, e, 40).unwrap()).collect();
    assert!(examples.iter().all(|e| e.labels.len() == 1 && e.ids.len() <= 40));
    let mut sampler = Sampler::weighted(examples, 5, 0.5);
    // Batch 1: the sampler sorts a pool by length, so with three examples a larger batch
    // would mostly repeat one example.
    let opts = TrainOptions { steps: 120, batch_size: 1, lr: 1e-3, warmup_frac: 0.1, clip_norm: 1.0, seed: 5,
        freeze_embeddings: false, max_minutes: 5.0, checkpoint_every: 1000 };
    // Mean negative log-likelihood of the gold labels, without dropout, through the saved
    // (half-precision) overlay as `annotate` would load it.
    let nll = |out: &std::path::Path| {
        save_overlay(&model, &base, out, false, "BertForSequenceClassification").unwrap();
        let sm = StanceModel::load(&ModelDir::open(out).unwrap(), tch::Device::Cpu).unwrap();
        let pairs: Vec<(&str, &str)> = data.iter().map(|e| (e.target.as_str(), e.text.as_str())).collect();
        let probs = sm.predict(&pairs).unwrap();
        let nll = data.iter().zip(&probs).map(|(e, p)| -(p[STANCE_LABELS.iter().position(|l| *l == e.label.as_str()).unwrap()] as f64).max(1e-9).ln()).sum::<f64>() / 3.0;
        (sm, nll)
    };
    let (_, before) = nll(&dir.path().join("untrained"));
    let mut steps = 0;
    fit(&model, &mut sampler, tok.pad_id, &opts, 0, |_| {
        steps += 1;
        Ok(())
    })
    .unwrap();
    assert_eq!(steps, 120);
    let (sm, after) = nll(&dir.path().join("stance"));
    assert!(after < 0.5 * before, "gold-label NLL {before:.3} -> {after:.3}");
    let report = pactwatch::models::stance::evaluate(&sm, &data).unwrap();
    assert_eq!(report.overall.accuracy, 1.0, "{:?}", report.overall.confusion);
}
