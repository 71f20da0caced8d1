//! Public keys as Multikey values: multicodec-prefixed, multibase-encoded
//! (`publicKeyMultibase`), as used by did:key and Data Integrity verification methods.
//!
//! See Controlled Identifiers v1.0 §2.2.2 Multikey,
//! <https://www.w3.org/TR/cid-1.0/#Multikey>, and for BLS12-381 keys the bbs-2023 spec
//! <https://www.w3.org/TR/vc-di-bbs/#multikey>.
//!
//! Every decoder validates the key: a BLS12-381 G2 key must be a canonical compressed point
//! in the prime-order subgroup and not the identity; a P-256 key must be a compressed SEC1
//! point on the curve; an Ed25519 key must be a canonical encoding of a curve point that is not
//! of small order.

mod multibase;
mod multicodec;

pub use multibase::{
    Base, MAX_BASE58_LEN, decode_base58btc, decode_base64url, encode_base58btc, encode_base64url,
};
pub use multicodec::{
    BLS12_381_G2_PRIV, BLS12_381_G2_PUB, ED25519_PRIV, ED25519_PUB, P256_PRIV, P256_PUB,
    decode_varint, encode_varint,
};

use crate::EncodingError;
use core::fmt;

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::Error;

/// The key algorithms supported for verification methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// BLS12-381 with public keys in G2 (BBS signatures).
    Bls12381G2,
    /// NIST P-256 (ECDSA).
    P256,
    /// Ed25519 (EdDSA).
    Ed25519,
}

impl KeyType {
    /// The multicodec code of a public key of this type.
    pub const fn public_codec(self) -> u64 {
        match self {
            KeyType::Bls12381G2 => multicodec::BLS12_381_G2_PUB,
            KeyType::P256 => multicodec::P256_PUB,
            KeyType::Ed25519 => multicodec::ED25519_PUB,
        }
    }

    /// The multicodec code of a secret key of this type.
    pub const fn secret_codec(self) -> u64 {
        match self {
            KeyType::Bls12381G2 => multicodec::BLS12_381_G2_PRIV,
            KeyType::P256 => multicodec::P256_PRIV,
            KeyType::Ed25519 => multicodec::ED25519_PRIV,
        }
    }

    /// Length of the public key encoding in bytes.
    pub const fn public_key_len(self) -> usize {
        match self {
            KeyType::Bls12381G2 => 96,
            KeyType::P256 => 33,
            KeyType::Ed25519 => 32,
        }
    }

    fn from_public_codec(codec: u64) -> Option<Self> {
        match codec {
            multicodec::BLS12_381_G2_PUB => Some(KeyType::Bls12381G2),
            multicodec::P256_PUB => Some(KeyType::P256),
            multicodec::ED25519_PUB => Some(KeyType::Ed25519),
            _ => None,
        }
    }

    fn from_secret_codec(codec: u64) -> Option<Self> {
        match codec {
            multicodec::BLS12_381_G2_PRIV => Some(KeyType::Bls12381G2),
            multicodec::P256_PRIV => Some(KeyType::P256),
            multicodec::ED25519_PRIV => Some(KeyType::Ed25519),
            _ => None,
        }
    }
}

/// A validated public key.
///
/// Build one with [`PublicKey::from_bytes`] or [`PublicKey::from_multibase`], which validate;
/// a value built directly from a variant is not checked until [`PublicKey::validate`].
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum PublicKey {
    /// A BLS12-381 G2 point, 96-byte compressed encoding (ZCash serialization).
    Bls12381G2([u8; 96]),
    /// A P-256 point, 33-byte compressed SEC1 encoding (`02`/`03` || x).
    P256 {
        /// The compressed SEC1 encoding.
        compressed: [u8; 33],
    },
    /// An Ed25519 point, 32-byte encoding (RFC 8032).
    Ed25519([u8; 32]),
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Public keys are not secret, but they identify people (holder keys): print the type
        // and the multibase form only on explicit request, never in Debug.
        write!(f, "PublicKey::{:?}(..)", self.key_type())
    }
}

