//! The holder's wallet: a thin object over
//! [`civitas_core::wallet`], [`civitas_core::present`] and [`civitas_core::verifier`].
//!
//! Two foreign (callback) interfaces let the app plug in its platform: [`KeyStore`] signs with
//! a hardware key (Secure Enclave, Android Keystore) and [`CredentialStore`] keeps the
//! wallet's records in the app's own storage.

use civitas_core::{EcdsaError, EncodingError, WalletError};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use civitas_core::DevicePresentationBuilder;
use civitas_core::ecdsa::{DeviceKey, EcdsaRdfc2019, Signer};
use civitas_core::keys::{self, KeyType};
use civitas_core::verifier;
use civitas_core::wallet::{self, EncryptedFileStore, MemoryStore};
use civitas_core::{Error, bbs2023::Bbs2023, compact, did};
use zeroize::Zeroizing;

use crate::CivitasError;
use crate::context::{ContextDoc, jsonld};

// ---- foreign interfaces ------------------------------------------------------------------

/// A P-256 key kept by the platform (iOS Secure Enclave, Android Keystore), implemented by
/// the app. The secret never leaves the platform; Civitas only asks for signatures.
#[uniffi::export(with_foreign)]
pub trait KeyStore: Send + Sync {
    /// The 33-byte compressed SEC1 P-256 public key.
    fn public_key(&self) -> Vec<u8>;
    /// ECDSA-SHA256 over `message` (the key store hashes it), as the 64-byte P1363 signature
    /// `r || s` (convert the platforms' ASN.1 DER signatures). Throw to refuse (user
    /// cancelled, key invalidated).
    fn sign(&self, message: Vec<u8>) -> Result<Vec<u8>, CivitasError>;
}

/// Core's [`Signer`] over an app's [`KeyStore`].
struct KeyStoreSigner {
    key_store: Arc<dyn KeyStore>,
    public: keys::PublicKey,
}

impl KeyStoreSigner {
    fn new(key_store: Arc<dyn KeyStore>) -> Result<Self, CivitasError> {
        let public = keys::PublicKey::from_bytes(KeyType::P256, &key_store.public_key())?;
        Ok(Self { key_store, public })
    }
}

impl Signer for KeyStoreSigner {
    fn public_key(&self) -> keys::PublicKey {
        self.public.clone()
    }

    fn sign(&self, message: &[u8]) -> Result<[u8; 64], Error> {
        let signature = self
            .key_store
            .sign(message.to_vec())
            .map_err(|_| Error::Ecdsa(EcdsaError::Signer("the app's key store failed")))?;
        <[u8; 64]>::try_from(signature.as_slice()).map_err(|_| {
            Error::Ecdsa(EcdsaError::Signer(
                "the app's key store returned a signature that is not 64 bytes",
            ))
        })
    }
}

/// Storage for the wallet's records, implemented by the app (records hold personal data:
/// keep them encrypted at rest). Ids are short ASCII strings.
#[uniffi::export(with_foreign)]
pub trait CredentialStore: Send + Sync {
    /// Stores `record` under `id`, replacing any record with that id; durable on return.
    fn put(&self, id: String, record: Vec<u8>) -> Result<(), CivitasError>;
    /// The record under `id`, or null.
    fn get(&self, id: String) -> Result<Option<Vec<u8>>, CivitasError>;
    /// The ids of all records, in any order.
    fn list(&self) -> Result<Vec<String>, CivitasError>;
    /// Removes the record under `id`; removing an absent record is not an error.
    fn delete(&self, id: String) -> Result<(), CivitasError>;
}

/// Core's [`wallet::CredentialStore`] over an app's [`CredentialStore`].
struct ForeignStore(Arc<dyn CredentialStore>);

const STORE_FAILED: Error = Error::Wallet(WalletError::Storage {
    reason: "the app's credential store failed",
});

