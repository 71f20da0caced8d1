//! The issuer's policy in the core (`civitas_core::CredentialIssuer`): VC 1.1 credentials issue,
//! derive and verify (the Data Integrity context is added), their validity dates are checked
//! from what was signed and cannot be hidden by the holder, and bad credentials or status
//! indexes are refused before signing.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail by panicking"
)]

use civitas_core::{CredentialError, StatusError};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use civitas_core::bbs::{Ciphersuite, KeyPair, SecretKey};
use civitas_core::bbs2023::Bbs2023;
use civitas_core::did;
use civitas_core::ecdsa::{DeviceKey, EcdsaProofOptions, EcdsaRdfc2019};
use civitas_core::jsonld::JsonLdProcessor;
use civitas_core::status::{
    DecodeLimits, StatusList, StatusListCredential, StatusPurpose, Timestamp,
    build_status_list_credential,
};
use civitas_core::verifier::{Check, Policy, StatusLists, TrustList, Verifier};
use civitas_core::{CredentialIssuer, Error, StatusAssignment};
use civitas_core::{DATA_INTEGRITY_CONTEXT, VC_1_1_CONTEXT};
use serde_json::{Value, json};

const CTX: &str = crate::common::DIPLOMA_CONTEXT;
const LIST_URL: &str = "https://uni.example/status/11";

fn jsonld() -> Arc<JsonLdProcessor> {
    let jsonld = JsonLdProcessor::default();
    crate::common::register_diploma_context(&jsonld);
    Arc::new(jsonld)
}

fn issuer(jsonld: &Arc<JsonLdProcessor>) -> CredentialIssuer {
    let pair = KeyPair::from_secret(
        SecretKey::key_gen(Ciphersuite::Bls12381Sha256, &[11u8; 32], b"", None).unwrap(),
    );
    CredentialIssuer::new(Bbs2023::new(Arc::clone(jsonld)), pair)
}

/// A VC 1.1 diploma: the 1.1 context, `issuanceDate` and `expirationDate`.
fn vc11() -> Value {
    json!({
        "@context": [VC_1_1_CONTEXT, CTX],
        "type": ["VerifiableCredential", "UniversityDegreeCredential"],
        "issuer": "did:example:replaced",
        "issuanceDate": "2026-06-30T00:00:00Z",
        "expirationDate": "2030-06-30T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:citizen-ada",
            "type": ["Person", "Graduate"],
            "givenName": "Ada",
            "degree": {"type": "MasterDegree", "field": "Computer Science"}
        }
    })
}

fn at(s: &str) -> SystemTime {
    let t = Timestamp::parse(s).unwrap();
    SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(t.unix_seconds()).unwrap())
}

