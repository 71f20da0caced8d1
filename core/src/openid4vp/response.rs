//! Authorization responses ([OpenID4VP 1.0 §8](https://openid.net/specs/openid-4-verifiable-presentations-1_0.html#name-response)):
//! the `vp_token` (an object keyed by Credential Query id, each value a non-empty array of
//! presentations), the `direct_post` form body and its encrypted `direct_post.jwt` form, and
//! the verifier's checks of §8.6 on what comes back.

use serde_json::{Map, Value, json};

use super::dcql::{DcqlQuery, PathComponent, process_path};
use super::request::{AuthorizationRequest, RequestError, ResponseMode, form_encode, parse_form};
use crate::jose::EcPrivateJwk;
use crate::jose::jwe;
use crate::jsonld::{JsonLdProcessor, ToRdfOptions};
use crate::verifier::{Policy, Rejection, StatusLists, VerifiedPresentation, Verifier};

/// Largest response body accepted by [`parse_response`], in bytes.
pub const MAX_RESPONSE_LEN: usize = 4 * 1024 * 1024;

/// What the wallet posts, and where (the app sends it with its own HTTP stack).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseBody {
    /// The verifier's `response_uri`.
    pub uri: String,
    /// Always `application/x-www-form-urlencoded`.
    pub content_type: &'static str,
    /// The form body.
    pub body: String,
}

/// The wallet's response to `request` with `vp_token` (query id -> presentations): a
/// `direct_post` form of `vp_token` and `state`, or for `direct_post.jwt` those parameters
/// as a JSON object encrypted (ECDH-ES) to the verifier's first P-256 key with its first
/// supported `enc`, posted as `response`.
pub fn build_response(
    request: &AuthorizationRequest,
    vp_token: &Map<String, Value>,
) -> Result<ResponseBody, crate::Error> {
    let body = match request.response_mode {
        ResponseMode::DirectPost => {
            let mut body = format!(
                "vp_token={}",
                form_encode(&Value::Object(vp_token.clone()).to_string())
            );
            if let Some(state) = &request.state {
                body.push_str(&format!("&state={}", form_encode(state)));
            }
            body
        }
        ResponseMode::DirectPostJwt => {
            let (Some(key), Some(enc)) = (
                request.client_metadata.encryption_keys.first(),
                request.client_metadata.enc_values.first(),
            ) else {
                return Err(crate::Error::Crypto(
                    "direct_post.jwt without an encryption key (checked when the request was read)",
                ));
            };
            let mut payload = json!({ "vp_token": vp_token });
            if let (Some(state), Some(o)) = (&request.state, payload.as_object_mut()) {
                o.insert("state".into(), state.clone().into());
            }
            let jwe = jwe::encrypt(payload.to_string().as_bytes(), key, *enc, &Map::new())?;
            format!("response={}", form_encode(&jwe))
        }
    };
    Ok(ResponseBody {
        uri: request.response_uri.clone(),
        content_type: "application/x-www-form-urlencoded",
        body,
    })
}

/// The wallet's Authorization Error Response (§8.5) to `request`: `error` (for example
/// `access_denied` when the holder declines or holds nothing that answers) and the request's
/// `state`, as a `direct_post` form (errors are not encrypted).
pub fn build_error_response(request: &AuthorizationRequest, error: &str) -> ResponseBody {
    let mut body = format!("error={}", form_encode(error));
    if let Some(state) = &request.state {
        body.push_str(&format!("&state={}", form_encode(state)));
    }
    ResponseBody {
        uri: request.response_uri.clone(),
        content_type: "application/x-www-form-urlencoded",
        body,
    }
}

/// What the verifier answered to a posted response (§8.2): HTTP 200 is acceptance, with a
/// `redirect_uri` to open when the verifier gives one; anything else is a refusal with its
/// OAuth `error` and `error_description` when the body has them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifierReply {
    /// The verifier took the response.
    Accepted {
        /// Where the verifier wants the user to continue (same-device flows).
        redirect_uri: Option<String>,
    },
    /// The verifier refused it.
    Refused {
        /// The HTTP status.
        status: u16,
        /// The OAuth error code, when given.
        error: Option<String>,
        /// Its description, when given (the verifier's words: show them as text only).
        description: Option<String>,
    },
}

