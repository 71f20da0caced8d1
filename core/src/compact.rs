//! Compact presentation payloads: a JSON presentation as short, QR-friendly text.
//!
//! A payload is `CIV1:` followed by the Base45 text ([RFC 9285]) of raw DEFLATE data
//! ([RFC 1951]) compressed against a **preset dictionary** ([`DICTIONARY_V1`]) of the vocabulary
//! that bbs-2023 presentations repeat: context URLs, property names, proof types, and the fixed
//! leading characters of `did:key` identifiers and proof values. The dictionary is never sent:
//! both sides know it, and the DEFLATE stream refers back into it as if it had been decompressed
//! just before the payload. The digit in the prefix names the format and dictionary version, so
//! the dictionary can evolve (`CIV2:` with a new one) while old payloads stay readable. A
//! published dictionary never changes; a test pins its SHA-256.
//!
//! Every character of a payload is in the QR alphanumeric set (`0-9 A-Z space $ % * + - . / :`),
//! so the whole payload goes in one alphanumeric segment (5.5 bits a character, the same
//! density as the raw bytes in byte mode) and stays text everywhere else.
//!
//! The JSON is minified before compression: whitespace outside strings is removed and nothing
//! else changes (member order, number spellings and escapes are kept byte for byte).
//!
//! There is no checksum: the QR symbol's Reed-Solomon code catches damage in transit, and
//! the presentation's proofs catch any change to what it says. A corrupted payload decodes to
//! an error, or (rarely) to JSON that then fails verification.
//!
//! # Decoding limits
//!
//! [`decode`] applies [`DecodeLimits::default`]: at most [`DEFAULT_MAX_PAYLOAD_CHARS`] characters
//! of payload (the largest alphanumeric QR symbol) and at most [`DEFAULT_MAX_INFLATED`] bytes of
//! decompressed JSON. The inflated size is checked while inflating, so a DEFLATE bomb is stopped
//! at the limit and never allocates more. [`encode_json`] and [`encode_bytes`] refuse what the
//! default decoder would refuse.
//!
//! # Sizes (measured by `compact::tests::measure_representative_presentation`)
//!
//! The representative presentation is `core/tests/data/compact_presentation.json`: the bbs-2023
//! derived document of the draft's test vectors (`derivedRevealDocument.json`: a 768-character
//! `proofValue`, a 279-character `did:key:zUC7…#zUC7…` verification method) inside a
//! `VerifiablePresentation` with an `ecdsa-rdfc-2019` authentication proof (88-character
//! `proofValue`), a `did:key:zDna…` holder, a challenge and a domain.
//!
//! | step                                   | size        |
//! |----------------------------------------|-------------|
//! | JSON as written (2-space indent)       | 2,914 B     |
//! | minified                               | 2,332 B     |
//! | raw DEFLATE (level 10), no dictionary  | 1,368 B     |
//! | raw DEFLATE with `DICTIONARY_V1`       | 1,117 B     |
//! | payload (`CIV1:` + Base45)             | 1,681 chars |
//! | QR symbol, alphanumeric, level M       | version 28  |
//!
//! The floor is the high-entropy strings: the two proof values, the issuer's BBS key and the
//! holder's P-256 key (about 1,050 characters of base64url/base58, near 6 bits each) carry about
//! 770 bytes that no dictionary removes, and take about 830 bytes compressed. The rest of the
//! presentation (1,033 bytes of structure, vocabulary and claims) compresses to 493 bytes
//! without the dictionary and 289 bytes with it. The BBS proof grows by 32 bytes (about 43
//! characters of base64url) for each message the holder withholds, so withholding more claims
//! makes the payload longer, not shorter.
//!
//! [RFC 9285]: https://www.rfc-editor.org/rfc/rfc9285
//! [RFC 1951]: https://www.rfc-editor.org/rfc/rfc1951

use crate::CompactError;
use miniz_oxide::deflate::core::{
    CompressorOxide, TDEFLFlush, TDEFLStatus, compress_to_output, create_comp_flags_from_zip_params,
};
use miniz_oxide::inflate::TINFLStatus;
use miniz_oxide::inflate::core::{DecompressorOxide, decompress, inflate_flags};

use crate::Error;

