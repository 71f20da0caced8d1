//! Ciphersuites and hashing: `expand_message` (RFC 9380 section 5.3), `hash_to_curve_g1`,
//! `hash_to_scalar` (draft section "Hash to Scalar").

use sha2::{Digest, Sha256};
use sha3::Shake256;
use sha3::digest::{ExtendableOutput, Update, XofReader};

use super::curve::{Fp, G1, Scalar};
use crate::Error;

/// `expand_len` of both BLS12-381 ciphersuites: `ceil((ceil(log2(r)) + k) / 8)` = 48.
pub(crate) const EXPAND_LEN: usize = 48;

/// Longest domain separation tag `expand_message` accepts without hashing it first.
const MAX_DST_LEN: usize = 255;

/// A BBS ciphersuite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Ciphersuite {
    /// `BLS12-381-SHA-256`: hash-to-curve suite `BLS12381G1_XMD:SHA-256_SSWU_RO_`.
    Bls12381Sha256,
    /// `BLS12-381-SHAKE-256`: hash-to-curve suite `BLS12381G1_XOF:SHAKE-256_SSWU_RO_`.
    Bls12381Shake256,
}

impl Ciphersuite {
    /// Both ciphersuites, in the order of the draft's ciphersuite section.
    pub const ALL: [Ciphersuite; 2] = [Ciphersuite::Bls12381Shake256, Ciphersuite::Bls12381Sha256];

    /// `ciphersuite_id`.
    pub fn id(self) -> &'static [u8] {
        match self {
            Ciphersuite::Bls12381Sha256 => b"BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_",
            Ciphersuite::Bls12381Shake256 => b"BBS_BLS12381G1_XOF:SHAKE-256_SSWU_RO_",
        }
    }

    /// `api_id` of the BBS Signatures Interface: `ciphersuite_id || "H2G_HM2S_"`.
    pub fn api_id(self) -> &'static [u8] {
        match self {
            Ciphersuite::Bls12381Sha256 => b"BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_H2G_HM2S_",
            Ciphersuite::Bls12381Shake256 => b"BBS_BLS12381G1_XOF:SHAKE-256_SSWU_RO_H2G_HM2S_",
        }
    }

    /// The short name used in file names and reports: `sha-256` or `shake-256`.
    pub fn short_name(self) -> &'static str {
        match self {
            Ciphersuite::Bls12381Sha256 => "sha-256",
            Ciphersuite::Bls12381Shake256 => "shake-256",
        }
    }

    /// `expand_message(msg, dst, out.len())` of this suite's hash-to-curve suite.
    pub(crate) fn expand_message(
        self,
        msg: &[&[u8]],
        dst: &[u8],
        out: &mut [u8],
    ) -> Result<(), Error> {
        match self {
            Ciphersuite::Bls12381Sha256 => expand_message_xmd_sha256(msg, dst, out),
            Ciphersuite::Bls12381Shake256 => expand_message_xof_shake256(msg, dst, out),
        }
    }

    /// `hash_to_scalar(msg, dst)`: `OS2IP(expand_message(msg, dst, 48)) mod r`. The message
    /// is given in parts, hashed as their concatenation.
    pub(crate) fn hash_to_scalar(self, msg: &[&[u8]], dst: &[u8]) -> Result<Scalar, Error> {
        let mut uniform = [0u8; EXPAND_LEN];
        self.expand_message(msg, dst, &mut uniform)?;
        Ok(Scalar::from_be_bytes_reduced(&uniform))
    }

    /// `hash_to_curve_g1(msg, dst)` (RFC 9380 section 3, random-oracle encoding).
    pub(crate) fn hash_to_curve(self, msg: &[u8], dst: &[u8]) -> Result<G1, Error> {
        match self {
            Ciphersuite::Bls12381Sha256 => {
                check_dst(dst)?;
                Ok(G1::hash_to_curve_xmd_sha256(msg, dst))
            }
            Ciphersuite::Bls12381Shake256 => {
                // hash_to_field with m = 1, L = 64, count = 2, then map both and add.
                let mut uniform = [0u8; 128];
                expand_message_xof_shake256(&[msg], dst, &mut uniform)?;
                let (a, b) = uniform.split_at(64);
                Ok(G1::map_to_curve_pair(
                    &Fp::from_be_bytes_reduced(a),
                    &Fp::from_be_bytes_reduced(b),
                ))
            }
        }
    }
}

fn check_dst(dst: &[u8]) -> Result<(), Error> {
    if dst.len() > MAX_DST_LEN {
        return Err(Error::TooLarge {
            what: "domain separation tag",
            actual: dst.len(),
            limit: MAX_DST_LEN,
        });
    }
    Ok(())
}