impl PublicKey {
    /// Validates `bytes` as a public key of type `key_type`.
    ///
    /// # Errors
    /// [`crate::EncodingError::Length`] for a wrong length, [`crate::EncodingError::Point`] for an invalid
    /// point.
    pub fn from_bytes(key_type: KeyType, bytes: &[u8]) -> Result<Self, Error> {
        let wrong_length = || {
            Error::Encoding(EncodingError::Length {
                what: "public key",
                expected: key_type.public_key_len(),
                actual: bytes.len(),
            })
        };
        let key = match key_type {
            KeyType::Bls12381G2 => {
                PublicKey::Bls12381G2(bytes.try_into().map_err(|_| wrong_length())?)
            }
            KeyType::P256 => PublicKey::P256 {
                compressed: bytes.try_into().map_err(|_| wrong_length())?,
            },
            KeyType::Ed25519 => PublicKey::Ed25519(bytes.try_into().map_err(|_| wrong_length())?),
        };
        key.validate()?;
        Ok(key)
    }

    /// Checks that the key is a valid point (see the module documentation).
    ///
    /// # Errors
    /// [`crate::EncodingError::Point`].
    pub fn validate(&self) -> Result<(), Error> {
        match self {
            PublicKey::Bls12381G2(bytes) => validate_bls12_381_g2(bytes),
            PublicKey::P256 { compressed } => validate_p256(compressed),
            PublicKey::Ed25519(bytes) => validate_ed25519(bytes),
        }
    }

    /// The key's algorithm.
    pub const fn key_type(&self) -> KeyType {
        match self {
            PublicKey::Bls12381G2(_) => KeyType::Bls12381G2,
            PublicKey::P256 { .. } => KeyType::P256,
            PublicKey::Ed25519(_) => KeyType::Ed25519,
        }
    }

    /// The raw key encoding (without multicodec prefix).
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            PublicKey::Bls12381G2(b) => b,
            PublicKey::P256 { compressed } => compressed,
            PublicKey::Ed25519(b) => b,
        }
    }

    /// The multicodec varint of the key type followed by the raw key.
    pub fn to_multicodec_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(2 + self.as_bytes().len());
        multicodec::encode_varint(self.key_type().public_codec(), &mut out);
        out.extend_from_slice(self.as_bytes());
        out
    }

    /// Parses multicodec-prefixed key bytes and validates the key.
    ///
    /// # Errors
    /// [`crate::EncodingError::Varint`], [`crate::EncodingError::UnsupportedCodec`] for any codec other than the
    /// three public key codecs, [`crate::EncodingError::Length`], [`crate::EncodingError::Point`].
    pub fn from_multicodec_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let (codec, used) = multicodec::decode_varint(bytes)?;
        let key_type = KeyType::from_public_codec(codec)
            .ok_or(Error::Encoding(EncodingError::UnsupportedCodec { codec }))?;
        PublicKey::from_bytes(key_type, bytes.get(used..).unwrap_or_default())
    }

    /// The Multikey `publicKeyMultibase` value: `z` + base58btc(multicodec || key), which
    /// starts with `zUC7` for BLS12-381 G2, `zDn` for P-256, `z6Mk` for Ed25519.
    pub fn to_multibase(&self) -> String {
        Base::Base58Btc.encode(&self.to_multicodec_bytes())
    }

    /// Parses and validates a `publicKeyMultibase` value.
    ///
    /// # Errors
    /// [`crate::EncodingError::MultibasePrefix`] unless it starts with `z`, [`crate::EncodingError::Alphabet`] for bad
    /// base58btc, then as [`PublicKey::from_multicodec_bytes`].
    pub fn from_multibase(s: &str) -> Result<Self, Error> {
        PublicKey::from_multicodec_bytes(&Base::Base58Btc.decode(s)?)
    }
}

/// Validates a compressed BLS12-381 G2 public key: canonical compressed encoding of a point
/// in the prime-order subgroup, not the identity.
///
/// Delegates to [`crate::bbs::PublicKey::from_bytes`], the one place that decides G2 key
/// validity (canonical compressed encoding, on the curve, in the subgroup, not the identity).
///
/// # Errors
/// [`crate::EncodingError::Point`] naming the failed rule.
pub fn validate_bls12_381_g2(bytes: &[u8; 96]) -> Result<(), Error> {
    crate::bbs::PublicKey::from_bytes(bytes)
        .map(|_| ())
        .map_err(|e| match e {
            Error::Encoding(EncodingError::Point { reason, .. }) => {
                Error::Encoding(EncodingError::Point {
                    what: "BLS12-381 G2 public key",
                    reason,
                })
            }
            other => other,
        })
}

