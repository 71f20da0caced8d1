//! Compact JWE with `ECDH-ES` direct key agreement and AES-GCM
//! ([RFC 7516](https://www.rfc-editor.org/rfc/rfc7516),
//! [RFC 7518 §4.6](https://www.rfc-editor.org/rfc/rfc7518#section-4.6) and
//! [§5.3](https://www.rfc-editor.org/rfc/rfc7518#section-5.3)), on P-256: what OpenID4VP 1.0
//! §8.3 encrypted responses (`direct_post.jwt`) use.
//!
//! The content encryption key is the Concat KDF (NIST SP 800-56A §5.8.1, single-step, with
//! SHA-256) of the ECDH shared secret `Z`, with `OtherInfo = AlgorithmID || PartyUInfo ||
//! PartyVInfo || SuppPubInfo`: the `enc` value, the decoded `apu` and `apv` (empty when
//! absent), each prefixed by its 32-bit big-endian length, then the key length in bits as a
//! 32-bit big-endian integer. The encrypted key segment is empty; the AAD is the protected
//! header segment as sent.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes128Gcm, Aes256Gcm, Nonce};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::jwk::{EcJwk, EcPrivateJwk};
use super::{JoseError, b64, check_size, parse_header, unb64, unsupported};

/// The content encryption algorithms accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enc {
    /// `A128GCM` (the OpenID4VP default).
    A128Gcm,
    /// `A256GCM`.
    A256Gcm,
}

impl Enc {
    /// The `enc` header value.
    pub const fn name(self) -> &'static str {
        match self {
            Enc::A128Gcm => "A128GCM",
            Enc::A256Gcm => "A256GCM",
        }
    }

    /// The `enc` named `name`, if accepted.
    pub fn from_name(name: &str) -> Option<Enc> {
        match name {
            "A128GCM" => Some(Enc::A128Gcm),
            "A256GCM" => Some(Enc::A256Gcm),
            _ => None,
        }
    }

    const fn key_len(self) -> usize {
        match self {
            Enc::A128Gcm => 16,
            Enc::A256Gcm => 32,
        }
    }
}

/// A JWE that decrypted (so its tag authenticated the header, IV and ciphertext): its
/// protected header and plaintext. Only [`decrypt`] makes one.
#[derive(Clone, PartialEq, Eq)]
pub struct DecryptedJwe {
    header: Map<String, Value>,
    plaintext: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for DecryptedJwe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecryptedJwe")
            .field("header", &self.header)
            .field("plaintext_len", &self.plaintext.len())
            .finish()
    }
}

impl DecryptedJwe {
    /// The protected header.
    pub fn header(&self) -> &Map<String, Value> {
        &self.header
    }
    /// The plaintext.
    pub fn plaintext(&self) -> &[u8] {
        &self.plaintext
    }
}

/// The Concat KDF of RFC 7518 §4.6.2 for direct key agreement with `enc`.
fn concat_kdf(z: &[u8], enc: Enc, apu: &[u8], apv: &[u8]) -> Zeroizing<Vec<u8>> {
    let len = |b: &[u8]| u32::try_from(b.len()).unwrap_or(u32::MAX).to_be_bytes();
    let alg_id = enc.name().as_bytes();
    let key_bits = u32::try_from(enc.key_len() * 8).unwrap_or(0).to_be_bytes();
    let mut h = Sha256::new();
    h.update(1u32.to_be_bytes());
    h.update(z);
    h.update(len(alg_id));
    h.update(alg_id);
    h.update(len(apu));
    h.update(apu);
    h.update(len(apv));
    h.update(apv);
    h.update(key_bits);
    let digest = h.finalize();
    Zeroizing::new(digest.get(..enc.key_len()).unwrap_or(&digest).to_vec())
}

