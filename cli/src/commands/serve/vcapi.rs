//! The W3C VC API verification endpoints, for back offices: `POST /credentials/verify` with
//! `{"verifiableCredential": ..., "options": {"challenge", "domain"}}` and
//! `POST /presentations/verify` with `{"verifiablePresentation": ..., "options": {...}}`.
//!
//! Both verify under the desk's policy (its trust file, status lists and clock) and need
//! `options.challenge` (the one the back office gave the holder: without it nothing stops a
//! replay). The answer is the VC API's verification result, `{"verified", "checks",
//! "warnings", "errors"}` (200 when verified, 400 when not), with `result`, the object
//! `civitas verify --format json` prints for one input.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::desk::json_body;
use super::{ApiError, Shared};
use crate::commands::verify::{JsonResult, Outcome, json_result};

/// The checks a verification runs, by the names `civitas verify` gives failures.
const CHECKS: &[&str] = &[
    "format",
    "holder-proof",
    "challenge",
    "domain",
    "proof",
    "issuer",
    "validity",
    "status",
    "required-claims",
    "holder-binding",
];

pub(super) async fn verify_credential(State(app): State<Shared>, body: Bytes) -> Response {
    verify(app, body, "verifiableCredential").await
}

pub(super) async fn verify_presentation(State(app): State<Shared>, body: Bytes) -> Response {
    verify(app, body, "verifiablePresentation").await
}

async fn verify(app: Shared, body: Bytes, member: &'static str) -> Response {
    match verify_inner(&app, &body, member).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn verify_inner(app: &Shared, body: &[u8], member: &str) -> Result<Response, ApiError> {
    let request = json_body(body)?;
    let document = request
        .get(member)
        .filter(|v| v.is_object())
        .ok_or_else(|| ApiError::bad(format!("the body needs {member} (an object)")))?;
    let is_presentation = match document.get("type") {
        Some(Value::String(t)) => t == "VerifiablePresentation",
        Some(Value::Array(a)) => a.iter().any(|t| t == "VerifiablePresentation"),
        _ => false,
    };
    if (member == "verifiablePresentation") != is_presentation {
        return Err(ApiError::bad(if is_presentation {
            "a presentation goes to /presentations/verify"
        } else {
            "a credential goes to /credentials/verify"
        }));
    }
    let options = request.get("options").cloned().unwrap_or(json!({}));
    let text = |key: &str| -> Result<Option<String>, ApiError> {
        match options.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if !s.is_empty() && s.len() <= 512 => Ok(Some(s.clone())),
            Some(_) => Err(ApiError::bad(format!(
                "options.{key} must be a string of 1 to 512 characters"
            ))),
        }
    };
    let challenge = text("challenge")?.ok_or_else(|| {
        ApiError::bad("options.challenge is required: the challenge you gave the holder")
    })?;
    let mut policy = (*app.vcapi_policy).clone().challenge(challenge);
    if let Some(d) = text("domain")? {
        policy = policy.domain(d);
    }
    let policy = Arc::new(policy);
    let verdict = app
        .pool
        .verify(
            vec![document.clone()],
            Arc::clone(&policy),
            app.lists.current(),
        )
        .await
        .map_err(|_| ApiError::busy())?
        .into_iter()
        .next()
        .ok_or_else(ApiError::busy)?;
    let outcome = match verdict {
        Ok(vp) => Outcome::Valid(vp),
        Err(r) => Outcome::Invalid(r),
    };
    let result = json_result(member, &outcome, policy.dangers());
    let verified = matches!(outcome, Outcome::Valid(_));
    let checks: Vec<&str> = CHECKS
        .iter()
        .copied()
        .filter(|c| !result.failures.iter().any(|f| f.check == *c))
        .collect();
    let errors: Vec<Problem<'_>> = result
        .failures
        .iter()
        .map(|f| Problem::new(f.check, f.check, &f.reason, None))
        .collect();
    let warnings: Vec<Problem<'_>> = result
        .dangers
        .iter()
        .map(|d| Problem::new("relaxed-check", "relaxed check", d, None))
        .collect();
    let status = if verified {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let body = VerifyResponse {
        verified,
        checks: if verified { checks } else { Vec::new() },
        warnings,
        errors,
        result: &result,
    };
    Ok((status, Json(body)).into_response())
}

/// The body of the VC API's verify endpoints: the VC API's `verified`, `checks`, `warnings`
/// and `errors`, and the `civitas verify --json` result beside them.
#[derive(Debug, serde::Serialize)]
struct VerifyResponse<'a> {
    verified: bool,
    /// The checks that passed (empty unless verified).
    checks: Vec<&'a str>,
    warnings: Vec<Problem<'a>>,
    errors: Vec<Problem<'a>>,
    result: &'a JsonResult,
}

/// A problem description (RFC 9457 §3.1).
#[derive(Debug, serde::Serialize)]
struct Problem<'a> {
    /// `https://civitas.example/problems/NAME`.
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    detail: &'a str,
}

