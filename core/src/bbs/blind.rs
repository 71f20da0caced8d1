//! Blind BBS signatures: the Blind BBS Signatures Interface of the IRTF CFRG draft "Blind BBS
//! Signatures" (`draft-irtf-cfrg-bbs-blind-signatures`), with the algorithms of its -01/-02
//! text and fixtures, for both BLS12-381 ciphersuites.
//! <https://datatracker.ietf.org/doc/draft-irtf-cfrg-bbs-blind-signatures/>
//!
//! The Prover commits to messages the Signer must not see ([`commit`]) and proves knowledge
//! of them; the Signer checks that proof and signs the commitment together with messages of
//! its own ([`blind_sign`]); the Prover checks the signature with the committed messages and
//! its [`ProverBlind`] ([`verify_blind_sign`]) and later proves knowledge of it, disclosing
//! any of the Signer's and its own messages ([`blind_proof_gen`], [`blind_proof_verify`]).
//!
//! The signed messages are, in order, the Signer's `L` messages, the prover blind, then the
//! `M` committed messages; they use the Interface's own generators
//! (`api_id = ciphersuite_id || "BLIND_H2G_HM2S_"`, blind generators from
//! `"BLIND_" || api_id`). Where the draft's text and its fixtures disagree Civitas follows
//! the fixtures: the signature scalar is `e = hash_to_scalar(SK || B)` (the text says
//! `(SK, B, domain)`), and `B` and the domain include `P1`, `Q_1 * domain` and `Q_2`.
//!
//! ```
//! use civitas_core::bbs::{self, Ciphersuite, SecretKey, blind};
//!
//! let cs = Ciphersuite::Bls12381Sha256;
//! let sk = SecretKey::key_gen(cs, &[7u8; 32], b"", None)?;
//! let pk = sk.public_key();
//! // The holder commits to a secret the issuer never sees.
//! let secret = blind::HolderSecret::generate()?;
//! let (commitment, prover_blind) = blind::commit(cs, &[&secret])?;
//! // The issuer checks the commitment's proof and signs its own messages with it.
//! let issued: [&[u8]; 2] = [b"name: Ada", b"degree: MSc"];
//! let sig = blind::blind_sign(cs, &sk, &pk, Some(&commitment), 1, b"diploma", &issued)?;
//! blind::verify_blind_sign(cs, &pk, &sig, b"diploma", &issued, &[&secret], Some(&prover_blind))?;
//! // A presentation disclosing the degree only; the holder secret stays hidden.
//! let proof = blind::blind_proof_gen(
//!     cs, &pk, &sig, b"diploma", b"nonce-42", &issued, &[&secret], &[1], &[], Some(&prover_blind),
//! )?;
//! let none: [&[u8]; 0] = [];
//! blind::blind_proof_verify(cs, &pk, &proof, b"diploma", b"nonce-42", 2, &[issued[1]], &none, &[1], &[])?;
//! # Ok::<(), civitas_core::Error>(())
//! ```

use crate::{BbsError, EncodingError};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::curve::{G1, G1_LEN, G1Affine, SCALAR_LEN, Scalar};
use super::generators::{GeneratorSet, generators_of};
use super::scheme::{self, Layout};
use super::{
    Ciphersuite, Proof, PublicKey, SecretKey, Signature, check_len, g1_from_slice,
    messages_to_scalars_with, random_scalars, scalar_from_slice,
};
use crate::Error;

