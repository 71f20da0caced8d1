//! The wallet's side of bound credentials: a credential request made inside the wallet, a
//! blind credential issued on it, its import (checked with the wallet's secrets), anonymous
//! presentations with a pseudonym per verifier, and what the consent summary says about it.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

use civitas_core::{Bbs2023Error, BbsError, WalletError};
use std::sync::Arc;

use civitas_core::bbs::{Ciphersuite, KeyPair, SecretKey};
use civitas_core::bbs2023::Feature;
use civitas_core::bbs2023::{Bbs2023, CommitmentRequest};
use civitas_core::ecdsa::{DeviceKey, EcdsaRdfc2019};
use civitas_core::jsonld::JsonLdProcessor;
use civitas_core::verifier::{
    Check, HolderBinding, Policy, StatusLists, TrustList, TrustedIssuer, Verifier,
};
use civitas_core::wallet::{
    CredentialStore, Disclosure, MAX_PENDING_REQUESTS, MemoryStore, PresentationRequest,
    PseudonymUse, SECRETS_RECORD_ID, Wallet,
};
use civitas_core::{CredentialIssuer, Error};
use serde_json::{Value, json};

const A: &str = "https://agency-a.example";
const B: &str = "https://agency-b.example";
const DEGREE: &str = "/credentialSubject/degree/name";

struct World {
    jsonld: Arc<JsonLdProcessor>,
    issuer: CredentialIssuer,
    trust: TrustList,
    doc: Value,
}

fn world() -> World {
    let p = JsonLdProcessor::default();
    crate::common::register_diploma_context(&p);
    let jsonld = Arc::new(p);
    let pair = KeyPair::from_secret(
        SecretKey::key_gen(Ciphersuite::Bls12381Sha256, &[11u8; 32], b"", None).unwrap(),
    );
    let issuer = CredentialIssuer::new(Bbs2023::new(Arc::clone(&jsonld)), pair);
    let mut doc: Value = crate::common::diploma();
    // A bound credential names no subject DID: the holder secret binds it.
    doc["credentialSubject"]
        .as_object_mut()
        .unwrap()
        .remove("id");
    let trust = TrustList::from_issuers(vec![TrustedIssuer {
        jwk: None,
        x509_ca: None,
        did: issuer.did().to_owned(),
        name: "Uni".into(),
        credential_types: vec!["UniversityDegreeCredential".into()],
        status_list_signers: vec![],
        status_list_max_age: None,
    }]);
    World {
        jsonld,
        issuer,
        trust,
        doc,
    }
}

impl World {
    fn wallet(&self) -> (Wallet, Arc<MemoryStore>) {
        let store = Arc::new(MemoryStore::new());
        let w = Wallet::new(
            Arc::clone(&store) as Arc<dyn CredentialStore>,
            Bbs2023::new(Arc::clone(&self.jsonld)),
        );
        (w, store)
    }

    /// The issuer signs the diploma on a request that travelled as JSON.
    fn issue(&self, request: &CommitmentRequest) -> Value {
        let wire = request.to_json().to_string();
        let parsed = CommitmentRequest::from_json(&serde_json::from_str(&wire).unwrap()).unwrap();
        assert_eq!(&parsed, request);
        self.issuer
            .issue_bound(self.doc.clone(), None, &[], &parsed)
            .unwrap()
    }

    fn desk(&self, challenge: &str, domain: &str) -> Policy {
        Policy::new(self.trust.clone())
            .challenge(challenge)
            .domain(domain)
    }
}

fn disclose(id: &str) -> Vec<Disclosure> {
    vec![Disclosure {
        credential_id: id.to_owned(),
        pointers: vec![DEGREE.to_owned()],
    }]
}

fn request(challenge: &str, domain: &str) -> PresentationRequest {
    PresentationRequest {
        domain: Some(domain.to_owned()),
        challenge: Some(challenge.to_owned()),
    }
}

