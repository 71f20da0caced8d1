//! The bbs-2023 optional features
//! (<https://www.w3.org/TR/vc-di-bbs/#optional-features>), in the specification's order:
//! `anonymous_holder_binding` (Blind BBS: the issuer signs a commitment to a holder secret,
//! so only its holder can derive proofs), `pseudonym` (per-verifier pseudonyms -01: the
//! issuer signs a nym secret the holder and issuer both contribute to) and
//! `holder_binding_pseudonym` (both).
//!
//! This module holds the BBS side of each step: the holder's commitment request
//! ([`commitment_request`]), the issuer's blind signature, the holder's check on receipt, the
//! derived proof and its verification. [`super::Bbs2023`] wires them into the document
//! algorithms (`sign_blind`, `verify_base_blind`, `derive_bound`, `verify_with`).
//!
//! Secrets (`HolderSecret`, `ProverNym`, `ProverBlind`, the nym secret) are zeroized on drop
//! and redacted in `Debug`; nothing here returns or prints one.

use crate::{Bbs2023Error, BbsError};
use zeroize::Zeroize;

use super::proof_value::{BaseFeature, DerivedFeature, Feature, NymComponents, PSEUDONYM_LEN};
use crate::Error;
use crate::bbs::blind::{self, CommitmentWithProof, HolderSecret, Interface, ProverBlind};
use crate::bbs::pseudonym::{self, NymSecret, ProverNym, Pseudonym, SignerNymEntropy};
use crate::bbs::{Ciphersuite, Proof, PublicKey, Scalar, SecretKey, Signature};

const CS: Ciphersuite = Ciphersuite::Bls12381Sha256;

/// What a holder sends an issuer to be issued a bound credential: the feature and a
/// commitment (with its proof) to the holder's secrets. Public; a fresh one for each request,
/// so that two issuers cannot link the requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitmentRequest {
    /// The feature option asked for (never `baseline`).
    pub feature: Feature,
    /// `commitment_with_proof`.
    pub commitment: CommitmentWithProof,
}

/// The `type` of a credential request document.
pub const CREDENTIAL_REQUEST_TYPE: &str = "CivitasCredentialRequest";

/// Largest credential request document accepted, in bytes of JSON.
pub const MAX_CREDENTIAL_REQUEST_BYTES: usize = 64 * 1024;