/// The prefix of version 1 payloads: raw DEFLATE against [`DICTIONARY_V1`], then Base45.
pub const PREFIX_V1: &str = "CIV1:";

/// Default for [`DecodeLimits::max_payload_chars`]: 4,296, the alphanumeric capacity of the
/// largest QR symbol (version 40, level L).
pub const DEFAULT_MAX_PAYLOAD_CHARS: usize = 4296;

/// Default for [`DecodeLimits::max_inflated`]: 256 KiB of JSON.
pub const DEFAULT_MAX_INFLATED: usize = 256 * 1024;

/// The DEFLATE compression level used (miniz's "uber" level: the most thorough match search).
const LEVEL: i32 = 10;

/// The preset dictionary of version 1 (`CIV1:`): 1,969 bytes of minified JSON fragments.
///
/// DEFLATE refers back up to 32 KiB, so every byte here is in reach; fragments that nearly every
/// presentation uses come last, where the distances are shortest. Never change it: a new
/// dictionary is a new version and a new prefix.
pub const DICTIONARY_V1: &[u8] = concat!(
    // Less frequent: validity, status, schema, display and common subject claims.
    r#""id":"urn:uuid:"#,
    r#""name":"","description":"","#,
    r#""credentialSchema":{"id":"https://","type":"JsonSchema"},"#,
    r#""termsOfUse":"evidence":"refreshService":"renderMethod":"#,
    r#""credentialSubject":{"id":"did:"#,
    r#""givenName":"","familyName":"","birthDate":"19","nationality":"","address":{"#,
    r#""streetAddress":"","postalCode":"","addressLocality":"","addressCountry":"","#,
    r#""dateOfBirth":"","gender":"","documentNumber":"","expiryDate":"20"#,
    r#""validFrom":"20","validUntil":"20"#,
    r#"T00:00:00Z","#,
    r#""credentialStatus":{"id":"https://","#,
    r#""type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListIndex":""#,
    r#"","statusListCredential":"https://"#,
    r#"{"type":"BitstringStatusListEntry","statusPurpose":"suspension","statusListIndex":""#,
    r#""type":"BitstringStatusListCredential","#,
    // Contexts.
    r#""@context":["https://www.w3.org/ns/credentials/v2","https://w3id.org/security/data-integrity/v2"],"#,
    r#""https://www.w3.org/ns/credentials/examples/v2""#,
    r#"{"@vocab":"https://"#,
    r#""https://w3id.org/security/multikey/v1","https://w3id.org/security/suites/"#,
    // The issuer's bbs-2023 proof (base and derived).
    r#""issuer":{"id":"did:key:zUC7","name":""},"#,
    r#""issuer":"did:web:"#,
    r#""proof":{"type":"DataIntegrityProof","cryptosuite":"bbs-2023","created":"20"#,
    r#"Z","verificationMethod":"did:key:zUC7"#,
    r#"","proofPurpose":"assertionMethod","proofValue":"u2V0ChVhQ"#,
    r#""proofValue":"u2V0DhVkC"#,
    // The holder's ecdsa-rdfc-2019 (or ecdsa-sd / eddsa) presentation proof.
    r#""cryptosuite":"ecdsa-sd-2023""cryptosuite":"eddsa-rdfc-2022","verificationMethod":"did:key:z6Mk"#,
    r#"{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiablePresentation"],"#,
    r#""holder":"did:key:zDna","verifiableCredential":[{"#,
    r#""@context":["https://www.w3.org/ns/credentials/v2",{"@vocab":"https://"},"#,
    r#""type":["VerifiableCredential"],"issuer":"https://","credentialSubject":{"#,
    r#""proof":{"type":"DataIntegrityProof","cryptosuite":"bbs-2023","created":"20"#,
    r#"Z","verificationMethod":"did:key:zUC7"#,
    r#"","proofPurpose":"assertionMethod","proofValue":"u2V0DhVk"#,
    r#""}}],"proof":{"type":"DataIntegrityProof","cryptosuite":"ecdsa-rdfc-2019","created":"20"#,
    r#"Z","verificationMethod":"did:key:zDna"#,
    r#"","proofPurpose":"authentication","challenge":"","domain":"https://","proofValue":"z"#,
    r#""}}"#,
)
.as_bytes();