/// A secret scalar type: zeroized on drop, `Debug` prints `[redacted]`, constant-time
/// equality, a validating decoder (`0 < value < r`).
macro_rules! secret_scalar {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        ///
        /// Zeroized on drop; `Debug` prints `[redacted]`; equality is constant time.
        #[derive(Clone, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
        pub struct $name(pub(crate) $crate::bbs::Scalar);

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }

        impl subtle::ConstantTimeEq for $name {
            fn ct_eq(&self, other: &Self) -> subtle::Choice {
                let a = zeroize::Zeroizing::new(self.0.to_be_bytes());
                let b = zeroize::Zeroizing::new(other.0.to_be_bytes());
                a.as_slice().ct_eq(b.as_slice())
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                subtle::ConstantTimeEq::ct_eq(self, other).into()
            }
        }

        impl Eq for $name {}

        impl $name {
            /// Decode `I2OSP(value, 32)`; the value must satisfy `0 < value < r`.
            pub fn from_bytes(bytes: &[u8]) -> Result<Self, $crate::Error> {
                $crate::bbs::scalar_from_slice($what, bytes).map($name)
            }

            /// `I2OSP(value, 32)`, zeroized when dropped.
            pub fn to_bytes(&self) -> zeroize::Zeroizing<[u8; 32]> {
                zeroize::Zeroizing::new(self.0.to_be_bytes())
            }
        }
    };
}

secret_scalar!(
    /// The Prover's blinding factor of a commitment (`secret_prover_blind`): signed as a
    /// hidden message, so that only its holder can verify the signature or derive proofs.
    ProverBlind,
    "prover blind"
);

/// A secret octet string a holder commits to (for example the holder secret of bbs-2023's
/// holder binding): 32 random bytes by default.
///
/// Zeroized on drop; `Debug` prints `[redacted]`; equality is constant time.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct HolderSecret(Vec<u8>);

impl core::fmt::Debug for HolderSecret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("HolderSecret([redacted])")
    }
}

impl ConstantTimeEq for HolderSecret {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.0.as_slice().ct_eq(other.0.as_slice())
    }
}

impl PartialEq for HolderSecret {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for HolderSecret {}

impl AsRef<[u8]> for HolderSecret {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl HolderSecret {
    /// 32 bytes from the operating system's random generator.
    pub fn generate() -> Result<Self, Error> {
        let mut bytes = vec![0u8; 32];
        getrandom::getrandom(&mut bytes).map_err(|_| Error::Crypto("no system randomness"))?;
        Ok(HolderSecret(bytes))
    }

    /// A copy of `bytes` (at least 16 and at most 1024 bytes).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        if bytes.len() < 16 {
            return Err(Error::Encoding(EncodingError::Length {
                what: "holder secret",
                expected: 16,
                actual: bytes.len(),
            }));
        }
        if bytes.len() > 1024 {
            return Err(Error::TooLarge {
                what: "holder secret",
                actual: bytes.len(),
                limit: 1024,
            });
        }
        Ok(HolderSecret(bytes.to_vec()))
    }

    /// The secret bytes, zeroized when dropped.
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.0.clone())
    }
}

// ---------------------------------------------------------------------------------------------
// Commitments

/// A commitment with its proof of correctness, `C || s^ || m^_1 .. m^_M || c`
/// (commitment_with_proof_to_octets). The proof shows knowledge of the committed values and
/// fixes their number `M`; it is checked by [`blind_sign`] before anything is signed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitmentWithProof {
    pub(crate) commitment: G1Affine,
    pub(crate) s_hat: Scalar,
    pub(crate) m_hat: Vec<Scalar>,
    pub(crate) challenge: Scalar,
}

impl CommitmentWithProof {
    /// Shortest encoding: a point and two scalars (nothing committed but the blind).
    pub const MIN_LEN: usize = G1_LEN + 2 * SCALAR_LEN;

