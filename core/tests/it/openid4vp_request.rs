//! OpenID4VP authorization requests: the verifier signs a Request Object, the wallet reads the
//! invocation, checks the object, and binds its presentations to the nonce and client id;
//! everything wrong is an error response code with a reason.
#![expect(
    clippy::panic,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

use civitas_core::did;
use civitas_core::ecdsa::DeviceKey;
use civitas_core::jose::EcPrivateJwk;
use civitas_core::jose::jwe::Enc;
use civitas_core::openid4vp::{
    AuthorizationRequest, ClientId, Invocation, ResponseMode, form_encode, parse_form,
    sign_request_object,
};
use civitas_core::verifier::request_binding;
use serde_json::{Map, Value, json};

struct Desk {
    key: DeviceKey,
    client_id: String,
    enc_key: EcPrivateJwk,
}

fn desk() -> Desk {
    let key = DeviceKey::generate().unwrap();
    let client_id = format!(
        "decentralized_identifier:{}",
        did::did_key(&key.public_key())
    );
    Desk {
        key,
        client_id,
        enc_key: EcPrivateJwk::generate(Some("enc-1".into())).unwrap(),
    }
}

fn dcql() -> Value {
    json!({"credentials": [{
        "id": "diploma", "format": "ldp_vc",
        "meta": {"type_values": [["https://civitas.example/vocab#UniversityDegreeCredential"]]},
        "claims": [{"path": ["credentialSubject", "degree", "name"]}]
    }]})
}

impl Desk {
    fn params(&self) -> Map<String, Value> {
        let v = json!({
            "client_id": self.client_id,
            "response_type": "vp_token",
            "response_mode": "direct_post.jwt",
            "response_uri": "https://desk.example/responses/t1",
            "nonce": "n-0S6_WzA2Mj-128bits",
            "state": "t1.state",
            "dcql_query": dcql(),
            "client_metadata": {
                "jwks": {"keys": [self.enc_key.public().to_json(), {"kty": "OKP", "crv": "X25519", "x": "AAAA"}]},
                "encrypted_response_enc_values_supported": ["A256GCM", "A128CBC-HS256"],
                "vp_formats_supported": {"ldp_vc": {"cryptosuite_values": ["bbs-2023"]}}
            },
            "iss": "ignored",
            "unknown_parameter": "ignored"
        });
        v.as_object().unwrap().clone()
    }

    fn object(&self, params: &Map<String, Value>) -> String {
        sign_request_object(params, &self.key).unwrap()
    }
}

#[test]
fn a_signed_request_object_is_read_and_binds_the_presentation() {
    let d = desk();
    let url = format!(
        "openid4vp://?client_id={}&request_uri={}",
        form_encode(&d.client_id),
        form_encode("https://desk.example/requests/t1")
    );
    let Invocation::ByReference {
        client_id,
        request_uri,
        post,
    } = Invocation::parse(&url).unwrap()
    else {
        panic!("by reference")
    };
    assert_eq!(client_id, d.client_id);
    assert_eq!(request_uri, "https://desk.example/requests/t1");
    assert!(!post);
    let req =
        AuthorizationRequest::from_request_object(&d.object(&d.params()), &client_id).unwrap();
    assert!(req.signed);
    assert_eq!(req.client_id.as_str(), d.client_id);
    assert_eq!(req.response_mode, ResponseMode::DirectPostJwt);
    assert_eq!(req.response_uri, "https://desk.example/responses/t1");
    assert_eq!(req.state.as_deref(), Some("t1.state"));
    assert_eq!(req.dcql_query.credentials[0].id, "diploma");
    // Only the P-256 key and the supported enc are kept.
    assert_eq!(req.client_metadata.encryption_keys.len(), 1);
    assert_eq!(req.client_metadata.enc_values, vec![Enc::A256Gcm]);
    assert_eq!(
        req.presentation_header(),
        request_binding("n-0S6_WzA2Mj-128bits", Some(&d.client_id))
    );
}

