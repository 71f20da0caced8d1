//! The building blocks of Blind BBS (`draft-irtf-cfrg-bbs-blind-signatures`) over scalars,
//! for conformance testing and protocols built on it. DANGEROUS: prefer
//! [`crate::bbs::blind`], which maps messages, draws randomness and keeps the prover blind's
//! index out of every disclosure.
//!
//! The signed list is `msg_1..msg_L, prover_blind, committed_1..committed_M` over the
//! generators `Q_1, H_1..H_L` and the blind generators `Q_2, J_1..J_M`; an index in the
//! combined list addresses one of them, and index `L` (the prover blind) is refused.

use super::{Scalar, unwrap_all, wrap};
use crate::BbsError;
use crate::Error;
use crate::bbs::blind::{self as safe, CommitmentWithProof, Interface};
use crate::bbs::generators::{GeneratorSet, create_generators_of};
use crate::bbs::scheme;
use crate::bbs::{Ciphersuite, Proof, PublicKey, SecretKey, Signature};

/// What BlindSign computed: the signature, `B` and the domain (the fixtures' trace).
#[derive(Clone, Debug)]
pub struct BlindSignTrace {
    /// The blind signature.
    pub signature: Signature,
    /// `B`, compressed.
    pub b: [u8; 48],
    /// The domain scalar.
    pub domain: Scalar,
}

impl From<safe::BlindSignOutput> for BlindSignTrace {
    fn from(o: safe::BlindSignOutput) -> Self {
        BlindSignTrace {
            signature: o.signature,
            b: o.b.compress(),
            domain: Scalar(o.domain),
        }
    }
}

/// The Interface's `api_id`: `ciphersuite_id || "BLIND_H2G_HM2S_"`.
pub fn api_id(cs: Ciphersuite) -> &'static [u8] {
    Interface::Blind.api_id(cs)
}

/// `create_generators(count, api_id)`: `Q_1, H_1, ..., H_(count-1)`, compressed.
pub fn create_generators(cs: Ciphersuite, count: usize) -> Result<Vec<[u8; 48]>, Error> {
    compressed(create_generators_of(cs, GeneratorSet::Blind, count))
}

/// `create_generators(count, "BLIND_" || api_id)`: `Q_2, J_1, ..., J_(count-1)`, compressed.
pub fn create_blind_generators(cs: Ciphersuite, count: usize) -> Result<Vec<[u8; 48]>, Error> {
    compressed(create_generators_of(
        cs,
        GeneratorSet::BlindCommitted,
        count,
    ))
}

pub(crate) fn compressed(
    g: Result<Vec<crate::bbs::curve::G1Affine>, Error>,
) -> Result<Vec<[u8; 48]>, Error> {
    Ok(g?.iter().map(|p| p.compress()).collect())
}

/// messages_to_scalars with the Interface's `api_id`.
pub fn messages_to_scalars<M: AsRef<[u8]>>(
    cs: Ciphersuite,
    messages: &[M],
) -> Result<Vec<Scalar>, Error> {
    Interface::Blind.messages_to_scalars(cs, messages).map(wrap)
}

/// CoreCommitVerify.
pub fn core_commit_verify(
    cs: Ciphersuite,
    commitment: &CommitmentWithProof,
) -> Result<bool, Error> {
    safe::core_commit_verify(cs, Interface::Blind, commitment)
}

/// BlindSign over scalar messages (the commitment's proof is checked first), with its trace.
pub fn blind_sign_with_trace(
    cs: Ciphersuite,
    sk: &SecretKey,
    pk: &PublicKey,
    commitment: Option<&CommitmentWithProof>,
    header: &[u8],
    messages: &[Scalar],
) -> Result<BlindSignTrace, Error> {
    safe::core_blind_sign(
        cs,
        Interface::Blind,
        sk,
        pk,
        commitment,
        header,
        &unwrap_all(messages),
        None,
    )
    .map(BlindSignTrace::from)
}

