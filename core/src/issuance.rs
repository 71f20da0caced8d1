//! The issuer's policy: what every credential issued on `civitas-core` gets, whichever program
//! issues it (the `civitas issue` command, a registry's back office, a test).
//!
//! [`CredentialIssuer::issue`] takes an unsigned credential and, in this order:
//! 1. sets `issuer` to the signing key's DID (the `id` of an `issuer` object, else `issuer`);
//! 2. adds the `credentialStatus` entry of a [`StatusAssignment`], whose index must be inside
//!    the list;
//! 3. checks the VC data model's basics ([`check_data_model`]) and the JSON-LD profile the
//!    verifier accepts ([`crate::vc::check_profile`]), so that nothing is signed that no
//!    verifier would accept;
//! 4. adds the contexts the proof needs when the document's own do not define its terms
//!    ([`add_proof_contexts`]: the Data Integrity context for VC 1.1 documents, as
//!    [VC Data Integrity §2.1](https://www.w3.org/TR/vc-data-integrity/#proofs) says);
//! 5. makes [`ALWAYS_MANDATORY`] pointers mandatory when the credential has them, so that a
//!    holder can never hide who issued it, when it is valid, or where its status is;
//! 6. signs it with a `bbs-2023` base proof.
//!
//! Batches assign each status index once: [`AssignedIndexes`].

use crate::{CredentialError, StatusError};
use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::Error;
use crate::bbs::KeyPair;
use crate::bbs2023::{Bbs2023, CommitmentRequest, ProofOptions};
use crate::jsonld::{JsonLdProcessor, ToRdfOptions};
use crate::rdf::Term;
use crate::status::{StatusListCredential, StatusPurpose, Timestamp, status_entry};

/// The VC Data Model 1.1 context (`https://www.w3.org/TR/vc-data-model/#contexts`).
pub const VC_1_1_CONTEXT: &str = "https://www.w3.org/2018/credentials/v1";
/// The VC Data Model 2.0 context.
pub const VC_2_0_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
/// The Data Integrity context, which defines `DataIntegrityProof` and `cryptosuite`.
pub const DATA_INTEGRITY_CONTEXT: &str = "https://w3id.org/security/data-integrity/v2";
/// The Bitstring Status List context, which defines `BitstringStatusListEntry` and its terms.
pub const STATUS_LIST_CONTEXT: &str = "https://www.w3.org/ns/credentials/status/v1";

/// Pointers an issuer always makes mandatory when the credential has them: the issuer, the
/// validity period (VC 2.0 and VC 1.1 names) and the status entries.
pub const ALWAYS_MANDATORY: [&str; 6] = [
    "/issuer",
    "/validFrom",
    "/validUntil",
    "/issuanceDate",
    "/expirationDate",
    "/credentialStatus",
];

const SEC: &str = "https://w3id.org/security#";
const STATUS: &str = "https://www.w3.org/ns/credentials/status#";
const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";

/// Which version of the VC data model a credential follows (by its first context).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataModel {
    /// VC Data Model 1.1 (`issuanceDate`, `expirationDate`).
    V1_1,
    /// VC Data Model 2.0 (`validFrom`, `validUntil`).
    V2_0,
}

fn invalid(field: &'static str, reason: &'static str) -> Error {
    Error::Credential(CredentialError::Invalid { field, reason })
}

