//! ECDSA over NIST P-256 with SHA-256, and the `ecdsa-rdfc-2019` Data Integrity cryptosuite.
//!
//! - [`DeviceKey`] (alias [`EcdsaSecretKey`]): a P-256 secret key generated in Rust from the
//!   operating system's randomness, zeroized on drop, never printed, compared in constant time,
//!   stored as a Multikey `secretKeyMultibase` (multicodec `p256-priv`, `0x1306`).
//! - [`Signer`]: what signs. [`DeviceKey`] implements it; a phone's Secure Enclave or Android
//!   Keystore key can implement it too, so the secret never enters this library.
//! - [`verify_p256`]: ECDSA-SHA256 verification of a P1363 `r || s` signature.
//! - [`EcdsaRdfc2019`]: the cryptosuite of
//!   [Data Integrity ECDSA Cryptosuites v1.0, §3.2](https://www.w3.org/TR/vc-di-ecdsa/#ecdsa-rdfc-2019).
//!
//! Signatures follow [FIPS 186-5](https://doi.org/10.6028/NIST.FIPS.186-5) ECDSA with SHA-256
//! as the spec requires
//! ([§3.2.5](https://www.w3.org/TR/vc-di-ecdsa/#proof-serialization-ecdsa-rdfc-2019)).
//! [`DeviceKey`] signs deterministically ([RFC 6979](https://www.rfc-editor.org/rfc/rfc6979)),
//! the variant the spec recommends.
//!
//! **High-S signatures are accepted.** FIPS 186-5 ECDSA does not restrict `s` to the lower half
//! of the group order, the specification does not either, and the W3C test vectors contain a
//! high-S P-256 signature (`ecdsa-rdfc-2019-p256/sigHexECDSAP256.txt`, `s = 0xb067...`) that
//! conforming verifiers must accept. Malleability does not matter here: the proof binds the
//! document, not the signature bytes. Signing does not normalize `s` either, so a signature
//! equals what any other RFC 6979 implementation produces.

mod rdfc2019;

use crate::{EcdsaError, EncodingError};
use core::fmt;

use p256::ecdsa::signature::{Signer as _, Verifier as _};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use subtle::{Choice, ConstantTimeEq};
use zeroize::{ZeroizeOnDrop, Zeroizing};

use crate::Error;
use crate::keys::{KeyType, PublicKey, SecretKey};

pub use rdfc2019::{CRYPTOSUITE, EcdsaHashData, EcdsaProofOptions, EcdsaRdfc2019, VerifiedEcdsa};

/// Something that signs with a P-256 key: ECDSA with SHA-256, as used by `ecdsa-rdfc-2019`.
///
/// Implement it over a hardware key (iOS Secure Enclave `SecKeyCreateSignature` with
/// `ecdsaSignatureMessageX962SHA256`, Android Keystore `SHA256withECDSA`) so the secret never
/// leaves the device. Those APIs return ASN.1 DER signatures: convert them to the fixed-size
/// P1363 form (`r` and `s`, each 32 bytes big-endian, left-padded with zeros) before returning.
///
/// The cryptosuite verifies every signature a `Signer` returns against its
/// [`Signer::public_key`] before it is used, so a faulty signer cannot produce an invalid proof.
pub trait Signer {
    /// The signer's public key; must be a [`PublicKey::P256`].
    fn public_key(&self) -> PublicKey;

    /// ECDSA-SHA256 over `message`: the signer hashes `message` with SHA-256 itself.
    /// Returns the P1363 signature `r || s`.
    ///
    /// # Errors
    /// Any failure of the signer, ideally [`crate::EcdsaError::Signer`] (user cancelled, key
    /// invalidated, hardware unavailable).
    fn sign(&self, message: &[u8]) -> Result<[u8; 64], Error>;
}