/// The content encryption key shared by `secret` and `public`.
fn derive_key(
    secret: &p256::SecretKey,
    public: &p256::PublicKey,
    enc: Enc,
    apu: &[u8],
    apv: &[u8],
) -> Zeroizing<Vec<u8>> {
    let shared = p256::ecdh::diffie_hellman(secret.to_nonzero_scalar(), public.as_affine());
    concat_kdf(&shared.raw_secret_bytes()[..], enc, apu, apv)
}

fn optional_b64(header: &Map<String, Value>, name: &str) -> Result<Vec<u8>, JoseError> {
    match header.get(name) {
        None => Ok(Vec::new()),
        Some(Value::String(s)) => unb64(s, "apu or apv is not base64url"),
        Some(_) => Err(JoseError::Malformed("apu and apv are base64url strings")),
    }
}

fn seal(key: &[u8], enc: Enc, iv: &[u8; 12], aad: &[u8], plaintext: &[u8]) -> Option<Vec<u8>> {
    let payload = Payload {
        msg: plaintext,
        aad,
    };
    let nonce = Nonce::from(*iv);
    match enc {
        Enc::A128Gcm => Aes128Gcm::new_from_slice(key)
            .ok()?
            .encrypt(&nonce, payload)
            .ok(),
        Enc::A256Gcm => Aes256Gcm::new_from_slice(key)
            .ok()?
            .encrypt(&nonce, payload)
            .ok(),
    }
}

fn open(key: &[u8], enc: Enc, iv: &[u8], aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    let payload = Payload { msg: sealed, aad };
    let iv: [u8; 12] = iv.try_into().ok()?;
    let nonce = Nonce::from(iv);
    match enc {
        Enc::A128Gcm => Aes128Gcm::new_from_slice(key)
            .ok()?
            .decrypt(&nonce, payload)
            .ok(),
        Enc::A256Gcm => Aes256Gcm::new_from_slice(key)
            .ok()?
            .decrypt(&nonce, payload)
            .ok(),
    }
}

/// Encrypt `plaintext` to `recipient` with `ECDH-ES` and `enc`, with a fresh ephemeral key
/// and IV. The protected header is `extra` (for example `apu`/`apv` as base64url strings)
/// with `alg`, `enc`, `epk` and the recipient's `kid` (when it has one) set.
pub fn encrypt(
    plaintext: &[u8],
    recipient: &EcJwk,
    enc: Enc,
    extra: &Map<String, Value>,
) -> Result<String, crate::Error> {
    let ephemeral = EcPrivateJwk::generate(None)?;
    let mut header = extra.clone();
    header.insert("alg".into(), "ECDH-ES".into());
    header.insert("enc".into(), enc.name().into());
    header.insert("epk".into(), ephemeral.public().to_json());
    if let Some(kid) = &recipient.kid {
        header.insert("kid".into(), kid.clone().into());
    }
    let apu = optional_b64(&header, "apu").map_err(crate::Error::Jose)?;
    let apv = optional_b64(&header, "apv").map_err(crate::Error::Jose)?;
    let key = derive_key(ephemeral.secret(), recipient.point(), enc, &apu, &apv);
    let header_json = serde_json::to_vec(&Value::Object(header))
        .map_err(|_| crate::Error::Crypto("cannot serialize a JWE header"))?;
    let protected = b64(&header_json);
    let mut iv = [0u8; 12];
    getrandom::getrandom(&mut iv).map_err(|_| crate::Error::Crypto("no system randomness"))?;
    let sealed = seal(&key, enc, &iv, protected.as_bytes(), plaintext)
        .ok_or(crate::Error::Crypto("AES-GCM encryption failed"))?;
    let (ciphertext, tag) = sealed.split_at(sealed.len().saturating_sub(16));
    Ok(format!(
        "{protected}..{}.{}.{}",
        b64(&iv),
        b64(ciphertext),
        b64(tag)
    ))
}

