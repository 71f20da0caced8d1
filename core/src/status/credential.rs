//! `BitstringStatusListCredential`: the credential that publishes a status list
//! (<https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslistcredential>).
//!
//! The credential is built and parsed here without a proof: the issuer secures it (for
//! example with ecdsa-rdfc-2019) after [`build_status_list_credential`], and the verifier
//! checks that proof before making a [`VerifiedStatusList`] of it.
//!
//! The `https://www.w3.org/ns/credentials/v2` context defines every term used here
//! (`BitstringStatusListCredential`, `BitstringStatusList`, `encodedList`, `statusPurpose`,
//! `ttl`), so the built credential needs no other context.
//!
//! `credentialSubject.statusSize`: the Recommendation says it "MUST be specified" for the
//! `message` purpose, but neither context defines the term on `BitstringStatusList`, and the
//! size used to read an entry is the entry's own `statusSize`. This implementation therefore
//! writes `statusSize` in the subject only for lists of more than one bit per entry (the v2
//! context's `@vocab` then gives it an issuer-dependent IRI), never requires it when parsing,
//! and, when it is present, requires entries to use the same size
//! ([`crate::StatusError::SizeMismatch`]).

use crate::StatusError;
use serde_json::{Map, Value};

use super::bitstring::{DecodeLimits, StatusList, check_status_size};
use super::entry::type_includes;
use super::{StatusPurpose, is_absolute_url, json_str};
use crate::Error;
use crate::time::Timestamp;

/// The Verifiable Credentials Data Model v2.0 base context.
pub const CREDENTIALS_V2_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";

/// Builds the unsigned status list credential an issuer publishes at `id` (Generate
/// Algorithm, <https://www.w3.org/TR/vc-bitstring-status-list/#generate-algorithm>):
///
/// ```json
/// {
///   "@context": ["https://www.w3.org/ns/credentials/v2"],
///   "id": "<id>",
///   "type": ["VerifiableCredential", "BitstringStatusListCredential"],
///   "issuer": "<issuer>",
///   "validFrom": "<valid_from>",
///   "validUntil": "<valid_until>",
///   "credentialSubject": {
///     "id": "<id>#list",
///     "type": "BitstringStatusList",
///     "statusPurpose": "<purpose>",
///     "encodedList": "u..."
///   }
/// }
/// ```
///
/// `validUntil` is omitted when `None`. `valid_from` and `valid_until` must be
/// `xsd:dateTimeStamp` strings (for example `2025-01-01T00:00:00Z`).
///
/// # Errors
/// [`crate::StatusError::Malformed`] when `id` is not an absolute URL without fragment, `issuer` is
/// not an absolute URL (a DID is one), a time is not a `dateTimeStamp`, or `valid_until` is
/// before `valid_from`; [`crate::StatusError::Gzip`] if compression fails.
pub fn build_status_list_credential(
    id: &str,
    issuer: &str,
    purpose: StatusPurpose,
    list: &StatusList,
    valid_from: &str,
    valid_until: Option<&str>,
) -> Result<Value, Error> {
    if !is_absolute_url(id) || id.contains('#') {
        return Err(Error::Status(StatusError::Malformed {
            field: "id",
            reason: "not an absolute URL without fragment",
        }));
    }
    if !is_absolute_url(issuer) {
        return Err(Error::Status(StatusError::Malformed {
            field: "issuer",
            reason: "not an absolute URL",
        }));
    }
    let from = parse_time(valid_from, "validFrom")?;
    if let Some(until) = valid_until
        && parse_time(until, "validUntil")? < from
    {
        return Err(Error::Status(StatusError::Malformed {
            field: "validUntil",
            reason: "before validFrom",
        }));
    }

    let mut subject = Map::new();
    subject.insert("id".into(), Value::String(format!("{id}#list")));
    subject.insert("type".into(), Value::String("BitstringStatusList".into()));
    subject.insert(
        "statusPurpose".into(),
        Value::String(purpose.as_str().into()),
    );
    if list.status_size() != 1 {
        subject.insert("statusSize".into(), Value::from(list.status_size()));
    }
    subject.insert("encodedList".into(), Value::String(list.encode()?));

    let mut vc = Map::new();
    vc.insert(
        "@context".into(),
        Value::Array(vec![Value::String(CREDENTIALS_V2_CONTEXT.into())]),
    );
    vc.insert("id".into(), Value::String(id.into()));
    vc.insert(
        "type".into(),
        Value::Array(vec![
            Value::String("VerifiableCredential".into()),
            Value::String("BitstringStatusListCredential".into()),
        ]),
    );
    vc.insert("issuer".into(), Value::String(issuer.into()));
    vc.insert("validFrom".into(), Value::String(valid_from.into()));
    if let Some(until) = valid_until {
        vc.insert("validUntil".into(), Value::String(until.into()));
    }
    vc.insert("credentialSubject".into(), Value::Object(subject));
    Ok(Value::Object(vc))
}

