//! Token Status List ([draft-ietf-oauth-status-list-14](https://datatracker.ietf.org/doc/draft-ietf-oauth-status-list/14/)):
//! a credential's `status.status_list` (`idx`, `uri`) points into a Status List Token, a JWT
//! (`typ: statuslist+jwt`) whose `status_list` holds `bits` (1, 2, 4 or 8 per entry) and `lst`,
//! the statuses packed least significant bits first and compressed with DEFLATE in the
//! ZLIB format (RFC 1950), base64url. Values: 0 valid, 1 invalid, 2 suspended; 3 and up are
//! application-specific (refused here: fail closed).
//!
//! In the order of the draft: §4 the status list (packing, [`StatusListToken::status`]),
//! §5 the token (`sub` = the URI, `iat`, optional `exp` and `ttl`; [`verify_token`],
//! [`build_token`]), §6 the referenced token's claim ([`StatusRef`]).

use crate::EcdsaError;
use std::io::Read;

use serde_json::{Map, Value, json};

use super::SdJwtError;
use crate::ecdsa::Signer;
use crate::jose::{b64, jws, unb64};
use crate::keys::PublicKey;

/// Largest decompressed status list accepted (a decompression bomb stops here).
pub const MAX_LIST_BYTES: usize = 4 << 20;

/// `status.status_list` of a credential (§6.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRef {
    /// The Status List Token's URI.
    pub uri: String,
    /// The credential's index in it.
    pub idx: u64,
}

impl StatusRef {
    /// Read `status` (the credential's claim): `{"status_list": {"idx", "uri"}}`.
    pub fn from_claim(status: &Value) -> Result<StatusRef, SdJwtError> {
        let bad = SdJwtError::Malformed;
        let list = status
            .get("status_list")
            .ok_or(bad("status has no status_list"))?;
        let idx = list
            .get("idx")
            .and_then(Value::as_u64)
            .ok_or(bad("status_list.idx is a non-negative integer"))?;
        let uri = list
            .get("uri")
            .and_then(Value::as_str)
            .filter(|u| !u.is_empty() && u.len() <= 2048)
            .ok_or(bad("status_list.uri is a URI"))?;
        Ok(StatusRef {
            uri: uri.to_owned(),
            idx,
        })
    }
}

/// A Status List Token whose signature verified and whose time claims hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusListToken {
    uri: String,
    bits: u8,
    list: Vec<u8>,
}

impl StatusListToken {
    /// Its URI (`sub`).
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// Bits per entry.
    pub fn bits(&self) -> u8 {
        self.bits
    }

    /// Every entry's status, in order (`8 / bits` entries per byte).
    pub fn statuses(&self) -> Vec<u8> {
        let count = self.list.len() * 8 / usize::from(self.bits.max(1));
        (0..count as u64).filter_map(|i| self.status(i)).collect()
    }

    /// The status at `idx` (§4.1: entry `idx` is bits `idx*bits ..` counted from the least
    /// significant bit of each byte); `None` outside the list.
    pub fn status(&self, idx: u64) -> Option<u8> {
        let bits = u64::from(self.bits);
        let bit = idx.checked_mul(bits)?;
        let byte = *self.list.get(usize::try_from(bit / 8).ok()?)?;
        let shift = u32::try_from(bit % 8).ok()?;
        let mask = u8::try_from((1u16 << self.bits) - 1).ok()?;
        Some((byte >> shift) & mask)
    }
}

/// Inflate a ZLIB stream, at most [`MAX_LIST_BYTES`].
fn inflate(bytes: &[u8]) -> Result<Vec<u8>, SdJwtError> {
    let mut out = Vec::new();
    let mut decoder = flate2::read::ZlibDecoder::new(bytes).take(MAX_LIST_BYTES as u64 + 1);
    decoder
        .read_to_end(&mut out)
        .map_err(|_| SdJwtError::Malformed("lst is not ZLIB-compressed data"))?;
    if out.len() > MAX_LIST_BYTES {
        return Err(SdJwtError::Profile(format!(
            "the status list inflates past {MAX_LIST_BYTES} bytes (a decompression bomb?)"
        )));
    }
    Ok(out)
}

