//! The token endpoint ([OpenID4VCI 1.0 §6](https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0.html#name-token-endpoint)),
//! Pre-Authorized Code grant only: the form a wallet posts (`pre-authorized_code`, `tx_code`),
//! the Bearer access token it gets, and the error responses of §6.3 for both ends.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::offer::CredentialOffer;
use super::{ErrorCode, MAX_STRING_LEN, PRE_AUTHORIZED_GRANT, VciError, bad};
use crate::openid4vp::{form_encode, parse_form};

/// Longest transaction code accepted.
pub const MAX_TX_CODE_LEN: usize = 64;

/// A token request of the Pre-Authorized Code Flow (§6.1), as the server reads it.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenRequest {
    /// The pre-authorized code.
    pub pre_authorized_code: String,
    /// The transaction code, when sent.
    pub tx_code: Option<String>,
}

impl std::fmt::Debug for TokenRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenRequest")
            .field("pre_authorized_code", &"[redacted]")
            .field("tx_code", &self.tx_code.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

impl TokenRequest {
    /// Read a token request body (`application/x-www-form-urlencoded`). Unknown parameters
    /// are ignored (§6.1); a repeated one is refused.
    pub fn from_form(body: &[u8]) -> Result<TokenRequest, VciError> {
        if body.len() > super::MAX_MESSAGE_LEN {
            return Err(bad(
                ErrorCode::InvalidRequest,
                "the token request is too long",
            ));
        }
        let text = std::str::from_utf8(body)
            .map_err(|_| bad(ErrorCode::InvalidRequest, "the token request is not UTF-8"))?;
        let params = parse_form(text).map_err(|e| bad(ErrorCode::InvalidRequest, e.description))?;
        let get = |k: &str| params.get(k).and_then(Value::as_str);
        match get("grant_type") {
            Some(PRE_AUTHORIZED_GRANT) => {}
            Some(_) => {
                return Err(bad(
                    ErrorCode::UnsupportedGrantType,
                    "only the pre-authorized code grant is supported",
                ));
            }
            None => return Err(bad(ErrorCode::InvalidRequest, "grant_type is missing")),
        }
        let code = get("pre-authorized_code")
            .filter(|c| !c.is_empty())
            .ok_or_else(|| bad(ErrorCode::InvalidRequest, "pre-authorized_code is missing"))?;
        if code.len() > MAX_STRING_LEN {
            return Err(bad(ErrorCode::InvalidGrant, "unknown pre-authorized code"));
        }
        let tx_code = match get("tx_code") {
            Some(t) if t.len() > MAX_TX_CODE_LEN => {
                return Err(bad(ErrorCode::InvalidRequest, "tx_code is too long"));
            }
            other => other.map(str::to_owned),
        };
        Ok(TokenRequest {
            pre_authorized_code: code.to_owned(),
            tx_code,
        })
    }
}

/// The wallet's token request body for `offer`, with the transaction code the holder typed.
/// A code is required exactly when the offer asks for one (§6.1), and must match the offer's
/// `input_mode` and `length`.
pub fn token_request_form(
    offer: &CredentialOffer,
    tx_code: Option<&str>,
) -> Result<String, VciError> {
    let mut body = format!(
        "grant_type={}&pre-authorized_code={}",
        form_encode(PRE_AUTHORIZED_GRANT),
        form_encode(&offer.pre_authorized_code)
    );
    match (&offer.tx_code, tx_code) {
        (Some(expected), Some(code)) => {
            if code.is_empty() || code.len() > MAX_TX_CODE_LEN {
                return Err(bad(
                    ErrorCode::InvalidRequest,
                    "the transaction code is empty or too long",
                ));
            }
            if expected.numeric() && !code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad(
                    ErrorCode::InvalidRequest,
                    "the transaction code is digits only",
                ));
            }
            if expected
                .length
                .is_some_and(|l| usize::try_from(l).ok() != Some(code.chars().count()))
            {
                return Err(bad(
                    ErrorCode::InvalidRequest,
                    "the transaction code does not have the length the offer gives",
                ));
            }
            body.push_str("&tx_code=");
            body.push_str(&form_encode(code));
        }
        (Some(_), None) => {
            return Err(bad(
                ErrorCode::InvalidRequest,
                "the offer asks for a transaction code (PIN)",
            ));
        }
        (None, Some(_)) => {
            return Err(bad(
                ErrorCode::InvalidRequest,
                "the offer asks for no transaction code",
            ));
        }
        (None, None) => {}
    }
    Ok(body)
}

/// A successful token response (§6.2).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    /// The access token for the credential endpoint.
    pub access_token: String,
    /// `Bearer`.
    pub token_type: String,
    /// Seconds until it expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &"[redacted]")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

impl TokenResponse {
    /// A Bearer token response.
    pub fn bearer(access_token: String, expires_in: u64) -> TokenResponse {
        TokenResponse {
            access_token,
            token_type: "Bearer".into(),
            expires_in: Some(expires_in),
        }
    }

