#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

use super::*;
use crate::CompactError;
use proptest::prelude::*;
use std::time::{Duration, Instant};

const PRESENTATION: &str = include_str!("../../tests/data/compact_presentation.json");

/// Alphanumeric capacity of QR versions 1..=40 at error correction level M (ISO/IEC 18004
/// table 7); the CLI's tests check it against the `qrcode` crate.
const QR_ALNUM_M: [usize; 40] = [
    20, 38, 61, 90, 122, 154, 178, 221, 262, 311, 366, 419, 483, 528, 600, 656, 734, 816, 909, 970,
    1035, 1134, 1248, 1326, 1451, 1542, 1637, 1732, 1839, 1994, 2113, 2238, 2369, 2506, 2632, 2780,
    2894, 3054, 3220, 3391,
];

fn qr_version_alnum_m(chars: usize) -> Option<usize> {
    QR_ALNUM_M.iter().position(|&c| chars <= c).map(|i| i + 1)
}

/// A payload whose body is the Base45 of arbitrary raw DEFLATE bytes.
fn payload_of_deflate(deflate: &[u8]) -> String {
    format!("{PREFIX_V1}{}", base45::encode(deflate))
}

// ---- Base45 ---------------------------------------------------------------------------------

#[test]
fn base45_rfc9285_examples() {
    for (plain, encoded) in [
        ("AB", "BB8"),
        ("Hello!!", "%69 VD92EX0"),
        ("base-45", "UJCLQE7W581"),
        ("ietf!", "QED8WEX0"),
        ("", ""),
    ] {
        assert_eq!(base45::encode(plain.as_bytes()), encoded);
        assert_eq!(base45::decode(encoded).unwrap(), plain.as_bytes());
    }
}

#[test]
fn base45_errors() {
    // RFC 9285 section 4.2: "GGW" is 65535 + 1.
    assert!(matches!(
        base45::decode("GGW"),
        Err(Error::Compact(CompactError::Base45 { position: 0, .. }))
    ));
    assert_eq!(base45::decode("FGW").unwrap(), [0xff, 0xff]);
    // Two characters above 255.
    assert!(matches!(
        base45::decode("BB8::"),
        Err(Error::Compact(CompactError::Base45 { position: 3, .. }))
    ));
    // Lowercase is outside the alphabet.
    assert!(matches!(
        base45::decode("BB8bb8"),
        Err(Error::Compact(CompactError::Base45 { position: 3, .. }))
    ));
    // A single trailing character.
    assert!(matches!(
        base45::decode("BB8B"),
        Err(Error::Compact(CompactError::Base45 { position: 3, .. }))
    ));
}

