//! What the verifier checks and shows is what was signed: JSON rewrites that keep the signed
//! RDF (a member moved under `@nest`, the full IRI as the key, an alias from an appended
//! inline context, an `@index` member that produces no statement) must never hide a
//! revocation, an expiry, or show an unsigned claim. Each case here was accepted before the
//! policy read its fields from the verified statements.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use civitas_core::bbs::{Ciphersuite, KeyPair, SecretKey};
use civitas_core::bbs2023::{Bbs2023, ProofOptions};
use civitas_core::did;
use civitas_core::ecdsa::{DeviceKey, EcdsaProofOptions, EcdsaRdfc2019};
use civitas_core::jsonld::JsonLdProcessor;
use civitas_core::keys::PublicKey;
use civitas_core::status::{StatusList, StatusPurpose, build_status_list_credential, status_entry};
use civitas_core::verifier::{
    Check, Policy, Rejection, StatusLists, TrustList, TrustedIssuer, Verifier,
};
use serde_json::{Value, json};

const LIST_URL: &str = "https://uni.example/status/1";
const CRED: &str = "https://www.w3.org/2018/credentials#";

struct Desk {
    jsonld: Arc<JsonLdProcessor>,
    pair: KeyPair,
    issuer: PublicKey,
    status_key: DeviceKey,
    verifier: Verifier,
}

impl Desk {
    fn new() -> Self {
        let jsonld = JsonLdProcessor::default();
        crate::common::register_diploma_context(&jsonld);
        let jsonld = Arc::new(jsonld);
        let pair = KeyPair::from_secret(
            SecretKey::key_gen(Ciphersuite::Bls12381Sha256, &[9u8; 32], b"", None).unwrap(),
        );
        let issuer = PublicKey::Bls12381G2(pair.public().to_bytes());
        Desk {
            verifier: Verifier::new(Arc::clone(&jsonld)),
            jsonld,
            pair,
            issuer,
            status_key: DeviceKey::generate().unwrap(),
        }
    }

    fn diploma(&self) -> Value {
        let mut doc: Value = crate::common::diploma();
        doc["issuer"]["id"] = did::did_key(&self.issuer).into();
        doc["credentialStatus"] = status_entry(LIST_URL, StatusPurpose::Revocation, 7).unwrap();
        doc
    }

    /// Signed with the issuer's usual mandatory pointers, derived disclosing the degree name.
    fn derived(&self, doc: &Value) -> Value {
        let mandatory =
            ["/issuer", "/validFrom", "/validUntil", "/credentialStatus"].map(String::from);
        let bbs = Bbs2023::new(Arc::clone(&self.jsonld));
        let signed = bbs
            .sign(
                doc,
                &self.pair,
                &ProofOptions::assertion(did::verification_method_id(&self.issuer)),
                &mandatory,
            )
            .unwrap();
        bbs.derive(&signed, &["/credentialSubject/degree/name".to_owned()], b"")
            .unwrap()
    }

    fn list(&self, revoked: &[usize], valid_until: Option<&str>) -> Value {
        let mut list = StatusList::new(1).unwrap();
        for &i in revoked {
            list.set(i, 1).unwrap();
        }
        let doc = build_status_list_credential(
            LIST_URL,
            &did::did_key(&self.status_key.public_key()),
            StatusPurpose::Revocation,
            &list,
            "2026-01-01T00:00:00Z",
            valid_until,
        )
        .unwrap();
        self.sign_list(&doc)
    }

    fn sign_list(&self, doc: &Value) -> Value {
        EcdsaRdfc2019::new(Arc::clone(&self.jsonld))
            .sign(
                doc,
                &self.status_key,
                &EcdsaProofOptions::assertion(self.status_key.verification_method()),
            )
            .unwrap()
    }

    fn policy(&self, types: &[&str]) -> Policy {
        Policy::new(TrustList::from_issuers(vec![TrustedIssuer {
            jwk: None,
            x509_ca: None,
            did: did::did_key(&self.issuer),
            name: "Uni".into(),
            credential_types: types.iter().map(|t| (*t).to_owned()).collect(),
            status_list_signers: vec![did::did_key(&self.status_key.public_key())],
            status_list_max_age: None,
        }]))
        .at(UNIX_EPOCH + Duration::from_secs(1_800_000_000)) // 2027-01-15
        // Bare credentials, no request: these tests are about what was signed.
        .dangerous_no_challenge()
        .dangerous_allow_bearer()
    }

    /// The mutant's proof still verifies: the rewrite kept the signed statements.
    fn still_signed(&self, mutant: &Value) {
        Bbs2023::new(Arc::clone(&self.jsonld))
            .verify(mutant)
            .expect("the rewrite must keep the signed statements");
    }

    fn verify(&self, input: &Value, policy: &Policy, lists: &[Value]) -> Result<(), Rejection> {
        let mut set = StatusLists::new();
        for l in lists {
            set.insert(l.clone()).unwrap();
        }
        self.verifier.verify(input, policy, &set).map(|_| ())
    }
}