/// The URI a Status List Token names (its `sub`), *unverified*: to file it, or to know
/// which URI to verify it for.
pub fn token_uri(jwt: &str) -> Option<String> {
    let payload = jwt.trim().split('.').nth(1)?;
    let bytes = unb64(payload, "").ok()?;
    match crate::json::parse(&bytes, &crate::json::JsonLimits::default()).ok()? {
        Value::Object(m) => m.get("sub").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    }
}

/// Verify a Status List Token (§5, §8.3): ES256 by `key`, `typ: statuslist+jwt`, `sub`
/// equal to `uri`, `iat` present and not in the future, `exp` (if any) not past, the list
/// decodable. `now` and `skew` in Unix seconds.
pub fn verify_token(
    jwt: &str,
    key: &PublicKey,
    uri: &str,
    now: i64,
    skew: i64,
) -> Result<StatusListToken, SdJwtError> {
    let verified = jws::verify(jwt.trim(), key)?;
    if verified.header().get("typ").and_then(Value::as_str) != Some("statuslist+jwt") {
        return Err(SdJwtError::Profile(
            "the status list token's typ is not statuslist+jwt".into(),
        ));
    }
    let claims = match crate::json::parse(verified.payload(), &crate::json::JsonLimits::default()) {
        Ok(Value::Object(m)) => m,
        _ => {
            return Err(SdJwtError::Malformed(
                "the status list token is not a JSON object",
            ));
        }
    };
    if claims.get("sub").and_then(Value::as_str) != Some(uri) {
        return Err(SdJwtError::Profile(
            "the status list token is for another URI (sub)".into(),
        ));
    }
    let iat = claims
        .get("iat")
        .and_then(Value::as_i64)
        .ok_or(SdJwtError::Malformed("the status list token has no iat"))?;
    if iat > now.saturating_add(skew) {
        return Err(SdJwtError::Profile(
            "the status list token is issued in the future".into(),
        ));
    }
    if let Some(exp) = claims.get("exp") {
        let exp = exp
            .as_i64()
            .ok_or(SdJwtError::Malformed("exp is a number"))?;
        if exp < now.saturating_sub(skew) {
            return Err(SdJwtError::Profile(
                "the status list token has expired".into(),
            ));
        }
    }
    let list = claims
        .get("status_list")
        .ok_or(SdJwtError::Malformed("no status_list"))?;
    let bits = match list.get("bits").and_then(Value::as_u64) {
        Some(b @ (1 | 2 | 4 | 8)) => u8::try_from(b).unwrap_or(1),
        _ => return Err(SdJwtError::Malformed("status_list.bits is 1, 2, 4 or 8")),
    };
    let lst = list
        .get("lst")
        .and_then(Value::as_str)
        .ok_or(SdJwtError::Malformed("status_list.lst is a string"))?;
    let compressed = unb64(lst, "status_list.lst is not base64url")?;
    Ok(StatusListToken {
        uri: uri.to_owned(),
        bits,
        list: inflate(&compressed)?,
    })
}

/// The certificate chain in a status list token's `x5c` header, if it has one (not checked:
/// [`crate::x509::verify_chain`] is the check).
pub fn token_chain(
    jwt: &str,
) -> Result<Option<crate::x509::CertificateChain>, crate::x509::X509Error> {
    let header = jwt
        .trim()
        .split('.')
        .next()
        .and_then(|h| crate::keys::decode_base64url(h).ok())
        .and_then(|b| crate::json::parse(&b, &crate::json::JsonLimits::default()).ok());
    match header.as_ref().and_then(|h| h.get("x5c")) {
        None => Ok(None),
        Some(x5c) => crate::x509::CertificateChain::from_x5c(x5c).map(Some),
    }
}

/// Make a Status List Token for `uri` of `statuses` (one value per entry, each below
/// `2^bits`), signed with ES256 by `signer`.
pub fn build_token(
    signer: &dyn Signer,
    uri: &str,
    bits: u8,
    statuses: &[u8],
    iat: i64,
    exp: Option<i64>,
    ttl: Option<u64>,
) -> Result<String, crate::Error> {
    build_token_with_chain(signer, None, uri, bits, statuses, (iat, exp, ttl))
}

