//! JOSE against the published examples (RFC 7515 A.3, the decryptable OpenID4VP 1.0 §8.3
//! response, read from `../shared/specs`), round trips, and what must be refused.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

use std::path::PathBuf;

use civitas_core::ecdsa::DeviceKey;
use civitas_core::jose::jwe::{self, Enc};
use civitas_core::jose::{EcJwk, EcPrivateJwk};
use civitas_core::jose::{JoseError, jws};
use serde_json::{Map, Value, json};

fn b64(bytes: &[u8]) -> String {
    civitas_core::keys::encode_base64url(bytes)
}

/// RFC 7515 Appendix A.3: the ES256 example JWS and its key.
#[test]
fn rfc7515_a3_es256_example_verifies() {
    let key = EcJwk::from_json(&json!({
        "kty": "EC", "crv": "P-256",
        "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"
    }))
    .unwrap();
    let compact = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
    let verified = jws::verify(compact, &key.public_key()).unwrap();
    assert_eq!(verified.header()["alg"], "ES256");
    assert!(verified.payload().starts_with(b"{\"iss\":\"joe\""));
    // One bit of the signature's r flipped.
    let bad = compact.replace(".DtEh", ".DtEi");
    assert_eq!(
        jws::verify(&bad, &key.public_key()),
        Err(JoseError::SignatureInvalid)
    );
}

fn specs_dir() -> PathBuf {
    std::env::var_os("CIVITAS_SPECS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/specs"),
        PathBuf::from,
    )
}

/// The value of the first `"<name>" : "..."` after `after` in the spec text, with the
/// display line breaks and spaces removed.
fn quoted_after(text: &str, after: &str, name: &str) -> String {
    let at = text.find(after).expect("marker in the spec");
    let rest = &text[at..];
    let key = format!("\"{name}\" : \"");
    let start = rest.find(&key).expect("member in the spec") + key.len();
    let end = rest[start..].find('"').unwrap() + start;
    rest[start..end].split_whitespace().collect()
}

/// OpenID4VP 1.0 §8.3: the example encrypted response decrypts with the example private key
/// to the example payload.
#[test]
fn openid4vp_direct_post_jwt_example_decrypts() {
    let spec =
        std::fs::read_to_string(specs_dir().join("openid-4-verifiable-presentations-1_0-final.md"))
            .expect("../shared/specs (or CIVITAS_SPECS) holds the OpenID4VP 1.0 text");
    let response = quoted_after(&spec, "encrypted to the first key", "response");
    // The private JWK printed after the example.
    let at = spec.find("can be used to decrypt the above").unwrap();
    let open = spec[at..].find('{').unwrap() + at;
    let close = spec[open..].find('}').unwrap() + open;
    let jwk: Value = serde_json::from_str(&spec[open..=close]).unwrap();
    let key = EcPrivateJwk::from_json(&jwk).unwrap();
    let decrypted = jwe::decrypt(&response, &key).unwrap();
    assert_eq!(decrypted.header()["alg"], "ECDH-ES");
    assert_eq!(decrypted.header()["enc"], "A128GCM");
    assert_eq!(decrypted.header()["kid"], "ac");
    let payload: Value = serde_json::from_slice(decrypted.plaintext()).unwrap();
    assert_eq!(
        payload,
        json!({"vp_token": {"example_credential_id": ["eyJhb...YMetA"]}})
    );
    // Another key does not decrypt it.
    let other = EcPrivateJwk::generate(None).unwrap();
    assert_eq!(
        jwe::decrypt(&response, &other).unwrap_err(),
        JoseError::DecryptionFailed
    );
    // Nor does any altered segment.
    let parts: Vec<&str> = response.split('.').collect();
    for i in [0usize, 2, 3, 4] {
        let mut altered: Vec<String> = parts.iter().map(|s| (*s).to_owned()).collect();
        let seg = &mut altered[i];
        let last = seg.pop().unwrap();
        seg.push(if last == 'A' { 'B' } else { 'A' });
        let altered = altered.join(".");
        assert!(jwe::decrypt(&altered, &key).is_err(), "segment {i}");
    }
}

