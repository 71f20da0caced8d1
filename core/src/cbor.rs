//! A strict CBOR (RFC 8949) reader and writer for exactly the subset that Data Integrity proof
//! values use: unsigned integers, byte strings, text strings, arrays and maps, definite length
//! only, no tags, no floats or simple values.
//!
//! Written here rather than taken from a general crate (`ciborium`, `minicbor`) because the
//! subset is tiny, the decoder sees attacker-controlled bytes, and what matters is what is
//! *refused*: indefinite lengths, tags, non-shortest heads, lengths past the input or a limit,
//! trailing bytes. A schema-driven reader (the caller says which type comes next) also bounds
//! nesting by construction: there is no recursion and no generic value tree to allocate.
//!
//! Encoding always uses the shortest head (RFC 8949 §4.2.1 preferred serialization), so
//! decode-then-encode is the identity on every accepted input whose maps have sorted keys.

use crate::Bbs2023Error;
use crate::{CborErrorKind, Error};

const MAJOR_UINT: u8 = 0;
const MAJOR_BYTES: u8 = 2;
const MAJOR_TEXT: u8 = 3;
const MAJOR_ARRAY: u8 = 4;
const MAJOR_MAP: u8 = 5;
const MAJOR_TAG: u8 = 6;

/// Reads CBOR items in an order the caller knows.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    input: &'a [u8],
    pos: usize,
    /// Added to positions in errors (for example the length of a header before the CBOR).
    base: usize,
}

impl<'a> Reader<'a> {
    /// A reader over `input`; error offsets are reported as `base + position`.
    pub(crate) fn new(input: &'a [u8], base: usize) -> Self {
        Reader {
            input,
            pos: 0,
            base,
        }
    }

    fn error_at(&self, pos: usize, kind: CborErrorKind) -> Error {
        Error::Bbs2023(Bbs2023Error::Cbor {
            offset: self.base.saturating_add(pos),
            kind,
        })
    }

    fn remaining(&self) -> usize {
        self.input.len().saturating_sub(self.pos)
    }