impl wallet::CredentialStore for ForeignStore {
    fn put(&self, id: &str, record: &[u8]) -> Result<(), Error> {
        self.0
            .put(id.to_owned(), record.to_vec())
            .map_err(|_| STORE_FAILED)
    }

    fn get(&self, id: &str) -> Result<Option<Vec<u8>>, Error> {
        self.0.get(id.to_owned()).map_err(|_| STORE_FAILED)
    }

    fn list(&self) -> Result<Vec<String>, Error> {
        self.0.list().map_err(|_| STORE_FAILED)
    }

    fn delete(&self, id: &str) -> Result<(), Error> {
        self.0.delete(id.to_owned()).map_err(|_| STORE_FAILED)
    }
}

/// An issuer's public JWK (JSON text), when given.
fn issuer_key(jwk: Option<String>) -> Result<Option<keys::PublicKey>, CivitasError> {
    jwk.map(|text| {
        let v =
            civitas_core::json::parse(text.as_bytes(), &civitas_core::json::JsonLimits::default())?;
        Ok(civitas_core::jose::EcJwk::from_json(&v)
            .map_err(civitas_core::Error::from)?
            .public_key())
    })
    .transpose()
}

fn unix_now() -> i64 {
    civitas_core::Timestamp::now().unix_seconds()
}

// ---- the device key ----------------------------------------------------------------------

/// Device keys currently alive in this process (see [`live_device_keys`]).
static LIVE_DEVICE_KEYS: AtomicU64 = AtomicU64::new(0);

/// How many wallet device keys (P-256 secret keys held by a [`Wallet`]) are alive in this
/// process. Decremented when a wallet is dropped, after its key has been zeroized. Tests use
/// it to check that closing the foreign `Wallet` wipes the key; it reveals nothing but a count.
#[uniffi::export]
pub fn live_device_keys() -> u64 {
    LIVE_DEVICE_KEYS.load(Ordering::SeqCst)
}

/// A device key counted in [`LIVE_DEVICE_KEYS`] while it lives.
struct CountedDeviceKey(Option<DeviceKey>);

impl CountedDeviceKey {
    fn generate() -> Result<Self, CivitasError> {
        let key = DeviceKey::generate()?;
        LIVE_DEVICE_KEYS.fetch_add(1, Ordering::SeqCst);
        Ok(Self(Some(key)))
    }
}

impl Drop for CountedDeviceKey {
    fn drop(&mut self) {
        // `DeviceKey` zeroizes itself when dropped: drop it first, so that "the counter went
        // down" implies "the key was wiped".
        drop(self.0.take());
        LIVE_DEVICE_KEYS.fetch_sub(1, Ordering::SeqCst);
    }
}

// ---- wallet records ----------------------------------------------------------------------

/// One claim of a credential, for display. The claim tree is flattened in document order:
/// `depth` is 0 for top-level claims, 1 for the claims inside them, and so on.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ClaimRecord {
    /// RFC 6901 JSON pointer of the claim (the form disclosure requests use).
    pub pointer: String,
    /// The last key of the pointer (an index for array elements).
    pub label: String,
    /// The display string of a leaf; null for objects and arrays.
    pub value: Option<String>,
    /// Disclosed in every presentation (the issuer's mandatory pointers).
    pub mandatory: bool,
    /// Nesting depth (0 = top level).
    pub depth: u32,
}

fn flatten(claims: &[wallet::Claim], depth: u32, out: &mut Vec<ClaimRecord>) {
    for c in claims {
        out.push(ClaimRecord {
            pointer: c.pointer.clone(),
            label: c.label.clone(),
            value: c.value.clone(),
            mandatory: c.mandatory,
            depth,
        });
        flatten(&c.children, depth.saturating_add(1), out);
    }
}