/// Check the VC data model's basics on an unsigned credential:
///
/// - the first `@context` is the VC 1.1 or the VC 2.0 context;
/// - `type` is or includes `VerifiableCredential`;
/// - `id`, when present, is a URL;
/// - `issuer` is a URL, or an object whose `id` is a URL;
/// - `credentialSubject` is an object with at least one property, or a non-empty array of
///   such objects;
/// - VC 1.1 requires `issuanceDate`; the validity dates present (`validFrom`, `validUntil`,
///   `issuanceDate`, `expirationDate`) are date-times with a time zone, and the start is not
///   after the end.
///
/// # Errors
/// [`crate::CredentialError::Invalid`] naming the property and the rule.
pub fn check_data_model(credential: &Value) -> Result<DataModel, Error> {
    let Value::Object(doc) = credential else {
        return Err(invalid("credential", "must be a JSON object"));
    };
    let first = match doc.get("@context") {
        Some(Value::Array(a)) => a.first(),
        other => other,
    };
    let model = match first.and_then(Value::as_str) {
        Some(VC_2_0_CONTEXT) => DataModel::V2_0,
        Some(VC_1_1_CONTEXT) => DataModel::V1_1,
        _ => {
            return Err(invalid(
                "@context",
                "the first context must be https://www.w3.org/ns/credentials/v2 (or https://www.w3.org/2018/credentials/v1)",
            ));
        }
    };
    let is_vc = match doc.get("type") {
        Some(Value::String(t)) => t == "VerifiableCredential",
        Some(Value::Array(a)) => a.iter().any(|t| t == "VerifiableCredential"),
        _ => false,
    };
    if !is_vc {
        return Err(invalid("type", "must include VerifiableCredential"));
    }
    if let Some(id) = doc.get("id")
        && !id.as_str().is_some_and(crate::status::is_absolute_url)
    {
        return Err(invalid("id", "must be a URL"));
    }
    let issuer_ok = match doc.get("issuer") {
        Some(Value::String(i)) => crate::status::is_absolute_url(i),
        Some(Value::Object(o)) => o
            .get("id")
            .and_then(Value::as_str)
            .is_some_and(crate::status::is_absolute_url),
        _ => false,
    };
    if !issuer_ok {
        return Err(invalid(
            "issuer",
            "must be a URL, or an object whose id is a URL",
        ));
    }
    let subject_ok = |s: &Value| s.as_object().is_some_and(|o| !o.is_empty());
    let subjects_ok = match doc.get("credentialSubject") {
        None => return Err(invalid("credentialSubject", "missing")),
        Some(Value::Array(a)) => !a.is_empty() && a.iter().all(subject_ok),
        Some(s) => subject_ok(s),
    };
    if !subjects_ok {
        return Err(invalid(
            "credentialSubject",
            "must be an object with at least one property, or a list of such objects",
        ));
    }
    let (start, end) = match model {
        DataModel::V2_0 => ("validFrom", "validUntil"),
        DataModel::V1_1 => ("issuanceDate", "expirationDate"),
    };
    if model == DataModel::V1_1 && !doc.contains_key(start) {
        return Err(invalid("issuanceDate", "a VC 1.1 credential must have one"));
    }
    let date = |name: &'static str| -> Result<Option<Timestamp>, Error> {
        match doc.get(name) {
            None => Ok(None),
            Some(v) => v
                .as_str()
                .and_then(Timestamp::parse)
                .map(Some)
                .ok_or(invalid(
                    name,
                    "must be a date-time with a time zone, like 2026-06-30T00:00:00Z",
                )),
        }
    };
    if let (Some(from), Some(until)) = (date(start)?, date(end)?)
        && from > until
    {
        return Err(invalid(end, "is before the start of validity"));
    }
    Ok(model)
}

/// Whether `context` defines the terms of `probe` as the IRIs expected: the probe's `@type`
/// expands to `type_iri` and each of `predicates` appears.
fn defines(
    jsonld: &JsonLdProcessor,
    context: &Value,
    mut probe: Map<String, Value>,
    type_iri: &str,
    predicates: &[&str],
) -> bool {
    probe.insert("@context".into(), context.clone());
    let Ok(quads) = jsonld.to_rdf(&Value::Object(probe), &ToRdfOptions::default()) else {
        return false;
    };
    let has_type = quads.iter().any(|q| {
        matches!(&q.predicate, Term::Iri(p) if p == RDF_TYPE)
            && matches!(&q.object, Term::Iri(o) if o == type_iri)
    });
    has_type
        && predicates.iter().all(|want| {
            quads
                .iter()
                .any(|q| matches!(&q.predicate, Term::Iri(p) if p == want))
        })
}