    /// octets_to_commitment_with_proof: `C` a valid non-identity point of G1, then scalars
    /// `0 < s < r`; at most [`super::MAX_MESSAGES`] committed values.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        const WHAT: &str = "commitment";
        if bytes.len() < Self::MIN_LEN || !(bytes.len() - G1_LEN).is_multiple_of(SCALAR_LEN) {
            return Err(Error::Encoding(EncodingError::Length {
                what: WHAT,
                expected: Self::MIN_LEN,
                actual: bytes.len(),
            }));
        }
        let m = (bytes.len() - Self::MIN_LEN) / SCALAR_LEN;
        if m > super::MAX_MESSAGES {
            return Err(Error::Bbs(BbsError::TooManyMessages {
                count: m,
                limit: super::MAX_MESSAGES,
            }));
        }
        let (c, scalars) = bytes.split_at(G1_LEN);
        let commitment = g1_from_slice(WHAT, c)?;
        let s: Vec<Scalar> = scalars
            .chunks_exact(SCALAR_LEN)
            .map(|c| scalar_from_slice(WHAT, c))
            .collect::<Result<_, _>>()?;
        let [s_hat, m_hat @ .., challenge] = s.as_slice() else {
            return Err(Error::Encoding(EncodingError::Length {
                what: WHAT,
                expected: Self::MIN_LEN,
                actual: bytes.len(),
            }));
        };
        Ok(CommitmentWithProof {
            commitment,
            s_hat: *s_hat,
            m_hat: m_hat.to_vec(),
            challenge: *challenge,
        })
    }

    /// commitment_with_proof_to_octets.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(Self::MIN_LEN + self.m_hat.len() * SCALAR_LEN);
        out.extend_from_slice(&self.commitment.compress());
        for s in [&self.s_hat]
            .into_iter()
            .chain(&self.m_hat)
            .chain([&self.challenge])
        {
            out.extend_from_slice(&s.to_be_bytes());
        }
        out
    }

    /// The number of values committed besides the prover blind (for the pseudonym
    /// Interface this counts the prover nym too).
    pub fn committed_count(&self) -> usize {
        self.m_hat.len()
    }
}

// ---------------------------------------------------------------------------------------------
// The Interfaces that use blind generators

/// An Interface signing a blind part: its generators, blind generators and `api_id`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Interface {
    /// Blind BBS: `ciphersuite_id || "BLIND_H2G_HM2S_"`.
    Blind,
    /// Pseudonyms (per-verifier linkability -01): `ciphersuite_id || "H2G_HM2S_PSEUDONYM_"`.
    Pseudonym01,
}

impl Interface {
    fn sets(self) -> (GeneratorSet, GeneratorSet) {
        match self {
            Interface::Blind => (GeneratorSet::Blind, GeneratorSet::BlindCommitted),
            Interface::Pseudonym01 => (GeneratorSet::Pseudonym, GeneratorSet::PseudonymCommitted),
        }
    }

    /// The Interface's `api_id`.
    pub(crate) fn api_id(self, cs: Ciphersuite) -> &'static [u8] {
        self.sets().0.api_id(cs)
    }

    /// The generators of a signature on `l` Signer messages and `k` blind values (the prover
    /// blind, the committed messages and, for pseudonyms, the nym secret).
    pub(crate) fn layout(self, cs: Ciphersuite, l: usize, k: usize) -> Result<Layout, Error> {
        let (set, blind_set) = self.sets();
        Layout::with_blind(cs, set, blind_set, l, k)
    }

    /// messages_to_scalars with the Interface's `api_id`.
    pub(crate) fn messages_to_scalars<M: AsRef<[u8]>>(
        self,
        cs: Ciphersuite,
        messages: &[M],
    ) -> Result<Vec<Scalar>, Error> {
        messages_to_scalars_with(cs, self.api_id(cs), messages)
    }

    /// `Q_2, J_1, ..., J_(k-1)` with the cache's leading `P1`: `[P1, Q_2, J_1, ...]`.
    fn blind_generators(
        self,
        cs: Ciphersuite,
        k: usize,
    ) -> Result<std::sync::Arc<super::generators::Generators>, Error> {
        generators_of(cs, self.sets().1, k.saturating_sub(1))
    }
}

/// calculate_blind_challenge: `hash_to_scalar(I2OSP(M, 8) || Q_2 || J_1..J_M || C || Cbar,
/// api_id || "H2S_")`.
fn blind_challenge(
    cs: Ciphersuite,
    iface: Interface,
    gens: &super::generators::Generators,
    m: usize,
    c: &G1Affine,
    cbar: &G1Affine,
) -> Result<Scalar, Error> {
    let blind = gens
        .compressed()
        .get(1..m + 2)
        .ok_or(Error::Crypto("blind generators missing"))?;
    let m_bytes = (m as u64).to_be_bytes();
    let c_bytes = c.compress();
    let cbar_bytes = cbar.compress();
    let mut parts: Vec<&[u8]> = Vec::with_capacity(m + 4);
    parts.push(&m_bytes);
    parts.extend(blind.iter().map(|g| g.as_slice()));
    parts.push(&c_bytes);
    parts.push(&cbar_bytes);
    let dst = [iface.api_id(cs), b"H2S_"].concat();
    cs.hash_to_scalar(&parts, &dst)
}

