//! End-to-end tests: the real `gate` binary on real Go test binaries built
//! from `fixtures-go/`. Run from `cargo test`; they need Go on PATH.

mod action;
mod baselines;
mod config;
mod docs;
mod engine;
mod errors;
mod gc_rules;
mod harness;
mod outcomes;
mod parallel;
mod reports;
mod rule_language;
mod support;