/// `expand_message_xmd` with SHA-256 (RFC 9380 section 5.3.1).
fn expand_message_xmd_sha256(msg: &[&[u8]], dst: &[u8], out: &mut [u8]) -> Result<(), Error> {
    const B_IN_BYTES: usize = 32;
    const S_IN_BYTES: usize = 64;
    check_dst(dst)?;
    let len = out.len();
    let ell = len.div_ceil(B_IN_BYTES);
    if ell > 255 || len > 65535 {
        return Err(Error::TooLarge {
            what: "expand_message output",
            actual: len,
            limit: 255 * B_IN_BYTES,
        });
    }
    let dst_len = [dst.len() as u8];
    let len_bytes = (len as u16).to_be_bytes();

    let mut h = Sha256::new();
    Digest::update(&mut h, [0u8; S_IN_BYTES]);
    for part in msg {
        Digest::update(&mut h, part);
    }
    Digest::update(&mut h, len_bytes);
    Digest::update(&mut h, [0u8]);
    Digest::update(&mut h, dst);
    Digest::update(&mut h, dst_len);
    let b0: [u8; B_IN_BYTES] = h.finalize().into();

    let mut prev = [0u8; B_IN_BYTES];
    for (i, chunk) in out.chunks_mut(B_IN_BYTES).enumerate() {
        let mut input = [0u8; B_IN_BYTES];
        for (x, (a, b)) in input.iter_mut().zip(b0.iter().zip(prev.iter())) {
            // b_1 = H(b_0 || 1 || dst'); b_i = H((b_0 xor b_(i-1)) || i || dst'); prev is zero at i = 1.
            *x = a ^ b;
        }
        let mut h = Sha256::new();
        Digest::update(&mut h, input);
        Digest::update(&mut h, [(i + 1) as u8]);
        Digest::update(&mut h, dst);
        Digest::update(&mut h, dst_len);
        prev = h.finalize().into();
        let take = chunk.len();
        chunk.copy_from_slice(prev.get(..take).unwrap_or(&prev));
    }
    Ok(())
}

/// `expand_message_xof` with SHAKE-256 (RFC 9380 section 5.3.2).
fn expand_message_xof_shake256(msg: &[&[u8]], dst: &[u8], out: &mut [u8]) -> Result<(), Error> {
    check_dst(dst)?;
    let len = out.len();
    if len > 65535 {
        return Err(Error::TooLarge {
            what: "expand_message output",
            actual: len,
            limit: 65535,
        });
    }
    let mut h = Shake256::default();
    for part in msg {
        h.update(part);
    }
    h.update(&(len as u16).to_be_bytes());
    h.update(dst);
    h.update(&[dst.len() as u8]);
    h.finalize_xof().read(out);
    Ok(())
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail by panicking")]
mod tests {
    use super::*;

    // RFC 9380 appendix K.1, expand_message_xmd(SHA-256), len_in_bytes = 0x20, msg = "abc".
    #[test]
    fn xmd_matches_rfc9380() {
        let dst = b"QUUX-V01-CS02-with-expander-SHA256-128";
        let mut out = [0u8; 32];
        expand_message_xmd_sha256(&[b"abc"], dst, &mut out).unwrap();
        assert_eq!(
            hex::encode(out),
            "d8ccab23b5985ccea865c6c97b6e5b8350e794e603b4b97902f53a8a0d605615"
        );
    }

    // RFC 9380 appendix K.6, expand_message_xof(SHAKE256), len_in_bytes = 0x20, msg = "abc".
    #[test]
    fn xof_matches_rfc9380() {
        let dst = b"QUUX-V01-CS02-with-expander-SHAKE256";
        let mut out = [0u8; 32];
        expand_message_xof_shake256(&[b"abc"], dst, &mut out).unwrap();
        assert_eq!(
            hex::encode(out),
            "b39e493867e2767216792abce1f2676c197c0692aed061560ead251821808e07"
        );
    }

    #[test]
    fn message_parts_hash_as_their_concatenation() {
        for cs in Ciphersuite::ALL {
            let whole = cs.hash_to_scalar(&[b"hello world"], b"DST").unwrap();
            let parts = cs
                .hash_to_scalar(&[b"hello", b" ", b"world"], b"DST")
                .unwrap();
            assert_eq!(whole, parts);
        }
    }

    #[test]
    fn oversized_dst_is_an_error() {
        let dst = [b'x'; 256];
        for cs in Ciphersuite::ALL {
            assert!(matches!(
                cs.hash_to_scalar(&[b"m"], &dst),
                Err(Error::TooLarge { .. })
            ));
            assert!(cs.hash_to_curve(b"m", &dst).is_err());
        }
    }
}