/// How a credential is bound to its holder (the bbs-2023 feature it was issued with).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum HolderBinding {
    /// Not bound to this wallet's secret: a bearer credential, or one issued to a DID (present
    /// it identified).
    None,
    /// `anonymous_holder_binding`: only this wallet can present it.
    HolderSecret,
    /// `pseudonym`: each verifier sees its own pseudonym; not bound to the holder secret.
    Pseudonym,
    /// `holder_binding_pseudonym`: only this wallet can present it, with a pseudonym per
    /// verifier.
    HolderSecretPseudonym,
}

impl From<civitas_core::bbs2023::Feature> for HolderBinding {
    fn from(f: civitas_core::bbs2023::Feature) -> Self {
        use civitas_core::bbs2023::Feature;
        match f {
            Feature::Baseline => HolderBinding::None,
            Feature::AnonymousHolderBinding => HolderBinding::HolderSecret,
            Feature::Pseudonym => HolderBinding::Pseudonym,
            Feature::HolderBindingPseudonym => HolderBinding::HolderSecretPseudonym,
        }
    }
}

impl HolderBinding {
    pub(crate) fn feature(self) -> Option<civitas_core::bbs2023::Feature> {
        use civitas_core::bbs2023::Feature;
        match self {
            HolderBinding::None => None,
            HolderBinding::HolderSecret => Some(Feature::AnonymousHolderBinding),
            HolderBinding::Pseudonym => Some(Feature::Pseudonym),
            HolderBinding::HolderSecretPseudonym => Some(Feature::HolderBindingPseudonym),
        }
    }
}

/// Whether a presentation shows the verifier a pseudonym, and whether it has seen it before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PseudonymUse {
    /// No pseudonym.
    None,
    /// A pseudonym this verifier has not been shown before.
    FirstTime,
    /// The pseudonym this verifier has seen before: it will recognise the holder.
    Returning,
}

impl From<wallet::PseudonymUse> for PseudonymUse {
    fn from(p: wallet::PseudonymUse) -> Self {
        match p {
            wallet::PseudonymUse::None => PseudonymUse::None,
            wallet::PseudonymUse::FirstTime => PseudonymUse::FirstTime,
            wallet::PseudonymUse::Returning => PseudonymUse::Returning,
        }
    }
}

/// Display data of a stored SD-JWT VC.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SdJwtVcSummary {
    /// The wallet's id (64 hex digits).
    pub id: String,
    /// Its type (`vct`).
    pub vct: String,
    /// Its issuer (`iss`).
    pub issuer: String,
    /// `iat` (Unix seconds).
    pub issued_at: Option<i64>,
    /// `exp` (Unix seconds).
    pub expires_at: Option<i64>,
    /// The claims, flattened; `mandatory` marks those always shown.
    pub claims: Vec<ClaimRecord>,
    /// Bound to the wallet's key (presentations carry a Key Binding JWT).
    pub key_bound: bool,
}

impl From<wallet::SdJwtVcSummary> for SdJwtVcSummary {
    fn from(s: wallet::SdJwtVcSummary) -> Self {
        let mut claims = Vec::new();
        flatten(&s.claims, 0, &mut claims);
        SdJwtVcSummary {
            id: s.id,
            vct: s.vct,
            issuer: s.issuer,
            issued_at: s.issued_at,
            expires_at: s.expires_at,
            claims,
            key_bound: s.key_bound,
        }
    }
}

/// Display data of a stored credential.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CredentialSummary {
    /// The wallet's id of the credential (64 hex digits).
    pub id: String,
    /// The credential's types.
    pub types: Vec<String>,
    /// The issuer's id (a DID).
    pub issuer_id: Option<String>,
    /// The issuer's name, as the credential gives it.
    pub issuer_name: Option<String>,
    /// `validFrom`.
    pub valid_from: Option<String>,
    /// `validUntil`.
    pub valid_until: Option<String>,
    /// The issuer's mandatory pointers (always disclosed).
    pub mandatory_pointers: Vec<String>,
    /// How the credential is bound to this wallet.
    pub binding: HolderBinding,
    /// The claims, flattened in document order.
    pub claims: Vec<ClaimRecord>,
}

