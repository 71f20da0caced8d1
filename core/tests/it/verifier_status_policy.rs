//! The verifier's status list policy: two lists with one id are refused, an unusable source is
//! named when a credential's list is missing, and the trust file's `status_list_max_age` bounds
//! the age of lists without `validUntil`.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

use civitas_core::StatusError;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use civitas_core::bbs::{Ciphersuite, KeyPair, SecretKey};
use civitas_core::bbs2023::{Bbs2023, ProofOptions};
use civitas_core::did;
use civitas_core::ecdsa::{DeviceKey, EcdsaProofOptions, EcdsaRdfc2019};
use civitas_core::jsonld::JsonLdProcessor;
use civitas_core::keys::PublicKey;
use civitas_core::status::{
    StatusList, StatusPurpose, Timestamp, build_status_list_credential, status_entry,
};
use civitas_core::verifier::{Check, Policy, StatusLists, TrustList, Verifier};
use civitas_core::{Error, ErrorKind};
use serde_json::Value;

const LIST_URL: &str = "https://uni.example/status/1";

struct Fixture {
    jsonld: Arc<JsonLdProcessor>,
    issuer: String,
    status_key: DeviceKey,
    derived: Value,
}

fn fixture() -> Fixture {
    let jsonld = JsonLdProcessor::default();
    crate::common::register_diploma_context(&jsonld);
    let jsonld = Arc::new(jsonld);
    let pair = KeyPair::from_secret(
        SecretKey::key_gen(Ciphersuite::Bls12381Sha256, &[5u8; 32], b"", None).unwrap(),
    );
    let issuer = PublicKey::Bls12381G2(pair.public().to_bytes());
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
    Fixture {
        jsonld,
        issuer: did::did_key(&issuer),
        status_key: DeviceKey::generate().unwrap(),
        derived,
    }
}

impl Fixture {
    fn list(&self, revoked: &[usize], valid_from: &str, valid_until: Option<&str>) -> Value {
        let mut list = StatusList::new(1).unwrap();
        for &i in revoked {
            list.set(i, 1).unwrap();
        }
        let signer = did::did_key(&self.status_key.public_key());
        let doc = build_status_list_credential(
            LIST_URL,
            &signer,
            StatusPurpose::Revocation,
            &list,
            valid_from,
            valid_until,
        )
        .unwrap();
        EcdsaRdfc2019::new(Arc::clone(&self.jsonld))
            .sign(
                &doc,
                &self.status_key,
                &EcdsaProofOptions::assertion(self.status_key.verification_method()),
            )
            .unwrap()
    }

    fn trust(&self, extra: &str) -> TrustList {
        TrustList::from_toml(&format!(
            "[[issuer]]\ndid = \"{}\"\nname = \"Uni\"\ncredential_types = [\"UniversityDegreeCredential\"]\nstatus_list_signers = [\"{}\"]\n{extra}",
            self.issuer,
            did::did_key(&self.status_key.public_key())
        ))
        .unwrap()
    }
}

fn at(s: &str) -> SystemTime {
    let t = Timestamp::parse(s).unwrap();
    SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(t.unix_seconds()).unwrap())
}

fn status_reasons(r: &civitas_core::verifier::Rejection) -> Vec<String> {
    r.failures()
        .iter()
        .filter(|f| f.check == Check::Status)
        .map(|f| f.reason.clone())
        .collect()
}

#[test]
fn two_lists_with_one_id_are_refused_and_the_first_is_kept() {
    let f = fixture();
    let mut lists = StatusLists::new();
    // The current list revokes entry 7; a stale copy under the same id does not.
    lists
        .insert(f.list(&[7], "2026-07-01T00:00:00Z", None))
        .unwrap();
    let e = lists
        .insert(f.list(&[], "2026-06-01T00:00:00Z", None))
        .unwrap_err();
    assert_eq!(
        e,
        Error::Status(StatusError::DuplicateList {
            id: LIST_URL.into()
        })
    );
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert_eq!(lists.len(), 1);
    let r = Verifier::new(Arc::clone(&f.jsonld))
        .verify(
            &f.derived,
            &Policy::new(f.trust(""))
                .dangerous_no_challenge()
                .dangerous_allow_bearer(),
            &lists,
        )
        .unwrap_err();
    assert!(
        status_reasons(&r).iter().any(|s| s.contains("revoked")),
        "{r}"
    );
}

