//! The Verifiable Credentials data model as the verifier reads it: from what was signed.
//!
//! A Data Integrity proof covers the canonical RDF of a document, not its JSON text. JSON-LD
//! has many spellings of one RDF graph (a member moved under `@nest`, a full or compact IRI as
//! the key, an alias from an inline context), and some JSON produces no RDF at all (an
//! `@index` member, a `null`, a key starting with `@` that is not a keyword). Whoever relays a
//! credential can rewrite its JSON that way without touching a signature. So the verifier
//! never decides on a JSON key alone:
//!
//! - [`check_profile`] refuses the JSON-LD features a credential or presentation may not use
//!   here (documented in `docs/formats.md`, "What a credential may use"), so that every JSON
//!   member an officer is shown produces a signed statement;
//! - [`SignedFields::from_quads`] reads every field the policy checks (types, issuer, validity,
//!   status entries, subject identifiers) from the verified quads, by IRI, and fails closed
//!   on an ambiguous one (two issuers, two `validUntil`).
//!
//! See [VC Data Model 2.0 §4](https://www.w3.org/TR/vc-data-model-2.0/#basic-concepts) and
//! [VC Data Model 1.1 §4](https://www.w3.org/TR/vc-data-model/#basic-concepts) for the
//! properties, [Bitstring Status List §2.1](https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslistentry)
//! for the status entry.

use crate::CredentialError;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, RandomState};

use serde_json::Value;

use crate::Error;
use crate::rdf::{Quad, Term};

/// The VC vocabulary (both data model versions).
pub const CRED: &str = "https://www.w3.org/2018/credentials#";
/// The Bitstring Status List vocabulary.
pub const STATUS: &str = "https://www.w3.org/ns/credentials/status#";
const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";

/// JSON-LD keywords a value object may carry (`{"@value": .., "@language": ..}`). Not
/// `@direction`: the cryptosuites convert to RDF without an `rdfDirection`, so a direction
/// produces no statement and is not signed, yet it would be shown (and could turn a name
/// right to left on an officer's screen).
const VALUE_OBJECT_KEYS: [&str; 3] = ["@value", "@language", "@type"];

/// Deepest JSON nesting [`check_profile`] walks (the JSON-LD processor's own limit is lower).
const MAX_DEPTH: usize = 128;

/// Refuse the JSON-LD features a credential, presentation or status list may not use, so
/// that the JSON view is the signed data:
///
/// - `@context` only as a URL or a list of URLs, at the top and on embedded credentials (no
///   inline context can alias a term);
/// - no other key that starts with `@`, except `@value`, `@language` and
///   `@type` inside a value object (so no `@nest`, `@index`, `@included`, `@graph`, `@id`,
///   `@type` spelled out: the aliases `id` and `type` are the data model's);
/// - no key that contains `:` (a full or compact IRI instead of the term);
/// - no `null` member or element (it produces no statement);
/// - no array with two equal elements: the second is the same statement again, so it is not
///   signed on its own, yet it would be shown as one more claim (`type` shown as
///   `[VerifiableCredential, UniversityDegreeCredential, UniversityDegreeCredential]`). No
///   context in use here makes an array a `@list`, where a repetition would mean something.
///
/// # Errors
/// [`crate::CredentialError::DisallowedJsonLd`] with the JSON pointer of the first offending member.
pub fn check_profile(doc: &Value) -> Result<(), Error> {
    let Value::Object(top) = doc else {
        return Err(Error::Credential(CredentialError::DisallowedJsonLd {
            pointer: String::new(),
            reason: "not a JSON object",
        }));
    };
    if !top.contains_key("@context") {
        return Err(Error::Credential(CredentialError::DisallowedJsonLd {
            pointer: "/@context".into(),
            reason: "the document has no @context",
        }));
    }
    let fingerprints = RandomState::new();
    for (k, v) in top {
        walk(k, v, "", 1, &fingerprints)?;
    }
    Ok(())
}