/// Limits applied by [`decode_with_limits`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeLimits {
    /// Longest payload accepted, in characters, prefix included.
    pub max_payload_chars: usize,
    /// Largest decompressed JSON accepted, in bytes; enforced while inflating.
    pub max_inflated: usize,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        Self {
            max_payload_chars: DEFAULT_MAX_PAYLOAD_CHARS,
            max_inflated: DEFAULT_MAX_INFLATED,
        }
    }
}

/// Encodes a JSON value (a presentation) as a `CIV1:` payload.
///
/// # Errors
/// [`crate::CompactError::TooLarge`] if the minified JSON or the payload exceeds the default limits.
pub fn encode_json(value: &serde_json::Value) -> Result<String, Error> {
    // serde_json writes the compact form: nothing to minify.
    let json = serde_json::to_vec(value)
        .map_err(|_| Error::Compact(CompactError::NotJson { line: 0, column: 0 }))?;
    encode_minified(&json)
}

/// Encodes JSON text (a presentation) as a `CIV1:` payload, after minifying it.
///
/// # Errors
/// [`crate::CompactError::NotJson`] if `json` is not one JSON value; [`crate::CompactError::TooLarge`] if the
/// minified JSON or the payload exceeds the default limits.
pub fn encode_bytes(json: &[u8]) -> Result<String, Error> {
    let minified = minify_json(json)?;
    encode_minified(&minified)
}

fn encode_minified(json: &[u8]) -> Result<String, Error> {
    if json.len() > DEFAULT_MAX_INFLATED {
        return Err(Error::Compact(CompactError::TooLarge {
            what: "JSON bytes",
            limit: DEFAULT_MAX_INFLATED,
        }));
    }
    let compressed = deflate_raw(json, DICTIONARY_V1)?;
    let mut payload = String::with_capacity(PREFIX_V1.len() + compressed.len() / 2 * 3 + 2);
    payload.push_str(PREFIX_V1);
    base45::encode_into(&compressed, &mut payload);
    if payload.len() > DEFAULT_MAX_PAYLOAD_CHARS {
        return Err(Error::Compact(CompactError::TooLarge {
            what: "payload characters",
            limit: DEFAULT_MAX_PAYLOAD_CHARS,
        }));
    }
    Ok(payload)
}

/// Decodes a payload with the default limits, returning the presentation.
///
/// # Errors
/// As [`decode_with_limits`].
pub fn decode(payload: &str) -> Result<serde_json::Value, Error> {
    decode_with_limits(payload, &DecodeLimits::default())
}

/// Decodes a payload, returning the presentation.
///
/// # Errors
/// [`crate::CompactError::TooLarge`] if a limit is exceeded, [`crate::CompactError::Prefix`] if the payload
/// does not start with a known `CIVn:` prefix, [`crate::CompactError::Base45`],
/// [`crate::CompactError::Deflate`], or [`crate::CompactError::NotJson`] for what follows.
pub fn decode_with_limits(
    payload: &str,
    limits: &DecodeLimits,
) -> Result<serde_json::Value, Error> {
    let json = decode_to_json_bytes(payload, limits)?;
    parse_json(&json)
}

/// Decodes a payload to the minified JSON bytes it carries, checked to be one JSON value.
///
/// # Errors
/// As [`decode_with_limits`].
pub fn decode_to_json_bytes(payload: &str, limits: &DecodeLimits) -> Result<Vec<u8>, Error> {
    // Characters: every accepted character is ASCII, so bytes bound characters from above and
    // a longer non-ASCII text is refused here or as bad Base45 below.
    if payload.len() > limits.max_payload_chars
        && payload.chars().count() > limits.max_payload_chars
    {
        return Err(Error::Compact(CompactError::TooLarge {
            what: "payload characters",
            limit: limits.max_payload_chars,
        }));
    }
    let body = strip_prefix(payload)?;
    let compressed = base45::decode(body)?;
    let json = inflate_raw(&compressed, DICTIONARY_V1, limits.max_inflated)?;
    parse_json(&json)?;
    Ok(json)
}

