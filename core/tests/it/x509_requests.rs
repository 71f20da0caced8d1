//! HAIP request objects: a desk signs under `x509_hash:` or `x509_san_dns:` with the leaf of an
//! `x5c` chain; the wallet validates the chain to its trust anchors and refuses everything
//! else with `invalid_client` or `invalid_request` and a reason.
#![expect(
    clippy::panic,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

use std::time::{Duration, SystemTime};

use civitas_core::Timestamp;
use civitas_core::ecdsa::DeviceKey;
use civitas_core::openid4vp::{
    AuthorizationRequest, ClientId, RequestError, sign_request_object_x509,
};
use civitas_core::verifier::request_binding;
use civitas_core::x509::{
    CertificateChain, TrustAnchors, X509Error, certificate_to_pem, verify_chain,
};
use civitas_core::x509::{CertificateKind, CertificateRequest, make_certificate};
use serde_json::{Map, Value, json};

/// A root, an intermediate under it, and a desk leaf under the intermediate.
struct Pki {
    root: Vec<u8>,
    intermediate: Vec<u8>,
    intermediate_key: DeviceKey,
    leaf: Vec<u8>,
    leaf_key: DeviceKey,
}

fn cert(
    subject: &str,
    key: &DeviceKey,
    kind: CertificateKind,
    dns: &[&str],
    issuer: Option<(&[u8], &DeviceKey)>,
) -> Vec<u8> {
    let dns: Vec<String> = dns.iter().map(|d| (*d).to_owned()).collect();
    let public = key.public_key();
    let request = CertificateRequest {
        subject,
        public_key: &public,
        kind,
        valid_days: 30,
        dns_names: &dns,
    };
    match issuer {
        None => make_certificate(&request, None, key).unwrap(),
        Some((der, signer)) => make_certificate(&request, Some(der), signer).unwrap(),
    }
}

fn pki(dns: &[&str]) -> Pki {
    let root_key = DeviceKey::generate().unwrap();
    let root = cert(
        "CN=Test Root,O=Civitas",
        &root_key,
        CertificateKind::Root,
        &[],
        None,
    );
    let intermediate_key = DeviceKey::generate().unwrap();
    let intermediate = cert(
        "CN=Test Intermediate,O=Civitas",
        &intermediate_key,
        CertificateKind::Intermediate,
        &[],
        Some((&root, &root_key)),
    );
    let leaf_key = DeviceKey::generate().unwrap();
    let leaf = cert(
        "CN=Desk,O=Agency",
        &leaf_key,
        CertificateKind::Leaf,
        dns,
        Some((&intermediate, &intermediate_key)),
    );
    Pki {
        root,
        intermediate,
        intermediate_key,
        leaf,
        leaf_key,
    }
}

impl Pki {
    fn chain(&self) -> CertificateChain {
        CertificateChain::from_der(vec![self.leaf.clone(), self.intermediate.clone()]).unwrap()
    }

    fn anchors(&self) -> TrustAnchors {
        TrustAnchors::from_pem(&certificate_to_pem(&self.root)).unwrap()
    }
}

fn params(client_id: &str, response_uri: &str) -> Map<String, Value> {
    json!({
        "client_id": client_id,
        "response_type": "vp_token",
        "response_mode": "direct_post",
        "response_uri": response_uri,
        "nonce": "n-x509-0001",
        "dcql_query": {"credentials": [{
            "id": "pid", "format": "dc+sd-jwt",
            "meta": {"vct_values": ["urn:eudi:pid:1"]},
            "claims": [{"path": ["family_name"]}]
        }]}
    })
    .as_object()
    .unwrap()
    .clone()
}

fn read(
    jwt: &str,
    client_id: &str,
    anchors: &TrustAnchors,
) -> Result<AuthorizationRequest, RequestError> {
    AuthorizationRequest::from_request_object_with(jwt, client_id, anchors, Timestamp::now())
}

fn refusal(result: Result<AuthorizationRequest, RequestError>) -> RequestError {
    match result {
        Ok(r) => panic!("accepted: {:?}", r.client_id),
        Err(e) => e,
    }
}

