//! Bitstring Status List against the specification's examples
//! (`vc-bitstring-status-list/examples/`), issuer-to-verifier round trips, every failure of
//! the status check, malformed `encodedList` values and a decompression bomb.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail by panicking"
)]
#![expect(
    clippy::type_complexity,
    reason = "a table of malformed `encodedList` values, each with the predicate its error must match"
)]

use civitas_core::{EncodingError, StatusError};
use std::io::Write;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use civitas_core::Error;
use civitas_core::keys::Base;
use civitas_core::status::{
    BitstringStatusListEntry, DecodeLimits, MIN_ENTRIES, StatusList, StatusListCredential,
    StatusMessage, StatusPurpose, build_status_list_credential, check_status, expand_bitstring,
    parse_credential_status, status_entry,
};
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::common::vectors_dir;

/// Loads a spec example. The examples are shown in the specification with `//` comments and
/// `...` elisions; those lines are dropped, and so are the commas they leave dangling.
fn example(n: u32) -> Value {
    let path = vectors_dir().join(format!("vc-bitstring-status-list/examples/example{n}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let kept: String = text
        .lines()
        .filter(|l| {
            let t = l.trim();
            !t.starts_with("//") && t != "..."
        })
        .map(|l| format!("{l}\n"))
        .collect();
    let mut out = String::new();
    let chars: Vec<char> = kept.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == ',' {
            let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            if matches!(next, Some(']') | Some('}')) {
                continue;
            }
        }
        out.push(c);
    }
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("example {n}: {e}"))
}

fn at(rfc3339_secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(rfc3339_secs)
}

/// 2025-01-01T00:00:00Z.
const JAN_2025: u64 = 1_735_689_600;
/// 2021-04-05T14:27:40Z, validFrom of examples 3 and 5.
const EXAMPLE_VALID_FROM: u64 = 1_617_632_860;

const LIST_URL: &str = "https://agency.example/status/1";
const ISSUER: &str = "did:example:agency";

fn verified(vc: &Value) -> civitas_core::VerifiedStatusList {
    civitas_core::hazmat::assume_status_list_verified(
        StatusListCredential::from_json(vc, &DecodeLimits::default()).unwrap(),
    )
}

// ---- the specification's examples ----------------------------------------------------------

#[test]
fn example5_encoded_list_is_131072_zero_bits() {
    let vc = example(5);
    let encoded = vc["credentialSubject"]["encodedList"].as_str().unwrap();
    let bits = expand_bitstring(encoded, &DecodeLimits::default()).unwrap();
    assert_eq!(bits.len(), 16_384);
    assert!(bits.iter().all(|&b| b == 0));
    let list = StatusList::decode(encoded, 1, &DecodeLimits::default()).unwrap();
    assert_eq!(list.len(), MIN_ENTRIES);
    assert_eq!(list.get(0).unwrap(), 0);
    assert_eq!(list.get(MIN_ENTRIES - 1).unwrap(), 0);
    // Our encoder reproduces the same bits (its GZIP bytes may differ).
    let ours = StatusList::new(1).unwrap().encode().unwrap();
    assert_eq!(
        expand_bitstring(&ours, &DecodeLimits::default()).unwrap(),
        bits
    );
}

#[test]
fn examples_3_and_5_parse_as_status_list_credentials() {
    for n in [3, 5] {
        let vc = example(n);
        let parsed = StatusListCredential::from_json(&vc, &DecodeLimits::default()).unwrap();
        assert_eq!(
            parsed.id(),
            Some("https://example.com/credentials/status/3")
        );
        assert_eq!(parsed.issuer(), "did:example:12345");
        assert_eq!(
            parsed.subject_id(),
            Some("https://example.com/status/3#list")
        );
        assert_eq!(parsed.purposes(), &[StatusPurpose::Revocation]);
        assert_eq!(parsed.list().len(), MIN_ENTRIES);
        assert_eq!(parsed.list().status_size(), 1);
        assert_eq!(parsed.valid_until(), None);
        assert_eq!(parsed.ttl_millis(), None);
    }
}

