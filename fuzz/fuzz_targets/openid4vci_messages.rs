//! OpenID4VCI decoders: offer links and objects, issuer and authorization-server metadata,
//! token requests and responses, nonce responses, credential requests (with their key proofs
//! checked, for ldp_vc and dc+sd-jwt), credential responses of both formats and JWT VC Issuer
//! Metadata: each a clear error or a value, never a panic.
#![no_main]

use civitas_core::openid4vci::{
    CredentialRequest, ProofPolicy, read_credential_response, read_issued_credentials,
    read_nonce_response,
};
use civitas_core::openid4vci::{AuthorizationServerMetadata, DC_SD_JWT, IssuerMetadata};
use civitas_core::openid4vci::{CredentialOffer, OfferInvocation};
use civitas_core::openid4vci::{TokenRequest, TokenResponse, read_error};
use libfuzzer_sys::fuzz_target;

const ISSUER: &str = "https://uni.example";

fuzz_target!(|data: &[u8]| {
    let _ = CredentialOffer::from_json(data);
    let _ = TokenRequest::from_form(data);
    let _ = TokenResponse::from_json(data);
    let _ = read_nonce_response(data);
    let _ = read_credential_response(data);
    let _ = read_issued_credentials(data, DC_SD_JWT);
    let _ = civitas_core::sdjwt::vc::read_issuer_metadata(data, ISSUER);
    let _ = read_error(data);
    let _ = AuthorizationServerMetadata::from_json(data, ISSUER);
    if let Ok(metadata) = IssuerMetadata::from_json(data, ISSUER) {
        let _ = metadata.authorization_server_metadata_url();
        for c in metadata.credential_configurations_supported.values() {
            let _ = c.display_name(Some("en"));
            let _ = c.sd_jwt_vct();
        }
    }
    if let Ok(request) = CredentialRequest::from_json(data) {
        let metadata = IssuerMetadata::from_json(
            br#"{"credential_issuer": "https://uni.example",
                "credential_endpoint": "https://uni.example/c",
                "credential_configurations_supported": {"d": {"format": "ldp_vc",
                  "proof_types_supported": {
                    "jwt": {"proof_signing_alg_values_supported": ["ES256"]},
                    "x-civitas-bbs-2023-commitment": {"proof_signing_alg_values_supported": ["bbs-2023"],
                      "features": ["anonymous_holder_binding", "pseudonym", "holder_binding_pseudonym"]}}},
                  "s": {"format": "dc+sd-jwt", "vct": "https://uni.example/s",
                    "cryptographic_binding_methods_supported": ["jwk"],
                    "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": ["ES256"]}}}}}"#,
            ISSUER,
        )
        .expect("the metadata");
        let valid = |n: &str| n == "fresh";
        let policy = ProofPolicy {
            credential_issuer: ISSUER,
            now: 1_800_000_000,
            batch_size: 4,
            nonce_valid: &valid,
        };
        for id in ["d", "s"] {
            if let Ok(c) = metadata.configuration(id) {
                let _ = request.check_proofs(c, &policy);
            }
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = OfferInvocation::parse(text);
    }
});