#[test]
fn an_x509_hash_request_is_read_and_binds_the_presentation_to_the_hash() {
    let p = pki(&["desk.example"]);
    let chain = p.chain();
    let client_id = format!("x509_hash:{}", chain.leaf_hash());
    let jwt = sign_request_object_x509(
        &params(&client_id, "https://desk.example/responses/t1"),
        &p.leaf_key,
        &chain,
    )
    .unwrap();
    let request = read(&jwt, &client_id, &p.anchors()).unwrap();
    assert!(request.signed);
    assert!(matches!(request.client_id, ClientId::X509Hash { .. }));
    assert_eq!(request.client_id.as_str(), client_id);
    assert_eq!(
        request.presentation_header(),
        request_binding("n-x509-0001", Some(&client_id))
    );
    // The same request without trust anchors (the old entry point) is refused.
    let e = refusal(AuthorizationRequest::from_request_object(&jwt, &client_id));
    assert_eq!(e.code, "invalid_client");
    assert!(e.description.contains("no trust anchors"), "{e}");
}

#[test]
fn an_x509_san_dns_request_needs_the_name_in_the_leaf_and_the_response_uri_on_it() {
    let p = pki(&["desk.example"]);
    let chain = p.chain();
    let sign = |client_id: &str, uri: &str| {
        sign_request_object_x509(&params(client_id, uri), &p.leaf_key, &chain).unwrap()
    };
    let ok = sign(
        "x509_san_dns:desk.example",
        "https://desk.example/responses/t1",
    );
    let request = read(&ok, "x509_san_dns:desk.example", &p.anchors()).unwrap();
    assert!(
        matches!(request.client_id, ClientId::X509SanDns { ref dns, .. } if dns == "desk.example")
    );

    // The response would go to another host than the certificate names.
    let elsewhere = sign("x509_san_dns:desk.example", "https://collector.example/r");
    let e = refusal(read(&elsewhere, "x509_san_dns:desk.example", &p.anchors()));
    assert_eq!(e.code, "invalid_client");
    assert!(e.description.contains("response_uri"), "{e}");

    // A name the leaf does not carry.
    let other = sign("x509_san_dns:other.example", "https://other.example/r");
    let e = refusal(read(&other, "x509_san_dns:other.example", &p.anchors()));
    assert_eq!(e.code, "invalid_client");
    assert!(e.description.contains("dNSName"), "{e}");
}

