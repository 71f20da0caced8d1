//! bbs-2023 regression cases the field gets wrong, and bad input that must be rejected with a
//! precise typed error (never a panic, never an acceptance). The documents are in `data/`.
#![expect(
    clippy::panic,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

use civitas_core::{Bbs2023Error, CredentialError, JsonError, JsonLdError, RdfError};
use std::path::Path;
use std::sync::Arc;

use civitas_core::Error;
use civitas_core::bbs::{Ciphersuite, KeyPair, SecretKey};
use civitas_core::bbs2023::{Bbs2023, ProofOptions};
use civitas_core::did;
use civitas_core::jsonld::JsonLdProcessor;
use civitas_core::keys::PublicKey as MultikeyPublic;
use serde_json::{Value, json};

const DIPLOMA_CONTEXT: &str = "https://civitas.example/contexts/diploma/v1";

fn data(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A file of the project's example data (`cli/data/`, shipped with `civitas demo`).
fn example(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../cli/data")
        .join(name)
}

fn example_diploma() -> Value {
    serde_json::from_str(&std::fs::read_to_string(example("diploma.json")).unwrap()).unwrap()
}

fn suite() -> Bbs2023 {
    let jsonld = JsonLdProcessor::default();
    let ctx = example("civitas.example_contexts_diploma_v1.jsonld");
    jsonld
        .register_context(DIPLOMA_CONTEXT, &std::fs::read_to_string(ctx).unwrap())
        .unwrap();
    Bbs2023::new(Arc::new(jsonld))
}

struct Issuer {
    key: KeyPair,
    method: String,
}

fn issuer(seed: u8) -> Issuer {
    let sk = SecretKey::key_gen(Ciphersuite::Bls12381Sha256, &[seed; 32], b"", None).unwrap();
    let pair = KeyPair::from_secret(sk);
    let key = MultikeyPublic::Bls12381G2(pair.public().to_bytes());
    Issuer {
        key: pair,
        method: did::verification_method_id(&key),
    }
}

fn pointers(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

/// A signed diploma whose issuer id is the key's DID.
fn signed(suite: &Bbs2023, issuer: &Issuer) -> Value {
    let mut doc = example_diploma();
    let did_url = civitas_core::did::did_of_url(&issuer.method).to_owned();
    doc["issuer"]["id"] = json!(did_url);
    let mandatory: Vec<String> = serde_json::from_value(data("diploma-mandatory.json")).unwrap();
    let mut options = ProofOptions::assertion(issuer.method.clone());
    options.created = Some("2026-06-30T09:00:00Z".into());
    suite.sign(&doc, &issuer.key, &options, &mandatory).unwrap()
}

#[test]
fn diploma_round_trips_with_mixed_ids_types_arrays_and_literals() {
    let suite = suite();
    let issuer = issuer(1);
    let signed = signed(&suite, &issuer);
    // The holder can check the issuer's signature on import.
    suite.verify_base(&signed).unwrap();

    // Disclose only the degree name (plus the mandatory statements), empty presentation header.
    let derived = suite
        .derive(&signed, &pointers(&["/credentialSubject/degree/name"]), b"")
        .unwrap();
    let verified = suite.verify(&derived).unwrap();
    let doc = verified.document();
    assert_eq!(
        doc["credentialSubject"]["degree"]["name"],
        "MSc Computer Science"
    );
    assert_eq!(
        doc["credentialSubject"]["id"], "did:example:citizen-ada",
        "ids on the path are disclosed"
    );
    assert_eq!(
        doc["issuer"]["name"], "University of Civitas",
        "mandatory issuer object"
    );
    assert!(
        doc["credentialSubject"].get("birthDate").is_none(),
        "birth date stays hidden"
    );
    assert!(doc["credentialSubject"]["degree"].get("ects").is_none());
    assert!(verified.presentation_header().is_empty());

    // One element of an array, typed literals and a claim under a type-scoped context, with a
    // non-empty presentation header.
    let selective = pointers(&[
        "/credentialSubject/grades/1",
        "/credentialSubject/birthDate",
        "/credentialSubject/degree/level",
        "/credentialSubject/degree/honours",
        "/credentialSubject/studentNumber",
        "/credentialSubject/nationality",
        "/credentialSubject/gpa",
    ]);
    let derived = suite.derive(&signed, &selective, b"challenge-42").unwrap();
    let verified = suite.verify(&derived).unwrap();
    let subject = &verified.document()["credentialSubject"];
    assert_eq!(
        subject["grades"],
        json!([{"course": "Distributed Systems", "grade": "B+"}])
    );
    assert_eq!(subject["studentNumber"], "S-2021-0042");
    assert_eq!(subject["nationality"], "Utopian");
    assert_eq!(subject["type"], json!(["Person", "Graduate"]));
    assert_eq!(verified.presentation_header(), b"challenge-42");

    // Everything disclosed also verifies.
    let all = suite
        .derive(&signed, &pointers(&["/credentialSubject"]), b"x")
        .unwrap();
    suite.verify(&all).unwrap();
}

fn expect_failed(r: Result<impl std::fmt::Debug, Error>, what: &str) {
    match r {
        Err(Error::Bbs2023(Bbs2023Error::VerificationFailed(_))) => {}
        other => panic!("{what}: expected VerificationFailed, got {other:?}"),
    }
}

#[test]
fn tampering_is_rejected() {
    let suite = suite();
    let issuer = issuer(2);
    let signed = signed(&suite, &issuer);
    let derived = suite
        .derive(
            &signed,
            &pointers(&[
                "/credentialSubject/degree/name",
                "/credentialSubject/grades/0",
            ]),
            b"nonce",
        )
        .unwrap();
    suite.verify(&derived).unwrap();

    let mut tampered = derived.clone();
    tampered["credentialSubject"]["degree"]["name"] = json!("PhD Computer Science");
    expect_failed(suite.verify(&tampered), "tampered disclosed value");

    let mut tampered = derived.clone();
    tampered["issuer"]["name"] = json!("Diploma Mill Inc.");
    expect_failed(suite.verify(&tampered), "tampered mandatory value");

    let mut dropped = derived.clone();
    dropped["credentialSubject"]["grades"] = json!([]);
    expect_failed(suite.verify(&dropped), "dropped claim");

    let mut added = derived.clone();
    added["credentialSubject"]["degree"]["honours"] = json!(true);
    expect_failed(suite.verify(&added), "added claim");

    let mut other_key = derived.clone();
    other_key["proof"]["verificationMethod"] = json!(issuer_method(3));
    expect_failed(
        suite.verify(&other_key),
        "proof checked against another key",
    );

    let mut created = derived.clone();
    created["proof"]["created"] = json!("2030-01-01T00:00:00Z");
    expect_failed(suite.verify(&created), "changed proof options");

    // A proof made by another issuer over the same claims.
    let forged = suite
        .derive(
            &signed_by_other_but_claiming(&suite, &issuer),
            &pointers(&["/credentialSubject/degree/name"]),
            b"",
        )
        .unwrap();
    expect_failed(
        suite.verify(&forged),
        "other issuer's key inside, our verification method outside",
    );

    // The base proof must never be accepted by a verifier.
    expect_failed(suite.verify(&signed), "base proof given to the verifier");
}

fn issuer_method(seed: u8) -> String {
    issuer(seed).method
}

/// Signed by issuer 9, then relabelled as if `claimed` had issued it.
fn signed_by_other_but_claiming(suite: &Bbs2023, claimed: &Issuer) -> Value {
    let mut doc = signed(suite, &issuer(9));
    doc["proof"]["verificationMethod"] = json!(claimed.method);
    doc
}

#[test]
fn malformed_input_gets_typed_errors() {
    let suite = suite();
    let issuer = issuer(4);
    let signed = signed(&suite, &issuer);
    let derived = suite
        .derive(&signed, &pointers(&["/credentialSubject/degree"]), b"")
        .unwrap();

    // Malformed CBOR proof value: truncated, wrong header, not multibase.
    let value = derived["proof"]["proofValue"].as_str().unwrap().to_owned();
    for bad in [&value[..value.len() / 2], "uAAAA", "zNotBase64url", ""] {
        let mut d = derived.clone();
        d["proof"]["proofValue"] = json!(bad);
        let r = suite.verify(&d);
        assert!(r.is_err(), "proof value {bad:?} accepted");
        assert!(
            !matches!(r, Err(Error::Bbs2023(Bbs2023Error::VerificationFailed(_))))
                || bad.is_empty(),
            "{bad:?}: {r:?}"
        );
    }
    let mut no_proof = derived.clone();
    no_proof.as_object_mut().unwrap().remove("proof");
    assert!(matches!(
        suite.verify(&no_proof),
        Err(Error::Bbs2023(Bbs2023Error::Invalid(_)))
    ));
    let mut wrong_suite = derived.clone();
    wrong_suite["proof"]["cryptosuite"] = json!("ecdsa-rdfc-2019");
    assert!(suite.verify(&wrong_suite).is_err());

    // Pointers that do not resolve, on signing and on deriving.
    let doc = example_diploma();
    let opts = ProofOptions::assertion(issuer.method.clone());
    assert!(matches!(
        suite.sign(
            &doc,
            &issuer.key,
            &opts,
            &pointers(&["/credentialSubject/nope"])
        ),
        Err(Error::Json(JsonError::Pointer { .. }))
    ));
    assert!(matches!(
        suite.derive(&signed, &pointers(&["/grades/7"]), b""),
        Err(Error::Json(JsonError::Pointer { .. }))
    ));
    assert!(matches!(
        suite.derive(&signed, &pointers(&["no-slash"]), b""),
        Err(Error::Json(JsonError::Pointer { .. }))
    ));

    // An undefined term would silently vanish from the signed data: refused, naming the term.
    let mut undefined = doc.clone();
    undefined["credentialSubject"]["favouriteColour"] = json!("blue");
    match suite.sign(&undefined, &issuer.key, &opts, &[]) {
        Err(e @ Error::JsonLd(JsonLdError::UndefinedTerm { .. })) => {
            assert!(e.to_string().contains("favouriteColour"), "{e}")
        }
        other => panic!("undefined term: {other:?}"),
    }
    // An unknown remote context: refused, never fetched.
    let mut unknown = doc.clone();
    unknown["@context"] = json!([
        "https://www.w3.org/ns/credentials/v2",
        "https://evil.example/ctx"
    ]);
    assert!(matches!(
        suite.sign(&unknown, &issuer.key, &opts, &[]),
        Err(Error::JsonLd(JsonLdError::UnknownContext { .. }))
    ));
    // @list values cannot keep their identity across selections.
    let mut list = doc.clone();
    list["credentialSubject"]["grades"] = json!({"@list": [{"course": "A"}]});
    assert!(matches!(
        suite.sign(&list, &issuer.key, &opts, &[]),
        Err(Error::Credential(CredentialError::Unsupported(_)))
    ));
}

/// A hostile "derived credential" whose blank nodes form the RDFC-1.0 poison clique: the
/// verifier refuses it quickly with the canonicalization limit error.
#[test]
fn poison_graph_is_refused_quickly() {
    let suite = suite();
    let n = 10;
    let graph: Vec<Value> = (0..n)
        .map(|i| {
            let links: Vec<Value> = (0..n)
                .filter(|j| *j != i)
                .map(|j| json!({"@id": format!("_:n{j}")}))
                .collect();
            json!({"@id": format!("_:n{i}"), "http://example.org/p": links})
        })
        .collect();
    // A genuine derived proof, so that verification gets as far as canonicalization.
    let issuer = issuer(5);
    let derived = suite
        .derive(
            &signed(&suite, &issuer),
            &pointers(&["/credentialSubject/gpa"]),
            b"",
        )
        .unwrap();
    let mut doc = json!({"@context": ["https://www.w3.org/ns/credentials/v2"], "@graph": graph});
    doc["proof"] = derived["proof"].clone();
    let started = std::time::Instant::now();
    let r = suite.verify(&doc);
    assert!(
        matches!(r, Err(Error::Rdf(RdfError::CanonicalizationLimit { .. }))),
        "{r:?}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
}
