//! The W3C JSON-LD toRdf suite: no unexpected failures.
#![expect(clippy::unwrap_used, reason = "tests fail by panicking")]

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

/// The bbs-2023 vectors' documents give exactly the vectors' canonical N-Quads, up to blank
/// node labels.
#[test]
fn bbs_vectors_quads_match_canonical_nquads() {
    use civitas_core::jsonld::{JsonLdProcessor, ToRdfOptions};
    use civitas_test_vectors::jsonld::{isomorphic, parse_nquads};
    let dir = civitas_test_vectors::vectors_dir().join("vc-di-bbs/TestVectors");
    let processor = JsonLdProcessor::default();
    for (doc, canon) in [
        ("windDoc.json", "addBaseDocCanon.json"),
        // prCredUnsigned.json has another `description` than the prc set was made from;
        // the signed base document (without its proof) is that set's document.
        ("prc/addSignedSDBase.json", "prc/addBaseDocCanon.json"),
        // credentials v1 + data-integrity v2 + vdl + vdl aamva.
        (
            "HolderBinding/addSignedSDBase.json",
            "HolderBinding/addBaseDocCanon.json",
        ),
        (
            "Pseudonym/addSignedSDBase.json",
            "Pseudonym/addBaseDocCanon.json",
        ),
        (
            "PseudonymHB/addSignedSDBase.json",
            "PseudonymHB/addBaseDocCanon.json",
        ),
    ] {
        let mut doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(doc)).unwrap()).unwrap();
        doc.as_object_mut().unwrap().remove("proof");
        let lines: Vec<String> =
            serde_json::from_str(&std::fs::read_to_string(dir.join(canon)).unwrap()).unwrap();
        let expected = parse_nquads(&lines.concat()).unwrap();
        let quads = processor.to_rdf(&doc, &ToRdfOptions::default()).unwrap();
        assert!(isomorphic(&quads, &expected), "{canon}");
    }
}

#[test]
fn expand_suite() {
    let report = civitas_test_vectors::jsonld::run_expand_suite();
    for f in &report.failures {
        eprintln!("{f}");
    }
    eprintln!(
        "{}: passed {}, failed {}, skipped {}",
        report.suite, report.passed, report.failed, report.skipped
    );
    assert_eq!(report.failed, 0, "unexpected failures");
    assert!(report.passed >= 376, "pass count fell below 376");
}