/// A parsed and validated `BitstringStatusListCredential`, proof not examined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusListCredential {
    id: Option<String>,
    issuer: String,
    subject_id: Option<String>,
    purposes: Vec<StatusPurpose>,
    list: StatusList,
    declared_status_size: Option<u8>,
    valid_from: Option<Timestamp>,
    valid_until: Option<Timestamp>,
    ttl: Option<u64>,
    min_entries: usize,
}

impl StatusListCredential {
    /// Parses a status list credential and expands its `encodedList` within `limits`.
    ///
    /// Checks: the first `@context` is [`CREDENTIALS_V2_CONTEXT`]; `type` includes
    /// `VerifiableCredential` and `BitstringStatusListCredential`; `issuer` is a URL or an
    /// object with a URL `id`; `id` (optional) is a URL; `validFrom` / `validUntil`
    /// (optional) are `dateTimeStamp`s in order; `credentialSubject` is one object of type
    /// `BitstringStatusList` with `statusPurpose` (one or more of the four purposes),
    /// `encodedList`, optional `statusSize` and optional non-negative integer `ttl`; the
    /// bitstring holds at least `limits.min_entries` entries.
    ///
    /// # Errors
    /// [`crate::StatusError::Malformed`] naming the property at fault; the errors of
    /// [`StatusList::decode`] for `encodedList`.
    pub fn from_json(credential: &Value, limits: &DecodeLimits) -> Result<Self, Error> {
        let vc = credential
            .as_object()
            .ok_or(Error::Status(StatusError::Malformed {
                field: "credential",
                reason: "must be an object",
            }))?;
        let first_context = match vc.get("@context") {
            Some(Value::Array(a)) => a.first(),
            other => other,
        };
        if first_context.and_then(Value::as_str) != Some(CREDENTIALS_V2_CONTEXT) {
            return Err(Error::Status(StatusError::Malformed {
                field: "@context",
                reason: "the first context must be https://www.w3.org/ns/credentials/v2",
            }));
        }
        if !type_includes(vc.get("type"), "VerifiableCredential")?
            || !type_includes(vc.get("type"), "BitstringStatusListCredential")?
        {
            return Err(Error::Status(StatusError::Malformed {
                field: "type",
                reason: "must include VerifiableCredential and BitstringStatusListCredential",
            }));
        }
        let id = optional_url(vc.get("id"), "id")?;
        let issuer = match vc.get("issuer") {
            Some(Value::Object(o)) => json_str(o.get("id"), "issuer.id")?,
            other => json_str(other, "issuer")?,
        };
        if !is_absolute_url(issuer) {
            return Err(Error::Status(StatusError::Malformed {
                field: "issuer",
                reason: "not an absolute URL",
            }));
        }
        let valid_from = vc
            .get("validFrom")
            .map(|v| parse_time(json_str(Some(v), "validFrom")?, "validFrom"))
            .transpose()?;
        let valid_until = vc
            .get("validUntil")
            .map(|v| parse_time(json_str(Some(v), "validUntil")?, "validUntil"))
            .transpose()?;
        if let (Some(from), Some(until)) = (valid_from, valid_until)
            && until < from
        {
            return Err(Error::Status(StatusError::Malformed {
                field: "validUntil",
                reason: "before validFrom",
            }));
        }

        let subject = match vc.get("credentialSubject") {
            Some(Value::Object(o)) => o,
            Some(_) => {
                return Err(Error::Status(StatusError::Malformed {
                    field: "credentialSubject",
                    reason: "must be a single object",
                }));
            }
            None => {
                return Err(Error::Status(StatusError::Malformed {
                    field: "credentialSubject",
                    reason: "missing",
                }));
            }
        };
        let subject_type_ok = match subject.get("type") {
            Some(Value::String(s)) => s == "BitstringStatusList",
            Some(Value::Array(a)) => a.iter().any(|t| t.as_str() == Some("BitstringStatusList")),
            _ => false,
        };
        if !subject_type_ok {
            return Err(Error::Status(StatusError::Malformed {
                field: "credentialSubject.type",
                reason: "must be BitstringStatusList",
            }));
        }
        let subject_id = optional_url(subject.get("id"), "credentialSubject.id")?;
        let purposes = match subject.get("statusPurpose") {
            Some(Value::Array(a)) if !a.is_empty() => a
                .iter()
                .map(|p| StatusPurpose::parse(json_str(Some(p), "statusPurpose")?))
                .collect::<Result<Vec<_>, _>>()?,
            Some(Value::Array(_)) => {
                return Err(Error::Status(StatusError::Malformed {
                    field: "statusPurpose",
                    reason: "must be one or more strings",
                }));
            }
            other => vec![StatusPurpose::parse(json_str(other, "statusPurpose")?)?],
        };
        let declared_status_size = subject
            .get("statusSize")
            .map(|v| {
                check_status_size(v.as_u64().ok_or(Error::Status(StatusError::Malformed {
                    field: "credentialSubject.statusSize",
                    reason: "must be an integer greater than zero",
                }))?)
            })
            .transpose()?;
        let ttl = subject
            .get("ttl")
            .map(|v| {
                v.as_u64().ok_or(Error::Status(StatusError::Malformed {
                    field: "ttl",
                    reason: "must be a non-negative integer",
                }))
            })
            .transpose()?;
        let encoded = json_str(subject.get("encodedList"), "encodedList")?;
        let list = StatusList::decode(encoded, declared_status_size.unwrap_or(1), limits)?;

        Ok(StatusListCredential {
            id,
            issuer: issuer.to_owned(),
            subject_id,
            purposes,
            list,
            declared_status_size,
            valid_from,
            valid_until,
            ttl,
            min_entries: limits.min_entries,
        })
    }

