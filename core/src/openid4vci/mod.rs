//! OpenID for Verifiable Credential Issuance 1.0
//! ([final, 2025-09](https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0.html)),
//! transport-free: the messages of the Pre-Authorized Code Flow for `ldp_vc` (bbs-2023)
//! credentials and `dc+sd-jwt` SD-JWT VCs (Appendix A.3), for both ends. The issuer's service and the wallet's app move the bytes; this
//! module builds and checks them.
//!
//! In the order of the specification:
//! - §4 credential offers, by value or by reference: [`CredentialOffer`], [`OfferInvocation`];
//! - §6 the token request and response (pre-authorized code, `tx_code`): [`TokenRequest`], [`TokenResponse`];
//! - §7 the nonce response and §8 the credential request and response, with the key proofs of
//!   Appendix F (`jwt`) and this project's extension for BBS blind commitments
//!   ([`COMMITMENT_PROOF_TYPE`]): [`CredentialRequest`], [`IssuedCredentials`];
//! - §12 the credential issuer's and the authorization server's metadata: [`IssuerMetadata`], [`AuthorizationServerMetadata`].
//!
//! Errors carry the codes §6.3 and §8.3.1.2 name ([`ErrorCode`]).

mod credential;
mod metadata;
mod offer;
mod token;

pub use credential::{
    CredentialRequest, IssuedCredentials, KeyBinding, MAX_PROOFS, PROOF_IAT_WINDOW, ProofPolicy,
    Proofs, Requested, credential_request_json, credential_response_json, jwt_proof, jwt_proof_jwk,
    read_credential_response, read_issued_credentials, read_nonce_response,
};
pub use metadata::{
    AS_WELL_KNOWN, AuthorizationServerMetadata, BatchIssuance, ClaimDescription, ClaimDisplay,
    CredentialConfiguration, CredentialDefinition, CredentialMetadata, DC_SD_JWT, Display,
    ISSUER_WELL_KNOWN, IssuerMetadata, JWK_BINDING, LDP_VC, Logo, ProofTypeMetadata,
};
pub use offer::{
    CredentialOffer, MAX_TX_CODE_DESCRIPTION, OFFER_SCHEME, OfferInvocation, TxCode, offer_uri_url,
};
pub use token::{MAX_TX_CODE_LEN, TokenRequest, TokenResponse, read_error, token_request_form};

/// The grant type of the Pre-Authorized Code Flow (§4.1.1).
pub const PRE_AUTHORIZED_GRANT: &str = "urn:ietf:params:oauth:grant-type:pre-authorized_code";
/// The `typ` of a `jwt` key proof (Appendix F.1).
pub const JWT_PROOF_TYP: &str = "openid4vci-proof+jwt";
/// This project's proof type for holder binding at issuance: a bbs-2023 credential request
/// (a blind commitment to the wallet's secrets with its proof). OpenID4VCI defines none; the
/// `x-civitas-` prefix marks it as an extension (see `docs/formats.md`, "OpenID4VCI: the
/// commitment proof type").
pub const COMMITMENT_PROOF_TYPE: &str = "x-civitas-bbs-2023-commitment";
/// Longest message (offer, metadata, token or credential request or response) read, in bytes.
pub const MAX_MESSAGE_LEN: usize = 256 * 1024;
/// Longest string member (a code, a token, a nonce, an identifier) accepted.
pub const MAX_STRING_LEN: usize = 1024;

/// An error code of OpenID4VCI §6.3 (token endpoint, from RFC 6749 §5.2), §8.3.1 (credential
/// endpoint) and RFC 6750 §3.1 (bearer tokens).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorCode {
    /// A required parameter is missing or malformed, or a `tx_code` is missing or unexpected.
    InvalidRequest,
    /// The pre-authorized code is unknown, used or expired, or the `tx_code` is wrong.
    InvalidGrant,
    /// Anonymous access is not supported (never sent by this issuer).
    InvalidClient,
    /// The grant type is not the pre-authorized code.
    UnsupportedGrantType,
    /// The access token is missing, unknown, used or expired (RFC 6750).
    InvalidToken,
    /// The credential request is malformed.
    InvalidCredentialRequest,
    /// The credential configuration is not one the issuer offers.
    UnknownCredentialConfiguration,
    /// The credential identifier is unknown.
    UnknownCredentialIdentifier,
    /// A key proof is missing or invalid.
    InvalidProof,
    /// A key proof's nonce is not a valid `c_nonce`: fetch a new one.
    InvalidNonce,
    /// Credential response encryption was asked for and is not supported.
    InvalidEncryptionParameters,
    /// The issuer will not issue this credential.
    CredentialRequestDenied,
}

