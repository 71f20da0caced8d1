//! The desk's endpoints (behind the token) and the wallet's (public): a check starts a
//! transaction, the wallet fetches its signed Request Object and posts its response once,
//! and the desk reads the verdict.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use civitas_core::jose::EcPrivateJwk;
use civitas_core::openid4vp::{
    form_encode, parse_form, sign_request_object, sign_request_object_x509,
};

use super::config::ClientIdPrefix;
use civitas_core::openid4vp::{
    Expected, assess, parse_response, presentations, response_accepted, response_policy,
};
use serde_json::{Map, Value, json};

use super::config::{Check, Mode};
use super::store::{ClaimError, Phase, Transaction};
use super::{ApiError, App, Shared, random_text};
use crate::commands::verify::{JsonFailure, JsonResult, Outcome, json_result};

/// Longest the check of one response may take (below the request's own limit, so that the
/// verdict is always recorded).
const DECIDE_TIMEOUT: Duration = Duration::from_secs(15);

/// Parse a small JSON request body.
pub(super) fn json_body(body: &[u8]) -> Result<Value, ApiError> {
    civitas_core::json::parse(body, &civitas_core::json::JsonLimits::default())
        .map_err(|e| ApiError::bad(format!("the body is not JSON: {e}")))
}

fn no_store(mut r: Response) -> Response {
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn unix(t: SystemTime) -> u64 {
    u64::try_from(civitas_core::Timestamp::from_system_time(t).unix_seconds()).unwrap_or(0)
}

/// The `openid4vp://` URL a wallet opens for transaction `rid` (what the QR code holds).
fn invocation(app: &App, rid: &str) -> String {
    format!(
        "openid4vp://?client_id={}&request_uri={}",
        form_encode(&app.client_id),
        form_encode(&format!("{}/openid4vp/requests/{rid}", app.base_url))
    )
}

fn check_of<'a>(app: &'a App, name: &str) -> Option<&'a Arc<Check>> {
    app.config.checks.iter().find(|c| c.name == name)
}

/// The body of `GET /desk/checks` (`docs/serve.md`).
#[derive(Debug, serde::Serialize)]
struct CheckList<'a> {
    checks: Vec<CheckInfo<'a>>,
    /// The desk's OpenID4VP `client_id`, prefix included.
    client_id: &'a str,
}

/// One check the desk can run.
#[derive(Debug, serde::Serialize)]
struct CheckInfo<'a> {
    name: &'a str,
    title: &'a str,
    /// The DCQL query sent to the wallet, as configured.
    dcql_query: &'a Value,
}

/// The body of `POST /desk/checks` (201).
#[derive(Debug, serde::Serialize)]
struct CheckStarted {
    id: String,
    /// The `openid4vp://` URL the wallet opens (what the QR code holds).
    url: String,
    check: String,
    expires_at: String,
}

/// The body of `GET /desk/checks/{id}`.
#[derive(Debug, serde::Serialize)]
struct CheckState<'a> {
    id: &'a str,
    check: &'a str,
    title: Option<&'a str>,
    /// `pending`, `valid`, `invalid` or `expired`.
    state: &'static str,
    /// `null` until decided, then the `civitas verify --json` result.
    result: Value,
    expires_at: String,
}

/// `GET /desk/checks`: what the desk can ask for.
pub(super) async fn list_checks(State(app): State<Shared>) -> Response {
    let body = CheckList {
        checks: app
            .config
            .checks
            .iter()
            .map(|c| CheckInfo {
                name: &c.name,
                title: &c.title,
                dcql_query: &c.dcql_json,
            })
            .collect(),
        client_id: &app.client_id,
    };
    no_store(Json(body).into_response())
}

