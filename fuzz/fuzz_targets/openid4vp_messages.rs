//! OpenID4VP decoders: invocation URLs, form bodies, request parameters, DCQL queries,
//! Request Objects and responses: each a clear error or a value, never a panic.
#![no_main]

use civitas_core::jose::EcPrivateJwk;
use civitas_core::json::{JsonLimits, parse};
use civitas_core::openid4vp::dcql::DcqlQuery;
use civitas_core::openid4vp::{AuthorizationRequest, Invocation, parse_form};
use civitas_core::openid4vp::parse_response;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = parse(data, &JsonLimits::default()) {
        let _ = DcqlQuery::parse(&doc);
        if let Some(params) = doc.as_object() {
            let _ = AuthorizationRequest::from_unsigned(params);
        }
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Invocation::parse(text);
    if let Ok(params) = parse_form(text) {
        let _ = AuthorizationRequest::from_unsigned(&params);
    }
    let _ = AuthorizationRequest::from_request_object(
        text,
        "decentralized_identifier:did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169",
    );
    let query = DcqlQuery::parse(&serde_json::json!({"credentials": [{
        "id": "diploma", "format": "ldp_vc", "multiple": true,
        "meta": {"type_values": [["https://civitas.example/vocab#UniversityDegreeCredential"]]}
    }]}))
    .expect("the query");
    let key = EcPrivateJwk::from_json(&serde_json::json!({
        "kty": "EC", "crv": "P-256",
        "x": "weNJy2HscCSM6AEDTDg04biOvhFhyyWvOHQfeF_PxMQ",
        "y": "e8lnCO-AlStT-NJVX-crhB7QRYhiix03illJOVAOyck",
        "d": "VEmDZpDXXK8p8N0Cndsxs924q6nS1RXFASRl6BfUqdw"
    }))
    .expect("the test key");
    let _ = parse_response(text, Some("s"), None, &query);
    let _ = parse_response(text, Some("s"), Some(&key), &query);
});