impl ErrorCode {
    /// The code as sent in `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::InvalidGrant => "invalid_grant",
            ErrorCode::InvalidClient => "invalid_client",
            ErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::InvalidCredentialRequest => "invalid_credential_request",
            ErrorCode::UnknownCredentialConfiguration => "unknown_credential_configuration",
            ErrorCode::UnknownCredentialIdentifier => "unknown_credential_identifier",
            ErrorCode::InvalidProof => "invalid_proof",
            ErrorCode::InvalidNonce => "invalid_nonce",
            ErrorCode::InvalidEncryptionParameters => "invalid_encryption_parameters",
            ErrorCode::CredentialRequestDenied => "credential_request_denied",
        }
    }

    /// The code named `s`, if it is one of these.
    pub fn from_name(s: &str) -> Option<ErrorCode> {
        ALL_CODES.iter().copied().find(|c| c.as_str() == s)
    }

    /// The HTTP status an endpoint answers with: 401 for a bad access token or client, 400
    /// otherwise.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::InvalidToken | ErrorCode::InvalidClient => 401,
            ErrorCode::InvalidRequest
            | ErrorCode::InvalidGrant
            | ErrorCode::UnsupportedGrantType
            | ErrorCode::InvalidCredentialRequest
            | ErrorCode::UnknownCredentialConfiguration
            | ErrorCode::UnknownCredentialIdentifier
            | ErrorCode::InvalidProof
            | ErrorCode::InvalidNonce
            | ErrorCode::InvalidEncryptionParameters
            | ErrorCode::CredentialRequestDenied => 400,
        }
    }
}

const ALL_CODES: [ErrorCode; 12] = [
    ErrorCode::InvalidRequest,
    ErrorCode::InvalidGrant,
    ErrorCode::InvalidClient,
    ErrorCode::UnsupportedGrantType,
    ErrorCode::InvalidToken,
    ErrorCode::InvalidCredentialRequest,
    ErrorCode::UnknownCredentialConfiguration,
    ErrorCode::UnknownCredentialIdentifier,
    ErrorCode::InvalidProof,
    ErrorCode::InvalidNonce,
    ErrorCode::InvalidEncryptionParameters,
    ErrorCode::CredentialRequestDenied,
];

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An OpenID4VCI error: the code to send (or that was received) and a description without
/// personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {description}")]
pub struct VciError {
    /// The error code.
    pub code: ErrorCode,
    /// What was wrong, in printable ASCII (as §8.3.1.2 requires of `error_description`).
    pub description: String,
}

impl VciError {
    /// An error with `code` and `description` (non-ASCII and `"`/`\` characters replaced).
    pub fn new(code: ErrorCode, description: impl Into<String>) -> VciError {
        let description = description
            .into()
            .chars()
            .take(500)
            .map(|c| match c {
                ' '..='~' if c != '"' && c != '\\' => c,
                _ => '?',
            })
            .collect();
        VciError { code, description }
    }

    /// The error response body: `{"error": ..., "error_description": ...}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({"error": self.code.as_str(), "error_description": self.description})
    }

    /// The classification of this error (see [`crate::ErrorKind`]).
    pub fn kind(&self) -> crate::ErrorKind {
        match self.code {
            ErrorCode::InvalidRequest
            | ErrorCode::InvalidCredentialRequest
            | ErrorCode::UnsupportedGrantType => crate::ErrorKind::InvalidInput,
            ErrorCode::UnknownCredentialConfiguration
            | ErrorCode::UnknownCredentialIdentifier
            | ErrorCode::InvalidEncryptionParameters => crate::ErrorKind::Unsupported,
            ErrorCode::InvalidGrant
            | ErrorCode::InvalidClient
            | ErrorCode::InvalidToken
            | ErrorCode::InvalidProof
            | ErrorCode::InvalidNonce
            | ErrorCode::CredentialRequestDenied => crate::ErrorKind::VerificationFailed,
        }
    }
}