/// `POST /desk/checks` with `{"check": NAME}`: a new transaction (fresh nonce and state of
/// 256 and 128 bits, single use, expiring), answered `201 {"id", "url", "check",
/// "expires_at"}`.
pub(super) async fn create(
    State(app): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    // A cross-site form cannot send application/json without the browser asking first.
    let json_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| {
            t.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
        });
    if !json_type {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "invalid_request",
            "send {\"check\": NAME} as application/json",
        ));
    }
    let v = json_body(&body)?;
    let name = v
        .get("check")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::bad("give {\"check\": NAME}"))?;
    let check = check_of(&app, name).ok_or_else(|| {
        let names: Vec<&str> = app.config.checks.iter().map(|c| c.name.as_str()).collect();
        ApiError::not_found(format!(
            "no check named {:?}; this desk has: {}",
            crate::util::escape(name),
            names.join(", ")
        ))
    })?;
    let enc = match app.config.mode {
        Mode::DirectPostJwt => Some(Arc::new(
            EcPrivateJwk::generate(Some("response-encryption".into())).map_err(|_| {
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "temporarily_unavailable",
                    "cannot make an encryption key",
                )
            })?,
        )),
        Mode::DirectPost => None,
    };
    let expires_at = SystemTime::now() + app.config.ttl;
    let tx = Transaction {
        id: random_text(16)?,
        rid: random_text(16)?,
        check: check.name.clone(),
        nonce: random_text(32)?,
        state: random_text(16)?,
        expires: Instant::now() + app.config.ttl,
        expires_at: unix(expires_at),
        enc,
        phase: Phase::Pending,
    };
    let out = CheckStarted {
        id: tx.id.clone(),
        url: invocation(&app, &tx.rid),
        check: check.name.clone(),
        expires_at: crate::util::rfc3339(expires_at),
    };
    app.store.insert(tx).map_err(|_| ApiError::busy())?;
    Ok(no_store((StatusCode::CREATED, Json(out)).into_response()))
}

fn state_name(tx: &Transaction, now: Instant) -> &'static str {
    match &tx.phase {
        Phase::Done { valid: true, .. } => "valid",
        Phase::Done { valid: false, .. } => "invalid",
        Phase::Pending if now >= tx.expires => "expired",
        Phase::Pending | Phase::Checking => "pending",
    }
}

/// `GET /desk/checks/{id}`: `{"id", "check", "state": "pending" | "valid" | "invalid" |
/// "expired", "result": null | the civitas verify JSON result, "expires_at"}`.
pub(super) async fn status(
    State(app): State<Shared>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let tx = app
        .store
        .by_id(&id)
        .ok_or_else(|| ApiError::not_found("no such check (or it ended long ago)"))?;
    let result = match &tx.phase {
        Phase::Done { result, .. } => (**result).clone(),
        _ => Value::Null,
    };
    Ok(no_store(
        Json(CheckState {
            id: &tx.id,
            check: &tx.check,
            title: check_of(&app, &tx.check).map(|c| c.title.as_str()),
            state: state_name(&tx, Instant::now()),
            result,
            expires_at: civitas_core::wallet::rfc3339_from_unix(tx.expires_at),
        })
        .into_response(),
    ))
}

