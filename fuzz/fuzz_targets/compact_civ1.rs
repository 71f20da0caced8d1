//! The CIV1 QR payload (`civitas_core::compact::decode`): never panics; a decoded document
//! encodes to a payload that decodes to the same document.
#![no_main]

use civitas_core::compact::{decode, encode_json};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(value) = decode(text) {
        if let Ok(payload) = encode_json(&value) {
            let back = decode(&payload).expect("an encoded payload decodes");
            assert_eq!(back, value, "CIV1 round trip");
        }
    }
});