fn rename(doc: &mut Value, from: &str, to: &str) {
    let o = doc.as_object_mut().unwrap();
    let v = o.remove(from).unwrap();
    o.insert(to.to_owned(), v);
}

/// A `dateTime` member under its full IRI, typed as the context would type it: the same
/// statement as before.
fn rename_date(doc: &mut Value, from: &str) {
    let o = doc.as_object_mut().unwrap();
    let v = o.remove(from).unwrap();
    o.insert(
        format!("{CRED}{from}"),
        json!({"@value": v, "@type": "http://www.w3.org/2001/XMLSchema#dateTime"}),
    );
}

fn has(r: &Rejection, check: Check) -> bool {
    r.failures().iter().any(|f| f.check == check)
}

#[test]
fn a_revoked_credential_stays_revoked_under_every_spelling_of_its_status() {
    let desk = Desk::new();
    let derived = desk.derived(&desk.diploma());
    let policy = desk.policy(&["UniversityDegreeCredential"]);
    let revoking = desk.list(&[7], None);
    let r = desk
        .verify(&derived, &policy, std::slice::from_ref(&revoking))
        .unwrap_err();
    assert!(has(&r, Check::Status), "{r}");

    let full_iri = {
        let mut d = derived.clone();
        rename(
            &mut d,
            "credentialStatus",
            &format!("{CRED}credentialStatus"),
        );
        d
    };
    let nested = {
        let mut d = derived.clone();
        let cs = d
            .as_object_mut()
            .unwrap()
            .remove("credentialStatus")
            .unwrap();
        d["@nest"] = json!({ "credentialStatus": cs });
        d
    };
    let aliased = {
        let mut d = derived.clone();
        d["@context"]
            .as_array_mut()
            .unwrap()
            .push(json!({"st": format!("{CRED}credentialStatus")}));
        rename(&mut d, "credentialStatus", "st");
        d
    };
    for (name, mutant) in [
        ("full IRI", full_iri),
        ("@nest", nested),
        ("alias", aliased),
    ] {
        desk.still_signed(&mutant);
        let r = desk
            .verify(&mutant, &policy, std::slice::from_ref(&revoking))
            .expect_err(name);
        assert!(has(&r, Check::Format), "{name}: {r}");
    }
}

#[test]
fn an_expired_credential_stays_expired_when_its_validity_is_renamed() {
    let desk = Desk::new();
    let derived = desk.derived(&desk.diploma());
    let lists = [desk.list(&[], None)];
    let later = desk
        .policy(&["UniversityDegreeCredential"])
        .at(UNIX_EPOCH + Duration::from_secs(3_500_000_000)); // 2080
    let r = desk.verify(&derived, &later, &lists).unwrap_err();
    assert!(has(&r, Check::Validity), "{r}");
    let mut mutant = derived.clone();
    rename_date(&mut mutant, "validUntil");
    desk.still_signed(&mutant);
    let r = desk.verify(&mutant, &later, &lists).unwrap_err();
    assert!(has(&r, Check::Format), "{r}");
}

#[test]
fn an_unsigned_index_member_is_not_shown_as_a_claim() {
    let desk = Desk::new();
    let derived = desk.derived(&desk.diploma());
    let policy = desk.policy(&["UniversityDegreeCredential"]);
    let lists = [desk.list(&[], None)];
    desk.verify(&derived, &policy, &lists).unwrap();
    let mut mutant = derived.clone();
    mutant["credentialSubject"]["degree"]["@index"] = json!("PhD summa cum laude");
    desk.still_signed(&mutant);
    let r = desk.verify(&mutant, &policy, &lists).unwrap_err();
    assert!(has(&r, Check::Format), "{r}");
}

#[test]
fn an_expired_status_list_stays_expired_when_its_validity_is_renamed() {
    let desk = Desk::new();
    let derived = desk.derived(&desk.diploma());
    let policy = desk.policy(&["UniversityDegreeCredential"]);
    // The list expired in 2026; the desk checks at 2027.
    let list = desk.list(&[], Some("2026-06-01T00:00:00Z"));
    let r = desk
        .verify(&derived, &policy, std::slice::from_ref(&list))
        .unwrap_err();
    assert!(has(&r, Check::Status), "{r}");
    let mut mutant = list.clone();
    rename_date(&mut mutant, "validUntil");
    EcdsaRdfc2019::new(Arc::clone(&desk.jsonld))
        .verify(&mutant)
        .expect("the rewrite must keep the signed statements");
    let r = desk.verify(&derived, &policy, &[mutant]).unwrap_err();
    assert!(has(&r, Check::Status), "{r}");
}