/// Decrypt a compact JWE with `key`: five segments with an empty encrypted key, a protected
/// header with `alg` exactly `ECDH-ES`, an accepted `enc` (`A128GCM`, `A256GCM`), an `epk`
/// public P-256 JWK, no `crit`, a 12-byte IV and a 16-byte tag; the tag must authenticate
/// (else [`JoseError::DecryptionFailed`], whatever was wrong).
pub fn decrypt(compact: &str, key: &EcPrivateJwk) -> Result<DecryptedJwe, JoseError> {
    check_size(compact)?;
    let parts: Vec<&str> = compact.split('.').collect();
    let [h, encrypted_key, iv, ciphertext, tag] = parts.as_slice() else {
        return Err(JoseError::Malformed(
            "a compact JWE has five segments separated by dots",
        ));
    };
    let header = parse_header(h)?;
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or("");
    if alg != "ECDH-ES" {
        return Err(unsupported("alg", alg));
    }
    let enc_name = header.get("enc").and_then(Value::as_str).unwrap_or("");
    let enc = Enc::from_name(enc_name).ok_or_else(|| unsupported("enc", enc_name))?;
    if !encrypted_key.is_empty() {
        return Err(JoseError::Malformed(
            "ECDH-ES (direct key agreement) has an empty encrypted key",
        ));
    }
    let epk = EcJwk::from_json(
        header
            .get("epk")
            .ok_or(JoseError::Malformed("the header has no epk"))?,
    )?;
    let apu = optional_b64(&header, "apu")?;
    let apv = optional_b64(&header, "apv")?;
    let iv = unb64(iv, "the IV is not base64url")?;
    if iv.len() != 12 {
        return Err(JoseError::Malformed("an AES-GCM IV is 12 bytes"));
    }
    let mut sealed = unb64(ciphertext, "the ciphertext is not base64url")?;
    let tag = unb64(tag, "the tag is not base64url")?;
    if tag.len() != 16 {
        return Err(JoseError::Malformed("an AES-GCM tag is 16 bytes"));
    }
    sealed.extend_from_slice(&tag);
    let cek = derive_key(key.secret(), epk.point(), enc, &apu, &apv);
    let plaintext =
        open(&cek, enc, &iv, h.as_bytes(), &sealed).ok_or(JoseError::DecryptionFailed)?;
    Ok(DecryptedJwe {
        header,
        plaintext: Zeroizing::new(plaintext),
    })
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail by panicking")]
mod tests {
    use super::*;
    use serde_json::json;

    /// RFC 7518 Appendix C: ECDH-ES with A128GCM, apu "Alice", apv "Bob".
    #[test]
    fn rfc7518_appendix_c_key_agreement() {
        let bob = EcPrivateJwk::from_json(&json!({
            "kty": "EC", "crv": "P-256",
            "x": "weNJy2HscCSM6AEDTDg04biOvhFhyyWvOHQfeF_PxMQ",
            "y": "e8lnCO-AlStT-NJVX-crhB7QRYhiix03illJOVAOyck",
            "d": "VEmDZpDXXK8p8N0Cndsxs924q6nS1RXFASRl6BfUqdw"
        }))
        .unwrap();
        let alice_epk = EcJwk::from_json(&json!({
            "kty": "EC", "crv": "P-256",
            "x": "gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0",
            "y": "SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps"
        }))
        .unwrap();
        let key = derive_key(
            bob.secret(),
            alice_epk.point(),
            Enc::A128Gcm,
            b"Alice",
            b"Bob",
        );
        assert_eq!(b64(&key), "VqqN6vgjbSBcIijNcacQGg");
        // And from Alice's side.
        let alice = EcPrivateJwk::from_json(&json!({
            "kty": "EC", "crv": "P-256",
            "x": "gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0",
            "y": "SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps",
            "d": "0_NxaRPUMQoAJt50Gz8YiTr8gRTwyEaCumd-MToTmIo"
        }))
        .unwrap();
        let again = derive_key(
            alice.secret(),
            bob.public().point(),
            Enc::A128Gcm,
            b"Alice",
            b"Bob",
        );
        assert_eq!(key, again);
    }
}
