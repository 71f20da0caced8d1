//! The IETF BBS fixtures under `cargo test`: the same checks as the conformance report.

use civitas_core::bbs::Ciphersuite;
use civitas_test_vectors::{bbs, vectors_dir};

/// Cases per fixture kind, identical for both ciphersuites.
const EXPECTED: [(&str, usize); 7] = [
    ("keypair", 1),
    ("generators", 1),
    ("h2s", 1),
    ("map-to-scalar", 10),
    ("mocked-rng", 1),
    ("signature", 10),
    ("proof", 15),
];

fn check_all(cs: Ciphersuite) {
    for (kind, expected_cases) in EXPECTED {
        let report = bbs::run_suite(&vectors_dir(), cs, kind);
        assert!(
            report.failures.is_empty(),
            "{}: {:#?}",
            report.suite,
            report.failures
        );
        assert_eq!(
            report.passed, expected_cases,
            "{}: unexpected number of cases",
            report.suite
        );
    }
}

#[test]
fn sha256_fixtures() {
    check_all(Ciphersuite::Bls12381Sha256);
}

#[test]
fn shake256_fixtures() {
    check_all(Ciphersuite::Bls12381Shake256);
}