impl From<wallet::CredentialSummary> for CredentialSummary {
    fn from(s: wallet::CredentialSummary) -> Self {
        let mut claims = Vec::new();
        flatten(s.claims(), 0, &mut claims);
        CredentialSummary {
            id: s.id,
            types: s.types,
            issuer_id: s.issuer_id,
            issuer_name: s.issuer_name,
            valid_from: s.valid_from,
            valid_until: s.valid_until,
            mandatory_pointers: s.mandatory_pointers,
            binding: s.binding.into(),
            claims,
        }
    }
}

/// A claim a presentation would disclose.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DisclosedClaim {
    /// JSON pointer of the claim.
    pub pointer: String,
    /// The last key of the pointer.
    pub label: String,
    /// The display value.
    pub value: String,
    /// Disclosed because the issuer made it mandatory.
    pub mandatory: bool,
}

/// What presenting a credential would disclose, to show before the holder consents.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ConsentSummary {
    /// The credential's id.
    pub credential_id: String,
    /// The claims disclosed (mandatory and requested).
    pub disclosed: Vec<DisclosedClaim>,
    /// Pointers of the claims that stay hidden.
    pub hidden: Vec<String>,
    /// Whether the verifier sees a pseudonym, and whether it has seen it before.
    pub pseudonym: PseudonymUse,
}

impl From<wallet::ConsentSummary> for ConsentSummary {
    fn from(s: wallet::ConsentSummary) -> Self {
        ConsentSummary {
            credential_id: s.credential_id,
            disclosed: s
                .disclosed
                .into_iter()
                .map(|d| DisclosedClaim {
                    pointer: d.pointer,
                    label: d.label,
                    value: d.value,
                    mandatory: d.mandatory,
                })
                .collect(),
            hidden: s.hidden,
            pseudonym: s.pseudonym.into(),
        }
    }
}

/// The claims to disclose from one credential.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DisclosureRequest {
    /// The credential's id.
    pub credential_id: String,
    /// JSON pointers of the claims to disclose (the mandatory ones always are).
    pub pointers: Vec<String>,
}

/// A verifier's request: its challenge and domain (both bind the presentation against
/// replay) and what to disclose from which credentials.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PresentationRequest {
    /// The verifier's challenge (nonce).
    pub challenge: String,
    /// The verifier's domain.
    pub domain: String,
    /// What to disclose.
    pub disclosures: Vec<DisclosureRequest>,
}

/// A presentation, as JSON and as the compact QR payload.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PresentationResult {
    /// The verifiable presentation (JSON text).
    pub json: String,
    /// The same presentation in the compact form for a QR code.
    pub qr_payload: String,
}

/// One presentation the wallet made.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HistoryRecord {
    /// When (RFC 3339, UTC).
    pub at: String,
    /// The verifier's domain.
    pub domain: Option<String>,
    /// The credential presented.
    pub credential_id: String,
    /// The pointers disclosed.
    pub disclosed_pointers: Vec<String>,
}

impl From<wallet::HistoryEntry> for HistoryRecord {
    fn from(h: wallet::HistoryEntry) -> Self {
        HistoryRecord {
            at: h.at,
            domain: h.domain,
            credential_id: h.credential_id,
            disclosed_pointers: h.disclosed_pointers,
        }
    }
}

// ---- the wallet --------------------------------------------------------------------------

/// The holder's wallet: imports bbs-2023 credentials (checking the issuer's proof), shows
/// them, previews and makes selective-disclosure presentations, and keeps a history.
///
/// Each wallet holds a P-256 device key generated inside Rust for this wallet object (its
/// did:key is [`Wallet::holder_did`]); it never leaves Rust and is zeroized when the wallet
/// is released (Kotlin `close()` / `use {}`, Swift `deinit`, Python `del`). The key lives as
/// long as the object, not across app launches: an app that needs a lasting holder key
/// passes its platform key to [`Wallet::present_with_key_store`].
#[derive(uniffi::Object)]
pub struct Wallet {
    inner: wallet::Wallet,
    ecdsa: EcdsaRdfc2019,
    device_key: CountedDeviceKey,
}