impl CommitmentRequest {
    /// The request as the JSON document a holder sends an issuer (see `docs/formats.md`,
    /// "Credential requests"):
    /// `{"type": "CivitasCredentialRequest", "version": 1, "feature": "<option name>",
    /// "commitmentWithProof": "u<base64url>"}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "type": CREDENTIAL_REQUEST_TYPE,
            "version": 1,
            "feature": self.feature.name(),
            "commitmentWithProof": crate::keys::Base::Base64Url.encode(&self.commitment.to_bytes()),
        })
    }

    /// What an issuer checks before signing (and [`super::Bbs2023::sign_blind`] checks
    /// again): the commitment holds the number of values its feature needs, and its proof
    /// of knowledge verifies (with the Blind BBS interface, or the pseudonym one for the
    /// pseudonym features).
    ///
    /// # Errors
    /// [`crate::BbsError::CommittedMessageCount`], [`crate::BbsError::CommitmentProofInvalid`], or
    /// [`crate::Bbs2023Error::Feature`] for `baseline`.
    pub fn check(&self) -> Result<(), Error> {
        let expected = committed_values(self.feature);
        if self.commitment.committed_count() != expected {
            return Err(Error::Bbs(BbsError::CommittedMessageCount {
                expected,
                actual: self.commitment.committed_count(),
            }));
        }
        match self.feature {
            Feature::Baseline => Err(Error::Bbs2023(Bbs2023Error::Feature(
                "a commitment request is for an optional feature, not baseline",
            ))),
            Feature::AnonymousHolderBinding => blind::verify_commitment(CS, &self.commitment),
            Feature::Pseudonym | Feature::HolderBindingPseudonym => {
                pseudonym::verify_commitment_with_nym(CS, &self.commitment)
            }
        }
    }

    /// Read a request document (as [`CommitmentRequest::to_json`] writes it): every member
    /// is required, no other is allowed, the feature is one of the three optional features,
    /// and the commitment decodes. The commitment's proof is checked by the issuer when it
    /// signs ([`super::Bbs2023::sign_blind`]), not here.
    pub fn from_json(doc: &serde_json::Value) -> Result<Self, Error> {
        let bad = |rule| Error::Bbs2023(Bbs2023Error::Feature(rule));
        let obj = doc
            .as_object()
            .ok_or(bad("a credential request is a JSON object"))?;
        if obj.keys().any(|k| {
            !matches!(
                k.as_str(),
                "type" | "version" | "feature" | "commitmentWithProof"
            )
        }) {
            return Err(bad(
                "a credential request has only type, version, feature and commitmentWithProof",
            ));
        }
        if obj.get("type").and_then(serde_json::Value::as_str) != Some(CREDENTIAL_REQUEST_TYPE) {
            return Err(bad(
                "not a credential request (type is not CivitasCredentialRequest)",
            ));
        }
        if obj.get("version").and_then(serde_json::Value::as_u64) != Some(1) {
            return Err(bad("unknown credential request version (1 is supported)"));
        }
        let feature = obj
            .get("feature")
            .and_then(serde_json::Value::as_str)
            .and_then(Feature::from_name)
            .filter(|f| *f != Feature::Baseline)
            .ok_or(bad(
                "the request's feature is not anonymous_holder_binding, pseudonym or holder_binding_pseudonym",
            ))?;
        let text = obj
            .get("commitmentWithProof")
            .and_then(serde_json::Value::as_str)
            .ok_or(bad("the request has no commitmentWithProof string"))?;
        let bytes = crate::keys::Base::Base64Url.decode(text)?;
        let commitment = CommitmentWithProof::from_bytes(&bytes)?;
        let expected = committed_values(feature);
        if commitment.committed_count() != expected {
            return Err(Error::Bbs(BbsError::CommittedMessageCount {
                expected,
                actual: commitment.committed_count(),
            }));
        }
        Ok(CommitmentRequest {
            feature,
            commitment,
        })
    }
}

/// The holder's secrets for one bound credential, by feature. `Debug` shows no secret.
#[derive(Debug, Clone, Copy)]
pub enum BindingSecrets<'a> {
    /// `anonymous_holder_binding`.
    HolderBinding {
        /// The holder secret committed to.
        holder_secret: &'a HolderSecret,
        /// The prover blind of the commitment.
        prover_blind: &'a ProverBlind,
    },
    /// `pseudonym`.
    Pseudonym {
        /// The prover nym committed to.
        prover_nym: &'a ProverNym,
        /// The prover blind of the commitment.
        prover_blind: &'a ProverBlind,
    },
    /// `holder_binding_pseudonym`.
    HolderBindingPseudonym {
        /// The holder secret committed to.
        holder_secret: &'a HolderSecret,
        /// The prover nym committed to.
        prover_nym: &'a ProverNym,
        /// The prover blind of the commitment.
        prover_blind: &'a ProverBlind,
    },
}

