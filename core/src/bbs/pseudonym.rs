//! Per-verifier pseudonyms over blind BBS signatures, at the level of
//! `draft-irtf-cfrg-bbs-per-verifier-linkability-01` and its fixtures (profile "-01": one
//! `prover_nym` scalar), which the W3C bbs-2023 pseudonym vectors follow.
//! <https://datatracker.ietf.org/doc/draft-irtf-cfrg-bbs-per-verifier-linkability/01/>
//!
//! The Prover commits to its [`ProverNym`] with its other committed messages
//! ([`commit_with_nym`]); the Signer adds its [`SignerNymEntropy`] into the signed nym
//! secret ([`blind_sign_with_nym`]); the Prover checks the signature and computes the
//! [`NymSecret`] `prover_nym + signer_nym_entropy` ([`verify_finalize_with_nym`]). A proof
//! ([`proof_gen_with_nym`]) then carries the [`Pseudonym`]
//! `hash_to_curve_g1(context_id) * nym_secret`: the same for one `context_id` (a verifier),
//! unlinkable across them, and proven to use the signed nym secret
//! ([`proof_verify_with_nym`]).
//!
//! The Interface's `api_id` is `ciphersuite_id || "H2G_HM2S_PSEUDONYM_"`; the signed messages
//! are the Signer's `L` messages, the prover blind, the `M` committed messages and the nym
//! secret, in that order. This is not the -02/-03 design of the draft (a vector of nym
//! secrets, another challenge): that would be a separate, explicitly chosen profile.
//!
//! ```
//! use civitas_core::bbs::{Ciphersuite, SecretKey, pseudonym};
//!
//! let cs = Ciphersuite::Bls12381Sha256;
//! let sk = SecretKey::key_gen(cs, &[7u8; 32], b"", None)?;
//! let pk = sk.public_key();
//! let nym = pseudonym::ProverNym::generate()?;
//! let none: [&[u8]; 0] = [];
//! let (commitment, blind) = pseudonym::commit_with_nym(cs, &none, &nym)?;
//! let entropy = pseudonym::SignerNymEntropy::generate()?;
//! let issued: [&[u8]; 1] = [b"degree: MSc"];
//! let sig = pseudonym::blind_sign_with_nym(cs, &sk, &pk, &commitment, 0, &entropy, b"", &issued)?;
//! let secret = pseudonym::verify_finalize_with_nym(
//!     cs, &pk, &sig, b"", &issued, &none, &nym, &entropy, &blind,
//! )?;
//! let (proof, nym_a) = pseudonym::proof_gen_with_nym(
//!     cs, &pk, &sig, b"", b"nonce", b"agency-a", &secret, &issued, &none, &[0], &[], &blind,
//! )?;
//! pseudonym::proof_verify_with_nym(
//!     cs, &pk, &proof, &nym_a, b"agency-a", b"", b"nonce", 1, &issued, &none, &[0], &[],
//! )?;
//! # Ok::<(), civitas_core::Error>(())
//! ```

use crate::{BbsError, EncodingError};
use zeroize::Zeroize;

use super::blind::{
    self, CommitmentWithProof, Interface, ProverBlind, combined_indexes, core_blind_sign,
    core_commit, core_commit_verify, signed_scalars, verify_layout,
};
use super::curve::{G1, G1_LEN, G1Affine, Scalar};
use super::scheme;
use super::{
    Ciphersuite, Proof, PublicKey, SecretKey, Signature, check_len, g1_from_slice, random_scalars,
    scalar_from_slice,
};
use crate::Error;

const IFACE: Interface = Interface::Pseudonym01;

/// Longest context identifier accepted (64 KiB).
pub const MAX_CONTEXT_ID_LEN: usize = 64 * 1024;

/// `BP1`, the base point of G1, compressed: never a valid pseudonym.
const BP1_COMPRESSED: [u8; G1_LEN] = [
    0x97, 0xf1, 0xd3, 0xa7, 0x31, 0x97, 0xd7, 0x94, 0x26, 0x95, 0x63, 0x8c, 0x4f, 0xa9, 0xac, 0x0f,
    0xc3, 0x68, 0x8c, 0x4f, 0x97, 0x74, 0xb9, 0x05, 0xa1, 0x4e, 0x3a, 0x3f, 0x17, 0x1b, 0xac, 0x58,
    0x6c, 0x55, 0xe8, 0x3f, 0xf9, 0x7a, 0x1a, 0xef, 0xfb, 0x3a, 0xf0, 0x0a, 0xdb, 0x22, 0xc6, 0xbb,
];