impl std::fmt::Debug for Wallet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Wallet([redacted])")
    }
}

impl Wallet {
    fn over(
        store: Arc<dyn wallet::CredentialStore>,
        contexts: &[ContextDoc],
    ) -> Result<Arc<Self>, CivitasError> {
        let jsonld = jsonld(contexts)?;
        Ok(Arc::new(Wallet {
            inner: wallet::Wallet::new(store, Bbs2023::new(Arc::clone(&jsonld))),
            ecdsa: EcdsaRdfc2019::new(jsonld),
            device_key: CountedDeviceKey::generate()?,
        }))
    }

    /// The core wallet (for the other exported impl blocks of this object).
    pub(crate) fn core(&self) -> &wallet::Wallet {
        &self.inner
    }

    pub(crate) fn device_key(&self) -> Result<&DeviceKey, CivitasError> {
        // `None` only while being dropped.
        self.device_key.0.as_ref().ok_or(CivitasError::Internal {
            reason: "the device key is gone".into(),
        })
    }

    fn present_with(
        &self,
        request: PresentationRequest,
        signer: Option<&dyn Signer>,
    ) -> Result<PresentationResult, CivitasError> {
        let disclosures: Vec<wallet::Disclosure> = request
            .disclosures
            .into_iter()
            .map(|d| wallet::Disclosure {
                credential_id: d.credential_id,
                pointers: d.pointers,
            })
            .collect();
        let core_request = wallet::PresentationRequest {
            domain: Some(request.domain),
            challenge: Some(request.challenge),
        };
        let vp = match signer {
            Some(signer) => {
                let builder = DevicePresentationBuilder::new(self.ecdsa.clone(), signer);
                // Bound to the request like an anonymous one: a holder-bound credential in it
                // is checked against the request binding too.
                let header = verifier::request_binding(
                    core_request.challenge.as_deref().unwrap_or(""),
                    core_request.domain.as_deref(),
                );
                self.inner
                    .present(&disclosures, &header, &core_request, &builder)?
            }
            None => self.inner.present_anonymous(&disclosures, &core_request)?,
        };
        Ok(PresentationResult {
            json: vp.to_string(),
            qr_payload: compact::encode_json(&vp)?,
        })
    }
}

#[uniffi::export]
impl Wallet {
    /// A wallet keeping its records in memory (nothing survives the object).
    #[uniffi::constructor]
    pub fn in_memory(contexts: Vec<ContextDoc>) -> Result<Arc<Self>, CivitasError> {
        Self::over(Arc::new(MemoryStore::new()), &contexts)
    }

    /// A wallet keeping its records encrypted in the folder `dir` under the 32-byte
    /// `storage_key` (from the platform's keystore). The key bytes are copied into a buffer
    /// that is zeroized when no longer needed.
    #[uniffi::constructor]
    pub fn with_encrypted_store(
        dir: String,
        storage_key: Vec<u8>,
        contexts: Vec<ContextDoc>,
    ) -> Result<Arc<Self>, CivitasError> {
        let storage_key = Zeroizing::new(storage_key);
        let mut key = Zeroizing::new([0u8; 32]);
        if storage_key.len() != key.len() {
            return Err(Error::Encoding(EncodingError::Length {
                what: "storage key",
                expected: 32,
                actual: storage_key.len(),
            })
            .into());
        }
        key.copy_from_slice(&storage_key);
        drop(storage_key);
        Self::over(Arc::new(EncryptedFileStore::open(dir, key)?), &contexts)
    }