#[test]
fn a_bound_credential_goes_from_request_to_anonymous_presentations_with_a_pseudonym_per_desk() {
    let w = world();
    let (wallet, _) = w.wallet();
    let req = wallet
        .credential_request(Feature::HolderBindingPseudonym, Some(w.issuer.did()))
        .unwrap();
    assert_eq!(wallet.pending_requests().unwrap(), 1);
    let signed = w.issue(&req);
    let summary = wallet.import(&signed.to_string()).unwrap();
    assert_eq!(summary.binding, Feature::HolderBindingPseudonym);
    assert_eq!(
        wallet.pending_requests().unwrap(),
        0,
        "the request is used up"
    );
    let id = summary.id;

    // Consent: a pseudonym agency A has not seen.
    let consent = wallet
        .disclosure_preview(&id, &[DEGREE.into()], Some(A))
        .unwrap();
    assert_eq!(consent.pseudonym, PseudonymUse::FirstTime);

    let verifier = Verifier::new(Arc::clone(&w.jsonld));
    let lists = StatusLists::new();
    let vp1 = wallet
        .present_anonymous(&disclose(&id), &request("c1", A))
        .unwrap();
    assert!(vp1.get("holder").is_none() && vp1.get("proof").is_none());
    let ok = verifier.verify(&vp1, &w.desk("c1", A), &lists).unwrap();
    assert!(ok.dangers().is_empty(), "no danger is needed");
    assert_eq!(ok.holder(), None);
    let cred = &ok.credentials()[0];
    assert_eq!(cred.holder_binding(), HolderBinding::Secret);
    let nym_a = cred.pseudonym().unwrap().to_owned();

    // Now agency A has seen it; agency B has not.
    let consent = wallet
        .disclosure_preview(&id, &[DEGREE.into()], Some(A))
        .unwrap();
    assert_eq!(consent.pseudonym, PseudonymUse::Returning);
    let consent = wallet
        .disclosure_preview(&id, &[DEGREE.into()], Some(B))
        .unwrap();
    assert_eq!(consent.pseudonym, PseudonymUse::FirstTime);

    // Again at A: the same pseudonym; at B: another.
    let vp2 = wallet
        .present_anonymous(&disclose(&id), &request("c2", A))
        .unwrap();
    let again = verifier.verify(&vp2, &w.desk("c2", A), &lists).unwrap();
    assert_eq!(again.credentials()[0].pseudonym(), Some(nym_a.as_str()));
    let vp3 = wallet
        .present_anonymous(&disclose(&id), &request("c3", B))
        .unwrap();
    let at_b = verifier.verify(&vp3, &w.desk("c3", B), &lists).unwrap();
    assert_ne!(at_b.credentials()[0].pseudonym(), Some(nym_a.as_str()));

    // Replayed (another challenge), or shown at B: refused.
    let replay = verifier.verify(&vp1, &w.desk("c9", A), &lists).unwrap_err();
    assert!(
        replay
            .failures()
            .iter()
            .any(|f| f.check == Check::Challenge),
        "{replay}"
    );
    assert!(verifier.verify(&vp1, &w.desk("c1", B), &lists).is_err());

    // An unsigned presentation that claims a holder is refused.
    let mut claimed = vp1.clone();
    claimed["holder"] = "did:example:mallory".into();
    let r = verifier
        .verify(&claimed, &w.desk("c1", A), &lists)
        .unwrap_err();
    assert!(
        r.failures().iter().any(|f| f.check == Check::HolderProof),
        "{r}"
    );

    // Someone else takes the derived diploma out of a presentation and wraps it in one signed
    // by their own key for a fresh challenge: the proof is still bound to the first request.
    let thief = DeviceKey::generate().unwrap();
    let ecdsa = EcdsaRdfc2019::new(Arc::clone(&w.jsonld));
    let forwarded = civitas_core::present(
        &ecdsa,
        vec![vp1["verifiableCredential"][0].clone()],
        &thief,
        "c9",
        A,
    )
    .unwrap();
    let r = verifier
        .verify(&forwarded, &w.desk("c9", A), &lists)
        .unwrap_err();
    assert!(
        r.failures().iter().any(|f| f.check == Check::Challenge),
        "{r}"
    );

    // Three presentations recorded.
    assert_eq!(wallet.history().unwrap().len(), 3);
}