/// Read the verifier's answer (`status`, `body`) to a posted response.
pub fn read_reply(status: u16, body: &str) -> VerifierReply {
    let json: Option<Value> = if body.len() <= 64 * 1024 {
        crate::json::parse(body.as_bytes(), &crate::json::JsonLimits::default()).ok()
    } else {
        None
    };
    let text = |key: &str| {
        json.as_ref()
            .and_then(|v| v.get(key))
            .and_then(Value::as_str)
            .map(|s| s.chars().take(1000).collect::<String>())
    };
    if status == 200 {
        VerifierReply::Accepted {
            // Only somewhere safe to send the user: an https:// page.
            redirect_uri: text("redirect_uri").filter(|u| u.starts_with("https://")),
        }
    } else {
        VerifierReply::Refused {
            status,
            error: text("error"),
            description: text("error_description"),
        }
    }
}

fn invalid(description: impl Into<String>) -> RequestError {
    RequestError {
        code: "invalid_request",
        description: description.into(),
    }
}

/// The verifier's reading of a posted response body: a `response` JWE (decrypted with `key`;
/// a plain `vp_token` is refused when the request asked for encryption) or `vp_token` and
/// `state`; the `state` must be the transaction's; the `vp_token` must be an object whose
/// every key is a Credential Query id of `query` and every value a non-empty array (one
/// element unless the query allows `multiple`).
pub fn parse_response(
    body: &str,
    expected_state: Option<&str>,
    key: Option<&EcPrivateJwk>,
    query: &DcqlQuery,
) -> Result<Map<String, Value>, RequestError> {
    if body.len() > MAX_RESPONSE_LEN {
        return Err(invalid("the response is too large"));
    }
    let form = parse_form(body)?;
    let response = form.get("response").and_then(Value::as_str);
    let params: Map<String, Value> = match (response, key) {
        (Some(jwe_text), Some(key)) => {
            let d = jwe::decrypt(jwe_text, key)
                .map_err(|e| invalid(format!("the encrypted response: {e}")))?;
            match crate::json::parse(d.plaintext(), &crate::json::JsonLimits::default()) {
                Ok(Value::Object(o)) => o,
                _ => return Err(invalid("the decrypted response is not a JSON object")),
            }
        }
        (Some(_), None) => return Err(invalid("an encrypted response was not asked for")),
        (None, Some(_)) => return Err(invalid("the response must be encrypted (direct_post.jwt)")),
        (None, None) => {
            let mut p = Map::new();
            if let Some(Value::String(vp)) = form.get("vp_token") {
                let v = crate::json::parse(vp.as_bytes(), &crate::json::JsonLimits::default())
                    .map_err(|_| invalid("vp_token is not JSON"))?;
                p.insert("vp_token".into(), v);
            }
            if let Some(s) = form.get("state") {
                p.insert("state".into(), s.clone());
            }
            p
        }
    };
    if params.get("state").and_then(Value::as_str) != expected_state {
        return Err(invalid("the response's state is not this transaction's"));
    }
    let Some(Value::Object(vp_token)) = params.get("vp_token") else {
        return Err(invalid("the response has no vp_token object"));
    };
    for (id, presentations) in vp_token {
        let q = query
            .credentials
            .iter()
            .find(|q| &q.id == id)
            .ok_or_else(|| invalid("the vp_token answers a credential query that was not asked"))?;
        match presentations.as_array() {
            Some(a) if !a.is_empty() && (q.multiple || a.len() == 1) => {}
            _ => {
                return Err(invalid(
                    "each vp_token value is a non-empty array (one presentation unless multiple)",
                ));
            }
        }
    }
    Ok(vp_token.clone())
}

/// The verdict on one presentation of a response.
#[derive(Debug)]
pub struct PresentationVerdict {
    /// The Credential Query it answers.
    pub query_id: String,
    /// The verifier's verdict (with `challenge` = nonce and `domain` = client id).
    pub result: Result<VerifiedPresentation, Rejection>,
    /// What the query asked that the presentation does not show (types, claims), and what
    /// it shows that the query did not ask for; empty when it answers its query exactly.
    pub unmet: Vec<String>,
}

