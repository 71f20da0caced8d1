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

#[test]
fn feature_vectors() {
    for (name, passed, skipped) in [
        ("holder-binding", 15, 2),
        ("pseudonym", 15, 5),
        ("pseudonym-hb", 17, 3),
    ] {
        let report = bbs2023::features::run_suite(&vectors_dir(), name);
        assert!(
            report.failures.is_empty(),
            "{}: {:#?}",
            report.suite,
            report.failures
        );
        assert_eq!(
            (report.passed, report.skipped),
            (passed, skipped),
            "{}: unexpected number of cases",
            report.suite
        );
    }
}