/// The combined list's layout: `l` Signer messages, then `total - l >= 1` blind values.
fn layout(cs: Ciphersuite, l: usize, total: usize) -> Result<scheme::Layout, Error> {
    let Some(k) = total.checked_sub(l).filter(|k| *k >= 1) else {
        return Err(Error::Bbs(BbsError::MessageCount {
            expected: l.saturating_add(1),
            actual: total,
        }));
    };
    Interface::Blind.layout(cs, l, k)
}

/// CoreVerify of a blind signature over the combined list `signed` (the prover blind at
/// index `l`, zero for a signature without commitment).
pub fn core_verify(
    cs: Ciphersuite,
    pk: &PublicKey,
    sig: &Signature,
    header: &[u8],
    l: usize,
    signed: &[Scalar],
) -> Result<bool, Error> {
    let layout = layout(cs, l, signed.len())?;
    scheme::core_verify_with(cs, &layout, pk, sig, header, &unwrap_all(signed))
}

/// CoreProofVerify of a blind proof, with indexes in the combined list; index `l` (the
/// prover blind) is refused with [`crate::BbsError::UndisclosableIndex`].
#[expect(
    clippy::too_many_arguments,
    reason = "CoreProofVerify's parameters (Blind BBS) plus the ciphersuite and L"
)]
pub fn core_proof_verify(
    cs: Ciphersuite,
    pk: &PublicKey,
    proof: &Proof,
    header: &[u8],
    ph: &[u8],
    l: usize,
    disclosed_messages: &[Scalar],
    disclosed_indexes: &[usize],
) -> Result<bool, Error> {
    safe::refuse_blind_index(l, disclosed_indexes)?;
    let layout = layout(cs, l, disclosed_indexes.len() + proof.undisclosed_count())?;
    scheme::core_proof_verify_with(
        cs,
        &layout,
        pk,
        proof,
        header,
        ph,
        &unwrap_all(disclosed_messages),
        disclosed_indexes,
        None,
    )
}

/// CoreCommit with caller-chosen "random" scalars `(secret_prover_blind, s~, m~_1..m~_M)`.
///
/// DANGEROUS: a predictable prover blind lets the Signer recover committed messages and
/// anyone verify the signature. Only for reproducing fixtures; compiled only with the
/// `dangerous-test-vectors` feature.
#[cfg(feature = "dangerous-test-vectors")]
pub fn dangerous_core_commit_with_scalars(
    cs: Ciphersuite,
    committed: &[Scalar],
    random_scalars: &[Scalar],
) -> Result<(CommitmentWithProof, safe::ProverBlind), Error> {
    safe::core_commit(
        cs,
        Interface::Blind,
        &unwrap_all(committed),
        &unwrap_all(random_scalars),
    )
}

/// CoreProofGen of a blind proof over the combined list `signed` with caller-chosen "random"
/// scalars `(r1, r2, e~, r1~, r3~, m~_j...)`; index `l` (the prover blind) is refused.
///
/// DANGEROUS: proofs made with predictable or reused scalars reveal the hidden messages and
/// link presentations. Only for reproducing fixtures; compiled only with the
/// `dangerous-test-vectors` feature.
#[cfg(feature = "dangerous-test-vectors")]
#[expect(
    clippy::too_many_arguments,
    reason = "CoreProofGen's parameters (Blind BBS) plus the ciphersuite, L and mocked random scalars"
)]
pub fn dangerous_core_proof_gen_with_scalars(
    cs: Ciphersuite,
    pk: &PublicKey,
    sig: &Signature,
    header: &[u8],
    ph: &[u8],
    l: usize,
    signed: &[Scalar],
    disclosed_indexes: &[usize],
    random_scalars: &[Scalar],
) -> Result<Proof, Error> {
    safe::refuse_blind_index(l, disclosed_indexes)?;
    let layout = layout(cs, l, signed.len())?;
    scheme::core_proof_gen_with(
        cs,
        &layout,
        pk,
        sig,
        header,
        ph,
        &unwrap_all(signed),
        disclosed_indexes,
        &unwrap_all(random_scalars),
        None,
    )
    .map(|(p, _)| p)
}
