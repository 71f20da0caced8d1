//! `DerivedProofValue::parse`: never panics; what it accepts serializes and parses back equal.
#![no_main]

use civitas_core::bbs2023::DerivedProofValue;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(value) = DerivedProofValue::parse(text) {
        let again = DerivedProofValue::parse(&value.serialize()).expect("serialized value parses");
        assert_eq!(value, again, "derived proof value round trip");
    }
});