/// CoreCommit with the given random scalars `(secret_prover_blind, s~, m~_1, ..., m~_M)`.
pub(crate) fn core_commit(
    cs: Ciphersuite,
    iface: Interface,
    committed: &[Scalar],
    random: &[Scalar],
) -> Result<(CommitmentWithProof, ProverBlind), Error> {
    let m = committed.len();
    let [blind, s_t, m_t @ ..] = random else {
        return Err(Error::Crypto("too few random scalars"));
    };
    if m_t.len() != m {
        return Err(Error::Crypto(
            "random scalar count does not match the committed messages",
        ));
    }
    if blind.is_zero() {
        return Err(Error::Crypto("prover blind is zero"));
    }
    let gens = iface.blind_generators(cs, m + 1)?;
    // C = Q_2 * secret_prover_blind + J_1 * msg_1 + ... ; Cbar = Q_2 * s~ + J_1 * m~_1 + ...
    // over the cache [P1, Q_2, J_1, ...] with zero for P1.
    let mut c_s = Vec::with_capacity(m + 2);
    c_s.push(Scalar::ZERO);
    c_s.push(*blind);
    c_s.extend_from_slice(committed);
    let c = gens.msm(&c_s);
    c_s.iter_mut().for_each(Zeroize::zeroize);
    let mut cbar_s = Vec::with_capacity(m + 2);
    cbar_s.push(Scalar::ZERO);
    cbar_s.push(*s_t);
    cbar_s.extend_from_slice(m_t);
    let cbar = gens.msm(&cbar_s);
    cbar_s.iter_mut().for_each(Zeroize::zeroize);
    if c.is_identity() {
        return Err(Error::Crypto("commitment is the identity"));
    }
    let c = c.to_affine();
    let challenge = blind_challenge(cs, iface, &gens, m, &c, &cbar.to_affine())?;
    let s_hat = s_t.add(&blind.mul(&challenge));
    let m_hat: Vec<Scalar> = m_t
        .iter()
        .zip(committed)
        .map(|(t, msg)| t.add(&msg.mul(&challenge)))
        .collect();
    if s_hat.is_zero() || challenge.is_zero() || m_hat.iter().any(Scalar::is_zero) {
        // Not encodable (octets_to_commitment_with_proof refuses zero); negligible.
        return Err(Error::Crypto("commitment proof scalar is zero"));
    }
    Ok((
        CommitmentWithProof {
            commitment: c,
            s_hat,
            m_hat,
            challenge,
        },
        ProverBlind(*blind),
    ))
}

/// CoreCommitVerify: `Cbar = Q_2 * s^ + J_1 * m^_1 + ... - C * c`, then the challenge.
pub(crate) fn core_commit_verify(
    cs: Ciphersuite,
    iface: Interface,
    commitment: &CommitmentWithProof,
) -> Result<bool, Error> {
    let m = commitment.m_hat.len();
    let gens = iface.blind_generators(cs, m + 1)?;
    let mut s = Vec::with_capacity(m + 2);
    s.push(Scalar::ZERO);
    s.push(commitment.s_hat);
    s.extend_from_slice(&commitment.m_hat);
    let cbar = gens
        .msm(&s)
        .add(&G1::from_affine(&commitment.commitment).mul(&commitment.challenge.neg()));
    if cbar.is_identity() {
        return Ok(false);
    }
    let expected = blind_challenge(
        cs,
        iface,
        &gens,
        m,
        &commitment.commitment,
        &cbar.to_affine(),
    )?;
    Ok(expected == commitment.challenge)
}

/// What BlindSign computed: the signature with the `B` and domain it signed (the fixtures'
/// trace).
pub(crate) struct BlindSignOutput {
    pub(crate) signature: Signature,
    pub(crate) b: G1Affine,
    pub(crate) domain: Scalar,
}

