//! `BitstringStatusListEntry`, the `credentialStatus` of a credential that has a status
//! (<https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslistentry>).

use crate::StatusError;
use serde_json::{Map, Value};

use super::bitstring::check_status_size;
use super::{StatusPurpose, is_absolute_url, json_str};
use crate::Error;

/// The `type` of a status entry.
const ENTRY_TYPE: &str = "BitstringStatusListEntry";

/// One element of `statusMessage`
/// (<https://www.w3.org/TR/vc-bitstring-status-list/#statusMessage>): the message an issuer
/// attaches to a status value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusMessage {
    /// The status value (`status`, written `0x` and hexadecimal digits in JSON).
    pub status: u8,
    /// The message (`message`): for developers, not to be shown to end users.
    pub message: String,
}

/// A parsed, validated `BitstringStatusListEntry`.
///
/// Invariants: `statusSize` is 1 to [`MAX_STATUS_SIZE`](super::MAX_STATUS_SIZE); when
/// `statusMessage` is present it has exactly `2^statusSize` elements whose `status` values are
/// `0` to `2^statusSize - 1`, each once; it is present whenever `statusSize > 1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BitstringStatusListEntry {
    id: Option<String>,
    purpose: StatusPurpose,
    index: u64,
    list_credential: String,
    status_size: u8,
    messages: Option<Vec<StatusMessage>>,
    status_reference: Vec<String>,
}

impl BitstringStatusListEntry {
    /// An entry with `statusSize` 1 for position `index` of the list published at
    /// `list_credential_url`, with `id` `<list_credential_url>#<index>` as in the
    /// specification's examples.
    ///
    /// # Errors
    /// [`crate::StatusError::Malformed`] when `list_credential_url` is not an absolute URL or already
    /// has a fragment.
    pub fn new(
        list_credential_url: &str,
        purpose: StatusPurpose,
        index: u64,
    ) -> Result<Self, Error> {
        if !is_absolute_url(list_credential_url) {
            return Err(Error::Status(StatusError::Malformed {
                field: "statusListCredential",
                reason: "not an absolute URL",
            }));
        }
        if list_credential_url.contains('#') {
            return Err(Error::Status(StatusError::Malformed {
                field: "statusListCredential",
                reason: "has a fragment; the entry id is formed by adding one",
            }));
        }
        Ok(BitstringStatusListEntry {
            id: Some(format!("{list_credential_url}#{index}")),
            purpose,
            index,
            list_credential: list_credential_url.to_owned(),
            status_size: 1,
            messages: None,
            status_reference: Vec::new(),
        })
    }

    /// Sets `statusSize` and `statusMessage`. `messages` must hold one message for each of the
    /// `2^status_size` values (in any order).
    ///
    /// # Errors
    /// [`crate::StatusError::UnsupportedSize`], [`crate::StatusError::Malformed`] when the messages do not
    /// cover each value exactly once.
    pub fn with_status_messages(
        mut self,
        status_size: u8,
        messages: Vec<StatusMessage>,
    ) -> Result<Self, Error> {
        let size = check_status_size(u64::from(status_size))?;
        check_messages(&messages, size)?;
        self.status_size = size;
        self.messages = Some(messages);
        Ok(self)
    }

    /// Adds `statusReference` URLs (material that explains the status values).
    ///
    /// # Errors
    /// [`crate::StatusError::Malformed`] when one is not an absolute URL.
    pub fn with_status_reference(mut self, urls: Vec<String>) -> Result<Self, Error> {
        if !urls.iter().all(|u| is_absolute_url(u)) {
            return Err(Error::Status(StatusError::Malformed {
                field: "statusReference",
                reason: "not an absolute URL",
            }));
        }
        self.status_reference = urls;
        Ok(self)
    }