impl BindingSecrets<'_> {
    /// The feature these secrets are for.
    pub const fn feature(&self) -> Feature {
        match self {
            BindingSecrets::HolderBinding { .. } => Feature::AnonymousHolderBinding,
            BindingSecrets::Pseudonym { .. } => Feature::Pseudonym,
            BindingSecrets::HolderBindingPseudonym { .. } => Feature::HolderBindingPseudonym,
        }
    }

    fn prover_blind(&self) -> &ProverBlind {
        match self {
            BindingSecrets::HolderBinding { prover_blind, .. }
            | BindingSecrets::Pseudonym { prover_blind, .. }
            | BindingSecrets::HolderBindingPseudonym { prover_blind, .. } => prover_blind,
        }
    }

    fn committed(&self) -> Vec<&[u8]> {
        match self {
            BindingSecrets::HolderBinding { holder_secret, .. }
            | BindingSecrets::HolderBindingPseudonym { holder_secret, .. } => {
                vec![holder_secret.as_ref()]
            }
            BindingSecrets::Pseudonym { .. } => Vec::new(),
        }
    }

    /// Whether a base proof of `base` can have been issued for these secrets. The W3C
    /// vectors label `pseudonym` base proofs with the `holder_binding_pseudonym` header, so
    /// `pseudonym` secrets accept both; the BBS check then decides (the number of committed
    /// values is part of what the issuer signed).
    pub(crate) fn check_base(&self, base: &BaseFeature) -> Result<(), Error> {
        let ok = matches!(
            (self, base),
            (
                BindingSecrets::HolderBinding { .. },
                BaseFeature::AnonymousHolderBinding
            ) | (
                BindingSecrets::Pseudonym { .. },
                BaseFeature::Pseudonym { .. } | BaseFeature::HolderBindingPseudonym { .. }
            ) | (
                BindingSecrets::HolderBindingPseudonym { .. },
                BaseFeature::HolderBindingPseudonym { .. }
            )
        );
        if ok {
            Ok(())
        } else {
            Err(Error::Bbs2023(Bbs2023Error::FeatureMismatch {
                expected: self.feature().name(),
                found: base.feature().name(),
            }))
        }
    }
}

/// The number of values a commitment for `feature` holds besides the prover blind (for the
/// pseudonym features this counts the prover nym).
const fn committed_values(feature: Feature) -> usize {
    match feature {
        Feature::Baseline => 0,
        Feature::AnonymousHolderBinding | Feature::Pseudonym => 1,
        Feature::HolderBindingPseudonym => 2,
    }
}

/// The holder's commitment request for `feature`: the request to send and the secret prover
/// blind to keep with the credential. `anonymous_holder_binding` needs `holder_secret`,
/// `pseudonym` needs `prover_nym`, `holder_binding_pseudonym` both; anything else is refused.
pub fn commitment_request(
    feature: Feature,
    holder_secret: Option<&HolderSecret>,
    prover_nym: Option<&ProverNym>,
) -> Result<(CommitmentRequest, ProverBlind), Error> {
    let (commitment, blind) = match (feature, holder_secret, prover_nym) {
        (Feature::AnonymousHolderBinding, Some(s), None) => blind::commit(CS, &[s])?,
        (Feature::Pseudonym, None, Some(n)) => {
            let none: [&[u8]; 0] = [];
            pseudonym::commit_with_nym(CS, &none, n)?
        }
        (Feature::HolderBindingPseudonym, Some(s), Some(n)) => {
            pseudonym::commit_with_nym(CS, &[s], n)?
        }
        _ => {
            return Err(Error::Bbs2023(Bbs2023Error::Feature(
                "a commitment request needs: anonymous_holder_binding a holder secret, pseudonym a prover nym, holder_binding_pseudonym both",
            )));
        }
    };
    Ok((
        CommitmentRequest {
            feature,
            commitment,
        },
        blind,
    ))
}

/// The issuer's blind signature for `request` over the bbs-2023 header and messages, with the
/// feature components of the base proof. `entropy` is the issuer's `signer_nym_entropy` for
/// the pseudonym features (fresh when `None`).
pub(crate) fn sign(
    sk: &SecretKey,
    pk: &PublicKey,
    request: &CommitmentRequest,
    entropy: Option<SignerNymEntropy>,
    header: &[u8],
    messages: &[String],
) -> Result<(Signature, BaseFeature), Error> {
    let c = &request.commitment;
    let expected = committed_values(request.feature);
    if c.committed_count() != expected {
        return Err(Error::Bbs(BbsError::CommittedMessageCount {
            expected,
            actual: c.committed_count(),
        }));
    }
    match request.feature {
        Feature::Baseline => Err(Error::Bbs2023(Bbs2023Error::Feature(
            "a commitment request is for an optional feature, not baseline",
        ))),
        Feature::AnonymousHolderBinding => {
            let sig = blind::blind_sign(CS, sk, pk, Some(c), 1, header, messages)?;
            Ok((sig, BaseFeature::AnonymousHolderBinding))
        }
        f @ (Feature::Pseudonym | Feature::HolderBindingPseudonym) => {
            let entropy = match entropy {
                Some(e) => e,
                None => SignerNymEntropy::generate()?,
            };
            let sig = pseudonym::blind_sign_with_nym(
                CS,
                sk,
                pk,
                c,
                expected - 1,
                &entropy,
                header,
                messages,
            )?;
            let signer_nym_entropy = entropy.to_bytes();
            let feature = if f == Feature::Pseudonym {
                BaseFeature::Pseudonym { signer_nym_entropy }
            } else {
                BaseFeature::HolderBindingPseudonym { signer_nym_entropy }
            };
            Ok((sig, feature))
        }
    }
}