/// BlindSign over scalar messages: checks the commitment's proof, then signs
/// `B = P1 + Q_1 * domain + sum(H_i * msg_i) + C [+ J_last * signer_nym_entropy]` with
/// `e = hash_to_scalar(SK || B, api_id || "H2S_")` (as the fixtures compute it).
#[expect(
    clippy::too_many_arguments,
    reason = "BlindSign's parameters (Blind BBS) plus the ciphersuite, Interface and signer nym entropy"
)]
pub(crate) fn core_blind_sign(
    cs: Ciphersuite,
    iface: Interface,
    sk: &SecretKey,
    pk: &PublicKey,
    commitment: Option<&CommitmentWithProof>,
    header: &[u8],
    messages: &[Scalar],
    signer_nym_entropy: Option<&Scalar>,
) -> Result<BlindSignOutput, Error> {
    let l = messages.len();
    let committed = commitment.map_or(0, CommitmentWithProof::committed_count);
    if let Some(c) = commitment
        && !core_commit_verify(cs, iface, c)?
    {
        return Err(Error::Bbs(BbsError::CommitmentProofInvalid));
    }
    if signer_nym_entropy.is_some() && committed == 0 {
        // The pseudonym Interface's last committed value is the prover nym.
        return Err(Error::Bbs(BbsError::CommittedMessageCount {
            expected: 1,
            actual: 0,
        }));
    }
    // Blind generators: Q_2 for the prover blind, then one per committed value.
    let k = committed + 1;
    let layout = iface.layout(cs, l, k)?;
    let domain = layout.domain(cs, pk, header)?;
    let mut b_s = scheme::b_scalars(&domain, messages);
    b_s.resize(2 + l + k, Scalar::ZERO);
    if let (Some(entropy), Some(last)) = (signer_nym_entropy, b_s.last_mut()) {
        *last = *entropy;
    }
    let mut b = layout.msm(&b_s);
    b_s.iter_mut().for_each(Zeroize::zeroize);
    if let Some(c) = commitment {
        b = b.add(&G1::from_affine(&c.commitment));
    }
    if b.is_identity() {
        return Err(Error::Crypto("B is the identity"));
    }
    let b_affine = b.to_affine();
    let mut sk_bytes = sk.scalar().to_be_bytes();
    let e = cs.hash_to_scalar(&[&sk_bytes, &b_affine.compress()], &layout.h2s_dst());
    sk_bytes.zeroize();
    let signature = scheme::finalize_sign(sk, &b, e?)?;
    Ok(BlindSignOutput {
        signature,
        b: b_affine,
        domain,
    })
}

/// The whole signed message list: `messages || prover_blind (or 0) || committed [|| nym]`.
pub(crate) fn signed_scalars(
    messages: &[Scalar],
    prover_blind: Option<&Scalar>,
    committed: &[Scalar],
    nym_secret: Option<&Scalar>,
) -> Vec<Scalar> {
    let mut all = Vec::with_capacity(messages.len() + committed.len() + 2);
    all.extend_from_slice(messages);
    all.push(prover_blind.copied().unwrap_or(Scalar::ZERO));
    all.extend_from_slice(committed);
    if let Some(n) = nym_secret {
        all.push(*n);
    }
    all
}

/// Disclosed indexes in the whole signed list: Signer indexes `i < L` as they are,
/// committed indexes `j < M` as `L + 1 + j` (the prover blind, at `L`, is never disclosed).
pub(crate) fn combined_indexes(
    l: usize,
    m: usize,
    disclosed_indexes: &[usize],
    disclosed_committed_indexes: &[usize],
) -> Result<Vec<usize>, Error> {
    scheme::check_indexes(disclosed_indexes, l)?;
    scheme::check_indexes(disclosed_committed_indexes, m)?;
    Ok(disclosed_indexes
        .iter()
        .copied()
        .chain(disclosed_committed_indexes.iter().map(|j| j + l + 1))
        .collect())
}