/// Add to the credential's `@context` (at the end) what its proof and status entries need
/// when its own contexts do not define them:
///
/// - [`DATA_INTEGRITY_CONTEXT`] when `DataIntegrityProof` and `cryptosuite` are not defined
///   (VC 1.1 documents; VC 2.0's context defines them);
/// - [`STATUS_LIST_CONTEXT`] when the credential has a `BitstringStatusListEntry` and its
///   terms are not defined.
///
/// Returns the contexts added.
///
/// # Errors
/// [`crate::CredentialError::Invalid`] when the credential has no `@context` of URLs.
pub fn add_proof_contexts(
    jsonld: &JsonLdProcessor,
    credential: &mut Value,
) -> Result<Vec<&'static str>, Error> {
    let no_context = || invalid("@context", "must be a URL or a list of URLs");
    let context = credential.get("@context").ok_or_else(no_context)?.clone();
    let is_entry = |e: &Value| match e.get("type") {
        Some(Value::String(t)) => t == "BitstringStatusListEntry",
        Some(Value::Array(a)) => a.iter().any(|t| t == "BitstringStatusListEntry"),
        _ => false,
    };
    let has_status_entry = match credential.get("credentialStatus") {
        Some(Value::Array(a)) => a.iter().any(is_entry),
        Some(e) => is_entry(e),
        None => false,
    };
    let object = |pairs: &[(&str, &str)]| -> Map<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Value::from(*v)))
            .collect()
    };
    let mut added = Vec::new();
    if has_status_entry {
        let probe = object(&[
            ("@type", "BitstringStatusListEntry"),
            ("statusPurpose", "revocation"),
            ("statusListIndex", "0"),
            ("statusListCredential", "https://status.example/1"),
        ]);
        let predicates = [
            format!("{STATUS}statusPurpose"),
            format!("{STATUS}statusListIndex"),
            format!("{STATUS}statusListCredential"),
        ];
        let predicates: Vec<&str> = predicates.iter().map(String::as_str).collect();
        let entry = format!("{STATUS}BitstringStatusListEntry");
        if !defines(jsonld, &context, probe, &entry, &predicates) {
            added.push(STATUS_LIST_CONTEXT);
        }
    }
    let probe = object(&[("@type", "DataIntegrityProof"), ("cryptosuite", "bbs-2023")]);
    let cryptosuite = format!("{SEC}cryptosuite");
    let proof = format!("{SEC}DataIntegrityProof");
    if !defines(jsonld, &context, probe, &proof, &[cryptosuite.as_str()]) {
        added.push(DATA_INTEGRITY_CONTEXT);
    }
    if added.is_empty() {
        return Ok(added);
    }
    let mut list = match context {
        Value::Array(a) => a,
        one @ Value::String(_) => vec![one],
        _ => return Err(no_context()),
    };
    list.extend(added.iter().map(|c| Value::from(*c)));
    if let Some(obj) = credential.as_object_mut() {
        obj.insert("@context".into(), Value::Array(list));
    }
    Ok(added)
}

/// The mandatory pointers for `credential`: the issuer's own, then each of
/// [`ALWAYS_MANDATORY`] that the credential has, without repeats.
pub fn mandatory_pointers(credential: &Value, requested: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in requested {
        if !out.contains(p) {
            out.push(p.clone());
        }
    }
    for p in ALWAYS_MANDATORY {
        let present = p
            .strip_prefix('/')
            .is_some_and(|key| credential.get(key).is_some());
        if present && !out.iter().any(|m| m == p) {
            out.push(p.to_owned());
        }
    }
    out
}

/// A status list an issuer gives entries in: its URL, purpose and number of entries, read
/// from the list credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusAssignment {
    url: String,
    purpose: StatusPurpose,
    entries: usize,
}

