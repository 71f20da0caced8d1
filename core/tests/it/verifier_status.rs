//! The verifier's status checks with a reused Verifier: a verified status list is remembered,
//! but a list whose content changed under the same URL is verified again (and a forged one is
//! rejected), and revocation is seen at once.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

use std::sync::Arc;

use civitas_core::bbs::{Ciphersuite, KeyPair, SecretKey};
use civitas_core::bbs2023::{Bbs2023, ProofOptions};
use civitas_core::did;
use civitas_core::ecdsa::{DeviceKey, EcdsaProofOptions, EcdsaRdfc2019};
use civitas_core::jsonld::JsonLdProcessor;
use civitas_core::keys::PublicKey;
use civitas_core::status::{StatusList, StatusPurpose, build_status_list_credential, status_entry};
use civitas_core::verifier::{Check, Policy, StatusLists, TrustList, TrustedIssuer, Verifier};
use serde_json::Value;

const LIST_URL: &str = "https://uni.example/status/1";

fn signed_list(jsonld: &Arc<JsonLdProcessor>, key: &DeviceKey, revoked: &[usize]) -> Value {
    let mut list = StatusList::new(1).unwrap();
    for &i in revoked {
        list.set(i, 1).unwrap();
    }
    let signer = did::did_key(&key.public_key());
    let doc = build_status_list_credential(
        LIST_URL,
        &signer,
        StatusPurpose::Revocation,
        &list,
        "2026-01-01T00:00:00Z",
        None,
    )
    .unwrap();
    EcdsaRdfc2019::new(Arc::clone(jsonld))
        .sign(
            &doc,
            key,
            &EcdsaProofOptions::assertion(key.verification_method()),
        )
        .unwrap()
}

#[test]
fn cached_status_lists_are_rechecked_when_they_change() {
    let jsonld = JsonLdProcessor::default();
    crate::common::register_diploma_context(&jsonld);
    let jsonld = Arc::new(jsonld);
    let pair = KeyPair::from_secret(
        SecretKey::key_gen(Ciphersuite::Bls12381Sha256, &[4u8; 32], b"", None).unwrap(),
    );
    let issuer = PublicKey::Bls12381G2(pair.public().to_bytes());
    let status_key = DeviceKey::generate().unwrap();

    let mut doc: Value = crate::common::diploma();
    doc["issuer"]["id"] = did::did_key(&issuer).into();
    doc["credentialStatus"] = status_entry(LIST_URL, StatusPurpose::Revocation, 7).unwrap();
    let mandatory = ["/issuer", "/validFrom", "/validUntil", "/credentialStatus"].map(String::from);
    let bbs = Bbs2023::new(Arc::clone(&jsonld));
    let signed = bbs
        .sign(
            &doc,
            &pair,
            &ProofOptions::assertion(did::verification_method_id(&issuer)),
            &mandatory,
        )
        .unwrap();
    let derived = bbs
        .derive(&signed, &["/credentialSubject/degree/name".to_owned()], b"")
        .unwrap();

    let trust = TrustList::from_issuers(vec![TrustedIssuer {
        jwk: None,
        x509_ca: None,
        did: did::did_key(&issuer),
        name: "Uni".into(),
        credential_types: vec!["UniversityDegreeCredential".into()],
        status_list_signers: vec![did::did_key(&status_key.public_key())],
        status_list_max_age: None,
    }]);
    let policy = Policy::new(trust)
        .dangerous_no_challenge()
        .dangerous_allow_bearer();
    let verifier = Verifier::new(Arc::clone(&jsonld));

    let mut lists = StatusLists::new();
    lists
        .insert(signed_list(&jsonld, &status_key, &[]))
        .unwrap();
    for _ in 0..2 {
        let ok = verifier.verify(&derived, &policy, &lists).unwrap();
        assert_eq!(ok.credentials()[0].status(), ["revocation: unset"]);
    }

    // A forged list: the entry flipped to "not revoked" under the old signature of a list that
    // revoked it. Its content differs, so it is verified again, and the signature fails.
    let revoking = signed_list(&jsonld, &status_key, &[7]);
    let mut forged = revoking.clone();
    forged["credentialSubject"]["encodedList"] =
        signed_list(&jsonld, &status_key, &[])["credentialSubject"]["encodedList"].clone();
    let mut lists = StatusLists::new();
    lists.insert(forged).unwrap();
    let r = verifier.verify(&derived, &policy, &lists).unwrap_err();
    assert!(r.failures().iter().any(|f| f.check == Check::Status), "{r}");

    // The genuine revoking list: revoked, at once.
    let mut lists = StatusLists::new();
    lists.insert(revoking).unwrap();
    let r = verifier.verify(&derived, &policy, &lists).unwrap_err();
    assert!(
        r.failures()
            .iter()
            .any(|f| f.check == Check::Status && f.reason.contains("revoked")),
        "{r}"
    );
}