/// A P-256 secret key held in memory, for a device or an issuer.
///
/// - generated from the operating system's randomness ([`DeviceKey::generate`]);
/// - zeroized on drop (the inner RustCrypto `SigningKey` zeroizes its scalar);
/// - `Debug` prints `DeviceKey([redacted])`; there is no `Display` and no `Clone`;
/// - equality is constant time;
/// - stored as a Multikey `secretKeyMultibase` ([`DeviceKey::to_multikey`],
///   [`DeviceKey::from_multikey`]), see
///   [Controlled Identifiers §2.2.2](https://www.w3.org/TR/cid-1.0/#Multikey).
pub struct DeviceKey {
    key: SigningKey,
}

/// The name the cryptosuite documentation uses for [`DeviceKey`].
pub type EcdsaSecretKey = DeviceKey;

impl fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeviceKey([redacted])")
    }
}

impl ConstantTimeEq for DeviceKey {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.key.ct_eq(&other.key)
    }
}

impl PartialEq for DeviceKey {
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.ct_eq(other))
    }
}

impl Eq for DeviceKey {}

// The only field is a `SigningKey`, which zeroizes its secret scalar on drop.
impl ZeroizeOnDrop for DeviceKey {}

/// Attempts at drawing a scalar in `1..n` from 32 random bytes; each fails with probability
/// below 2^-32.
const GENERATE_ATTEMPTS: usize = 8;

impl DeviceKey {
    /// A fresh key from the operating system's randomness (`getrandom`).
    ///
    /// # Errors
    /// [`Error::Crypto`] if the system has no randomness.
    pub fn generate() -> Result<Self, Error> {
        for _ in 0..GENERATE_ATTEMPTS {
            let mut bytes = Zeroizing::new([0u8; 32]);
            getrandom::getrandom(&mut *bytes).map_err(|_| Error::Crypto("no system randomness"))?;
            if let Ok(key) = SigningKey::from_slice(&*bytes) {
                return Ok(Self { key });
            }
        }
        Err(Error::Crypto("could not draw a P-256 scalar"))
    }

    /// The key of a validated Multikey secret key, which must be a P-256 key.
    ///
    /// # Errors
    /// [`crate::EcdsaError::UnsupportedCurve`] for another key type, [`crate::EncodingError::Scalar`].
    pub fn from_secret_key(secret: &SecretKey) -> Result<Self, Error> {
        if secret.key_type() != KeyType::P256 {
            return Err(Error::Ecdsa(EcdsaError::UnsupportedCurve(
                "the secret key is not a P-256 key",
            )));
        }
        let key = SigningKey::from_slice(secret.expose_bytes()).map_err(|_| {
            Error::Encoding(EncodingError::Scalar {
                what: "P-256 secret key",
            })
        })?;
        Ok(Self { key })
    }

    /// Parses a Multikey `secretKeyMultibase` value (`z` + base58btc of the `p256-priv`
    /// multicodec `0x1306` and the 32-byte big-endian scalar).
    ///
    /// # Errors
    /// As [`SecretKey::from_multibase`], and [`crate::EcdsaError::UnsupportedCurve`] for another key
    /// type.
    pub fn from_multikey(secret_key_multibase: &str) -> Result<Self, Error> {
        Self::from_secret_key(&SecretKey::from_multibase(secret_key_multibase)?)
    }

    /// The Multikey `secretKeyMultibase` value, for a key file. Zeroized when dropped.
    pub fn to_multikey(&self) -> Zeroizing<String> {
        let bytes = Zeroizing::new(<[u8; 32]>::from(self.key.to_bytes()));
        match SecretKey::from_bytes(KeyType::P256, &*bytes) {
            Ok(secret) => secret.to_multibase(),
            // Unreachable: a SigningKey always holds a scalar in 1..n.
            Err(_) => Zeroizing::new(String::new()),
        }
    }

    /// The public key, a [`PublicKey::P256`] (compressed SEC1).
    pub fn public_key(&self) -> PublicKey {
        p256_public_key(self.key.verifying_key())
    }