#[test]
fn only_the_wallet_that_asked_can_import_the_credential() {
    let w = world();
    let (asker, _) = w.wallet();
    let req = asker
        .credential_request(Feature::AnonymousHolderBinding, None)
        .unwrap();
    let signed = w.issue(&req).to_string();

    // Another wallet, with no secrets or with its own: refused, with the reason.
    let (stranger, _) = w.wallet();
    let e = stranger.import(&signed).unwrap_err();
    assert!(matches!(e, Error::Wallet(WalletError::Refused(_))), "{e}");
    stranger
        .credential_request(Feature::AnonymousHolderBinding, None)
        .unwrap();
    let e = stranger.import(&signed).unwrap_err();
    assert!(matches!(e, Error::Wallet(WalletError::Refused(_))), "{e}");
    assert!(stranger.list().unwrap().is_empty());

    // A claim changed after issuance: the signature no longer verifies with any request (a
    // non-mandatory claim is a signed message, so it cannot be told from another wallet's);
    // a mandatory one is not what the issuer signed.
    let mut altered: Value = serde_json::from_str(&signed).unwrap();
    altered["credentialSubject"]["degree"]["name"] = "Doctor of Everything".into();
    let e = asker.import(&altered.to_string()).unwrap_err();
    assert!(matches!(e, Error::Wallet(WalletError::Refused(_))), "{e}");
    let mut altered: Value = serde_json::from_str(&signed).unwrap();
    altered["validUntil"] = "2099-01-01T00:00:00Z".into();
    let e = asker.import(&altered.to_string()).unwrap_err();
    assert!(
        matches!(e, Error::Bbs2023(Bbs2023Error::VerificationFailed(_))),
        "{e}"
    );

    // The wallet that asked imports it, and again (the request is used up, the blind kept).
    let id = asker.import(&signed).unwrap().id;
    assert_eq!(asker.import(&signed).unwrap().id, id);
    assert_eq!(asker.list().unwrap().len(), 1);
}

#[test]
fn a_request_for_another_issuer_does_not_accept_this_one() {
    let w = world();
    let (wallet, _) = w.wallet();
    let req = wallet
        .credential_request(
            Feature::AnonymousHolderBinding,
            Some("did:key:zSomeoneElse"),
        )
        .unwrap();
    let e = wallet.import(&w.issue(&req).to_string()).unwrap_err();
    assert!(matches!(e, Error::Wallet(WalletError::Refused(_))), "{e}");
}