    /// Parses and validates one `credentialStatus` object.
    ///
    /// # Errors
    /// [`crate::StatusError::Malformed`] naming the offending property (wrong `type`, a missing or
    /// non-string property, an unknown purpose, a bad `statusListIndex`, an `id` equal to the
    /// list URL, a `statusMessage` that does not match `statusSize`, ...);
    /// [`crate::StatusError::UnsupportedSize`].
    pub fn from_json(value: &Value) -> Result<Self, Error> {
        let obj = value
            .as_object()
            .ok_or(Error::Status(StatusError::Malformed {
                field: "credentialStatus",
                reason: "must be an object",
            }))?;
        if !type_includes(obj.get("type"), ENTRY_TYPE)? {
            return Err(Error::Status(StatusError::Malformed {
                field: "credentialStatus.type",
                reason: "is not BitstringStatusListEntry",
            }));
        }
        let purpose = StatusPurpose::parse(json_str(obj.get("statusPurpose"), "statusPurpose")?)?;
        let index =
            parse_status_list_index(json_str(obj.get("statusListIndex"), "statusListIndex")?)?;
        let list_credential = json_str(obj.get("statusListCredential"), "statusListCredential")?;
        if !is_absolute_url(list_credential) {
            return Err(Error::Status(StatusError::Malformed {
                field: "statusListCredential",
                reason: "not an absolute URL",
            }));
        }
        let id = match obj.get("id") {
            None => None,
            Some(v) => {
                let id = json_str(Some(v), "credentialStatus.id")?;
                if !is_absolute_url(id) {
                    return Err(Error::Status(StatusError::Malformed {
                        field: "credentialStatus.id",
                        reason: "not an absolute URL",
                    }));
                }
                if id == list_credential {
                    return Err(Error::Status(StatusError::Malformed {
                        field: "credentialStatus.id",
                        reason: "must not be the URL of the status list",
                    }));
                }
                Some(id.to_owned())
            }
        };
        let status_size = match obj.get("statusSize") {
            None => 1,
            Some(v) => {
                check_status_size(v.as_u64().ok_or(Error::Status(StatusError::Malformed {
                    field: "statusSize",
                    reason: "must be an integer greater than zero",
                }))?)?
            }
        };
        let messages = match obj.get("statusMessage") {
            None if status_size > 1 => {
                return Err(Error::Status(StatusError::Malformed {
                    field: "statusMessage",
                    reason: "required when statusSize is greater than 1",
                }));
            }
            None => None,
            Some(v) => {
                let messages = parse_messages(v)?;
                check_messages(&messages, status_size)?;
                Some(messages)
            }
        };
        let status_reference = match obj.get("statusReference") {
            None => Vec::new(),
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) if !a.is_empty() => a
                .iter()
                .map(|v| json_str(Some(v), "statusReference").map(str::to_owned))
                .collect::<Result<Vec<_>, _>>()?,
            Some(_) => {
                return Err(Error::Status(StatusError::Malformed {
                    field: "statusReference",
                    reason: "must be a URL or a non-empty array of URLs",
                }));
            }
        };
        if !status_reference.iter().all(|u| is_absolute_url(u)) {
            return Err(Error::Status(StatusError::Malformed {
                field: "statusReference",
                reason: "not an absolute URL",
            }));
        }
        Ok(BitstringStatusListEntry {
            id,
            purpose,
            index,
            list_credential: list_credential.to_owned(),
            status_size,
            messages,
            status_reference,
        })
    }

    /// The JSON object, for a credential's `credentialStatus`. `statusSize` is written only
    /// when it is not 1.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        if let Some(id) = &self.id {
            m.insert("id".into(), Value::String(id.clone()));
        }
        m.insert("type".into(), Value::String(ENTRY_TYPE.into()));
        m.insert(
            "statusPurpose".into(),
            Value::String(self.purpose.as_str().into()),
        );
        m.insert(
            "statusListIndex".into(),
            Value::String(self.index.to_string()),
        );
        m.insert(
            "statusListCredential".into(),
            Value::String(self.list_credential.clone()),
        );
        if self.status_size != 1 {
            m.insert("statusSize".into(), Value::from(self.status_size));
        }
        if let Some(messages) = &self.messages {
            let arr = messages
                .iter()
                .map(|sm| {
                    let mut o = Map::new();
                    o.insert("status".into(), Value::String(format!("{:#x}", sm.status)));
                    o.insert("message".into(), Value::String(sm.message.clone()));
                    Value::Object(o)
                })
                .collect();
            m.insert("statusMessage".into(), Value::Array(arr));
        }
        match self.status_reference.as_slice() {
            [] => {}
            [one] => {
                m.insert("statusReference".into(), Value::String(one.clone()));
            }
            many => {
                m.insert(
                    "statusReference".into(),
                    Value::Array(many.iter().cloned().map(Value::String).collect()),
                );
            }
        }
        Value::Object(m)
    }

    /// `id`, if present.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// `statusPurpose`.
    pub fn status_purpose(&self) -> StatusPurpose {
        self.purpose
    }

    /// `statusListIndex`.
    pub fn status_list_index(&self) -> u64 {
        self.index
    }

    /// `statusListCredential`: where the status list credential is published.
    pub fn status_list_credential(&self) -> &str {
        &self.list_credential
    }

    /// `statusSize` (1 when absent).
    pub fn status_size(&self) -> u8 {
        self.status_size
    }

    /// `statusMessage`, if present.
    pub fn status_messages(&self) -> Option<&[StatusMessage]> {
        self.messages.as_deref()
    }

    /// `statusReference` URLs (empty when absent).
    pub fn status_reference(&self) -> &[String] {
        &self.status_reference
    }

    /// The message for a status value: from `statusMessage` when present, otherwise `"set"`
    /// for 1 and `"unset"` for 0 as the specification defines
    /// (<https://www.w3.org/TR/vc-bitstring-status-list/#statusMessage>). `None` only for a
    /// value outside `statusSize` bits.
    pub fn message_for(&self, value: u8) -> Option<&str> {
        match &self.messages {
            Some(messages) => messages
                .iter()
                .find(|m| m.status == value)
                .map(|m| m.message.as_str()),
            None => match value {
                0 => Some("unset"),
                1 => Some("set"),
                _ => None,
            },
        }
    }
}