proptest! {
    #[test]
    fn base45_round_trip(data in proptest::collection::vec(any::<u8>(), 0..300)) {
        let text = base45::encode(&data);
        prop_assert!(text.bytes().all(|c| b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".contains(&c)));
        prop_assert_eq!(text.len(), data.len() / 2 * 3 + data.len() % 2 * 2);
        prop_assert_eq!(base45::decode(&text).unwrap(), data);
    }
}

// ---- Minification -----------------------------------------------------------------------------

#[test]
fn minify_keeps_strings_and_numbers() {
    let json = br#" { "a b" : [ 1.50 , -0 , 1e2 , "x \" \\ y\n" ] ,
        "c":{ } } "#;
    let min = minify_json(json).unwrap();
    assert_eq!(min, br#"{"a b":[1.50,-0,1e2,"x \" \\ y\n"],"c":{}}"#);
}

#[test]
fn minify_refuses_non_json() {
    for bad in [&b""[..], b"{", b"{} {}", b"\xff", b"[1,]"] {
        assert!(matches!(
            minify_json(bad),
            Err(Error::Compact(CompactError::NotJson { .. }))
        ));
    }
}

// ---- Round trips --------------------------------------------------------------------------------

#[test]
fn round_trip_representative_presentation() {
    let payload = encode_bytes(PRESENTATION.as_bytes()).unwrap();
    assert!(payload.starts_with("CIV1:"));
    let expected: serde_json::Value = serde_json::from_str(PRESENTATION).unwrap();
    assert_eq!(decode(&payload).unwrap(), expected);
    // Bytes: the minified text exactly.
    let bytes = decode_to_json_bytes(&payload, &DecodeLimits::default()).unwrap();
    assert_eq!(bytes, minify_json(PRESENTATION.as_bytes()).unwrap());
    // From a value, with member order preserved.
    let payload2 = encode_json(&expected).unwrap();
    assert_eq!(decode(&payload2).unwrap(), expected);
}

#[test]
fn round_trip_small_values() {
    for json in ["{}", "[]", "null", "0", "\"\"", r#"{"@context":"x"}"#] {
        let payload = encode_bytes(json.as_bytes()).unwrap();
        assert_eq!(
            decode_to_json_bytes(&payload, &DecodeLimits::default()).unwrap(),
            json.as_bytes()
        );
    }
}

#[test]
fn payload_is_qr_alphanumeric() {
    let payload = encode_bytes(PRESENTATION.as_bytes()).unwrap();
    assert!(
        payload
            .bytes()
            .all(|c| b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".contains(&c))
    );
}

#[test]
fn the_dictionary_helps() {
    let min = minify_json(PRESENTATION.as_bytes()).unwrap();
    let with = deflate_raw(&min, DICTIONARY_V1).unwrap();
    let without = deflate_raw(&min, b"").unwrap();
    assert!(
        with.len() < without.len(),
        "{} >= {}",
        with.len(),
        without.len()
    );
    // And the plain stream inflates without one.
    assert_eq!(inflate_raw(&without, b"", 1 << 20).unwrap(), min);
}

/// A published dictionary never changes: changing it breaks every `CIV1:` payload.
#[test]
fn dictionary_v1_is_pinned() {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(DICTIONARY_V1);
    assert_eq!(DICTIONARY_V1.len(), DICTIONARY_V1_LEN);
    assert_eq!(hex::encode(digest), DICTIONARY_V1_SHA256);
}
const DICTIONARY_V1_LEN: usize = 1969;
const DICTIONARY_V1_SHA256: &str =
    "8c57b940f2fe5500a5c3997a50ae76e93f79c22d17c1c29a00e164c35b5589a6";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]
    #[test]
    fn round_trip_random_json(
        strings in proptest::collection::vec("\\PC{0,40}", 0..12),
        numbers in proptest::collection::vec(any::<i64>(), 0..12),
    ) {
        let value = serde_json::json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiablePresentation"],
            "s": strings,
            "n": numbers,
        });
        let payload = encode_json(&value).unwrap();
        prop_assert_eq!(decode(&payload).unwrap(), value);
    }

    /// Random text never panics the decoder.
    #[test]
    fn decoder_survives_random_strings(s in "\\PC{0,600}") {
        let _ = decode(&s);
    }

    /// Random text in the Base45 alphabet behind a valid prefix reaches the inflater.
    #[test]
    fn decoder_survives_random_base45(s in "[0-9A-Z $%*+./:-]{0,900}") {
        let _ = decode(&format!("{PREFIX_V1}{s}"));
    }

    /// A valid payload with one character changed: an error or JSON, never a panic.
    #[test]
    fn decoder_survives_mutated_payloads(at in 0usize..1681, to in 0usize..45) {
        let payload = encode_bytes(PRESENTATION.as_bytes()).unwrap();
        let mut bytes = payload.into_bytes();
        let at = PREFIX_V1.len() + at % (bytes.len() - PREFIX_V1.len());
        bytes[at] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"[to];
        let mutated = String::from_utf8(bytes).unwrap();
        match decode(&mutated) {
            Ok(_) => {}
            Err(e) => {
                let expected = matches!(
                    e,
                    Error::Compact(CompactError::Base45 { .. })
                        | Error::Compact(CompactError::Deflate { .. })
                        | Error::Compact(CompactError::NotJson { .. })
                        | Error::Compact(CompactError::TooLarge { .. })
                );
                prop_assert!(expected, "unexpected error {:?}", e);
            }
        }
    }

    /// Random bytes as the DEFLATE stream: an error or (rarely) JSON, never a panic.
    #[test]
    fn decoder_survives_random_deflate(data in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = decode(&payload_of_deflate(&data));
    }
}