/// A hash of a value, the same for equal values (objects compare without member order), so
/// that repeated array elements are found in one pass; equal fingerprints are confirmed by
/// comparing the values. Keyed per call, so that collisions cannot be chosen in advance.
fn fingerprint_of(fingerprints: &RandomState, parts: impl Hash) -> u64 {
    fingerprints.hash_one(parts)
}

fn member_pointer(ptr: &str, key: &str) -> String {
    format!("{ptr}/{}", crate::json_pointer::escape(key))
}

/// Check the member `key: value`; its fingerprint (see [`fingerprint_of`]).
fn walk(
    key: &str,
    value: &Value,
    ptr: &str,
    depth: usize,
    fingerprints: &RandomState,
) -> Result<u64, Error> {
    let here = member_pointer(ptr, key);
    if key == "@context" {
        // Contexts by reference only (an embedded credential carries its own).
        return match value {
            Value::String(s) => Ok(fingerprint_of(fingerprints, (key, s))),
            Value::Array(a) if a.iter().all(Value::is_string) => {
                Ok(fingerprint_of(fingerprints, (key, value.to_string())))
            }
            _ => Err(Error::Credential(CredentialError::DisallowedJsonLd {
                pointer: here,
                reason: "contexts must be URLs of known contexts; inline contexts are not accepted",
            })),
        };
    }
    if key.starts_with('@') {
        return Err(Error::Credential(CredentialError::DisallowedJsonLd {
            pointer: here,
            reason: "JSON-LD keywords other than @context are not accepted here (use the terms id and type)",
        }));
    }
    if key.contains(':') {
        return Err(Error::Credential(CredentialError::DisallowedJsonLd {
            pointer: here,
            reason: "a full or compact IRI is not accepted as a key; use the context's term",
        }));
    }
    let inner = value_ok(value, here, depth, fingerprints)?;
    Ok(fingerprint_of(fingerprints, (key, inner)))
}

/// Check `value`; its fingerprint (see [`fingerprint_of`]).
fn value_ok(
    value: &Value,
    here: String,
    depth: usize,
    fingerprints: &RandomState,
) -> Result<u64, Error> {
    if depth > MAX_DEPTH {
        return Err(Error::Credential(CredentialError::DisallowedJsonLd {
            pointer: here,
            reason: "nested too deeply",
        }));
    }
    match value {
        Value::Null => Err(Error::Credential(CredentialError::DisallowedJsonLd {
            pointer: here,
            reason: "null is not signed data",
        })),
        Value::Array(a) => {
            let mut seen: HashMap<u64, Vec<usize>> = HashMap::with_capacity(a.len());
            let mut all = Vec::with_capacity(a.len());
            for (i, x) in a.iter().enumerate() {
                let f = value_ok(x, format!("{here}/{i}"), depth + 1, fingerprints)?;
                if seen
                    .get(&f)
                    .is_some_and(|js| js.iter().any(|&j| a.get(j) == Some(x)))
                {
                    return Err(Error::Credential(CredentialError::DisallowedJsonLd {
                        pointer: format!("{here}/{i}"),
                        reason: "repeats an earlier element: the same statement, not signed twice",
                    }));
                }
                seen.entry(f).or_default().push(i);
                all.push(f);
            }
            Ok(fingerprint_of(fingerprints, (1u8, all)))
        }
        Value::Object(o) if o.contains_key("@value") => {
            for (k, x) in o {
                if !VALUE_OBJECT_KEYS.contains(&k.as_str()) {
                    return Err(Error::Credential(CredentialError::DisallowedJsonLd {
                        pointer: member_pointer(&here, k),
                        reason: "a value object may hold only @value, @language and @type (a @direction is not signed)",
                    }));
                }
                if !x.is_string() && k != "@value" {
                    return Err(Error::Credential(CredentialError::DisallowedJsonLd {
                        pointer: member_pointer(&here, k),
                        reason: "must be a string",
                    }));
                }
                if matches!(x, Value::Null | Value::Array(_) | Value::Object(_)) {
                    return Err(Error::Credential(CredentialError::DisallowedJsonLd {
                        pointer: member_pointer(&here, k),
                        reason: "a value must be a string, number or boolean",
                    }));
                }
            }
            let mut members: Vec<(&String, String)> =
                o.iter().map(|(k, x)| (k, x.to_string())).collect();
            members.sort();
            Ok(fingerprint_of(fingerprints, (2u8, members)))
        }
        Value::Object(o) => {
            // Member order does not make two objects different: the fingerprints are summed.
            let mut sum = 0u64;
            for (k, x) in o {
                sum = sum.wrapping_add(walk(k, x, &here, depth + 1, fingerprints)?);
            }
            Ok(fingerprint_of(fingerprints, (3u8, sum, o.len())))
        }
        Value::Bool(_) | Value::Number(_) | Value::String(_) => {
            Ok(fingerprint_of(fingerprints, (4u8, value.to_string())))
        }
    }
}