secret_scalar!(
    /// The Prover's part of the nym secret (`prover_nym`), committed to the Signer.
    ProverNym,
    "prover nym"
);

secret_scalar!(
    /// The signed pseudonym secret `nym_secret = prover_nym + signer_nym_entropy`: whoever
    /// knows it can compute the holder's pseudonym at every verifier.
    NymSecret,
    "nym secret"
);

impl ProverNym {
    /// A fresh prover nym from the operating system's random generator.
    pub fn generate() -> Result<Self, Error> {
        let mut s = random_scalars(1)?;
        let nym = s.first().copied().filter(|s| !s.is_zero());
        s.iter_mut().for_each(Zeroize::zeroize);
        nym.map(ProverNym)
            .ok_or(Error::Crypto("random scalar is zero"))
    }
}

/// The Signer's contribution to the nym secret (`signer_nym_entropy`): random, not secret,
/// sent to the Prover with the signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignerNymEntropy(pub(crate) Scalar);

impl SignerNymEntropy {
    /// Fresh entropy from the operating system's random generator.
    pub fn generate() -> Result<Self, Error> {
        let s = random_scalars(1)?;
        s.first()
            .copied()
            .filter(|s| !s.is_zero())
            .map(SignerNymEntropy)
            .ok_or(Error::Crypto("random scalar is zero"))
    }

    /// Decode `I2OSP(value, 32)`; the value must satisfy `0 < value < r`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        scalar_from_slice("signer nym entropy", bytes).map(SignerNymEntropy)
    }

    /// `I2OSP(value, 32)`.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_be_bytes()
    }
}

/// A pseudonym: a point of G1, neither the identity nor `BP1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pseudonym(pub(crate) G1Affine);

impl Pseudonym {
    /// Encoded length: one compressed G1 point.
    pub const LEN: usize = G1_LEN;

    /// octets_to_point_g1 of a pseudonym: a valid point of G1 in the subgroup, not the
    /// identity and not `BP1`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let point = g1_from_slice("pseudonym", bytes)?;
        if point.compress() == BP1_COMPRESSED {
            return Err(Error::Encoding(EncodingError::Point {
                what: "pseudonym",
                reason: "point is the base point",
            }));
        }
        Ok(Pseudonym(point))
    }

    /// point_to_octets_g1.
    pub fn to_bytes(&self) -> [u8; G1_LEN] {
        self.0.compress()
    }

    /// The pseudonym of `nym_secret` in the context `context_id`:
    /// `hash_to_curve_g1(context_id, api_id) * nym_secret`.
    pub fn calculate(
        cs: Ciphersuite,
        context_id: &[u8],
        nym_secret: &NymSecret,
    ) -> Result<Self, Error> {
        let p = context_point(cs, context_id)?.mul(&nym_secret.0);
        if p.is_identity() {
            return Err(Error::Crypto("pseudonym is the identity"));
        }
        Ok(Pseudonym(p.to_affine()))
    }
}

/// `OP = hash_to_curve_g1(context_id, api_id)`.
pub(crate) fn context_point(cs: Ciphersuite, context_id: &[u8]) -> Result<G1, Error> {
    if context_id.len() > MAX_CONTEXT_ID_LEN {
        return Err(Error::TooLarge {
            what: "context id",
            actual: context_id.len(),
            limit: MAX_CONTEXT_ID_LEN,
        });
    }
    cs.hash_to_curve(context_id, IFACE.api_id(cs))
}

// ---------------------------------------------------------------------------------------------
// Scalar-level operations (shared with `hazmat`)

