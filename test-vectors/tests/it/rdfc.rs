//! The W3C RDFC-1.0 suite: all 86 cases must pass.
#![expect(clippy::panic, reason = "tests fail by panicking")]

#[test]
fn rdfc_suite_passes() {
    let report = civitas_test_vectors::rdfc::run_rdfc_suite();
    for failure in &report.failures {
        eprintln!("FAIL {failure}");
    }
    eprintln!(
        "{}: passed {}, failed {}, skipped {}",
        report.suite, report.passed, report.failed, report.skipped
    );
    assert_eq!(report.suite, "rdfc-1.0");
    assert_eq!(report.failed, 0);
    assert_eq!(report.passed, 86);
}

/// Cross-check with the bbs-2023 vectors: the canonical base document of the windsurf
/// example, relabelled and reversed, canonicalizes back to itself.
#[test]
fn windsurf_base_document_round_trips() {
    let path =
        civitas_test_vectors::vectors_dir().join("vc-di-bbs/TestVectors/addBaseDocCanon.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let lines: Vec<String> = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let mut shuffled: Vec<String> = lines.iter().map(|l| l.replace("_:c14n", "_:x")).collect();
    shuffled.reverse();
    let result = civitas_core::rdf::canonicalize_nquads(&shuffled.concat(), &Default::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(result.nquads(), lines.concat());
    assert_eq!(result.issued_identifiers().len(), 8);
}
