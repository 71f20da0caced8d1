//! Multibase, Multikey and did:key decoding: never panics; an accepted key re-encodes to the
//! text it came from, and an accepted did:key resolves.
#![no_main]

use civitas_core::did::{did_key, parse_did_key, parse_verification_method, resolve};
use civitas_core::keys::{decode_base58btc, decode_base64url, encode_base58btc};
use civitas_core::keys::decode_varint;
use civitas_core::keys::{PublicKey, SecretKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = decode_varint(data);
    let _ = PublicKey::from_multicodec_bytes(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(bytes) = decode_base58btc(text) {
        assert_eq!(encode_base58btc(&bytes), text, "base58btc is not canonical");
    }
    let _ = decode_base64url(text);
    if let Ok(key) = PublicKey::from_multibase(text) {
        assert_eq!(key.to_multibase(), text, "Multikey round trip");
    }
    let _ = SecretKey::from_multibase(text);
    if let Ok(key) = parse_did_key(text) {
        assert_eq!(did_key(&key), text, "did:key round trip");
        resolve(text).expect("a parsed did:key resolves");
    }
    let _ = parse_verification_method(text);
});
