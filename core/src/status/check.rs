//! The verifier's status check: the Validate Algorithm
//! (<https://www.w3.org/TR/vc-bitstring-status-list/#validate-algorithm>) from the point
//! where the status list credential has been dereferenced and its proof verified.

use crate::StatusError;
use std::time::SystemTime;

use super::StatusPurpose;
use super::bitstring::read_entry;
use super::credential::VerifiedStatusList;
use super::entry::BitstringStatusListEntry;
use crate::Error;
use crate::time::Timestamp;

/// The status of one credential for one purpose (the Validate Algorithm's `result`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatusResult {
    /// The purpose of the entry (and of the list).
    pub purpose: StatusPurpose,
    /// The `statusSize`-bit value at the entry's index.
    pub value: u8,
    /// The spec's `valid`: `value == 0`. For `refresh` and `message` a non-zero value does
    /// not by itself invalidate the credential; the policy decides.
    pub valid: bool,
    /// `purpose` is `revocation` and the value is not zero: the credential is revoked.
    pub revoked: bool,
    /// `purpose` is `suspension` and the value is not zero: the credential is suspended.
    pub suspended: bool,
    /// The message for the value: from the entry's `statusMessage`, or `"set"` / `"unset"`
    /// without one (<https://www.w3.org/TR/vc-bitstring-status-list/#statusMessage>).
    pub message: Option<String>,
}

/// Reads the status of `entry` in `list` at time `now`.
///
/// In order, fails closed with:
/// 1. [`crate::StatusError::ListUrlMismatch`] unless the list credential has an `id` equal to the
///    entry's `statusListCredential` (compared as strings; a list without `id` cannot be
///    matched and is refused);
/// 2. [`crate::StatusError::PurposeMismatch`] unless the entry's purpose is one of the list's;
/// 3. [`crate::StatusError::ListNotYetValid`] when `now` is before `validFrom`,
///    [`crate::StatusError::ListExpired`] when `now` is after `validUntil`;
/// 4. [`crate::StatusError::SizeMismatch`] when the list states a `statusSize` other than the
///    entry's;
/// 5. [`crate::StatusError::ListTooShort`] when the bitstring divided by the entry's `statusSize`
///    has fewer entries than the minimum the list was parsed with (the spec's
///    `STATUS_LIST_LENGTH_ERROR`);
/// 6. [`crate::StatusError::IndexOutOfRange`] when `statusListIndex` is past the end (the spec's
///    `RANGE_ERROR`).
///
/// Trust in the list's issuer (which may differ from the credential's issuer) and freshness
/// beyond `validUntil` (for example `ttl`) are policy decisions left to the caller.
pub fn check_status(
    entry: &BitstringStatusListEntry,
    list: &VerifiedStatusList,
    now: SystemTime,
) -> Result<StatusResult, Error> {
    let cred = list.credential();
    if cred.id() != Some(entry.status_list_credential()) {
        return Err(Error::Status(StatusError::ListUrlMismatch));
    }
    let purpose = entry.status_purpose();
    if !cred.purposes().contains(&purpose) {
        return Err(Error::Status(StatusError::PurposeMismatch));
    }
    let now = Timestamp::from_system_time(now);
    if cred.valid_from().is_some_and(|from| now < from) {
        return Err(Error::Status(StatusError::ListNotYetValid));
    }
    if cred.valid_until().is_some_and(|until| now > until) {
        return Err(Error::Status(StatusError::ListExpired));
    }
    let size = entry.status_size();
    if let Some(list_size) = cred.declared_status_size()
        && list_size != size
    {
        return Err(Error::Status(StatusError::SizeMismatch {
            entry: size,
            list: list_size,
        }));
    }
    let bytes = cred.list().as_bytes();
    let entries = (bytes.len() as u64).saturating_mul(8) / u64::from(size);
    let minimum = cred.min_entries() as u64;
    if entries < minimum {
        return Err(Error::Status(StatusError::ListTooShort {
            entries,
            minimum,
        }));
    }
    let value = read_entry(bytes, entry.status_list_index(), size)?;
    Ok(StatusResult {
        purpose,
        value,
        valid: value == 0,
        revoked: purpose == StatusPurpose::Revocation && value != 0,
        suspended: purpose == StatusPurpose::Suspension && value != 0,
        message: entry.message_for(value).map(str::to_owned),
    })
}