/// What the verifier's transaction expects of a response.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    /// The request's nonce.
    pub nonce: &'a str,
    /// The full Client Identifier.
    pub client_id: &'a str,
    /// The DCQL query asked.
    pub query: &'a DcqlQuery,
    /// Claims (JSON pointers, each covering what lies below it) the verifier accepts seeing
    /// without having asked: those its issuers make mandatory. Besides these and what the
    /// query asks, only [`ALWAYS_SHOWN`] and `id`/`type` members may be disclosed.
    pub also_accepted: &'a [String],
}

/// The members of a credential every bbs-2023 credential of this project discloses
/// (mandatory at issuance, see `docs/formats.md`), which a verifier sees whatever it asks:
/// a disclosed claim under one of these pointers is never over-disclosure.
pub const ALWAYS_SHOWN: &[&str] = &[
    "/id",
    "/type",
    "/issuer",
    "/validFrom",
    "/validUntil",
    "/issuanceDate",
    "/expirationDate",
    "/credentialStatus",
];

/// What an SD-JWT VC shows in plain view besides what the profile's own claims (`iss`,
/// `vct`, `cnf`, `status`, reported apart): its time claims and subject identifier.
pub const SD_JWT_ALWAYS_SHOWN: &[&str] = &["/iat", "/nbf", "/exp", "/sub"];

/// The policy a response is verified under: `policy` with the request's nonce as challenge
/// and its full Client Identifier as domain (so bbs-2023 headers and pseudonyms are those
/// of this request).
pub fn response_policy(policy: &Policy, expected: &Expected<'_>) -> Policy {
    policy
        .clone()
        .challenge(expected.nonce)
        .domain(expected.client_id)
}

/// The presentations of a parsed `vp_token`, each with the Credential Query id it answers
/// (presentations for ids the query does not have are left out; [`parse_response`] refuses
/// them).
pub fn presentations<'a>(
    query: &DcqlQuery,
    vp_token: &'a Map<String, Value>,
) -> Vec<(&'a str, &'a Value)> {
    let mut out = Vec::new();
    for (query_id, presentations) in vp_token {
        if !query.credentials.iter().any(|q| &q.id == query_id) {
            continue;
        }
        for p in presentations
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            out.push((query_id.as_str(), p));
        }
    }
    out
}

/// The verdict on one presentation answering Credential Query `query_id`, given the
/// verifier's `result` on it (under [`response_policy`]): every accepted credential must be
/// of a type the query asks for, disclose every claim it asks for, and disclose nothing else
/// (besides [`ALWAYS_SHOWN`], `id` and `type` members, and `expected.also_accepted`).
pub fn assess(
    jsonld: &JsonLdProcessor,
    expected: &Expected<'_>,
    query_id: &str,
    result: Result<VerifiedPresentation, Rejection>,
) -> PresentationVerdict {
    let mut unmet = Vec::new();
    let q = expected.query.credentials.iter().find(|q| q.id == query_id);
    match (&result, q) {
        (Ok(vp), Some(q)) => {
            for c in vp.credentials() {
                let sd_jwt = q.format == super::dcql::FORMAT_SD_JWT_VC;
                // An SD-JWT VC's claims as the wallet matched them (with its vct).
                let mut doc = c.document().clone();
                if sd_jwt && let (Some(m), Some(vct)) = (doc.as_object_mut(), c.types().first()) {
                    m.insert("vct".into(), Value::String(vct.clone()));
                }
                let types = if sd_jwt {
                    Vec::new()
                } else {
                    expanded_types(jsonld, c.document()).unwrap_or_default()
                };
                let before = unmet.len();
                let type_ok = if sd_jwt {
                    c.types().iter().any(|t| q.vct_values.contains(t))
                        && super::dcql::is_sd_jwt_vc_claims(&doc)
                } else {
                    q.type_values
                        .iter()
                        .any(|alt| alt.iter().all(|t| types.contains(t)))
                };
                if !type_ok {
                    unmet.push("the credential is not of a type the query asks for".into());
                }
                // Without claim sets every claim is asked for: name each one missing.
                if q.claim_sets.is_none() {
                    for claim in q.claims.iter().flatten() {
                        if process_path(c.document(), &claim.path).is_none() {
                            unmet
                                .push(format!("claim {} is not disclosed", path_text(&claim.path)));
                        }
                    }
                }
                // The wallet's own matching over what was disclosed: `values`, claim sets.
                let candidate = super::dcql::Candidate {
                    id: "",
                    credential: &doc,
                    expanded_types: &types,
                    holder_binding: c.holder_binding() != crate::verifier::HolderBinding::None,
                };
                if unmet.len() == before && super::dcql::matches(q, &candidate).is_none() {
                    unmet.push(
                        "the disclosed claims do not meet the query (its values or claim sets)"
                            .into(),
                    );
                }
                let always: &[&str] = if sd_jwt {
                    SD_JWT_ALWAYS_SHOWN
                } else {
                    ALWAYS_SHOWN
                };
                for pointer in over_disclosed(c.document(), q, expected.also_accepted, always) {
                    unmet.push(format!(
                        "claim {pointer} is disclosed but was not asked for"
                    ));
                }
            }
        }
        (Ok(_), None) => unmet.push("the presentation answers no query of the request".into()),
        (Err(_), _) => {}
    }
    PresentationVerdict {
        query_id: query_id.to_owned(),
        result,
        unmet,
    }
}