#[test]
fn built_credential_has_the_shape_of_example3() {
    let built = build_status_list_credential(
        "https://example.com/credentials/status/3",
        "did:example:12345",
        StatusPurpose::Revocation,
        &StatusList::new(1).unwrap(),
        "2021-04-05T14:27:40Z",
        None,
    )
    .unwrap();
    let mut expected = example(3);
    // The builder names the subject `<id>#list`; example 3 uses another URL. The GZIP bytes
    // may differ; the bits may not.
    expected["credentialSubject"]["id"] = json!("https://example.com/credentials/status/3#list");
    let theirs = expected["credentialSubject"]["encodedList"].take();
    let ours = built["credentialSubject"]["encodedList"].clone();
    expected["credentialSubject"]["encodedList"] = ours.clone();
    assert_eq!(built, expected);
    let limits = DecodeLimits::default();
    assert_eq!(
        expand_bitstring(ours.as_str().unwrap(), &limits).unwrap(),
        expand_bitstring(theirs.as_str().unwrap(), &limits).unwrap()
    );
    // Same key order as the specification's example.
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&built), keys(&expected));
    assert_eq!(
        keys(&built["credentialSubject"]),
        keys(&expected["credentialSubject"])
    );
}

#[test]
fn example_credential_status_entries() {
    // (example, [(purpose, index, list URL)])
    let expected: [(u32, &[(StatusPurpose, u64, &str)]); 4] = [
        (
            1,
            &[
                (
                    StatusPurpose::Revocation,
                    94_567,
                    "https://example.com/credentials/status/3",
                ),
                (
                    StatusPurpose::Suspension,
                    23_452,
                    "https://example.com/credentials/status/4",
                ),
            ],
        ),
        (
            4,
            &[(
                StatusPurpose::Revocation,
                94_567,
                "https://example.com/credentials/status/3",
            )],
        ),
        (
            6,
            &[
                (
                    StatusPurpose::Revocation,
                    94_567,
                    "https://example.com/credentials/status/3",
                ),
                (
                    StatusPurpose::Suspension,
                    12_345,
                    "https://example.com/credentials/status/4",
                ),
            ],
        ),
        (
            7,
            &[
                (
                    StatusPurpose::Revocation,
                    94_567,
                    "https://example.com/credentials/status/5",
                ),
                (
                    StatusPurpose::Suspension,
                    12_345,
                    "https://example.com/credentials/status/5",
                ),
            ],
        ),
    ];
    for (n, want) in expected {
        let vc = example(n);
        let entries = parse_credential_status(&vc["credentialStatus"]).unwrap();
        assert_eq!(entries.len(), want.len(), "example {n}");
        for (e, (purpose, index, url)) in entries.iter().zip(want) {
            assert_eq!(e.status_purpose(), *purpose, "example {n}");
            assert_eq!(e.status_list_index(), *index, "example {n}");
            assert_eq!(e.status_list_credential(), *url, "example {n}");
            assert_eq!(e.status_size(), 1);
            assert_eq!(e.id(), Some(format!("{url}#{index}").as_str()));
            // The builder writes the same object back.
            assert_eq!(
                status_entry(url, *purpose, *index).unwrap(),
                e.to_json(),
                "example {n}"
            );
        }
        // The status entry values are re-emitted unchanged.
        let original = match &vc["credentialStatus"] {
            Value::Array(a) => a.clone(),
            one => vec![one.clone()],
        };
        let rebuilt: Vec<Value> = entries.iter().map(|e| e.to_json()).collect();
        assert_eq!(rebuilt, original, "example {n}");
    }
}

#[test]
fn example2_message_entry() {
    let vc = example(2);
    // The specification elides the fourth message with `...`; a 2-bit entry needs four.
    assert_eq!(
        parse_credential_status(&vc["credentialStatus"]),
        Err(Error::Status(StatusError::Malformed {
            field: "statusMessage",
            reason: "must have 2^statusSize elements"
        }))
    );
    let mut status = vc["credentialStatus"].clone();
    status["statusMessage"]
        .as_array_mut()
        .unwrap()
        .push(json!({"status": "0x3", "message": "undefined"}));
    let entries = parse_credential_status(&status).unwrap();
    let e = &entries[0];
    assert_eq!(e.status_purpose(), StatusPurpose::Message);
    assert_eq!(e.status_size(), 2);
    assert_eq!(e.status_list_index(), 492_847);
    assert_eq!(e.message_for(0), Some("pending_review"));
    assert_eq!(e.message_for(2), Some("rejected"));
    assert_eq!(
        e.status_reference(),
        &["https://example.org/status-dictionary/".to_string()]
    );
}

