//! The status bitstring and its `encodedList` form: GZIP [RFC 1952], then multibase
//! base64url without padding (prefix `u`).
//!
//! See "Bitstring Generation Algorithm"
//! (<https://www.w3.org/TR/vc-bitstring-status-list/#bitstring-generation-algorithm>),
//! "Bitstring Expansion Algorithm"
//! (<https://www.w3.org/TR/vc-bitstring-status-list/#bitstring-expansion-algorithm>) and
//! "Bitstring Encoding" (<https://www.w3.org/TR/vc-bitstring-status-list/#bitstring-encoding>).
//!
//! [RFC 1952]: https://www.rfc-editor.org/rfc/rfc1952

use crate::StatusError;
use std::fmt;
use std::io::{Read, Write};

use crate::Error;
use crate::keys::Base;

/// The spec's `minimumNumberOfEntries`: 131,072 entries (16 KiB at one bit per entry), the
/// minimum list length for herd privacy
/// (<https://www.w3.org/TR/vc-bitstring-status-list/#revocation-bitstring-length>).
pub const MIN_ENTRIES: usize = 131_072;

/// The largest `statusSize` supported here, in bits. The specification allows any positive
/// size ("Conforming processors MAY choose to only support bitstring entry sizes of 1"); eight
/// bits give 256 status messages, more than any profile uses.
pub const MAX_STATUS_SIZE: u8 = 8;

/// Default limit on the decompressed bitstring: 16 MiB, i.e. 134,217,728 one-bit entries.
pub const DEFAULT_MAX_BITSTRING_LEN: usize = 16 * 1024 * 1024;

/// Default limit on the length of `encodedList` in characters: 24 MiB, enough for an
/// incompressible bitstring of [`DEFAULT_MAX_BITSTRING_LEN`] bytes after GZIP (stored blocks
/// add 5 bytes per 64 KiB) and base64url (4 characters per 3 bytes).
pub const DEFAULT_MAX_ENCODED_LEN: usize = 24 * 1024 * 1024;

/// Limits applied when expanding an `encodedList` from an untrusted source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeLimits {
    /// Longest `encodedList` accepted, in characters (prefix included). Checked before any
    /// decoding.
    pub max_encoded_len: usize,
    /// Largest decompressed bitstring accepted, in bytes. Checked while inflating: a GZIP
    /// bomb is abandoned as soon as its output passes this size.
    pub max_bitstring_len: usize,
    /// The spec's `minimumNumberOfEntries`; [`MIN_ENTRIES`] unless an ecosystem
    /// specification sets another lower bound.
    pub min_entries: usize,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        DecodeLimits {
            max_encoded_len: DEFAULT_MAX_ENCODED_LEN,
            max_bitstring_len: DEFAULT_MAX_BITSTRING_LEN,
            min_entries: MIN_ENTRIES,
        }
    }
}

/// Checks `statusSize` against what this implementation supports (1 to [`MAX_STATUS_SIZE`]).
///
/// # Errors
/// [`crate::StatusError::UnsupportedSize`].
pub(crate) fn check_status_size(size: u64) -> Result<u8, Error> {
    match u8::try_from(size) {
        Ok(s) if (1..=MAX_STATUS_SIZE).contains(&s) => Ok(s),
        _ => Err(Error::Status(StatusError::UnsupportedSize { size })),
    }
}

/// A status bitstring: `len` entries of `status_size` bits each.
///
/// Entry `i` occupies bits `i × status_size` to `i × status_size + status_size - 1`, where bit
/// 0 is the left-most (most significant) bit of the first byte
/// (<https://www.w3.org/TR/vc-bitstring-status-list/#bitstring-encoding>). A multi-bit
/// value is read in the same order: its first bit is its most significant bit.
#[derive(Clone, PartialEq, Eq)]
pub struct StatusList {
    bytes: Vec<u8>,
    status_size: u8,
    len: usize,
}

impl fmt::Debug for StatusList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The bits are not printed: 16 KiB and more.
        f.debug_struct("StatusList")
            .field("len", &self.len)
            .field("status_size", &self.status_size)
            .finish_non_exhaustive()
    }
}

impl StatusList {
    /// A list of [`MIN_ENTRIES`] entries of `status_size` bits, all zero.
    ///
    /// # Errors
    /// [`crate::StatusError::UnsupportedSize`] unless `1 <= status_size <= 8`.
    pub fn new(status_size: u8) -> Result<Self, Error> {
        Self::with_len(MIN_ENTRIES, status_size)
    }

