//! The pipeline's stages, in the order data flows through them.
pub mod input;
pub mod language;
pub mod segment;
pub mod words;
pub mod encoding;
pub mod window;
pub mod ner;
pub mod annotate;
pub mod relevance;
pub mod stance;
pub mod actors;
pub mod canonical;
pub mod senses;
pub mod corpus_actors;
pub mod output;
pub mod export;
pub mod parquet;
