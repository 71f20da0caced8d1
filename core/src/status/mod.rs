//! W3C Bitstring Status List v1.0 (<https://www.w3.org/TR/vc-bitstring-status-list/>):
//! revocation, suspension and other status of verifiable credentials, published as one
//! compressed bitstring per list.
//!
//! - [`StatusList`]: the bitstring, `statusSize` bits per entry, with the spec's bit order;
//!   [`compress_bitstring`] / [`expand_bitstring`] produce and read `encodedList` (GZIP,
//!   then multibase base64url), within [`DecodeLimits`] that stop decompression bombs.
//! - [`build_status_list_credential`]: the unsigned `BitstringStatusListCredential` an
//!   issuer publishes (a proof is added by the caller); [`StatusListCredential::from_json`]
//!   parses one back.
//! - [`BitstringStatusListEntry`]: a credential's `credentialStatus` entries
//!   ([`parse_credential_status`]) and the issuer's builder ([`status_entry`]).
//! - [`check_status`]: the verifier's part of the Validate Algorithm
//!   (<https://www.w3.org/TR/vc-bitstring-status-list/#validate-algorithm>), on a
//!   [`VerifiedStatusList`] and an explicit time. Proof verification of the status list
//!   credential is the caller's: a [`VerifiedStatusList`] is only made by
//!   `StatusListCredential::assume_proof_verified` (crate-private), so every place that vouches for a proof is
//!   visible in review.
//!
//! Everything fails closed: any departure from a MUST of the data model, a purpose, list or
//! size mismatch, an index outside the list, or a list outside its validity period is an
//! [`Error`].

mod bitstring;
mod check;
mod credential;
mod entry;

use crate::StatusError;
use serde_json::Value;

use crate::Error;

pub use crate::time::Timestamp;
pub use bitstring::{
    DEFAULT_MAX_BITSTRING_LEN, DEFAULT_MAX_ENCODED_LEN, DecodeLimits, MAX_STATUS_SIZE, MIN_ENTRIES,
    StatusList, compress_bitstring, expand_bitstring,
};
pub use check::{StatusResult, check_status};
pub use credential::{
    CREDENTIALS_V2_CONTEXT, StatusListCredential, VerifiedStatusList, build_status_list_credential,
};
pub use entry::{
    BitstringStatusListEntry, StatusMessage, parse_credential_status, parse_status_list_index,
    status_entry,
};

/// The purpose of a status entry or list (`statusPurpose`,
/// <https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslistentry>).
///
/// The specification lets other strings through; this implementation accepts only the four
/// it defines and refuses the rest, so that no status is silently ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusPurpose {
    /// `refresh`: an updated credential is available from the refresh service; does not
    /// invalidate the credential.
    Refresh,
    /// `revocation`: the credential is cancelled, for good.
    Revocation,
    /// `suspension`: the credential is not to be accepted for now; reversible.
    Suspension,
    /// `message`: an arbitrary status message, chosen by `statusMessage`.
    Message,
}

impl StatusPurpose {
    /// The JSON string.
    pub const fn as_str(self) -> &'static str {
        match self {
            StatusPurpose::Refresh => "refresh",
            StatusPurpose::Revocation => "revocation",
            StatusPurpose::Suspension => "suspension",
            StatusPurpose::Message => "message",
        }
    }

    /// Parses the JSON string (exact, case-sensitive).
    ///
    /// # Errors
    /// [`crate::StatusError::Malformed`] for any other string.
    pub fn parse(s: &str) -> Result<Self, Error> {
        match s {
            "refresh" => Ok(StatusPurpose::Refresh),
            "revocation" => Ok(StatusPurpose::Revocation),
            "suspension" => Ok(StatusPurpose::Suspension),
            "message" => Ok(StatusPurpose::Message),
            _ => Err(Error::Status(StatusError::Malformed {
                field: "statusPurpose",
                reason: "not one of refresh, revocation, suspension, message",
            })),
        }
    }
}

impl std::fmt::Display for StatusPurpose {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `value` as a string, or a typed error naming `field`.
fn json_str<'a>(value: Option<&'a Value>, field: &'static str) -> Result<&'a str, Error> {
    match value {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(Error::Status(StatusError::Malformed {
            field,
            reason: "must be a string",
        })),
        None => Err(Error::Status(StatusError::Malformed {
            field,
            reason: "missing",
        })),
    }
}

/// Whether `s` looks like an absolute URL: an RFC 3986 scheme, `:`, a non-empty rest, and no
/// whitespace or control characters. (Only the shape is checked; nothing is dereferenced.)
pub(crate) fn is_absolute_url(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    let scheme_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    scheme_ok && !rest.is_empty() && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// The indexes whose revocation `newer` clears: set (non-zero) in `older` and zero in
/// `newer`, for two versions of one revocation list. Revocation is for good, so any index
/// here means the issuer un-revoked a credential, which a monitor of the issuer's
/// transparency log reports. Empty when either list is not a revocation list.
pub fn cleared_revocations(
    older: &StatusListCredential,
    newer: &StatusListCredential,
) -> Vec<usize> {
    let revocation = |c: &StatusListCredential| c.purposes().contains(&StatusPurpose::Revocation);
    if !revocation(older) || !revocation(newer) {
        return Vec::new();
    }
    let (a, b) = (older.list(), newer.list());
    (0..a.len())
        .filter(|&i| a.get(i).is_ok_and(|v| v != 0) && b.get(i).map_or(true, |v| v == 0))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purposes_round_trip() {
        for p in [
            StatusPurpose::Refresh,
            StatusPurpose::Revocation,
            StatusPurpose::Suspension,
            StatusPurpose::Message,
        ] {
            assert_eq!(StatusPurpose::parse(p.as_str()), Ok(p));
        }
        for bad in ["", "Revocation", "revocation ", "expiry"] {
            assert!(matches!(
                StatusPurpose::parse(bad),
                Err(Error::Status(StatusError::Malformed {
                    field: "statusPurpose",
                    ..
                }))
            ));
        }
    }

    #[test]
    fn url_shape() {
        assert!(is_absolute_url("https://example.com/credentials/status/3"));
        assert!(is_absolute_url("did:example:123"));
        assert!(is_absolute_url("urn:uuid:1234"));
        for bad in [
            "",
            "example.com",
            "://x",
            "1http://x",
            "http:",
            "https://a b",
        ] {
            assert!(!is_absolute_url(bad), "{bad}");
        }
    }
}