    fn take(&mut self, n: usize, start: usize) -> Result<&'a [u8], Error> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or(self.error_at(start, CborErrorKind::Truncated))?;
        let slice = self
            .input
            .get(self.pos..end)
            .ok_or(self.error_at(start, CborErrorKind::Truncated))?;
        self.pos = end;
        Ok(slice)
    }

    /// Reads an item head of major type `major`; returns its argument.
    fn head(&mut self, major: u8, expected: &'static str) -> Result<(u64, usize), Error> {
        let start = self.pos;
        let initial = *self
            .take(1, start)?
            .first()
            .ok_or(self.error_at(start, CborErrorKind::Truncated))?;
        let (found_major, info) = (initial >> 5, initial & 0x1f);
        if found_major != major {
            let kind = if found_major == MAJOR_TAG {
                CborErrorKind::Tagged
            } else {
                CborErrorKind::UnexpectedType { expected }
            };
            return Err(self.error_at(start, kind));
        }
        let (value, min) = match info {
            0..=23 => return Ok((u64::from(info), start)),
            24 => (self.be_uint::<1>(start)?, 24),
            25 => (self.be_uint::<2>(start)?, 0x100),
            26 => (self.be_uint::<4>(start)?, 0x1_0000),
            27 => (self.be_uint::<8>(start)?, 0x1_0000_0000),
            31 => return Err(self.error_at(start, CborErrorKind::IndefiniteLength)),
            _ => return Err(self.error_at(start, CborErrorKind::Reserved)),
        };
        if value < min {
            return Err(self.error_at(start, CborErrorKind::NonCanonical));
        }
        Ok((value, start))
    }

    fn be_uint<const N: usize>(&mut self, start: usize) -> Result<u64, Error> {
        let bytes = self.take(N, start)?;
        Ok(bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }

    /// A length or count checked against `limit` and against what input remains (every
    /// element or byte needs at least one byte), so callers may allocate it.
    fn bounded(&self, value: u64, limit: usize, start: usize) -> Result<usize, Error> {
        let limit_u64 = u64::try_from(limit).unwrap_or(u64::MAX);
        if value > limit_u64 {
            return Err(self.error_at(
                start,
                CborErrorKind::TooLong {
                    actual: value,
                    limit: limit_u64,
                },
            ));
        }
        let n =
            usize::try_from(value).map_err(|_| self.error_at(start, CborErrorKind::Truncated))?;
        if n > self.remaining() {
            return Err(self.error_at(start, CborErrorKind::Truncated));
        }
        Ok(n)
    }

    /// An unsigned integer.
    pub(crate) fn uint(&mut self) -> Result<u64, Error> {
        Ok(self.head(MAJOR_UINT, "unsigned integer")?.0)
    }

    /// An unsigned integer that fits in `u32`.
    pub(crate) fn uint_u32(&mut self) -> Result<u32, Error> {
        let start = self.pos;
        let value = self.uint()?;
        u32::try_from(value).map_err(|_| self.error_at(start, CborErrorKind::IntegerRange))
    }

    /// A byte string of at most `limit` bytes.
    pub(crate) fn bytes(&mut self, limit: usize) -> Result<&'a [u8], Error> {
        let (len, start) = self.head(MAJOR_BYTES, "byte string")?;
        let n = self.bounded(len, limit, start)?;
        self.take(n, start)
    }

    /// A UTF-8 text string of at most `limit` bytes.
    pub(crate) fn text(&mut self, limit: usize) -> Result<&'a str, Error> {
        let (len, start) = self.head(MAJOR_TEXT, "text string")?;
        let n = self.bounded(len, limit, start)?;
        let bytes = self.take(n, start)?;
        core::str::from_utf8(bytes).map_err(|_| self.error_at(start, CborErrorKind::InvalidUtf8))
    }

    /// An array head with at most `limit` elements; returns the element count.
    pub(crate) fn array(&mut self, limit: usize) -> Result<usize, Error> {
        let (len, start) = self.head(MAJOR_ARRAY, "array")?;
        self.bounded(len, limit, start)
    }

    /// An array head that must have exactly `expected` elements.
    pub(crate) fn array_exact(&mut self, expected: usize) -> Result<(), Error> {
        let start = self.pos;
        let (len, _) = self.head(MAJOR_ARRAY, "array")?;
        if len != u64::try_from(expected).unwrap_or(u64::MAX) {
            let actual = usize::try_from(len).unwrap_or(usize::MAX);
            return Err(self.error_at(start, CborErrorKind::ArrayLength { expected, actual }));
        }
        Ok(())
    }

    /// A map head with at most `limit` entries; returns the entry count.
    pub(crate) fn map(&mut self, limit: usize) -> Result<usize, Error> {
        let (len, start) = self.head(MAJOR_MAP, "map")?;
        // Each entry needs at least two bytes; `bounded` checks one.
        self.bounded(len, limit, start)
    }

    /// The current position, for error reporting by the caller.
    pub(crate) fn offset(&self) -> usize {
        self.base.saturating_add(self.pos)
    }

    /// Checks that the input is fully consumed.
    pub(crate) fn finish(self) -> Result<(), Error> {
        if self.pos != self.input.len() {
            return Err(self.error_at(self.pos, CborErrorKind::TrailingBytes));
        }
        Ok(())
    }
}

/// Writes CBOR items with shortest heads.
#[derive(Debug, Default)]
pub(crate) struct Writer {
    out: Vec<u8>,
}

impl Writer {
    /// A writer appending to `out`.
    pub(crate) fn new(out: Vec<u8>) -> Self {
        Writer { out }
    }

    fn head(&mut self, major: u8, value: u64) {
        let m = major << 5;
        if value < 24 {
            self.out.push(m | value as u8);
        } else if let Ok(v) = u8::try_from(value) {
            self.out.extend_from_slice(&[m | 24, v]);
        } else if let Ok(v) = u16::try_from(value) {
            self.out.push(m | 25);
            self.out.extend_from_slice(&v.to_be_bytes());
        } else if let Ok(v) = u32::try_from(value) {
            self.out.push(m | 26);
            self.out.extend_from_slice(&v.to_be_bytes());
        } else {
            self.out.push(m | 27);
            self.out.extend_from_slice(&value.to_be_bytes());
        }
    }