#[test]
fn anonymous_presentations_need_a_challenge_and_a_holder_secret() {
    let w = world();
    let (wallet, _) = w.wallet();
    // A baseline credential: nothing binds it to the wallet.
    let mut doc = w.doc.clone();
    doc["credentialSubject"]["id"] = "did:example:ada".into();
    let baseline = w.issuer.issue(doc, None, &[]).unwrap();
    let plain = wallet.import(&baseline.to_string()).unwrap();
    assert_eq!(plain.binding, Feature::Baseline);
    let e = wallet
        .present_anonymous(&disclose(&plain.id), &request("c1", A))
        .unwrap_err();
    assert!(matches!(e, Error::Wallet(WalletError::Refused(_))), "{e}");

    // A pseudonym-only credential is not bound to the holder secret either.
    let req = wallet.credential_request(Feature::Pseudonym, None).unwrap();
    let nym_only = wallet.import(&w.issue(&req).to_string()).unwrap();
    assert_eq!(nym_only.binding, Feature::Pseudonym);
    assert!(matches!(
        wallet.present_anonymous(&disclose(&nym_only.id), &request("c1", A)),
        Err(Error::Wallet(WalletError::Refused(_)))
    ));

    let req = wallet
        .credential_request(Feature::AnonymousHolderBinding, None)
        .unwrap();
    let bound = wallet.import(&w.issue(&req).to_string()).unwrap();
    let no_challenge = PresentationRequest {
        domain: Some(A.into()),
        challenge: None,
    };
    assert!(matches!(
        wallet.present_anonymous(&disclose(&bound.id), &no_challenge),
        Err(Error::Wallet(WalletError::Refused(_)))
    ));
    // Nothing refused was recorded.
    assert!(wallet.history().unwrap().is_empty());
    // Holder binding without pseudonym: accepted, no pseudonym shown.
    let vp = wallet
        .present_anonymous(&disclose(&bound.id), &request("c1", A))
        .unwrap();
    let ok = Verifier::new(Arc::clone(&w.jsonld))
        .verify(&vp, &w.desk("c1", A), &StatusLists::new())
        .unwrap();
    assert_eq!(ok.credentials()[0].holder_binding(), HolderBinding::Secret);
    assert_eq!(ok.credentials()[0].pseudonym(), None);
    assert_eq!(
        wallet
            .disclosure_preview(&bound.id, &[], Some(A))
            .unwrap()
            .pseudonym,
        PseudonymUse::None
    );
}

#[test]
fn the_pseudonym_changes_with_the_issuers_entropy() {
    // Two credentials of one wallet (one prover nym), each with its issuer's fresh entropy:
    // one verifier sees two different pseudonyms.
    let w = world();
    let (wallet, _) = w.wallet();
    let mut nyms = Vec::new();
    for challenge in ["c1", "c2"] {
        let req = wallet
            .credential_request(Feature::HolderBindingPseudonym, None)
            .unwrap();
        let id = wallet.import(&w.issue(&req).to_string()).unwrap().id;
        let vp = wallet
            .present_anonymous(&disclose(&id), &request(challenge, A))
            .unwrap();
        let ok = Verifier::new(Arc::clone(&w.jsonld))
            .verify(&vp, &w.desk(challenge, A), &StatusLists::new())
            .unwrap();
        nyms.push(ok.credentials()[0].pseudonym().unwrap().to_owned());
    }
    assert_ne!(nyms[0], nyms[1]);
}

#[test]
fn requests_are_fresh_and_carry_no_secret() {
    let w = world();
    let (wallet, store) = w.wallet();
    let r1 = wallet
        .credential_request(Feature::HolderBindingPseudonym, None)
        .unwrap();
    let r2 = wallet
        .credential_request(Feature::HolderBindingPseudonym, None)
        .unwrap();
    assert_ne!(
        r1.to_json(),
        r2.to_json(),
        "two commitments to one secret differ"
    );

    // The secrets record: holder secret and prover nym, 32 bytes each after the tag.
    let record = store.get(SECRETS_RECORD_ID).unwrap().unwrap();
    let secrets = &record[record.len() - 64..];
    let req = wallet
        .credential_request(Feature::AnonymousHolderBinding, None)
        .unwrap();
    let id = wallet.import(&w.issue(&req).to_string()).unwrap().id;
    let vp = wallet
        .present_anonymous(&disclose(&id), &request("c1", A))
        .unwrap();
    let outputs = [
        r1.to_json().to_string(),
        vp.to_string(),
        format!("{wallet:?}"),
        format!("{:?}", wallet.list().unwrap()),
    ];
    for secret in secrets.chunks(32) {
        let hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();
        let b64 = civitas_core::keys::encode_base64url(secret);
        for out in &outputs {
            assert!(!out.contains(&hex) && !out.contains(&b64));
        }
    }
    // The derived proof bytes hold no secret either.
    let proof = vp["verifiableCredential"][0]["proof"]["proofValue"]
        .as_str()
        .unwrap();
    let bytes = civitas_core::keys::decode_base64url(&proof[1..]).unwrap();
    for secret in secrets.chunks(32) {
        assert!(!bytes.windows(32).any(|w| w == secret));
    }
}

