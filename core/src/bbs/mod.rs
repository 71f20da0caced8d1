//! BBS signatures: the BBS Signatures Interface of the IRTF CFRG draft "The BBS Signature
//! Scheme" (hashing order of draft-06 and later), for the ciphersuites BLS12-381-SHA-256 and
//! BLS12-381-SHAKE-256.
//! <https://datatracker.ietf.org/doc/draft-irtf-cfrg-bbs-signatures/>
//!
//! Messages are octet strings, mapped to scalars with `messages_to_scalars`; `header` is
//! chosen by the signer and bound to the signature and every proof; `ph` (the presentation
//! header) is chosen by the prover and bound to one proof.
//!
//! ```
//! use civitas_core::bbs::{self, Ciphersuite, SecretKey};
//!
//! let cs = Ciphersuite::Bls12381Sha256;
//! let sk = SecretKey::key_gen(cs, &[7u8; 32], b"", None)?;
//! let pk = sk.public_key();
//! let messages: [&[u8]; 3] = [b"name: Ada", b"degree: MSc", b"born: 1990-01-01"];
//! let signature = bbs::sign(cs, &sk, &pk, b"diploma", &messages)?;
//! bbs::verify(cs, &pk, &signature, b"diploma", &messages)?;
//!
//! // Disclose only the degree.
//! let proof = bbs::proof_gen(cs, &pk, &signature, b"diploma", b"nonce-42", &messages, &[1])?;
//! bbs::proof_verify(cs, &pk, &proof, b"diploma", b"nonce-42", &[messages[1]], &[1])?;
//! # Ok::<(), civitas_core::Error>(())
//! ```

mod batch;
#[macro_use]
pub mod blind;
pub(crate) mod curve;
pub(crate) mod generators;
pub mod pseudonym;
pub(crate) mod scheme;
mod suite;

pub use batch::verify_batch;

use crate::{BbsError, EncodingError};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

pub(crate) use curve::Scalar;
use curve::{G1_LEN, G1Affine, G2_LEN, G2Affine, SCALAR_LEN};
pub use generators::MAX_MESSAGES;
pub use suite::Ciphersuite;

use crate::Error;

/// Longest header, presentation header or single message accepted (16 MiB).
pub const MAX_INPUT_LEN: usize = 16 * 1024 * 1024;

pub(crate) fn check_len(what: &'static str, bytes: &[u8]) -> Result<(), Error> {
    if bytes.len() > MAX_INPUT_LEN {
        return Err(Error::TooLarge {
            what,
            actual: bytes.len(),
            limit: MAX_INPUT_LEN,
        });
    }
    Ok(())
}

pub(crate) fn scalar_from_slice(what: &'static str, bytes: &[u8]) -> Result<Scalar, Error> {
    let arr: &[u8; SCALAR_LEN] = bytes.try_into().map_err(|_| {
        Error::Encoding(EncodingError::Length {
            what,
            expected: SCALAR_LEN,
            actual: bytes.len(),
        })
    })?;
    match Scalar::from_be_bytes_canonical(arr) {
        Some(s) if !s.is_zero() => Ok(s),
        _ => Err(Error::Encoding(EncodingError::Scalar { what })),
    }
}

pub(crate) fn g1_from_slice(what: &'static str, bytes: &[u8]) -> Result<G1Affine, Error> {
    let arr: &[u8; G1_LEN] = bytes.try_into().map_err(|_| {
        Error::Encoding(EncodingError::Length {
            what,
            expected: G1_LEN,
            actual: bytes.len(),
        })
    })?;
    G1Affine::decompress(arr)
        .map_err(|reason| Error::Encoding(EncodingError::Point { what, reason }))
}

// ---------------------------------------------------------------------------------------------
// Keys

/// A BBS secret key: an integer `0 < SK < r`.
///
/// Zeroized on drop; `Debug` prints `[redacted]`; equality is constant time.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SecretKey(Scalar);

impl core::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SecretKey([redacted])")
    }
}

impl ConstantTimeEq for SecretKey {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        let a = Zeroizing::new(self.0.to_be_bytes());
        let b = Zeroizing::new(other.0.to_be_bytes());
        a.as_slice().ct_eq(b.as_slice())
    }
}

