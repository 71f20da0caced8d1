//! Bitstring Status List `encodedList` decoding (multibase base64url GZIP), with small limits:
//! never panics; a decoded list encodes and decodes back to the same bits. The first byte is the
//! status size.
#![no_main]

use civitas_core::status::{DecodeLimits, StatusList};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&size, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let mut limits = DecodeLimits::default();
    limits.max_encoded_len = 1 << 20;
    limits.max_bitstring_len = 1 << 20;
    limits.min_entries = 8;
    let status_size = size % 10;
    if let Ok(list) = StatusList::decode(text, status_size, &limits) {
        let n = list.len();
        if n > 0 {
            let _ = list.get(n - 1);
        }
        let _ = list.get(n);
        let encoded = list.encode().expect("a decoded list encodes");
        let back = StatusList::decode(&encoded, status_size, &limits).expect("and decodes");
        assert_eq!(back.as_bytes(), list.as_bytes(), "status list round trip");
    }
});