impl StatusAssignment {
    /// From a status list credential (its first purpose).
    ///
    /// # Errors
    /// [`crate::StatusError::Malformed`] when the list has no `id`; [`crate::CredentialError::Unsupported`] when its
    /// `statusSize` is not 1 (the entries made here have size 1).
    pub fn from_list(list: &StatusListCredential) -> Result<Self, Error> {
        let url = list.id().ok_or(Error::Status(StatusError::Malformed {
            field: "id",
            reason: "a status list credential needs an id for credentials to point to",
        }))?;
        let purpose = *list
            .purposes()
            .first()
            .ok_or(Error::Status(StatusError::Malformed {
                field: "statusPurpose",
                reason: "missing",
            }))?;
        if list.declared_status_size().is_some_and(|s| s != 1) {
            return Err(Error::Credential(CredentialError::Unsupported(
                "issuing into a status list whose statusSize is not 1",
            )));
        }
        Ok(Self {
            url: url.to_owned(),
            purpose,
            entries: list.list().len(),
        })
    }

    /// The list's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The purpose of the entries.
    pub fn purpose(&self) -> StatusPurpose {
        self.purpose
    }

    /// The number of entries in the list.
    pub fn entries(&self) -> usize {
        self.entries
    }

    /// The `credentialStatus` entry for `index`.
    ///
    /// # Errors
    /// [`crate::StatusError::IndexOutOfRange`] when `index` is not inside the list.
    pub fn entry(&self, index: u64) -> Result<Value, Error> {
        if !usize::try_from(index).is_ok_and(|i| i < self.entries) {
            return Err(Error::Status(StatusError::IndexOutOfRange {
                index,
                len: self.entries,
            }));
        }
        status_entry(&self.url, self.purpose, index)
    }
}

/// The status indexes of one batch, each assigned once (two credentials sharing an index
/// would be revoked together).
#[derive(Clone, Debug, Default)]
pub struct AssignedIndexes {
    first: HashMap<u64, usize>,
}

impl AssignedIndexes {
    /// None assigned yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Assign `index` to the record at `at` (a row or line number, as the caller counts).
    ///
    /// # Errors
    /// [`crate::StatusError::IndexReused`] with the record that has it already.
    pub fn assign(&mut self, index: u64, at: usize) -> Result<(), Error> {
        match self.first.get(&index) {
            Some(&first) => Err(Error::Status(StatusError::IndexReused { index, first })),
            None => {
                self.first.insert(index, at);
                Ok(())
            }
        }
    }
}

/// An issuer: a BBS key and the cryptosuite, applying the policy of this module.
#[derive(Clone, Debug)]
pub struct CredentialIssuer {
    suite: Bbs2023,
    key: KeyPair,
    did: String,
    method: String,
}

impl CredentialIssuer {
    /// An issuer signing with `key`; its DID is the key's did:key.
    pub fn new(suite: Bbs2023, key: KeyPair) -> Self {
        let public = crate::keys::PublicKey::Bls12381G2(key.public().to_bytes());
        Self {
            suite,
            did: crate::did::did_key(&public),
            method: crate::did::verification_method_id(&public),
            key,
        }
    }

    /// The issuer's DID.
    pub fn did(&self) -> &str {
        &self.did
    }

