pub mod annotate;
pub mod bench;
pub mod convert;
pub mod embed;
pub mod eval;
pub mod eval_actors;
pub mod eval_news;
pub mod eval_relevance;
pub mod export;
pub mod report;
pub mod train;
pub mod train_stance;

/// libtorch intra-op threads: `--threads`, else all cores.
pub fn set_threads(threads: Option<usize>) {
    let n = threads.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    tch::set_num_threads(n as i32);
}
