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
use crate::commands::verify::{Outcome, json_result};

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

pub async fn verify_credential(State(app): State<Shared>, body: Bytes) -> Response {
    verify(app, body, "verifiableCredential").await
}

pub async fn verify_presentation(State(app): State<Shared>, body: Bytes) -> Response {
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
    let errors: Vec<Value> = result
        .failures
        .iter()
        .map(|f| {
            json!({
                "type": format!("https://civitas.example/problems/{}", f.check),
                "title": f.check,
                "detail": f.reason,
            })
        })
        .collect();
    let warnings: Vec<Value> = result
        .dangers
        .iter()
        .map(|d| json!({"type": "https://civitas.example/problems/relaxed-check", "title": "relaxed check", "detail": d}))
        .collect();
    let status = if verified {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    Ok((
        status,
        Json(json!({
            "verified": verified,
            "checks": if verified { checks } else { Vec::new() },
            "warnings": warnings,
            "errors": errors,
            "result": result,
        })),
    )
        .into_response())
}