/// BlindSignWithNym over scalar messages, for a commitment whose last value is the prover
/// nym.
pub(crate) fn core_blind_sign_with_nym(
    cs: Ciphersuite,
    sk: &SecretKey,
    pk: &PublicKey,
    commitment: &CommitmentWithProof,
    entropy: &SignerNymEntropy,
    header: &[u8],
    messages: &[Scalar],
) -> Result<blind::BlindSignOutput, Error> {
    core_blind_sign(
        cs,
        IFACE,
        sk,
        pk,
        Some(commitment),
        header,
        messages,
        Some(&entropy.0),
    )
}

/// VerifyFinalizeWithNym over scalars: the nym secret if the signature verifies.
#[expect(
    clippy::too_many_arguments,
    reason = "VerifyFinalizeWithNym's parameters (pseudonym draft -01) plus the ciphersuite"
)]
pub(crate) fn core_verify_finalize(
    cs: Ciphersuite,
    pk: &PublicKey,
    signature: &Signature,
    header: &[u8],
    messages: &[Scalar],
    committed: &[Scalar],
    prover_nym: &ProverNym,
    entropy: &SignerNymEntropy,
    prover_blind: &ProverBlind,
) -> Result<NymSecret, Error> {
    let nym_secret = NymSecret(prover_nym.0.add(&entropy.0));
    let mut all = signed_scalars(
        messages,
        Some(&prover_blind.0),
        committed,
        Some(&nym_secret.0),
    );
    let layout = IFACE.layout(cs, messages.len(), committed.len() + 2)?;
    let ok = scheme::core_verify_with(cs, &layout, pk, signature, header, &all);
    all.iter_mut().for_each(Zeroize::zeroize);
    if !ok? {
        return Err(Error::Bbs(BbsError::SignatureInvalid));
    }
    if nym_secret.0.is_zero() {
        return Err(Error::Crypto("nym secret is zero"));
    }
    Ok(nym_secret)
}

/// ProofGenWithNym over scalars with the given random scalars `(r1, r2, e~, r1~, r3~, m~...)`.
#[expect(
    clippy::too_many_arguments,
    reason = "ProofGenWithNym's parameters (pseudonym draft -01) plus the ciphersuite and random scalars"
)]
pub(crate) fn core_proof_gen_with_nym(
    cs: Ciphersuite,
    pk: &PublicKey,
    signature: &Signature,
    header: &[u8],
    ph: &[u8],
    context_id: &[u8],
    nym_secret: &NymSecret,
    messages: &[Scalar],
    committed: &[Scalar],
    disclosed_indexes: &[usize],
    disclosed_committed_indexes: &[usize],
    prover_blind: &ProverBlind,
    random: &[Scalar],
) -> Result<(Proof, Pseudonym), Error> {
    let l = messages.len();
    let indexes = combined_indexes(
        l,
        committed.len(),
        disclosed_indexes,
        disclosed_committed_indexes,
    )?;
    let op = context_point(cs, context_id)?;
    let mut all = signed_scalars(
        messages,
        Some(&prover_blind.0),
        committed,
        Some(&nym_secret.0),
    );
    let layout = IFACE.layout(cs, l, committed.len() + 2)?;
    let out = scheme::core_proof_gen_with(
        cs,
        &layout,
        pk,
        signature,
        header,
        ph,
        &all,
        &indexes,
        random,
        Some(&op),
    );
    all.iter_mut().for_each(Zeroize::zeroize);
    match out? {
        (proof, Some(nym)) => Ok((proof, Pseudonym(nym))),
        (_, None) => Err(Error::Crypto("no pseudonym computed")),
    }
}

// ---------------------------------------------------------------------------------------------
// The pseudonym Interface (octet-string messages)

/// CommitWithNym: a commitment to `committed_messages` and `prover_nym` (committed last),
/// with its proof, and the secret [`ProverBlind`].
pub fn commit_with_nym<C: AsRef<[u8]>>(
    cs: Ciphersuite,
    committed_messages: &[C],
    prover_nym: &ProverNym,
) -> Result<(CommitmentWithProof, ProverBlind), Error> {
    let mut scalars = IFACE.messages_to_scalars(cs, committed_messages)?;
    scalars.push(prover_nym.0);
    let mut random = random_scalars(scalars.len() + 2)?;
    let out = core_commit(cs, IFACE, &scalars, &random);
    random.iter_mut().for_each(Zeroize::zeroize);
    scalars.iter_mut().for_each(Zeroize::zeroize);
    out
}

