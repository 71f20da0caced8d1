//! The holder's secrets for bound credentials (bbs-2023 `anonymous_holder_binding`,
//! `pseudonym`, `holder_binding_pseudonym`).
//!
//! A wallet has one holder secret and one prover nym, created inside the wallet the first time
//! a credential request needs them and kept in its [`CredentialStore`] (encrypted at rest by
//! [`super::EncryptedFileStore`]). Each credential request has its own prover blind, kept with
//! the pending request until the credential comes back, then with the credential. Nothing here
//! returns a secret; records are fixed binary layouts held in zeroized buffers.
//!
//! Records (store ids are not credential ids, so [`super::Wallet::list`] skips them):
//! - `civitas.wallet.secrets`: `"civitas-secrets-v1" || holder_secret (32) || prover_nym (32)`;
//! - `civitas.wallet.request.<16 hex>`: `"civitas-request-v1" || feature (1) || prover_blind
//!   (32) || sequence (8, big-endian) || issuer (UTF-8, possibly empty)`;
//! - `civitas.wallet.blind.<credential id>`: `"civitas-blind-v1" || feature (1) ||
//!   prover_blind (32)`.

use crate::{Bbs2023Error, WalletError};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::CredentialStore;
use super::store::hex_lower;
use crate::Error;
use crate::bbs::blind::{HolderSecret, ProverBlind};
use crate::bbs::pseudonym::ProverNym;
use crate::bbs2023::BindingSecrets;
use crate::bbs2023::Feature;

/// Store id of the holder secrets record.
pub const SECRETS_RECORD_ID: &str = "civitas.wallet.secrets";
/// Prefix of the store ids of pending credential requests.
pub const REQUEST_RECORD_PREFIX: &str = "civitas.wallet.request.";
/// Prefix of the store ids of the prover blinds of bound credentials.
pub const BLIND_RECORD_PREFIX: &str = "civitas.wallet.blind.";
/// Most credential requests waiting for their credential; a new request beyond this drops
/// the oldest (its credential can then no longer be imported).
pub const MAX_PENDING_REQUESTS: usize = 32;

const SECRETS_TAG: &[u8] = b"civitas-secrets-v1";
const REQUEST_TAG: &[u8] = b"civitas-request-v1";
const BLIND_TAG: &[u8] = b"civitas-blind-v1";
const SCALAR: usize = 32;

fn malformed(reason: &'static str) -> Error {
    Error::Wallet(WalletError::Storage { reason })
}

fn feature_byte(feature: Feature) -> u8 {
    match feature {
        Feature::Baseline => 0,
        Feature::AnonymousHolderBinding => 1,
        Feature::Pseudonym => 2,
        Feature::HolderBindingPseudonym => 3,
    }
}

fn feature_from_byte(b: u8) -> Option<Feature> {
    match b {
        1 => Some(Feature::AnonymousHolderBinding),
        2 => Some(Feature::Pseudonym),
        3 => Some(Feature::HolderBindingPseudonym),
        _ => None,
    }
}

/// The wallet's holder secret and prover nym. Zeroized on drop; `Debug` shows neither.
pub(super) struct HolderSecrets {
    holder_secret: HolderSecret,
    prover_nym: ProverNym,
}

impl std::fmt::Debug for HolderSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HolderSecrets([redacted])")
    }
}

impl HolderSecrets {
    /// The stored secrets, or `None` when the wallet has none yet.
    pub(super) fn load(store: &dyn CredentialStore) -> Result<Option<Self>, Error> {
        let Some(record) = store.get(SECRETS_RECORD_ID)? else {
            return Ok(None);
        };
        let record = Zeroizing::new(record);
        let body = record
            .strip_prefix(SECRETS_TAG)
            .filter(|b| b.len() == 2 * SCALAR)
            .ok_or(malformed("the holder secrets record is malformed"))?;
        let (secret, nym) = body.split_at(SCALAR);
        Ok(Some(HolderSecrets {
            holder_secret: HolderSecret::from_bytes(secret)
                .map_err(|_| malformed("the holder secrets record is malformed"))?,
            prover_nym: ProverNym::from_bytes(nym)
                .map_err(|_| malformed("the holder secrets record is malformed"))?,
        }))
    }