/// Refuse a combined index that names the prover blind (`L`).
pub(crate) fn refuse_blind_index(l: usize, indexes: &[usize]) -> Result<(), Error> {
    match indexes.iter().find(|&&i| i == l) {
        Some(&index) => Err(Error::Bbs(BbsError::UndisclosableIndex { index })),
        None => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// The Blind BBS Signatures Interface (octet-string messages)

/// Commit: a commitment to `committed_messages` with its proof, and the secret
/// [`ProverBlind`] (keep it: it is needed to verify the signature and to derive proofs).
pub fn commit<C: AsRef<[u8]>>(
    cs: Ciphersuite,
    committed_messages: &[C],
) -> Result<(CommitmentWithProof, ProverBlind), Error> {
    let iface = Interface::Blind;
    let mut scalars = iface.messages_to_scalars(cs, committed_messages)?;
    let mut random = random_scalars(scalars.len() + 2)?;
    let out = core_commit(cs, iface, &scalars, &random);
    random.iter_mut().for_each(Zeroize::zeroize);
    scalars.iter_mut().for_each(Zeroize::zeroize);
    out
}

/// Check a commitment's proof of knowledge (CoreCommitVerify), as [`blind_sign`] does first:
/// `Ok(())` or [`crate::BbsError::CommitmentProofInvalid`].
pub fn verify_commitment(cs: Ciphersuite, commitment: &CommitmentWithProof) -> Result<(), Error> {
    if core_commit_verify(cs, Interface::Blind, commitment)? {
        Ok(())
    } else {
        Err(Error::Bbs(BbsError::CommitmentProofInvalid))
    }
}

/// BlindSign: sign `messages` and the Prover's commitment under `header`.
///
/// `committed_count` is the number of committed messages the Signer expects (the
/// application fixes it; a commitment with another number is refused with
/// [`crate::BbsError::CommittedMessageCount`]); the commitment's proof is verified before signing
/// ([`crate::BbsError::CommitmentProofInvalid`]). Without a commitment (`None`, `committed_count` 0)
/// the signature is a blind signature with a zero prover blind, verifiable by anyone who
/// knows the messages.
pub fn blind_sign<M: AsRef<[u8]>>(
    cs: Ciphersuite,
    sk: &SecretKey,
    pk: &PublicKey,
    commitment: Option<&CommitmentWithProof>,
    committed_count: usize,
    header: &[u8],
    messages: &[M],
) -> Result<Signature, Error> {
    check_len("header", header)?;
    let actual = commitment.map_or(0, CommitmentWithProof::committed_count);
    if actual != committed_count {
        return Err(Error::Bbs(BbsError::CommittedMessageCount {
            expected: committed_count,
            actual,
        }));
    }
    let iface = Interface::Blind;
    let scalars = iface.messages_to_scalars(cs, messages)?;
    core_blind_sign(cs, iface, sk, pk, commitment, header, &scalars, None).map(|o| o.signature)
}

/// VerifyBlindSign: check `signature` on the Signer's `messages`, the `committed_messages`
/// and the prover blind (`None` for a signature made without a commitment): `Ok(())` or
/// [`crate::BbsError::SignatureInvalid`].
pub fn verify_blind_sign<M: AsRef<[u8]>, C: AsRef<[u8]>>(
    cs: Ciphersuite,
    pk: &PublicKey,
    signature: &Signature,
    header: &[u8],
    messages: &[M],
    committed_messages: &[C],
    prover_blind: Option<&ProverBlind>,
) -> Result<(), Error> {
    check_len("header", header)?;
    let iface = Interface::Blind;
    let scalars = iface.messages_to_scalars(cs, messages)?;
    let mut committed = iface.messages_to_scalars(cs, committed_messages)?;
    let mut all = signed_scalars(&scalars, prover_blind.map(|b| &b.0), &committed, None);
    let layout = iface.layout(cs, scalars.len(), committed.len() + 1)?;
    let ok = scheme::core_verify_with(cs, &layout, pk, signature, header, &all);
    all.iter_mut().for_each(Zeroize::zeroize);
    committed.iter_mut().for_each(Zeroize::zeroize);
    if ok? {
        Ok(())
    } else {
        Err(Error::Bbs(BbsError::SignatureInvalid))
    }
}

/// BlindProofGen: prove knowledge of a blind signature, disclosing the Signer's messages at
/// `disclosed_indexes` and the committed messages at `disclosed_committed_indexes` (each
/// zero-based in its own list, strictly increasing), bound to the presentation header `ph`.
/// The prover blind is never disclosed.
#[expect(
    clippy::too_many_arguments,
    reason = "BlindProofGen's parameters (Blind BBS) plus the ciphersuite"
)]
pub fn blind_proof_gen<M: AsRef<[u8]>, C: AsRef<[u8]>>(
    cs: Ciphersuite,
    pk: &PublicKey,
    signature: &Signature,
    header: &[u8],
    ph: &[u8],
    messages: &[M],
    committed_messages: &[C],
    disclosed_indexes: &[usize],
    disclosed_committed_indexes: &[usize],
    prover_blind: Option<&ProverBlind>,
) -> Result<Proof, Error> {
    check_len("header", header)?;
    check_len("presentation header", ph)?;
    let iface = Interface::Blind;
    let mut scalars = iface.messages_to_scalars(cs, messages)?;
    let mut committed = iface.messages_to_scalars(cs, committed_messages)?;
    let indexes = combined_indexes(
        scalars.len(),
        committed.len(),
        disclosed_indexes,
        disclosed_committed_indexes,
    )?;
    let mut all = signed_scalars(&scalars, prover_blind.map(|b| &b.0), &committed, None);
    committed.iter_mut().for_each(Zeroize::zeroize);
    let layout = iface.layout(cs, scalars.len(), all.len() - scalars.len())?;
    let mut random = random_scalars(5 + all.len() - indexes.len())?;
    let proof = scheme::core_proof_gen_with(
        cs, &layout, pk, signature, header, ph, &all, &indexes, &random, None,
    );
    random.iter_mut().for_each(Zeroize::zeroize);
    all.iter_mut().for_each(Zeroize::zeroize);
    scalars.iter_mut().for_each(Zeroize::zeroize);
    proof.map(|(p, _)| p)
}