#[test]
fn x509_requests_that_must_be_refused() {
    let p = pki(&["desk.example"]);
    let chain = p.chain();
    let client_id = format!("x509_hash:{}", chain.leaf_hash());
    let uri = "https://desk.example/responses/t1";
    let good = sign_request_object_x509(&params(&client_id, uri), &p.leaf_key, &chain).unwrap();

    // Another ecosystem's root (with the same names: the signature up the chain fails).
    let stranger = pki(&["desk.example"]);
    let e = refusal(read(&good, &client_id, &stranger.anchors()));
    assert_eq!(e.code, "invalid_client");
    assert!(e.description.contains("does not validate"), "{e}");

    // The hash of another certificate.
    let wrong_hash = format!("x509_hash:{}", stranger.chain().leaf_hash());
    let mut q = params(&wrong_hash, uri);
    q.insert("client_id".into(), wrong_hash.clone().into());
    let jwt = sign_request_object_x509(&q, &p.leaf_key, &chain).unwrap();
    let e = refusal(read(&jwt, &wrong_hash, &p.anchors()));
    assert!(e.description.contains("not the hash"), "{e}");

    // Someone else's key, with the desk's certificate chain in the header: the signing side
    // refuses, and a forged object (another key's signature under the desk's x5c) fails.
    let mallory = DeviceKey::generate().unwrap();
    assert!(sign_request_object_x509(&params(&client_id, uri), &mallory, &chain).is_err());
    let mallory_leaf = cert(
        "CN=Desk,O=Agency",
        &mallory,
        CertificateKind::Leaf,
        &["desk.example"],
        Some((&p.intermediate, &p.intermediate_key)),
    );
    let mallory_chain =
        CertificateChain::from_der(vec![mallory_leaf, p.intermediate.clone()]).unwrap();
    let forged =
        sign_request_object_x509(&params(&client_id, uri), &mallory, &mallory_chain).unwrap();
    let (_, rest) = forged.split_once('.').unwrap();
    let (good_header, _) = good.split_once('.').unwrap();
    let spliced = format!("{good_header}.{rest}");
    let e = refusal(read(&spliced, &client_id, &p.anchors()));
    assert_eq!(e.code, "invalid_client");

    // The leaf without its intermediate does not lead to the root.
    let bare = CertificateChain::from_der(vec![p.leaf.clone()]).unwrap();
    let jwt = sign_request_object_x509(&params(&client_id, uri), &p.leaf_key, &bare).unwrap();
    assert!(
        refusal(read(&jwt, &client_id, &p.anchors()))
            .description
            .contains("trusted anchor")
    );

    // The trust anchor sent in x5c (HAIP: it must not be).
    let with_root =
        CertificateChain::from_der(vec![p.leaf.clone(), p.intermediate.clone(), p.root.clone()])
            .unwrap();
    let jwt = sign_request_object_x509(&params(&client_id, uri), &p.leaf_key, &with_root).unwrap();
    assert!(
        refusal(read(&jwt, &client_id, &p.anchors()))
            .description
            .contains("trust anchor")
    );

    // A self-signed leaf, trusted as its own anchor (HAIP: the signing certificate is not
    // self-signed).
    let own_key = DeviceKey::generate().unwrap();
    let own = cert("CN=Self", &own_key, CertificateKind::Root, &[], None);
    let own_chain = CertificateChain::from_der(vec![own.clone()]).unwrap();
    let own_id = format!("x509_hash:{}", own_chain.leaf_hash());
    let jwt = sign_request_object_x509(&params(&own_id, uri), &own_key, &own_chain).unwrap();
    let mut own_anchor = TrustAnchors::none();
    own_anchor.add_der(own).unwrap();
    let e = refusal(read(&jwt, &own_id, &p.anchors()));
    assert!(e.description.contains("self-signed"), "{e}");
    assert_eq!(
        verify_chain(&own_chain, &own_anchor, Timestamp::now()).unwrap_err(),
        X509Error::AnchorIncluded
    );

    // Out of the validity period (the certificates are valid for 30 days).
    let later = Timestamp::from_system_time(SystemTime::now() + Duration::from_secs(40 * 86_400));
    let e = refusal(AuthorizationRequest::from_request_object_with(
        &good,
        &client_id,
        &p.anchors(),
        later,
    ));
    assert!(e.description.contains("expired"), "{e}");

    // No x5c at all.
    let plain = civitas_core::openid4vp::sign_request_object(&params(&client_id, uri), &p.leaf_key)
        .unwrap();
    assert!(
        refusal(read(&plain, &client_id, &p.anchors()))
            .description
            .contains("no x5c")
    );
}

#[test]
fn malformed_x5c_values_and_client_ids_are_typed_errors() {
    for bad in [
        json!("MIIB"),
        json!([]),
        json!([1]),
        json!(["not base64!"]),
        json!(["AAAA"]),
        json!(["TUlJQg"]), // unpadded
        Value::Array(vec![json!("AAAA"); 9]),
    ] {
        assert!(
            matches!(
                CertificateChain::from_x5c(&bad),
                Err(X509Error::Malformed(_))
            ),
            "{bad}"
        );
    }
    assert!(TrustAnchors::from_pem("no certificate here").is_err());
    assert!(TrustAnchors::from_pem("-----BEGIN CERTIFICATE-----\nAAAA\n").is_err());
    for id in [
        "x509_hash:",
        "x509_hash:abc",
        "x509_san_dns:",
        "x509_san_dns:bad host",
    ] {
        assert_eq!(
            ClientId::parse(id).unwrap_err().code,
            "invalid_request",
            "{id}"
        );
    }
    // A chain survives PEM and x5c round trips unchanged.
    let p = pki(&["desk.example"]);
    let chain = p.chain();
    let pem = format!(
        "{}{}",
        certificate_to_pem(&p.leaf),
        certificate_to_pem(&p.intermediate)
    );
    assert_eq!(CertificateChain::from_pem(&pem).unwrap(), chain);
    assert_eq!(CertificateChain::from_x5c(&chain.to_x5c()).unwrap(), chain);
    assert_eq!(chain.leaf_dns_names(), vec!["desk.example".to_owned()]);
}