#[test]
fn example4_checked_against_example3() {
    let list = verified(&example(3));
    let entry = &parse_credential_status(&example(4)["credentialStatus"]).unwrap()[0];
    let r = check_status(entry, &list, at(JAN_2025)).unwrap();
    assert_eq!(r.purpose, StatusPurpose::Revocation);
    assert_eq!(r.value, 0);
    assert!(r.valid && !r.revoked && !r.suspended);
    assert_eq!(r.message.as_deref(), Some("unset"));
    // The list is valid from its validFrom on, inclusive.
    assert!(check_status(entry, &list, at(EXAMPLE_VALID_FROM)).is_ok());
    assert_eq!(
        check_status(entry, &list, at(EXAMPLE_VALID_FROM - 1)),
        Err(Error::Status(StatusError::ListNotYetValid))
    );
    // Example 1's suspension entry points at list 4, example 7's entries at list 5.
    let e1 = parse_credential_status(&example(1)["credentialStatus"]).unwrap();
    assert!(check_status(&e1[0], &list, at(JAN_2025)).is_ok());
    assert_eq!(
        check_status(&e1[1], &list, at(JAN_2025)),
        Err(Error::Status(StatusError::ListUrlMismatch))
    );
    let e7 = parse_credential_status(&example(7)["credentialStatus"]).unwrap();
    assert_eq!(
        check_status(&e7[0], &list, at(JAN_2025)),
        Err(Error::Status(StatusError::ListUrlMismatch))
    );
}

// ---- issuer to verifier -------------------------------------------------------------------

fn list_credential(list: &StatusList, purpose: StatusPurpose) -> Value {
    build_status_list_credential(
        LIST_URL,
        ISSUER,
        purpose,
        list,
        "2025-01-01T00:00:00Z",
        Some("2025-01-02T00:00:00Z"),
    )
    .unwrap()
}

fn entry(purpose: StatusPurpose, index: u64) -> BitstringStatusListEntry {
    BitstringStatusListEntry::from_json(&status_entry(LIST_URL, purpose, index).unwrap()).unwrap()
}

#[test]
fn revoke_and_clear_first_and_last_index() {
    let noon = at(JAN_2025 + 12 * 3600);
    for index in [0usize, 1, 7, 8, 94_567, MIN_ENTRIES - 1] {
        let mut list = StatusList::new(1).unwrap();
        list.set(index, 1).unwrap();
        let vc = list_credential(&list, StatusPurpose::Revocation);
        let r = check_status(
            &entry(StatusPurpose::Revocation, index as u64),
            &verified(&vc),
            noon,
        )
        .unwrap();
        assert!(r.revoked && !r.valid && r.value == 1, "index {index}");
        assert_eq!(r.message.as_deref(), Some("set"));
        // Neighbours are untouched.
        for other in [index.wrapping_sub(1), index + 1] {
            if other < MIN_ENTRIES {
                let r = check_status(
                    &entry(StatusPurpose::Revocation, other as u64),
                    &verified(&vc),
                    noon,
                )
                .unwrap();
                assert!(r.valid, "neighbour {other} of {index}");
            }
        }
        list.set(index, 0).unwrap();
        assert!(list.as_bytes().iter().all(|&b| b == 0));
        let vc = list_credential(&list, StatusPurpose::Revocation);
        let r = check_status(
            &entry(StatusPurpose::Revocation, index as u64),
            &verified(&vc),
            noon,
        )
        .unwrap();
        assert!(r.valid && !r.revoked);
    }
}

#[test]
fn suspension_list() {
    let mut list = StatusList::new(1).unwrap();
    list.set(12_345, 1).unwrap();
    let vc = list_credential(&list, StatusPurpose::Suspension);
    let r = check_status(
        &entry(StatusPurpose::Suspension, 12_345),
        &verified(&vc),
        at(JAN_2025),
    )
    .unwrap();
    assert!(r.suspended && !r.revoked && !r.valid);
}