    /// Prepare `credential` as the module documentation says, without signing: the document
    /// that would be signed and its mandatory pointers.
    ///
    /// # Errors
    /// [`crate::CredentialError::Invalid`] for a credential that breaks the data model's basics (an
    /// `issuer` that is neither a string nor an object included); the errors of
    /// [`StatusAssignment::entry`] and [`crate::vc::check_profile`].
    pub fn prepare(
        &self,
        mut credential: Value,
        status: Option<(&StatusAssignment, u64)>,
        mandatory: &[String],
    ) -> Result<(Value, Vec<String>), Error> {
        let obj = credential
            .as_object_mut()
            .ok_or(invalid("credential", "must be a JSON object"))?;
        match obj.get_mut("issuer") {
            Some(Value::Object(issuer)) => {
                issuer.insert("id".into(), self.did.clone().into());
            }
            None | Some(Value::String(_)) => {
                obj.insert("issuer".into(), self.did.clone().into());
            }
            Some(_) => {
                return Err(invalid(
                    "issuer",
                    "must be a URL, or an object whose id is a URL",
                ));
            }
        }
        if let Some((list, index)) = status {
            obj.insert("credentialStatus".into(), list.entry(index)?);
        }
        check_data_model(&credential)?;
        crate::vc::check_profile(&credential)?;
        add_proof_contexts(self.suite.jsonld(), &mut credential)?;
        let mandatory = mandatory_pointers(&credential, mandatory);
        Ok((credential, mandatory))
    }

    /// Issue `credential`: [`CredentialIssuer::prepare`], then a `bbs-2023` base proof.
    ///
    /// # Errors
    /// Those of [`CredentialIssuer::prepare`] and of [`Bbs2023::sign`].
    pub fn issue(
        &self,
        credential: Value,
        status: Option<(&StatusAssignment, u64)>,
        mandatory: &[String],
    ) -> Result<Value, Error> {
        let (document, mandatory) = self.prepare(credential, status, mandatory)?;
        self.suite.sign(
            &document,
            &self.key,
            &ProofOptions::assertion(self.method.clone()),
            &mandatory,
        )
    }

