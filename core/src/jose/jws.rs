//! Compact JWS with ES256 only ([RFC 7515](https://www.rfc-editor.org/rfc/rfc7515),
//! [RFC 7518 §3.4](https://www.rfc-editor.org/rfc/rfc7518#section-3.4)): the signature is
//! `r || s`, 64 bytes, over `ASCII(BASE64URL(header) || '.' || BASE64URL(payload))`.

use serde_json::{Map, Value};

use super::{JoseError, b64, check_size, parse_header, unb64, unsupported};
use crate::ecdsa::{Signer, verify_p256};
use crate::keys::PublicKey;

/// A JWS whose signature verified: its protected header and payload. Only [`verify`] makes
/// one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedJws {
    header: Map<String, Value>,
    payload: Vec<u8>,
}

impl VerifiedJws {
    /// The protected header.
    pub fn header(&self) -> &Map<String, Value> {
        &self.header
    }
    /// The payload bytes.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }
}

/// Sign `payload` with `signer` (a P-256 key): the protected header is `header` with `alg`
/// set to `ES256` (any `alg` given is replaced). Returns the compact serialization.
pub fn sign(
    header: &Map<String, Value>,
    payload: &[u8],
    signer: &dyn Signer,
) -> Result<String, crate::Error> {
    let mut header = header.clone();
    header.insert("alg".into(), "ES256".into());
    let header_json = serde_json::to_vec(&Value::Object(header))
        .map_err(|_| crate::Error::Crypto("cannot serialize a JWS header"))?;
    let signing_input = format!("{}.{}", b64(&header_json), b64(payload));
    let signature = signer.sign(signing_input.as_bytes())?;
    Ok(format!("{signing_input}.{}", b64(&signature)))
}

/// Verify a compact JWS with `key`: three segments, a protected header with `alg` exactly
/// `ES256` and no `crit`, a 64-byte signature that verifies over the signing input.
pub fn verify(compact: &str, key: &PublicKey) -> Result<VerifiedJws, JoseError> {
    check_size(compact)?;
    let mut parts = compact.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JoseError::Malformed(
            "a compact JWS has three segments separated by dots",
        ));
    };
    let header = parse_header(h)?;
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or("");
    if alg != "ES256" {
        return Err(unsupported("alg", alg));
    }
    let payload = unb64(p, "the payload is not base64url")?;
    let signature = unb64(s, "the signature is not base64url")?;
    let signature: [u8; 64] = signature
        .as_slice()
        .try_into()
        .map_err(|_| JoseError::Malformed("an ES256 signature is 64 bytes"))?;
    let signing_input_len = h.len() + 1 + p.len();
    let signing_input = compact
        .get(..signing_input_len)
        .ok_or(JoseError::Malformed("truncated"))?;
    verify_p256(key, signing_input.as_bytes(), &signature)
        .map_err(|_| JoseError::SignatureInvalid)?;
    Ok(VerifiedJws { header, payload })
}
