//! The holder's wallet: credentials with `bbs-2023` base proofs, kept in a
//! [`CredentialStore`], shown with display data, disclosed selectively after a consent
//! summary, with a history of what was disclosed to whom.
//!
//! - [`Wallet::import`] checks the issuer's base proof before anything is stored.
//! - [`Wallet::list`] / [`Wallet::get`] give [`CredentialSummary`] values with a [`Claim`]
//!   tree whose `mandatory` flags mark what every presentation reveals.
//! - [`Wallet::disclosure_preview`] gives the [`ConsentSummary`] to show before disclosing.
//! - [`Wallet::credential_request`] gives the commitment request to send an issuer for a
//!   credential bound to this wallet's holder secret (and, with pseudonyms, its prover nym):
//!   the secrets are created inside the wallet, kept in its store, and never returned.
//! - [`Wallet::derive_for`] derives the selectively disclosed credential and records a
//!   [`HistoryEntry`]; [`Wallet::present_anonymous`] makes an *anonymous* presentation (no
//!   holder, no signature: each credential is bound to the request by its presentation header
//!   and to the holder by the holder secret), the kind a wallet makes by default;
//!   [`Wallet::present`] makes an *identified* one, handing the derived credentials to a
//!   [`PresentationBuilder`], the hook where the integration signs the presentation with the
//!   device key (ECDSA). The wallet never signs presentations itself.
//!
//! Errors never carry claim values; pointers and credential ids (hashes) may appear.

mod binding;
mod claims;
mod clock;
mod sdjwt;
mod store;

use crate::{Bbs2023Error, WalletError};
use std::collections::BTreeSet;
use std::fmt;
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

pub use binding::{
    BLIND_RECORD_PREFIX, MAX_PENDING_REQUESTS, REQUEST_RECORD_PREFIX, SECRETS_RECORD_ID,
};
pub use claims::Claim;
pub use clock::{Clock, FixedClock, SystemClock, rfc3339_from_unix};
pub use sdjwt::SdJwtVcSummary;
pub use store::{CredentialStore, EncryptedFileStore, MAX_ID_LEN, MAX_RECORD_FILE, MemoryStore};

use crate::Error;
use crate::bbs2023::WRONG_HOLDER_SECRETS;
use crate::bbs2023::{BaseProofValue, Feature};
use crate::bbs2023::{Bbs2023, CommitmentRequest};
use binding::HolderSecrets;
use store::hex_lower;

/// Largest credential accepted by [`Wallet::import`], in bytes of JSON.
pub const MAX_CREDENTIAL_BYTES: usize = 1024 * 1024;
/// Most history entries kept; when full, the oldest entry is dropped for each new one.
pub const MAX_HISTORY_ENTRIES: usize = 10_000;
/// Store id of the presentation history record (not a credential id: those are 64 hex
/// digits).
pub const HISTORY_RECORD_ID: &str = "civitas.wallet.history";

/// Display data of a stored credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialSummary {
    /// The wallet's id of the credential: lower-case hex SHA-256 of its stored JSON.
    pub id: String,
    /// The credential's `type` values.
    pub types: Vec<String>,
    /// The issuer's id (a DID or URL), when present.
    pub issuer_id: Option<String>,
    /// The issuer's display name, when present.
    pub issuer_name: Option<String>,
    /// `validFrom` (or a VC 1.1 `issuanceDate`), as written.
    pub valid_from: Option<String>,
    /// `validUntil` (or a VC 1.1 `expirationDate`), as written.
    pub valid_until: Option<String>,
    /// The issuer's mandatory pointers: always disclosed.
    pub mandatory_pointers: Vec<String>,
    /// How the credential is bound to this wallet: [`Feature::Baseline`] for none (a bearer
    /// credential, or one issued to a DID), otherwise the bbs-2023 feature it was issued with.
    pub binding: Feature,
    /// The claim tree (everything but `@context` and `proof`).
    pub claims: Vec<Claim>,
}

impl CredentialSummary {
    /// The claim tree, in document order.
    pub fn claims(&self) -> &[Claim] {
        &self.claims
    }
}

/// One leaf claim that a presentation would reveal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisclosedClaim {
    /// JSON pointer of the claim.
    pub pointer: String,
    /// The last key of the pointer.
    pub label: String,
    /// Display string of the value.
    pub value: String,
    /// Revealed in every presentation, whatever is requested.
    pub mandatory: bool,
}

/// What a presentation of one credential would disclose and what would stay hidden, to
/// show the holder before asking consent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentSummary {
    /// The credential concerned.
    pub credential_id: String,
    /// Every leaf claim revealed (mandatory ones and those the request reaches, with the
    /// `id`/`type` of the objects on the way), in document order.
    pub disclosed: Vec<DisclosedClaim>,
    /// Pointers of every leaf claim that stays hidden, in document order.
    pub hidden: Vec<String>,
    /// Whether the verifier will see a pseudonym of the holder, and whether it has seen it
    /// before.
    pub pseudonym: PseudonymUse,
}

/// What answering one Credential Query of an OpenID4VP request with one credential
/// discloses ([`Wallet::dcql_consent`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryConsent {
    /// The Credential Query answered.
    pub query_id: String,
    /// What the credential discloses, keeps hidden, and the pseudonym it shows.
    pub summary: ConsentSummary,
}