    fn len(n: usize) -> u64 {
        u64::try_from(n).unwrap_or(u64::MAX)
    }

    pub(crate) fn uint(&mut self, value: u64) {
        self.head(MAJOR_UINT, value);
    }

    pub(crate) fn bytes(&mut self, bytes: &[u8]) {
        self.head(MAJOR_BYTES, Self::len(bytes.len()));
        self.out.extend_from_slice(bytes);
    }

    pub(crate) fn text(&mut self, text: &str) {
        self.head(MAJOR_TEXT, Self::len(text.len()));
        self.out.extend_from_slice(text.as_bytes());
    }

    pub(crate) fn array(&mut self, len: usize) {
        self.head(MAJOR_ARRAY, Self::len(len));
    }

    pub(crate) fn map(&mut self, len: usize) {
        self.head(MAJOR_MAP, Self::len(len));
    }

    pub(crate) fn into_inner(self) -> Vec<u8> {
        self.out
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, clippy::panic, reason = "tests fail by panicking")]
mod tests {
    use super::*;

    fn kind(e: Error) -> CborErrorKind {
        match e {
            Error::Bbs2023(Bbs2023Error::Cbor { kind, .. }) => kind,
            other => panic!("not a CBOR error: {other:?}"),
        }
    }

    #[test]
    fn heads_round_trip_shortest() {
        for v in [
            0u64,
            23,
            24,
            255,
            256,
            65535,
            65536,
            u64::from(u32::MAX),
            u64::from(u32::MAX) + 1,
            u64::MAX,
        ] {
            let mut w = Writer::default();
            w.uint(v);
            let bytes = w.into_inner();
            let mut r = Reader::new(&bytes, 0);
            assert_eq!(r.uint().unwrap(), v);
            r.finish().unwrap();
        }
    }

    #[test]
    fn refusals() {
        assert_eq!(
            kind(Reader::new(&[0x18, 0x05], 0).uint().unwrap_err()),
            CborErrorKind::NonCanonical
        );
        assert_eq!(
            kind(Reader::new(&[0x19, 0x00, 0xff], 0).uint().unwrap_err()),
            CborErrorKind::NonCanonical
        );
        assert_eq!(
            kind(Reader::new(&[0x5f], 0).bytes(10).unwrap_err()),
            CborErrorKind::IndefiniteLength
        );
        assert_eq!(
            kind(Reader::new(&[0x1c], 0).uint().unwrap_err()),
            CborErrorKind::Reserved
        );
        assert_eq!(
            kind(Reader::new(&[0xc2, 0x40], 0).bytes(10).unwrap_err()),
            CborErrorKind::Tagged
        );
        assert_eq!(
            kind(Reader::new(&[0xf6], 0).bytes(10).unwrap_err()),
            CborErrorKind::UnexpectedType {
                expected: "byte string"
            }
        );
        assert_eq!(
            kind(Reader::new(&[0x43, 1, 2], 0).bytes(10).unwrap_err()),
            CborErrorKind::Truncated
        );
        assert_eq!(
            kind(Reader::new(&[0x43, 1, 2, 3], 0).bytes(2).unwrap_err()),
            CborErrorKind::TooLong {
                actual: 3,
                limit: 2
            }
        );
        assert_eq!(
            kind(
                Reader::new(&[0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 0)
                    .array(usize::MAX)
                    .unwrap_err()
            ),
            CborErrorKind::Truncated
        );
        assert_eq!(
            kind(Reader::new(&[0x62, 0xff, 0xfe], 0).text(10).unwrap_err()),
            CborErrorKind::InvalidUtf8
        );
        let mut r = Reader::new(&[0x00, 0x00], 0);
        r.uint().unwrap();
        assert_eq!(kind(r.finish().unwrap_err()), CborErrorKind::TrailingBytes);
        assert_eq!(
            Reader::new(&[], 7).uint(),
            Err(Error::Bbs2023(Bbs2023Error::Cbor {
                offset: 7,
                kind: CborErrorKind::Truncated
            }))
        );
    }
}