    /// The credential `id`: the URL entries name in `statusListCredential`.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The `issuer` id.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// `credentialSubject.id`, if present.
    pub fn subject_id(&self) -> Option<&str> {
        self.subject_id.as_deref()
    }

    /// `credentialSubject.statusPurpose`: one or more purposes.
    pub fn purposes(&self) -> &[StatusPurpose] {
        &self.purposes
    }

    /// The expanded bitstring, read with `credentialSubject.statusSize` (1 when absent).
    pub fn list(&self) -> &StatusList {
        &self.list
    }

    /// `credentialSubject.statusSize`, if the credential states one.
    pub fn declared_status_size(&self) -> Option<u8> {
        self.declared_status_size
    }

    /// `validFrom`, if present.
    pub fn valid_from(&self) -> Option<Timestamp> {
        self.valid_from
    }

    /// `validUntil`, if present.
    pub fn valid_until(&self) -> Option<Timestamp> {
        self.valid_until
    }

    /// `credentialSubject.ttl` in milliseconds, if present.
    pub fn ttl_millis(&self) -> Option<u64> {
        self.ttl
    }

    /// The minimum number of entries this list was parsed with (see
    /// [`DecodeLimits::min_entries`]); [`check_status`](super::check_status) applies it again
    /// with the entry's `statusSize`.
    pub fn min_entries(&self) -> usize {
        self.min_entries
    }