/// Whether presenting a credential shows the verifier a pseudonym (bbs-2023 pseudonym
/// features): the same pseudonym every time at one verifier (domain), another at every other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PseudonymUse {
    /// No pseudonym: the credential has no pseudonym feature.
    None,
    /// A pseudonym this verifier has not been shown before (from the wallet's history).
    FirstTime,
    /// The pseudonym this verifier has been shown before: it will recognise the holder.
    Returning,
}

/// One past presentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// When the credential was derived (RFC 3339, from the wallet's [`Clock`]).
    pub at: String,
    /// The verifier's domain, when the request named one.
    pub domain: Option<String>,
    /// The wallet id of the credential presented.
    pub credential_id: String,
    /// The pointers disclosed: the issuer's mandatory pointers, then those requested.
    pub disclosed_pointers: Vec<String>,
}

/// One credential to present and the pointers requested from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disclosure {
    /// The wallet id of the credential.
    pub credential_id: String,
    /// The requested JSON pointers (the mandatory ones are always added).
    pub pointers: Vec<String>,
}

/// The verifier's request parameters that the signed presentation binds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PresentationRequest {
    /// The verifier's domain, when the request names one (also recorded in the history).
    pub domain: Option<String>,
    /// The verifier's challenge (nonce), when given.
    pub challenge: Option<String>,
}

/// Wraps derived credentials in a verifiable presentation and signs it with the holder's
/// device key (ECDSA). Implemented by the integration that owns the device key; the wallet
/// itself never signs or fakes a presentation proof.
pub trait PresentationBuilder {
    /// The signed presentation of `derived_credentials` for `request`.
    fn build(
        &self,
        derived_credentials: Vec<Value>,
        request: &PresentationRequest,
    ) -> Result<Value, Error>;
}

/// The holder's wallet over a [`CredentialStore`].
pub struct Wallet {
    store: Arc<dyn CredentialStore>,
    bbs: Bbs2023,
    clock: Arc<dyn Clock>,
    /// Serializes read-modify-write of the history record.
    history_lock: Mutex<()>,
}

impl fmt::Debug for Wallet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wallet").finish_non_exhaustive()
    }
}

/// Whether `id` has the form of a credential id (64 lower-case hex digits).
/// Where a credential's transparency-log inclusion proof is kept.
const TLOG_PROOF_PREFIX: &str = "tlog-proof:";

fn is_credential_id(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn str_field(obj: &Value, key: &str) -> Option<String> {
    obj.get(key).and_then(display_text)
}

/// A plain string, a value object's string `@value`, or the first of those in an array
/// (language maps of names).
fn display_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("@value").and_then(Value::as_str).map(str::to_owned),
        Value::Array(items) => items.iter().find_map(display_text),
        _ => None,
    }
}

/// The single proof object of a credential, required to be a bbs-2023 Data Integrity proof.
fn bbs2023_proof(credential: &Value) -> Result<&Map<String, Value>, Error> {
    let refuse = |rule| Error::Wallet(WalletError::InvalidCredential(rule));
    let proof = match credential.get("proof") {
        Some(Value::Object(p)) => p,
        Some(Value::Array(_)) => return Err(refuse("more than one proof")),
        _ => return Err(refuse("no proof")),
    };
    if proof.get("type").and_then(Value::as_str) != Some("DataIntegrityProof") {
        return Err(refuse("the proof is not a DataIntegrityProof"));
    }
    if proof.get("cryptosuite").and_then(Value::as_str) != Some("bbs-2023") {
        return Err(refuse("the proof's cryptosuite is not bbs-2023"));
    }
    Ok(proof)
}

/// The parsed base proof value of a credential (errs on a derived proof).
fn base_proof(credential: &Value) -> Result<BaseProofValue, Error> {
    let value = bbs2023_proof(credential)?
        .get("proofValue")
        .and_then(Value::as_str)
        .ok_or(Error::Wallet(WalletError::InvalidCredential(
            "the proof has no proofValue",
        )))?;
    BaseProofValue::parse(value)
}

impl Wallet {
    /// A wallet over `store`, verifying and deriving with `bbs`, timed by the system clock.
    pub fn new(store: Arc<dyn CredentialStore>, bbs: Bbs2023) -> Self {
        Self::with_clock(store, bbs, Arc::new(SystemClock))
    }