/// An SD-JWT VC issued under an `x5c` chain (HAIP §6.1.1): the trust file names the CA; the
/// leaf must lead to it and name `iss`.
#[test]
fn an_sd_jwt_vc_signed_under_an_x5c_chain_is_verified_against_its_ca() {
    use civitas_core::jose::EcJwk;
    use civitas_core::jsonld::JsonLdProcessor;
    use civitas_core::sdjwt::{SdJwt, present};
    use civitas_core::verifier::{Check, Policy, StatusLists, TrustList, Verifier};

    let p = pki(&["pid.example"]);
    let holder = DeviceKey::generate().unwrap();
    let holder_jwk = EcJwk::from_public_key(&holder.public_key(), None).unwrap();
    let now = Timestamp::now().unix_seconds();
    let issue = |iss: &str, chain: Option<&CertificateChain>| {
        let mut header = Map::new();
        header.insert("typ".into(), "dc+sd-jwt".into());
        if let Some(c) = chain {
            header.insert("x5c".into(), c.to_x5c());
        }
        let claims = json!({
            "iss": iss, "vct": "urn:eudi:pid:1", "iat": now - 60,
            "cnf": {"jwk": holder_jwk.to_json()},
            "given_name": "Ada", "family_name": "Lovelace"
        });
        let issued = civitas_core::sdjwt::issue(
            &header,
            claims.as_object().unwrap(),
            &["/given_name".to_owned(), "/family_name".to_owned()],
            &p.leaf_key,
        )
        .unwrap();
        present(
            &SdJwt::parse(&issued).unwrap(),
            &["/given_name".to_owned()],
            Some((&holder, "https://desk.example", "n-1", now)),
        )
        .unwrap()
    };
    let trust_of = |root: &[u8]| {
        TrustList::from_toml(&format!(
            "[[issuer]]\nx509_ca = \"\"\"\n{}\"\"\"\nname = \"PID providers\"\ncredential_types = [\"urn:eudi:pid:1\"]\n",
            certificate_to_pem(root)
        ))
        .unwrap()
    };
    let verifier = Verifier::new(std::sync::Arc::new(JsonLdProcessor::default()));
    let verify = |presentation: &str, trust: TrustList| {
        let policy = Policy::new(trust)
            .challenge("n-1")
            .domain("https://desk.example");
        verifier.verify_sd_jwt(presentation, &policy, &StatusLists::new())
    };
    let proof_reason = |r: Result<_, civitas_core::verifier::Rejection>| -> String {
        let Err(rejection) = r else {
            panic!("accepted")
        };
        let f = rejection
            .failures()
            .iter()
            .find(|f| f.check == Check::Proof)
            .unwrap_or_else(|| panic!("{:?}", rejection.failures()));
        f.reason.clone()
    };

    let chain = p.chain();
    let good = issue("https://pid.example", Some(&chain));
    let accepted = verify(&good, trust_of(&p.root)).unwrap();
    assert_eq!(accepted.credentials().len(), 1);

    // Another CA.
    let stranger = pki(&["pid.example"]);
    let reason = proof_reason(verify(&good, trust_of(&stranger.root)));
    assert!(reason.contains("does not validate"), "{reason}");
    // A leaf that does not name the issuer.
    let other = issue("https://other.example", Some(&chain));
    let reason = proof_reason(verify(&other, trust_of(&p.root)));
    assert!(reason.contains("does not name the issuer"), "{reason}");
    // No x5c at all: no key of the trust list signed it.
    let bare = issue("https://pid.example", None);
    let reason = proof_reason(verify(&bare, trust_of(&p.root)));
    assert!(reason.contains("not signed by a key"), "{reason}");
    // A trust file whose x509_ca is not a certificate is refused when read.
    assert!(
        TrustList::from_toml(
            "[[issuer]]\nx509_ca = \"nope\"\nname = \"X\"\ncredential_types = [\"v\"]\n"
        )
        .is_err()
    );
}