/// Check the proof of knowledge of a commitment made by [`commit_with_nym`]: `Ok(())` or
/// [`crate::BbsError::CommitmentProofInvalid`].
pub fn verify_commitment_with_nym(
    cs: Ciphersuite,
    commitment: &CommitmentWithProof,
) -> Result<(), Error> {
    if core_commit_verify(cs, IFACE, commitment)? {
        Ok(())
    } else {
        Err(Error::Bbs(BbsError::CommitmentProofInvalid))
    }
}

/// BlindSignWithNym: check the commitment's proof and sign `messages`, the commitment and
/// `signer_nym_entropy` (added to the committed prover nym). `committed_count` is the number
/// of committed messages expected besides the prover nym.
#[expect(
    clippy::too_many_arguments,
    reason = "BlindSignWithNym's parameters (pseudonym draft -01) plus the ciphersuite and committed count"
)]
pub fn blind_sign_with_nym<M: AsRef<[u8]>>(
    cs: Ciphersuite,
    sk: &SecretKey,
    pk: &PublicKey,
    commitment: &CommitmentWithProof,
    committed_count: usize,
    signer_nym_entropy: &SignerNymEntropy,
    header: &[u8],
    messages: &[M],
) -> Result<Signature, Error> {
    check_len("header", header)?;
    let actual = commitment.committed_count().saturating_sub(1);
    if commitment.committed_count() != committed_count + 1 {
        return Err(Error::Bbs(BbsError::CommittedMessageCount {
            expected: committed_count,
            actual,
        }));
    }
    let scalars = IFACE.messages_to_scalars(cs, messages)?;
    core_blind_sign_with_nym(cs, sk, pk, commitment, signer_nym_entropy, header, &scalars)
        .map(|o| o.signature)
}

/// VerifyFinalizeWithNym: check the signature with the committed messages, the prover nym,
/// the Signer's entropy and the prover blind, and return the [`NymSecret`]; otherwise
/// [`crate::BbsError::SignatureInvalid`].
#[expect(
    clippy::too_many_arguments,
    reason = "VerifyFinalizeWithNym's parameters (pseudonym draft -01) plus the ciphersuite"
)]
pub fn verify_finalize_with_nym<M: AsRef<[u8]>, C: AsRef<[u8]>>(
    cs: Ciphersuite,
    pk: &PublicKey,
    signature: &Signature,
    header: &[u8],
    messages: &[M],
    committed_messages: &[C],
    prover_nym: &ProverNym,
    signer_nym_entropy: &SignerNymEntropy,
    prover_blind: &ProverBlind,
) -> Result<NymSecret, Error> {
    check_len("header", header)?;
    let scalars = IFACE.messages_to_scalars(cs, messages)?;
    let mut committed = IFACE.messages_to_scalars(cs, committed_messages)?;
    let out = core_verify_finalize(
        cs,
        pk,
        signature,
        header,
        &scalars,
        &committed,
        prover_nym,
        signer_nym_entropy,
        prover_blind,
    );
    committed.iter_mut().for_each(Zeroize::zeroize);
    out
}

/// ProofGenWithNym: a proof of knowledge of the signature (disclosing as
/// [`blind::blind_proof_gen`] does) and the [`Pseudonym`] for `context_id`, proven to use the
/// signed nym secret. Neither the prover blind nor the nym secret is ever disclosed.
#[expect(
    clippy::too_many_arguments,
    reason = "ProofGenWithNym's parameters (pseudonym draft -01) plus the ciphersuite"
)]
pub fn proof_gen_with_nym<M: AsRef<[u8]>, C: AsRef<[u8]>>(
    cs: Ciphersuite,
    pk: &PublicKey,
    signature: &Signature,
    header: &[u8],
    ph: &[u8],
    context_id: &[u8],
    nym_secret: &NymSecret,
    messages: &[M],
    committed_messages: &[C],
    disclosed_indexes: &[usize],
    disclosed_committed_indexes: &[usize],
    prover_blind: &ProverBlind,
) -> Result<(Proof, Pseudonym), Error> {
    check_len("header", header)?;
    check_len("presentation header", ph)?;
    let scalars = IFACE.messages_to_scalars(cs, messages)?;
    let mut committed = IFACE.messages_to_scalars(cs, committed_messages)?;
    // Undisclosed: the hidden Signer and committed messages, the prover blind, the nym secret.
    let undisclosed = scalars.len() - disclosed_indexes.len().min(scalars.len()) + committed.len()
        - disclosed_committed_indexes.len().min(committed.len())
        + 2;
    let mut random = random_scalars(5 + undisclosed)?;
    let out = core_proof_gen_with_nym(
        cs,
        pk,
        signature,
        header,
        ph,
        context_id,
        nym_secret,
        &scalars,
        &committed,
        disclosed_indexes,
        disclosed_committed_indexes,
        prover_blind,
        &random,
    );
    random.iter_mut().for_each(Zeroize::zeroize);
    committed.iter_mut().for_each(Zeroize::zeroize);
    out
}

