//! Training and evaluation: gold corpora, metrics, scoring, and the training loops.
pub mod corpus;
pub mod metrics;
pub mod evaluate;
pub mod train;
pub mod stance_data;
pub mod news_eval;
pub mod actors_eval;