    /// Read a token endpoint's answer: a token response, or its error response as the error.
    /// Only Bearer tokens are used (no DPoP).
    pub fn from_json(bytes: &[u8]) -> Result<TokenResponse, VciError> {
        let obj = super::parse_object(bytes, "token response", ErrorCode::InvalidRequest)?;
        if let Some(e) = error_of(&obj) {
            return Err(e);
        }
        let r: TokenResponse = super::typed(obj, "token response", ErrorCode::InvalidRequest)?;
        if !r.token_type.eq_ignore_ascii_case("bearer") {
            return Err(bad(
                ErrorCode::InvalidRequest,
                "the token is not a Bearer token (DPoP is not supported)",
            ));
        }
        if r.access_token.is_empty() || r.access_token.len() > MAX_STRING_LEN {
            return Err(bad(
                ErrorCode::InvalidRequest,
                "the access token is empty or too long",
            ));
        }
        Ok(r)
    }
}

/// The error an error response object carries (`error`, `error_description`), if it is one.
/// An unknown code is reported as `invalid_request` with the code in the description.
pub(crate) fn error_of(obj: &serde_json::Map<String, Value>) -> Option<VciError> {
    let code = obj.get("error")?.as_str().unwrap_or("");
    let description = obj
        .get("error_description")
        .and_then(Value::as_str)
        .unwrap_or("");
    Some(match ErrorCode::from_name(code) {
        Some(c) => VciError::new(c, description),
        None => VciError::new(
            ErrorCode::InvalidRequest,
            format!(
                "{}: {description}",
                code.chars().take(64).collect::<String>()
            ),
        ),
    })
}

/// Read an error response body (any endpoint), for a wallet that got a 4xx answer.
pub fn read_error(bytes: &[u8]) -> VciError {
    match super::parse_object(bytes, "error response", ErrorCode::InvalidRequest) {
        Ok(obj) => error_of(&obj).unwrap_or_else(|| {
            VciError::new(
                ErrorCode::InvalidRequest,
                "the error response has no error code",
            )
        }),
        Err(e) => e,
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail by panicking")]
mod tests {
    use super::*;
    use crate::openid4vci::offer::TxCode;

    fn offer(tx: Option<TxCode>) -> CredentialOffer {
        CredentialOffer {
            credential_issuer: "https://uni.example".into(),
            credential_configuration_ids: vec!["diploma".into()],
            pre_authorized_code: "SplxlOBeZQQYbYS6WxSbIA".into(),
            tx_code: tx,
        }
    }

    #[test]
    fn the_wallet_form_is_what_the_server_reads() {
        let tx = TxCode {
            length: Some(6),
            ..TxCode::default()
        };
        let form = token_request_form(&offer(Some(tx.clone())), Some("493536")).unwrap();
        let r = TokenRequest::from_form(form.as_bytes()).unwrap();
        assert_eq!(r.pre_authorized_code, "SplxlOBeZQQYbYS6WxSbIA");
        assert_eq!(r.tx_code.as_deref(), Some("493536"));
        assert!(!format!("{r:?}").contains("4935"), "the PIN is redacted");
        for (pin, why) in [
            (None, "asks for a transaction code"),
            (Some("49353"), "length"),
            (Some("49353a"), "digits"),
        ] {
            let e = token_request_form(&offer(Some(tx.clone())), pin).unwrap_err();
            assert!(e.description.contains(why), "{e}");
        }
        assert!(token_request_form(&offer(None), Some("1")).is_err());
    }

    #[test]
    fn the_spec_example_token_request_reads() {
        let body = "grant_type=urn:ietf:params:oauth:grant-type:pre-authorized_code&pre-authorized_code=SplxlOBeZQQYbYS6WxSbIA&tx_code=493536&authorization_details=%5B%5D";
        let r = TokenRequest::from_form(body.as_bytes()).unwrap();
        assert_eq!(r.tx_code.as_deref(), Some("493536"));
        let e = TokenRequest::from_form(b"grant_type=authorization_code&code=x").unwrap_err();
        assert_eq!(e.code, ErrorCode::UnsupportedGrantType);
        let e = TokenRequest::from_form(
            b"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Apre-authorized_code",
        )
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRequest);
    }

    #[test]
    fn token_responses() {
        let ok = serde_json::to_vec(&TokenResponse::bearer("t0k".into(), 600)).unwrap();
        assert_eq!(TokenResponse::from_json(&ok).unwrap().access_token, "t0k");
        let e = TokenResponse::from_json(
            br#"{"error":"invalid_grant","error_description":"wrong PIN"}"#,
        )
        .unwrap_err();
        assert_eq!(
            (e.code, e.description.as_str()),
            (ErrorCode::InvalidGrant, "wrong PIN")
        );
        assert!(TokenResponse::from_json(br#"{"access_token":"a","token_type":"DPoP"}"#).is_err());
        assert_eq!(read_error(b"<html>").code, ErrorCode::InvalidRequest);
    }
}