/// Parses a credential's `credentialStatus` value: one entry object or an array of them.
///
/// Every element must be a valid `BitstringStatusListEntry`: an entry of another status type
/// is an error, not skipped, so that no status goes unchecked.
///
/// # Errors
/// [`crate::StatusError::Malformed`] for an empty array or anything that is neither object nor array,
/// and whatever [`BitstringStatusListEntry::from_json`] returns for an element.
pub fn parse_credential_status(value: &Value) -> Result<Vec<BitstringStatusListEntry>, Error> {
    match value {
        Value::Object(_) => Ok(vec![BitstringStatusListEntry::from_json(value)?]),
        Value::Array(items) if !items.is_empty() => items
            .iter()
            .map(BitstringStatusListEntry::from_json)
            .collect(),
        _ => Err(Error::Status(StatusError::Malformed {
            field: "credentialStatus",
            reason: "must be an object or a non-empty array of objects",
        })),
    }
}

/// The issuer's builder: a `credentialStatus` object for position `index` of the list
/// published at `list_credential_url`, `statusSize` 1 (see
/// [`BitstringStatusListEntry::new`]).
///
/// # Errors
/// As [`BitstringStatusListEntry::new`].
pub fn status_entry(
    list_credential_url: &str,
    purpose: StatusPurpose,
    index: u64,
) -> Result<Value, Error> {
    Ok(BitstringStatusListEntry::new(list_credential_url, purpose, index)?.to_json())
}

/// Parses `statusListIndex`: "an arbitrary size integer greater than or equal to 0, expressed
/// as a string in base 10". Only ASCII digits are accepted (no sign, space, or other
/// numerals); leading zeros are allowed (`"007"` is 7). Values above `u64::MAX` cannot index
/// any list and are refused.
///
/// # Errors
/// [`crate::StatusError::Malformed`] with `field` `"statusListIndex"`.
pub fn parse_status_list_index(s: &str) -> Result<u64, Error> {
    let err = |reason| {
        Error::Status(StatusError::Malformed {
            field: "statusListIndex",
            reason,
        })
    };
    if s.is_empty() {
        return Err(err("empty"));
    }
    s.bytes().try_fold(0u64, |acc, c| {
        if !c.is_ascii_digit() {
            return Err(err("not a string of base-10 digits"));
        }
        acc.checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(c - b'0')))
            .ok_or(err("too large"))
    })
}

/// Whether a `type` value (string or array of strings) includes `wanted`.
pub(super) fn type_includes(value: Option<&Value>, wanted: &str) -> Result<bool, Error> {
    match value {
        Some(Value::String(s)) => Ok(s == wanted),
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => {
            Ok(a.iter().any(|v| v.as_str() == Some(wanted)))
        }
        Some(_) => Err(Error::Status(StatusError::Malformed {
            field: "type",
            reason: "must be a string or an array of strings",
        })),
        None => Err(Error::Status(StatusError::Malformed {
            field: "type",
            reason: "missing",
        })),
    }
}