#[test]
fn request_objects_that_must_be_refused() {
    let d = desk();
    let outer = d.client_id.clone();
    let code = |jwt: &str| {
        AuthorizationRequest::from_request_object(jwt, &outer)
            .unwrap_err()
            .code
    };
    // Another key, claiming to be the desk: its kid names another DID.
    let mallory = DeviceKey::generate().unwrap();
    assert_eq!(
        code(&sign_request_object(&d.params(), &mallory).unwrap()),
        "invalid_client"
    );
    // client_id inside differs from outside.
    let mut p = d.params();
    p.insert(
        "client_id".into(),
        "decentralized_identifier:did:key:zOther".into(),
    );
    assert_eq!(code(&d.object(&p)), "invalid_client");
    // Wrong typ.
    let mut header = Map::new();
    header.insert("typ".into(), "JWT".into());
    header.insert(
        "kid".into(),
        did::verification_method_id(&d.key.public_key()).into(),
    );
    let payload = serde_json::to_vec(&Value::Object(d.params())).unwrap();
    let wrong_typ = civitas_core::jose::jws::sign(&header, &payload, &d.key).unwrap();
    assert_eq!(code(&wrong_typ), "invalid_request");
    // A tampered payload.
    let jwt = d.object(&d.params());
    let parts: Vec<&str> = jwt.split('.').collect();
    let mut params = d.params();
    params.insert("nonce".into(), "attacker".into());
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        civitas_core::keys::encode_base64url(&serde_json::to_vec(&Value::Object(params)).unwrap()),
        parts[2]
    );
    assert_eq!(code(&forged), "invalid_client");
    // Parameters: each refused with its code.
    for (key, value, expected) in [
        (
            "transaction_data",
            json!(["e30"]),
            "invalid_transaction_data",
        ),
        ("scope", json!("diploma"), "invalid_request"),
        ("response_type", json!("code"), "invalid_request"),
        ("response_mode", json!("fragment"), "invalid_request"),
        ("nonce", json!(""), "invalid_request"),
        ("state", json!("not url safe!"), "invalid_request"),
        (
            "redirect_uri",
            json!("https://x.example"),
            "invalid_request",
        ),
        (
            "dcql_query",
            json!({"credentials": [{"id": "m", "format": "mso_mdoc", "meta": {}}]}),
            "vp_formats_not_supported",
        ),
        ("dcql_query", json!({"credentials": []}), "invalid_request"),
        (
            "client_metadata",
            json!({"jwks": {"keys": []}}),
            "invalid_request",
        ),
    ] {
        let mut p = d.params();
        p.insert(key.into(), value);
        assert_eq!(code(&d.object(&p)), expected, "{key}");
    }
    for key in ["nonce", "response_uri", "dcql_query", "response_mode"] {
        let mut p = d.params();
        p.remove(key);
        assert_eq!(code(&d.object(&p)), "invalid_request", "without {key}");
    }
    // Not a JWS at all.
    assert!(AuthorizationRequest::from_request_object("not-a-jwt", &outer).is_err());
    // An unsupported prefix outside.
    assert!(AuthorizationRequest::from_request_object(&jwt, "x509_san_dns:desk.example").is_err());
}

#[test]
fn unsigned_requests_by_value_only_for_redirect_uri_clients() {
    let uri = "https://desk.example/responses/t2";
    let url = format!(
        "openid4vp://?client_id={}&response_type=vp_token&response_mode=direct_post&response_uri={}&nonce=abc123&dcql_query={}",
        form_encode(&format!("redirect_uri:{uri}")),
        form_encode(uri),
        form_encode(&dcql().to_string())
    );
    let Invocation::ByValue(params) = Invocation::parse(&url).unwrap() else {
        panic!("by value")
    };
    let req = AuthorizationRequest::from_unsigned(&params).unwrap();
    assert!(!req.signed);
    assert_eq!(req.response_mode, ResponseMode::DirectPost);
    assert!(matches!(req.client_id, ClientId::RedirectUri { .. }));
    // The response_uri must be the client's URI.
    let mut p = params.clone();
    p.insert("response_uri".into(), "https://elsewhere.example/".into());
    assert!(AuthorizationRequest::from_unsigned(&p).is_err());
    // A decentralized_identifier client must sign.
    let mut p = params;
    p.insert(
        "client_id".into(),
        "decentralized_identifier:did:key:zDnae".into(),
    );
    assert!(AuthorizationRequest::from_unsigned(&p).is_err());
}

#[test]
fn invocation_urls_that_must_be_refused() {
    for url in [
        "openid4vp://",
        "openid4vp://?client_id=a&request_uri=ftp%3A%2F%2Fx",
        "openid4vp://?request_uri=https%3A%2F%2Fx",
        "openid4vp://?client_id=a&request_uri=https%3A%2F%2Fx&request_uri_method=PUT",
        "openid4vp://?client_id=a&client_id=b",
        "openid4vp://?client_id=%ZZ",
        "openid4vp://?request=eyJ",
    ] {
        assert!(Invocation::parse(url).is_err(), "{url}");
    }
    let e = Invocation::parse(
        "openid4vp://?client_id=a&request_uri=https%3A%2F%2Fx&request_uri_method=PUT",
    )
    .unwrap_err();
    assert_eq!(e.code, "invalid_request_uri_method");
    assert!(matches!(
        Invocation::parse(
            "openid4vp://?client_id=a&request_uri=https%3A%2F%2Fx&request_uri_method=post"
        )
        .unwrap(),
        Invocation::ByReference { post: true, .. }
    ));
    // Form decoding.
    let p = parse_form("a=b+c&d=%C3%A9&e=").unwrap();
    assert_eq!(p["a"], "b c");
    assert_eq!(p["d"], "é");
    assert_eq!(p["e"], "");
    assert!(parse_form("a=%C3").is_err());
}
