//! The W3C bbs-2023 vectors under `cargo test`: the same checks as the conformance report.

use civitas_test_vectors::{bbs2023, vectors_dir};

#[test]
fn baseline_and_prc_vectors() {
    for name in ["baseline", "prc"] {
        let report = bbs2023::run_suite(&vectors_dir(), name);
        assert!(
            report.failures.is_empty(),
            "{}: {:#?}",
            report.suite,
            report.failures
        );
        assert_eq!(
            report.passed, 8,
            "{}: unexpected number of cases",
            report.suite
        );
    }
}