fn validate_p256(compressed: &[u8; 33]) -> Result<(), Error> {
    let invalid = |reason| {
        Error::Encoding(EncodingError::Point {
            what: "P-256 public key",
            reason,
        })
    };
    match compressed.first() {
        Some(0x02 | 0x03) => {}
        _ => return Err(invalid("not a compressed SEC1 encoding")),
    }
    p256::PublicKey::from_sec1_bytes(compressed)
        .map(|_| ())
        .map_err(|_| invalid("not on the curve"))
}

fn validate_ed25519(bytes: &[u8; 32]) -> Result<(), Error> {
    let invalid = |reason| {
        Error::Encoding(EncodingError::Point {
            what: "Ed25519 public key",
            reason,
        })
    };
    let compressed = curve25519_dalek::edwards::CompressedEdwardsY(*bytes);
    let point = compressed.decompress().ok_or(invalid("not on the curve"))?;
    if point.compress().as_bytes() != bytes {
        return Err(invalid("non-canonical encoding"));
    }
    if point.is_small_order() {
        return Err(invalid("small-order point"));
    }
    Ok(())
}

/// A secret key in Multikey form (`secretKeyMultibase`): for key files and tests.
///
/// The bytes are zeroized on drop, never printed by `Debug`, and compared in constant time.
pub struct SecretKey {
    key_type: KeyType,
    bytes: Zeroizing<[u8; 32]>,
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretKey")
            .field("key_type", &self.key_type)
            .field("bytes", &"[redacted]")
            .finish()
    }
}

impl PartialEq for SecretKey {
    fn eq(&self, other: &Self) -> bool {
        self.key_type == other.key_type && bool::from(self.bytes.ct_eq(&*other.bytes))
    }
}

impl Eq for SecretKey {}

impl SecretKey {
    /// Validates 32 secret key bytes: for BLS12-381 and P-256 a big-endian scalar in
    /// `1..order`; for Ed25519 any 32-byte seed.
    ///
    /// # Errors
    /// [`crate::EncodingError::Length`], [`crate::EncodingError::Scalar`].
    pub fn from_bytes(key_type: KeyType, bytes: &[u8]) -> Result<Self, Error> {
        let array: [u8; 32] = bytes.try_into().map_err(|_| {
            Error::Encoding(EncodingError::Length {
                what: "secret key",
                expected: 32,
                actual: bytes.len(),
            })
        })?;
        let key = SecretKey {
            key_type,
            bytes: Zeroizing::new(array),
        };
        match key_type {
            KeyType::Bls12381G2 => {
                blst::min_sig::SecretKey::from_bytes(&*key.bytes).map_err(|_| {
                    Error::Encoding(EncodingError::Scalar {
                        what: "BLS12-381 secret key",
                    })
                })?;
            }
            KeyType::P256 => {
                p256::SecretKey::from_slice(&*key.bytes).map_err(|_| {
                    Error::Encoding(EncodingError::Scalar {
                        what: "P-256 secret key",
                    })
                })?;
            }
            KeyType::Ed25519 => {}
        }
        Ok(key)
    }

    /// The key's algorithm.
    pub const fn key_type(&self) -> KeyType {
        self.key_type
    }

    /// The secret bytes. Handle with care: do not copy them into unzeroized memory.
    pub fn expose_bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// The `secretKeyMultibase` value: `z` + base58btc(multicodec || key).
    pub fn to_multibase(&self) -> Zeroizing<String> {
        let mut raw = Zeroizing::new(Vec::with_capacity(34));
        multicodec::encode_varint(self.key_type.secret_codec(), &mut raw);
        raw.extend_from_slice(&*self.bytes);
        Zeroizing::new(Base::Base58Btc.encode(&raw))
    }

    /// Parses a `secretKeyMultibase` value.
    ///
    /// # Errors
    /// As [`PublicKey::from_multibase`], with the secret key codecs, and
    /// [`crate::EncodingError::Scalar`].
    pub fn from_multibase(s: &str) -> Result<Self, Error> {
        let raw = Zeroizing::new(Base::Base58Btc.decode(s)?);
        let (codec, used) = multicodec::decode_varint(&raw)?;
        let key_type = KeyType::from_secret_codec(codec)
            .ok_or(Error::Encoding(EncodingError::UnsupportedCodec { codec }))?;
        SecretKey::from_bytes(key_type, raw.get(used..).unwrap_or_default())
    }
}
