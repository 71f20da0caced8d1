//! JOSE decoders (compact JWS verify, compact JWE decrypt, JWKs): never panic. The keys are
//! fixed published test keys (RFC 7518 Appendix C), so inputs can reach every check.
#![no_main]

use civitas_core::jose::{EcJwk, EcPrivateJwk};
use civitas_core::jose::{jwe, jws};
use civitas_core::json::{JsonLimits, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let key = EcPrivateJwk::from_json(&serde_json::json!({
        "kty": "EC", "crv": "P-256",
        "x": "weNJy2HscCSM6AEDTDg04biOvhFhyyWvOHQfeF_PxMQ",
        "y": "e8lnCO-AlStT-NJVX-crhB7QRYhiix03illJOVAOyck",
        "d": "VEmDZpDXXK8p8N0Cndsxs924q6nS1RXFASRl6BfUqdw"
    }))
    .expect("the test key");
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = jws::verify(text, &key.public().public_key());
        let _ = jwe::decrypt(text, &key);
    }
    if let Ok(doc) = parse(data, &JsonLimits::default()) {
        if let Ok(jwk) = EcJwk::from_json(&doc) {
            let _ = jwk.thumbprint();
            let _ = EcJwk::from_json(&jwk.to_json()).expect("round trip");
        }
        let _ = EcPrivateJwk::from_json(&doc);
    }
});
