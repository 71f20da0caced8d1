//! The OpenID4VCI endpoints of the issuer role (see [`super::issuer`]):
//! - `GET /.well-known/openid-credential-issuer` and `/.well-known/oauth-authorization-server`;
//! - `GET /.well-known/jwt-vc-issuer`: the SD-JWT VC issuer keys (SD-JWT VC draft 13 §5), when
//!   a configuration issues `dc+sd-jwt`;
//! - `GET /openid4vci/offers/{code}`: the offer object behind a `credential_offer_uri`;
//! - `POST /openid4vci/token`, `POST /openid4vci/nonce`, `POST /openid4vci/credential`;
//! - `POST /issuer/offers` (behind the desk token): make offers, as `civitas offers` does.
//!
//! Errors are `{"error", "error_description"}` with the codes OpenID4VCI names, never a 500
//! for bad input.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use civitas_core::openid4vci::VciError;
use serde_json::Value;

use super::issuer::{IssuerService, now, offer_link};
use super::{ApiError, Shared};

/// An OpenID4VCI error answer.
fn vci_error(e: &VciError) -> Response {
    let status = StatusCode::from_u16(e.code.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut r = (status, Json(e.to_json())).into_response();
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if status == StatusCode::UNAUTHORIZED {
        h.insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer error=\"invalid_token\""),
        );
    }
    r
}

fn no_store<T: serde::Serialize>(status: StatusCode, body: T) -> Response {
    let mut r = (status, Json(body)).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn service(app: &Shared) -> Result<&Arc<IssuerService>, ApiError> {
    app.issuer
        .as_ref()
        .ok_or_else(|| ApiError::not_found("this service does not issue credentials"))
}

pub(super) async fn issuer_metadata(State(app): State<Shared>) -> Result<Response, ApiError> {
    let s = service(&app)?;
    Ok(Json(&s.metadata).into_response())
}

/// The JWT VC Issuer Metadata: `{"issuer", "jwks": {"keys": [...]}}`, the public keys that
/// sign this issuer's SD-JWT VCs; 404 when it issues none.
pub(super) async fn jwt_vc_issuer(State(app): State<Shared>) -> Result<Response, ApiError> {
    let s = service(&app)?;
    match &s.jwt_vc_issuer {
        Some(v) => Ok(Json(v).into_response()),
        None => Err(ApiError::not_found("this issuer issues no SD-JWT VCs")),
    }
}

pub(super) async fn as_metadata(State(app): State<Shared>) -> Result<Response, ApiError> {
    let s = service(&app)?;
    Ok(Json(super::issuer::authorization_server_metadata(&s.base_url)).into_response())
}

pub(super) async fn offer(
    State(app): State<Shared>,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    let s = Arc::clone(service(&app)?);
    let found = tokio::task::spawn_blocking(move || s.offer_object(&code, now()))
        .await
        .map_err(|_| ApiError::busy())?;
    match found {
        Ok(Some(v)) => Ok(no_store(StatusCode::OK, v)),
        Ok(None) => Err(ApiError::not_found(
            "no such offer, or it was used, locked or has expired",
        )),
        Err(e) => Ok(vci_error(&e)),
    }
}

pub(super) async fn token(State(app): State<Shared>, body: Bytes) -> Result<Response, ApiError> {
    let s = Arc::clone(service(&app)?);
    let answer = tokio::task::spawn_blocking(move || s.token(&body, now()))
        .await
        .map_err(|_| ApiError::busy())?;
    Ok(match answer {
        Ok(t) => no_store(StatusCode::OK, &t),
        Err(e) => vci_error(&e),
    })
}

/// The body of the Nonce Endpoint's response (OpenID4VCI 1.0 §7.2).
#[derive(Debug, serde::Serialize)]
struct NonceResponse<'a> {
    c_nonce: &'a str,
}

pub(super) async fn nonce(State(app): State<Shared>) -> Result<Response, ApiError> {
    let s = service(&app)?;
    Ok(match s.nonce(now()) {
        Ok(n) => no_store(StatusCode::OK, NonceResponse { c_nonce: &n }),
        Err(e) => vci_error(&e),
    })
}

