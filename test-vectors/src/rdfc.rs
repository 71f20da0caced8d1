//! The W3C RDFC-1.0 test suite (<https://w3c.github.io/rdf-canon/tests/>), read from
//! `rdf-canon/tests/manifest.jsonld` in the vectors directory.
//!
//! - `rdfc:RDFC10EvalTest`: the canonical N-Quads must equal the expected file byte for byte.
//! - `rdfc:RDFC10MapTest`: the issued identifiers map must equal the expected JSON object.
//! - `rdfc:RDFC10NegativeEvalTest`: canonicalization must be refused with
//!   [`civitas_core::RdfError::CanonicalizationLimit`].

use civitas_core::RdfError;
use std::collections::BTreeMap;
use std::path::Path;

use civitas_core::Error;
use civitas_core::rdf::{CanonOptions, HashAlgorithm, canonicalize_nquads};
use serde_json::Value;

use crate::{SuiteReport, vectors_dir};

/// Runs every entry of the RDFC-1.0 manifest; the suite is named `rdfc-1.0`.
pub fn run_rdfc_suite() -> SuiteReport {
    let mut report = SuiteReport::new("rdfc-1.0");
    let dir = vectors_dir().join("rdf-canon/tests");
    let manifest = match read_json(&dir.join("manifest.jsonld")) {
        Ok(m) => m,
        Err(e) => {
            report.record("manifest", Err(e));
            return report;
        }
    };
    let entries = manifest
        .get("entries")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if entries.is_empty() {
        report.record("manifest", Err("no entries".into()));
    }
    for entry in &entries {
        let id = entry.get("id").and_then(Value::as_str).unwrap_or("?");
        report.record(id, run_entry(&dir, entry));
    }
    report
}

fn read_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn read_text(dir: &Path, entry: &Value, key: &str) -> Result<String, String> {
    let rel = entry
        .get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("no {key}"))?;
    let path = dir.join(rel);
    std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))
}

fn run_entry(dir: &Path, entry: &Value) -> Result<(), String> {
    let kind = entry.get("type").and_then(Value::as_str).unwrap_or("");
    let mut opts = CanonOptions::default();
    match entry.get("hashAlgorithm").and_then(Value::as_str) {
        None | Some("SHA256") => {}
        Some("SHA384") => opts.hash_algorithm = HashAlgorithm::Sha384,
        Some(other) => return Err(format!("unsupported hashAlgorithm {other}")),
    }
    let input = read_text(dir, entry, "action")?;
    let result = canonicalize_nquads(&input, &opts);
    match kind {
        "rdfc:RDFC10EvalTest" => {
            let expected = read_text(dir, entry, "result")?;
            let actual = result.map_err(|e| format!("error: {e}"))?;
            if actual.nquads() == expected {
                Ok(())
            } else {
                Err(format!(
                    "output differs:\n--- expected\n{expected}--- actual\n{}",
                    actual.nquads()
                ))
            }
        }
        "rdfc:RDFC10MapTest" => {
            let expected =
                read_json(&dir.join(entry.get("result").and_then(Value::as_str).unwrap_or("")))?;
            let expected: BTreeMap<String, String> = expected
                .as_object()
                .ok_or("expected map is not a JSON object")?
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_owned()))
                .collect();
            let actual = result.map_err(|e| format!("error: {e}"))?;
            let actual: BTreeMap<String, String> =
                actual.issued_identifiers().iter().cloned().collect();
            if actual == expected {
                Ok(())
            } else {
                Err(format!(
                    "map differs: expected {expected:?}, actual {actual:?}"
                ))
            }
        }
        "rdfc:RDFC10NegativeEvalTest" => match result {
            Err(Error::Rdf(RdfError::CanonicalizationLimit { .. })) => Ok(()),
            Err(e) => Err(format!("refused with the wrong error: {e}")),
            Ok(_) => Err("canonicalized a dataset that must be refused".into()),
        },
        other => Err(format!("unknown test type {other}")),
    }
}