/// The verifier's checks of §8.6 on a parsed `vp_token`: every presentation verified by
/// `verifier` under [`response_policy`], then [`assess`]ed against its Credential Query.
/// The response is accepted when [`response_accepted`] says so. (A service verifying many
/// responses at once verifies [`presentations`] in a batch and calls [`assess`] itself.)
pub fn check_vp_token(
    verifier: &Verifier,
    jsonld: &JsonLdProcessor,
    policy: &Policy,
    lists: &StatusLists,
    expected: &Expected<'_>,
    vp_token: &Map<String, Value>,
) -> Vec<PresentationVerdict> {
    let policy = response_policy(policy, expected);
    presentations(expected.query, vp_token)
        .into_iter()
        .map(|(query_id, p)| {
            let result = match p {
                Value::String(compact) => verifier.verify_sd_jwt(compact, &policy, lists),
                other => verifier.verify(other, &policy, lists),
            };
            assess(jsonld, expected, query_id, result)
        })
        .collect()
}

/// The disclosed leaf claims of `doc` (JSON pointers) that neither the query's claims (a
/// claim covers everything below its path; a query without claims asks for the whole
/// credential) nor `also_accepted` nor [`ALWAYS_SHOWN`] cover, other than `id` and `type`
/// members (which bbs-2023 discloses with the objects holding a disclosed claim).
fn over_disclosed(
    doc: &Value,
    q: &super::dcql::CredentialQuery,
    also: &[String],
    always: &[&str],
) -> Vec<String> {
    let Some(claims) = &q.claims else {
        return Vec::new();
    };
    let under = |pointer: &str, prefix: &str| {
        pointer == prefix
            || (pointer.starts_with(prefix) && pointer.as_bytes().get(prefix.len()) == Some(&b'/'))
    };
    // An `id` or `type` member (or an element of a `type` array) of an object on the way to
    // an asked claim: bbs-2023 discloses them with the claim. Elsewhere they are claims too.
    let structural = |pointer: &str| {
        let Ok(tokens) = crate::json_pointer::parse(pointer) else {
            return false;
        };
        let parent = match tokens.as_slice() {
            [rest @ .., t, i] if t == "type" && crate::json_pointer::array_index(i).is_some() => {
                rest
            }
            [rest @ .., t] if t == "type" || t == "id" => rest,
            _ => return false,
        };
        claims
            .iter()
            .any(|c| parent.len() <= c.path.len() && path_matches(&c.path, parent))
    };
    crate::verifier::disclosed_claims(doc)
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| {
            !structural(p)
                && !always.iter().any(|a| under(p, a))
                && !also.iter().any(|a| under(p, a))
                && !claims.iter().any(|c| {
                    crate::json_pointer::parse(p).is_ok_and(|tokens| {
                        c.path.len() <= tokens.len() && path_matches(&c.path, &tokens)
                    })
                })
        })
        .collect()
}

/// Whether the claims path pointer `path` (§7) and the reference tokens of a JSON pointer
/// agree where both go (`null` matching any array index, an index as RFC 6901 writes it).
fn path_matches(path: &[PathComponent], tokens: &[String]) -> bool {
    tokens.iter().zip(path).all(|(token, c)| match c {
        PathComponent::Key(k) => k == token,
        PathComponent::Index(i) => crate::json_pointer::array_index(token) == Some(*i),
        PathComponent::All => crate::json_pointer::array_index(token).is_some(),
    })
}