    /// A list of `entries` entries of `status_size` bits, all zero. `entries` must be at
    /// least [`MIN_ENTRIES`], and `entries × status_size` a multiple of 8.
    ///
    /// # Errors
    /// [`crate::StatusError::UnsupportedSize`], [`crate::StatusError::ListTooShort`],
    /// [`crate::StatusError::Malformed`] when the bits do not fill whole bytes,
    /// [`crate::StatusError::ListTooLarge`] above [`DEFAULT_MAX_BITSTRING_LEN`] bytes (verifiers
    /// with default limits would refuse the list).
    pub fn with_len(entries: usize, status_size: u8) -> Result<Self, Error> {
        let size = check_status_size(u64::from(status_size))?;
        if entries < MIN_ENTRIES {
            return Err(Error::Status(StatusError::ListTooShort {
                entries: entries as u64,
                minimum: MIN_ENTRIES as u64,
            }));
        }
        let too_large = Error::Status(StatusError::ListTooLarge {
            what: "bitstring",
            limit: DEFAULT_MAX_BITSTRING_LEN,
        });
        let bits = entries
            .checked_mul(usize::from(size))
            .ok_or(too_large.clone())?;
        if bits % 8 != 0 {
            return Err(Error::Status(StatusError::Malformed {
                field: "length",
                reason: "entries times statusSize must be a multiple of 8 bits",
            }));
        }
        if bits / 8 > DEFAULT_MAX_BITSTRING_LEN {
            return Err(too_large);
        }
        Ok(StatusList {
            bytes: vec![0; bits / 8],
            status_size: size,
            len: entries,
        })
    }

    /// Wraps an uncompressed bitstring. The list has `bytes.len() × 8 / status_size` entries
    /// (trailing bits that do not fill an entry are ignored), and must have at least
    /// `min_entries` (normally [`MIN_ENTRIES`]).
    ///
    /// # Errors
    /// [`crate::StatusError::UnsupportedSize`], [`crate::StatusError::ListTooShort`].
    pub fn from_bytes(bytes: Vec<u8>, status_size: u8, min_entries: usize) -> Result<Self, Error> {
        let size = check_status_size(u64::from(status_size))?;
        let bits = (bytes.len() as u64).saturating_mul(8);
        let entries = bits / u64::from(size);
        if entries < min_entries as u64 {
            return Err(Error::Status(StatusError::ListTooShort {
                entries,
                minimum: min_entries as u64,
            }));
        }
        let len = usize::try_from(entries).map_err(|_| {
            Error::Status(StatusError::ListTooLarge {
                what: "bitstring",
                limit: usize::MAX,
            })
        })?;
        Ok(StatusList {
            bytes,
            status_size: size,
            len,
        })
    }

    /// Expands an `encodedList` (see [`expand_bitstring`]) into a list of `status_size`-bit
    /// entries.
    ///
    /// # Errors
    /// Those of [`expand_bitstring`] and [`StatusList::from_bytes`].
    pub fn decode(encoded: &str, status_size: u8, limits: &DecodeLimits) -> Result<Self, Error> {
        check_status_size(u64::from(status_size))?;
        let bytes = expand_bitstring(encoded, limits)?;
        Self::from_bytes(bytes, status_size, limits.min_entries)
    }