    /// A wallet keeping its records in the app's `store`.
    #[uniffi::constructor]
    pub fn with_store(
        store: Arc<dyn CredentialStore>,
        contexts: Vec<ContextDoc>,
    ) -> Result<Arc<Self>, CivitasError> {
        Self::over(Arc::new(ForeignStore(store)), &contexts)
    }

    /// The holder's DID: the did:key of this wallet's device key.
    pub fn holder_did(&self) -> Result<String, CivitasError> {
        Ok(did::did_key(&self.device_key()?.public_key()))
    }

    /// Imports a credential (JSON text) after checking its bbs-2023 base proof; importing
    /// the same credential twice keeps one copy. (Not named `import`: a keyword in Python and
    /// Swift.)
    pub fn import_credential(
        &self,
        credential_json: String,
    ) -> Result<CredentialSummary, CivitasError> {
        Ok(self.inner.import(&credential_json)?.into())
    }

    /// Imports a credential with the offline inclusion proof its issuer logged it under (the
    /// `.tlog-proof` text beside it), checked against `policy` (a c2sp.org/tlog-policy text:
    /// the issuer's log key, its witnesses, the quorum); the proof is kept for the holder.
    /// It identifies the credential: never show it in an unlinkable presentation.
    pub fn import_with_tlog_proof(
        &self,
        credential_json: String,
        proof: String,
        policy: String,
    ) -> Result<CredentialSummary, CivitasError> {
        Ok(self
            .inner
            .import_with_tlog_proof(&credential_json, &proof, &policy)?
            .into())
    }

    /// The inclusion proof kept for credential `id`, or null.
    pub fn tlog_proof(&self, id: String) -> Result<Option<String>, CivitasError> {
        Ok(self.inner.tlog_proof(&id)?)
    }

    /// Imports an SD-JWT VC (compact, as issued) bound to this wallet's device key: the
    /// issuer's signature is checked with `issuer_jwk` (a public JWK, JSON) or, without it,
    /// the did:key its `iss` names.
    pub fn import_sd_jwt_vc(
        &self,
        compact: String,
        issuer_jwk: Option<String>,
    ) -> Result<SdJwtVcSummary, CivitasError> {
        let issuer = issuer_key(issuer_jwk)?;
        let holder = self.device_key()?.public_key();
        Ok(self
            .inner
            .import_sd_jwt_vc(&compact, issuer.as_ref(), &holder)?
            .into())
    }

    /// Like [`Wallet::import_sd_jwt_vc`], for a credential bound to the app's `key_store` key.
    pub fn import_sd_jwt_vc_for_key_store(
        &self,
        compact: String,
        issuer_jwk: Option<String>,
        key_store: Arc<dyn KeyStore>,
    ) -> Result<SdJwtVcSummary, CivitasError> {
        let issuer = issuer_key(issuer_jwk)?;
        let holder = KeyStoreSigner::new(key_store)?.public;
        Ok(self
            .inner
            .import_sd_jwt_vc(&compact, issuer.as_ref(), &holder)?
            .into())
    }

    /// Every stored SD-JWT VC.
    pub fn sd_jwt_vcs(&self) -> Result<Vec<SdJwtVcSummary>, CivitasError> {
        Ok(self
            .inner
            .sd_jwt_vcs()?
            .into_iter()
            .map(SdJwtVcSummary::from)
            .collect())
    }

    /// Removes SD-JWT VC `id` (absent is not an error).
    pub fn delete_sd_jwt_vc(&self, id: String) -> Result<(), CivitasError> {
        Ok(self.inner.delete_sd_jwt_vc(&id)?)
    }

    /// Presents SD-JWT VC `id` to `audience` (the verifier's Client Identifier) for `nonce`:
    /// only the Disclosures `pointers` need, and a Key Binding JWT by the device key.
    pub fn present_sd_jwt_vc(
        &self,
        id: String,
        pointers: Vec<String>,
        audience: String,
        nonce: String,
    ) -> Result<String, CivitasError> {
        Ok(self.inner.present_sd_jwt_vc(
            &id,
            &pointers,
            &audience,
            &nonce,
            unix_now(),
            self.device_key()?,
        )?)
    }

