//! The Digital Credentials Query Language of
//! [OpenID4VP 1.0 §6](https://openid.net/specs/openid-4-verifiable-presentations-1_0.html#name-digital-credentials-query-l)
//! for `ldp_vc` (W3C Data Integrity, here bbs-2023), and claims path pointers (§7).
//!
//! [`DcqlQuery::parse`] reads a query strictly (unknown members are ignored, as §6 says;
//! everything named is checked). [`DcqlQuery::select`] is the wallet's evaluation (§6.4): for
//! each Credential Query, the stored credentials that match its `meta.type_values` (against
//! the credential's *expanded* type IRIs, which the caller computes with its JSON-LD
//! processor), its holder binding requirement and its claims (with `values` and
//! `claim_sets`); then `credential_sets`. The result names, per credential, the JSON pointers
//! to disclose, which bbs-2023 derives with: exactly the claims selected, never another
//! selectively disclosable one (the issuer's mandatory claims are always disclosed anyway).

use serde_json::Value;

/// The Credential Format Identifier accepted: W3C VCs secured with Data Integrity.
pub const FORMAT_LDP_VC: &str = "ldp_vc";
/// The SD-JWT VC format identifier (OpenID4VP 1.0 §B.3).
pub const FORMAT_SD_JWT_VC: &str = "dc+sd-jwt";

/// Whether a credential's JSON is an SD-JWT VC's claims (a `vct`, no JSON-LD `@context`).
pub fn is_sd_jwt_vc_claims(credential: &Value) -> bool {
    credential.get("vct").is_some_and(Value::is_string) && credential.get("@context").is_none()
}
/// Most Credential Queries in one query.
pub const MAX_CREDENTIAL_QUERIES: usize = 64;
/// Most Claims Queries in one Credential Query.
pub const MAX_CLAIMS: usize = 256;
/// Longest claims path pointer.
pub const MAX_PATH_LEN: usize = 32;

/// Why a DCQL query is refused, or cannot be satisfied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DcqlError {
    /// The query breaks a rule of §6; the message says which.
    #[error("invalid DCQL query: {0}")]
    Invalid(String),
    /// A Credential Query asks for a format other than `ldp_vc` and `dc+sd-jwt`.
    #[error("DCQL: unsupported credential format {0:?} (ldp_vc and dc+sd-jwt are supported)")]
    UnsupportedFormat(String),
    /// The wallet holds no set of credentials that satisfies the query (§6.4.2: then nothing
    /// is returned).
    #[error("DCQL: the wallet cannot satisfy the query")]
    Unsatisfiable,
}

impl DcqlError {
    /// This error's [`crate::ErrorKind`] (a match with no wildcard).
    pub fn kind(&self) -> crate::ErrorKind {
        match self {
            Self::UnsupportedFormat(_) => crate::ErrorKind::Unsupported,
            Self::Invalid(_) | Self::Unsatisfiable => crate::ErrorKind::InvalidInput,
        }
    }
}

/// One component of a claims path pointer (§7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathComponent {
    /// A key of an object.
    Key(String),
    /// An index of an array.
    Index(usize),
    /// Every element of an array (`null`).
    All,
}

/// A Claims Query (§6.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimsQuery {
    /// Its id (required when the Credential Query has `claim_sets`).
    pub id: Option<String>,
    /// The claims path pointer.
    pub path: Vec<PathComponent>,
    /// The accepted values (strings, integers or booleans), when restricted.
    pub values: Option<Vec<Value>>,
}

/// A Credential Query (§6.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialQuery {
    /// Its id.
    pub id: String,
    /// Its format: [`FORMAT_LDP_VC`] or [`FORMAT_SD_JWT_VC`].
    pub format: String,
    /// `meta.vct_values` of a `dc+sd-jwt` query: the accepted `vct` values.
    pub vct_values: Vec<String>,
    /// Several credentials may be returned for it.
    pub multiple: bool,
    /// `meta.type_values`: alternatives, each a set of expanded type IRIs that must all be
    /// among the credential's.
    pub type_values: Vec<Vec<String>>,
    /// The claims asked for (`None`: none that is selectively disclosable).
    pub claims: Option<Vec<ClaimsQuery>>,
    /// Alternative combinations of claim ids, in the verifier's order of preference.
    pub claim_sets: Option<Vec<Vec<String>>>,
    /// Cryptographic holder binding is required (the default).
    pub require_cryptographic_holder_binding: bool,
}