/// One status entry as signed: the node the credential's `credentialStatus` points to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedStatusEntry {
    /// Its types (IRIs).
    pub types: Vec<String>,
    /// `statusListCredential` (an IRI), if exactly one.
    pub list: Option<String>,
    /// `statusListIndex` (the literal's lexical form), if exactly one.
    pub index: Option<String>,
    /// `statusPurpose` (the literal's lexical form), if exactly one.
    pub purpose: Option<String>,
}

/// The data-model fields the policy checks, read from the signed quads of one credential.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignedFields {
    /// The credential node's types (IRIs), sorted.
    pub types: Vec<String>,
    /// The issuer's IRI (`issuer` or `issuer.id`); `None` when the issuer is not an IRI.
    pub issuer: Option<String>,
    /// `validFrom` (lexical form).
    pub valid_from: Option<String>,
    /// `validUntil` (lexical form).
    pub valid_until: Option<String>,
    /// VC 1.1 `issuanceDate` (lexical form).
    pub issuance_date: Option<String>,
    /// VC 1.1 `expirationDate` (lexical form).
    pub expiration_date: Option<String>,
    /// Every `credentialStatus` entry.
    pub status: Vec<SignedStatusEntry>,
    /// The subjects' identifiers (`credentialSubject.id` values that are IRIs).
    pub subject_ids: Vec<String>,
}

