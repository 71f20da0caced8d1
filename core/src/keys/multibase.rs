//! Multibase encodings used by Data Integrity: base58btc (prefix `z`) for keys and DIDs,
//! base64url without padding (prefix `u`) for proof values.
//!
//! See Controlled Identifiers v1.0, section "Multibase"
//! (<https://www.w3.org/TR/cid-1.0/#multibase>), and the multibase draft
//! <https://datatracker.ietf.org/doc/html/draft-multiformats-multibase>.
//!
//! Decoders are strict: every string decodes to at most one byte string and every byte string
//! has exactly one encoding (base64url: no `=` padding, unused low bits must be zero).

use crate::EncodingError;
use zeroize::Zeroize;

use crate::Error;

/// The Bitcoin base58 alphabet.
const BASE58_ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
/// The RFC 4648 §5 base64url alphabet.
const BASE64URL_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Longest base58btc string accepted (characters, without the prefix). Base58 decoding is
/// quadratic; keys and DIDs are far shorter (a BLS12-381 G2 key is 134 characters).
pub const MAX_BASE58_LEN: usize = 1024;

/// A multibase encoding supported here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Base {
    /// `z`: base58btc (Bitcoin alphabet).
    Base58Btc,
    /// `u`: base64url without padding (RFC 4648 §5).
    Base64Url,
}

impl Base {
    /// The multibase prefix character.
    pub const fn prefix(self) -> char {
        match self {
            Base::Base58Btc => 'z',
            Base::Base64Url => 'u',
        }
    }

    /// Encodes `bytes` with this base, prefix included.
    pub fn encode(self, bytes: &[u8]) -> String {
        match self {
            Base::Base58Btc => base58btc_into(bytes, Some('z')),
            Base::Base64Url => base64url_into(bytes, Some('u')),
        }
    }

    /// Decodes a multibase string that must use this base.
    ///
    /// # Errors
    /// [`crate::EncodingError::MultibasePrefix`] when the prefix differs, [`crate::EncodingError::Alphabet`] for a bad
    /// character or length, [`Error::TooLarge`] above [`MAX_BASE58_LEN`] for base58btc.
    pub fn decode(self, s: &str) -> Result<Vec<u8>, Error> {
        let body = s.strip_prefix(self.prefix()).ok_or(Error::Encoding(
            EncodingError::MultibasePrefix {
                expected: self.prefix(),
            },
        ))?;
        match self {
            Base::Base58Btc => decode_base58btc(body),
            Base::Base64Url => decode_base64url(body),
        }
    }
}

/// Encodes `bytes` as base58btc (no multibase prefix).
pub fn encode_base58btc(bytes: &[u8]) -> String {
    base58btc_into(bytes, None)
}

/// Base58btc after an optional prefix, in one allocation of the final size, with the scratch
/// digits zeroized (the input may be a secret key).
fn base58btc_into(bytes: &[u8], prefix: Option<char>) -> String {
    let zeros = bytes.iter().take_while(|&&b| b == 0).count();
    // Base-58 digits, least significant first. log(256)/log(58) < 1.37.
    let mut digits: Vec<u8> = Vec::with_capacity(bytes.len() * 138 / 100 + 1);
    for &byte in bytes.iter().skip(zeros) {
        let mut carry = u32::from(byte);
        for d in digits.iter_mut() {
            carry += u32::from(*d) << 8;
            *d = (carry % 58) as u8;
            carry /= 58;
        }
        while carry > 0 {
            digits.push((carry % 58) as u8);
            carry /= 58;
        }
    }
    let mut out = String::with_capacity(1 + zeros + digits.len());
    out.extend(prefix);
    for _ in 0..zeros {
        out.push('1');
    }
    for &d in digits.iter().rev() {
        // d < 58 by construction.
        out.push(char::from(
            BASE58_ALPHABET.get(usize::from(d)).copied().unwrap_or(b'1'),
        ));
    }
    out
}

fn base58_value(c: u8) -> Option<u8> {
    BASE58_ALPHABET
        .iter()
        .position(|&a| a == c)
        .and_then(|p| u8::try_from(p).ok())
}