/// A Credential Set Query (§6.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialSetQuery {
    /// Alternatives, each a list of Credential Query ids.
    pub options: Vec<Vec<String>>,
    /// Whether the set must be satisfied (the default).
    pub required: bool,
}

/// A DCQL query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DcqlQuery {
    /// The Credential Queries.
    pub credentials: Vec<CredentialQuery>,
    /// The Credential Set Queries, when given.
    pub credential_sets: Option<Vec<CredentialSetQuery>>,
}

/// A stored credential as [`DcqlQuery::select`] sees it.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// The wallet's id of the credential.
    pub id: &'a str,
    /// The credential (JSON, as issued).
    pub credential: &'a Value,
    /// Its `type` values expanded to IRIs by JSON-LD processing.
    pub expanded_types: &'a [String],
    /// Whether the wallet can present it with cryptographic holder binding (a holder secret,
    /// or issued to a DID whose key the wallet holds).
    pub holder_binding: bool,
}

/// One credential to present for a Credential Query, and what to disclose from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selected {
    /// The wallet's id of the credential.
    pub credential_id: String,
    /// RFC 6901 JSON pointers of the selected claims (bbs-2023 selective pointers).
    pub pointers: Vec<String>,
}

/// The credentials selected for one Credential Query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// The Credential Query's id (the `vp_token` key).
    pub query_id: String,
    /// The credentials to present (one unless the query allows `multiple`).
    pub credentials: Vec<Selected>,
}

fn invalid(msg: impl Into<String>) -> DcqlError {
    DcqlError::Invalid(msg.into())
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 256
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn identifier(v: Option<&Value>, what: &str) -> Result<String, DcqlError> {
    match v.and_then(Value::as_str) {
        Some(s) if is_identifier(s) => Ok(s.to_owned()),
        _ => Err(invalid(format!(
            "{what} must be a non-empty string of letters, digits, _ and -"
        ))),
    }
}

fn non_empty_array<'a>(v: &'a Value, what: &str) -> Result<&'a Vec<Value>, DcqlError> {
    match v.as_array() {
        Some(a) if !a.is_empty() => Ok(a),
        _ => Err(invalid(format!("{what} must be a non-empty array"))),
    }
}

fn optional_bool(obj: &Value, key: &str, default: bool) -> Result<bool, DcqlError> {
    match obj.get(key) {
        None => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(invalid(format!("{key} must be a boolean"))),
    }
}

fn parse_path(v: &Value) -> Result<Vec<PathComponent>, DcqlError> {
    let items = non_empty_array(v, "a claims path pointer")?;
    if items.len() > MAX_PATH_LEN {
        return Err(invalid(format!(
            "a claims path pointer has at most {MAX_PATH_LEN} components"
        )));
    }
    items
        .iter()
        .map(|c| match c {
            Value::String(s) => Ok(PathComponent::Key(s.clone())),
            Value::Null => Ok(PathComponent::All),
            Value::Number(n) => n
                .as_u64()
                .and_then(|i| usize::try_from(i).ok())
                .map(PathComponent::Index)
                .ok_or_else(|| invalid("a path index must be a non-negative integer")),
            _ => Err(invalid(
                "a claims path pointer holds strings, nulls and non-negative integers",
            )),
        })
        .collect()
}

