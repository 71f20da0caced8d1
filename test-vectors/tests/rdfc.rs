//! The W3C RDFC-1.0 suite: all 86 cases must pass.

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
