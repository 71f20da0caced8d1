//! The verifier's policy over the bbs-2023 holder-secret features: an anonymous
//! presentation bound by a holder secret is accepted without naming any danger, the
//! pseudonym is verified for the desk's own domain and shown, and only the holder of the
//! secret can make one.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use civitas_core::bbs::blind::HolderSecret;
use civitas_core::bbs::pseudonym::ProverNym;
use civitas_core::bbs::{Ciphersuite, KeyPair, SecretKey};
use civitas_core::bbs2023::Feature;
use civitas_core::bbs2023::{Bbs2023, BindingSecrets, ProofOptions, commitment_request};
use civitas_core::did;
use civitas_core::jsonld::JsonLdProcessor;
use civitas_core::keys::PublicKey;
use civitas_core::verifier::{
    Check, HolderBinding, Policy, StatusLists, TrustList, TrustedIssuer, Verifier, request_binding,
};
use serde_json::Value;

#[test]
fn anonymous_pseudonymous_presentations_are_bound_fresh_and_per_desk() {
    let jsonld = JsonLdProcessor::default();
    crate::common::register_diploma_context(&jsonld);
    let jsonld = Arc::new(jsonld);
    let bbs = Bbs2023::new(Arc::clone(&jsonld));
    let pair = KeyPair::from_secret(
        SecretKey::key_gen(Ciphersuite::Bls12381Sha256, &[7u8; 32], b"", None).unwrap(),
    );
    let issuer = PublicKey::Bls12381G2(pair.public().to_bytes());
    let mut doc: Value = crate::common::diploma();
    doc["issuer"]["id"] = did::did_key(&issuer).into();
    // An anonymous credential names no subject DID.
    doc["credentialSubject"]
        .as_object_mut()
        .unwrap()
        .remove("id");

    // The wallet's commitment; the university signs blind.
    let secret = HolderSecret::generate().unwrap();
    let nym = ProverNym::generate().unwrap();
    let (request, blind) =
        commitment_request(Feature::HolderBindingPseudonym, Some(&secret), Some(&nym)).unwrap();
    let signed = bbs
        .sign_blind(
            &doc,
            &pair,
            &ProofOptions::assertion(did::verification_method_id(&issuer)),
            &[
                "/issuer".to_owned(),
                "/validFrom".to_owned(),
                "/validUntil".to_owned(),
            ],
            &request,
        )
        .unwrap();
    let secrets = BindingSecrets::HolderBindingPseudonym {
        holder_secret: &secret,
        prover_nym: &nym,
        prover_blind: &blind,
    };
    let present = |challenge: &str, domain: &str| {
        bbs.derive_bound(
            &signed,
            &["/credentialSubject/degree/name".to_owned()],
            &request_binding(challenge, Some(domain)),
            &secrets,
            Some(domain),
        )
        .unwrap()
    };
    let trust = TrustList::from_issuers(vec![TrustedIssuer {
        jwk: None,
        x509_ca: None,
        did: did::did_key(&issuer),
        name: "Uni".into(),
        credential_types: vec!["UniversityDegreeCredential".into()],
        status_list_signers: vec![],
        status_list_max_age: None,
    }]);
    let at = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let desk = |challenge: &str, domain: &str| {
        Policy::new(trust.clone())
            .at(at)
            .challenge(challenge)
            .domain(domain)
    };
    let verifier = Verifier::new(Arc::clone(&jsonld));
    let lists = StatusLists::new();

    // Accepted with no danger named: bound by the holder secret, fresh for this request.
    let a1 = present("c1", "https://agency-a.example");
    let ok = verifier
        .verify(&a1, &desk("c1", "https://agency-a.example"), &lists)
        .unwrap();
    assert!(ok.dangers().is_empty());
    let cred = &ok.credentials()[0];
    assert_eq!(cred.holder_binding(), HolderBinding::Secret);
    let nym_a = cred.pseudonym().expect("a pseudonym").to_owned();

    // The same citizen again at agency A: the same pseudonym, from a new presentation.
    let a2 = present("c2", "https://agency-a.example");
    let again = verifier
        .verify(&a2, &desk("c2", "https://agency-a.example"), &lists)
        .unwrap();
    assert_eq!(again.credentials()[0].pseudonym(), Some(nym_a.as_str()));

    // At agency B: another pseudonym.
    let b = present("c3", "https://agency-b.example");
    let at_b = verifier
        .verify(&b, &desk("c3", "https://agency-b.example"), &lists)
        .unwrap();
    assert_ne!(at_b.credentials()[0].pseudonym(), Some(nym_a.as_str()));

    // Replayed at A with a new challenge, or shown at B: refused.
    let r = verifier
        .verify(&a1, &desk("c9", "https://agency-a.example"), &lists)
        .unwrap_err();
    assert!(
        r.failures().iter().any(|f| f.check == Check::Challenge),
        "{r}"
    );
    assert!(
        verifier
            .verify(&a1, &desk("c1", "https://agency-b.example"), &lists)
            .is_err()
    );

    // Someone without the secret cannot derive: another holder secret is refused.
    let other = HolderSecret::generate().unwrap();
    let wrong = BindingSecrets::HolderBindingPseudonym {
        holder_secret: &other,
        prover_nym: &nym,
        prover_blind: &blind,
    };
    assert!(
        bbs.derive_bound(
            &signed,
            &["/credentialSubject/degree/name".to_owned()],
            &request_binding("c1", Some("https://agency-a.example")),
            &wrong,
            Some("https://agency-a.example"),
        )
        .is_err()
    );
}