    /// Like [`Wallet::present_sd_jwt_vc`], the Key Binding JWT signed by the app's
    /// `key_store` (secure hardware).
    pub fn present_sd_jwt_vc_with_key_store(
        &self,
        id: String,
        pointers: Vec<String>,
        audience: String,
        nonce: String,
        key_store: Arc<dyn KeyStore>,
    ) -> Result<String, CivitasError> {
        Ok(self.inner.present_sd_jwt_vc(
            &id,
            &pointers,
            &audience,
            &nonce,
            unix_now(),
            &KeyStoreSigner::new(key_store)?,
        )?)
    }

    /// Every stored credential.
    pub fn list(&self) -> Result<Vec<CredentialSummary>, CivitasError> {
        Ok(self
            .inner
            .list()?
            .into_iter()
            .map(CredentialSummary::from)
            .collect())
    }

    /// The credential `id`, or null.
    pub fn get(&self, id: String) -> Result<Option<CredentialSummary>, CivitasError> {
        Ok(self.inner.get(&id)?.map(CredentialSummary::from))
    }

    /// Removes the credential `id` (absent is not an error).
    pub fn delete(&self, id: String) -> Result<(), CivitasError> {
        Ok(self.inner.delete(&id)?)
    }

    /// What presenting credential `id` with the `requested` pointers to the verifier
    /// `domain` would disclose, what would stay hidden, and whether the verifier sees a
    /// pseudonym it has seen before: show it and ask for consent before [`Wallet::present`].
    pub fn consent_summary(
        &self,
        id: String,
        requested: Vec<String>,
        domain: Option<String>,
    ) -> Result<ConsentSummary, CivitasError> {
        Ok(self
            .inner
            .disclosure_preview(&id, &requested, domain.as_deref())?
            .into())
    }

    /// A request for a credential bound to this wallet (`binding`, not `None`), to send to
    /// the issuer (`issuer`, when given, is the issuer's DID: the credential is accepted back
    /// only from it). The wallet's holder secret and prover nym are made inside Rust on the
    /// first request and never leave it; each request is a fresh commitment, so two issuers
    /// cannot link two requests. Returns the request document (JSON text, see
    /// docs/formats.md).
    pub fn credential_request(
        &self,
        issuer: Option<String>,
        binding: HolderBinding,
    ) -> Result<String, CivitasError> {
        let feature = binding.feature().ok_or(CivitasError::InvalidInput {
            reason: "a credential request binds the credential: choose HolderSecret, Pseudonym or HolderSecretPseudonym".into(),
        })?;
        Ok(self
            .inner
            .credential_request(feature, issuer.as_deref())?
            .to_json()
            .to_string())
    }

    /// Makes the anonymous presentation `request` asks for (no holder, no signature: each
    /// credential is bound to the request and to this wallet's holder secret, and with
    /// pseudonyms shows the verifier's pseudonym), and records it in the history. Every
    /// credential must be bound to the holder secret; present others with
    /// [`Wallet::present_identified`].
    pub fn present(
        &self,
        request: PresentationRequest,
    ) -> Result<PresentationResult, CivitasError> {
        self.present_with(request, None)
    }

    /// Makes the identified presentation `request` asks for, signed with this wallet's device
    /// key (for credentials issued to [`Wallet::holder_did`]), and records it in the history.
    pub fn present_identified(
        &self,
        request: PresentationRequest,
    ) -> Result<PresentationResult, CivitasError> {
        self.present_with(request, Some(self.device_key()?))
    }

    /// Like [`Wallet::present_identified`], signed by the app's `key_store` instead (the
    /// holder is then the key store's did:key).
    pub fn present_with_key_store(
        &self,
        request: PresentationRequest,
        key_store: Arc<dyn KeyStore>,
    ) -> Result<PresentationResult, CivitasError> {
        self.present_with(request, Some(&KeyStoreSigner::new(key_store)?))
    }