impl PartialEq for SecretKey {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for SecretKey {}

impl SecretKey {
    /// KeyGen (draft "Secret Key"): `hash_to_scalar(key_material || I2OSP(len(key_info), 2)
    /// || key_info, key_dst)`. `key_material` must be at least 32 secret random bytes;
    /// `key_dst` defaults to `ciphersuite_id || "KEYGEN_DST_"`.
    pub fn key_gen(
        cs: Ciphersuite,
        key_material: &[u8],
        key_info: &[u8],
        key_dst: Option<&[u8]>,
    ) -> Result<Self, Error> {
        if key_material.len() < 32 {
            return Err(Error::Bbs(BbsError::KeyMaterial(
                "key material is shorter than 32 bytes",
            )));
        }
        let info_len = u16::try_from(key_info.len()).map_err(|_| {
            Error::Bbs(BbsError::KeyMaterial("key_info is longer than 65535 bytes"))
        })?;
        let default_dst;
        let dst = match key_dst {
            Some(dst) => dst,
            None => {
                default_dst = [cs.id(), b"KEYGEN_DST_"].concat();
                &default_dst
            }
        };
        let sk = cs.hash_to_scalar(&[key_material, &info_len.to_be_bytes(), key_info], dst)?;
        if sk.is_zero() {
            return Err(Error::Crypto("KeyGen produced zero"));
        }
        Ok(SecretKey(sk))
    }

    /// A fresh key from the operating system's random generator (32 bytes of key material
    /// through KeyGen).
    pub fn generate(cs: Ciphersuite) -> Result<Self, Error> {
        let mut material = Zeroizing::new([0u8; 32]);
        getrandom::getrandom(material.as_mut_slice())
            .map_err(|_| Error::Crypto("no system randomness"))?;
        Self::key_gen(cs, material.as_slice(), b"", None)
    }

    /// Decode `I2OSP(SK, 32)`; the value must satisfy `0 < SK < r`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        scalar_from_slice("secret key", bytes).map(SecretKey)
    }

    /// `I2OSP(SK, 32)`, zeroized when dropped.
    pub fn to_bytes(&self) -> Zeroizing<[u8; SCALAR_LEN]> {
        Zeroizing::new(self.0.to_be_bytes())
    }

    /// SkToPk: `W = SK * BP2`.
    pub fn public_key(&self) -> PublicKey {
        let point = G2Affine::generator_mul(&self.0);
        PublicKey {
            bytes: point.compress(),
            point,
        }
    }

    pub(crate) fn scalar(&self) -> &Scalar {
        &self.0
    }
}

/// A secret key with its public key, computed once (SkToPk is a G2 scalar multiplication).
#[derive(Clone, Debug)]
pub struct KeyPair {
    secret: SecretKey,
    public: PublicKey,
}

impl KeyPair {
    /// The pair for `secret`.
    pub fn from_secret(secret: SecretKey) -> Self {
        let public = secret.public_key();
        Self { secret, public }
    }

    /// The secret key.
    pub fn secret(&self) -> &SecretKey {
        &self.secret
    }

    /// The public key.
    pub fn public(&self) -> &PublicKey {
        &self.public
    }
}

/// A BBS public key: a validated point of G2 (not the identity), with its encoding.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    bytes: [u8; G2_LEN],
    point: G2Affine,
}

impl core::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "PublicKey({:?})", self.point)
    }
}

impl PublicKey {
    /// octets_to_pubkey: 96 bytes, a compressed point of G2 in the subgroup, not the identity.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        const WHAT: &str = "public key";
        let arr: [u8; G2_LEN] = bytes.try_into().map_err(|_| {
            Error::Encoding(EncodingError::Length {
                what: WHAT,
                expected: G2_LEN,
                actual: bytes.len(),
            })
        })?;
        let point = G2Affine::decompress(&arr)
            .map_err(|reason| Error::Encoding(EncodingError::Point { what: WHAT, reason }))?;
        Ok(PublicKey { bytes: arr, point })
    }

    /// point_to_octets_E2(W).
    pub fn to_bytes(&self) -> [u8; G2_LEN] {
        self.bytes
    }

    /// The encoding, borrowed.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub(crate) fn point(&self) -> &G2Affine {
        &self.point
    }
}

// ---------------------------------------------------------------------------------------------
// Signatures and proofs

/// A BBS signature `(A, e)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    a: G1Affine,
    e: Scalar,
}

impl Signature {
    /// Encoded length: a G1 point and a scalar.
    pub const LEN: usize = G1_LEN + SCALAR_LEN;