fn parse_messages(value: &Value) -> Result<Vec<StatusMessage>, Error> {
    let err = |reason| {
        Error::Status(StatusError::Malformed {
            field: "statusMessage",
            reason,
        })
    };
    let items = value.as_array().ok_or(err("must be an array"))?;
    items
        .iter()
        .map(|item| {
            let obj = item.as_object().ok_or(err("elements must be objects"))?;
            let status = obj
                .get("status")
                .and_then(Value::as_str)
                .ok_or(err("status must be a string"))?;
            let message = obj
                .get("message")
                .and_then(Value::as_str)
                .ok_or(err("message must be a string"))?;
            let hex = status
                .strip_prefix("0x")
                .filter(|h| !h.is_empty() && h.bytes().all(|c| c.is_ascii_hexdigit()))
                .ok_or(err("status must be 0x followed by hexadecimal digits"))?;
            let digits = hex.trim_start_matches('0');
            let status = if digits.is_empty() {
                0
            } else if digits.len() > 2 {
                return Err(err("status value out of range"));
            } else {
                u8::from_str_radix(digits, 16).map_err(|_| err("status value out of range"))?
            };
            Ok(StatusMessage {
                status,
                message: message.to_owned(),
            })
        })
        .collect()
}

/// Checks that `messages` has one element for each of the `2^size` values.
fn check_messages(messages: &[StatusMessage], size: u8) -> Result<(), Error> {
    let err = |reason| {
        Error::Status(StatusError::Malformed {
            field: "statusMessage",
            reason,
        })
    };
    let count = 1usize << size;
    if messages.len() != count {
        return Err(err("must have 2^statusSize elements"));
    }
    let mut seen = [false; 256];
    for m in messages {
        if usize::from(m.status) >= count {
            return Err(err("status value out of range"));
        }
        let slot = seen
            .get_mut(usize::from(m.status))
            .ok_or(err("status value out of range"))?;
        if *slot {
            return Err(err("status value repeated"));
        }
        *slot = true;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![expect(
        clippy::unwrap_used,
        clippy::indexing_slicing,
        clippy::panic,
        reason = "tests fail by panicking"
    )]
    use super::*;
    use serde_json::json;

    fn entry() -> Value {
        json!({
            "id": "https://example.com/credentials/status/3#94567",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "94567",
            "statusListCredential": "https://example.com/credentials/status/3"
        })
    }

    #[test]
    fn index_parsing() {
        assert_eq!(parse_status_list_index("0"), Ok(0));
        assert_eq!(parse_status_list_index("94567"), Ok(94_567));
        assert_eq!(parse_status_list_index("007"), Ok(7));
        assert_eq!(
            parse_status_list_index("18446744073709551615"),
            Ok(u64::MAX)
        );
        for (bad, reason) in [
            ("", "empty"),
            ("+1", "not a string of base-10 digits"),
            ("-1", "not a string of base-10 digits"),
            (" 1", "not a string of base-10 digits"),
            ("1 ", "not a string of base-10 digits"),
            ("1e3", "not a string of base-10 digits"),
            ("0x10", "not a string of base-10 digits"),
            ("١٢", "not a string of base-10 digits"),
            ("18446744073709551616", "too large"),
            ("99999999999999999999999999", "too large"),
        ] {
            assert_eq!(
                parse_status_list_index(bad),
                Err(Error::Status(StatusError::Malformed {
                    field: "statusListIndex",
                    reason
                })),
                "{bad}"
            );
        }
    }

    #[test]
    fn parse_and_rebuild() {
        let e = BitstringStatusListEntry::from_json(&entry()).unwrap();
        assert_eq!(e.status_purpose(), StatusPurpose::Revocation);
        assert_eq!(e.status_list_index(), 94_567);
        assert_eq!(e.status_size(), 1);
        assert_eq!(e.message_for(1), Some("set"));
        assert_eq!(e.message_for(0), Some("unset"));
        assert_eq!(e.to_json(), entry());
        let built = status_entry(
            "https://example.com/credentials/status/3",
            StatusPurpose::Revocation,
            94_567,
        )
        .unwrap();
        assert_eq!(built, entry());
    }

    #[test]
    fn malformed_entries() {
        let cases: Vec<(&str, Value, &str)> = vec![
            (
                "type",
                json!("StatusList2021Entry"),
                "credentialStatus.type",
            ),
            ("type", json!(7), "type"),
            ("statusPurpose", json!("expiry"), "statusPurpose"),
            ("statusPurpose", json!(["revocation"]), "statusPurpose"),
            ("statusListIndex", json!(94567), "statusListIndex"),
            ("statusListIndex", json!("-1"), "statusListIndex"),
            (
                "statusListCredential",
                json!("not a url"),
                "statusListCredential",
            ),
            ("statusListCredential", json!(null), "statusListCredential"),
            (
                "id",
                json!("https://example.com/credentials/status/3"),
                "credentialStatus.id",
            ),
            ("id", json!(5), "credentialStatus.id"),
            ("statusSize", json!(2), "statusMessage"),
            ("statusSize", json!("1"), "statusSize"),
            ("statusSize", json!(1.5), "statusSize"),
            ("statusSize", json!(-1), "statusSize"),
            ("statusReference", json!(["x y"]), "statusReference"),
            ("statusReference", json!([]), "statusReference"),
        ];
        for (key, value, field) in cases {
            let mut v = entry();
            v[key] = value.clone();
            match BitstringStatusListEntry::from_json(&v) {
                Err(Error::Status(StatusError::Malformed { field: f, .. })) => {
                    assert_eq!(f, field, "{key} = {value}")
                }
                other => panic!("{key} = {value}: {other:?}"),
            }
        }
        for missing in [
            "type",
            "statusPurpose",
            "statusListIndex",
            "statusListCredential",
        ] {
            let mut v = entry();
            v.as_object_mut().unwrap().remove(missing);
            assert!(
                matches!(
                    BitstringStatusListEntry::from_json(&v),
                    Err(Error::Status(StatusError::Malformed { .. }))
                ),
                "{missing}"
            );
        }
        let mut v = entry();
        v["statusSize"] = json!(0);
        assert_eq!(
            BitstringStatusListEntry::from_json(&v),
            Err(Error::Status(StatusError::UnsupportedSize { size: 0 }))
        );
        v["statusSize"] = json!(9);
        assert_eq!(
            BitstringStatusListEntry::from_json(&v),
            Err(Error::Status(StatusError::UnsupportedSize { size: 9 }))
        );
        assert!(parse_credential_status(&json!([])).is_err());
        assert!(parse_credential_status(&json!("x")).is_err());
        assert!(parse_credential_status(&json!([entry(), 3])).is_err());
        assert_eq!(
            parse_credential_status(&json!([entry(), entry()]))
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn status_messages() {
        let mut v = entry();
        v["statusPurpose"] = json!("message");
        v["statusSize"] = json!(2);
        v["statusMessage"] = json!([
            {"status": "0x0", "message": "pending_review"},
            {"status": "0x1", "message": "accepted"},
            {"status": "0x2", "message": "rejected"},
            {"status": "0x3", "message": "undefined"}
        ]);
        let e = BitstringStatusListEntry::from_json(&v).unwrap();
        assert_eq!(e.status_size(), 2);
        assert_eq!(e.message_for(2), Some("rejected"));
        assert_eq!(e.message_for(4), None);
        assert_eq!(e.to_json(), v);

        let bad_sets = [
            json!([{"status": "0x0", "message": "a"}]),
            json!([
                {"status": "0x0", "message": "a"}, {"status": "0x1", "message": "b"},
                {"status": "0x1", "message": "c"}, {"status": "0x3", "message": "d"}
            ]),
            json!([
                {"status": "0x0", "message": "a"}, {"status": "0x1", "message": "b"},
                {"status": "0x2", "message": "c"}, {"status": "0x4", "message": "d"}
            ]),
            json!([
                {"status": "0", "message": "a"}, {"status": "0x1", "message": "b"},
                {"status": "0x2", "message": "c"}, {"status": "0x3", "message": "d"}
            ]),
            json!([
                {"status": "0x0", "message": 1}, {"status": "0x1", "message": "b"},
                {"status": "0x2", "message": "c"}, {"status": "0x3", "message": "d"}
            ]),
            json!([
                {"status": "0x0"}, {"status": "0x1", "message": "b"},
                {"status": "0x2", "message": "c"}, {"status": "0x3", "message": "d"}
            ]),
            json!([
                {"status": "0x100", "message": "a"}, {"status": "0x1", "message": "b"},
                {"status": "0x2", "message": "c"}, {"status": "0x3", "message": "d"}
            ]),
            json!({"status": "0x0", "message": "a"}),
        ];
        for bad in bad_sets {
            let mut w = v.clone();
            w["statusMessage"] = bad.clone();
            assert!(
                matches!(
                    BitstringStatusListEntry::from_json(&w),
                    Err(Error::Status(StatusError::Malformed {
                        field: "statusMessage",
                        ..
                    }))
                ),
                "{bad}"
            );
        }
        // Leading zeros in the hex digits are fine.
        let mut w = v.clone();
        w["statusMessage"][0]["status"] = json!("0x00");
        assert!(BitstringStatusListEntry::from_json(&w).is_ok());
    }
}
