//! `pactwatch eval actors`: canonical-actor merging scored on a name-variant gold file
//! (`pactwatch::training::actors_eval`): pairwise merge precision and recall, dev and test.
use pactwatch::home::resolve;
use pactwatch::models::ModelDir;
use pactwatch::stages::canonical::{Canonicalizer, Gazetteer};
use pactwatch::stages::relevance::Relevance;
use pactwatch::training::actors_eval::{read_gold, score};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ActorsArgs {
    /// Name-variant gold (JSONL: entity, type, lang, mention, context)
    #[arg(long, default_value = "eval/actors/variants.jsonl")]
    gold: PathBuf,
    /// Encoder for name embeddings (multilingual-e5 layout)
    #[arg(long, default_value = "models/e5-small")]
    relevance_model: PathBuf,
    /// Place and organisation names (lang, type, name, canonical); repeat for several files
    #[arg(long, default_values = pactwatch::stages::canonical::DEFAULT_PLACES)]
    places: Vec<PathBuf>,
    /// Your alias file (CSV: canonical,type,variants with variants separated by |)
    #[arg(long)]
    actors: Option<PathBuf>,
    /// Mean cosine of a name with an actor's names for an embedding merge
    #[arg(long, default_value_t = 0.90)]
    threshold: f32,
    /// Print one JSON object
    #[arg(long)]
    json: bool,
    #[arg(long)]
    threads: Option<usize>,
}

pub fn run(a: ActorsArgs) -> anyhow::Result<ExitCode> {
    super::set_threads(a.threads);
    let gold = read_gold(&resolve(&a.gold)?)?;
    anyhow::ensure!(!gold.is_empty(), "{}: no mentions", a.gold.display());
    let mut canon = Canonicalizer::new(Gazetteer::load_files(&a.places.iter().map(|p| resolve(p)).collect::<pactwatch::Result<Vec<_>>>()?)?, a.threshold);
    if let Some(f) = &a.actors {
        canon.load_aliases(f)?;
    }
    let dir = ModelDir::open(&resolve(&a.relevance_model)?)?;
    let rel = Relevance::load(&dir, &[], tch::Device::Cpu)?;
    let texts: Vec<String> = gold.iter().map(|g| format!("query: {}", g.mention)).collect();
    let emb = rel.embed(&texts)?;
    let rows: Vec<Vec<f32>> = (0..gold.len() as i64).map(|i| Vec::<f32>::try_from(emb.get(i))).collect::<Result<_, _>>()?;
    let report = score(&gold, &mut canon, &|i| rows[i].clone());
    if a.json {
        println!("{}", serde_json::to_string(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    for (name, s) in [("dev", &report.dev), ("test", &report.test)] {
        println!("{name:>4}: precision {:.3}  recall {:.3}  ({} mentions of {} entities; {} true of {} predicted pairs, {} gold pairs)", s.precision, s.recall, s.mentions, s.entities, s.true_pairs, s.predicted_pairs, s.gold_pairs);
    }
    println!("placed by: {}", report.via.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", "));
    println!("actors: {} predicted for {} gold entities (threshold {})", report.predicted_actors, report.gold_entities, report.threshold);
    println!("largest false merges (dev):");
    for (x, y, n) in report.false_merges.iter().take(8) {
        println!("  {x} + {y}: {n} pairs");
    }
    println!("largest splits (dev):");
    for (e, groups) in report.splits.iter().take(10) {
        println!("  {e}: {}", groups.iter().map(|g| g.join(", ")).collect::<Vec<_>>().join(" | "));
    }
    Ok(ExitCode::SUCCESS)
}