#[test]
fn a_missing_list_names_the_unusable_sources() {
    let f = fixture();
    let mut lists = StatusLists::new();
    lists.note_unusable("lists/broken.json");
    assert_eq!(lists.unusable(), ["lists/broken.json"]);
    let r = Verifier::new(Arc::clone(&f.jsonld))
        .verify(
            &f.derived,
            &Policy::new(f.trust(""))
                .dangerous_no_challenge()
                .dangerous_allow_bearer(),
            &lists,
        )
        .unwrap_err();
    let reasons = status_reasons(&r);
    assert!(
        reasons
            .iter()
            .any(|s| s.contains("not available") && s.contains("lists/broken.json")),
        "{r}"
    );
}

#[test]
fn max_age_bounds_lists_without_valid_until() {
    let f = fixture();
    let verifier = Verifier::new(Arc::clone(&f.jsonld));
    let undated_end = f.list(&[], "2026-07-01T00:00:00Z", None);
    let mut lists = StatusLists::new();
    lists.insert(undated_end).unwrap();

    let young = at("2026-07-01T23:00:00Z");
    let old = at("2026-07-02T00:00:01Z");
    // No maximum age: the list is usable at any time after validFrom.
    verifier
        .verify(
            &f.derived,
            &Policy::new(f.trust(""))
                .dangerous_no_challenge()
                .dangerous_allow_bearer()
                .at(old),
            &lists,
        )
        .unwrap();
    for limit in ["\"24h\"", "86400", "\"1440m\"", "\"1d\"", "\"86400s\""] {
        let trust = f.trust(&format!("status_list_max_age = {limit}\n"));
        assert_eq!(
            trust.issuers()[0].status_list_max_age,
            Some(Duration::from_secs(86_400)),
            "{limit}"
        );
        verifier
            .verify(
                &f.derived,
                &Policy::new(trust.clone())
                    .dangerous_no_challenge()
                    .dangerous_allow_bearer()
                    .at(young),
                &lists,
            )
            .unwrap();
        let r = verifier
            .verify(
                &f.derived,
                &Policy::new(trust)
                    .dangerous_no_challenge()
                    .dangerous_allow_bearer()
                    .at(old),
                &lists,
            )
            .unwrap_err();
        assert!(
            status_reasons(&r)
                .iter()
                .any(|s| s.contains("no validUntil") && s.contains("86400 s")),
            "{r}"
        );
    }

    // A list with validUntil is bounded by it, not by the maximum age.
    let mut lists = StatusLists::new();
    lists
        .insert(f.list(&[], "2026-07-01T00:00:00Z", Some("2027-07-01T00:00:00Z")))
        .unwrap();
    verifier
        .verify(
            &f.derived,
            &Policy::new(f.trust("status_list_max_age = \"1h\"\n"))
                .dangerous_no_challenge()
                .dangerous_allow_bearer()
                .at(old),
            &lists,
        )
        .unwrap();
}

#[test]
fn max_age_format_is_refused_when_unclear() {
    let f = fixture();
    for bad in [
        "0",
        "\"0h\"",
        "\"24\"",
        "\"h\"",
        "\"-1h\"",
        "\"1.5h\"",
        "\"24 h\"",
        "\"24H\"",
        "\"1w\"",
        "-5",
        "true",
        "\"99999999999999999999d\"",
    ] {
        let text = format!(
            "[[issuer]]\ndid = \"{}\"\nname = \"Uni\"\ncredential_types = []\nstatus_list_max_age = {bad}\n",
            f.issuer
        );
        let e = TrustList::from_toml(&text).unwrap_err();
        assert!(e.to_string().contains("status_list_max_age"), "{bad}: {e}");
    }
}
