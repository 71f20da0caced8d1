//! The issuer's BBS key: generated and kept inside Rust.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use civitas_core::bbs::{self, PublicKey, SecretKey};
use civitas_core::{did, keys};
use zeroize::Zeroize;

use crate::{CivitasError, SUITE};

/// Secret keys currently alive in this process (see [`live_secret_keys`]).
static LIVE_SECRET_KEYS: AtomicU64 = AtomicU64::new(0);

/// How many objects holding a secret key are alive in this process.
///
/// Incremented when such an object is created, decremented when it is dropped, after its key
/// has been zeroized. Tests use it to check that releasing the foreign object (Kotlin
/// `close()` / `use {}`, Swift `deinit`, Python `del`) really drops and wipes the key. It
/// reveals nothing but a count.
#[uniffi::export]
pub fn live_secret_keys() -> u64 {
    LIVE_SECRET_KEYS.load(Ordering::SeqCst)
}

/// A secret key that is counted in [`LIVE_SECRET_KEYS`] while it lives.
struct CountedSecretKey(SecretKey);

impl CountedSecretKey {
    fn new(sk: SecretKey) -> Self {
        LIVE_SECRET_KEYS.fetch_add(1, Ordering::SeqCst);
        CountedSecretKey(sk)
    }
}

impl Drop for CountedSecretKey {
    fn drop(&mut self) {
        // `SecretKey` also zeroizes itself when dropped, just after this; wiping it here first
        // makes "the counter went down" imply "the key was wiped".
        self.0.zeroize();
        LIVE_SECRET_KEYS.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The public side of a BBS key, in the forms a wallet or issuer needs.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PublicKeyInfo {
    /// The 96-byte compressed BLS12-381 G2 public key.
    pub public_key: Vec<u8>,
    /// The DID of the key: `did:key:zUC7...`.
    pub did_key: String,
    /// The id of the key's verification method: `did:key:zUC7...#zUC7...`.
    pub verification_method_id: String,
}

impl From<&PublicKey> for PublicKeyInfo {
    fn from(pk: &PublicKey) -> Self {
        let multikey = keys::PublicKey::Bls12381G2(pk.to_bytes());
        PublicKeyInfo {
            public_key: pk.to_bytes().to_vec(),
            did_key: did::did_key(&multikey),
            verification_method_id: did::verification_method_id(&multikey),
        }
    }
}

/// An issuer's BBS key pair (BLS12-381-SHA-256).
///
/// The secret key is generated inside Rust from the operating system's randomness, used only
/// for signing, and never leaves: no method returns it or any encoding of it. Release the
/// object as soon as it is no longer needed (Kotlin `use {}` or `close()`; Swift drops it with
/// its last reference; Python `del`): the key is zeroized then.
#[derive(uniffi::Object)]
pub struct IssuerKey {
    sk: CountedSecretKey,
    pk: PublicKey,
}

impl std::fmt::Debug for IssuerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IssuerKey([redacted])")
    }
}

#[uniffi::export]
impl IssuerKey {
    /// A fresh key pair from the operating system's random generator.
    #[uniffi::constructor]
    pub fn generate() -> Result<Arc<Self>, CivitasError> {
        let sk = SecretKey::generate(SUITE)?;
        let pk = sk.public_key();
        Ok(Arc::new(IssuerKey {
            sk: CountedSecretKey::new(sk),
            pk,
        }))
    }

    /// The 96-byte compressed public key.
    pub fn public_key(&self) -> Vec<u8> {
        self.pk.to_bytes().to_vec()
    }

    /// The key's DID: `did:key:zUC7...`.
    pub fn did_key(&self) -> String {
        did::did_key(&keys::PublicKey::Bls12381G2(self.pk.to_bytes()))
    }

    /// The public key, its DID and its verification method id.
    pub fn public_key_info(&self) -> PublicKeyInfo {
        PublicKeyInfo::from(&self.pk)
    }

    /// Signs `messages` (in order) under `header`; returns the 80-byte BBS signature.
    pub fn sign(&self, header: Vec<u8>, messages: Vec<Vec<u8>>) -> Result<Vec<u8>, CivitasError> {
        let signature = bbs::sign(SUITE, &self.sk.0, &self.pk, &header, &messages)?;
        Ok(signature.to_bytes().to_vec())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::Mutex;

    use super::*;

    /// Serializes the tests that create keys, so that counts of live keys are exact.
    pub(crate) static KEYS: Mutex<()> = Mutex::new(());

    #[test]
    fn dropping_the_last_reference_zeroizes_and_counts_down() {
        let _guard = KEYS.lock().unwrap_or_else(|p| p.into_inner());
        let before = live_secret_keys();
        let key = IssuerKey::generate().unwrap_or_else(|e| unreachable!("{e}"));
        let second = Arc::clone(&key);
        assert_eq!(live_secret_keys(), before + 1);
        drop(key);
        assert_eq!(live_secret_keys(), before + 1, "a reference is still held");
        drop(second);
        assert_eq!(live_secret_keys(), before);
    }

    #[test]
    fn public_forms() {
        let _guard = KEYS.lock().unwrap_or_else(|p| p.into_inner());
        let key = IssuerKey::generate().unwrap_or_else(|e| unreachable!("{e}"));
        let info = key.public_key_info();
        assert_eq!(info.public_key, key.public_key());
        assert_eq!(info.public_key.len(), 96);
        assert_eq!(info.did_key, key.did_key());
        assert!(info.did_key.starts_with("did:key:zUC"));
        assert_eq!(
            info.verification_method_id,
            format!("{}#{}", info.did_key, &info.did_key["did:key:".len()..])
        );
        assert_eq!(format!("{key:?}"), "IssuerKey([redacted])");
    }
}
