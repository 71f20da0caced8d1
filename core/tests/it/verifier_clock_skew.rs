//! The clock skew is bounded: `Policy::clock_skew` caps it at `MAX_CLOCK_SKEW` (one hour), and
//! only `Policy::dangerous_clock_skew` goes beyond, which every result then reports.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use civitas_core::bbs::{Ciphersuite, KeyPair, SecretKey};
use civitas_core::bbs2023::{Bbs2023, ProofOptions};
use civitas_core::did;
use civitas_core::jsonld::JsonLdProcessor;
use civitas_core::keys::PublicKey;
use civitas_core::status::Timestamp;
use civitas_core::verifier::{
    Check, Danger, MAX_CLOCK_SKEW, Policy, StatusLists, TrustList, TrustedIssuer, Verifier,
};
use serde_json::Value;

fn at(s: &str) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(Timestamp::parse(s).unwrap().unix_seconds() as u64)
}

#[test]
fn clock_skew_is_capped_at_one_hour_unless_dangerous() {
    let jsonld = JsonLdProcessor::default();
    crate::common::register_diploma_context(&jsonld);
    let jsonld = Arc::new(jsonld);
    let pair = KeyPair::from_secret(
        SecretKey::key_gen(Ciphersuite::Bls12381Sha256, &[9u8; 32], b"", None).unwrap(),
    );
    let issuer = PublicKey::Bls12381G2(pair.public().to_bytes());
    let mut doc: Value = crate::common::diploma();
    doc["issuer"]["id"] = did::did_key(&issuer).into();
    assert_eq!(doc["validUntil"], "2076-06-30T00:00:00Z");
    let bbs = Bbs2023::new(Arc::clone(&jsonld));
    let signed = bbs
        .sign(
            &doc,
            &pair,
            &ProofOptions::assertion(did::verification_method_id(&issuer)),
            &["/issuer", "/validFrom", "/validUntil"].map(String::from),
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
        status_list_signers: vec![],
        status_list_max_age: None,
    }]);
    let verifier = Verifier::new(Arc::clone(&jsonld));
    let lists = StatusLists::new();
    // Two hours after the credential expired.
    let late = at("2076-06-30T02:00:00Z");
    let three_hours = Duration::from_secs(3 * 3600);
    assert_eq!(MAX_CLOCK_SKEW, Duration::from_secs(3600));

    // Within the bound: an hour's skew does not cover two hours.
    let policy = Policy::new(trust.clone())
        .dangerous_no_challenge()
        .dangerous_allow_bearer()
        .at(late)
        .clock_skew(MAX_CLOCK_SKEW);
    let r = verifier.verify(&derived, &policy, &lists).unwrap_err();
    assert!(
        r.failures().iter().any(|f| f.check == Check::Validity),
        "{r}"
    );

    // Three hours asked for the ordinary way: capped at one, still expired, no danger.
    let policy = Policy::new(trust.clone())
        .dangerous_no_challenge()
        .dangerous_allow_bearer()
        .at(late)
        .clock_skew(three_hours);
    assert!(!policy.dangers().contains(&Danger::ClockSkew));
    let r = verifier.verify(&derived, &policy, &lists).unwrap_err();
    assert!(
        r.failures().iter().any(|f| f.check == Check::Validity),
        "{r}"
    );
    assert!(!r.dangers().contains(&Danger::ClockSkew));

    // Three hours as a declared relaxation: accepted, and the result says so.
    let policy = Policy::new(trust.clone())
        .dangerous_no_challenge()
        .dangerous_allow_bearer()
        .at(late)
        .dangerous_clock_skew(three_hours);
    assert_eq!(
        policy.dangers(),
        [Danger::NoChallenge, Danger::AllowBearer, Danger::ClockSkew]
    );
    let ok = verifier.verify(&derived, &policy, &lists).unwrap();
    assert_eq!(
        ok.dangers(),
        [Danger::NoChallenge, Danger::AllowBearer, Danger::ClockSkew]
    );
    assert_eq!(Danger::ClockSkew.flag(), "--dangerous-clock-skew");

    // A rejection under the relaxation reports it too.
    let policy = Policy::new(trust)
        .dangerous_no_challenge()
        .dangerous_allow_bearer()
        .at(at("2076-06-30T04:00:00Z"))
        .dangerous_clock_skew(three_hours);
    let r = verifier.verify(&derived, &policy, &lists).unwrap_err();
    assert_eq!(
        r.dangers(),
        [Danger::NoChallenge, Danger::AllowBearer, Danger::ClockSkew]
    );
}