/// Decodes base58btc (no multibase prefix).
///
/// # Errors
/// [`crate::EncodingError::Alphabet`] for a character outside the alphabet; [`Error::TooLarge`] for
/// input longer than [`MAX_BASE58_LEN`].
pub fn decode_base58btc(s: &str) -> Result<Vec<u8>, Error> {
    let input = s.as_bytes();
    if input.len() > MAX_BASE58_LEN {
        return Err(Error::TooLarge {
            what: "base58btc string",
            actual: input.len(),
            limit: MAX_BASE58_LEN,
        });
    }
    let zeros = input.iter().take_while(|&&c| c == b'1').count();
    // Base-256 digits, least significant first.
    let mut bytes: Vec<u8> = Vec::with_capacity(input.len());
    for (position, &c) in input.iter().enumerate().skip(zeros) {
        let value = base58_value(c).ok_or(Error::Encoding(EncodingError::Alphabet {
            encoding: "base58btc",
            position,
        }))?;
        let mut carry = u32::from(value);
        for b in bytes.iter_mut() {
            carry += u32::from(*b) * 58;
            *b = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            bytes.push((carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    let mut out = Vec::with_capacity(zeros + bytes.len());
    out.resize(zeros, 0);
    out.extend(bytes.iter().rev());
    // The scratch buffer may hold a secret key.
    bytes.zeroize();
    Ok(out)
}

/// Encodes `bytes` as base64url without padding (no multibase prefix).
pub fn encode_base64url(bytes: &[u8]) -> String {
    base64url_into(bytes, None)
}

/// Base64url after an optional prefix, in one allocation of the final size.
fn base64url_into(bytes: &[u8], prefix: Option<char>) -> String {
    let mut out = String::with_capacity(1 + bytes.len().div_ceil(3) * 4);
    out.extend(prefix);
    let sym = |v: u32| {
        char::from(
            BASE64URL_ALPHABET
                .get((v & 63) as usize)
                .copied()
                .unwrap_or(b'A'),
        )
    };
    for chunk in bytes.chunks(3) {
        let b0 = u32::from(chunk.first().copied().unwrap_or(0));
        let b1 = u32::from(chunk.get(1).copied().unwrap_or(0));
        let b2 = u32::from(chunk.get(2).copied().unwrap_or(0));
        let n = (b0 << 16) | (b1 << 8) | b2;
        out.push(sym(n >> 18));
        out.push(sym(n >> 12));
        if chunk.len() > 1 {
            out.push(sym(n >> 6));
        }
        if chunk.len() > 2 {
            out.push(sym(n));
        }
    }
    out
}

fn base64url_value(c: u8) -> Option<u32> {
    match c {
        b'A'..=b'Z' => Some(u32::from(c - b'A')),
        b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

/// Decodes base64url without padding (no multibase prefix), strictly: no `=`, no whitespace,
/// no length ≡ 1 (mod 4), and the unused low bits of the last character must be zero.
///
/// # Errors
/// [`crate::EncodingError::Alphabet`] with the position of the offending character (the length itself
/// is reported at position `len`).
pub fn decode_base64url(s: &str) -> Result<Vec<u8>, Error> {
    let input = s.as_bytes();
    let err = |position| {
        Error::Encoding(EncodingError::Alphabet {
            encoding: "base64url",
            position,
        })
    };
    if input.len() % 4 == 1 {
        return Err(err(input.len()));
    }
    let mut out = Vec::with_capacity(input.len() / 4 * 3 + 2);
    for (chunk_index, chunk) in input.chunks(4).enumerate() {
        let base = chunk_index * 4;
        let mut n: u32 = 0;
        for (i, &c) in chunk.iter().enumerate() {
            let v = base64url_value(c).ok_or(err(base + i))?;
            n |= v << (18 - 6 * i as u32);
        }
        let [_, b0, b1, b2] = n.to_be_bytes();
        match chunk.len() {
            4 => out.extend_from_slice(&[b0, b1, b2]),
            3 => {
                if b2 != 0 {
                    return Err(err(base + 2));
                }
                out.extend_from_slice(&[b0, b1]);
            }
            2 => {
                if b1 != 0 || b2 != 0 {
                    return Err(err(base + 1));
                }
                out.push(b0);
            }
            _ => return Err(err(base)),
        }
    }
    Ok(out)
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail by panicking")]
mod tests {
    use super::*;

    #[test]
    fn base58_known_values() {
        assert_eq!(encode_base58btc(b""), "");
        assert_eq!(encode_base58btc(&[0, 0, 1]), "112");
        assert_eq!(encode_base58btc(b"hello world"), "StV1DL6CwTryKyV");
        assert_eq!(decode_base58btc("StV1DL6CwTryKyV").unwrap(), b"hello world");
        assert_eq!(decode_base58btc("112").unwrap(), vec![0, 0, 1]);
        assert_eq!(decode_base58btc("").unwrap(), Vec::<u8>::new());
        assert_eq!(
            decode_base58btc("Ab0c"),
            Err(Error::Encoding(EncodingError::Alphabet {
                encoding: "base58btc",
                position: 2
            }))
        );
        assert!(matches!(
            decode_base58btc("l"),
            Err(Error::Encoding(EncodingError::Alphabet { .. }))
        ));
        assert!(matches!(
            decode_base58btc(&"2".repeat(2000)),
            Err(Error::TooLarge { .. })
        ));
    }

    #[test]
    fn base64url_known_values() {
        // RFC 4648 §10 vectors, without padding.
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode_base64url(plain.as_bytes()), enc);
            assert_eq!(decode_base64url(enc).unwrap(), plain.as_bytes());
        }
        assert_eq!(encode_base64url(&[0xfb, 0xff]), "-_8");
        assert!(decode_base64url("Zg==").is_err());
        assert!(decode_base64url("Zh").is_err(), "non-zero padding bits");
        assert!(decode_base64url("Zm9vY").is_err(), "length 1 mod 4");
        assert!(decode_base64url("Zm+v").is_err(), "standard alphabet");
    }

    #[test]
    fn multibase_prefixes() {
        assert_eq!(Base::Base58Btc.encode(&[0, 1]), "z12");
        assert_eq!(Base::Base64Url.encode(b"fo"), "uZm8");
        assert_eq!(Base::Base64Url.decode("uZm8").unwrap(), b"fo");
        assert_eq!(
            Base::Base58Btc.decode("uZm8"),
            Err(Error::Encoding(EncodingError::MultibasePrefix {
                expected: 'z'
            }))
        );
        assert_eq!(
            Base::Base64Url.decode(""),
            Err(Error::Encoding(EncodingError::MultibasePrefix {
                expected: 'u'
            }))
        );
    }

    proptest::proptest! {
        #[test]
        fn roundtrips(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            proptest::prop_assert_eq!(decode_base58btc(&encode_base58btc(&bytes)).unwrap(), bytes.clone());
            proptest::prop_assert_eq!(decode_base64url(&encode_base64url(&bytes)).unwrap(), bytes);
        }

        #[test]
        fn decoders_never_panic(s in "\\PC{0,300}") {
            let _ = decode_base58btc(&s);
            let _ = decode_base64url(&s);
        }
    }
}