/// The layout and combined indexes of a blind proof to verify, given `L` and the proof's
/// size. `reserved` is the number of never-disclosed values in the blind part (1 for the
/// prover blind; 2 with a nym secret).
pub(crate) fn verify_layout(
    cs: Ciphersuite,
    iface: Interface,
    proof: &Proof,
    l: usize,
    disclosed_indexes: &[usize],
    disclosed_committed_indexes: &[usize],
    reserved: usize,
) -> Result<(Layout, Vec<usize>), Error> {
    let total = disclosed_indexes.len() + disclosed_committed_indexes.len() + proof.m_hat.len();
    let Some(k) = total.checked_sub(l).filter(|k| *k >= reserved) else {
        return Err(Error::Bbs(BbsError::MessageCount {
            expected: l.saturating_add(reserved),
            actual: total,
        }));
    };
    let m = k - reserved;
    let indexes = combined_indexes(l, m, disclosed_indexes, disclosed_committed_indexes)?;
    Ok((iface.layout(cs, l, k)?, indexes))
}

/// BlindProofVerify: check `proof` against the disclosed Signer messages and committed
/// messages and their indexes; `l` is the number of messages the Signer signed: `Ok(())` or
/// [`crate::BbsError::ProofInvalid`].
#[expect(
    clippy::too_many_arguments,
    reason = "BlindProofVerify's parameters (Blind BBS) plus the ciphersuite"
)]
pub fn blind_proof_verify<M: AsRef<[u8]>, C: AsRef<[u8]>>(
    cs: Ciphersuite,
    pk: &PublicKey,
    proof: &Proof,
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
    let iface = Interface::Blind;
    let (layout, indexes) = verify_layout(
        cs,
        iface,
        proof,
        l,
        disclosed_indexes,
        disclosed_committed_indexes,
        1,
    )?;
    let mut scalars = iface.messages_to_scalars(cs, disclosed_messages)?;
    scalars.extend(iface.messages_to_scalars(cs, disclosed_committed_messages)?);
    if scheme::core_proof_verify_with(cs, &layout, pk, proof, header, ph, &scalars, &indexes, None)?
    {
        Ok(())
    } else {
        Err(Error::Bbs(BbsError::ProofInvalid))
    }
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]
mod tests {
    use super::*;