/// The holder's check of a blind base signature with its secrets; for the pseudonym features
/// it yields the nym secret (VerifyFinalizeWithNym).
pub(crate) fn check(
    pk: &PublicKey,
    signature: &Signature,
    base: &BaseFeature,
    secrets: &BindingSecrets<'_>,
    header: &[u8],
    messages: &[String],
) -> Result<Option<NymSecret>, Error> {
    secrets.check_base(base)?;
    let committed = secrets.committed();
    match (secrets, base.signer_nym_entropy()) {
        (BindingSecrets::HolderBinding { prover_blind, .. }, _) => {
            blind::verify_blind_sign(
                CS,
                pk,
                signature,
                header,
                messages,
                &committed,
                Some(prover_blind),
            )?;
            Ok(None)
        }
        (
            BindingSecrets::Pseudonym {
                prover_nym,
                prover_blind,
            }
            | BindingSecrets::HolderBindingPseudonym {
                prover_nym,
                prover_blind,
                ..
            },
            Some(entropy),
        ) => {
            let entropy = SignerNymEntropy::from_bytes(entropy)?;
            pseudonym::verify_finalize_with_nym(
                CS,
                pk,
                signature,
                header,
                messages,
                &committed,
                prover_nym,
                &entropy,
                prover_blind,
            )
            .map(Some)
        }
        _ => Err(Error::Bbs2023(Bbs2023Error::Feature(
            "the base proof has no signer_nym_entropy",
        ))),
    }
}

/// Where a derived proof's random scalars come from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Randomness<'a> {
    /// The operating system.
    System,
    /// The BBS drafts' mocked random scalars (`seeded_random_scalars(seed, dst, count)`), to
    /// reproduce published vectors.
    #[cfg(feature = "dangerous-test-vectors")]
    Seeded {
        /// The seed.
        seed: &'a [u8],
        /// The DST.
        dst: &'a [u8],
    },
    #[cfg(not(feature = "dangerous-test-vectors"))]
    #[expect(
        dead_code,
        reason = "only uses the lifetime when the Seeded variant is compiled out; never constructed"
    )]
    Never(core::marker::PhantomData<&'a ()>),
}

impl Randomness<'_> {
    fn draw(self, count: usize) -> Result<Vec<Scalar>, Error> {
        match self {
            Randomness::System => crate::bbs::random_scalars(count),
            #[cfg(feature = "dangerous-test-vectors")]
            Randomness::Seeded { seed, dst } => {
                Ok(crate::hazmat::seeded_random_scalars(CS, seed, dst, count)?
                    .into_iter()
                    .map(|s| s.0)
                    .collect())
            }
            #[cfg(not(feature = "dangerous-test-vectors"))]
            Randomness::Never(_) => Err(Error::Crypto("no randomness")),
        }
    }
}

