//! Conformance checks of Civitas against upstream test vectors.
//!
//! Each suite is a function returning a [`SuiteReport`]; the `conformance` binary prints them
//! and the crate's tests assert on them, so `cargo test` and the report run the same checks.
//! Vectors are read from `../shared/vectors` beside the workspace, or from the directory named
//! by the environment variable `CIVITAS_VECTORS`.

pub mod jsonld;
pub mod rdfc;

use std::path::PathBuf;

/// Outcome of one conformance suite.
#[derive(Debug, Clone, Default)]
pub struct SuiteReport {
    /// Stable suite name, for example `ietf-bbs/sha-256/proof`.
    pub suite: String,
    /// Cases that passed.
    pub passed: usize,
    /// Cases that failed unexpectedly.
    pub failed: usize,
    /// Cases not run, each with a recorded reason (see the exceptions files).
    pub skipped: usize,
    /// One line per failed case: the case and what differed.
    pub failures: Vec<String>,
}

impl SuiteReport {
    /// An empty report for `suite`.
    pub fn new(suite: impl Into<String>) -> Self {
        Self {
            suite: suite.into(),
            ..Self::default()
        }
    }

    /// Record one case: `Ok(())` passes; `Err(reason)` fails with `case: reason`.
    pub fn record(&mut self, case: &str, outcome: Result<(), String>) {
        match outcome {
            Ok(()) => self.passed += 1,
            Err(reason) => {
                self.failed += 1;
                self.failures.push(format!("{case}: {reason}"));
            }
        }
    }
}

/// The upstream vectors directory: `$CIVITAS_VECTORS`, else `../shared/vectors` next to the
/// workspace root.
pub fn vectors_dir() -> PathBuf {
    match std::env::var_os("CIVITAS_VECTORS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors"),
    }
}

pub mod bbs;
pub mod bbs2023;
pub mod bbs_blind;
pub mod ecdsa;

/// Every suite the runner knows, in report order.
pub fn run_all(vectors: &std::path::Path) -> Vec<SuiteReport> {
    let mut reports = bbs::run_all(vectors);
    reports.extend(bbs_blind::run_all(vectors));
    reports.push(jsonld::run_to_rdf_suite());
    reports.push(rdfc::run_rdfc_suite());
    reports.extend(bbs2023::run_all(vectors));
    reports.push(ecdsa::run_suite(vectors));
    reports
}
