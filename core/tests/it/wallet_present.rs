//! The citizen's whole path in core: a diploma is imported into the wallet, presented with
//! only the degree through the device key, accepted by the verifier's policy, and recorded in
//! the history; a replay at another visit is rejected.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

use std::sync::Arc;

use civitas_core::DevicePresentationBuilder;
use civitas_core::bbs::{Ciphersuite, KeyPair, SecretKey};
use civitas_core::bbs2023::{Bbs2023, ProofOptions};
use civitas_core::ecdsa::{DeviceKey, EcdsaRdfc2019};
use civitas_core::jsonld::JsonLdProcessor;
use civitas_core::keys::PublicKey;
use civitas_core::verifier::{Check, Policy, StatusLists, TrustList, TrustedIssuer, Verifier};
use civitas_core::wallet::{Disclosure, MemoryStore, PresentationRequest, Wallet};
use civitas_core::{Error, did};
use serde_json::Value;

fn jsonld() -> Arc<JsonLdProcessor> {
    let p = JsonLdProcessor::default();
    crate::common::register_diploma_context(&p);
    Arc::new(p)
}

#[test]
fn import_present_verify_and_history() {
    let jsonld = jsonld();
    // The university issues.
    let pair = KeyPair::from_secret(
        SecretKey::key_gen(Ciphersuite::Bls12381Sha256, &[9u8; 32], b"", None).unwrap(),
    );
    let key = PublicKey::Bls12381G2(pair.public().to_bytes());
    let mut doc: Value = crate::common::diploma();
    doc["issuer"]["id"] = did::did_key(&key).into();
    // Issued to the wallet's device key: the identified kind of presentation.
    let device = DeviceKey::generate().unwrap();
    doc["credentialSubject"]["id"] = did::did_key(&device.public_key()).into();
    let mandatory = vec![
        "/issuer".to_owned(),
        "/validFrom".to_owned(),
        "/validUntil".to_owned(),
    ];
    let signed = Bbs2023::new(Arc::clone(&jsonld))
        .sign(
            &doc,
            &pair,
            &ProofOptions::assertion(did::verification_method_id(&key)),
            &mandatory,
        )
        .unwrap();

    // The citizen imports it and presents only the degree to the agency.
    let wallet = Wallet::new(
        Arc::new(MemoryStore::new()),
        Bbs2023::new(Arc::clone(&jsonld)),
    );
    let summary = wallet
        .import(&serde_json::to_string(&signed).unwrap())
        .unwrap();
    let builder = DevicePresentationBuilder::new(EcdsaRdfc2019::new(Arc::clone(&jsonld)), &device);
    let request = PresentationRequest {
        domain: Some("https://agency.example".into()),
        challenge: Some("n-1".into()),
    };
    let disclosures = [Disclosure {
        credential_id: summary.id.clone(),
        pointers: vec!["/credentialSubject/degree/name".into()],
    }];
    let vp = wallet
        .present(&disclosures, b"", &request, &builder)
        .unwrap();

    // The agency verifies under its policy.
    let trust = TrustList::from_issuers(vec![TrustedIssuer {
        jwk: None,
        x509_ca: None,
        did: did::did_key(&key),
        name: "University of Civitas".into(),
        credential_types: vec!["UniversityDegreeCredential".into()],
        status_list_signers: vec![],
        status_list_max_age: None,
    }]);
    let verifier = Verifier::new(Arc::clone(&jsonld));
    let policy = Policy::new(trust.clone())
        .challenge("n-1")
        .domain("https://agency.example")
        .require("/credentialSubject/degree/name");
    let ok = verifier.verify(&vp, &policy, &StatusLists::new()).unwrap();
    assert_eq!(
        ok.holder(),
        Some(did::did_key(&device.public_key()).as_str())
    );
    let cred = &ok.credentials()[0];
    assert_eq!(cred.issuer_name(), Some("University of Civitas"));
    assert_eq!(
        cred.document()["credentialSubject"]["degree"]["name"],
        "MSc Computer Science"
    );
    assert!(
        cred.document()["credentialSubject"]
            .get("birthDate")
            .is_none()
    );

    // The history says when, to whom and what.
    let history = wallet.history().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].domain.as_deref(), Some("https://agency.example"));
    assert!(
        history[0]
            .disclosed_pointers
            .iter()
            .any(|p| p == "/credentialSubject/degree/name")
    );

    assert_eq!(
        cred.holder_binding(),
        civitas_core::verifier::HolderBinding::Did
    );

    // Someone else wraps the derived credential in a presentation signed by their own key,
    // for the agency's fresh challenge: refused, the credential is not theirs.
    let forwarded_by = DeviceKey::generate().unwrap();
    let derived = vp["verifiableCredential"][0].clone();
    let forwarded = civitas_core::present(
        &EcdsaRdfc2019::new(Arc::clone(&jsonld)),
        vec![derived],
        &forwarded_by,
        "n-3",
        "https://agency.example",
    )
    .unwrap();
    let fresh = Policy::new(trust.clone())
        .challenge("n-3")
        .domain("https://agency.example");
    let refused = verifier
        .verify(&forwarded, &fresh, &StatusLists::new())
        .unwrap_err();
    assert!(
        refused
            .failures()
            .iter()
            .any(|f| f.check == Check::HolderBinding),
        "{refused}"
    );

    // The same presentation at another visit: rejected for its challenge.
    let replay = Policy::new(trust)
        .challenge("n-2")
        .domain("https://agency.example");
    let rejected = verifier
        .verify(&vp, &replay, &StatusLists::new())
        .unwrap_err();
    assert!(
        rejected
            .failures()
            .iter()
            .any(|f| f.check == Check::Challenge),
        "{rejected}"
    );

    // A request without a challenge cannot be answered: no replayable presentations.
    let no_challenge = PresentationRequest {
        domain: Some("https://agency.example".into()),
        challenge: None,
    };
    assert!(matches!(
        wallet.present(&disclosures, b"", &no_challenge, &builder),
        Err(Error::Presentation(_))
    ));
}