    fn scalar(v: u64) -> Scalar {
        Scalar::from_u64(v)
    }

    #[test]
    fn commitment_encoding_round_trips() {
        for cs in Ciphersuite::ALL {
            for m in [0usize, 1, 3] {
                let msgs: Vec<Scalar> = (0..m as u64).map(|i| scalar(i + 10)).collect();
                let random: Vec<Scalar> = (0..m as u64 + 2).map(|i| scalar(i + 100)).collect();
                let (c, blind) = core_commit(cs, Interface::Blind, &msgs, &random).unwrap();
                assert_eq!(blind.0, scalar(100));
                let bytes = c.to_bytes();
                assert_eq!(bytes.len(), CommitmentWithProof::MIN_LEN + 32 * m);
                let back = CommitmentWithProof::from_bytes(&bytes).unwrap();
                assert_eq!(back, c);
                assert_eq!(back.committed_count(), m);
                assert!(core_commit_verify(cs, Interface::Blind, &back).unwrap());
                // The same values under the other Interface are another commitment.
                assert!(!core_commit_verify(cs, Interface::Pseudonym01, &back).unwrap());
            }
        }
    }

    #[test]
    fn core_commit_refuses_a_zero_blind_and_a_wrong_scalar_count() {
        let cs = Ciphersuite::Bls12381Sha256;
        let msgs = [scalar(1)];
        let zero_blind = [Scalar::ZERO, scalar(2), scalar(3)];
        assert!(core_commit(cs, Interface::Blind, &msgs, &zero_blind).is_err());
        assert!(core_commit(cs, Interface::Blind, &msgs, &[scalar(1), scalar(2)]).is_err());
        assert!(core_commit(cs, Interface::Blind, &msgs, &[scalar(1)]).is_err());
    }

    #[test]
    fn layout_sums_match_the_naive_sum_over_both_parts() {
        for cs in Ciphersuite::ALL {
            let layout = Interface::Blind.layout(cs, 3, 2).unwrap();
            assert_eq!(layout.message_count(), 5);
            let main =
                super::super::generators::create_generators_of(cs, GeneratorSet::Blind, 4).unwrap();
            let blind =
                super::super::generators::create_generators_of(cs, GeneratorSet::BlindCommitted, 2)
                    .unwrap();
            let p1 = super::super::generators::p1(cs).unwrap();
            let points: Vec<G1Affine> = [p1].into_iter().chain(main).chain(blind).collect();
            let scalars: Vec<Scalar> = (1..=7u64).map(|i| scalar(i * 7919)).collect();
            let naive = points
                .iter()
                .zip(&scalars)
                .fold(G1::identity(), |acc, (p, s)| {
                    acc.add(&G1::from_affine(p).mul(s))
                });
            assert_eq!(layout.msm(&scalars).compress(), naive.compress());
            // A shorter list covers a prefix only.
            let naive4 = points[..4]
                .iter()
                .zip(&scalars)
                .fold(G1::identity(), |acc, (p, s)| {
                    acc.add(&G1::from_affine(p).mul(s))
                });
            assert_eq!(layout.msm(&scalars[..4]).compress(), naive4.compress());
        }
    }

    #[test]
    fn the_prover_blind_index_is_refused() {
        assert_eq!(
            refuse_blind_index(3, &[0, 3, 4]),
            Err(Error::Bbs(BbsError::UndisclosableIndex { index: 3 }))
        );
        assert_eq!(refuse_blind_index(3, &[0, 2, 4]), Ok(()));
        assert_eq!(
            combined_indexes(3, 2, &[0, 2], &[1]).unwrap(),
            vec![0, 2, 5]
        );
        assert!(combined_indexes(3, 2, &[3], &[]).is_err());
    }
}