fn parse_claim(v: &Value) -> Result<ClaimsQuery, DcqlError> {
    if !v.is_object() {
        return Err(invalid("a claims query is an object"));
    }
    let id = match v.get("id") {
        None => None,
        some => Some(identifier(some, "a claim id")?),
    };
    let path = parse_path(
        v.get("path")
            .ok_or_else(|| invalid("a claims query needs a path"))?,
    )?;
    let values = match v.get("values") {
        None => None,
        Some(vals) => {
            let vals = non_empty_array(vals, "values")?;
            if !vals.iter().all(|x| {
                x.is_string() || x.is_boolean() || x.as_i64().is_some() || x.as_u64().is_some()
            }) {
                return Err(invalid("values holds strings, integers or booleans"));
            }
            Some(vals.clone())
        }
    };
    Ok(ClaimsQuery { id, path, values })
}

fn parse_credential_query(v: &Value) -> Result<CredentialQuery, DcqlError> {
    if !v.is_object() {
        return Err(invalid("a credential query is an object"));
    }
    let id = identifier(v.get("id"), "a credential query id")?;
    let format = v
        .get("format")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(format!("credential query {id} needs a format")))?;
    if format != FORMAT_LDP_VC && format != FORMAT_SD_JWT_VC {
        return Err(DcqlError::UnsupportedFormat(
            format.chars().take(64).collect(),
        ));
    }
    let meta = v
        .get("meta")
        .filter(|m| m.is_object())
        .ok_or_else(|| invalid(format!("credential query {id} needs a meta object")))?;
    let strings = |v: &Value, what: &str| -> Result<Vec<String>, DcqlError> {
        non_empty_array(v, what)?
            .iter()
            .map(|t| {
                t.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| invalid(format!("{what} holds strings")))
            })
            .collect()
    };
    let (type_values, vct_values) = if format == FORMAT_SD_JWT_VC {
        let vct = strings(
            meta.get("vct_values")
                .ok_or_else(|| invalid(format!("dc+sd-jwt query {id} needs meta.vct_values")))?,
            "meta.vct_values",
        )?;
        (Vec::new(), vct)
    } else {
        let types = non_empty_array(
            meta.get("type_values")
                .ok_or_else(|| invalid(format!("ldp_vc query {id} needs meta.type_values")))?,
            "meta.type_values",
        )?
        .iter()
        .map(|alt| strings(alt, "each meta.type_values entry"))
        .collect::<Result<Vec<_>, _>>()?;
        (types, Vec::new())
    };
    let claims = match v.get("claims") {
        None => None,
        Some(c) => {
            let c = non_empty_array(c, "claims")?;
            if c.len() > MAX_CLAIMS {
                return Err(invalid(format!("at most {MAX_CLAIMS} claims per query")));
            }
            Some(c.iter().map(parse_claim).collect::<Result<Vec<_>, _>>()?)
        }
    };
    if let Some(claims) = &claims {
        let mut seen = std::collections::HashSet::new();
        for c in claims {
            if let Some(cid) = &c.id
                && !seen.insert(cid.clone())
            {
                return Err(invalid(format!("claim id {cid} appears twice in {id}")));
            }
        }
    }
    let claim_sets = match v.get("claim_sets") {
        None => None,
        Some(sets) => {
            let Some(claims) = &claims else {
                return Err(invalid("claim_sets needs claims"));
            };
            let known: Vec<&String> = claims.iter().filter_map(|c| c.id.as_ref()).collect();
            if known.len() != claims.len() {
                return Err(invalid("with claim_sets every claim needs an id"));
            }
            let sets = non_empty_array(sets, "claim_sets")?
                .iter()
                .map(|set| {
                    non_empty_array(set, "each claim set")?
                        .iter()
                        .map(|cid| {
                            let cid = identifier(Some(cid), "a claim set member")?;
                            if known.contains(&&cid) {
                                Ok(cid)
                            } else {
                                Err(invalid(format!("claim set names unknown claim {cid}")))
                            }
                        })
                        .collect::<Result<Vec<_>, _>>()
                })
                .collect::<Result<Vec<_>, _>>()?;
            Some(sets)
        }
    };
    Ok(CredentialQuery {
        id,
        format: format.to_owned(),
        vct_values,
        multiple: optional_bool(v, "multiple", false)?,
        type_values,
        claims,
        claim_sets,
        require_cryptographic_holder_binding: optional_bool(
            v,
            "require_cryptographic_holder_binding",
            true,
        )?,
    })
}