fn strip_prefix(payload: &str) -> Result<&str, Error> {
    if let Some(body) = payload.strip_prefix(PREFIX_V1) {
        return Ok(body);
    }
    // Distinguish a later version from something that is not a payload at all.
    let is_versioned = payload
        .strip_prefix("CIV")
        .and_then(|rest| rest.split_once(':'))
        .is_some_and(|(v, _)| {
            !v.is_empty() && v.len() <= 4 && v.bytes().all(|b| b.is_ascii_digit())
        });
    Err(Error::Compact(CompactError::Prefix {
        reason: if is_versioned {
            "unsupported payload version"
        } else {
            "missing CIV1: prefix"
        },
    }))
}

fn parse_json(json: &[u8]) -> Result<serde_json::Value, Error> {
    // The error's position only: serde_json's messages can quote the input.
    serde_json::from_slice(json).map_err(|e| {
        Error::Compact(CompactError::NotJson {
            line: e.line(),
            column: e.column(),
        })
    })
}

/// Removes the whitespace between JSON tokens; everything else is kept byte for byte.
///
/// # Errors
/// [`crate::CompactError::NotJson`] if `json` is not exactly one JSON value (surrounding whitespace
/// allowed).
pub fn minify_json(json: &[u8]) -> Result<Vec<u8>, Error> {
    // Validate first, so that the scan below only ever sees well-formed JSON.
    parse_json(json)?;
    let mut out = Vec::with_capacity(json.len());
    let mut in_string = false;
    let mut escaped = false;
    for &b in json {
        if in_string {
            out.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            out.push(b);
            if b == b'"' {
                in_string = true;
            }
        }
    }
    Ok(out)
}

/// Raw DEFLATE of `data`, with `dictionary` as the history it may refer back into.
///
/// The dictionary is compressed first and ended with a sync flush, which byte-aligns the stream
/// and keeps the compressor's window; everything written up to that point is dropped. What
/// follows starts with a fresh block header and is a valid raw DEFLATE stream for a decoder
/// whose window holds `dictionary` (see [`inflate_raw`]).
fn deflate_raw(data: &[u8], dictionary: &[u8]) -> Result<Vec<u8>, Error> {
    // Negative window bits: raw DEFLATE, no zlib header or checksum.
    let flags = create_comp_flags_from_zip_params(LEVEL, -15, 0);
    let mut compressor = Box::new(CompressorOxide::new(flags));
    let failed = || {
        Error::Compact(CompactError::Deflate {
            reason: "compressor failed",
        })
    };
    if !dictionary.is_empty() {
        let (status, consumed) =
            compress_to_output(&mut compressor, dictionary, TDEFLFlush::Sync, |_| true);
        if status != TDEFLStatus::Okay || consumed != dictionary.len() {
            return Err(failed());
        }
    }
    let mut out = Vec::with_capacity(data.len() / 2 + 64);
    let (status, consumed) = compress_to_output(&mut compressor, data, TDEFLFlush::Finish, |b| {
        out.extend_from_slice(b);
        true
    });
    if status != TDEFLStatus::Done || consumed != data.len() {
        return Err(failed());
    }
    Ok(out)
}

/// Inflates raw DEFLATE `data` whose window starts out holding `dictionary`, refusing to
/// produce more than `max_out` bytes. The output buffer grows geometrically and never past
/// `dictionary.len() + max_out + 1` bytes.
fn inflate_raw(data: &[u8], dictionary: &[u8], max_out: usize) -> Result<Vec<u8>, Error> {
    // A non-wrapping output buffer: back-references may reach anything already in it, the
    // dictionary included. One byte of slack tells "exactly at the limit" from "over it".
    let flags = inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    let cap = dictionary.len().saturating_add(max_out).saturating_add(1);
    let first = dictionary
        .len()
        .saturating_add(data.len().saturating_mul(4).max(4096))
        .min(cap);
    let mut buf = Vec::with_capacity(first);
    buf.extend_from_slice(dictionary);
    buf.resize(first, 0);
    let mut pos = dictionary.len();
    let mut input = data;
    let mut decompressor = Box::<DecompressorOxide>::default();
    let too_large = Error::Compact(CompactError::TooLarge {
        what: "inflated bytes",
        limit: max_out,
    });
    loop {
        let (status, consumed, written) =
            decompress(&mut decompressor, input, &mut buf, pos, flags);
        pos = pos.saturating_add(written);
        input = input
            .get(consumed..)
            .ok_or(Error::Compact(CompactError::Deflate {
                reason: "decompressor overran its input",
            }))?;
        if pos.saturating_sub(dictionary.len()) > max_out {
            return Err(too_large);
        }
        match status {
            TINFLStatus::Done => {
                if !input.is_empty() {
                    return Err(Error::Compact(CompactError::Deflate {
                        reason: "data after the final block",
                    }));
                }
                buf.truncate(pos);
                buf.drain(..dictionary.len());
                return Ok(buf);
            }
            TINFLStatus::HasMoreOutput => {
                if buf.len() >= cap {
                    return Err(too_large);
                }
                let grown = buf.len().saturating_mul(2).min(cap);
                buf.resize(grown, 0);
            }
            TINFLStatus::FailedCannotMakeProgress | TINFLStatus::NeedsMoreInput => {
                return Err(Error::Compact(CompactError::Deflate {
                    reason: "truncated stream",
                }));
            }
            TINFLStatus::Failed | TINFLStatus::BadParam | TINFLStatus::Adler32Mismatch => {
                return Err(Error::Compact(CompactError::Deflate {
                    reason: "invalid stream",
                }));
            }
        }
    }
}

