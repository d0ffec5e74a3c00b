//! `pactwatch bench`: the full `annotate` pipeline (read → language → sentences → tokens → NER
//! → relevance → stance → actors → write, into a temporary directory) on N documents, with
//! documents/s, tokens/s, time per stage, peak RSS, and for each model the useful FLOP/s and
//! its share of this machine's peak, measured by a float32 matmul probe in the same process.
use clap::Parser;
use pactwatch::models::{ModelDir, PassStats};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Input files (default: the unlabelled news corpus of ../shared/data)
    inputs: Vec<PathBuf>,
    /// Documents to run
    #[arg(long, default_value_t = 500)]
    docs: usize,
    /// libtorch threads (default: all cores)
    #[arg(long)]
    threads: Option<usize>,
    /// Keep the annotate outputs here instead of a temporary directory
    #[arg(long)]
    keep: Option<PathBuf>,
    /// Further `annotate` options, e.g. --extra "--no-stance"
    #[arg(long, default_value = "")]
    extra: String,
    /// Print one JSON object
    #[arg(long)]
    json: bool,
}

#[derive(clap::Parser)]
struct AnnotateCmd {
    #[command(flatten)]
    a: super::annotate::Args,
}

/// Peak float32 matmul FLOP/s of this machine with the current thread setting: the best of
/// several 1024² and 2048² products (libtorch's MKL / oneDNN GEMM).
pub fn matmul_peak() -> f64 {
    let mut best = 0f64;
    for n in [1024i64, 2048] {
        let a = tch::Tensor::randn([n, n], (tch::Kind::Float, tch::Device::Cpu));
        let b = tch::Tensor::randn([n, n], (tch::Kind::Float, tch::Device::Cpu));
        let _ = a.matmul(&b); // warm-up
        for _ in 0..5 {
            let t = std::time::Instant::now();
            let c = a.matmul(&b);
            let _ = c.double_value(&[0, 0]);
            best = best.max(2.0 * (n * n * n) as f64 / t.elapsed().as_secs_f64());
        }
    }
    best
}

/// Peak resident set size of this process (VmHWM), bytes.
fn peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|k| k.parse::<u64>().ok()))
        .map_or(0, |kb| kb * 1024)
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    super::set_threads(a.threads);
    let peak = matmul_peak();
    let inputs = if a.inputs.is_empty() { vec![PathBuf::from("../shared/data/news/multilingual_news_unlabeled.jsonl")] } else { a.inputs.clone() };
    let tmp = tempfile::tempdir()?;
    let out = a.keep.clone().unwrap_or_else(|| tmp.path().join("out"));
    let mut argv: Vec<String> = vec!["annotate".into(), "--quiet".into(), "--limit".into(), a.docs.to_string(), "--out".into(), out.display().to_string()];
    if let Some(t) = a.threads {
        argv.extend(["--threads".into(), t.to_string()]);
    }
    argv.extend(a.extra.split_whitespace().map(str::to_string));
    argv.extend(inputs.iter().map(|p| p.display().to_string()));
    let cmd = AnnotateCmd::try_parse_from(&argv)?;
    let ner_dir = cmd.a.ner_model_dir();
    let stance_dirs = cmd.a.stance_model_dirs();
    let t = std::time::Instant::now();
    let summary = pactwatch::pipeline::Pipeline::open(cmd.a.pipeline_options())?.run(&mut pactwatch::pipeline::Quiet)?;
    let code = if summary.counts.failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) };
    let wall = t.elapsed().as_secs_f64();
    let run: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("run.json"))?)?;
    let c = &run["counts"];
    let stages = &run["timings"]["stages"];
    let pass = |v: &serde_json::Value| serde_json::from_value::<PassStats>(v.clone()).ok();
    let mut models = serde_json::Map::new();
    let mut add = |name: &str, dir: Option<PathBuf>, stats: Option<PassStats>| -> anyhow::Result<()> {
        let (Some(dir), Some(st)) = (dir, stats) else { return Ok(()) };
        let md = ModelDir::open(&dir)?;
        let flops = st.flops(&md.config);
        let achieved = flops / st.forward_s.max(1e-9);
        models.insert(name.into(), serde_json::json!({
            "forward_s": st.forward_s, "sequences": st.sequences, "tokens": st.tokens, "padded_tokens": st.padded_tokens,
            "padding_share": 1.0 - st.tokens as f64 / st.padded_tokens.max(1) as f64,
            "gflop": flops / 1e9, "gflop_per_s": achieved / 1e9, "peak_share": achieved / peak,
        }));
        Ok(())
    };
    add("ner", Some(ner_dir), pass(&stages["ner"]["ner_pass"]))?;
    add("relevance", stance_dirs.as_ref().map(|d| d.0.clone()), pass(&stages["passes"]["relevance"]))?;
    add("stance", stance_dirs.as_ref().map(|d| d.1.clone()), pass(&stages["passes"]["stance"]))?;
    add("holder", cmd.a.holder_model_dir(), pass(&stages["passes"]["holder"]))?;
    let forward_s: f64 = models.values().map(|m| m["forward_s"].as_f64().unwrap_or(0.0)).sum();
    let forward_flops: f64 = models.values().map(|m| m["gflop"].as_f64().unwrap_or(0.0) * 1e9).sum();
    let docs = c["annotated"].as_f64().unwrap_or(0.0);
    let report = serde_json::json!({
        "docs": c["read"], "annotated": c["annotated"], "failed": c["failed"], "tokens": c["tokens"], "entities": c["entities"],
        "stance_rows": c["stance_rows"], "actor_rows": c["actor_rows"],
        "threads": tch::get_num_threads(), "wall_s": wall, "run_total_s": run["timings"]["total_s"], "model_load_s": run["timings"]["model_load_s"],
        "docs_per_s": docs / wall, "tokens_per_s": c["tokens"].as_f64().unwrap_or(0.0) / wall,
        "stages": stages, "peak_rss_mb": peak_rss() as f64 / 1048576.0,
        "matmul_peak_gflop_per_s": peak / 1e9,
        "forward_share_of_wall": forward_s / wall,
        "forward_flops_share": forward_flops / forward_s.max(1e-9) / peak,
        "models": models, "exit_code": format!("{code:?}"),
    });
    if a.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!("{}", serde_json::to_string_pretty(&report)?);
    }
    Ok(ExitCode::SUCCESS)
}