    /// A wallet with its own clock for history timestamps.
    pub fn with_clock(
        store: Arc<dyn CredentialStore>,
        bbs: Bbs2023,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            store,
            bbs,
            clock,
            history_lock: Mutex::new(()),
        }
    }

    /// Import a credential (JSON text of at most [`MAX_CREDENTIAL_BYTES`]): it must carry one
    /// `bbs-2023` base proof that verifies (the issuer's key comes from its did:key
    /// verification method). Refusals say why: [`crate::WalletError::InvalidCredential`] for the
    /// form, the cryptosuite's error (for example [`crate::Bbs2023Error::VerificationFailed`]) for a proof
    /// that does not verify. Importing the same credential twice keeps one copy.
    pub fn import(&self, credential_json: &str) -> Result<CredentialSummary, Error> {
        if credential_json.len() > MAX_CREDENTIAL_BYTES {
            return Err(Error::TooLarge {
                what: "credential",
                actual: credential_json.len(),
                limit: MAX_CREDENTIAL_BYTES,
            });
        }
        let credential: Value = crate::json::parse(
            credential_json.as_bytes(),
            &crate::json::JsonLimits::default(),
        )?;
        if !credential.is_object() {
            return Err(Error::Wallet(WalletError::InvalidCredential(
                "not a JSON object",
            )));
        }
        let base = base_proof(&credential)?;
        let bytes = serde_json::to_vec(&credential)
            .map_err(|_| Error::Wallet(WalletError::InvalidCredential("cannot be serialized")))?;
        let id = hex_lower(&Sha256::digest(&bytes));
        if base.feature.feature() == Feature::Baseline {
            self.bbs.verify_base(&credential)?;
            self.store.put(&id, &bytes)?;
        } else {
            self.import_bound(&id, &credential, &bytes)?;
        }
        summarize(&id, &credential)
    }

    /// Import a credential with the offline inclusion proof its issuer logged it under
    /// (`OUT.tlog-proof`, c2sp.org/tlog-proof): the proof must show the credential's salted
    /// commitment (`extra` holds the salt) in a checkpoint `policy_text` (c2sp.org/tlog-policy)
    /// accepts, its log's key and a quorum of witnesses; then the credential is imported as
    /// [`Wallet::import`] does and the proof kept for the holder ([`Wallet::tlog_proof`]).
    ///
    /// The proof is a stable identifier of the credential: it is for the holder and for
    /// auditors, never shown in an unlinkable presentation.
    pub fn import_with_tlog_proof(
        &self,
        credential_json: &str,
        proof: &str,
        policy_text: &str,
    ) -> Result<CredentialSummary, Error> {
        use crate::tlog::{TlogProof, TlogProofError};
        let policy = crate::tlog::Policy::parse(policy_text)?;
        let parsed = TlogProof::parse(proof.as_bytes())?;
        let salt: [u8; 32] = parsed
            .extra
            .as_deref()
            .and_then(|e| e.try_into().ok())
            .ok_or(TlogProofError::Malformed(
                "the extra line is not the credential's 32-byte salt",
            ))?;
        if credential_json.len() > MAX_CREDENTIAL_BYTES {
            return Err(Error::TooLarge {
                what: "credential",
                actual: credential_json.len(),
                limit: MAX_CREDENTIAL_BYTES,
            });
        }
        let credential: Value = crate::json::parse(
            credential_json.as_bytes(),
            &crate::json::JsonLimits::default(),
        )?;
        let issuer = signer_did(&credential).ok_or(Error::Wallet(
            WalletError::InvalidCredential("no bbs-2023 proof names the issuer's key"),
        ))?;
        let entry = crate::tlog::LogEntry::Credential {
            commitment: crate::tlog::commit_credential(&issuer, &salt, &credential),
        }
        .to_bytes()
        .ok_or(Error::Wallet(WalletError::InvalidCredential(
            "cannot be logged",
        )))?;
        let origin = crate::tlog::Note::parse(parsed.checkpoint.as_bytes())
            .ok()
            .and_then(|n| crate::tlog::Checkpoint::parse(n.text()).ok())
            .map(|c| c.origin)
            .ok_or(TlogProofError::Malformed("the checkpoint does not read"))?;
        parsed.verify(&entry, &policy, &origin)?;
        let summary = self.import(credential_json)?;
        self.store.put(
            &format!("{TLOG_PROOF_PREFIX}{}", summary.id),
            parsed.to_text().as_bytes(),
        )?;
        Ok(summary)
    }

    /// The inclusion proof kept for credential `id` ([`Wallet::import_with_tlog_proof`]).
    pub fn tlog_proof(&self, id: &str) -> Result<Option<String>, Error> {
        if !is_credential_id(id) {
            return Ok(None);
        }
        Ok(self
            .store
            .get(&format!("{TLOG_PROOF_PREFIX}{id}"))?
            .map(|b| String::from_utf8_lossy(&b).into_owned()))
    }

    /// Import a bound credential: its blind signature must verify with this wallet's holder
    /// secrets and the prover blind of one of its pending requests (or the one kept for this
    /// credential, when it is imported again); that request is then used up.
    fn import_bound(&self, id: &str, credential: &Value, bytes: &[u8]) -> Result<(), Error> {
        let store = self.store.as_ref();
        let secrets = HolderSecrets::load(store)?.ok_or(Error::Wallet(WalletError::Refused(
            "the credential is bound to a holder secret, and this wallet has none: it was issued to another wallet",
        )))?;
        if let Some((feature, blind)) = binding::credential_blind(store, id)? {
            self.bbs
                .verify_base_blind(credential, &secrets.binding(feature, &blind)?)?;
            return self.store.put(id, bytes);
        }
        let issuer = signer_did(credential);
        let pending = binding::pending_requests(store)?;
        let mut last_error = None;
        for request in pending.iter().rev() {
            if request.issuer.is_some() && request.issuer.as_deref() != issuer.as_deref() {
                continue;
            }
            let attempt = secrets
                .binding(request.feature, &request.prover_blind)
                .and_then(|b| self.bbs.verify_base_blind(credential, &b));
            match attempt {
                Ok(_) => {
                    // The credential first, then its blind, then the request: a crash in
                    // between leaves a request that can be used again, never a credential
                    // without its blind.
                    binding::put_credential_blind(
                        store,
                        id,
                        request.feature,
                        &request.prover_blind,
                    )?;
                    self.store.put(id, bytes)?;
                    return store.delete(&request.record_id);
                }
                Err(
                    e @ (Error::Wallet(WalletError::Storage { .. })
                    | Error::Wallet(WalletError::Io { .. })),
                ) => return Err(e),
                Err(e) => last_error = Some(e),
            }
        }
        Err(match last_error {
            // The document itself is wrong (altered, not what the issuer signed).
            Some(e @ Error::Bbs2023(Bbs2023Error::VerificationFailed(m)))
                if m != WRONG_HOLDER_SECRETS =>
            {
                e
            }
            Some(
                Error::Bbs2023(Bbs2023Error::VerificationFailed(_))
                | Error::Bbs2023(Bbs2023Error::FeatureMismatch { .. }),
            )
            | None => Error::Wallet(WalletError::Refused(
                "the credential's blind signature verifies with none of this wallet's pending requests: it was altered, issued to another wallet, or issued for a request that was already used or dropped",
            )),
            Some(e) => e,
        })
    }

    /// A request for a credential bound to this wallet, to send to an issuer (`issuer`, when
    /// given, is the DID of the issuer's signing key: the credential is then accepted back
    /// only when that key signed it). `feature` is one of the three optional bbs-2023
    /// features; the holder secret and prover nym are created on the first request. Each call
    /// makes a fresh commitment, so two issuers cannot link two requests; the request's prover
    /// blind is kept until its credential is imported (at most [`MAX_PENDING_REQUESTS`]
    /// requests wait; beyond, the oldest is dropped).
    pub fn credential_request(
        &self,
        feature: Feature,
        issuer: Option<&str>,
    ) -> Result<CommitmentRequest, Error> {
        let store = self.store.as_ref();
        let secrets = HolderSecrets::load_or_create(store)?;
        let (request, blind) = match feature {
            Feature::AnonymousHolderBinding => {
                crate::bbs2023::commitment_request(feature, Some(secrets.holder_secret()), None)?
            }
            Feature::Pseudonym => {
                crate::bbs2023::commitment_request(feature, None, Some(secrets.prover_nym()))?
            }
            Feature::HolderBindingPseudonym => crate::bbs2023::commitment_request(
                feature,
                Some(secrets.holder_secret()),
                Some(secrets.prover_nym()),
            )?,
            Feature::Baseline => {
                return Err(Error::Wallet(WalletError::Refused(
                    "a credential request is for anonymous_holder_binding, pseudonym or holder_binding_pseudonym",
                )));
            }
        };
        binding::add_pending_request(
            store,
            feature,
            issuer,
            &request.commitment.to_bytes(),
            &blind,
        )?;
        Ok(request)
    }

    /// The OpenID4VCI credential request body (§8.2) for `configuration_id` of `metadata`,
    /// bound to this wallet's secrets with `feature`: `count` fresh commitments (one
    /// credential each, at most the issuer's `batch_size`) in the
    /// [`crate::openid4vci::COMMITMENT_PROOF_TYPE`] proof type. Refused when the
    /// configuration does not bind to `feature`. Each commitment waits as a pending request
    /// until its credential is imported ([`Wallet::openid4vci_import`]).
    pub fn openid4vci_commitment_request(
        &self,
        metadata: &crate::openid4vci::IssuerMetadata,
        configuration_id: &str,
        feature: Feature,
        count: usize,
    ) -> Result<Value, Error> {
        let configuration = metadata.configuration(configuration_id)?;
        if !configuration
            .commitment_features()
            .is_some_and(|f| f.iter().any(|f| f == feature.name()))
        {
            return Err(Error::Wallet(WalletError::Refused(
                "the issuer does not bind this credential to the wallet's secrets with that feature",
            )));
        }
        let batch = metadata
            .batch_credential_issuance
            .map_or(1, |b| usize::try_from(b.batch_size).unwrap_or(1));
        if count == 0 || count > batch.min(crate::openid4vci::MAX_PROOFS) {
            return Err(Error::Wallet(WalletError::Refused(
                "ask for at least one credential, and no more than the issuer's batch_size",
            )));
        }
        let mut docs = Vec::with_capacity(count);
        for _ in 0..count {
            docs.push(self.credential_request(feature, None)?.to_json());
        }
        Ok(crate::openid4vci::credential_request_json(
            configuration_id,
            &crate::openid4vci::Proofs::Commitment(docs),
        ))
    }

    /// Check and import what an OpenID4VCI credential endpoint answered for `configuration`:
    /// every credential must carry the configuration's `type` values, then each is imported
    /// as [`Wallet::import`] does (a bound one only when its blind signature verifies with
    /// this wallet's secrets and a pending request). An error response is returned as
    /// [`Error::OpenId4Vci`].
    pub fn openid4vci_import(
        &self,
        configuration: &crate::openid4vci::CredentialConfiguration,
        response: &[u8],
    ) -> Result<Vec<CredentialSummary>, Error> {
        if configuration.is_sd_jwt_vc() {
            return Err(Error::Wallet(WalletError::Refused(
                "an SD-JWT VC (dc+sd-jwt) configuration: import it with openid4vci_import_sd_jwt",
            )));
        }
        let credentials = crate::openid4vci::read_credential_response(response)?;
        let wanted = configuration
            .credential_definition
            .as_ref()
            .map(|d| d.types.as_slice())
            .unwrap_or_default();
        for c in &credentials {
            let types: Vec<&str> = match c.get("type") {
                Some(Value::String(t)) => vec![t.as_str()],
                Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            if !wanted.iter().all(|w| types.contains(&w.as_str())) {
                return Err(Error::Wallet(WalletError::InvalidCredential(
                    "the issuer sent a credential of another type than the one offered",
                )));
            }
        }
        let mut imported = Vec::with_capacity(credentials.len());
        for c in credentials {
            let text = serde_json::to_string(&c).map_err(|_| {
                Error::Wallet(WalletError::InvalidCredential("cannot be serialized"))
            })?;
            imported.push(self.import(&text)?);
        }
        Ok(imported)
    }

    /// Create the wallet's holder secret and prover nym now, if it has none yet (the first
    /// [`Wallet::credential_request`] does so otherwise). Nothing is returned: the secrets
    /// never leave the wallet.
    pub fn create_holder_secrets(&self) -> Result<(), Error> {
        HolderSecrets::load_or_create(self.store.as_ref()).map(drop)
    }

    /// How many credential requests wait for their credential.
    pub fn pending_requests(&self) -> Result<usize, Error> {
        Ok(binding::pending_requests(self.store.as_ref())?.len())
    }

    /// The stored credential `id`, as JSON.
    pub fn credential(&self, id: &str) -> Result<Value, Error> {
        if !is_credential_id(id) {
            return Err(Error::Wallet(WalletError::NotFound));
        }
        let bytes = self
            .store
            .get(id)?
            .ok_or(Error::Wallet(WalletError::NotFound))?;
        serde_json::from_slice(&bytes).map_err(|_| {
            Error::Wallet(WalletError::Storage {
                reason: "a stored credential is not valid JSON",
            })
        })
    }

    /// Summaries of all stored credentials, ordered by id.
    pub fn list(&self) -> Result<Vec<CredentialSummary>, Error> {
        let mut ids: Vec<String> = self
            .store
            .list()?
            .into_iter()
            .filter(|id| is_credential_id(id))
            .collect();
        ids.sort();
        ids.dedup();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            // A record deleted between list and get is skipped.
            match self.credential(&id) {
                Ok(c) => out.push(summarize(&id, &c)?),
                Err(Error::Wallet(WalletError::NotFound)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// The summary of credential `id`, or `None` when it is not in the wallet.
    pub fn get(&self, id: &str) -> Result<Option<CredentialSummary>, Error> {
        match self.credential(id) {
            Ok(c) => summarize(id, &c).map(Some),
            Err(Error::Wallet(WalletError::NotFound)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Remove credential `id` (its history entries stay) and, for a bound credential, its
    /// prover blind. Removing an absent id is not an error.
    pub fn delete(&self, id: &str) -> Result<(), Error> {
        if !is_credential_id(id) {
            return Ok(());
        }
        self.store.delete(id)?;
        self.store.delete(&format!("{TLOG_PROOF_PREFIX}{id}"))?;
        binding::delete_credential_blind(self.store.as_ref(), id)
    }

    /// What presenting credential `id` with `requested_pointers` to the verifier `domain`
    /// would disclose (the mandatory claims and those requested), what would stay hidden, and
    /// whether the verifier would see a pseudonym it has seen before (from the history). A
    /// pointer naming nothing in the credential is [`crate::WalletError::UnknownPointer`].
    pub fn disclosure_preview(
        &self,
        id: &str,
        requested_pointers: &[String],
        domain: Option<&str>,
    ) -> Result<ConsentSummary, Error> {
        let credential = self.credential(id)?;
        let mut summary = preview(id, &credential, requested_pointers)?;
        summary.pseudonym = match base_proof(&credential)?.feature.feature() {
            Feature::Pseudonym | Feature::HolderBindingPseudonym => {
                let domain = domain.unwrap_or("");
                let seen = self
                    .history()?
                    .iter()
                    .any(|h| h.credential_id == id && h.domain.as_deref().unwrap_or("") == domain);
                if seen {
                    PseudonymUse::Returning
                } else {
                    PseudonymUse::FirstTime
                }
            }
            Feature::Baseline | Feature::AnonymousHolderBinding => PseudonymUse::None,
        };
        Ok(summary)
    }

    /// Derive the credential `id` disclosing the mandatory claims and `requested_pointers`,
    /// bound to `presentation_header`, and record a [`HistoryEntry`] for `domain` (the
    /// verifier's domain, when known) before returning it. The result is a derived `bbs-2023`
    /// credential; the caller puts it in a presentation signed with the device key (or uses
    /// [`Wallet::present`] with a [`PresentationBuilder`]).
    pub fn derive_for(
        &self,
        id: &str,
        requested_pointers: &[String],
        presentation_header: &[u8],
        domain: Option<&str>,
    ) -> Result<Value, Error> {
        let (derived, entry) =
            self.derive_unrecorded(id, requested_pointers, presentation_header, domain)?;
        self.append_history(vec![entry])?;
        Ok(derived)
    }

    /// An anonymous presentation of `disclosures` for `request`: a `VerifiablePresentation`
    /// with no holder and no proof, whose every derived credential is bound to the request by
    /// its presentation header ([`crate::verifier::request_binding`] of the request's challenge
    /// and domain) and to this wallet by its holder secret (for the pseudonym features, with
    /// the pseudonym for the request's domain). The request must carry a challenge, and every
    /// credential must be bound by a holder secret (`anonymous_holder_binding` or
    /// `holder_binding_pseudonym`): anything else is [`crate::WalletError::Refused`], since a verifier
    /// would refuse it. Two presentations of one credential share nothing but the disclosed
    /// claims (and the pseudonym at one verifier). One [`HistoryEntry`] per credential is
    /// recorded.
    pub fn present_anonymous(
        &self,
        disclosures: &[Disclosure],
        request: &PresentationRequest,
    ) -> Result<Value, Error> {
        let challenge = request
            .challenge
            .as_deref()
            .ok_or(Error::Wallet(WalletError::Refused(
                "an anonymous presentation needs the verifier's challenge",
            )))?;
        let domain = request.domain.as_deref();
        let header = crate::verifier::request_binding(challenge, domain);
        let mut derived = Vec::with_capacity(disclosures.len());
        let mut entries = Vec::with_capacity(disclosures.len());
        for d in disclosures {
            let credential = self.credential(&d.credential_id)?;
            match base_proof(&credential)?.feature.feature() {
                Feature::AnonymousHolderBinding | Feature::HolderBindingPseudonym => {}
                Feature::Baseline | Feature::Pseudonym => {
                    return Err(Error::Wallet(WalletError::Refused(
                        "a credential in an anonymous presentation must be bound to this wallet's holder secret (issued with anonymous_holder_binding or holder_binding_pseudonym); present this one identified",
                    )));
                }
            }
            let (credential, entry) =
                self.derive_unrecorded(&d.credential_id, &d.pointers, &header, domain)?;
            derived.push(credential);
            entries.push(entry);
        }
        if derived.is_empty() {
            return Err(Error::Wallet(WalletError::Refused(
                "a presentation needs a credential",
            )));
        }
        let presentation = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiablePresentation"],
            "verifiableCredential": derived,
        });
        self.append_history(entries)?;
        Ok(presentation)
    }

    /// The wallet's evaluation of an OpenID4VP DCQL query over its credentials: each stored
    /// credential is a candidate with its expanded types; it can be presented with
    /// cryptographic holder binding when it is bound to the holder secret
    /// (`anonymous_holder_binding`, `holder_binding_pseudonym`) or issued to one of
    /// `holder_dids` (the DIDs of keys the app can sign identified presentations with).
    /// [`Error::Dcql`] with `Unsatisfiable` when the wallet cannot answer.
    pub fn dcql_select(
        &self,
        query: &crate::openid4vp::dcql::DcqlQuery,
        holder_dids: &[String],
    ) -> Result<Vec<crate::openid4vp::dcql::Selection>, Error> {
        let mut stored = Vec::new();
        for summary in self.list()? {
            let credential = self.credential(&summary.id)?;
            let types = crate::openid4vp::expanded_types(self.bbs.jsonld(), &credential)?;
            let subjects: Vec<&str> = match credential.get("credentialSubject") {
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(|s| s.get("id").and_then(Value::as_str))
                    .collect(),
                Some(s) => s.get("id").and_then(Value::as_str).into_iter().collect(),
                None => Vec::new(),
            };
            let bound = matches!(
                summary.binding,
                Feature::AnonymousHolderBinding | Feature::HolderBindingPseudonym
            ) || (!subjects.is_empty()
                && subjects.iter().all(|s| holder_dids.iter().any(|d| d == s)));
            stored.push((summary.id, credential, types, bound));
        }
        // SD-JWT VCs: their claims as disclosed in full (with their vct), bound when they
        // carry the holder's key. Their ids carry a prefix so that respond knows them.
        for (id, claims, bound) in self.sd_jwt_candidates()? {
            stored.push((id, claims, Vec::new(), bound));
        }
        let candidates: Vec<crate::openid4vp::dcql::Candidate<'_>> = stored
            .iter()
            .map(
                |(id, credential, types, bound)| crate::openid4vp::dcql::Candidate {
                    id,
                    credential,
                    expanded_types: types,
                    holder_binding: *bound,
                },
            )
            .collect();
        Ok(query.select(&candidates)?)
    }

    /// The consent screen of an OpenID4VP request: for every credential `selections` would
    /// present, what it discloses and keeps hidden and whether the verifier (its full client
    /// id) sees a pseudonym it has seen before, in query order.
    pub fn dcql_consent(
        &self,
        request: &crate::openid4vp::AuthorizationRequest,
        selections: &[crate::openid4vp::dcql::Selection],
    ) -> Result<Vec<QueryConsent>, Error> {
        let mut out = Vec::new();
        for s in selections {
            for c in &s.credentials {
                if let Some(id) = sdjwt::selection_id(&c.credential_id) {
                    out.push(QueryConsent {
                        query_id: s.query_id.clone(),
                        summary: self.sd_jwt_preview(id, &c.pointers)?,
                    });
                    continue;
                }
                out.push(QueryConsent {
                    query_id: s.query_id.clone(),
                    summary: self.disclosure_preview(
                        &c.credential_id,
                        &c.pointers,
                        Some(request.client_id.as_str()),
                    )?,
                });
            }
        }
        Ok(out)
    }

    /// The OpenID4VP response to `request` for the credentials and claims of `selections`
    /// (after the holder's consent): one anonymous presentation per selected credential,
    /// bound to the request's nonce and full client id (and, with pseudonyms, the pseudonym
    /// at that client id), gathered into the `vp_token`, and the form body to post (encrypted
    /// for `direct_post.jwt`). Each presentation is recorded in the history with the client
    /// id as domain.
    pub fn respond(
        &self,
        request: &crate::openid4vp::AuthorizationRequest,
        selections: &[crate::openid4vp::dcql::Selection],
    ) -> Result<crate::openid4vp::ResponseBody, Error> {
        self.respond_with(request, selections, None)
    }

    /// [`Wallet::respond`], with `holder_key` to sign the Key Binding JWTs of any SD-JWT VC
    /// selected (required then): each bound to the request's nonce and full client id.
    pub fn respond_with(
        &self,
        request: &crate::openid4vp::AuthorizationRequest,
        selections: &[crate::openid4vp::dcql::Selection],
        holder_key: Option<&dyn crate::ecdsa::Signer>,
    ) -> Result<crate::openid4vp::ResponseBody, Error> {
        let binding = PresentationRequest {
            domain: Some(request.client_id.as_str().to_owned()),
            challenge: Some(request.nonce.clone()),
        };
        let mut vp_token = Map::new();
        for selection in selections {
            let mut presentations = Vec::new();
            for c in &selection.credentials {
                if let Some(id) = sdjwt::selection_id(&c.credential_id) {
                    let signer = holder_key.ok_or(Error::Wallet(WalletError::Refused(
                        "an SD-JWT VC is presented with a Key Binding JWT: give the holder key",
                    )))?;
                    let iat = crate::Timestamp::now().unix_seconds();
                    presentations.push(Value::String(self.present_sd_jwt_vc(
                        id,
                        &c.pointers,
                        request.client_id.as_str(),
                        &request.nonce,
                        iat,
                        signer,
                    )?));
                    continue;
                }
                presentations.push(self.present_anonymous(
                    &[Disclosure {
                        credential_id: c.credential_id.clone(),
                        pointers: c.pointers.clone(),
                    }],
                    &binding,
                )?);
            }
            vp_token.insert(selection.query_id.clone(), Value::Array(presentations));
        }
        crate::openid4vp::build_response(request, &vp_token)
    }

    /// An identified presentation: derive each of `disclosures` (bound to
    /// `presentation_header`), hand the derived credentials to `builder` (which wraps them in a
    /// presentation signed with the device key), record one [`HistoryEntry`] per credential,
    /// and return the presentation. Nothing is recorded when deriving or building fails;
    /// nothing is returned unless recorded.
    pub fn present(
        &self,
        disclosures: &[Disclosure],
        presentation_header: &[u8],
        request: &PresentationRequest,
        builder: &dyn PresentationBuilder,
    ) -> Result<Value, Error> {
        let domain = request.domain.as_deref();
        let mut derived = Vec::with_capacity(disclosures.len());
        let mut entries = Vec::with_capacity(disclosures.len());
        for d in disclosures {
            let (credential, entry) =
                self.derive_unrecorded(&d.credential_id, &d.pointers, presentation_header, domain)?;
            derived.push(credential);
            entries.push(entry);
        }
        let presentation = builder.build(derived, request)?;
        self.append_history(entries)?;
        Ok(presentation)
    }

    /// The derived credential and the history entry to record for it.
    fn derive_unrecorded(
        &self,
        id: &str,
        requested_pointers: &[String],
        presentation_header: &[u8],
        domain: Option<&str>,
    ) -> Result<(Value, HistoryEntry), Error> {
        let credential = self.credential(id)?;
        // Refuses unknown pointers with the wallet's error before deriving.
        preview(id, &credential, requested_pointers)?;
        let base = base_proof(&credential)?;
        let derived = match base.feature.feature() {
            Feature::Baseline => {
                self.bbs
                    .derive(&credential, requested_pointers, presentation_header)?
            }
            _ => {
                let store = self.store.as_ref();
                let missing = Error::Wallet(WalletError::Storage {
                    reason: "the holder secrets of a bound credential are missing",
                });
                let secrets = HolderSecrets::load(store)?.ok_or_else(|| missing.clone())?;
                let (feature, blind) = binding::credential_blind(store, id)?.ok_or(missing)?;
                let nym_domain = match feature {
                    Feature::Pseudonym | Feature::HolderBindingPseudonym => {
                        Some(domain.unwrap_or(""))
                    }
                    Feature::Baseline | Feature::AnonymousHolderBinding => None,
                };
                self.bbs.derive_bound(
                    &credential,
                    requested_pointers,
                    presentation_header,
                    &secrets.binding(feature, &blind)?,
                    nym_domain,
                )?
            }
        };
        let mut disclosed_pointers = base.mandatory_pointers;
        for p in requested_pointers {
            if !disclosed_pointers.contains(p) {
                disclosed_pointers.push(p.clone());
            }
        }
        let entry = HistoryEntry {
            at: self.clock.now_rfc3339(),
            domain: domain.map(str::to_owned),
            credential_id: id.to_owned(),
            disclosed_pointers,
        };
        Ok((derived, entry))
    }

    /// Every recorded presentation, oldest first.
    pub fn history(&self) -> Result<Vec<HistoryEntry>, Error> {
        let Some(bytes) = self.store.get(HISTORY_RECORD_ID)? else {
            return Ok(Vec::new());
        };
        parse_history(&bytes)
    }

    fn append_history(&self, new_entries: Vec<HistoryEntry>) -> Result<(), Error> {
        let _guard = self
            .history_lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut entries = self.history()?;
        entries.extend(new_entries);
        let excess = entries.len().saturating_sub(MAX_HISTORY_ENTRIES);
        entries.drain(..excess);
        let record = json!({
            "version": 1,
            "entries": entries.iter().map(|e| json!({
                "at": e.at,
                "domain": e.domain,
                "credentialId": e.credential_id,
                "disclosedPointers": e.disclosed_pointers,
            })).collect::<Vec<_>>(),
        });
        let bytes = serde_json::to_vec(&record).map_err(|_| {
            Error::Wallet(WalletError::Storage {
                reason: "cannot serialize the history",
            })
        })?;
        self.store.put(HISTORY_RECORD_ID, &bytes)
    }
}

fn parse_history(bytes: &[u8]) -> Result<Vec<HistoryEntry>, Error> {
    let bad = || {
        Error::Wallet(WalletError::Storage {
            reason: "the history record is malformed",
        })
    };
    let record: Value = serde_json::from_slice(bytes).map_err(|_| bad())?;
    if record.get("version").and_then(Value::as_u64) != Some(1) {
        return Err(bad());
    }
    let entries = record
        .get("entries")
        .and_then(Value::as_array)
        .ok_or_else(bad)?;
    entries
        .iter()
        .map(|e| {
            let text = |k: &str| e.get(k).and_then(Value::as_str).map(str::to_owned);
            Ok(HistoryEntry {
                at: text("at").ok_or_else(bad)?,
                domain: text("domain"),
                credential_id: text("credentialId").ok_or_else(bad)?,
                disclosed_pointers: e
                    .get("disclosedPointers")
                    .and_then(Value::as_array)
                    .ok_or_else(bad)?
                    .iter()
                    .map(|p| p.as_str().map(str::to_owned).ok_or_else(bad))
                    .collect::<Result<_, _>>()?,
            })
        })
        .collect()
}

/// The leaf pointers always disclosed, and the claim tree flagged with them.
fn tree_with_flags(
    credential: &Value,
    mandatory: &[String],
) -> Result<(BTreeSet<String>, Vec<Claim>), Error> {
    let plain = claims::claim_tree(credential, &BTreeSet::new());
    let always = claims::disclosed_leaves(credential, &plain, mandatory)?;
    let tree = claims::claim_tree(credential, &always);
    Ok((always, tree))
}

/// The DID of the key that signed the credential's base proof (its `verificationMethod`,
/// which the blind signature check binds to the signing key), to hold the credential to the
/// issuer a request was made for. The JSON `issuer` is not used: nothing at import checks it
/// against the signer.
fn signer_did(credential: &Value) -> Option<String> {
    credential
        .pointer("/proof/verificationMethod")
        .and_then(Value::as_str)
        .map(|m| crate::did::did_of_url(m).to_owned())
}

fn summarize(id: &str, credential: &Value) -> Result<CredentialSummary, Error> {
    let base = base_proof(credential)?;
    let binding = base.feature.feature();
    let mandatory_pointers = base.mandatory_pointers;
    let (_, claims) = tree_with_flags(credential, &mandatory_pointers)?;
    let types = match credential.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    };
    let (issuer_id, issuer_name) = match credential.get("issuer") {
        Some(Value::String(i)) => (Some(i.clone()), None),
        Some(issuer @ Value::Object(_)) => (str_field(issuer, "id"), str_field(issuer, "name")),
        _ => (None, None),
    };
    Ok(CredentialSummary {
        id: id.to_owned(),
        types,
        issuer_id,
        issuer_name,
        valid_from: str_field(credential, "validFrom")
            .or_else(|| str_field(credential, "issuanceDate")),
        valid_until: str_field(credential, "validUntil")
            .or_else(|| str_field(credential, "expirationDate")),
        mandatory_pointers,
        binding,
        claims,
    })
}

fn preview(id: &str, credential: &Value, requested: &[String]) -> Result<ConsentSummary, Error> {
    let mandatory = base_proof(credential)?.mandatory_pointers;
    let (always, tree) = tree_with_flags(credential, &mandatory)?;
    let all: Vec<String> = mandatory.iter().chain(requested).cloned().collect();
    // Checks every requested pointer, naming the first unknown one.
    let disclosed = claims::disclosed_leaves(credential, &tree, &all)?;
    let mut summary = ConsentSummary {
        credential_id: id.to_owned(),
        disclosed: Vec::new(),
        hidden: Vec::new(),
        pseudonym: PseudonymUse::None,
    };
    for leaf in claims::leaves(&tree) {
        if disclosed.contains(&leaf.pointer) {
            summary.disclosed.push(DisclosedClaim {
                pointer: leaf.pointer.clone(),
                label: leaf.label.clone(),
                value: leaf.value.clone().unwrap_or_default(),
                mandatory: always.contains(&leaf.pointer),
            });
        } else {
            summary.hidden.push(leaf.pointer.clone());
        }
    }
    Ok(summary)
}