pub(crate) fn bad(code: ErrorCode, description: impl Into<String>) -> VciError {
    VciError::new(code, description)
}

/// Parse a message: at most [`MAX_MESSAGE_LEN`] bytes of JSON, a JSON object.
pub(crate) fn parse_object(
    bytes: &[u8],
    what: &str,
    code: ErrorCode,
) -> Result<serde_json::Map<String, serde_json::Value>, VciError> {
    if bytes.len() > MAX_MESSAGE_LEN {
        return Err(bad(
            code,
            format!("the {what} is longer than {MAX_MESSAGE_LEN} bytes"),
        ));
    }
    match crate::json::parse(bytes, &crate::json::JsonLimits::default()) {
        Ok(serde_json::Value::Object(m)) => Ok(m),
        Ok(_) => Err(bad(code, format!("the {what} is not a JSON object"))),
        Err(e) => Err(bad(code, format!("the {what} is not JSON: {e}"))),
    }
}

/// Deserialize a parsed message into its typed form.
pub(crate) fn typed<T: serde::de::DeserializeOwned>(
    map: serde_json::Map<String, serde_json::Value>,
    what: &str,
    code: ErrorCode,
) -> Result<T, VciError> {
    serde_json::from_value(serde_json::Value::Object(map))
        .map_err(|e| bad(code, format!("the {what}: {e}")))
}

/// A Credential Issuer Identifier (§12.2.1): an `https` URL (or `http` to this machine, for
/// tests) with a host, no query and no fragment.
pub fn check_issuer_id(id: &str) -> Result<(), VciError> {
    let invalid = |why: &str| {
        bad(
            ErrorCode::InvalidRequest,
            format!("credential issuer: {why}"),
        )
    };
    if id.len() > MAX_STRING_LEN {
        return Err(invalid("too long"));
    }
    if !crate::openid4vp::transport_allowed(id) {
        return Err(invalid("must be an https URL (http only to this machine)"));
    }
    if id.contains(['?', '#']) {
        return Err(invalid("must have no query and no fragment"));
    }
    Ok(())
}

/// The URL of a well-known document for the identifier `id`: `/.well-known/<name>` inserted
/// between the host and the path (§12.2.2, RFC 8414 §3), a trailing `/` of the path dropped.
pub fn well_known_url(id: &str, name: &str) -> String {
    let (scheme, rest) = id.split_once("://").unwrap_or(("https", id));
    let (host, path) = rest.split_once('/').map_or((rest, ""), |(h, p)| (h, p));
    let path = path.trim_end_matches('/');
    if path.is_empty() {
        format!("{scheme}://{host}/.well-known/{name}")
    } else {
        format!("{scheme}://{host}/.well-known/{name}/{path}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_urls_insert_before_the_path() {
        assert_eq!(
            well_known_url(
                "https://issuer.example.com/tenant",
                "openid-credential-issuer"
            ),
            "https://issuer.example.com/.well-known/openid-credential-issuer/tenant"
        );
        assert_eq!(
            well_known_url(
                "https://tenant.issuer.example.com",
                "openid-credential-issuer"
            ),
            "https://tenant.issuer.example.com/.well-known/openid-credential-issuer"
        );
        assert_eq!(
            well_known_url("https://as.example.com/", "oauth-authorization-server"),
            "https://as.example.com/.well-known/oauth-authorization-server"
        );
    }

    #[test]
    fn codes_round_trip_and_descriptions_are_ascii() {
        for c in ALL_CODES {
            assert_eq!(ErrorCode::from_name(c.as_str()), Some(c));
        }
        let e = VciError::new(ErrorCode::InvalidProof, "bad \"kid\" ünïcode");
        assert_eq!(e.description, "bad ?kid? ?n?code");
    }

    #[test]
    fn issuer_ids() {
        assert!(check_issuer_id("https://uni.example").is_ok());
        assert!(check_issuer_id("http://127.0.0.1:8080").is_ok());
        assert!(check_issuer_id("http://uni.example").is_err());
        assert!(check_issuer_id("https://uni.example/?a=b").is_err());
    }
}
