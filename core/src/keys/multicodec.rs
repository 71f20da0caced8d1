//! Multicodec key codes and their unsigned-varint prefixes.
//!
//! Codes from the multicodec table (<https://github.com/multiformats/multicodec>, `table.csv`);
//! the varint is the multiformats unsigned varint
//! (<https://github.com/multiformats/unsigned-varint>): 7 bits a byte, least significant
//! group first, minimal, at most 9 bytes.

use crate::EncodingError;
use crate::Error;

/// `bls12_381-g2-pub`: BLS12-381 public key in G2, 96-byte compressed (varint `eb 01`).
pub const BLS12_381_G2_PUB: u64 = 0xeb;
/// `p256-pub`: P-256 public key, 33-byte compressed SEC1 (varint `80 24`).
pub const P256_PUB: u64 = 0x1200;
/// `ed25519-pub`: Ed25519 public key, 32 bytes (varint `ed 01`).
pub const ED25519_PUB: u64 = 0xed;
/// `bls12_381-g2-priv`: BLS12-381 secret scalar for a G2 public key, 32 bytes big-endian
/// (varint `8a 26`).
pub const BLS12_381_G2_PRIV: u64 = 0x130a;
/// `p256-priv`: P-256 secret scalar, 32 bytes big-endian (varint `86 26`).
pub const P256_PRIV: u64 = 0x1306;
/// `ed25519-priv`: Ed25519 32-byte seed (varint `80 26`).
pub const ED25519_PRIV: u64 = 0x1300;

/// Longest unsigned varint allowed by the multiformats specification (63 bits of payload).
const MAX_VARINT_BYTES: usize = 9;

/// Appends the unsigned varint of `code` to `out`.
pub fn encode_varint(mut code: u64, out: &mut Vec<u8>) {
    loop {
        let low = (code & 0x7f) as u8;
        code >>= 7;
        if code == 0 {
            out.push(low);
            return;
        }
        out.push(low | 0x80);
    }
}

/// Reads the unsigned varint at the start of `bytes`: returns the code and the number of
/// bytes it took.
///
/// # Errors
/// [`crate::EncodingError::Varint`] when the input ends inside the varint, it is longer than 9 bytes,
/// or it is not minimal (a trailing `0x00` group).
pub fn decode_varint(bytes: &[u8]) -> Result<(u64, usize), Error> {
    let mut code: u64 = 0;
    for (i, &b) in bytes.iter().enumerate().take(MAX_VARINT_BYTES) {
        code |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            if b == 0 && i > 0 {
                return Err(Error::Encoding(EncodingError::Varint));
            }
            return Ok((code, i + 1));
        }
    }
    Err(Error::Encoding(EncodingError::Varint))
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail by panicking")]
mod tests {
    use super::*;

    #[test]
    fn varints_of_key_codecs() {
        for (code, bytes) in [
            (BLS12_381_G2_PUB, &[0xeb, 0x01][..]),
            (P256_PUB, &[0x80, 0x24]),
            (ED25519_PUB, &[0xed, 0x01]),
            (BLS12_381_G2_PRIV, &[0x8a, 0x26]),
            (P256_PRIV, &[0x86, 0x26]),
            (ED25519_PRIV, &[0x80, 0x26]),
            (0, &[0x00]),
            (0x7f, &[0x7f]),
        ] {
            let mut out = Vec::new();
            encode_varint(code, &mut out);
            assert_eq!(out, bytes);
            assert_eq!(decode_varint(bytes).unwrap(), (code, bytes.len()));
        }
    }

    #[test]
    fn bad_varints() {
        assert_eq!(
            decode_varint(&[]),
            Err(Error::Encoding(EncodingError::Varint))
        );
        assert_eq!(
            decode_varint(&[0xeb]),
            Err(Error::Encoding(EncodingError::Varint))
        );
        assert_eq!(
            decode_varint(&[0x81, 0x00]),
            Err(Error::Encoding(EncodingError::Varint)),
            "not minimal"
        );
        assert_eq!(
            decode_varint(&[0xff; 10]),
            Err(Error::Encoding(EncodingError::Varint))
        );
    }
}