    /// [`CredentialIssuer::issue`] for a holder's credential request: the same policy, then a
    /// blind base proof bound to the holder's commitment (the request's feature). The
    /// commitment's proof and its number of values are checked before anything is signed.
    /// A bound credential needs no `credentialSubject.id`: the holder secret binds it.
    pub fn issue_bound(
        &self,
        credential: Value,
        status: Option<(&StatusAssignment, u64)>,
        mandatory: &[String],
        request: &CommitmentRequest,
    ) -> Result<Value, Error> {
        let (document, mandatory) = self.prepare(credential, status, mandatory)?;
        self.suite.sign_blind(
            &document,
            &self.key,
            &ProofOptions::assertion(self.method.clone()),
            &mandatory,
            request,
        )
    }
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail by panicking"
)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vc(extra: Value) -> Value {
        let mut doc = json!({
            "@context": [VC_2_0_CONTEXT],
            "type": ["VerifiableCredential"],
            "issuer": "did:key:z6Mk",
            "credentialSubject": {"id": "did:example:ada"},
        });
        for (k, v) in extra.as_object().unwrap() {
            if v.is_null() {
                doc.as_object_mut().unwrap().remove(k);
            } else {
                doc[k] = v.clone();
            }
        }
        doc
    }

    fn field_of(doc: Value) -> &'static str {
        match check_data_model(&doc) {
            Err(Error::Credential(CredentialError::Invalid { field, .. })) => field,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn data_model_basics() {
        assert_eq!(check_data_model(&vc(json!({}))), Ok(DataModel::V2_0));
        assert_eq!(
            check_data_model(&vc(
                json!({"@context": VC_1_1_CONTEXT, "issuanceDate": "2026-01-01T00:00:00Z"})
            )),
            Ok(DataModel::V1_1)
        );
        let cases = [
            (
                json!({"@context": ["https://example.org/ctx", VC_2_0_CONTEXT]}),
                "@context",
            ),
            (json!({"@context": null}), "@context"),
            (json!({"type": "UniversityDegreeCredential"}), "type"),
            (json!({"type": null}), "type"),
            (json!({"id": "not a url"}), "id"),
            (json!({"issuer": "University"}), "issuer"),
            (json!({"issuer": {"name": "U"}}), "issuer"),
            (json!({"issuer": null}), "issuer"),
            (json!({"credentialSubject": null}), "credentialSubject"),
            (json!({"credentialSubject": {}}), "credentialSubject"),
            (json!({"credentialSubject": []}), "credentialSubject"),
            (
                json!({"credentialSubject": "did:example:ada"}),
                "credentialSubject",
            ),
            (json!({"validFrom": "2026-01-01"}), "validFrom"),
            (
                json!({"validFrom": "2026-01-02T00:00:00Z", "validUntil": "2026-01-01T00:00:00Z"}),
                "validUntil",
            ),
            (json!({"@context": VC_1_1_CONTEXT}), "issuanceDate"),
            (
                json!({"@context": VC_1_1_CONTEXT, "issuanceDate": "2026-01-01T00:00:00Z", "expirationDate": "soon"}),
                "expirationDate",
            ),
        ];
        for (doc, field) in cases {
            assert_eq!(field_of(vc(doc.clone())), field, "{doc}");
        }
    }

    #[test]
    fn always_mandatory_pointers_are_added_once() {
        let doc = vc(json!({"validUntil": "2030-01-01T00:00:00Z", "expirationDate": "x"}));
        let got = mandatory_pointers(&doc, &["/issuer".into(), "/credentialSubject/id".into()]);
        assert_eq!(
            got,
            [
                "/issuer",
                "/credentialSubject/id",
                "/validUntil",
                "/expirationDate"
            ]
        );
    }

    #[test]
    fn status_indexes_inside_the_list_and_once() {
        let a = StatusAssignment {
            url: "https://s.example/1".into(),
            purpose: StatusPurpose::Revocation,
            entries: 8,
        };
        assert!(a.entry(7).is_ok());
        assert_eq!(
            a.entry(8),
            Err(Error::Status(StatusError::IndexOutOfRange {
                index: 8,
                len: 8
            }))
        );
        assert!(a.entry(u64::MAX).is_err());
        let mut used = AssignedIndexes::new();
        used.assign(3, 2).unwrap();
        used.assign(4, 3).unwrap();
        assert_eq!(
            used.assign(3, 5),
            Err(Error::Status(StatusError::IndexReused {
                index: 3,
                first: 2
            }))
        );
    }

    #[test]
    fn the_data_integrity_context_is_added_only_when_needed() {
        let jsonld = JsonLdProcessor::default();
        let mut v2 = vc(json!({}));
        assert!(add_proof_contexts(&jsonld, &mut v2).unwrap().is_empty());
        assert_eq!(v2["@context"], json!([VC_2_0_CONTEXT]));
        let mut v1 =
            vc(json!({"@context": VC_1_1_CONTEXT, "issuanceDate": "2026-01-01T00:00:00Z"}));
        assert_eq!(
            add_proof_contexts(&jsonld, &mut v1).unwrap(),
            [DATA_INTEGRITY_CONTEXT]
        );
        assert_eq!(
            v1["@context"],
            json!([VC_1_1_CONTEXT, DATA_INTEGRITY_CONTEXT])
        );
        // Once added, nothing more is needed.
        assert!(add_proof_contexts(&jsonld, &mut v1).unwrap().is_empty());
        // A VC 1.1 credential with a status entry gets the status list context too.
        let mut s = vc(json!({
            "@context": [VC_1_1_CONTEXT],
            "issuanceDate": "2026-01-01T00:00:00Z",
            "credentialStatus": status_entry("https://s.example/1", StatusPurpose::Revocation, 3).unwrap(),
        }));
        assert_eq!(
            add_proof_contexts(&jsonld, &mut s).unwrap(),
            [STATUS_LIST_CONTEXT, DATA_INTEGRITY_CONTEXT]
        );
        let mut s2 = vc(json!({
            "credentialStatus": status_entry("https://s.example/1", StatusPurpose::Revocation, 3).unwrap(),
        }));
        assert!(add_proof_contexts(&jsonld, &mut s2).unwrap().is_empty());
    }
}