/// Whether the verdicts accept the response: every presentation valid and meeting its query,
/// and the credential queries (or credential sets) required by `query` all answered.
pub fn response_accepted(query: &DcqlQuery, verdicts: &[PresentationVerdict]) -> bool {
    if verdicts.is_empty()
        || verdicts
            .iter()
            .any(|v| v.result.is_err() || !v.unmet.is_empty())
    {
        return false;
    }
    let answered = |id: &str| verdicts.iter().any(|v| v.query_id == id);
    match &query.credential_sets {
        None => query.credentials.iter().all(|q| answered(&q.id)),
        Some(sets) => sets.iter().filter(|s| s.required).all(|s| {
            s.options
                .iter()
                .any(|opt| opt.iter().all(|id| answered(id)))
        }),
    }
}

fn path_text(path: &[PathComponent]) -> String {
    let parts: Vec<String> = path
        .iter()
        .map(|c| match c {
            PathComponent::Key(k) => format!("{k:?}"),
            PathComponent::Index(i) => i.to_string(),
            PathComponent::All => "null".into(),
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

/// The `type` values of a credential expanded to IRIs by JSON-LD (what DCQL's
/// `meta.type_values` is matched against), read from its RDF (`proof` aside).
pub fn expanded_types(
    jsonld: &JsonLdProcessor,
    credential: &Value,
) -> Result<Vec<String>, crate::Error> {
    let mut doc = credential.clone();
    if let Some(o) = doc.as_object_mut() {
        o.remove("proof");
    }
    let quads = jsonld.to_rdf(&doc, &ToRdfOptions::default())?;
    Ok(crate::vc::SignedFields::from_quads(&quads)?.types)
}

#[cfg(test)]
#[expect(
    clippy::indexing_slicing,
    reason = "tests: a missing element is a failed test"
)]
mod tests {
    use super::*;

    fn query(q: Value) -> DcqlQuery {
        DcqlQuery::parse(&q).unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn id_and_type_pass_only_on_the_way_to_an_asked_claim() {
        let q = query(json!({"credentials": [{"id": "d", "format": "ldp_vc",
            "meta": {"type_values": [["T"]]},
            "claims": [{"path": ["credentialSubject", "degree", "name"]}]}]}));
        let doc = json!({
            "id": "urn:uuid:1", "type": ["VerifiableCredential", "T"],
            "issuer": {"id": "did:example:u", "name": "U"},
            "credentialSubject": {
                "type": ["Person"],
                "degree": {"type": "MasterDegree", "name": "MSc"},
                "degreeX": {"name": "not asked"},
                "passport": {"id": "urn:passport:123", "type": "Passport"}
            }
        });
        let got = over_disclosed(&doc, &q.credentials[0], &[], ALWAYS_SHOWN);
        assert_eq!(
            got,
            vec![
                "/credentialSubject/degreeX/name".to_owned(),
                "/credentialSubject/passport/id".to_owned(),
                "/credentialSubject/passport/type".to_owned(),
            ]
        );
        let also = ["/credentialSubject/passport".to_owned()];
        assert_eq!(
            over_disclosed(&doc, &q.credentials[0], &also, ALWAYS_SHOWN),
            vec!["/credentialSubject/degreeX/name".to_owned()]
        );
    }

    #[test]
    fn the_verifier_applies_the_querys_values_and_claim_sets() {
        let q = query(json!({"credentials": [{"id": "d", "format": "ldp_vc",
            "meta": {"type_values": [["T"]]},
            "claims": [{"id": "a", "path": ["credentialSubject", "level"], "values": [7]},
                       {"id": "b", "path": ["credentialSubject", "name"]}],
            "claim_sets": [["a"], ["b"]]}]}));
        let types = vec!["T".to_owned()];
        let check = |doc: Value| {
            super::super::dcql::matches(
                &q.credentials[0],
                &super::super::dcql::Candidate {
                    id: "",
                    credential: &doc,
                    expanded_types: &types,
                    holder_binding: true,
                },
            )
            .is_some()
        };
        assert!(check(json!({"credentialSubject": {"level": 7}})));
        assert!(!check(json!({"credentialSubject": {"level": 6}})));
        assert!(
            check(json!({"credentialSubject": {"level": 6, "name": "x"}})),
            "set b"
        );
    }
}
