//! P-256 JSON Web Keys ([RFC 7517](https://www.rfc-editor.org/rfc/rfc7517),
//! [RFC 7518 §6.2](https://www.rfc-editor.org/rfc/rfc7518#section-6.2)) and their thumbprint
//! ([RFC 7638](https://www.rfc-editor.org/rfc/rfc7638)).

use p256::elliptic_curve::sec1::{EncodedPoint, FromEncodedPoint, ToEncodedPoint};
use serde_json::Value;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::{JoseError, b64, unb64, unsupported};
use crate::keys::PublicKey;

/// A P-256 public key as a JWK (`kty` `EC`, `crv` `P-256`), validated on the curve.
#[derive(Clone, PartialEq, Eq)]
pub struct EcJwk {
    point: p256::PublicKey,
    /// The key's `kid`, when it has one.
    pub kid: Option<String>,
}

impl std::fmt::Debug for EcJwk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EcJwk")
            .field("kid", &self.kid)
            .field("thumbprint", &b64(&self.thumbprint()))
            .finish_non_exhaustive()
    }
}

fn coordinate(jwk: &Value, name: &str, what: &'static str) -> Result<[u8; 32], JoseError> {
    let text = jwk
        .get(name)
        .and_then(Value::as_str)
        .ok_or(JoseError::Malformed(what))?;
    let bytes = unb64(text, what)?;
    <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| JoseError::Malformed(what))
}

impl EcJwk {
    /// Read a public JWK: `kty` `EC`, `crv` `P-256`, `x` and `y` of 32 bytes each forming a
    /// point on the curve. A `d` member (a private key) is refused: a public key was
    /// expected, and a secret must not travel where one is.
    pub fn from_json(jwk: &Value) -> Result<Self, JoseError> {
        let kty = jwk.get("kty").and_then(Value::as_str).unwrap_or("");
        if kty != "EC" {
            return Err(unsupported("kty", kty));
        }
        let crv = jwk.get("crv").and_then(Value::as_str).unwrap_or("");
        if crv != "P-256" {
            return Err(unsupported("crv", crv));
        }
        if jwk.get("d").is_some() {
            return Err(JoseError::Malformed(
                "a public key was expected, and this JWK holds a private key (d)",
            ));
        }
        let x = coordinate(jwk, "x", "the JWK's x is not 32 bytes of base64url")?;
        let y = coordinate(jwk, "y", "the JWK's y is not 32 bytes of base64url")?;
        let encoded = EncodedPoint::<p256::NistP256>::from_affine_coordinates(
            (&x).into(),
            (&y).into(),
            false,
        );
        let point = Option::<p256::PublicKey>::from(p256::PublicKey::from_encoded_point(&encoded))
            .ok_or(JoseError::Malformed("the JWK's point is not on P-256"))?;
        Ok(EcJwk {
            point,
            kid: jwk.get("kid").and_then(Value::as_str).map(str::to_owned),
        })
    }

    /// The JWK of a P-256 [`PublicKey`].
    pub fn from_public_key(key: &PublicKey, kid: Option<String>) -> Result<Self, JoseError> {
        let PublicKey::P256 { compressed } = key else {
            return Err(unsupported("crv", "not P-256"));
        };
        let point = p256::PublicKey::from_sec1_bytes(compressed)
            .map_err(|_| JoseError::Malformed("not a P-256 point"))?;
        Ok(EcJwk { point, kid })
    }

    pub(crate) fn point(&self) -> &p256::PublicKey {
        &self.point
    }

    fn xy(&self) -> (String, String) {
        let encoded = self.point.to_encoded_point(false);
        let x = encoded.x().map(|x| b64(x)).unwrap_or_default();
        let y = encoded.y().map(|y| b64(y)).unwrap_or_default();
        (x, y)
    }

    /// The key as [`PublicKey`] (compressed SEC1).
    pub fn public_key(&self) -> PublicKey {
        let encoded = self.point.to_encoded_point(true);
        let mut compressed = [0u8; 33];
        compressed.copy_from_slice(encoded.as_bytes());
        PublicKey::P256 { compressed }
    }

    /// The public JWK as JSON (with its `kid`, when it has one).
    pub fn to_json(&self) -> Value {
        let (x, y) = self.xy();
        let mut v = serde_json::Map::new();
        v.insert("kty".into(), "EC".into());
        v.insert("crv".into(), "P-256".into());
        v.insert("x".into(), x.into());
        v.insert("y".into(), y.into());
        if let Some(kid) = &self.kid {
            v.insert("kid".into(), kid.clone().into());
        }
        Value::Object(v)
    }

    /// The RFC 7638 SHA-256 thumbprint: the hash of
    /// `{"crv":"P-256","kty":"EC","x":"...","y":"..."}` (required members only, in
    /// lexicographic order, no whitespace).
    pub fn thumbprint(&self) -> [u8; 32] {
        let (x, y) = self.xy();
        let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
        Sha256::digest(canonical.as_bytes()).into()
    }
}

/// A P-256 private key for decrypting JWEs (the verifier's response encryption key). Zeroized
/// on drop (the inner key zeroizes its scalar); `Debug` shows only the public key's
/// thumbprint.
pub struct EcPrivateJwk {
    secret: p256::SecretKey,
    /// The key's `kid`, when it has one.
    pub kid: Option<String>,
}

impl std::fmt::Debug for EcPrivateJwk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EcPrivateJwk")
            .field("kid", &self.kid)
            .field("d", &"[redacted]")
            .finish_non_exhaustive()
    }
}

impl EcPrivateJwk {
    /// A fresh key from the operating system's randomness.
    pub fn generate(kid: Option<String>) -> Result<Self, crate::Error> {
        for _ in 0..8 {
            let mut bytes = Zeroizing::new([0u8; 32]);
            getrandom::getrandom(bytes.as_mut_slice())
                .map_err(|_| crate::Error::Crypto("no system randomness"))?;
            if let Ok(secret) = p256::SecretKey::from_slice(bytes.as_slice()) {
                return Ok(EcPrivateJwk { secret, kid });
            }
        }
        Err(crate::Error::Crypto("could not draw a P-256 scalar"))
    }

    /// Read a private JWK: a public JWK's members and `d` (32 bytes), whose public key must
    /// be `x`, `y`.
    pub fn from_json(jwk: &Value) -> Result<Self, JoseError> {
        let d_text = jwk
            .get("d")
            .and_then(Value::as_str)
            .ok_or(JoseError::Malformed("the private JWK has no d"))?;
        let mut public_only = jwk.clone();
        if let Some(o) = public_only.as_object_mut() {
            o.remove("d");
        }
        let public = EcJwk::from_json(&public_only)?;
        let d = Zeroizing::new(unb64(d_text, "the JWK's d is not base64url")?);
        if d.len() != 32 {
            return Err(JoseError::Malformed("the JWK's d is not 32 bytes"));
        }
        let secret = p256::SecretKey::from_slice(&d)
            .map_err(|_| JoseError::Malformed("the JWK's d is not a P-256 scalar"))?;
        if secret.public_key() != *public.point() {
            return Err(JoseError::Malformed(
                "the JWK's d does not belong to its x and y",
            ));
        }
        Ok(EcPrivateJwk {
            secret,
            kid: public.kid,
        })
    }

    /// The public half (with the same `kid`).
    pub fn public(&self) -> EcJwk {
        EcJwk {
            point: self.secret.public_key(),
            kid: self.kid.clone(),
        }
    }

    pub(crate) fn secret(&self) -> &p256::SecretKey {
        &self.secret
    }
}