    /// The stored secrets, created (and stored) when the wallet has none yet.
    pub(super) fn load_or_create(store: &dyn CredentialStore) -> Result<Self, Error> {
        if let Some(s) = Self::load(store)? {
            return Ok(s);
        }
        let created = HolderSecrets {
            holder_secret: HolderSecret::generate()?,
            prover_nym: ProverNym::generate()?,
        };
        let mut record = Zeroizing::new(Vec::with_capacity(SECRETS_TAG.len() + 2 * SCALAR));
        record.extend_from_slice(SECRETS_TAG);
        record.extend_from_slice(&created.holder_secret.to_bytes());
        record.extend_from_slice(created.prover_nym.to_bytes().as_slice());
        store.put(SECRETS_RECORD_ID, &record)?;
        Ok(created)
    }

    pub(super) fn holder_secret(&self) -> &HolderSecret {
        &self.holder_secret
    }

    pub(super) fn prover_nym(&self) -> &ProverNym {
        &self.prover_nym
    }

    /// The secrets for a credential of `feature` issued on a commitment with `blind`.
    pub(super) fn binding<'a>(
        &'a self,
        feature: Feature,
        blind: &'a ProverBlind,
    ) -> Result<BindingSecrets<'a>, Error> {
        match feature {
            Feature::AnonymousHolderBinding => Ok(BindingSecrets::HolderBinding {
                holder_secret: &self.holder_secret,
                prover_blind: blind,
            }),
            Feature::Pseudonym => Ok(BindingSecrets::Pseudonym {
                prover_nym: &self.prover_nym,
                prover_blind: blind,
            }),
            Feature::HolderBindingPseudonym => Ok(BindingSecrets::HolderBindingPseudonym {
                holder_secret: &self.holder_secret,
                prover_nym: &self.prover_nym,
                prover_blind: blind,
            }),
            Feature::Baseline => Err(Error::Bbs2023(Bbs2023Error::Feature(
                "a baseline credential is not bound to holder secrets",
            ))),
        }
    }
}

/// A credential request waiting for its credential.
pub(super) struct PendingRequest {
    /// Its store id.
    pub(super) record_id: String,
    /// The feature asked for.
    pub(super) feature: Feature,
    /// The issuer the request was made for, when the holder named one.
    pub(super) issuer: Option<String>,
    /// The prover blind of the commitment (secret).
    pub(super) prover_blind: ProverBlind,
    /// Order of creation.
    sequence: u64,
}

impl std::fmt::Debug for PendingRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingRequest")
            .field("feature", &self.feature)
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

/// Every pending request, oldest first.
pub(super) fn pending_requests(store: &dyn CredentialStore) -> Result<Vec<PendingRequest>, Error> {
    let mut out = Vec::new();
    for id in store.list()? {
        if !id.starts_with(REQUEST_RECORD_PREFIX) {
            continue;
        }
        let Some(record) = store.get(&id)? else {
            continue;
        };
        out.push(parse_request(id, &Zeroizing::new(record))?);
    }
    out.sort_by_key(|r| r.sequence);
    Ok(out)
}