    /// Marks this list as coming from a credential whose proof the caller has verified, with
    /// a key it trusts for the list's issuer.
    ///
    /// This is the only way to make a [`VerifiedStatusList`], and only the crate (the
    /// verifier, after checking the list's proof and signer) calls it. Nothing is checked
    /// here: the name is the caller's promise. Tests outside the crate use
    /// `hazmat::assume_status_list_verified` (the `hazmat` feature).
    pub(crate) fn assume_proof_verified(self) -> VerifiedStatusList {
        VerifiedStatusList { inner: self }
    }
}

/// A status list credential that the caller has vouched for (see
/// `StatusListCredential::assume_proof_verified`, crate-private); the input of
/// [`check_status`](super::check_status).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedStatusList {
    inner: StatusListCredential,
}

impl VerifiedStatusList {
    /// The parsed credential.
    pub fn credential(&self) -> &StatusListCredential {
        &self.inner
    }
}

fn parse_time(s: &str, field: &'static str) -> Result<Timestamp, Error> {
    Timestamp::parse(s).ok_or(Error::Status(StatusError::Malformed {
        field,
        reason: "not an XML Schema dateTimeStamp",
    }))
}

fn optional_url(value: Option<&Value>, field: &'static str) -> Result<Option<String>, Error> {
    match value {
        None => Ok(None),
        Some(v) => {
            let s = json_str(Some(v), field)?;
            if !is_absolute_url(s) {
                return Err(Error::Status(StatusError::Malformed {
                    field,
                    reason: "not an absolute URL",
                }));
            }
            Ok(Some(s.to_owned()))
        }
    }
}