/// The holder's derived BBS proof for a bound credential, and the derived proof value's
/// feature components. `selective` indexes the issuer's messages only.
#[expect(
    clippy::too_many_arguments,
    reason = "the BBS proof inputs plus the feature's base data, binding secrets, nym domain and randomness"
)]
pub(crate) fn prove(
    pk: &PublicKey,
    signature: &Signature,
    base: &BaseFeature,
    secrets: &BindingSecrets<'_>,
    header: &[u8],
    ph: &[u8],
    messages: &[String],
    selective: &[usize],
    nym_domain: Option<&str>,
    rng: Randomness<'_>,
) -> Result<(Proof, DerivedFeature), Error> {
    let l = messages.len();
    let length_bbs_messages = u32::try_from(l).map_err(|_| {
        Error::Bbs(BbsError::TooManyMessages {
            count: l,
            limit: crate::bbs::MAX_MESSAGES,
        })
    })?;
    let nym_secret = check(pk, signature, base, secrets, header, messages)?;
    let committed = secrets.committed();
    let blind = secrets.prover_blind();
    let hidden = l.saturating_sub(selective.len());
    match (secrets, nym_secret) {
        (BindingSecrets::HolderBinding { .. }, _) => {
            let iface = Interface::Blind;
            let mut scalars = iface.messages_to_scalars(CS, messages)?;
            let mut committed = iface.messages_to_scalars(CS, &committed)?;
            let indexes = blind::combined_indexes(l, committed.len(), selective, &[])?;
            let mut all = blind::signed_scalars(&scalars, Some(&blind.0), &committed, None);
            let layout = iface.layout(CS, l, committed.len() + 1)?;
            let mut random = rng.draw(5 + hidden + 2)?;
            let proof = crate::bbs::scheme::core_proof_gen_with(
                CS, &layout, pk, signature, header, ph, &all, &indexes, &random, None,
            );
            random.iter_mut().for_each(Zeroize::zeroize);
            all.iter_mut().for_each(Zeroize::zeroize);
            scalars.iter_mut().for_each(Zeroize::zeroize);
            committed.iter_mut().for_each(Zeroize::zeroize);
            let (proof, _) = proof?;
            Ok((
                proof,
                DerivedFeature::AnonymousHolderBinding {
                    length_bbs_messages,
                },
            ))
        }
        (_, Some(nym_secret)) => {
            let domain = nym_domain.ok_or(Error::Bbs2023(Bbs2023Error::MissingNymDomain))?;
            let iface = Interface::Pseudonym01;
            let mut scalars = iface.messages_to_scalars(CS, messages)?;
            let mut committed = iface.messages_to_scalars(CS, &committed)?;
            let mut random = rng.draw(5 + hidden + committed.len() + 2)?;
            let out = pseudonym::core_proof_gen_with_nym(
                CS,
                pk,
                signature,
                header,
                ph,
                domain.as_bytes(),
                &nym_secret,
                &scalars,
                &committed,
                selective,
                &[],
                blind,
                &random,
            );
            random.iter_mut().for_each(Zeroize::zeroize);
            scalars.iter_mut().for_each(Zeroize::zeroize);
            committed.iter_mut().for_each(Zeroize::zeroize);
            let (proof, nym) = out?;
            let components = NymComponents {
                nym_domain: Some(domain.to_owned()),
                pseudonym: nym.to_bytes(),
                length_bbs_messages,
            };
            let feature = match secrets.feature() {
                Feature::Pseudonym => DerivedFeature::Pseudonym(components),
                _ => DerivedFeature::HolderBindingPseudonym(components),
            };
            Ok((proof, feature))
        }
        _ => Err(Error::Crypto("no nym secret computed")),
    }
}

/// What a verified bound proof establishes.
#[derive(Debug, Clone)]
pub(crate) struct BoundVerified {
    pub(crate) feature: Feature,
    pub(crate) pseudonym: Option<Pseudonym>,
    pub(crate) nym_domain: Option<String>,
}

/// The number of committed values a proof carries besides the reserved ones, from its size:
/// `disclosed + undisclosed - L - reserved`.
fn proof_committed(
    proof: &Proof,
    l: usize,
    disclosed: usize,
    reserved: usize,
) -> Result<usize, Error> {
    (disclosed + proof.undisclosed_count())
        .checked_sub(l + reserved)
        .ok_or(Error::Bbs(BbsError::MessageCount {
            expected: l + reserved,
            actual: disclosed + proof.undisclosed_count(),
        }))
}

