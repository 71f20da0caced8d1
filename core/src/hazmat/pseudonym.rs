//! The building blocks of per-verifier pseudonyms (profile -01,
//! `draft-irtf-cfrg-bbs-per-verifier-linkability-01`) over scalars, for conformance testing.
//! DANGEROUS: prefer [`crate::bbs::pseudonym`].

use super::blind::{BlindSignTrace, compressed};
use super::{Scalar, unwrap_all, wrap};
use crate::Error;
use crate::bbs::blind::{self as blind_safe, CommitmentWithProof, Interface, ProverBlind};
use crate::bbs::generators::{GeneratorSet, create_generators_of};
use crate::bbs::pseudonym::{self as safe, NymSecret, ProverNym, Pseudonym, SignerNymEntropy};
use crate::bbs::{Ciphersuite, Proof, PublicKey, SecretKey, Signature};

/// The Interface's `api_id`: `ciphersuite_id || "H2G_HM2S_PSEUDONYM_"`.
pub fn api_id(cs: Ciphersuite) -> &'static [u8] {
    Interface::Pseudonym01.api_id(cs)
}

/// `create_generators(count, api_id)`: `Q_1, H_1, ..., H_(count-1)`, compressed.
pub fn create_generators(cs: Ciphersuite, count: usize) -> Result<Vec<[u8; 48]>, Error> {
    compressed(create_generators_of(cs, GeneratorSet::Pseudonym, count))
}

/// `create_generators(count, "BLIND_" || api_id)`: `Q_2, J_1, ..., J_(count-1)`, compressed.
pub fn create_blind_generators(cs: Ciphersuite, count: usize) -> Result<Vec<[u8; 48]>, Error> {
    compressed(create_generators_of(
        cs,
        GeneratorSet::PseudonymCommitted,
        count,
    ))
}

/// messages_to_scalars with the Interface's `api_id`.
pub fn messages_to_scalars<M: AsRef<[u8]>>(
    cs: Ciphersuite,
    messages: &[M],
) -> Result<Vec<Scalar>, Error> {
    Interface::Pseudonym01
        .messages_to_scalars(cs, messages)
        .map(wrap)
}

/// `OP = hash_to_curve_g1(context_id, api_id)`, compressed.
pub fn context_point(cs: Ciphersuite, context_id: &[u8]) -> Result<[u8; 48], Error> {
    Ok(safe::context_point(cs, context_id)?.compress())
}

/// CoreCommitVerify of a commitment whose last value is the prover nym.
pub fn core_commit_verify(
    cs: Ciphersuite,
    commitment: &CommitmentWithProof,
) -> Result<bool, Error> {
    blind_safe::core_commit_verify(cs, Interface::Pseudonym01, commitment)
}

/// BlindSignWithNym over scalar messages (the commitment's proof is checked first), with
/// its trace.
pub fn blind_sign_with_nym_trace(
    cs: Ciphersuite,
    sk: &SecretKey,
    pk: &PublicKey,
    commitment: &CommitmentWithProof,
    signer_nym_entropy: &SignerNymEntropy,
    header: &[u8],
    messages: &[Scalar],
) -> Result<BlindSignTrace, Error> {
    safe::core_blind_sign_with_nym(
        cs,
        sk,
        pk,
        commitment,
        signer_nym_entropy,
        header,
        &unwrap_all(messages),
    )
    .map(BlindSignTrace::from)
}

/// VerifyFinalizeWithNym over scalars: the nym secret if the signature verifies
/// ([`crate::BbsError::SignatureInvalid`] otherwise).
#[expect(
    clippy::too_many_arguments,
    reason = "VerifyFinalizeWithNym's parameters (pseudonym draft -01) plus the ciphersuite"
)]
pub fn core_verify_finalize(
    cs: Ciphersuite,
    pk: &PublicKey,
    sig: &Signature,
    header: &[u8],
    messages: &[Scalar],
    committed: &[Scalar],
    prover_nym: &ProverNym,
    signer_nym_entropy: &SignerNymEntropy,
    prover_blind: &ProverBlind,
) -> Result<NymSecret, Error> {
    safe::core_verify_finalize(
        cs,
        pk,
        sig,
        header,
        &unwrap_all(messages),
        &unwrap_all(committed),
        prover_nym,
        signer_nym_entropy,
        prover_blind,
    )
}

/// ProofVerifyWithNym over scalars (`disclosed`: the disclosed Signer messages, then the
/// disclosed committed messages).
#[expect(
    clippy::too_many_arguments,
    reason = "ProofVerifyWithNym's parameters (pseudonym draft -01) plus the ciphersuite"
)]
pub fn core_proof_verify_with_nym(
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
    safe::core_proof_verify_with_nym(
        cs,
        pk,
        proof,
        pseudonym,
        context_id,
        header,
        ph,
        l,
        &unwrap_all(disclosed),
        disclosed_indexes,
        disclosed_committed_indexes,
    )
}

/// CommitWithNym with caller-chosen "random" scalars `(secret_prover_blind, s~, m~_1..)`.
///
/// DANGEROUS: only for reproducing fixtures; compiled only with the `dangerous-test-vectors`
/// feature.
#[cfg(feature = "dangerous-test-vectors")]
pub fn dangerous_core_commit_with_nym_with_scalars(
    cs: Ciphersuite,
    committed: &[Scalar],
    prover_nym: &ProverNym,
    random_scalars: &[Scalar],
) -> Result<(CommitmentWithProof, ProverBlind), Error> {
    let mut scalars = unwrap_all(committed);
    scalars.push(prover_nym.0);
    blind_safe::core_commit(
        cs,
        Interface::Pseudonym01,
        &scalars,
        &unwrap_all(random_scalars),
    )
}

/// ProofGenWithNym over scalars with caller-chosen "random" scalars
/// `(r1, r2, e~, r1~, r3~, m~_j...)`.
///
/// DANGEROUS: proofs made with predictable or reused scalars reveal the hidden messages and
/// the nym secret. Only for reproducing fixtures; compiled only with the
/// `dangerous-test-vectors` feature.
#[cfg(feature = "dangerous-test-vectors")]
#[expect(
    clippy::too_many_arguments,
    reason = "ProofGenWithNym's parameters (pseudonym draft -01) plus the ciphersuite and mocked random scalars"
)]
pub fn dangerous_proof_gen_with_nym_with_scalars(
    cs: Ciphersuite,
    pk: &PublicKey,
    sig: &Signature,
    header: &[u8],
    ph: &[u8],
    context_id: &[u8],
    nym_secret: &NymSecret,
    messages: &[Scalar],
    committed: &[Scalar],
    disclosed_indexes: &[usize],
    disclosed_committed_indexes: &[usize],
    prover_blind: &ProverBlind,
    random_scalars: &[Scalar],
) -> Result<(Proof, Pseudonym), Error> {
    safe::core_proof_gen_with_nym(
        cs,
        pk,
        sig,
        header,
        ph,
        context_id,
        nym_secret,
        &unwrap_all(messages),
        &unwrap_all(committed),
        disclosed_indexes,
        disclosed_committed_indexes,
        prover_blind,
        &unwrap_all(random_scalars),
    )
}