impl DcqlQuery {
    /// Read a DCQL query (§6): unknown members are ignored; every rule on the members named
    /// is checked; the `ldp_vc` and `dc+sd-jwt` formats are accepted.
    pub fn parse(v: &Value) -> Result<DcqlQuery, DcqlError> {
        if !v.is_object() {
            return Err(invalid("a DCQL query is an object"));
        }
        let creds = non_empty_array(
            v.get("credentials")
                .ok_or_else(|| invalid("a DCQL query needs credentials"))?,
            "credentials",
        )?;
        if creds.len() > MAX_CREDENTIAL_QUERIES {
            return Err(invalid(format!(
                "at most {MAX_CREDENTIAL_QUERIES} credential queries"
            )));
        }
        let credentials = creds
            .iter()
            .map(parse_credential_query)
            .collect::<Result<Vec<_>, _>>()?;
        let mut seen = std::collections::HashSet::new();
        for q in &credentials {
            if !seen.insert(q.id.as_str()) {
                return Err(invalid(format!(
                    "credential query id {} appears twice",
                    q.id
                )));
            }
        }
        let credential_sets = match v.get("credential_sets") {
            None => None,
            Some(sets) => Some(
                non_empty_array(sets, "credential_sets")?
                    .iter()
                    .map(|set| {
                        if !set.is_object() {
                            return Err(invalid("a credential set query is an object"));
                        }
                        let options = non_empty_array(
                            set.get("options")
                                .ok_or_else(|| invalid("a credential set needs options"))?,
                            "options",
                        )?
                        .iter()
                        .map(|opt| {
                            non_empty_array(opt, "each option")?
                                .iter()
                                .map(|qid| {
                                    let qid = identifier(Some(qid), "an option member")?;
                                    if seen.contains(qid.as_str()) {
                                        Ok(qid)
                                    } else {
                                        Err(invalid(format!(
                                            "an option names unknown credential query {qid}"
                                        )))
                                    }
                                })
                                .collect::<Result<Vec<_>, _>>()
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                        Ok(CredentialSetQuery {
                            options,
                            required: optional_bool(set, "required", true)?,
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        Ok(DcqlQuery {
            credentials,
            credential_sets,
        })
    }

    /// The wallet's evaluation (§6.4) over `candidates`: per Credential Query the matching
    /// credentials (the first, or all with `multiple`) and the JSON pointers to disclose;
    /// then `credential_sets` (the first satisfiable option of each set; a required set that
    /// cannot be satisfied, or without sets any query that cannot, makes the whole query
    /// [`DcqlError::Unsatisfiable`]). Only queries of the chosen options are returned.
    pub fn select(&self, candidates: &[Candidate<'_>]) -> Result<Vec<Selection>, DcqlError> {
        let matched: Vec<(String, Vec<Selected>)> = self
            .credentials
            .iter()
            .map(|q| {
                let mut found: Vec<Selected> = candidates
                    .iter()
                    .filter_map(|c| match_credential(q, c))
                    .collect();
                if !q.multiple {
                    found.truncate(1);
                }
                (q.id.clone(), found)
            })
            .collect();
        let satisfied = |id: &str| matched.iter().any(|(q, f)| q == id && !f.is_empty());
        let chosen: Vec<String> = match &self.credential_sets {
            None => {
                if matched.iter().any(|(_, f)| f.is_empty()) {
                    return Err(DcqlError::Unsatisfiable);
                }
                matched.iter().map(|(q, _)| q.clone()).collect()
            }
            Some(sets) => {
                let mut chosen = Vec::new();
                for set in sets {
                    match set
                        .options
                        .iter()
                        .find(|opt| opt.iter().all(|id| satisfied(id)))
                    {
                        Some(opt) => chosen.extend(opt.iter().cloned()),
                        None if set.required => return Err(DcqlError::Unsatisfiable),
                        None => {}
                    }
                }
                chosen
            }
        };
        Ok(matched
            .into_iter()
            .filter(|(q, _)| chosen.contains(q))
            .map(|(query_id, credentials)| Selection {
                query_id,
                credentials,
            })
            .collect())
    }
}

/// Whether `candidate` answers the Credential Query `q` (holder binding, types, and its
/// claims with their `values`, or one of its `claim_sets`), with the JSON pointers of the
/// claims it would disclose: the wallet's matching, which the verifier applies again to what
/// was disclosed.
pub fn matches(q: &CredentialQuery, candidate: &Candidate<'_>) -> Option<Selected> {
    match_credential(q, candidate)
}

/// `candidate` for query `q`, with the pointers to disclose, or `None`.
fn match_credential(q: &CredentialQuery, c: &Candidate<'_>) -> Option<Selected> {
    if q.require_cryptographic_holder_binding && !c.holder_binding {
        return None;
    }
    let sd_jwt = is_sd_jwt_vc_claims(c.credential);
    let types_ok = if q.format == FORMAT_SD_JWT_VC {
        sd_jwt
            && c.credential
                .get("vct")
                .and_then(Value::as_str)
                .is_some_and(|vct| q.vct_values.iter().any(|v| v == vct))
    } else {
        !sd_jwt
            && q.type_values
                .iter()
                .any(|alt| alt.iter().all(|t| c.expanded_types.contains(t)))
    };
    if !types_ok {
        return None;
    }
    let pointers = match (&q.claims, &q.claim_sets) {
        (None, _) => Vec::new(),
        (Some(claims), None) => {
            let mut all = Vec::new();
            for claim in claims {
                all.extend(claim_pointers(c.credential, claim)?);
            }
            all
        }
        (Some(claims), Some(sets)) => sets.iter().find_map(|set| {
            let mut all = Vec::new();
            for cid in set {
                let claim = claims.iter().find(|cl| cl.id.as_deref() == Some(cid))?;
                all.extend(claim_pointers(c.credential, claim)?);
            }
            Some(all)
        })?,
    };
    let mut unique = Vec::new();
    for p in pointers {
        if !unique.contains(&p) {
            unique.push(p);
        }
    }
    Some(Selected {
        credential_id: c.id.to_owned(),
        pointers: unique,
    })
}

/// The JSON pointers of the claims `claim` selects in `credential` (processing of §7.1, then
/// the `values` restriction), or `None` when it selects nothing (or processing errs).
fn claim_pointers(credential: &Value, claim: &ClaimsQuery) -> Option<Vec<String>> {
    let selected = process_path(credential, &claim.path)?;
    let kept: Vec<String> = selected
        .into_iter()
        .filter(|(_, v)| {
            claim
                .values
                .as_ref()
                .is_none_or(|vals| vals.iter().any(|x| x == *v))
        })
        .map(|(p, _)| p)
        .collect();
    (!kept.is_empty()).then_some(kept)
}

/// Claims path pointer processing (§7.1) over a JSON credential: the selected elements with
/// their RFC 6901 pointers; `None` on a processing error or an empty selection.
pub fn process_path<'a>(
    credential: &'a Value,
    path: &[PathComponent],
) -> Option<Vec<(String, &'a Value)>> {
    let mut selected: Vec<(String, &Value)> = vec![(String::new(), credential)];
    for component in path {
        let mut next = Vec::new();
        for (pointer, element) in &selected {
            match component {
                PathComponent::Key(k) => {
                    let obj = element.as_object()?;
                    if let Some(v) = obj.get(k) {
                        next.push((format!("{pointer}/{}", crate::json_pointer::escape(k)), v));
                    }
                }
                PathComponent::All => {
                    let arr = element.as_array()?;
                    next.extend(
                        arr.iter()
                            .enumerate()
                            .map(|(i, v)| (format!("{pointer}/{i}"), v)),
                    );
                }
                PathComponent::Index(i) => {
                    let arr = element.as_array()?;
                    if let Some(v) = arr.get(*i) {
                        next.push((format!("{pointer}/{i}"), v));
                    }
                }
            }
        }
        selected = next;
    }
    (!selected.is_empty()).then_some(selected)
}