#[test]
fn a_status_list_whose_issuer_is_not_its_signer_is_refused() {
    let desk = Desk::new();
    let derived = desk.derived(&desk.diploma());
    let policy = desk.policy(&["UniversityDegreeCredential"]);
    let mut list = StatusList::new(1).unwrap();
    list.set(0, 0).unwrap();
    let doc = build_status_list_credential(
        LIST_URL,
        "did:example:someone-else",
        StatusPurpose::Revocation,
        &list,
        "2026-01-01T00:00:00Z",
        None,
    )
    .unwrap();
    let r = desk
        .verify(&derived, &policy, &[desk.sign_list(&doc)])
        .unwrap_err();
    assert!(
        r.failures()
            .iter()
            .any(|f| f.check == Check::Status && f.reason.contains("issuer")),
        "{r}"
    );
}

#[test]
fn an_issuer_must_be_trusted_for_every_type_it_issues() {
    let desk = Desk::new();
    let mut doc = desk.diploma();
    doc["type"] = json!([
        "VerifiableCredential",
        "UniversityDegreeCredential",
        "MasterDegree"
    ]);
    let derived = desk.derived(&doc);
    let lists = [desk.list(&[], None)];
    let r = desk
        .verify(
            &derived,
            &desk.policy(&["UniversityDegreeCredential"]),
            &lists,
        )
        .unwrap_err();
    assert!(
        r.failures()
            .iter()
            .any(|f| f.check == Check::Issuer && f.reason.contains("MasterDegree")),
        "{r}"
    );
    desk.verify(
        &derived,
        &desk.policy(&["UniversityDegreeCredential", "MasterDegree"]),
        &lists,
    )
    .unwrap();
}

#[test]
fn a_derived_proof_has_one_encoding_of_its_indexes() {
    use civitas_core::bbs2023::DerivedProofValue;
    let desk = Desk::new();
    let derived = desk.derived(&desk.diploma());
    let value = derived["proof"]["proofValue"].as_str().unwrap();
    let mut parsed = DerivedProofValue::parse(value).unwrap();
    assert!(parsed.mandatory_indexes.len() > 1);
    parsed.mandatory_indexes.reverse();
    let mut mutant = derived.clone();
    mutant["proof"]["proofValue"] = parsed.serialize().into();
    let e = Bbs2023::new(Arc::clone(&desk.jsonld))
        .verify(&mutant)
        .unwrap_err();
    assert!(e.to_string().contains("strictly increasing"), "{e}");
}

#[test]
fn proof_times_are_date_time_stamps_and_expiry_is_checked_at_the_audit_time() {
    let desk = Desk::new();
    // A bbs-2023 proof whose `created` has no time zone: refused.
    let bbs = Bbs2023::new(Arc::clone(&desk.jsonld));
    let mut options = ProofOptions::assertion(did::verification_method_id(&desk.issuer));
    options.created = Some("2026-01-01T00:00:00".into());
    let signed = bbs
        .sign(
            &desk.diploma(),
            &desk.pair,
            &options,
            &["/issuer".to_owned()],
        )
        .unwrap();
    let derived = bbs
        .derive(&signed, &["/credentialSubject/degree/name".to_owned()], b"")
        .unwrap();
    let e = bbs.verify(&derived).unwrap_err();
    assert!(e.to_string().contains("time zone"), "{e}");

    // A status list proof that expires in 2099, checked at 2099-06: expired, although the
    // wall clock says otherwise.
    let derived = desk.derived(&desk.diploma());
    let mut list = StatusList::new(1).unwrap();
    list.set(0, 0).unwrap();
    let doc = build_status_list_credential(
        LIST_URL,
        &did::did_key(&desk.status_key.public_key()),
        StatusPurpose::Revocation,
        &list,
        "2026-01-01T00:00:00Z",
        None,
    )
    .unwrap();
    let mut options = EcdsaProofOptions::assertion(desk.status_key.verification_method());
    options.expires = Some("2099-01-01T00:00:00Z".into());
    let signed_list = EcdsaRdfc2019::new(Arc::clone(&desk.jsonld))
        .sign(&doc, &desk.status_key, &options)
        .unwrap();
    let policy = desk.policy(&["UniversityDegreeCredential"]);
    desk.verify(&derived, &policy, std::slice::from_ref(&signed_list))
        .unwrap();
    let audit = policy.at(UNIX_EPOCH + Duration::from_secs(4_084_000_000)); // 2099-06
    let r = desk.verify(&derived, &audit, &[signed_list]).unwrap_err();
    assert!(
        r.failures()
            .iter()
            .any(|f| f.check == Check::Status && f.reason.contains("expired")),
        "{r}"
    );

    // ECDSA refuses to sign a `created` without a time zone.
    let mut options = EcdsaProofOptions::assertion(desk.status_key.verification_method());
    options.created = Some("2026-01-01T00:00:00".into());
    assert!(
        EcdsaRdfc2019::new(Arc::clone(&desk.jsonld))
            .sign(&doc, &desk.status_key, &options)
            .is_err()
    );
}