fn signed_list(jsonld: &Arc<JsonLdProcessor>, key: &DeviceKey, revoked: &[usize]) -> Value {
    let mut list = StatusList::new(1).unwrap();
    for &i in revoked {
        list.set(i, 1).unwrap();
    }
    let doc = build_status_list_credential(
        LIST_URL,
        &did::did_key(&key.public_key()),
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
fn a_vc_1_1_credential_issues_derives_and_verifies() {
    let jsonld = jsonld();
    let issuer = issuer(&jsonld);
    let status_key = DeviceKey::generate().unwrap();
    let list = signed_list(&jsonld, &status_key, &[]);
    let assignment = StatusAssignment::from_list(
        &StatusListCredential::from_json(&list, &DecodeLimits::default()).unwrap(),
    )
    .unwrap();
    let signed = issuer.issue(vc11(), Some((&assignment, 5)), &[]).unwrap();
    // The proof's terms come from the Data Integrity context, added at the end; the status
    // entry's from the status list context.
    let contexts = signed["@context"].as_array().unwrap();
    assert_eq!(contexts.first().unwrap(), VC_1_1_CONTEXT);
    assert_eq!(contexts.last().unwrap(), DATA_INTEGRITY_CONTEXT);
    assert!(
        contexts
            .iter()
            .any(|c| c == "https://www.w3.org/ns/credentials/status/v1")
    );
    assert_eq!(signed["issuer"], issuer.did());

    let bbs = Bbs2023::new(Arc::clone(&jsonld));
    let derived = bbs
        .derive(
            &signed,
            &["/credentialSubject/degree/field".to_owned()],
            b"",
        )
        .unwrap();
    // The holder disclosed only the degree's field; the validity dates and status are mandatory.
    for field in [
        "issuer",
        "issuanceDate",
        "expirationDate",
        "credentialStatus",
    ] {
        assert!(derived.get(field).is_some(), "{field} hidden: {derived}");
    }
    assert!(derived["credentialSubject"].get("givenName").is_none());

    let trust = TrustList::from_toml(&format!(
        "[[issuer]]\ndid = \"{}\"\nname = \"Uni\"\ncredential_types = [\"UniversityDegreeCredential\"]\nstatus_list_signers = [\"{}\"]\n",
        issuer.did(),
        did::did_key(&status_key.public_key())
    ))
    .unwrap();
    let verifier = Verifier::new(Arc::clone(&jsonld));
    let mut lists = StatusLists::new();
    lists.insert(list).unwrap();
    let ok = verifier
        .verify(
            &derived,
            &Policy::new(trust.clone())
                .dangerous_no_challenge()
                .dangerous_allow_bearer()
                .at(at("2027-01-01T00:00:00Z")),
            &lists,
        )
        .unwrap();
    assert_eq!(ok.credentials()[0].status(), ["revocation: unset"]);

    // VC 1.1 validity is read from the signed issuanceDate and expirationDate.
    for (when, reason) in [
        (
            "2026-06-01T00:00:00Z",
            "not valid before 2026-06-30T00:00:00Z",
        ),
        ("2031-01-01T00:00:00Z", "expired at 2030-06-30T00:00:00Z"),
    ] {
        let r = verifier
            .verify(
                &derived,
                &Policy::new(trust.clone())
                    .dangerous_no_challenge()
                    .dangerous_allow_bearer()
                    .at(at(when)),
                &lists,
            )
            .unwrap_err();
        assert!(
            r.failures()
                .iter()
                .any(|f| f.check == Check::Validity && f.reason == reason),
            "{when}: {r}"
        );
    }
    // Revoked at its index: seen.
    let mut revoked = StatusLists::new();
    revoked
        .insert(signed_list(&jsonld, &status_key, &[5]))
        .unwrap();
    let r = verifier
        .verify(
            &derived,
            &Policy::new(trust)
                .dangerous_no_challenge()
                .dangerous_allow_bearer()
                .at(at("2027-01-01T00:00:00Z")),
            &revoked,
        )
        .unwrap_err();
    assert!(
        r.failures()
            .iter()
            .any(|f| f.check == Check::Status && f.reason.contains("revoked")),
        "{r}"
    );
}

#[test]
fn credentials_outside_the_data_model_are_refused_before_signing() {
    let jsonld = jsonld();
    let issuer = issuer(&jsonld);
    let refused = |doc: Value| match issuer.issue(doc, None, &[]) {
        Err(Error::Credential(CredentialError::Invalid { field, .. })) => field,
        other => panic!("expected a refusal, got {other:?}"),
    };
    let mut no_subject = vc11();
    no_subject
        .as_object_mut()
        .unwrap()
        .remove("credentialSubject");
    assert_eq!(refused(no_subject), "credentialSubject");
    let mut not_a_vc = vc11();
    not_a_vc["type"] = json!(["UniversityDegreeCredential"]);
    assert_eq!(refused(not_a_vc), "type");
    let mut wrong_first_context = vc11();
    wrong_first_context["@context"] = json!([CTX, VC_1_1_CONTEXT]);
    assert_eq!(refused(wrong_first_context), "@context");
    let mut no_issuance_date = vc11();
    no_issuance_date
        .as_object_mut()
        .unwrap()
        .remove("issuanceDate");
    assert_eq!(refused(no_issuance_date), "issuanceDate");
    let mut numeric_issuer = vc11();
    numeric_issuer["issuer"] = json!(7);
    assert_eq!(refused(numeric_issuer), "issuer");
    // The JSON-LD profile the verifier accepts applies too: no inline context.
    let mut inline = vc11();
    inline["@context"] = json!([VC_1_1_CONTEXT, CTX, {"x": "https://x.example/x"}]);
    assert!(matches!(
        issuer.issue(inline, None, &[]),
        Err(Error::Credential(CredentialError::DisallowedJsonLd { .. }))
    ));
}

#[test]
fn a_status_index_outside_the_list_is_refused() {
    let jsonld = jsonld();
    let issuer = issuer(&jsonld);
    let key = DeviceKey::generate().unwrap();
    let list =
        StatusListCredential::from_json(&signed_list(&jsonld, &key, &[]), &DecodeLimits::default())
            .unwrap();
    let assignment = StatusAssignment::from_list(&list).unwrap();
    let entries = assignment.entries();
    assert_eq!(entries, 131_072);
    let last = u64::try_from(entries).unwrap() - 1;
    assert!(
        issuer
            .prepare(vc11(), Some((&assignment, last)), &[])
            .is_ok()
    );
    assert_eq!(
        issuer
            .issue(vc11(), Some((&assignment, last + 1)), &[])
            .unwrap_err(),
        Error::Status(StatusError::IndexOutOfRange {
            index: last + 1,
            len: entries
        })
    );
}