/// `GET /desk/checks/{id}/qr.svg`: the QR code of the check's `openid4vp://` URL.
pub(super) async fn qr(
    State(app): State<Shared>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let tx = app
        .store
        .by_id(&id)
        .ok_or_else(|| ApiError::not_found("no such check"))?;
    let (svg, info) = civitas_cli::qr::svg(&invocation(&app, &tx.rid))
        .map_err(|e| ApiError::bad(e.to_string()))?;
    let mut r = ([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response();
    if let Ok(v) = HeaderValue::from_str(&info.version.to_string()) {
        r.headers_mut().insert("x-qr-version", v);
    }
    Ok(no_store(r))
}

/// The transaction a wallet asks about, if it can still be answered.
fn answerable(app: &App, rid: &str) -> Result<(Transaction, Arc<Check>), ApiError> {
    let tx = app
        .store
        .by_rid(rid)
        .ok_or_else(|| ApiError::not_found("no such request"))?;
    match tx.phase {
        Phase::Pending if Instant::now() < tx.expires => {}
        Phase::Pending => return Err(ApiError::bad("this request has expired")),
        _ => return Err(ApiError::bad("this request was already answered")),
    }
    let check = check_of(app, &tx.check)
        .cloned()
        .ok_or_else(|| ApiError::not_found("no such request"))?;
    Ok((tx, check))
}

fn request_object(app: &App, rid: &str, wallet_nonce: Option<&str>) -> Result<Response, ApiError> {
    let (tx, check) = answerable(app, rid)?;
    let mut params = Map::new();
    params.insert("client_id".into(), app.client_id.clone().into());
    params.insert("response_type".into(), "vp_token".into());
    params.insert(
        "response_uri".into(),
        format!("{}/openid4vp/responses/{rid}", app.base_url).into(),
    );
    params.insert("nonce".into(), tx.nonce.clone().into());
    params.insert("state".into(), tx.state.clone().into());
    params.insert("dcql_query".into(), check.dcql_json.clone());
    params.insert("aud".into(), "https://self-issued.me/v2".into());
    params.insert("iat".into(), unix(SystemTime::now()).into());
    params.insert("exp".into(), tx.expires_at.into());
    let mut meta = Map::new();
    meta.insert(
        "vp_formats_supported".into(),
        json!({
            "ldp_vc": {"proof_type_values": ["DataIntegrityProof"], "cryptosuite_values": ["bbs-2023", "ecdsa-rdfc-2019"]},
            "dc+sd-jwt": {"sd-jwt_alg_values": ["ES256"], "kb-jwt_alg_values": ["ES256"]}
        }),
    );
    match &tx.enc {
        Some(key) => {
            params.insert("response_mode".into(), "direct_post.jwt".into());
            let mut jwk = key.public().to_json();
            if let Some(o) = jwk.as_object_mut() {
                o.insert("use".into(), "enc".into());
                o.insert("alg".into(), "ECDH-ES".into());
            }
            meta.insert("jwks".into(), json!({"keys": [jwk]}));
            meta.insert(
                "encrypted_response_enc_values_supported".into(),
                json!(["A128GCM", "A256GCM"]),
            );
        }
        None => {
            params.insert("response_mode".into(), "direct_post".into());
        }
    }
    params.insert("client_metadata".into(), Value::Object(meta));
    if let Some(n) = wallet_nonce {
        params.insert("wallet_nonce".into(), n.into());
    }
    let signed = match (&app.config.certificate, &app.config.client_id_prefix) {
        (Some(chain), ClientIdPrefix::X509Hash | ClientIdPrefix::X509SanDns(_)) => {
            sign_request_object_x509(&params, &app.signer, chain)
        }
        _ => sign_request_object(&params, &app.signer),
    };
    let jwt = signed.map_err(|_| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "cannot sign the request",
        )
    })?;
    Ok(no_store(
        (
            [(header::CONTENT_TYPE, "application/oauth-authz-req+jwt")],
            jwt,
        )
            .into_response(),
    ))
}

/// `GET /openid4vp/requests/{rid}`: the signed Request Object.
pub(super) async fn request_object_get(
    State(app): State<Shared>,
    Path(rid): Path<String>,
) -> Response {
    request_object(&app, &rid, None).unwrap_or_else(IntoResponse::into_response)
}

/// `POST /openid4vp/requests/{rid}` (`request_uri_method=post`): the same, with the
/// wallet's `wallet_nonce` inside when it sends one.
pub(super) async fn request_object_post(
    State(app): State<Shared>,
    Path(rid): Path<String>,
    body: Bytes,
) -> Response {
    let run = || -> Result<Response, ApiError> {
        let text =
            std::str::from_utf8(&body).map_err(|_| ApiError::bad("the body is not UTF-8"))?;
        let form = parse_form(text).map_err(|e| ApiError::bad(e.description))?;
        let nonce = match form.get("wallet_nonce") {
            None => None,
            Some(Value::String(s)) if !s.is_empty() && s.len() <= 512 => Some(s.as_str()),
            Some(_) => return Err(ApiError::bad("wallet_nonce must be 1 to 512 characters")),
        };
        request_object(&app, &rid, nonce)
    };
    run().unwrap_or_else(IntoResponse::into_response)
}