#[test]
fn two_bit_message_list() {
    let messages = ["pending_review", "accepted", "rejected", "undefined"];
    let status_messages: Vec<StatusMessage> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| StatusMessage {
            status: i as u8,
            message: m.to_string(),
        })
        .collect();
    let mut list = StatusList::new(2).unwrap();
    assert_eq!(list.as_bytes().len(), 2 * 16_384);
    let last = MIN_ENTRIES - 1;
    for (index, value) in [(0usize, 1u8), (1, 2), (2, 3), (last, 2)] {
        list.set(index, value).unwrap();
    }
    let vc = list_credential(&list, StatusPurpose::Message);
    assert_eq!(vc["credentialSubject"]["statusSize"], json!(2));
    let verified = verified(&vc);
    assert_eq!(verified.credential().declared_status_size(), Some(2));
    for (index, value) in [(0usize, 1u8), (1, 2), (2, 3), (3, 0), (last, 2)] {
        let e = BitstringStatusListEntry::new(LIST_URL, StatusPurpose::Message, index as u64)
            .unwrap()
            .with_status_messages(2, status_messages.clone())
            .unwrap();
        // Through JSON and back.
        let e = BitstringStatusListEntry::from_json(&e.to_json()).unwrap();
        let r = check_status(&e, &verified, at(JAN_2025)).unwrap();
        assert_eq!(r.value, value, "index {index}");
        assert_eq!(r.valid, value == 0);
        assert!(!r.revoked && !r.suspended);
        assert_eq!(r.message.as_deref(), Some(messages[usize::from(value)]));
    }
    // A one-bit entry cannot be read from a list that declares two bits.
    assert_eq!(
        check_status(&entry(StatusPurpose::Message, 0), &verified, at(JAN_2025)),
        Err(Error::Status(StatusError::SizeMismatch {
            entry: 1,
            list: 2
        }))
    );
}

#[test]
fn two_bit_entry_against_undeclared_list() {
    // The list credential states no statusSize: the entry's size is used, and the list must
    // still hold MIN_ENTRIES entries of that size.
    let short = verified(&example(3));
    let mut status = example(2)["credentialStatus"].clone();
    status["statusMessage"]
        .as_array_mut()
        .unwrap()
        .push(json!({"status": "0x3", "message": "undefined"}));
    status["statusListCredential"] = json!("https://example.com/credentials/status/3");
    status["statusPurpose"] = json!("revocation");
    let e = &parse_credential_status(&status).unwrap()[0];
    assert_eq!(
        check_status(e, &short, at(JAN_2025)),
        Err(Error::Status(StatusError::ListTooShort {
            entries: 65_536,
            minimum: MIN_ENTRIES as u64
        }))
    );
}