    /// Every presentation made, oldest first.
    pub fn history(&self) -> Result<Vec<HistoryRecord>, CivitasError> {
        Ok(self
            .inner
            .history()?
            .into_iter()
            .map(HistoryRecord::from)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::PoisonError;

    use super::*;
    use crate::verifier::{VerificationResult, Verifier};

    /// Serializes the tests that create wallets, so that counts of live device keys are exact.
    static WALLETS: std::sync::Mutex<()> = std::sync::Mutex::new(());

    fn ok<T>(r: Result<T, CivitasError>) -> T {
        r.unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn dropping_a_wallet_wipes_and_counts_down_its_device_key() {
        let _guard = WALLETS.lock().unwrap_or_else(PoisonError::into_inner);
        let before = live_device_keys();
        let wallet = ok(Wallet::in_memory(vec![]));
        assert_eq!(live_device_keys(), before + 1);
        assert!(ok(wallet.holder_did()).starts_with("did:key:zDn"));
        assert_eq!(format!("{wallet:?}"), "Wallet([redacted])");
        drop(wallet);
        assert_eq!(live_device_keys(), before);
    }

    #[test]
    fn storage_key_of_the_wrong_length_is_invalid_input() {
        let _guard = WALLETS.lock().unwrap_or_else(PoisonError::into_inner);
        let before = live_device_keys();
        let r = Wallet::with_encrypted_store("/nonexistent".into(), vec![7; 31], vec![]);
        assert_eq!(
            r.err(),
            Some(CivitasError::InvalidInput {
                reason: "storage key: expected 32 bytes, got 31".into()
            })
        );
        assert_eq!(live_device_keys(), before);
    }

    #[test]
    fn malformed_input_is_invalid_input() {
        let _guard = WALLETS.lock().unwrap_or_else(PoisonError::into_inner);
        let wallet = ok(Wallet::in_memory(vec![]));
        assert!(matches!(
            wallet.import_credential("{not json".into()),
            Err(CivitasError::InvalidInput { .. })
        ));
        let verifier = ok(Verifier::new(String::new(), vec![]));
        assert!(matches!(
            verifier.verify("{not json".into(), None, None, vec![]),
            Err(CivitasError::InvalidInput { .. })
        ));
        assert!(matches!(
            Verifier::new("[[issuer]]\n".into(), vec![]),
            Err(CivitasError::InvalidInput { .. })
        ));
    }

    #[test]
    fn a_rejection_is_a_result() {
        let verifier = ok(Verifier::new(String::new(), vec![]));
        let r = ok(verifier.verify("{}".into(), Some("c".into()), None, vec![]));
        assert!(
            matches!(&r, VerificationResult::Invalid { failures, .. } if !failures.is_empty()),
            "{r:?}"
        );
    }

    #[test]
    fn foreign_failures_map_without_their_message() {
        struct Failing;
        impl CredentialStore for Failing {
            fn put(&self, _: String, _: Vec<u8>) -> Result<(), CivitasError> {
                Err(CivitasError::Internal {
                    reason: "secret detail".into(),
                })
            }
            fn get(&self, _: String) -> Result<Option<Vec<u8>>, CivitasError> {
                Ok(None)
            }
            fn list(&self) -> Result<Vec<String>, CivitasError> {
                Ok(vec![])
            }
            fn delete(&self, _: String) -> Result<(), CivitasError> {
                Ok(())
            }
        }
        let store = ForeignStore(Arc::new(Failing));
        let e = CivitasError::from(
            wallet::CredentialStore::put(&store, "id", b"r")
                .err()
                .unwrap_or(Error::Wallet(WalletError::NotFound)),
        );
        assert_eq!(
            e,
            CivitasError::Internal {
                reason: "wallet storage: the app's credential store failed".into()
            }
        );
    }
}