/// Base45 ([RFC 9285](https://www.rfc-editor.org/rfc/rfc9285)): two bytes as three characters of
/// the QR alphanumeric set.
pub mod base45 {
    use crate::{CompactError, Error};

    const ALPHABET: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

    /// The character for a value below 45.
    fn char_of(v: u32) -> char {
        ALPHABET.get(v as usize).map_or('?', |&c| char::from(c))
    }

    /// The value of a Base45 character.
    fn value_of(c: u8) -> Option<u32> {
        let v = match c {
            b'0'..=b'9' => c - b'0',
            b'A'..=b'Z' => c - b'A' + 10,
            b' ' => 36,
            b'$' => 37,
            b'%' => 38,
            b'*' => 39,
            b'+' => 40,
            b'-' => 41,
            b'.' => 42,
            b'/' => 43,
            b':' => 44,
            _ => return None,
        };
        Some(u32::from(v))
    }

    /// Encodes `data` as Base45.
    #[must_use]
    pub fn encode(data: &[u8]) -> String {
        let mut out = String::with_capacity(data.len() / 2 * 3 + 2);
        encode_into(data, &mut out);
        out
    }

    /// Appends the Base45 encoding of `data` to `out`.
    pub fn encode_into(data: &[u8], out: &mut String) {
        let mut pairs = data.chunks_exact(2);
        for pair in &mut pairs {
            if let [a, b] = *pair {
                let n = u32::from(a) * 256 + u32::from(b);
                out.push(char_of(n % 45));
                out.push(char_of(n / 45 % 45));
                out.push(char_of(n / 2025));
            }
        }
        if let [a] = *pairs.remainder() {
            let n = u32::from(a);
            out.push(char_of(n % 45));
            out.push(char_of(n / 45));
        }
    }

    /// Decodes Base45 text.
    ///
    /// # Errors
    /// [`crate::CompactError::Base45`] with the 0-based character position of the first fault: a
    /// character outside the alphabet, a group whose value is too large, or a final group of one
    /// character.
    pub fn decode(text: &str) -> Result<Vec<u8>, Error> {
        let bytes = text.as_bytes();
        let mut out = Vec::with_capacity(bytes.len() / 3 * 2 + 1);
        for (i, group) in bytes.chunks(3).enumerate() {
            let start = i * 3;
            let mut n = 0u32;
            let mut weight = 1u32;
            for (j, &c) in group.iter().enumerate() {
                let v = value_of(c).ok_or(Error::Compact(CompactError::Base45 {
                    position: start + j,
                    reason: "character outside the Base45 alphabet",
                }))?;
                n += v * weight;
                weight *= 45;
            }
            match group.len() {
                3 if n <= 0xffff => out.extend_from_slice(&(n as u16).to_be_bytes()),
                2 if n <= 0xff => out.push(n as u8),
                1 => {
                    return Err(Error::Compact(CompactError::Base45 {
                        position: start,
                        reason: "dangling single character",
                    }));
                }
                _ => {
                    return Err(Error::Compact(CompactError::Base45 {
                        position: start,
                        reason: "group value out of range",
                    }));
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests;