#[test]
fn at_most_so_many_requests_wait_and_baseline_is_not_a_request() {
    let w = world();
    let (wallet, _) = w.wallet();
    let first = wallet
        .credential_request(Feature::AnonymousHolderBinding, None)
        .unwrap();
    for _ in 0..MAX_PENDING_REQUESTS {
        wallet
            .credential_request(Feature::AnonymousHolderBinding, None)
            .unwrap();
    }
    assert_eq!(wallet.pending_requests().unwrap(), MAX_PENDING_REQUESTS);
    // The oldest was dropped: its credential can no longer be imported.
    assert!(matches!(
        wallet.import(&w.issue(&first).to_string()),
        Err(Error::Wallet(WalletError::Refused(_)))
    ));
    assert!(matches!(
        wallet.credential_request(Feature::Baseline, None),
        Err(Error::Wallet(WalletError::Refused(_)))
    ));
}

#[test]
fn malformed_credential_requests_are_refused_with_a_reason() {
    let w = world();
    let (wallet, _) = w.wallet();
    let good = wallet
        .credential_request(Feature::AnonymousHolderBinding, None)
        .unwrap()
        .to_json();
    let with = |k: &str, v: Value| {
        let mut r = good.clone();
        r[k] = v;
        r
    };
    let bad = [
        json!([]),
        with("extra", json!(1)),
        with("type", json!("Something")),
        with("version", json!(2)),
        with("feature", json!("baseline")),
        with("feature", json!("nonsense")),
        // One committed value, but holder_binding_pseudonym needs two.
        with("feature", json!("holder_binding_pseudonym")),
        with("commitmentWithProof", json!("zabc")),
        with("commitmentWithProof", json!("uAAAA")),
        with("commitmentWithProof", json!(7)),
    ];
    for b in bad {
        let e = CommitmentRequest::from_json(&b).unwrap_err();
        assert!(!e.to_string().is_empty());
    }
    // A commitment whose proof was altered: the issuer refuses to sign.
    let text = good["commitmentWithProof"].as_str().unwrap();
    let mut bytes = civitas_core::keys::decode_base64url(&text[1..]).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    let tampered = with(
        "commitmentWithProof",
        civitas_core::keys::Base::Base64Url.encode(&bytes).into(),
    );
    // The last byte of the proof's challenge scalar: still a valid encoding.
    let req = CommitmentRequest::from_json(&tampered).unwrap();
    let e = w
        .issuer
        .issue_bound(w.doc.clone(), None, &[], &req)
        .unwrap_err();
    assert!(
        matches!(e, Error::Bbs(BbsError::CommitmentProofInvalid)),
        "{e}"
    );
}

#[test]
fn two_presentations_of_one_credential_share_no_proof_bytes() {
    use civitas_core::bbs2023::DerivedProofValue;
    let w = world();
    let (wallet, _) = w.wallet();
    for feature in [
        Feature::AnonymousHolderBinding,
        Feature::HolderBindingPseudonym,
    ] {
        let req = wallet.credential_request(feature, None).unwrap();
        let id = wallet.import(&w.issue(&req).to_string()).unwrap().id;
        let proof = |challenge: &str| {
            let vp = wallet
                .present_anonymous(&disclose(&id), &request(challenge, A))
                .unwrap();
            DerivedProofValue::parse(
                vp["verifiableCredential"][0]["proof"]["proofValue"]
                    .as_str()
                    .unwrap(),
            )
            .unwrap()
            .bbs_proof
        };
        // The same verifier (so the same pseudonym, which is outside the BBS proof bytes).
        let (p1, p2) = (proof("c1"), proof("c2"));
        let windows: std::collections::HashSet<&[u8]> = p1.windows(32).collect();
        assert!(
            !p2.windows(32).any(|w| windows.contains(w)),
            "{feature:?}: two BBS proofs share a 32-byte window"
        );
    }
}
