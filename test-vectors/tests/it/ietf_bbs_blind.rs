//! The Blind BBS and pseudonym -01 fixtures under `cargo test`: the same checks as the
//! conformance report (`ietf-bbs-blind/...`, `ietf-bbs-pseudonym-01/...`).

use civitas_core::bbs::Ciphersuite;
use civitas_test_vectors::bbs_blind::{self, Draft, KINDS};
use civitas_test_vectors::vectors_dir;

/// (draft, ciphersuite, kind, passed, skipped): every fixture file is a case, plus one
/// `#trace` case per file that lists a trace; the skipped ones are the fixture quirks in
/// `exceptions/ietf-bbs-blind.json`.
const EXPECTED: [(Draft, &str, &str, usize, usize); 16] = [
    (Draft::Blind, "sha-256", "generators", 1, 0),
    (Draft::Blind, "sha-256", "commit", 4, 0),
    (Draft::Blind, "sha-256", "signature", 9, 1),
    (Draft::Blind, "sha-256", "proof", 16, 0),
    (Draft::Blind, "shake-256", "generators", 1, 0),
    (Draft::Blind, "shake-256", "commit", 4, 0),
    (Draft::Blind, "shake-256", "signature", 10, 0),
    (Draft::Blind, "shake-256", "proof", 16, 0),
    (Draft::Pseudonym01, "sha-256", "generators", 1, 0),
    (Draft::Pseudonym01, "sha-256", "commit", 4, 0),
    (Draft::Pseudonym01, "sha-256", "signature", 8, 0),
    (Draft::Pseudonym01, "sha-256", "proof", 14, 0),
    (Draft::Pseudonym01, "shake-256", "generators", 1, 0),
    (Draft::Pseudonym01, "shake-256", "commit", 3, 1),
    (Draft::Pseudonym01, "shake-256", "signature", 8, 0),
    (Draft::Pseudonym01, "shake-256", "proof", 14, 0),
];

fn suite(name: &str) -> Ciphersuite {
    match name {
        "sha-256" => Ciphersuite::Bls12381Sha256,
        _ => Ciphersuite::Bls12381Shake256,
    }
}

fn check(draft: Draft) {
    for (d, cs, kind, passed, skipped) in EXPECTED {
        if d != draft {
            continue;
        }
        assert!(KINDS.contains(&kind));
        let report = bbs_blind::run_suite(&vectors_dir(), draft, suite(cs), kind);
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

#[test]
fn blind_fixtures() {
    check(Draft::Blind);
}

#[test]
fn pseudonym_01_fixtures() {
    check(Draft::Pseudonym01);
}

/// Every exception names a suite case that exists and carries a reason.
#[test]
fn exceptions_are_well_formed() {
    let exceptions = bbs_blind::exceptions();
    assert_eq!(exceptions.len(), 2);
    for (id, e) in exceptions {
        assert!(id.ends_with("#trace"), "{id}");
        assert!(
            id.starts_with("ietf-bbs-blind/") || id.starts_with("ietf-bbs-pseudonym-01/"),
            "{id}"
        );
        assert!(e.reason.len() > 40, "{id}: give the reason");
    }
}