impl SignedFields {
    /// Read the fields of the one credential in `quads` (the default graph's node of type
    /// `VerifiableCredential`).
    ///
    /// # Errors
    /// [`crate::CredentialError::SignedData`] when there is no credential node or more than one, or when a
    /// single-valued field (issuer, a date, a status entry's list, index or purpose) has
    /// several values or a value of the wrong kind.
    pub fn from_quads(quads: &[Quad]) -> Result<Self, Error> {
        let vc_type = format!("{CRED}VerifiableCredential");
        let mut nodes = quads.iter().filter(|q| {
            q.graph.is_none()
                && matches!(&q.predicate, Term::Iri(p) if p == RDF_TYPE)
                && matches!(&q.object, Term::Iri(o) if *o == vc_type)
        });
        let node = match (nodes.next(), nodes.next()) {
            (Some(q), None) => &q.subject,
            (None, _) => {
                return Err(Error::Credential(CredentialError::SignedData(
                    "the signed data has no node of type VerifiableCredential",
                )));
            }
            (Some(_), Some(_)) => {
                return Err(Error::Credential(CredentialError::SignedData(
                    "the signed data has more than one credential",
                )));
            }
        };
        let graph = Graph { quads };
        let mut types: Vec<String> = graph.iris(node, RDF_TYPE);
        types.sort_unstable();
        types.dedup();
        let issuer = match graph.one(node, &format!("{CRED}issuer"), "two issuers")? {
            Some(Term::Iri(i)) => Some(i.clone()),
            _ => None,
        };
        let date = |name: &str, what: &'static str| -> Result<Option<String>, Error> {
            match graph.one(node, &format!("{CRED}{name}"), what)? {
                None => Ok(None),
                Some(Term::Literal(l)) => Ok(Some(l.value.clone())),
                Some(_) => Err(Error::Credential(CredentialError::SignedData(
                    "a validity date is not a literal",
                ))),
            }
        };
        let mut status = Vec::new();
        for entry in graph.objects(node, &format!("{CRED}credentialStatus")) {
            let lexical = |name: &str, what: &'static str| -> Result<Option<String>, Error> {
                Ok(match graph.one(entry, &format!("{STATUS}{name}"), what)? {
                    Some(Term::Literal(l)) => Some(l.value.clone()),
                    Some(Term::Iri(i)) => Some(i.clone()),
                    _ => None,
                })
            };
            status.push(SignedStatusEntry {
                types: graph.iris(entry, RDF_TYPE),
                list: lexical("statusListCredential", "two status lists in one entry")?,
                index: lexical("statusListIndex", "two indexes in one status entry")?,
                purpose: lexical("statusPurpose", "two purposes in one status entry")?,
            });
        }
        let subject_ids = graph.iris(node, &format!("{CRED}credentialSubject"));
        Ok(Self {
            types,
            issuer,
            valid_from: date("validFrom", "two validFrom statements")?,
            valid_until: date("validUntil", "two validUntil statements")?,
            issuance_date: date("issuanceDate", "two issuanceDate statements")?,
            expiration_date: date("expirationDate", "two expirationDate statements")?,
            status,
            subject_ids,
        })
    }

    /// The credential's start of validity: `validFrom`, or VC 1.1 `issuanceDate`.
    pub fn not_before(&self) -> Option<&str> {
        self.valid_from.as_deref().or(self.issuance_date.as_deref())
    }

    /// The credential's end of validity: `validUntil`, or VC 1.1 `expirationDate`.
    pub fn not_after(&self) -> Option<&str> {
        self.valid_until
            .as_deref()
            .or(self.expiration_date.as_deref())
    }
}

struct Graph<'a> {
    quads: &'a [Quad],
}

impl<'a> Graph<'a> {
    fn objects<'b>(&'b self, s: &'b Term, p: &'b str) -> impl Iterator<Item = &'a Term> + 'b {
        self.quads
            .iter()
            .filter(move |q| {
                q.graph.is_none()
                    && q.subject == *s
                    && matches!(&q.predicate, Term::Iri(x) if x == p)
            })
            .map(|q| &q.object)
    }

    fn iris(&self, s: &Term, p: &str) -> Vec<String> {
        self.objects(s, p)
            .filter_map(|o| match o {
                Term::Iri(i) => Some(i.clone()),
                _ => None,
            })
            .collect()
    }

    fn one(&self, s: &Term, p: &str, several: &'static str) -> Result<Option<&'a Term>, Error> {
        let mut it = self.objects(s, p);
        match (it.next(), it.next()) {
            (x, None) => Ok(x),
            (Some(_), Some(_)) => Err(Error::Credential(CredentialError::SignedData(several))),
            (None, Some(_)) => Ok(None),
        }
    }
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]
mod tests {
    use super::*;
    use serde_json::json;

    fn refused(doc: Value) -> String {
        match check_profile(&doc) {
            Err(Error::Credential(CredentialError::DisallowedJsonLd { pointer, .. })) => pointer,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn profile_accepts_plain_credentials() {
        let doc = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "issuer": {"id": "did:key:z", "name": {"@value": "U", "@language": "en"}},
            "credentialSubject": {"n": [1, true, "x", {"a": 2.5}]}
        });
        check_profile(&doc).unwrap();
    }

