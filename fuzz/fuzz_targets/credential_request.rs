//! A holder's credential request (`CommitmentRequest::from_json`): never panics, and what
//! parses writes back the same document.
#![no_main]

use civitas_core::bbs2023::CommitmentRequest;
use civitas_core::json::{JsonLimits, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = parse(data, &JsonLimits::default()) else {
        return;
    };
    if let Ok(req) = CommitmentRequest::from_json(&doc) {
        let again = CommitmentRequest::from_json(&req.to_json()).expect("round trip");
        assert_eq!(again, req);
    }
});
