//! The OpenID4VP flow in core, no HTTP: the desk signs a request, the wallet reads it,
//! evaluates its DCQL query, answers with an encrypted direct_post.jwt response of anonymous
//! bbs-2023 presentations, and the desk checks the response (§8.6). Replays, another
//! transaction's state, unasked answers, missing claims and plaintext answers are refused.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

use std::sync::Arc;

use civitas_core::bbs::{Ciphersuite, KeyPair, SecretKey};
use civitas_core::bbs2023::Bbs2023;
use civitas_core::bbs2023::Feature;
use civitas_core::ecdsa::DeviceKey;
use civitas_core::jose::EcPrivateJwk;
use civitas_core::jsonld::JsonLdProcessor;
use civitas_core::openid4vp::dcql::DcqlQuery;
use civitas_core::openid4vp::{AuthorizationRequest, sign_request_object};
use civitas_core::openid4vp::{Expected, check_vp_token, parse_response, response_accepted};
use civitas_core::verifier::{
    HolderBinding, Policy, StatusLists, TrustList, TrustedIssuer, Verifier,
};
use civitas_core::wallet::{CredentialStore, MemoryStore, Wallet};
use civitas_core::{CredentialIssuer, did};
use serde_json::{Map, Value, json};

const DEGREE_IRI: &str = "https://civitas.example/vocab#UniversityDegreeCredential";

fn jsonld() -> Arc<JsonLdProcessor> {
    let p = JsonLdProcessor::default();
    crate::common::register_diploma_context(&p);
    Arc::new(p)
}

struct Desk {
    key: DeviceKey,
    client_id: String,
    enc: EcPrivateJwk,
    policy: Policy,
    verifier: Verifier,
    jsonld: Arc<JsonLdProcessor>,
}

impl Desk {
    fn request(&self, nonce: &str, state: &str) -> (Map<String, Value>, String) {
        let params = json!({
            "client_id": self.client_id,
            "response_type": "vp_token",
            "response_mode": "direct_post.jwt",
            "response_uri": "https://desk.example/responses",
            "nonce": nonce,
            "state": state,
            "dcql_query": {"credentials": [{
                "id": "diploma", "format": "ldp_vc",
                "meta": {"type_values": [[DEGREE_IRI]]},
                "claims": [{"path": ["credentialSubject", "degree", "name"]}]
            }]},
            "client_metadata": {"jwks": {"keys": [self.enc.public().to_json()]}}
        })
        .as_object()
        .unwrap()
        .clone();
        let jwt = sign_request_object(&params, &self.key).unwrap();
        (params, jwt)
    }

    fn query(&self) -> DcqlQuery {
        let (params, _) = self.request("n", "s");
        DcqlQuery::parse(&params["dcql_query"]).unwrap()
    }

    fn check(&self, body: &str, nonce: &str, state: &str) -> Result<bool, String> {
        let query = self.query();
        let vp_token = parse_response(body, Some(state), Some(&self.enc), &query)
            .map_err(|e| e.to_string())?;
        let verdicts = check_vp_token(
            &self.verifier,
            &self.jsonld,
            &self.policy,
            &StatusLists::new(),
            &Expected {
                nonce,
                client_id: &self.client_id,
                query: &query,
                also_accepted: &[],
            },
            &vp_token,
        );
        Ok(response_accepted(&query, &verdicts))
    }
}