/// Verify a derived BBS proof of an optional feature. `nym_domain` is the verifier's own
/// (it overrides and must equal the proof's, if the proof carries one).
#[expect(
    clippy::too_many_arguments,
    reason = "the BBS proof verification inputs plus the derived feature and the verifier's nym domain"
)]
pub(crate) fn verify(
    pk: &PublicKey,
    proof: &Proof,
    feature: &DerivedFeature,
    header: &[u8],
    ph: &[u8],
    disclosed: &[&str],
    selective: &[usize],
    nym_domain: Option<&str>,
) -> Result<BoundVerified, Error> {
    let l = feature
        .length_bbs_messages()
        .ok_or(Error::Bbs2023(Bbs2023Error::Feature(
            "a baseline proof has no feature to verify",
        )))? as usize;
    let none: [&[u8]; 0] = [];
    let invalid = |e: Error| match e {
        Error::Bbs(BbsError::ProofInvalid) => Error::Bbs2023(Bbs2023Error::VerificationFailed(
            "the BBS proof does not verify (tampered or missing claims, another issuer key, presentation header, lengthBBSMessages, pseudonym or nym_domain)",
        )),
        other => other,
    };
    match feature {
        DerivedFeature::Baseline => Err(Error::Bbs2023(Bbs2023Error::Feature(
            "a baseline proof has no feature to verify",
        ))),
        DerivedFeature::AnonymousHolderBinding { .. } => {
            // Exactly one committed value, the holder secret: a blind signature made without a
            // commitment (nothing bound) is refused.
            let m = proof_committed(proof, l, selective.len(), 1)?;
            if m != 1 {
                return Err(Error::Bbs(BbsError::CommittedMessageCount {
                    expected: 1,
                    actual: m,
                }));
            }
            blind::blind_proof_verify(
                CS,
                pk,
                proof,
                header,
                ph,
                l,
                disclosed,
                &none,
                selective,
                &[],
            )
            .map_err(invalid)?;
            Ok(BoundVerified {
                feature: Feature::AnonymousHolderBinding,
                pseudonym: None,
                nym_domain: None,
            })
        }
        DerivedFeature::Pseudonym(n) | DerivedFeature::HolderBindingPseudonym(n) => {
            let domain = match (n.nym_domain.as_deref(), nym_domain) {
                (Some(theirs), Some(ours)) if theirs != ours => {
                    return Err(Error::Bbs2023(Bbs2023Error::NymDomainMismatch));
                }
                (_, Some(ours)) => ours,
                (Some(theirs), None) => theirs,
                (None, None) => return Err(Error::Bbs2023(Bbs2023Error::MissingNymDomain)),
            };
            let m = proof_committed(proof, l, selective.len(), 2)?;
            // `pseudonym` commits nothing besides the nym; `holder_binding_pseudonym` the
            // holder secret. The vectors' `pseudonym` proofs carry the latter's header: a
            // `holder_binding_pseudonym` header with no committed value is a `pseudonym` proof.
            let verified_feature = match (feature, m) {
                (DerivedFeature::Pseudonym(_), 0) => Feature::Pseudonym,
                (DerivedFeature::HolderBindingPseudonym(_), 1) => Feature::HolderBindingPseudonym,
                (DerivedFeature::HolderBindingPseudonym(_), 0) => Feature::Pseudonym,
                (f, m) => {
                    return Err(Error::Bbs(BbsError::CommittedMessageCount {
                        expected: committed_values(f.feature()) - 1,
                        actual: m,
                    }));
                }
            };
            let nym = Pseudonym::from_bytes(&n.pseudonym)?;
            pseudonym::proof_verify_with_nym(
                CS,
                pk,
                proof,
                &nym,
                domain.as_bytes(),
                header,
                ph,
                l,
                disclosed,
                &none,
                selective,
                &[],
            )
            .map_err(invalid)?;
            Ok(BoundVerified {
                feature: verified_feature,
                pseudonym: Some(nym),
                nym_domain: Some(domain.to_owned()),
            })
        }
    }
}

const _: () = assert!(PSEUDONYM_LEN == Pseudonym::LEN);
