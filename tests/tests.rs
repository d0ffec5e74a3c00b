//! Integration tests: one binary, a module per area.
mod fixture;
mod models;
mod properties;
mod reference;
mod cli;
mod training;
mod scale;
mod spark;
mod shared_data;
mod e5;
mod stance;
