//! The W3C JSON-LD toRdf suite: no unexpected failures.

#[test]
fn to_rdf_suite() {
    let report = civitas_test_vectors::jsonld::run_to_rdf_suite();
    for f in &report.failures {
        eprintln!("{f}");
    }
    eprintln!(
        "{}: passed {}, failed {}, skipped {}",
        report.suite, report.passed, report.failed, report.skipped
    );
    assert_eq!(report.failed, 0, "unexpected failures");
    assert!(report.passed >= 455, "pass count fell below 455");
}