#[cfg(test)]
mod tests {
    #![expect(
        clippy::unwrap_used,
        clippy::indexing_slicing,
        clippy::panic,
        reason = "tests fail by panicking"
    )]
    use super::*;
    use serde_json::json;

    const URL: &str = "https://example.com/credentials/status/3";

    fn built() -> Value {
        let mut list = StatusList::new(1).unwrap();
        list.set(42, 1).unwrap();
        build_status_list_credential(
            URL,
            "did:example:12345",
            StatusPurpose::Revocation,
            &list,
            "2025-01-01T00:00:00Z",
            Some("2025-02-01T00:00:00Z"),
        )
        .unwrap()
    }

    #[test]
    fn build_then_parse() {
        let vc = built();
        assert_eq!(vc["@context"], json!([CREDENTIALS_V2_CONTEXT]));
        assert_eq!(
            vc["type"],
            json!(["VerifiableCredential", "BitstringStatusListCredential"])
        );
        assert_eq!(vc["credentialSubject"]["id"], json!(format!("{URL}#list")));
        assert_eq!(
            vc["credentialSubject"]["type"],
            json!("BitstringStatusList")
        );
        assert!(vc["credentialSubject"].get("statusSize").is_none());
        let parsed = StatusListCredential::from_json(&vc, &DecodeLimits::default()).unwrap();
        assert_eq!(parsed.id(), Some(URL));
        assert_eq!(parsed.issuer(), "did:example:12345");
        assert_eq!(parsed.purposes(), &[StatusPurpose::Revocation]);
        assert_eq!(parsed.list().get(42).unwrap(), 1);
        assert_eq!(parsed.list().get(43).unwrap(), 0);
        assert_eq!(parsed.declared_status_size(), None);
        assert!(parsed.valid_from() < parsed.valid_until());
    }

    #[test]
    fn build_errors() {
        let list = StatusList::new(1).unwrap();
        let p = StatusPurpose::Revocation;
        let t = "2025-01-01T00:00:00Z";
        let field = |r: Result<Value, Error>| match r {
            Err(Error::Status(StatusError::Malformed { field, .. })) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(build_status_list_credential(
                "x", "did:e:1", p, &list, t, None
            )),
            "id"
        );
        assert_eq!(
            field(build_status_list_credential(
                &format!("{URL}#a"),
                "did:e:1",
                p,
                &list,
                t,
                None
            )),
            "id"
        );
        assert_eq!(
            field(build_status_list_credential(URL, "e", p, &list, t, None)),
            "issuer"
        );
        assert_eq!(
            field(build_status_list_credential(
                URL,
                "did:e:1",
                p,
                &list,
                "2025-01-01",
                None
            )),
            "validFrom"
        );
        assert_eq!(
            field(build_status_list_credential(
                URL,
                "did:e:1",
                p,
                &list,
                t,
                Some("2024-12-31T23:59:59Z")
            )),
            "validUntil"
        );
    }

    #[test]
    fn malformed_list_credentials() {
        let limits = DecodeLimits::default();
        let cases: Vec<(&str, Value, &str)> = vec![
            (
                "/@context",
                json!(["https://www.w3.org/2018/credentials/v1"]),
                "@context",
            ),
            ("/@context", json!([]), "@context"),
            ("/type", json!(["VerifiableCredential"]), "type"),
            ("/type", json!("BitstringStatusListCredential"), "type"),
            ("/issuer", json!(12), "issuer"),
            ("/issuer", json!({"name": "x"}), "issuer.id"),
            ("/id", json!("no url"), "id"),
            ("/validFrom", json!("yesterday"), "validFrom"),
            ("/validUntil", json!("2024-01-01T00:00:00Z"), "validUntil"),
            ("/credentialSubject", json!([]), "credentialSubject"),
            (
                "/credentialSubject/type",
                json!("StatusList2021"),
                "credentialSubject.type",
            ),
            (
                "/credentialSubject/statusPurpose",
                json!("expiry"),
                "statusPurpose",
            ),
            (
                "/credentialSubject/statusPurpose",
                json!([]),
                "statusPurpose",
            ),
            (
                "/credentialSubject/statusPurpose",
                json!(["revocation", 1]),
                "statusPurpose",
            ),
            ("/credentialSubject/encodedList", json!(7), "encodedList"),
            ("/credentialSubject/ttl", json!(-5), "ttl"),
            (
                "/credentialSubject/statusSize",
                json!("2"),
                "credentialSubject.statusSize",
            ),
        ];
        for (pointer, value, field) in cases {
            let mut vc = built();
            let (parent, key) = pointer.rsplit_once('/').unwrap();
            let parent = if parent.is_empty() {
                &mut vc
            } else {
                vc.pointer_mut(parent).unwrap()
            };
            parent[key] = value.clone();
            match StatusListCredential::from_json(&vc, &limits) {
                Err(Error::Status(StatusError::Malformed { field: f, .. })) => {
                    assert_eq!(f, field, "{pointer} = {value}")
                }
                other => panic!("{pointer} = {value}: {other:?}"),
            }
        }
        let mut vc = built();
        vc["credentialSubject"]
            .as_object_mut()
            .unwrap()
            .remove("encodedList");
        assert!(StatusListCredential::from_json(&vc, &limits).is_err());
        vc = built();
        vc.as_object_mut().unwrap().remove("credentialSubject");
        assert!(StatusListCredential::from_json(&vc, &limits).is_err());
        assert!(StatusListCredential::from_json(&json!([]), &limits).is_err());
        // Several purposes are allowed; an issuer object too.
        let mut vc = built();
        vc["credentialSubject"]["statusPurpose"] = json!(["revocation", "suspension"]);
        vc["issuer"] = json!({"id": "did:example:12345", "name": "Agency"});
        let parsed = StatusListCredential::from_json(&vc, &limits).unwrap();
        assert_eq!(
            parsed.purposes(),
            &[StatusPurpose::Revocation, StatusPurpose::Suspension]
        );
        assert_eq!(parsed.issuer(), "did:example:12345");
    }
}