/// [`build_token`] with the signer's certificate chain in the `x5c` header when given (HAIP
/// 1.0, SD-JWT VC profile: the leaf for `signer`'s key, intermediates, never the root);
/// `times` is `(iat, exp, ttl)`. Refused if the leaf's key is not `signer`'s.
pub fn build_token_with_chain(
    signer: &dyn Signer,
    chain: Option<&crate::x509::CertificateChain>,
    uri: &str,
    bits: u8,
    statuses: &[u8],
    times: (i64, Option<i64>, Option<u64>),
) -> Result<String, crate::Error> {
    let (iat, exp, ttl) = times;
    if let Some(c) = chain
        && c.leaf_public_key()? != signer.public_key()
    {
        return Err(crate::Error::Ecdsa(EcdsaError::KeyMismatch));
    }
    if !matches!(bits, 1 | 2 | 4 | 8) {
        return Err(SdJwtError::Malformed("bits is 1, 2, 4 or 8").into());
    }
    let per_byte = 8 / usize::from(bits);
    let mut packed = vec![0u8; statuses.len().div_ceil(per_byte)];
    for (i, &s) in statuses.iter().enumerate() {
        if u16::from(s) >= 1u16 << bits {
            return Err(SdJwtError::Malformed("a status does not fit in bits").into());
        }
        let shift = (i % per_byte) * usize::from(bits);
        if let Some(b) = packed.get_mut(i / per_byte) {
            *b |= s << shift;
        }
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut z, &packed)
        .map_err(|_| crate::Error::Crypto("cannot compress the status list"))?;
    let compressed = z
        .finish()
        .map_err(|_| crate::Error::Crypto("cannot compress the status list"))?;
    let mut claims = json!({
        "sub": uri,
        "iat": iat,
        "status_list": {"bits": bits, "lst": b64(&compressed)},
    });
    if let (Some(exp), Some(m)) = (exp, claims.as_object_mut()) {
        m.insert("exp".into(), exp.into());
    }
    if let (Some(ttl), Some(m)) = (ttl, claims.as_object_mut()) {
        m.insert("ttl".into(), ttl.into());
    }
    let mut header = Map::new();
    header.insert("typ".into(), "statuslist+jwt".into());
    if let Some(c) = chain {
        header.insert("x5c".into(), c.to_x5c());
    }
    let body = serde_json::to_vec(&claims)
        .map_err(|_| crate::Error::Crypto("cannot serialize the status list token"))?;
    jws::sign(&header, &body, signer)
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail by panicking")]
mod tests {
    use super::*;
    use crate::ecdsa::DeviceKey;

    #[test]
    fn the_drafts_example_list_reads() {
        // §4.1's example: bits 1, statuses of 16 entries, compressed "eNrbuRgAAhcBXQ".
        let list = inflate(&unb64("eNrbuRgAAhcBXQ", "x").unwrap()).unwrap();
        assert_eq!(list, [0xb9, 0xa3]);
        let t = StatusListToken {
            uri: "u".into(),
            bits: 1,
            list,
        };
        let got: Vec<u8> = (0..16).map(|i| t.status(i).unwrap()).collect();
        assert_eq!(got, [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1]);
        assert_eq!(t.status(16), None);
    }

    #[test]
    fn tokens_round_trip_and_bad_ones_are_refused() {
        let key = DeviceKey::generate().unwrap();
        let statuses = [0u8, 1, 2, 0, 3, 0, 0, 1];
        let jwt = build_token(
            &key,
            "https://u/1",
            2,
            &statuses,
            1_800_000_000,
            Some(1_800_086_400),
            Some(43200),
        )
        .unwrap();
        let t = verify_token(&jwt, &key.public_key(), "https://u/1", 1_800_000_100, 60).unwrap();
        for (i, s) in statuses.iter().enumerate() {
            assert_eq!(t.status(i as u64), Some(*s));
        }
        let other = DeviceKey::generate().unwrap();
        assert!(verify_token(&jwt, &other.public_key(), "https://u/1", 1_800_000_100, 60).is_err());
        assert!(verify_token(&jwt, &key.public_key(), "https://u/2", 1_800_000_100, 60).is_err());
        let e =
            verify_token(&jwt, &key.public_key(), "https://u/1", 1_900_000_000, 60).unwrap_err();
        assert!(e.to_string().contains("expired"), "{e}");
        // A bomb: 64 MiB of zeros compress to a few KiB.
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut z, &vec![0u8; 64 << 20]).unwrap();
        let bomb = z.finish().unwrap();
        assert!(bomb.len() < 100_000);
        let e = inflate(&bomb).unwrap_err();
        assert!(e.to_string().contains("decompression bomb"), "{e}");
    }
}