fn parse_request(record_id: String, record: &[u8]) -> Result<PendingRequest, Error> {
    let bad = || malformed("a pending credential request record is malformed");
    let body = record.strip_prefix(REQUEST_TAG).ok_or_else(bad)?;
    if body.len() < 1 + SCALAR + 8 {
        return Err(bad());
    }
    let (head, rest) = body.split_at(1);
    let (blind, rest) = rest.split_at(SCALAR);
    let (sequence, issuer) = rest.split_at(8);
    let feature = head
        .first()
        .copied()
        .and_then(feature_from_byte)
        .ok_or_else(bad)?;
    let mut seq = [0u8; 8];
    seq.copy_from_slice(sequence);
    let issuer = std::str::from_utf8(issuer).map_err(|_| bad())?;
    Ok(PendingRequest {
        record_id,
        feature,
        issuer: (!issuer.is_empty()).then(|| issuer.to_owned()),
        prover_blind: ProverBlind::from_bytes(blind).map_err(|_| bad())?,
        sequence: u64::from_be_bytes(seq),
    })
}

/// Record a new pending request (dropping the oldest beyond [`MAX_PENDING_REQUESTS`]).
pub(super) fn add_pending_request(
    store: &dyn CredentialStore,
    feature: Feature,
    issuer: Option<&str>,
    commitment: &[u8],
    blind: &ProverBlind,
) -> Result<(), Error> {
    let pending = pending_requests(store)?;
    let sequence = pending.last().map_or(0, |r| r.sequence.saturating_add(1));
    let excess = (pending.len() + 1).saturating_sub(MAX_PENDING_REQUESTS);
    for old in pending.iter().take(excess) {
        store.delete(&old.record_id)?;
    }
    let issuer = issuer.unwrap_or("");
    let mut record = Zeroizing::new(Vec::with_capacity(
        REQUEST_TAG.len() + 1 + SCALAR + 8 + issuer.len(),
    ));
    record.extend_from_slice(REQUEST_TAG);
    record.push(feature_byte(feature));
    record.extend_from_slice(blind.to_bytes().as_slice());
    record.extend_from_slice(&sequence.to_be_bytes());
    record.extend_from_slice(issuer.as_bytes());
    let digest = Sha256::digest(commitment);
    let id = format!(
        "{REQUEST_RECORD_PREFIX}{}",
        hex_lower(digest.get(..8).unwrap_or(&digest))
    );
    store.put(&id, &record)
}

/// The feature and prover blind kept for the bound credential `credential_id`.
pub(super) fn credential_blind(
    store: &dyn CredentialStore,
    credential_id: &str,
) -> Result<Option<(Feature, ProverBlind)>, Error> {
    let Some(record) = store.get(&format!("{BLIND_RECORD_PREFIX}{credential_id}"))? else {
        return Ok(None);
    };
    let record = Zeroizing::new(record);
    let bad = || malformed("a credential's prover blind record is malformed");
    let body = record
        .strip_prefix(BLIND_TAG)
        .filter(|b| b.len() == 1 + SCALAR)
        .ok_or_else(bad)?;
    let (head, blind) = body.split_at(1);
    let feature = head
        .first()
        .copied()
        .and_then(feature_from_byte)
        .ok_or_else(bad)?;
    Ok(Some((
        feature,
        ProverBlind::from_bytes(blind).map_err(|_| bad())?,
    )))
}

/// Keep `blind` (for `feature`) with the bound credential `credential_id`.
pub(super) fn put_credential_blind(
    store: &dyn CredentialStore,
    credential_id: &str,
    feature: Feature,
    blind: &ProverBlind,
) -> Result<(), Error> {
    let mut record = Zeroizing::new(Vec::with_capacity(BLIND_TAG.len() + 1 + SCALAR));
    record.extend_from_slice(BLIND_TAG);
    record.push(feature_byte(feature));
    record.extend_from_slice(blind.to_bytes().as_slice());
    store.put(&format!("{BLIND_RECORD_PREFIX}{credential_id}"), &record)
}

/// Remove the prover blind of `credential_id` (absent is not an error).
pub(super) fn delete_credential_blind(
    store: &dyn CredentialStore,
    credential_id: &str,
) -> Result<(), Error> {
    store.delete(&format!("{BLIND_RECORD_PREFIX}{credential_id}"))
}