// ---- Errors -------------------------------------------------------------------------------------

#[test]
fn bad_prefix() {
    let good = encode_bytes(b"{}").unwrap();
    let body = good.strip_prefix(PREFIX_V1).unwrap();
    for bad in [
        body.to_string(),
        format!("civ1:{body}"),
        String::new(),
        "HC1:".into(),
    ] {
        assert_eq!(
            decode(&bad),
            Err(Error::Compact(CompactError::Prefix {
                reason: "missing CIV1: prefix"
            }))
        );
    }
    assert_eq!(
        decode(&format!("CIV2:{body}")),
        Err(Error::Compact(CompactError::Prefix {
            reason: "unsupported payload version"
        }))
    );
}

#[test]
fn bad_base45() {
    assert!(matches!(
        decode("CIV1:BB8bb8"),
        Err(Error::Compact(CompactError::Base45 { position: 3, .. }))
    ));
    assert!(matches!(
        decode("CIV1:BB8B"),
        Err(Error::Compact(CompactError::Base45 { .. }))
    ));
}

#[test]
fn bad_deflate() {
    // Block type 3 is reserved.
    assert!(matches!(
        decode(&payload_of_deflate(&[0xff, 0xff])),
        Err(Error::Compact(CompactError::Deflate { .. }))
    ));
    // A valid stream cut short.
    let min = minify_json(PRESENTATION.as_bytes()).unwrap();
    let stream = deflate_raw(&min, DICTIONARY_V1).unwrap();
    assert_eq!(
        decode(&payload_of_deflate(&stream[..stream.len() / 2])),
        Err(Error::Compact(CompactError::Deflate {
            reason: "truncated stream"
        }))
    );
    // Data after the final block.
    let mut extra = stream.clone();
    extra.extend_from_slice(&[0, 0]);
    assert_eq!(
        decode(&payload_of_deflate(&extra)),
        Err(Error::Compact(CompactError::Deflate {
            reason: "data after the final block"
        }))
    );
    // The stream only inflates against the dictionary: without it, a back-reference reaches
    // before the start.
    assert!(inflate_raw(&stream, b"", 1 << 20).is_err());
}

#[test]
fn not_json() {
    let stream = deflate_raw(b"{\"a\":1", DICTIONARY_V1).unwrap();
    assert!(matches!(
        decode(&payload_of_deflate(&stream)),
        Err(Error::Compact(CompactError::NotJson { line: 1, .. }))
    ));
    let stream = deflate_raw(b"\xff\xfe", DICTIONARY_V1).unwrap();
    assert!(matches!(
        decode(&payload_of_deflate(&stream)),
        Err(Error::Compact(CompactError::NotJson { .. }))
    ));
    assert!(matches!(
        encode_bytes(b"not json"),
        Err(Error::Compact(CompactError::NotJson { .. }))
    ));
}

#[test]
fn payload_too_long() {
    let long = format!("{PREFIX_V1}{}", "0".repeat(DEFAULT_MAX_PAYLOAD_CHARS));
    assert_eq!(
        decode(&long),
        Err(Error::Compact(CompactError::TooLarge {
            what: "payload characters",
            limit: DEFAULT_MAX_PAYLOAD_CHARS
        }))
    );
    // A tighter limit applies to a good payload too.
    let good = encode_bytes(PRESENTATION.as_bytes()).unwrap();
    let limits = DecodeLimits {
        max_payload_chars: 100,
        ..DecodeLimits::default()
    };
    assert!(matches!(
        decode_with_limits(&good, &limits),
        Err(Error::Compact(CompactError::TooLarge { .. }))
    ));
    let limits = DecodeLimits {
        max_inflated: 1000,
        ..DecodeLimits::default()
    };
    assert_eq!(
        decode_with_limits(&good, &limits),
        Err(Error::Compact(CompactError::TooLarge {
            what: "inflated bytes",
            limit: 1000
        }))
    );
}