fn setup() -> (Desk, Wallet, CredentialIssuer) {
    let jsonld = jsonld();
    let pair = KeyPair::from_secret(
        SecretKey::key_gen(Ciphersuite::Bls12381Sha256, &[21u8; 32], b"", None).unwrap(),
    );
    let issuer = CredentialIssuer::new(Bbs2023::new(Arc::clone(&jsonld)), pair);
    let trust = TrustList::from_issuers(vec![TrustedIssuer {
        jwk: None,
        x509_ca: None,
        did: issuer.did().to_owned(),
        name: "University of Civitas".into(),
        credential_types: vec!["UniversityDegreeCredential".into()],
        status_list_signers: vec![],
        status_list_max_age: None,
    }]);
    let key = DeviceKey::generate().unwrap();
    let client_id = format!(
        "decentralized_identifier:{}",
        did::did_key(&key.public_key())
    );
    let desk = Desk {
        key,
        client_id,
        enc: EcPrivateJwk::generate(Some("enc".into())).unwrap(),
        policy: Policy::new(trust),
        verifier: Verifier::new(Arc::clone(&jsonld)),
        jsonld: Arc::clone(&jsonld),
    };
    let wallet = Wallet::new(
        Arc::new(MemoryStore::new()) as Arc<dyn CredentialStore>,
        Bbs2023::new(Arc::clone(&jsonld)),
    );
    // The wallet holds a diploma bound to its holder secret.
    let mut doc: Value = crate::common::diploma();
    doc["credentialSubject"]
        .as_object_mut()
        .unwrap()
        .remove("id");
    let req = wallet
        .credential_request(Feature::HolderBindingPseudonym, None)
        .unwrap();
    let signed = issuer.issue_bound(doc, None, &[], &req).unwrap();
    wallet.import(&signed.to_string()).unwrap();
    (desk, wallet, issuer)
}

