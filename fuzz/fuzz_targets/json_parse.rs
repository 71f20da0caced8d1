//! `civitas_core::json::parse`: never panics; what it accepts serializes and parses back equal.
#![no_main]

use civitas_core::json::{JsonLimits, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = JsonLimits::default();
    if let Ok(value) = parse(data, &limits) {
        let text = serde_json::to_vec(&value).expect("a parsed value serializes");
        let again = parse(&text, &limits).expect("serialized JSON parses again");
        assert_eq!(value, again, "JSON round trip changed the value");
    }
});
