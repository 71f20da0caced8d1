//! `BaseProofValue::parse`: never panics; what it accepts serializes and parses back equal.
#![no_main]

use civitas_core::bbs2023::{BaseProofValue, identify};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = identify(text);
    if let Ok(value) = BaseProofValue::parse(text) {
        let _ = value.issuer_public_key();
        let again = BaseProofValue::parse(&value.serialize()).expect("serialized value parses");
        assert_eq!(value, again, "base proof value round trip");
    }
});