/// ProofVerifyWithNym: check `proof` and `pseudonym` for `context_id` against the disclosed
/// messages (as [`blind::blind_proof_verify`] does; `l` is the number of Signer messages):
/// `Ok(())` or [`crate::BbsError::ProofInvalid`].
#[expect(
    clippy::too_many_arguments,
    reason = "ProofVerifyWithNym's parameters (pseudonym draft -01) plus the ciphersuite"
)]
pub fn proof_verify_with_nym<M: AsRef<[u8]>, C: AsRef<[u8]>>(
    cs: Ciphersuite,
    pk: &PublicKey,
    proof: &Proof,
    pseudonym: &Pseudonym,
    context_id: &[u8],
    header: &[u8],
    ph: &[u8],
    l: usize,
    disclosed_messages: &[M],
    disclosed_committed_messages: &[C],
    disclosed_indexes: &[usize],
    disclosed_committed_indexes: &[usize],
) -> Result<(), Error> {
    check_len("header", header)?;
    check_len("presentation header", ph)?;
    if disclosed_messages.len() != disclosed_indexes.len() {
        return Err(Error::Bbs(BbsError::MessageCount {
            expected: disclosed_indexes.len(),
            actual: disclosed_messages.len(),
        }));
    }
    if disclosed_committed_messages.len() != disclosed_committed_indexes.len() {
        return Err(Error::Bbs(BbsError::CommittedMessageCount {
            expected: disclosed_committed_indexes.len(),
            actual: disclosed_committed_messages.len(),
        }));
    }
    let mut scalars = IFACE.messages_to_scalars(cs, disclosed_messages)?;
    scalars.extend(IFACE.messages_to_scalars(cs, disclosed_committed_messages)?);
    if core_proof_verify_with_nym(
        cs,
        pk,
        proof,
        pseudonym,
        context_id,
        header,
        ph,
        l,
        &scalars,
        disclosed_indexes,
        disclosed_committed_indexes,
    )? {
        Ok(())
    } else {
        Err(Error::Bbs(BbsError::ProofInvalid))
    }
}

/// ProofVerifyWithNym over scalars (`disclosed` = disclosed Signer messages, then disclosed
/// committed messages).
#[expect(
    clippy::too_many_arguments,
    reason = "ProofVerifyWithNym's parameters (pseudonym draft -01) plus the ciphersuite"
)]
pub(crate) fn core_proof_verify_with_nym(
    cs: Ciphersuite,
    pk: &PublicKey,
    proof: &Proof,
    pseudonym: &Pseudonym,
    context_id: &[u8],
    header: &[u8],
    ph: &[u8],
    l: usize,
    disclosed: &[Scalar],
    disclosed_indexes: &[usize],
    disclosed_committed_indexes: &[usize],
) -> Result<bool, Error> {
    let (layout, indexes) = verify_layout(
        cs,
        IFACE,
        proof,
        l,
        disclosed_indexes,
        disclosed_committed_indexes,
        2,
    )?;
    let op = context_point(cs, context_id)?;
    scheme::core_proof_verify_with(
        cs,
        &layout,
        pk,
        proof,
        header,
        ph,
        disclosed,
        &indexes,
        Some((&pseudonym.0, &op)),
    )
}