/// A failure line of the desk's result object.
fn failure(check: &'static str, reason: impl Into<String>) -> JsonFailure {
    JsonFailure {
        check,
        credential: None,
        reason: reason.into(),
    }
}

/// The desk's result object of a response (the `civitas verify --format json` result).
fn result_of(tx: &Transaction, client_id: &str, valid: bool) -> JsonResult {
    JsonResult {
        input: format!("openid4vp response for check {}", tx.check),
        verdict: if valid { "valid" } else { "invalid" },
        holder: None,
        challenge: Some(tx.nonce.clone()),
        domain: Some(client_id.to_owned()),
        credentials: Vec::new(),
        failures: Vec::new(),
        dangers: Vec::new(),
        error: None,
    }
}

/// The result object of a response that could not be checked at all.
fn refused(tx: &Transaction, client_id: &str, failures: Vec<JsonFailure>) -> JsonResult {
    JsonResult {
        failures,
        ..result_of(tx, client_id, false)
    }
}

/// `POST /openid4vp/responses/{rid}`: the wallet's one response. The first response to a
/// pending transaction decides it, whatever it holds (a wrong state, an undecryptable body,
/// a declined request, a rejected presentation: each an invalid verdict with its reason on
/// the desk's page); later ones are refused as already answered.
pub(super) async fn response(
    State(app): State<Shared>,
    Path(rid): Path<String>,
    body: Bytes,
) -> Response {
    let tx = match app.store.claim(&rid, Instant::now()) {
        Ok(tx) => tx,
        Err(ClaimError::Unknown) => return ApiError::not_found("no such request").into_response(),
        Err(ClaimError::Expired) => {
            return ApiError::bad("this request has expired; the desk must start a new check")
                .into_response();
        }
        Err(ClaimError::Answered) => {
            return ApiError::bad("this request was already answered").into_response();
        }
    };
    // Decided and recorded in a task of its own, within a time limit: neither a client that
    // hangs up (which drops this handler) nor a slow check leaves a claimed transaction
    // pending forever.
    let task = tokio::spawn(async move {
        let (valid, result, reply) =
            match tokio::time::timeout(DECIDE_TIMEOUT, decide(&app, &tx, &body)).await {
                Ok(decided) => decided,
                Err(_) => {
                    let reason =
                        "the desk took too long to check the response; start the check again";
                    (
                        false,
                        refused(&tx, &app.client_id, vec![failure("response", reason)]),
                        ApiError::new(
                            StatusCode::SERVICE_UNAVAILABLE,
                            "temporarily_unavailable",
                            reason,
                        )
                        .into_response(),
                    )
                }
            };
        let (valid, recorded) = match serde_json::to_value(&result) {
            Ok(v) => (valid, v),
            Err(_) => (
                false,
                json!({"verdict": "invalid", "failures": [{"check": "response", "credential": null, "reason": "the result could not be recorded"}]}),
            ),
        };
        eprintln!(
            "civitas serve: check {} answered: {}",
            tx.check,
            if valid { "valid" } else { "invalid" }
        );
        app.store.finish(&rid, valid, recorded);
        reply
    });
    task.await
        .unwrap_or_else(|_| ApiError::busy().into_response())
}