#[test]
fn exactly_at_the_inflate_limit() {
    let json = format!("\"{}\"", "a".repeat(998));
    let payload = encode_bytes(json.as_bytes()).unwrap();
    let limits = DecodeLimits {
        max_inflated: 1000,
        ..DecodeLimits::default()
    };
    assert!(decode_with_limits(&payload, &limits).is_ok());
    let limits = DecodeLimits {
        max_inflated: 999,
        ..DecodeLimits::default()
    };
    assert!(matches!(
        decode_with_limits(&payload, &limits),
        Err(Error::Compact(CompactError::TooLarge { .. }))
    ));
}

#[test]
fn encoder_refuses_what_the_decoder_refuses() {
    // Over 256 KiB of JSON.
    let big = format!("\"{}\"", "a".repeat(DEFAULT_MAX_INFLATED));
    assert!(matches!(
        encode_bytes(big.as_bytes()),
        Err(Error::Compact(CompactError::TooLarge {
            what: "JSON bytes",
            ..
        }))
    ));
    // Incompressible JSON whose payload would not fit a QR symbol.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let noise: String = (0..6000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(
                b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
                    [(x % 64) as usize],
            )
        })
        .collect();
    assert!(matches!(
        encode_bytes(format!("\"{noise}\"").as_bytes()),
        Err(Error::Compact(CompactError::TooLarge {
            what: "payload characters",
            ..
        }))
    ));
}

/// 16 MiB of `[` in about 16 KB of DEFLATE: stopped at the limit, quickly, with at most the
/// limit allocated.
#[test]
fn deflate_bomb_is_refused_quickly() {
    let bomb_plain = vec![b'['; 16 << 20];
    let bomb = deflate_raw(&bomb_plain, b"").unwrap();
    drop(bomb_plain);
    let payload = payload_of_deflate(&bomb);
    let limits = DecodeLimits {
        max_payload_chars: usize::MAX,
        ..DecodeLimits::default()
    };
    let start = Instant::now();
    let result = decode_with_limits(&payload, &limits);
    let took = start.elapsed();
    assert_eq!(
        result,
        Err(Error::Compact(CompactError::TooLarge {
            what: "inflated bytes",
            limit: DEFAULT_MAX_INFLATED
        }))
    );
    assert!(took < Duration::from_millis(500), "took {took:?}");
    // Inside a QR-sized payload: the densest bomb that fits 4,296 characters.
    let fits = deflate_raw(&vec![b' '; 2 << 20], b"").unwrap();
    let payload = payload_of_deflate(&fits);
    assert!(
        payload.len() <= DEFAULT_MAX_PAYLOAD_CHARS,
        "{}",
        payload.len()
    );
    assert!(matches!(
        decode(&payload),
        Err(Error::Compact(CompactError::TooLarge {
            what: "inflated bytes",
            ..
        }))
    ));
}

// ---- Measurement --------------------------------------------------------------------------------

/// The sizes recorded in the module documentation. Run with `--nocapture` to see them.
#[test]
fn measure_representative_presentation() {
    let raw = PRESENTATION.len();
    let min = minify_json(PRESENTATION.as_bytes()).unwrap();
    let plain = deflate_raw(&min, b"").unwrap().len();
    let dict = deflate_raw(&min, DICTIONARY_V1).unwrap().len();
    let payload = encode_bytes(PRESENTATION.as_bytes()).unwrap();
    let version = qr_version_alnum_m(payload.len()).unwrap();
    println!(
        "raw {raw} B, minified {} B, deflate {plain} B, deflate+dict {dict} B, payload {} chars, \
         QR version {version} (alphanumeric, M); dictionary {} B",
        min.len(),
        payload.len(),
        DICTIONARY_V1.len()
    );
    // The documented figures; update the module documentation if these move.
    assert_eq!(
        (raw, min.len(), plain, dict, payload.len(), version),
        (2914, 2332, 1368, 1117, 1681, 28)
    );
}
