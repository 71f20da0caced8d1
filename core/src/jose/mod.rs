//! JOSE, as much as OpenID4VP needs and no more, in pure Rust:
//!
//! - [`EcJwk`], [`EcPrivateJwk`]: P-256 JSON Web Keys (RFC 7517, RFC 7518 §6.2) and their SHA-256 thumbprint
//!   (RFC 7638);
//! - [`jws`]: compact JWS with `ES256` only (RFC 7515, RFC 7518 §3.4), signed by any
//!   [`crate::ecdsa::Signer`] (a device key or a platform keystore);
//! - [`jwe`]: compact JWE with `ECDH-ES` (direct key agreement, RFC 7518 §4.6) and `A128GCM` or
//!   `A256GCM` (RFC 7518 §5.3), the encrypted responses of OpenID4VP 1.0 §8.3.
//!
//! Every decoder is strict and bounded: canonical base64url without padding, JSON through
//! [`crate::json::parse`], at most [`MAX_COMPACT_LEN`] bytes, exactly one algorithm accepted
//! per operation (never `none`, never a header-chosen algorithm), and no `crit` extension
//! (none is understood, so any is refused, RFC 7515 §4.1.11).

pub mod jwe;
mod jwk;
pub mod jws;

pub use jwk::{EcJwk, EcPrivateJwk};

use serde_json::{Map, Value};

/// Longest compact JWS or JWE accepted, in bytes (a presentation response with a few
/// credentials fits well within).
pub const MAX_COMPACT_LEN: usize = 4 * 1024 * 1024;

/// What is wrong with a JOSE object or key (see [`crate::Error::Jose`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JoseError {
    /// The compact serialization, a header, a key or a member is malformed; the message says
    /// which.
    #[error("malformed: {0}")]
    Malformed(&'static str),
    /// The object is larger than [`MAX_COMPACT_LEN`].
    #[error("{actual} bytes; at most {limit} are accepted")]
    TooLarge {
        /// Its size.
        actual: usize,
        /// The limit.
        limit: usize,
    },
    /// An algorithm, curve or header this implementation does not accept.
    #[error("unsupported {what}: {value:?}")]
    Unsupported {
        /// `"alg"`, `"enc"`, `"crv"`, `"kty"` or `"crit"`.
        what: &'static str,
        /// The value found (at most 64 characters).
        value: String,
    },
    /// The JWS signature does not verify with the key.
    #[error("the signature does not verify")]
    SignatureInvalid,
    /// The JWE does not decrypt with the key (wrong key, or anything altered: the
    /// authentication tag covers the protected header, IV and ciphertext).
    #[error("the JWE does not decrypt with this key")]
    DecryptionFailed,
}

impl JoseError {
    /// The classification of this error (see [`crate::ErrorKind`]).
    pub fn kind(&self) -> crate::ErrorKind {
        match self {
            JoseError::Malformed(_) | JoseError::TooLarge { .. } => crate::ErrorKind::InvalidInput,
            JoseError::Unsupported { .. } => crate::ErrorKind::Unsupported,
            JoseError::SignatureInvalid | JoseError::DecryptionFailed => {
                crate::ErrorKind::VerificationFailed
            }
        }
    }
}

fn unsupported(what: &'static str, value: &str) -> JoseError {
    JoseError::Unsupported {
        what,
        value: value.chars().take(64).collect(),
    }
}

/// base64url without padding (RFC 7515 §2).
pub(crate) fn b64(bytes: &[u8]) -> String {
    crate::keys::encode_base64url(bytes)
}

/// Strict base64url without padding: canonical, no padding, no other characters.
pub(crate) fn unb64(s: &str, what: &'static str) -> Result<Vec<u8>, JoseError> {
    crate::keys::decode_base64url(s).map_err(|_| JoseError::Malformed(what))
}

/// A protected header: base64url-decoded JSON object, bounded, with no `crit`.
fn parse_header(segment: &str) -> Result<Map<String, Value>, JoseError> {
    let bytes = unb64(segment, "the protected header is not base64url")?;
    let value = crate::json::parse(&bytes, &crate::json::JsonLimits::default())
        .map_err(|_| JoseError::Malformed("the protected header is not JSON"))?;
    let Value::Object(header) = value else {
        return Err(JoseError::Malformed(
            "the protected header is not a JSON object",
        ));
    };
    if let Some(crit) = header.get("crit") {
        return Err(unsupported("crit", &crit.to_string()));
    }
    Ok(header)
}

fn check_size(compact: &str) -> Result<(), JoseError> {
    if compact.len() > MAX_COMPACT_LEN {
        return Err(JoseError::TooLarge {
            actual: compact.len(),
            limit: MAX_COMPACT_LEN,
        });
    }
    Ok(())
}