/// HAIP: a status list token carries its own `x5c`; for an issuer trusted by its CA, the
/// token's chain must lead to the same CA (its leaf may be another key than the credential's).
#[test]
fn a_status_list_token_under_an_x5c_chain_is_checked_against_the_issuers_ca() {
    use civitas_core::jose::EcJwk;
    use civitas_core::jsonld::JsonLdProcessor;
    use civitas_core::sdjwt::status::{StatusRef, build_token_with_chain};
    use civitas_core::sdjwt::{SdJwt, present, vc};
    use civitas_core::verifier::{Check, Policy, StatusLists, TrustList, Verifier};

    const LIST: &str = "https://pid.example/status/1";
    let p = pki(&["pid.example"]);
    let holder = DeviceKey::generate().unwrap();
    let holder_jwk = EcJwk::from_public_key(&holder.public_key(), None).unwrap();
    let now = Timestamp::now().unix_seconds();
    let claims = json!({"given_name": "Ada"});
    let issued = vc::issue_with_chain(
        &vc::Issue {
            iss: "https://pid.example",
            vct: "urn:eudi:pid:1",
            claims: claims.as_object().unwrap(),
            plain: &[],
            holder: Some(&holder_jwk),
            status: Some(&StatusRef {
                uri: LIST.into(),
                idx: 2,
            }),
            iat: now - 60,
            exp: None,
        },
        Some(&p.chain()),
        &p.leaf_key,
    )
    .unwrap();
    let shown = present(
        &SdJwt::parse(&issued).unwrap(),
        &["/given_name".to_owned()],
        Some((&holder, "https://desk.example", "n-1", now)),
    )
    .unwrap();
    // A separate status signer certified by the same intermediate.
    let status_key = DeviceKey::generate().unwrap();
    let status_leaf = cert(
        "CN=PID Status",
        &status_key,
        CertificateKind::Leaf,
        &[],
        Some((&p.intermediate, &p.intermediate_key)),
    );
    let status_chain =
        CertificateChain::from_der(vec![status_leaf, p.intermediate.clone()]).unwrap();
    let token = |signer: &DeviceKey, chain: Option<&CertificateChain>, revoked: bool| {
        let mut statuses = vec![0u8; 16];
        if revoked {
            statuses[2] = 1;
        }
        build_token_with_chain(
            signer,
            chain,
            LIST,
            2,
            &statuses,
            (now - 10, Some(now + 3600), None),
        )
        .unwrap()
    };
    let trust = TrustList::from_toml(&format!(
        "[[issuer]]\nx509_ca = \"\"\"\n{}\"\"\"\nname = \"PID providers\"\ncredential_types = [\"urn:eudi:pid:1\"]\n",
        certificate_to_pem(&p.root)
    ))
    .unwrap();
    let verifier = Verifier::new(std::sync::Arc::new(JsonLdProcessor::default()));
    let status_failure = |jwt: &str| {
        let mut lists = StatusLists::new();
        lists.insert_token(jwt).unwrap();
        let policy = Policy::new(trust.clone())
            .challenge("n-1")
            .domain("https://desk.example");
        match verifier.verify_sd_jwt(&shown, &policy, &lists) {
            Ok(_) => None,
            Err(r) => Some(
                r.failures()
                    .iter()
                    .map(|f| {
                        assert_eq!(f.check, Check::Status, "{:?}", r.failures());
                        f.reason.clone()
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        }
    };
    // The status signer's token with its chain: valid, and revoked when the bit says so.
    assert_eq!(
        status_failure(&token(&status_key, Some(&status_chain), false)),
        None
    );
    let revoked = status_failure(&token(&status_key, Some(&status_chain), true)).unwrap();
    assert!(revoked.contains("revoked"), "{revoked}");
    // The issuer's own key, no x5c: valid too.
    assert_eq!(status_failure(&token(&p.leaf_key, None, false)), None);
    // The status signer without its chain, or with a chain of another CA: refused.
    let e = status_failure(&token(&status_key, None, false)).unwrap();
    assert!(e.contains("status list"), "{e}");
    let stranger = pki(&[]);
    let e = status_failure(&token(&stranger.leaf_key, Some(&stranger.chain()), false)).unwrap();
    assert!(e.contains("does not validate"), "{e}");
}