async fn decide(app: &App, tx: &Transaction, body: &[u8]) -> (bool, JsonResult, Response) {
    let refuse = |check: &'static str, reason: String| {
        let result = refused(tx, &app.client_id, vec![failure(check, reason.clone())]);
        (false, result, ApiError::bad(reason).into_response())
    };
    let Some(check) = check_of(app, &tx.check).cloned() else {
        return refuse("response", "the check is no longer configured".into());
    };
    let Ok(text) = std::str::from_utf8(body) else {
        return refuse("response", "the response body is not UTF-8".into());
    };
    // The wallet may decline (an Authorization Error Response, §8.5).
    if let Ok(form) = parse_form(text)
        && let Some(code) = form.get("error").and_then(Value::as_str)
    {
        let code = crate::util::escape(&code.chars().take(64).collect::<String>());
        let result = refused(
            tx,
            &app.client_id,
            vec![failure("response", format!("the wallet declined ({code})"))],
        );
        return (false, result, no_store(Json(json!({})).into_response()));
    }
    let vp_token = match parse_response(text, Some(&tx.state), tx.enc.as_deref(), &check.dcql) {
        Ok(t) => t,
        // An answer encrypted for another transaction's key: replayed or misdirected.
        Err(e) if e.description.starts_with("the encrypted response:") => {
            return refuse(
                "response",
                format!(
                    "this answer was not made for this check (a replayed or misdirected answer): {}",
                    e.description
                ),
            );
        }
        Err(e) => return refuse("response", e.description),
    };
    let expected = Expected {
        nonce: &tx.nonce,
        client_id: &app.client_id,
        query: &check.dcql,
        also_accepted: &check.also_accept,
    };
    let policy = Arc::new(response_policy(&check.policy, &expected));
    let items = presentations(&check.dcql, &vp_token);
    let values: Vec<Value> = items.iter().map(|(_, p)| (*p).clone()).collect();
    let verdicts = match app
        .pool
        .verify(values, Arc::clone(&policy), app.lists.current())
        .await
    {
        Ok(v) => v,
        Err(_) => {
            return refuse(
                "response",
                "the desk was too busy to check the response; start the check again".into(),
            );
        }
    };
    let verdicts: Vec<_> = items
        .iter()
        .zip(verdicts)
        .map(|((query_id, _), v)| assess(&app.jsonld, &expected, query_id, v))
        .collect();
    let accepted = response_accepted(&check.dcql, &verdicts);
    let mut result = result_of(tx, &app.client_id, accepted);
    for v in &verdicts {
        let outcome = match &v.result {
            Ok(vp) => Outcome::Valid(vp.clone()),
            Err(r) => Outcome::Invalid(r.clone()),
        };
        let one = json_result(&v.query_id, &outcome, policy.dangers());
        result.credentials.extend(one.credentials);
        result.failures.extend(one.failures);
        for d in one.dangers {
            if !result.dangers.contains(&d) {
                result.dangers.push(d);
            }
        }
        if result.holder.is_none() {
            result.holder = one.holder;
        }
        result
            .failures
            .extend(v.unmet.iter().map(|u| failure("query", u.clone())));
    }
    if !accepted && result.failures.is_empty() {
        result.failures.push(failure(
            "query",
            "the response does not answer every credential the desk asked for",
        ));
    }
    if !accepted {
        // What should not have been sent is not shown either (nor who sent it).
        result.credentials.clear();
        result.holder = None;
    }
    let reply = if accepted {
        no_store(Json(json!({})).into_response())
    } else {
        let reasons: Vec<&str> = result.failures.iter().map(|f| f.reason.as_str()).collect();
        ApiError::bad(format!("not accepted: {}", reasons.join("; "))).into_response()
    };
    (accepted, result, reply)
}

/// `GET /status/{file}`: a status list of the configured directory, as a static file.
pub(super) async fn status_list(
    State(app): State<Shared>,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    let plain = !file.starts_with('.')
        && file.len() <= 128
        && file.ends_with(".json")
        && file
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    let dir = app
        .config
        .status_dir
        .as_ref()
        .filter(|_| plain)
        .ok_or_else(|| ApiError::not_found("no such status list"))?;
    let bytes = crate::util::read_bytes(&dir.join(&file))
        .map_err(|_| ApiError::not_found("no such status list"))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vc+ld+json"),
            (header::CACHE_CONTROL, "max-age=60"),
        ],
        bytes,
    )
        .into_response())
}
