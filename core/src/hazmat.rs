//! **Hazardous materials.** Low-level building blocks of the BBS draft, for conformance
//! testing and for protocols built on BBS (bbs-2023 and its features), and the constructors
//! that take the caller's word for a check. Misuse breaks security: an application uses
//! [`crate::bbs`], [`crate::bbs2023`] and [`crate::verifier`] instead. Public only with the
//! `hazmat` feature.
//!
//! [`blind`] and [`pseudonym`] hold those of Blind BBS and of per-verifier pseudonyms.

pub mod blind;
pub mod pseudonym;

/// Marks `list` as coming from a credential whose proof the caller has verified with a key it
/// trusts for the list's issuer, without checking anything (the verifier does check it, and
/// makes its lists this way after). For tests of the status list code on its own.
pub fn assume_status_list_verified(
    list: crate::status::StatusListCredential,
) -> crate::status::VerifiedStatusList {
    list.assume_proof_verified()
}

use crate::EncodingError;
use crate::Error;
use crate::bbs::{self, Ciphersuite, Proof, PublicKey, SecretKey, Signature};

/// A scalar modulo the group order r (see [`crate::bbs`]); `Debug` never prints its value.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Scalar(pub(crate) bbs::Scalar);

impl Scalar {
    /// `I2OSP(value, 32)`.
    pub fn to_bytes(self) -> [u8; 32] {
        self.0.to_be_bytes()
    }

    /// Decode `I2OSP(value, 32)` with `0 <= value < r` (zero allowed: the draft's default
    /// for an absent prover blind).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        const WHAT: &str = "scalar";
        let arr: &[u8; 32] = bytes.try_into().map_err(|_| {
            Error::Encoding(EncodingError::Length {
                what: WHAT,
                expected: 32,
                actual: bytes.len(),
            })
        })?;
        bbs::Scalar::from_be_bytes_canonical(arr)
            .map(Scalar)
            .ok_or(Error::Encoding(EncodingError::Scalar { what: WHAT }))
    }
}

pub(crate) fn wrap(v: Vec<bbs::Scalar>) -> Vec<Scalar> {
    v.into_iter().map(Scalar).collect()
}

pub(crate) fn unwrap_all(v: &[Scalar]) -> Vec<bbs::Scalar> {
    v.iter().map(|s| s.0).collect()
}

/// `create_generators(count, api_id)`: `Q_1, H_1, ..., H_(count-1)`, compressed.
pub fn create_generators(cs: Ciphersuite, count: usize) -> Result<Vec<[u8; 48]>, Error> {
    Ok(bbs::create_generators(cs, count)?
        .iter()
        .map(|g| g.compress())
        .collect())
}

/// The ciphersuite's fixed point `P1`, compressed.
pub fn p1(cs: Ciphersuite) -> Result<[u8; 48], Error> {
    Ok(bbs::p1(cs)?.compress())
}

/// `hash_to_scalar(msg, dst)`.
pub fn hash_to_scalar(cs: Ciphersuite, msg: &[u8], dst: &[u8]) -> Result<Scalar, Error> {
    cs.hash_to_scalar(&[msg], dst).map(Scalar)
}

/// `messages_to_scalars(messages, api_id)` of the BBS Signatures Interface.
pub fn messages_to_scalars<M: AsRef<[u8]>>(
    cs: Ciphersuite,
    messages: &[M],
) -> Result<Vec<Scalar>, Error> {
    bbs::messages_to_scalars(cs, messages).map(wrap)
}

/// `seeded_random_scalars(seed, dst, count)`: the draft's mocked random scalars for test
/// vectors (section "Mocked Random Scalars"). Never use these as proof randomness.
pub fn seeded_random_scalars(
    cs: Ciphersuite,
    seed: &[u8],
    dst: &[u8],
    count: usize,
) -> Result<Vec<Scalar>, Error> {
    const EXPAND_LEN: usize = 48;
    let len = count
        .checked_mul(EXPAND_LEN)
        .filter(|l| *l <= 65535)
        .ok_or(Error::TooLarge {
            what: "mocked random scalars",
            actual: count,
            limit: 65535 / EXPAND_LEN,
        })?;
    let mut v = vec![0u8; len];
    cs.expand_message(&[seed], dst, &mut v)?;
    Ok(v.chunks_exact(EXPAND_LEN)
        .map(|c| Scalar(bbs::Scalar::from_be_bytes_reduced(c)))
        .collect())
}

/// CoreSign over scalar messages, with the BBS Signatures Interface's `api_id`.
pub fn core_sign(
    cs: Ciphersuite,
    sk: &SecretKey,
    pk: &PublicKey,
    header: &[u8],
    messages: &[Scalar],
) -> Result<Signature, Error> {
    bbs::core_sign(cs, sk, pk, header, &unwrap_all(messages))
}

/// CoreVerify over scalar messages.
pub fn core_verify(
    cs: Ciphersuite,
    pk: &PublicKey,
    sig: &Signature,
    header: &[u8],
    messages: &[Scalar],
) -> Result<bool, Error> {
    bbs::core_verify(cs, pk, sig, header, &unwrap_all(messages))
}

/// CoreProofVerify over scalar messages.
pub fn core_proof_verify(
    cs: Ciphersuite,
    pk: &PublicKey,
    proof: &Proof,
    header: &[u8],
    ph: &[u8],
    disclosed_messages: &[Scalar],
    disclosed_indexes: &[usize],
) -> Result<bool, Error> {
    bbs::core_proof_verify(
        cs,
        pk,
        proof,
        header,
        ph,
        &unwrap_all(disclosed_messages),
        disclosed_indexes,
    )
}

/// CoreProofGen with caller-chosen "random" scalars `(r1, r2, e~, r1~, r3~, m~_j...)`.
///
/// DANGEROUS: proofs made with predictable or reused scalars reveal the hidden messages and
/// link presentations. This exists only to reproduce the draft's fixtures byte for byte, and
/// is compiled only with the `dangerous-test-vectors` feature.
#[cfg(feature = "dangerous-test-vectors")]
#[expect(
    clippy::too_many_arguments,
    reason = "CoreProofGen's parameters plus the ciphersuite and the mocked random scalars"
)]
pub fn dangerous_core_proof_gen_with_scalars(
    cs: Ciphersuite,
    pk: &PublicKey,
    sig: &Signature,
    header: &[u8],
    ph: &[u8],
    messages: &[Scalar],
    disclosed_indexes: &[usize],
    random_scalars: &[Scalar],
) -> Result<Proof, Error> {
    bbs::core_proof_gen(
        cs,
        pk,
        sig,
        header,
        ph,
        &unwrap_all(messages),
        disclosed_indexes,
        &unwrap_all(random_scalars),
    )
}