    /// octets_to_signature: `A` a valid non-identity point of G1, `0 < e < r`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        if bytes.len() != Self::LEN {
            return Err(Error::Encoding(EncodingError::Length {
                what: "signature",
                expected: Self::LEN,
                actual: bytes.len(),
            }));
        }
        let (a, e) = bytes.split_at(G1_LEN);
        Ok(Signature {
            a: g1_from_slice("signature", a)?,
            e: scalar_from_slice("signature", e)?,
        })
    }

    /// signature_to_octets.
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let mut out = [0u8; Self::LEN];
        let (a, e) = out.split_at_mut(G1_LEN);
        a.copy_from_slice(&self.a.compress());
        e.copy_from_slice(&self.e.to_be_bytes());
        out
    }
}

/// A BBS proof of knowledge of a signature: `(Abar, Bbar, D, e^, r1^, r3^, (m^_j), c)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proof {
    abar: G1Affine,
    bbar: G1Affine,
    d: G1Affine,
    e_hat: Scalar,
    r1_hat: Scalar,
    r3_hat: Scalar,
    m_hat: Vec<Scalar>,
    c: Scalar,
}

impl Proof {
    /// Shortest encoding: three points and four scalars (no undisclosed message).
    pub const MIN_LEN: usize = 3 * G1_LEN + 4 * SCALAR_LEN;

    /// The encoded length of a proof with `undisclosed` hidden messages.
    pub fn encoded_len(undisclosed: usize) -> usize {
        Self::MIN_LEN + undisclosed * SCALAR_LEN
    }

    /// octets_to_proof: three valid non-identity G1 points, then scalars `0 < s < r`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        const WHAT: &str = "proof";
        if bytes.len() < Self::MIN_LEN || !(bytes.len() - 3 * G1_LEN).is_multiple_of(SCALAR_LEN) {
            return Err(Error::Encoding(EncodingError::Length {
                what: WHAT,
                expected: Self::MIN_LEN,
                actual: bytes.len(),
            }));
        }
        let u = (bytes.len() - Self::MIN_LEN) / SCALAR_LEN;
        if u > MAX_MESSAGES {
            return Err(Error::Bbs(BbsError::TooManyMessages {
                count: u,
                limit: MAX_MESSAGES,
            }));
        }
        let (points, scalars) = bytes.split_at(3 * G1_LEN);
        let mut p = points.chunks_exact(G1_LEN).map(|c| g1_from_slice(WHAT, c));
        let mut next_point = || {
            p.next()
                .unwrap_or(Err(Error::Crypto("proof point missing")))
        };
        let (abar, bbar, d) = (next_point()?, next_point()?, next_point()?);
        let s: Vec<Scalar> = scalars
            .chunks_exact(SCALAR_LEN)
            .map(|c| scalar_from_slice(WHAT, c))
            .collect::<Result<_, _>>()?;
        let [e_hat, r1_hat, r3_hat, m_hat @ .., c] = s.as_slice() else {
            return Err(Error::Encoding(EncodingError::Length {
                what: WHAT,
                expected: Self::MIN_LEN,
                actual: bytes.len(),
            }));
        };
        Ok(Proof {
            abar,
            bbar,
            d,
            e_hat: *e_hat,
            r1_hat: *r1_hat,
            r3_hat: *r3_hat,
            m_hat: m_hat.to_vec(),
            c: *c,
        })
    }

    /// proof_to_octets.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(Self::encoded_len(self.m_hat.len()));
        for p in [&self.abar, &self.bbar, &self.d] {
            out.extend_from_slice(&p.compress());
        }
        for s in [&self.e_hat, &self.r1_hat, &self.r3_hat]
            .into_iter()
            .chain(&self.m_hat)
            .chain([&self.c])
        {
            out.extend_from_slice(&s.to_be_bytes());
        }
        out
    }

    /// Number of messages the proof keeps hidden.
    pub fn undisclosed_count(&self) -> usize {
        self.m_hat.len()
    }
}

// ---------------------------------------------------------------------------------------------
// The BBS Signatures Interface (octet-string messages)

/// messages_to_scalars: `hash_to_scalar(msg, api_id || "MAP_MSG_TO_SCALAR_AS_HASH_")` each.
pub(crate) fn messages_to_scalars<M: AsRef<[u8]>>(
    cs: Ciphersuite,
    messages: &[M],
) -> Result<Vec<Scalar>, Error> {
    messages_to_scalars_with(cs, cs.api_id(), messages)
}

