//! The W3C ecdsa-rdfc-2019 P-256 vectors under `cargo test`: the same checks as the
//! conformance report.

use civitas_test_vectors::{ecdsa, vectors_dir};

#[test]
fn ecdsa_rdfc_2019_p256_vectors() {
    let report = ecdsa::run_suite(&vectors_dir());
    assert_eq!(report.suite, "w3c-ecdsa/ecdsa-rdfc-2019-p256");
    assert!(
        report.failures.is_empty(),
        "{}: {:#?}",
        report.suite,
        report.failures
    );
    assert_eq!(report.failed, 0);
    // The key pair, then 9 cases for each of the two vector sets; the vectors were signed with
    // deterministic ECDSA, so the signatures are reproduced and nothing is skipped.
    assert_eq!(report.skipped, 0);
    assert_eq!(
        report.passed, 19,
        "{}: unexpected number of cases",
        report.suite
    );
}