#[test]
fn jws_round_trip_and_refusals() {
    let device = DeviceKey::generate().unwrap();
    let mut header = Map::new();
    header.insert("typ".into(), "oauth-authz-req+jwt".into());
    let compact = jws::sign(&header, b"{\"a\":1}", &device).unwrap();
    let v = jws::verify(&compact, &device.public_key()).unwrap();
    assert_eq!(v.payload(), b"{\"a\":1}");
    assert_eq!(v.header()["typ"], "oauth-authz-req+jwt");
    // Another key.
    let other = DeviceKey::generate().unwrap();
    assert_eq!(
        jws::verify(&compact, &other.public_key()),
        Err(JoseError::SignatureInvalid)
    );
    let parts: Vec<&str> = compact.split('.').collect();
    let with_header = |h: &Value| {
        format!(
            "{}.{}.{}",
            b64(&serde_json::to_vec(h).unwrap()),
            parts[1],
            parts[2]
        )
    };
    for (h, what) in [
        (json!({"alg": "none"}), "alg none"),
        (json!({"alg": "HS256"}), "alg HS256"),
        (
            json!({"alg": "ES256", "crit": ["b64"], "b64": false}),
            "crit",
        ),
        (json!(["ES256"]), "not an object"),
    ] {
        assert!(
            jws::verify(&with_header(&h), &device.public_key()).is_err(),
            "{what}"
        );
    }
    for bad in [
        "",
        "a.b",
        "a.b.c.d",
        &format!("{compact}="),
        &format!("{}.{}.{}A", parts[0], parts[1], parts[2]),
    ] {
        assert!(jws::verify(bad, &device.public_key()).is_err(), "{bad}");
    }
    let huge = "a".repeat(civitas_core::jose::MAX_COMPACT_LEN + 1);
    assert!(matches!(
        jws::verify(&huge, &device.public_key()),
        Err(JoseError::TooLarge { .. })
    ));
}

#[test]
fn jwe_round_trips_both_encs_and_refuses_what_it_does_not_accept() {
    let key = EcPrivateJwk::generate(Some("k1".into())).unwrap();
    let public = key.public();
    for enc in [Enc::A128Gcm, Enc::A256Gcm] {
        let mut extra = Map::new();
        extra.insert("apu".into(), b64(b"wallet-nonce").into());
        extra.insert("apv".into(), b64(b"verifier-nonce").into());
        let compact = jwe::encrypt(b"{\"vp_token\":{}}", &public, enc, &extra).unwrap();
        let d = jwe::decrypt(&compact, &key).unwrap();
        assert_eq!(d.plaintext(), b"{\"vp_token\":{}}");
        assert_eq!(d.header()["enc"], enc.name());
        assert_eq!(d.header()["kid"], "k1");
        // Two encryptions of one plaintext differ (fresh ephemeral key and IV).
        assert_ne!(
            compact,
            jwe::encrypt(b"{\"vp_token\":{}}", &public, enc, &extra).unwrap()
        );
    }
    let compact = jwe::encrypt(b"x", &public, Enc::A128Gcm, &Map::new()).unwrap();
    let parts: Vec<&str> = compact.split('.').collect();
    let header: Value =
        serde_json::from_slice(&civitas_core::keys::decode_base64url(parts[0]).unwrap()).unwrap();
    let with = |k: &str, v: Value| {
        let mut h = header.clone();
        h[k] = v;
        let mut p: Vec<String> = parts.iter().map(|s| (*s).to_owned()).collect();
        p[0] = b64(&serde_json::to_vec(&h).unwrap());
        p.join(".")
    };
    for (bad, what) in [
        (with("alg", json!("RSA-OAEP")), "alg"),
        (with("alg", json!("dir")), "alg dir"),
        (with("enc", json!("A128CBC-HS256")), "enc"),
        (with("crit", json!(["x"])), "crit"),
        (
            with("epk", json!({"kty": "OKP", "crv": "X25519", "x": "AA"})),
            "epk curve",
        ),
        (
            with(
                "epk",
                json!({"kty": "EC", "crv": "P-256", "x": b64(&[1u8; 32]), "y": b64(&[2u8; 32])}),
            ),
            "epk off the curve",
        ),
        (
            format!("{}.AAAA.{}.{}.{}", parts[0], parts[2], parts[3], parts[4]),
            "encrypted key",
        ),
        (
            format!("{}..{}.{}", parts[0], parts[2], parts[3]),
            "four segments",
        ),
        (
            format!("{}..AAAA.{}.{}", parts[0], parts[3], parts[4]),
            "short IV",
        ),
    ] {
        assert!(jwe::decrypt(&bad, &key).is_err(), "{what}");
    }
    // A private JWK whose d is not its x, y; a public JWK that carries d.
    let other = EcPrivateJwk::generate(None).unwrap();
    let mut mixed = other.public().to_json();
    let jwk = json!({"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0", "d": "jpsQnnGQmL-YBIffH1136cLyG2-4EJZNGVn5yx-HEZ4"});
    mixed["d"] = jwk["d"].clone();
    assert!(EcPrivateJwk::from_json(&mixed).is_err());
    assert!(EcJwk::from_json(&jwk).is_err());
    // Debug shows no secret.
    assert!(format!("{key:?}").contains("[redacted]"));
}

/// RFC 7638 §3.1's example key is RSA; for P-256 the thumbprint is the hash of the required
/// members in order, which we check by recomputing it from the JSON.
#[test]
fn the_thumbprint_hashes_the_required_members_in_order() {
    let key = EcJwk::from_json(&json!({
        "kty": "EC", "crv": "P-256", "kid": "ignored", "use": "enc",
        "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"
    }))
    .unwrap();
    use sha2::Digest;
    let expected = sha2::Sha256::digest(
        br#"{"crv":"P-256","kty":"EC","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#,
    );
    assert_eq!(&key.thumbprint()[..], &expected[..]);
}