pub(super) async fn credential(
    State(app): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let s = Arc::clone(service(&app)?);
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    // Signing takes milliseconds of CPU: off the async workers.
    let answer = tokio::task::spawn_blocking(move || {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            s.credential(auth.as_deref(), &body, now())
        }))
    })
    .await
    .map_err(|_| ApiError::busy())?;
    Ok(match answer {
        Ok(Ok(v)) => no_store(StatusCode::OK, v),
        Ok(Err(e)) => vci_error(&e),
        Err(_) => ApiError::busy().into_response(),
    })
}

/// `POST /issuer/offers` `{"configuration": ID, "rows": [{"id": ROW, "values": {COLUMN:
/// VALUE}}], "by_value": false}`: 201 `{"offers": [{"row", "offer", "pin", "expires_at"}]}`.
/// Every row is checked before any offer is made.
pub(super) async fn create_offers(
    State(app): State<Shared>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let s = Arc::clone(service(&app)?);
    let request = super::desk::json_body(&body)?;
    let configuration = request
        .get("configuration")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::bad("configuration (a credential configuration id) is required"))?
        .to_owned();
    let by_value = request
        .get("by_value")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let rows = request
        .get("rows")
        .and_then(Value::as_array)
        .filter(|r| !r.is_empty() && r.len() <= 1000)
        .ok_or_else(|| ApiError::bad("rows must be an array of 1 to 1000 rows"))?
        .clone();
    let made = tokio::task::spawn_blocking(move || -> Result<Vec<OfferMade>, ApiError> {
        let credential = s
            .config
            .credential(&configuration)
            .ok_or_else(|| ApiError::bad("no such credential configuration in [issuer]"))?;
        let mut planned = Vec::with_capacity(rows.len());
        for (n, row) in rows.iter().enumerate() {
            let id = row
                .get("id")
                .and_then(Value::as_str)
                .filter(|i| !i.is_empty() && i.len() <= 128)
                .ok_or_else(|| {
                    ApiError::bad(format!("rows[{n}].id: a string of 1 to 128 characters"))
                })?;
            let given = row.get("values").and_then(Value::as_object);
            let mut values = BTreeMap::new();
            for column in &credential.columns {
                let v = given
                    .and_then(|g| g.get(column))
                    .and_then(Value::as_str)
                    .filter(|v| !v.trim().is_empty())
                    .ok_or_else(|| {
                        ApiError::bad(format!(
                            "rows[{n}].values.{column}: a non-empty string is required"
                        ))
                    })?;
                values.insert(column.clone(), v.to_owned());
            }
            s.check_row(credential, &values)
                .map_err(|why| ApiError::bad(format!("rows[{n}]: {why}")))?;
            planned.push((id.to_owned(), values));
        }
        let t = now();
        let mut out = Vec::with_capacity(planned.len());
        for (row, values) in planned {
            let created = s
                .state
                .create_offer(&s.config, credential, &s.base_url, &row, values, t)
                .map_err(|e| {
                    ApiError::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "temporarily_unavailable",
                        e.message,
                    )
                })?;
            out.push(OfferMade {
                offer: offer_link(&created, by_value),
                pin: created.pin.as_str().to_owned(),
                expires_at: civitas_core::wallet::rfc3339_from_unix(
                    u64::try_from(created.expires_at).unwrap_or(0),
                ),
                row,
            });
        }
        Ok(out)
    })
    .await
    .map_err(|_| ApiError::busy())??;
    Ok(no_store(StatusCode::CREATED, OffersMade { offers: made }))
}

/// The body of `POST /vci/offers` (201).
#[derive(Debug, serde::Serialize)]
struct OffersMade {
    offers: Vec<OfferMade>,
}

/// One credential offer made for a row.
#[derive(Debug, serde::Serialize)]
struct OfferMade {
    /// The row's id.
    row: String,
    /// The `openid-credential-offer://` link for the wallet.
    offer: String,
    /// The transaction code the holder types (tell it by another channel than the offer).
    pin: String,
    expires_at: String,
}