    #[test]
    fn profile_refuses_what_produces_no_or_other_statements() {
        let ctx = json!(["https://www.w3.org/ns/credentials/v2"]);
        let cases = [
            (
                json!({"@context": ctx, "@nest": {"credentialStatus": {}}}),
                "/@nest",
            ),
            (
                json!({"@context": ctx, "credentialSubject": {"@index": "x"}}),
                "/credentialSubject/@index",
            ),
            (
                json!({"@context": ctx, "https://www.w3.org/2018/credentials#credentialStatus": {}}),
                "/https:~1~1www.w3.org~12018~1credentials#credentialStatus",
            ),
            (
                json!({"@context": ctx, "cred:validUntil": "x"}),
                "/cred:validUntil",
            ),
            (
                json!({"@context": ["https://www.w3.org/ns/credentials/v2", {"st": "@nest"}]}),
                "/@context",
            ),
            (json!({"@context": ctx, "a": {"b": null}}), "/a/b"),
            (json!({"@context": ctx, "a": [1, null]}), "/a/1"),
            (
                json!({"@context": ctx, "a": {"@value": "x", "@index": "i"}}),
                "/a/@index",
            ),
            (
                json!({"@context": ctx, "a": {"b": {"@context": {"x": "y"}}}}),
                "/a/b/@context",
            ),
            (
                json!({"@context": ctx, "a": {"@context": ["u", {"x": "y"}]}}),
                "/a/@context",
            ),
            (json!({"type": "VerifiableCredential"}), "/@context"),
        ];
        for (doc, pointer) in cases {
            assert_eq!(refused(doc), pointer);
        }
    }

    fn quads(nq: &str) -> Vec<Quad> {
        crate::rdf::parse_nquads(nq).unwrap()
    }

    #[test]
    fn fields_come_from_the_statements() {
        let q = quads(concat!(
            "<urn:c> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://www.w3.org/2018/credentials#VerifiableCredential> .\n",
            "<urn:c> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <urn:Degree> .\n",
            "<urn:c> <https://www.w3.org/2018/credentials#issuer> <did:key:z1> .\n",
            "<urn:c> <https://www.w3.org/2018/credentials#validUntil> \"2030-01-01T00:00:00Z\"^^<http://www.w3.org/2001/XMLSchema#dateTime> .\n",
            "<urn:c> <https://www.w3.org/2018/credentials#credentialSubject> <did:example:ada> .\n",
            "<urn:c> <https://www.w3.org/2018/credentials#credentialStatus> _:s .\n",
            "_:s <https://www.w3.org/ns/credentials/status#statusListIndex> \"7\" .\n",
            "_:s <https://www.w3.org/ns/credentials/status#statusListCredential> <https://x/l> .\n",
        ));
        let f = SignedFields::from_quads(&q).unwrap();
        assert_eq!(f.issuer.as_deref(), Some("did:key:z1"));
        assert_eq!(f.not_after(), Some("2030-01-01T00:00:00Z"));
        assert_eq!(f.not_before(), None);
        assert_eq!(f.subject_ids, ["did:example:ada"]);
        assert_eq!(f.types.len(), 2);
        assert_eq!(f.status.len(), 1);
        assert_eq!(f.status[0].index.as_deref(), Some("7"));
        assert_eq!(f.status[0].list.as_deref(), Some("https://x/l"));
        assert_eq!(f.status[0].purpose, None);
    }

    #[test]
    fn ambiguous_or_missing_credentials_fail_closed() {
        let t = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://www.w3.org/2018/credentials#VerifiableCredential> .\n";
        assert!(SignedFields::from_quads(&quads("<urn:a> <urn:p> \"x\" .\n")).is_err());
        assert!(SignedFields::from_quads(&quads(&format!("<urn:a> {t}<urn:b> {t}"))).is_err());
        let two = format!(
            "<urn:a> {t}<urn:a> <https://www.w3.org/2018/credentials#validUntil> \"1\" .\n<urn:a> <https://www.w3.org/2018/credentials#validUntil> \"2\" .\n"
        );
        assert_eq!(
            SignedFields::from_quads(&quads(&two)),
            Err(Error::Credential(CredentialError::SignedData(
                "two validUntil statements"
            )))
        );
    }
}