#[test]
fn check_failures() {
    let mut list = StatusList::new(1).unwrap();
    list.set(5, 1).unwrap();
    let vc = list_credential(&list, StatusPurpose::Revocation);
    let v = verified(&vc);
    let noon = at(JAN_2025 + 12 * 3600);
    // Purpose mismatch.
    assert_eq!(
        check_status(&entry(StatusPurpose::Suspension, 5), &v, noon),
        Err(Error::Status(StatusError::PurposeMismatch))
    );
    // Another list.
    let other = BitstringStatusListEntry::from_json(
        &status_entry(
            "https://agency.example/status/2",
            StatusPurpose::Revocation,
            5,
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        check_status(&other, &v, noon),
        Err(Error::Status(StatusError::ListUrlMismatch))
    );
    // A list credential without id cannot be matched.
    let mut no_id = vc.clone();
    no_id.as_object_mut().unwrap().remove("id");
    assert_eq!(
        check_status(
            &entry(StatusPurpose::Revocation, 5),
            &verified(&no_id),
            noon
        ),
        Err(Error::Status(StatusError::ListUrlMismatch))
    );
    // Index past the end.
    assert_eq!(
        check_status(
            &entry(StatusPurpose::Revocation, MIN_ENTRIES as u64),
            &v,
            noon
        ),
        Err(Error::Status(StatusError::IndexOutOfRange {
            index: MIN_ENTRIES as u64,
            len: MIN_ENTRIES
        }))
    );
    assert_eq!(
        check_status(&entry(StatusPurpose::Revocation, u64::MAX), &v, noon),
        Err(Error::Status(StatusError::IndexOutOfRange {
            index: u64::MAX,
            len: MIN_ENTRIES
        }))
    );
    // Validity window: [validFrom, validUntil], both ends inclusive.
    let e = entry(StatusPurpose::Revocation, 5);
    assert!(check_status(&e, &v, at(JAN_2025)).unwrap().revoked);
    assert!(check_status(&e, &v, at(JAN_2025 + 86_400)).unwrap().revoked);
    assert_eq!(
        check_status(&e, &v, at(JAN_2025 + 86_400) + Duration::from_nanos(1)),
        Err(Error::Status(StatusError::ListExpired))
    );
    assert_eq!(
        check_status(&e, &v, at(JAN_2025) - Duration::from_nanos(1)),
        Err(Error::Status(StatusError::ListNotYetValid))
    );
    // A list with several purposes serves each.
    let mut multi = vc.clone();
    multi["credentialSubject"]["statusPurpose"] = json!(["revocation", "suspension"]);
    let r = check_status(
        &entry(StatusPurpose::Suspension, 5),
        &verified(&multi),
        noon,
    )
    .unwrap();
    assert!(r.suspended);
}

#[test]
fn lower_ecosystem_minimum() {
    // An ecosystem may set a lower bound; the default refuses short lists.
    let bits = vec![0b0100_0000u8; 16];
    let encoded = civitas_core::status::compress_bitstring(&bits).unwrap();
    assert!(matches!(
        StatusList::decode(&encoded, 1, &DecodeLimits::default()),
        Err(Error::Status(StatusError::ListTooShort {
            entries: 128,
            ..
        }))
    ));
    let limits = DecodeLimits {
        min_entries: 128,
        ..DecodeLimits::default()
    };
    let list = StatusList::decode(&encoded, 1, &limits).unwrap();
    assert_eq!(list.len(), 128);
    assert_eq!(list.get(1).unwrap(), 1);
    assert_eq!(list.get(0).unwrap(), 0);
}

// ---- malformed encodedList -----------------------------------------------------------------

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

#[test]
fn gzip_bomb_is_refused_quickly() {
    // 64 MiB of zeros compress to about 64 KiB.
    let bomb = gzip(&vec![0u8; 64 * 1024 * 1024]);
    assert!(bomb.len() < 128 * 1024, "{}", bomb.len());
    let encoded = Base::Base64Url.encode(&bomb);
    let start = Instant::now();
    assert_eq!(
        expand_bitstring(&encoded, &DecodeLimits::default()),
        Err(Error::Status(StatusError::ListTooLarge {
            what: "bitstring",
            limit: 16 * 1024 * 1024
        }))
    );
    // Also inside a status list credential, with a tighter limit.
    let mut vc = list_credential(&StatusList::new(1).unwrap(), StatusPurpose::Revocation);
    vc["credentialSubject"]["encodedList"] = json!(encoded);
    let limits = DecodeLimits {
        max_bitstring_len: 1024 * 1024,
        ..DecodeLimits::default()
    };
    assert_eq!(
        StatusListCredential::from_json(&vc, &limits),
        Err(Error::Status(StatusError::ListTooLarge {
            what: "bitstring",
            limit: 1024 * 1024
        }))
    );
    // Generous bound: the point is that the 64 MiB are never produced.
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn malformed_encoded_lists_in_credentials() {
    let base = list_credential(&StatusList::new(1).unwrap(), StatusPurpose::Revocation);
    let good = base["credentialSubject"]["encodedList"]
        .as_str()
        .unwrap()
        .to_string();
    // Cut inside the GZIP trailer (cutting the base64url text could leave non-zero pad bits).
    let gz = Base::Base64Url.decode(&good).unwrap();
    let truncated = Base::Base64Url.encode(&gz[..gz.len() - 4]);
    let cases: Vec<(String, fn(&Error) -> bool)> = vec![
        (good[1..].to_string(), |e| {
            matches!(
                e,
                Error::Encoding(EncodingError::MultibasePrefix { expected: 'u' })
            )
        }),
        (format!("z{}", &good[1..]), |e| {
            matches!(e, Error::Encoding(EncodingError::MultibasePrefix { .. }))
        }),
        (format!("{good}="), |e| {
            matches!(e, Error::Encoding(EncodingError::Alphabet { .. }))
        }),
        (good.replace('A', "+"), |e| {
            matches!(e, Error::Encoding(EncodingError::Alphabet { .. }))
        }),
        (truncated.clone(), |e| {
            matches!(e, Error::Status(StatusError::Gzip { .. }))
        }),
        (Base::Base64Url.encode(b"not gzip at all, just text"), |e| {
            matches!(e, Error::Status(StatusError::Gzip { .. }))
        }),
        // A valid GZIP stream of too few bits (1,024 entries).
        (Base::Base64Url.encode(&gzip(&[0u8; 128])), |e| {
            matches!(
                e,
                Error::Status(StatusError::ListTooShort { entries: 1024, .. })
            )
        }),
        // Empty bitstring.
        (Base::Base64Url.encode(&gzip(&[])), |e| {
            matches!(
                e,
                Error::Status(StatusError::ListTooShort { entries: 0, .. })
            )
        }),
    ];
    for (encoded, expected) in cases {
        let mut vc = base.clone();
        vc["credentialSubject"]["encodedList"] = json!(encoded);
        let err = StatusListCredential::from_json(&vc, &DecodeLimits::default()).unwrap_err();
        assert!(expected(&err), "{encoded:.40}: {err:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Random bytes, with or without a GZIP header, never panic and never decode to more than
    /// the limit.
    #[test]
    fn random_bytes_into_the_decoder(mut bytes in proptest::collection::vec(any::<u8>(), 0..512), header in any::<bool>()) {
        if header && bytes.len() >= 10 {
            bytes[..4].copy_from_slice(&[0x1f, 0x8b, 0x08, 0x00]);
        }
        let limits = DecodeLimits { max_bitstring_len: 4096, min_entries: 0, ..DecodeLimits::default() };
        match expand_bitstring(&Base::Base64Url.encode(&bytes), &limits) {
            Ok(out) => prop_assert!(out.len() <= 4096),
            Err(Error::Status(StatusError::Gzip { .. })) | Err(Error::Status(StatusError::ListTooLarge { .. })) => {}
            Err(e) => prop_assert!(false, "unexpected error {e:?}"),
        }
    }

    /// Random strings never panic.
    #[test]
    fn random_strings_into_the_decoder(s in "\\PC{0,64}") {
        let _ = expand_bitstring(&s, &DecodeLimits::default());
        let _ = expand_bitstring(&format!("u{s}"), &DecodeLimits::default());
    }

    /// Bit flips in a valid encodedList are caught (CRC, deflate or base64url) or, rarely,
    /// give another bitstring; they never panic.
    #[test]
    fn corrupted_valid_list(pos in 1usize..60, c in proptest::char::range('-', 'z')) {
        let mut list = StatusList::new(1).unwrap();
        list.set(77, 1).unwrap();
        let enc = list.encode().unwrap();
        let mut chars: Vec<char> = enc.chars().collect();
        let pos = pos % chars.len();
        chars[pos] = c;
        let corrupted: String = chars.into_iter().collect();
        let _ = StatusList::decode(&corrupted, 1, &DecodeLimits::default());
    }

    /// set / get / encode / decode round trips for every supported statusSize.
    #[test]
    fn set_get_round_trip(size in 1u8..=8, writes in proptest::collection::vec((0usize..MIN_ENTRIES, any::<u8>()), 1..16)) {
        let mut list = StatusList::new(size).unwrap();
        let mut expected = std::collections::BTreeMap::new();
        for (index, value) in writes {
            let value = if size == 8 { value } else { value & ((1u8 << size) - 1) };
            list.set(index, value).unwrap();
            expected.insert(index, value);
        }
        let back = StatusList::decode(&list.encode().unwrap(), size, &DecodeLimits::default()).unwrap();
        prop_assert_eq!(&back, &list);
        for (index, value) in expected {
            prop_assert_eq!(back.get(index).unwrap(), value);
        }
    }
}