    /// The `encodedList` value for this list (see [`compress_bitstring`]).
    ///
    /// # Errors
    /// [`crate::StatusError::Gzip`] if the compressor fails (it writes to memory and is not
    /// expected to).
    pub fn encode(&self) -> Result<String, Error> {
        compress_bitstring(&self.bytes)
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the list has no entries (only possible with `min_entries` 0).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bits per entry (the spec's `statusSize`).
    pub fn status_size(&self) -> u8 {
        self.status_size
    }

    /// The uncompressed bitstring.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The value of entry `index`.
    ///
    /// # Errors
    /// [`crate::StatusError::IndexOutOfRange`] when `index >= len()`.
    pub fn get(&self, index: usize) -> Result<u8, Error> {
        read_entry(&self.bytes, index as u64, self.status_size)
    }

    /// Sets entry `index` to `value`.
    ///
    /// # Errors
    /// [`crate::StatusError::IndexOutOfRange`] when `index >= len()`,
    /// [`crate::StatusError::ValueOutOfRange`] when `value` needs more than `status_size` bits.
    pub fn set(&mut self, index: usize, value: u8) -> Result<(), Error> {
        if self.status_size < 8 && value >> self.status_size != 0 {
            return Err(Error::Status(StatusError::ValueOutOfRange {
                value,
                status_size: self.status_size,
            }));
        }
        let start = self.bit_offset(index)?;
        for k in 0..usize::from(self.status_size) {
            let pos = start + k;
            let bit = (value >> (usize::from(self.status_size) - 1 - k)) & 1;
            let mask = 0x80u8 >> (pos % 8);
            let byte =
                self.bytes
                    .get_mut(pos / 8)
                    .ok_or(Error::Status(StatusError::IndexOutOfRange {
                        index: index as u64,
                        len: self.len,
                    }))?;
            if bit == 1 {
                *byte |= mask;
            } else {
                *byte &= !mask;
            }
        }
        Ok(())
    }

    fn bit_offset(&self, index: usize) -> Result<usize, Error> {
        if index >= self.len {
            return Err(Error::Status(StatusError::IndexOutOfRange {
                index: index as u64,
                len: self.len,
            }));
        }
        // index < len and len × status_size ≤ bytes × 8, so this does not overflow.
        Ok(index * usize::from(self.status_size))
    }
}

/// Reads entry `index` of `status_size` bits from a bitstring (the Validate Algorithm's
/// "value in the bitstring at the position indicated by the credentialIndex multiplied by the
/// size").
///
/// # Errors
/// [`crate::StatusError::IndexOutOfRange`] when the entry does not lie wholly inside `bytes`.
pub(crate) fn read_entry(bytes: &[u8], index: u64, status_size: u8) -> Result<u8, Error> {
    let bits = (bytes.len() as u64).saturating_mul(8);
    let len = bits / u64::from(status_size.max(1));
    let out_of_range = Error::Status(StatusError::IndexOutOfRange {
        index,
        len: usize::try_from(len).unwrap_or(usize::MAX),
    });
    if index >= len {
        return Err(out_of_range);
    }
    let start = index * u64::from(status_size);
    let mut value = 0u8;
    for k in 0..u64::from(status_size) {
        let pos = start + k;
        let byte = usize::try_from(pos / 8)
            .ok()
            .and_then(|i| bytes.get(i))
            .ok_or(out_of_range.clone())?;
        let bit = (byte >> (7 - (pos % 8))) & 1;
        value = (value << 1) | bit;
    }
    Ok(value)
}

/// The Bitstring Generation Algorithm's last step
/// (<https://www.w3.org/TR/vc-bitstring-status-list/#bitstring-generation-algorithm>):
/// GZIP-compresses `bitstring` and multibase-encodes the result as base64url without padding.
///
/// The GZIP header carries no file name and a zero modification time, so the output is a
/// function of the bits alone.
///
/// # Errors
/// [`crate::StatusError::Gzip`] if the compressor fails (it writes to memory and is not expected
/// to).
pub fn compress_bitstring(bitstring: &[u8]) -> Result<String, Error> {
    let failed = |_| {
        Error::Status(StatusError::Gzip {
            reason: "compression failed",
        })
    };
    let mut encoder = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::best());
    encoder.write_all(bitstring).map_err(failed)?;
    let gz = encoder.finish().map_err(failed)?;
    Ok(Base::Base64Url.encode(&gz))
}

/// The Bitstring Expansion Algorithm
/// (<https://www.w3.org/TR/vc-bitstring-status-list/#bitstring-expansion-algorithm>):
/// multibase-decodes `encoded` (base64url, prefix `u`) and GZIP-decompresses it, within
/// `limits`.
///
/// Exactly one GZIP member is accepted; its CRC-32 and length trailer must match, and no
/// bytes may follow it. `limits.min_entries` is not applied here (see
/// [`StatusList::from_bytes`]).
///
/// # Errors
/// [`crate::StatusError::ListTooLarge`] when `encoded` or the output passes a limit (the output limit
/// is enforced while inflating); [`crate::EncodingError::MultibasePrefix`] / [`crate::EncodingError::Alphabet`] for
/// bad multibase; [`crate::StatusError::Gzip`] for a bad GZIP stream.
pub fn expand_bitstring(encoded: &str, limits: &DecodeLimits) -> Result<Vec<u8>, Error> {
    if encoded.len() > limits.max_encoded_len {
        return Err(Error::Status(StatusError::ListTooLarge {
            what: "encodedList",
            limit: limits.max_encoded_len,
        }));
    }
    let gz = Base::Base64Url.decode(encoded)?;
    if gz.len() < 18 {
        // 10-byte header + at least one deflate byte... + 8-byte trailer; anything shorter
        // cannot be a GZIP member.
        return Err(Error::Status(StatusError::Gzip {
            reason: "truncated GZIP member",
        }));
    }
    let mut decoder = flate2::bufread::GzDecoder::new(gz.as_slice());
    let mut out = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = match decoder.read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(Error::Status(StatusError::Gzip {
                    reason: match e.kind() {
                        std::io::ErrorKind::UnexpectedEof => "truncated GZIP member",
                        _ => "invalid GZIP header, deflate data or trailer",
                    },
                }));
            }
        };
        if n == 0 {
            break;
        }
        let chunk = buf.get(..n).ok_or(Error::Status(StatusError::Gzip {
            reason: "decoder reported an impossible length",
        }))?;
        if out.len().saturating_add(n) > limits.max_bitstring_len {
            return Err(Error::Status(StatusError::ListTooLarge {
                what: "bitstring",
                limit: limits.max_bitstring_len,
            }));
        }
        out.extend_from_slice(chunk);
    }
    if !decoder.into_inner().is_empty() {
        return Err(Error::Status(StatusError::Gzip {
            reason: "bytes after the GZIP member",
        }));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![expect(
        clippy::unwrap_used,
        clippy::indexing_slicing,
        reason = "tests fail by panicking"
    )]
    use super::*;
    use crate::EncodingError;

    fn small_limits() -> DecodeLimits {
        DecodeLimits {
            min_entries: 0,
            ..DecodeLimits::default()
        }
    }

    #[test]
    fn bit_order_is_msb_first() {
        let mut list = StatusList::new(1).unwrap();
        list.set(0, 1).unwrap();
        assert_eq!(list.as_bytes()[0], 0x80);
        list.set(7, 1).unwrap();
        assert_eq!(list.as_bytes()[0], 0x81);
        list.set(8, 1).unwrap();
        assert_eq!(list.as_bytes()[1], 0x80);
        list.set(0, 0).unwrap();
        assert_eq!(list.as_bytes()[0], 0x01);
        let last = list.len() - 1;
        list.set(last, 1).unwrap();
        assert_eq!(*list.as_bytes().last().unwrap(), 0x01);
    }

    #[test]
    fn multi_bit_entries() {
        let mut list = StatusList::new(2).unwrap();
        assert_eq!(list.len(), MIN_ENTRIES);
        assert_eq!(list.as_bytes().len(), MIN_ENTRIES / 4);
        list.set(0, 0b10).unwrap();
        list.set(1, 0b01).unwrap();
        list.set(3, 0b11).unwrap();
        assert_eq!(list.as_bytes()[0], 0b1001_0011);
        assert_eq!(list.get(0).unwrap(), 2);
        assert_eq!(list.get(1).unwrap(), 1);
        assert_eq!(list.get(2).unwrap(), 0);
        assert_eq!(list.get(3).unwrap(), 3);
        assert_eq!(
            list.set(2, 4),
            Err(Error::Status(StatusError::ValueOutOfRange {
                value: 4,
                status_size: 2
            }))
        );
        // An 8-bit list takes any byte.
        let mut list8 = StatusList::new(8).unwrap();
        list8.set(5, 0xa5).unwrap();
        assert_eq!(list8.get(5).unwrap(), 0xa5);
        assert_eq!(list8.as_bytes()[5], 0xa5);
        // 3-bit entries straddle bytes.
        let mut list3 = StatusList::with_len(MIN_ENTRIES, 3).unwrap();
        list3.set(2, 0b101).unwrap(); // bits 6, 7, 8
        assert_eq!(list3.as_bytes()[0], 0b0000_0010);
        assert_eq!(list3.as_bytes()[1], 0b1000_0000);
        assert_eq!(list3.get(2).unwrap(), 5);
    }

    #[test]
    fn constructor_errors() {
        assert_eq!(
            StatusList::new(0),
            Err(Error::Status(StatusError::UnsupportedSize { size: 0 }))
        );
        assert_eq!(
            StatusList::new(9),
            Err(Error::Status(StatusError::UnsupportedSize { size: 9 }))
        );
        assert!(matches!(
            StatusList::with_len(MIN_ENTRIES - 8, 1),
            Err(Error::Status(StatusError::ListTooShort { .. }))
        ));
        assert!(matches!(
            StatusList::with_len(MIN_ENTRIES + 1, 1),
            Err(Error::Status(StatusError::Malformed {
                field: "length",
                ..
            }))
        ));
        assert!(StatusList::with_len(MIN_ENTRIES + 8, 1).is_ok());
        assert!(matches!(
            StatusList::with_len(usize::MAX, 8),
            Err(Error::Status(StatusError::ListTooLarge { .. }))
        ));
        assert!(matches!(
            StatusList::with_len(DEFAULT_MAX_BITSTRING_LEN * 8 + 8, 1),
            Err(Error::Status(StatusError::ListTooLarge { .. }))
        ));
        let list = StatusList::new(1).unwrap();
        assert_eq!(
            list.get(MIN_ENTRIES),
            Err(Error::Status(StatusError::IndexOutOfRange {
                index: MIN_ENTRIES as u64,
                len: MIN_ENTRIES
            }))
        );
    }

    #[test]
    fn round_trip_and_determinism() {
        let mut list = StatusList::new(1).unwrap();
        for i in [0, 1, 94_567, MIN_ENTRIES - 1] {
            list.set(i, 1).unwrap();
        }
        let enc = list.encode().unwrap();
        assert!(enc.starts_with('u'));
        assert_eq!(enc, list.encode().unwrap());
        let back = StatusList::decode(&enc, 1, &DecodeLimits::default()).unwrap();
        assert_eq!(back, list);
        assert_eq!(back.get(94_567).unwrap(), 1);
        assert_eq!(back.get(94_568).unwrap(), 0);
    }

    #[test]
    fn expansion_errors() {
        let limits = small_limits();
        assert_eq!(
            expand_bitstring("zabc", &limits),
            Err(Error::Encoding(EncodingError::MultibasePrefix {
                expected: 'u'
            }))
        );
        assert!(matches!(
            expand_bitstring("u!!!!", &limits),
            Err(Error::Encoding(EncodingError::Alphabet { .. }))
        ));
        assert!(matches!(
            expand_bitstring("u", &limits),
            Err(Error::Status(StatusError::Gzip { .. }))
        ));
        // Not GZIP at all.
        let junk = Base::Base64Url.encode(&[0x42; 64]);
        assert!(matches!(
            expand_bitstring(&junk, &limits),
            Err(Error::Status(StatusError::Gzip { .. }))
        ));
        let good = compress_bitstring(&[0u8; 100]).unwrap();
        let gz = Base::Base64Url.decode(&good).unwrap();
        // Truncated.
        let cut = Base::Base64Url.encode(&gz[..gz.len() - 3]);
        assert!(matches!(
            expand_bitstring(&cut, &limits),
            Err(Error::Status(StatusError::Gzip { .. }))
        ));
        // Bad CRC.
        let mut bad_crc = gz.clone();
        let n = bad_crc.len();
        bad_crc[n - 8] ^= 1;
        assert!(matches!(
            expand_bitstring(&Base::Base64Url.encode(&bad_crc), &limits),
            Err(Error::Status(StatusError::Gzip { .. }))
        ));
        // Bad length trailer.
        let mut bad_len = gz.clone();
        bad_len[n - 4] ^= 1;
        assert!(matches!(
            expand_bitstring(&Base::Base64Url.encode(&bad_len), &limits),
            Err(Error::Status(StatusError::Gzip { .. }))
        ));
        // Trailing bytes, and a second member.
        let mut trailing = gz.clone();
        trailing.push(0);
        assert_eq!(
            expand_bitstring(&Base::Base64Url.encode(&trailing), &limits),
            Err(Error::Status(StatusError::Gzip {
                reason: "bytes after the GZIP member"
            }))
        );
        let mut two = gz.clone();
        two.extend_from_slice(&gz);
        assert!(matches!(
            expand_bitstring(&Base::Base64Url.encode(&two), &limits),
            Err(Error::Status(StatusError::Gzip { .. }))
        ));
        // Limits.
        let tight = DecodeLimits {
            max_bitstring_len: 99,
            ..limits
        };
        assert_eq!(
            expand_bitstring(&good, &tight),
            Err(Error::Status(StatusError::ListTooLarge {
                what: "bitstring",
                limit: 99
            }))
        );
        let exact = DecodeLimits {
            max_bitstring_len: 100,
            ..limits
        };
        assert_eq!(expand_bitstring(&good, &exact).unwrap(), vec![0u8; 100]);
        let short = DecodeLimits {
            max_encoded_len: good.len() - 1,
            ..limits
        };
        assert!(matches!(
            expand_bitstring(&good, &short),
            Err(Error::Status(StatusError::ListTooLarge {
                what: "encodedList",
                ..
            }))
        ));
        // Too few entries for the default minimum.
        assert_eq!(
            StatusList::decode(&good, 1, &DecodeLimits::default()),
            Err(Error::Status(StatusError::ListTooShort {
                entries: 800,
                minimum: MIN_ENTRIES as u64
            }))
        );
    }
}
