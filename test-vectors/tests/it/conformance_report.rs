//! The `conformance` command itself. The suites run once in the test command, as the tests of
//! this binary; here the report's interface is checked on one small suite (RDFC-1.0), so the
//! command stays what its documentation says without running every suite a second time.
#![expect(
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail by panicking; a short report is indexed"
)]

use std::process::Command;

fn conformance(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_conformance"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run conformance: {e}"));
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn json_report_of_one_suite() {
    let (code, stdout, stderr) = conformance(&["--json", "--suite", "rdfc"]);
    assert_eq!(code, Some(0), "{stderr}");
    let report: serde_json::Value =
        serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let suites = report["suites"]
        .as_array()
        .unwrap_or_else(|| panic!("no suites: {stdout}"));
    assert_eq!(suites.len(), 1, "{stdout}");
    assert_eq!(suites[0]["suite"], "rdfc-1.0");
    assert_eq!(suites[0]["passed"], 86);
    assert_eq!(suites[0]["failed"], 0);
}

#[test]
fn table_report_names_the_suite() {
    let (code, stdout, stderr) = conformance(&["--suite", "rdfc"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("rdfc-1.0"), "{stdout}");
}

#[test]
fn a_missing_vectors_folder_is_a_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_conformance"))
        .env("CIVITAS_VECTORS", "/nonexistent/civitas-vectors")
        .output()
        .unwrap_or_else(|e| panic!("cannot run conformance: {e}"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("CIVITAS_VECTORS"));
}