    /// The did:key verification method id of this key (`did:key:zDn...#zDn...`).
    pub fn verification_method(&self) -> String {
        crate::did::verification_method_id(&self.public_key())
    }
}

impl Signer for DeviceKey {
    fn public_key(&self) -> PublicKey {
        DeviceKey::public_key(self)
    }

    /// Deterministic ECDSA (RFC 6979) with SHA-256.
    fn sign(&self, message: &[u8]) -> Result<[u8; 64], Error> {
        let signature: Signature = self
            .key
            .try_sign(message)
            .map_err(|_| Error::Crypto("ECDSA signing failed"))?;
        let mut out = [0u8; 64];
        out.copy_from_slice(&signature.to_bytes());
        Ok(out)
    }
}

fn p256_public_key(key: &VerifyingKey) -> PublicKey {
    let point = key.to_encoded_point(true);
    let mut compressed = [0u8; 33];
    compressed.copy_from_slice(point.as_bytes());
    PublicKey::P256 { compressed }
}

/// Verifies an ECDSA-SHA256 signature `r || s` (P1363, 64 bytes) over `message` with a P-256
/// key. High-S signatures are accepted (see the [module documentation](self)).
///
/// # Errors
/// [`crate::EcdsaError::UnsupportedCurve`] unless `public` is a P-256 key,
/// [`crate::EncodingError::Point`] for an invalid key, [`crate::EcdsaError::ProofValue`] when `r` or `s` is
/// zero or not below the group order, [`crate::EcdsaError::SignatureMismatch`] when the signature does
/// not verify.
pub fn verify_p256(public: &PublicKey, message: &[u8], signature: &[u8; 64]) -> Result<(), Error> {
    let PublicKey::P256 { compressed } = public else {
        return Err(Error::Ecdsa(EcdsaError::UnsupportedCurve(
            "the key is not a P-256 key",
        )));
    };
    let key = VerifyingKey::from_sec1_bytes(compressed).map_err(|_| {
        Error::Encoding(EncodingError::Point {
            what: "P-256 public key",
            reason: "not on the curve",
        })
    })?;
    let signature = Signature::from_slice(signature).map_err(|_| {
        Error::Ecdsa(EcdsaError::ProofValue(
            "r or s is zero or not below the group order",
        ))
    })?;
    key.verify(message, &signature)
        .map_err(|_| Error::Ecdsa(EcdsaError::SignatureMismatch))
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail by panicking")]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let key = DeviceKey::generate().unwrap();
        assert_eq!(format!("{key:?}"), "DeviceKey([redacted])");
        assert!(!format!("{key:#?}").contains(&*key.to_multikey()));
    }

    #[test]
    fn multikey_round_trip_and_equality() {
        let key = DeviceKey::generate().unwrap();
        let mb = key.to_multikey();
        assert!(mb.starts_with('z'));
        let back = DeviceKey::from_multikey(&mb).unwrap();
        assert_eq!(key, back);
        assert_eq!(key.public_key(), back.public_key());
        assert_ne!(key, DeviceKey::generate().unwrap());
    }

    #[test]
    fn sign_verify() {
        let key = DeviceKey::generate().unwrap();
        let sig = Signer::sign(&key, b"hello").unwrap();
        verify_p256(&key.public_key(), b"hello", &sig).unwrap();
        assert_eq!(
            verify_p256(&key.public_key(), b"hellO", &sig),
            Err(Error::Ecdsa(EcdsaError::SignatureMismatch))
        );
        assert_eq!(
            verify_p256(&key.public_key(), b"hello", &[0u8; 64]),
            Err(Error::Ecdsa(EcdsaError::ProofValue(
                "r or s is zero or not below the group order"
            )))
        );
        // Deterministic (RFC 6979).
        assert_eq!(sig, Signer::sign(&key, b"hello").unwrap());
    }
}