/// messages_to_scalars of the Interface with `api_id`.
pub(crate) fn messages_to_scalars_with<M: AsRef<[u8]>>(
    cs: Ciphersuite,
    api_id: &[u8],
    messages: &[M],
) -> Result<Vec<Scalar>, Error> {
    if messages.len() > MAX_MESSAGES {
        return Err(Error::Bbs(BbsError::TooManyMessages {
            count: messages.len(),
            limit: MAX_MESSAGES,
        }));
    }
    let dst = [api_id, b"MAP_MSG_TO_SCALAR_AS_HASH_"].concat();
    messages
        .iter()
        .map(|m| {
            check_len("message", m.as_ref())?;
            cs.hash_to_scalar(&[m.as_ref()], &dst)
        })
        .collect()
}

/// Sign `messages` under `header`.
pub fn sign<M: AsRef<[u8]>>(
    cs: Ciphersuite,
    sk: &SecretKey,
    pk: &PublicKey,
    header: &[u8],
    messages: &[M],
) -> Result<Signature, Error> {
    check_len("header", header)?;
    let scalars = messages_to_scalars(cs, messages)?;
    scheme::core_sign(cs, sk, pk, header, &scalars)
}

/// Verify `signature` on `messages` and `header`: `Ok(())` or [`crate::BbsError::SignatureInvalid`].
pub fn verify<M: AsRef<[u8]>>(
    cs: Ciphersuite,
    pk: &PublicKey,
    signature: &Signature,
    header: &[u8],
    messages: &[M],
) -> Result<(), Error> {
    check_len("header", header)?;
    let scalars = messages_to_scalars(cs, messages)?;
    if scheme::core_verify(cs, pk, signature, header, &scalars)? {
        Ok(())
    } else {
        Err(Error::Bbs(BbsError::SignatureInvalid))
    }
}

/// Prove knowledge of `signature` on `messages`, disclosing those at `disclosed_indexes`
/// (zero-based, strictly increasing), bound to the presentation header `ph`.
pub fn proof_gen<M: AsRef<[u8]>>(
    cs: Ciphersuite,
    pk: &PublicKey,
    signature: &Signature,
    header: &[u8],
    ph: &[u8],
    messages: &[M],
    disclosed_indexes: &[usize],
) -> Result<Proof, Error> {
    check_len("header", header)?;
    check_len("presentation header", ph)?;
    let scalars = messages_to_scalars(cs, messages)?;
    scheme::check_indexes(disclosed_indexes, scalars.len())?;
    let count = 5 + scalars.len() - disclosed_indexes.len();
    let mut random = random_scalars(count)?;
    let proof = scheme::core_proof_gen(
        cs,
        pk,
        signature,
        header,
        ph,
        &scalars,
        disclosed_indexes,
        &random,
    );
    random.iter_mut().for_each(Zeroize::zeroize);
    proof
}

/// Verify `proof` against the disclosed messages and their indexes: `Ok(())` or
/// [`crate::BbsError::ProofInvalid`].
pub fn proof_verify<M: AsRef<[u8]>>(
    cs: Ciphersuite,
    pk: &PublicKey,
    proof: &Proof,
    header: &[u8],
    ph: &[u8],
    disclosed_messages: &[M],
    disclosed_indexes: &[usize],
) -> Result<(), Error> {
    check_len("header", header)?;
    check_len("presentation header", ph)?;
    let scalars = messages_to_scalars(cs, disclosed_messages)?;
    if scheme::core_proof_verify(cs, pk, proof, header, ph, &scalars, disclosed_indexes)? {
        Ok(())
    } else {
        Err(Error::Bbs(BbsError::ProofInvalid))
    }
}

/// calculate_random_scalars: `OS2IP(get_random(48)) mod r`, from the operating system.
pub(crate) fn random_scalars(count: usize) -> Result<Vec<Scalar>, Error> {
    let mut buf = Zeroizing::new(vec![0u8; count * suite::EXPAND_LEN]);
    getrandom::getrandom(buf.as_mut_slice()).map_err(|_| Error::Crypto("no system randomness"))?;
    Ok(buf
        .chunks_exact(suite::EXPAND_LEN)
        .map(Scalar::from_be_bytes_reduced)
        .collect())
}

pub(crate) use generators::{create_generators, p1};
#[cfg(feature = "dangerous-test-vectors")]
pub(crate) use scheme::core_proof_gen;
pub(crate) use scheme::{core_proof_verify, core_sign, core_verify};