impl<'a> Problem<'a> {
    fn new(name: &str, title: &'a str, detail: &'a str, status: Option<StatusCode>) -> Self {
        Problem {
            kind: format!("https://civitas.example/problems/{name}"),
            title,
            status: status.map(|s| s.as_u16()),
            detail,
        }
    }
}

/// A problem description (RFC 9457) for the issuing endpoints.
fn problem(status: StatusCode, title: &str, detail: impl Into<String>) -> Response {
    let detail = detail.into();
    let body = Problem::new(&title.replace(' ', "-"), title, &detail, Some(status));
    let mut r = (status, Json(body)).into_response();
    r.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/problem+json"),
    );
    r
}

/// The string array `options.<key>` (absent: empty).
fn pointers(options: &Value, key: &str) -> Result<Vec<String>, String> {
    match options.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) if a.len() <= 1000 => a
            .iter()
            .map(|p| {
                let p = p.as_str().ok_or(())?;
                civitas_core::json_pointer::parse(p).map_err(|_| ())?;
                Ok(p.to_owned())
            })
            .collect::<Result<_, ()>>()
            .map_err(|()| format!("options.{key} must be an array of JSON pointers")),
        Some(_) => Err(format!("options.{key} must be an array of JSON pointers")),
    }
}

/// `POST /credentials/issue` `{"credential": ..., "options": {"mandatoryPointers": [...]}}`:
/// 201 `{"verifiableCredential": ...}` signed with the issuer's key (bbs-2023) under the
/// issuer policy (the issuer set to the key's DID; `/issuer`, validity and status always
/// mandatory). 400 for a malformed request, 422 for a credential that cannot be signed (an
/// undefined term, no `credentialSubject`, ...).
pub(super) async fn issue_credential(State(app): State<Shared>, body: Bytes) -> Response {
    let Some(issuer) = app.issuer.clone() else {
        return problem(
            StatusCode::NOT_FOUND,
            "not found",
            "this service does not issue credentials (no [issuer] in its configuration)",
        );
    };
    let request = match json_body(&body) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let Some(credential) = request.get("credential").filter(|c| c.is_object()).cloned() else {
        return problem(
            StatusCode::BAD_REQUEST,
            "invalid request",
            "the body needs credential (an object)",
        );
    };
    let options = request.get("options").cloned().unwrap_or(json!({}));
    let mandatory = match pointers(&options, "mandatoryPointers") {
        Ok(p) => p,
        Err(why) => return problem(StatusCode::BAD_REQUEST, "invalid request", why),
    };
    let signed =
        tokio::task::spawn_blocking(move || issuer.issue_plain(credential, &mandatory)).await;
    match signed {
        Ok(Ok(vc)) => (
            StatusCode::CREATED,
            Json(json!({"verifiableCredential": vc})),
        )
            .into_response(),
        Ok(Err(e)) => problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid credential",
            e.to_string(),
        ),
        Err(_) => ApiError::busy().into_response(),
    }
}

/// `POST /credentials/derive` `{"verifiableCredential": ..., "options": {"selectivePointers":
/// [...], "presentationHeader": HEX}}`: 201 `{"verifiableCredential": derived}` (a bbs-2023
/// derived proof disclosing the mandatory and the selected claims). Only for baseline
/// credentials: a bound one needs the holder's secrets, which never leave the wallet.
pub(super) async fn derive_credential(State(app): State<Shared>, body: Bytes) -> Response {
    let request = match json_body(&body) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let Some(signed) = request
        .get("verifiableCredential")
        .filter(|c| c.is_object())
        .cloned()
    else {
        return problem(
            StatusCode::BAD_REQUEST,
            "invalid request",
            "the body needs verifiableCredential (an object)",
        );
    };
    let options = request.get("options").cloned().unwrap_or(json!({}));
    let selective = match pointers(&options, "selectivePointers") {
        Ok(p) => p,
        Err(why) => return problem(StatusCode::BAD_REQUEST, "invalid request", why),
    };
    let header = match options.get("presentationHeader") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(h)) if h.len() <= 1024 => match hex::decode(h) {
            Ok(b) => b,
            Err(_) => {
                return problem(
                    StatusCode::BAD_REQUEST,
                    "invalid request",
                    "options.presentationHeader must be hexadecimal",
                );
            }
        },
        Some(_) => {
            return problem(
                StatusCode::BAD_REQUEST,
                "invalid request",
                "options.presentationHeader must be a hexadecimal string of at most 512 bytes",
            );
        }
    };
    let jsonld = Arc::clone(&app.jsonld);
    let derived = tokio::task::spawn_blocking(move || {
        civitas_core::bbs2023::Bbs2023::new(jsonld).derive(&signed, &selective, &header)
    })
    .await;
    match derived {
        Ok(Ok(vc)) => (
            StatusCode::CREATED,
            Json(json!({"verifiableCredential": vc})),
        )
            .into_response(),
        Ok(Err(e)) => problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "cannot derive",
            e.to_string(),
        ),
        Err(_) => ApiError::busy().into_response(),
    }
}