fn form_value(body: &str, key: &str) -> String {
    civitas_core::openid4vp::parse_form(body).unwrap()[key]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn a_wallet_answers_a_desk_request_end_to_end() {
    let (desk, wallet, _) = setup();
    let (_, jwt) = desk.request("nonce-1-aaaaaaaaaaaaaaaa", "state-1");
    let request = AuthorizationRequest::from_request_object(&jwt, &desk.client_id).unwrap();
    let selections = wallet.dcql_select(&request.dcql_query, &[]).unwrap();
    assert_eq!(selections.len(), 1);
    assert_eq!(
        selections[0].credentials[0].pointers,
        vec!["/credentialSubject/degree/name".to_owned()]
    );
    let response = wallet.respond(&request, &selections).unwrap();
    assert_eq!(response.uri, "https://desk.example/responses");
    assert!(response.body.starts_with("response="), "encrypted");
    assert_eq!(
        desk.check(&response.body, "nonce-1-aaaaaaaaaaaaaaaa", "state-1"),
        Ok(true)
    );

    // The verdict carries the holder binding and the pseudonym at this client id.
    let query = desk.query();
    let vp_token =
        parse_response(&response.body, Some("state-1"), Some(&desk.enc), &query).unwrap();
    let verdicts = check_vp_token(
        &desk.verifier,
        &desk.jsonld,
        &desk.policy,
        &StatusLists::new(),
        &Expected {
            nonce: "nonce-1-aaaaaaaaaaaaaaaa",
            client_id: &desk.client_id,
            query: &query,
            also_accepted: &[],
        },
        &vp_token,
    );
    let vp = verdicts[0].result.as_ref().unwrap();
    assert_eq!(vp.credentials()[0].holder_binding(), HolderBinding::Secret);
    assert!(vp.credentials()[0].pseudonym().is_some());
    // The history records the client id as the domain.
    assert_eq!(
        wallet.history().unwrap()[0].domain.as_deref(),
        Some(desk.client_id.as_str())
    );

    // Replayed to another transaction (its own nonce and state): refused.
    assert_eq!(
        desk.check(&response.body, "nonce-2-bbbbbbbbbbbbbbbb", "state-1"),
        Ok(false)
    );
    assert!(
        desk.check(&response.body, "nonce-1-aaaaaaaaaaaaaaaa", "state-2")
            .is_err()
    );
}

#[test]
fn responses_the_desk_refuses() {
    let (desk, wallet, _) = setup();
    let (_, jwt) = desk.request("nonce-3-cccccccccccccccc", "state-3");
    let request = AuthorizationRequest::from_request_object(&jwt, &desk.client_id).unwrap();
    let mut selections = wallet.dcql_select(&request.dcql_query, &[]).unwrap();

    // The requested claim withheld: valid presentation, query not met.
    selections[0].credentials[0].pointers.clear();
    let withheld = wallet.respond(&request, &selections).unwrap();
    assert_eq!(
        desk.check(&withheld.body, "nonce-3-cccccccccccccccc", "state-3"),
        Ok(false)
    );

    // More than was asked: the birth date too. The wallet would never do this on its own;
    // a desk still refuses it, naming the claim.
    let mut more = wallet.dcql_select(&request.dcql_query, &[]).unwrap();
    more[0].credentials[0]
        .pointers
        .push("/credentialSubject/birthDate".into());
    let over = wallet.respond(&request, &more).unwrap();
    assert_eq!(
        desk.check(&over.body, "nonce-3-cccccccccccccccc", "state-3"),
        Ok(false)
    );
    let query = desk.query();
    let token = parse_response(&over.body, Some("state-3"), Some(&desk.enc), &query).unwrap();
    let expected = Expected {
        nonce: "nonce-3-cccccccccccccccc",
        client_id: &desk.client_id,
        query: &query,
        also_accepted: &[],
    };
    let verdicts = check_vp_token(
        &desk.verifier,
        &desk.jsonld,
        &desk.policy,
        &StatusLists::new(),
        &expected,
        &token,
    );
    assert!(verdicts[0].result.is_ok(), "the proof itself is fine");
    assert_eq!(
        verdicts[0].unmet,
        vec!["claim /credentialSubject/birthDate is disclosed but was not asked for".to_owned()]
    );
    // A desk that accepts the birth date (say its issuers make it mandatory) takes it.
    let accepted = ["/credentialSubject/birthDate".to_owned()];
    let verdicts = check_vp_token(
        &desk.verifier,
        &desk.jsonld,
        &desk.policy,
        &StatusLists::new(),
        &Expected {
            also_accepted: &accepted,
            ..expected
        },
        &token,
    );
    assert!(
        response_accepted(&query, &verdicts),
        "{:?}",
        verdicts[0].unmet
    );

    // A plaintext answer where an encrypted one was asked for.
    let decrypted =
        civitas_core::jose::jwe::decrypt(&form_value(&withheld.body, "response"), &desk.enc)
            .unwrap();
    let payload: Value = serde_json::from_slice(decrypted.plaintext()).unwrap();
    let plain = format!(
        "vp_token={}&state=state-3",
        civitas_core::openid4vp::form_encode(&payload["vp_token"].to_string())
    );
    assert!(
        desk.check(&plain, "nonce-3-cccccccccccccccc", "state-3")
            .is_err()
    );

    // An answer to a query that was not asked, and an empty answer.
    let query = desk.query();
    for token in [
        json!({"passport": [{}]}),
        json!({"diploma": []}),
        json!({"diploma": [{}, {}]}),
        json!([]),
    ] {
        let jwe = civitas_core::jose::jwe::encrypt(
            json!({"vp_token": token, "state": "state-3"})
                .to_string()
                .as_bytes(),
            &desk.enc.public(),
            civitas_core::jose::jwe::Enc::A128Gcm,
            &Map::new(),
        )
        .unwrap();
        let body = format!("response={}", civitas_core::openid4vp::form_encode(&jwe));
        assert!(
            parse_response(&body, Some("state-3"), Some(&desk.enc), &query).is_err(),
            "{token}"
        );
    }

    // A response encrypted to another key.
    let other = EcPrivateJwk::generate(None).unwrap();
    assert!(parse_response(&withheld.body, Some("state-3"), Some(&other), &query).is_err());

    // A wallet with nothing that matches: Unsatisfiable.
    let empty = Wallet::new(
        Arc::new(MemoryStore::new()) as Arc<dyn CredentialStore>,
        Bbs2023::new(jsonld()),
    );
    assert!(empty.dcql_select(&request.dcql_query, &[]).is_err());
}

#[test]
fn a_wallet_answers_a_pid_query_with_an_sd_jwt_vc() {
    use civitas_core::jose::EcJwk;
    use civitas_core::sdjwt::vc;
    let jsonld = jsonld();
    let pid = DeviceKey::generate().unwrap();
    let phone = DeviceKey::generate().unwrap();
    let iss = did::did_key(&pid.public_key());
    let issued = vc::issue(
        &vc::Issue {
            iss: &iss,
            vct: "urn:eudi:pid:1",
            claims:
                json!({"given_name": "Ada", "family_name": "Lovelace", "birthdate": "1990-12-10"})
                    .as_object()
                    .unwrap(),
            plain: &[],
            holder: Some(&EcJwk::from_public_key(&phone.public_key(), None).unwrap()),
            status: None,
            iat: 1_700_000_000,
            exp: None,
        },
        &pid,
    )
    .unwrap();
    let wallet = Wallet::new(
        Arc::new(MemoryStore::new()) as Arc<dyn CredentialStore>,
        Bbs2023::new(Arc::clone(&jsonld)),
    );
    wallet
        .import_sd_jwt_vc(&issued, None, &phone.public_key())
        .unwrap();
    let key = DeviceKey::generate().unwrap();
    let client_id = format!(
        "decentralized_identifier:{}",
        did::did_key(&key.public_key())
    );
    let enc = EcPrivateJwk::generate(Some("enc".into())).unwrap();
    let dcql = json!({"credentials": [{
        "id": "pid", "format": "dc+sd-jwt",
        "meta": {"vct_values": ["urn:eudi:pid:1"]},
        "claims": [{"path": ["given_name"]}, {"path": ["family_name"]}]
    }]});
    let params = json!({
        "client_id": client_id,
        "response_type": "vp_token",
        "response_mode": "direct_post.jwt",
        "response_uri": "https://desk.example/responses",
        "nonce": "nonce-pid-aaaaaaaaaaaaaaaa",
        "state": "state-pid",
        "dcql_query": dcql,
        "client_metadata": {"jwks": {"keys": [enc.public().to_json()]}}
    })
    .as_object()
    .unwrap()
    .clone();
    let jwt = sign_request_object(&params, &key).unwrap();
    let request = AuthorizationRequest::from_request_object(&jwt, &client_id).unwrap();
    let selections = wallet.dcql_select(&request.dcql_query, &[]).unwrap();
    assert_eq!(
        selections[0].credentials[0].pointers,
        vec!["/given_name".to_owned(), "/family_name".to_owned()]
    );
    // The consent screen: the names shown, the birth date kept.
    let consent = wallet.dcql_consent(&request, &selections).unwrap();
    let shown: Vec<&str> = consent[0]
        .summary
        .disclosed
        .iter()
        .map(|d| d.pointer.as_str())
        .collect();
    assert!(
        shown.contains(&"/given_name") && shown.contains(&"/family_name"),
        "{shown:?}"
    );
    assert!(consent[0].summary.hidden.contains(&"/birthdate".to_owned()));
    assert!(
        wallet.respond(&request, &selections).is_err(),
        "needs the holder key"
    );
    let response = wallet
        .respond_with(&request, &selections, Some(&phone))
        .unwrap();
    // The desk's checks.
    let query = DcqlQuery::parse(&params["dcql_query"]).unwrap();
    let vp_token = parse_response(&response.body, Some("state-pid"), Some(&enc), &query).unwrap();
    let trust = TrustList::from_issuers(vec![TrustedIssuer {
        jwk: None,
        x509_ca: None,
        did: iss,
        name: "PID Provider".into(),
        credential_types: vec!["urn:eudi:pid:1".into()],
        status_list_signers: vec![],
        status_list_max_age: None,
    }]);
    let verdicts = check_vp_token(
        &Verifier::new(Arc::clone(&jsonld)),
        &jsonld,
        &Policy::new(trust),
        &StatusLists::new(),
        &Expected {
            nonce: "nonce-pid-aaaaaaaaaaaaaaaa",
            client_id: &client_id,
            query: &query,
            also_accepted: &[],
        },
        &vp_token,
    );
    assert!(response_accepted(&query, &verdicts), "{verdicts:?}");
    let vp = verdicts[0].result.as_ref().unwrap();
    assert_eq!(vp.credentials()[0].holder_binding(), HolderBinding::Key);
    assert!(vp.credentials()[0].document().get("birthdate").is_none());
}
