//! The issuer role of `civitas serve` (OpenID4VCI 1.0, Pre-Authorized Code Flow) over HTTP on
//! loopback: the demo university's class from CSV to offers, redeemed by the CLI wallet and
//! presented at the desk; PINs, replays and restarts; the endpoints fed bad input.

use std::path::Path;

use civitas_core::ecdsa::DeviceKey;
use civitas_core::openid4vci::{CredentialOffer, OfferInvocation};
use civitas_core::openid4vci::{Proofs, credential_request_json, jwt_proof};
use serde_json::{Value, json};

use super::serve::Server;
use super::support::{Run, Scratch, context, respond, run, text};

pub(super) fn port(server: &Server) -> String {
    server.base.rsplit(':').next().unwrap().to_owned()
}

pub(super) fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap().trim().to_owned()
}

fn accept(wallet: &Path, pin: &str, offer: &str, extra: &[&str]) -> Run {
    // The demo university's JSON-LD context, which a fresh wallet is given at its first accept.
    let context = context(&wallet.with_extension("").join("contexts/diploma-v1.jsonld"));
    let mut args = vec!["--context", &context, "holder", "accept", "--wallet"];
    let w = text(wallet);
    args.push(&w);
    args.extend_from_slice(&["--pin", pin]);
    args.extend_from_slice(extra);
    args.push(offer);
    run(&args)
}

pub(super) fn now() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

#[test]
fn a_class_gets_its_diplomas_over_openid4vci_and_presents_them_at_the_desk() {
    let d = Scratch::new("issuer-demo");
    let offers = d.dir().with_extension("offers");
    let _ = std::fs::remove_dir_all(&offers);
    let server = Server::demo(d.dir());
    let config = d.path("config.toml");
    let made = run(&[
        "offers",
        "--config",
        &text(&config),
        "--csv",
        &d.arg("graduates.csv"),
        "--out-dir",
        &text(&offers),
        "--port",
        &port(&server),
    ]);
    assert_eq!(made.code, 0, "{}{}", made.stdout, made.stderr);
    assert!(made.stdout.contains("made 3 offers"), "{}", made.stdout);

    // Each row: a link, a six-digit PIN (owner-only) and a QR code of the link.
    let link = read(&offers.join("S-2021-0042.offer"));
    let pin = read(&offers.join("S-2021-0042.pin"));
    assert!(link.starts_with("openid-credential-offer://?credential_offer_uri="));
    assert!(
        pin.len() == 6 && pin.bytes().all(|b| b.is_ascii_digit()),
        "{pin}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(offers.join("S-2021-0042.pin"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the PIN file is owner-only");
    }
    assert_eq!(
        civitas_cli::qr::decode_image(&offers.join("S-2021-0042.png")).unwrap(),
        link
    );
    // A rerun makes no second offer for the same rows.
    let again = run(&[
        "offers",
        "--config",
        &text(&config),
        "--csv",
        &d.arg("graduates.csv"),
        "--out-dir",
        &text(&offers),
        "--port",
        &port(&server),
    ]);
    assert!(
        again.stdout.contains("skipped 3 that had one"),
        "{}",
        again.stdout
    );

    // The metadata shows the diploma.
    let metadata = server.json("/.well-known/openid-credential-issuer", None);
    assert_eq!(metadata["credential_issuer"], server.base.as_str());
    let diploma = &metadata["credential_configurations_supported"]["diploma"];
    assert_eq!(diploma["format"], "ldp_vc");
    assert_eq!(
        diploma["credential_metadata"]["display"][0]["name"],
        "University diploma"
    );
    assert!(diploma["proof_types_supported"]["x-civitas-bbs-2023-commitment"].is_object());
    let server_metadata = server.json("/.well-known/oauth-authorization-server", None);
    assert_eq!(
        server_metadata["pre-authorized_grant_anonymous_access_supported"],
        true
    );

    // A fresh wallet redeems Ada's offer: a diploma bound to its secrets.
    let wallet = d.dir().with_extension("wallet");
    let _ = std::fs::remove_dir_all(&wallet);
    assert_eq!(run(&["holder", "init", "--wallet", &text(&wallet)]).code, 0);
    // Asking for more than batch_size is refused before the PIN is spent: the offer stays.
    let too_many = accept(&wallet, &pin, &link, &["--count", "9"]);
    assert_eq!(too_many.code, 2, "{}", too_many.stderr);
    assert!(
        too_many.stderr.contains("1 to 4 credentials"),
        "{}",
        too_many.stderr
    );
    let got = accept(&wallet, &pin, &link, &[]);
    assert_eq!(got.code, 0, "{}{}", got.stdout, got.stderr);
    assert!(
        got.stdout.contains("(holder_binding_pseudonym)"),
        "{}",
        got.stdout
    );
    assert!(
        got.stderr.contains("University of Civitas"),
        "{}",
        got.stderr
    );
    // The offer is used up.
    let twice = accept(&wallet, &pin, &link, &[]);
    assert_eq!(twice.code, 1, "{}", twice.stderr);

    // The diploma is accepted at the desk.
    let (id, url) = server.check("diploma", None);
    let answered = respond(&wallet, &url, &[]);
    assert_eq!(answered.code, 0, "{}{}", answered.stdout, answered.stderr);
    let status = server.json(&format!("/desk/checks/{id}"), None);
    assert_eq!(status["state"], "valid", "{status}");
    assert_eq!(
        status["result"]["credentials"][0]["claims"]["/credentialSubject/degree/name"],
        "MSc Computer Science",
        "{status}"
    );

    // The university finds what it issued to the row, and revokes it: the desk then refuses.
    let issued = run(&[
        "offers",
        "--config",
        &text(&config),
        "--issued",
        "S-2021-0042",
    ]);
    assert_eq!(issued.code, 0, "{}", issued.stderr);
    let revoke_line = issued
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("civitas status revoke"))
        .unwrap_or_else(|| panic!("{}", issued.stdout));
    let index = revoke_line.rsplit(' ').next().unwrap().to_owned();
    let revoked = run(&[
        "status",
        "revoke",
        "--key",
        &d.arg("university-status.key"),
        "--list",
        &d.arg("status/revocation.json"),
        "--index",
        &index,
    ]);
    assert_eq!(revoked.code, 0, "{}", revoked.stderr);
    let (id, url) = server.check("diploma", None);
    let answered = respond(&wallet, &url, &[]);
    assert_eq!(answered.code, 1, "{}{}", answered.stdout, answered.stderr);
    let status = server.json(&format!("/desk/checks/{id}"), None);
    assert_eq!(status["state"], "invalid", "{status}");
    assert!(status.to_string().contains("revoked"), "{status}");
    assert_eq!(
        run(&["offers", "--config", &text(&config), "--issued", "nobody"]).code,
        1
    );

    // What was recorded: the row, the status index; no name, no birth date.
    let issued: Vec<_> = std::fs::read_dir(d.path("issuer-state/issued"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(issued.len(), 1);
    let record = std::fs::read_to_string(issued[0].path()).unwrap();
    assert!(record.contains("S-2021-0042") && record.contains("status_indexes"));
    assert!(
        !record.contains("Lovelace") && !record.contains("1990-12-10"),
        "{record}"
    );
    // The redeemed offer no longer holds the row's values.
    let offers_dir = d.path("issuer-state/offers");
    let redeemed = std::fs::read_dir(&offers_dir)
        .unwrap()
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .find(|t| t.contains("\"redeemed\""))
        .unwrap();
    assert!(!redeemed.contains("Lovelace"), "{redeemed}");

    // Five wrong PINs lock Alan's offer; then even the right one is refused.
    let alan = read(&offers.join("S-2021-0077.offer"));
    let alan_pin = read(&offers.join("S-2021-0077.pin"));
    let wrong = if alan_pin == "000000" {
        "111111"
    } else {
        "000000"
    };
    for left in (0..5).rev() {
        let r = accept(&wallet, wrong, &alan, &[]);
        assert_eq!(r.code, 1);
        if left > 0 {
            assert!(
                r.stderr.contains(&format!("{left} attempts left")),
                "{}",
                r.stderr
            );
        } else {
            assert!(r.stderr.contains("locked"), "{}", r.stderr);
        }
    }
    assert_eq!(accept(&wallet, &alan_pin, &alan, &[]).code, 1);

    // Offers survive a restart: Grace redeems hers from the restarted server, identified.
    let old_base = server.base.clone();
    drop(server);
    let server = Server::demo(d.dir());
    let grace = read(&offers.join("S-2021-0101.offer"));
    let OfferInvocation::ByReference(uri) = OfferInvocation::parse(&grace).unwrap() else {
        panic!("by reference")
    };
    // The test's server listens on a new free port: point the link at it (a real issuer
    // keeps its address; what must survive is the offer's state behind the code).
    let uri = uri.replacen(&old_base, &server.base, 1);
    let got = accept(
        &wallet,
        &read(&offers.join("S-2021-0101.pin")),
        &civitas_core::openid4vci::offer_uri_url(&uri),
        &["--identified", "--holder-key", &d.arg("desk.key")],
    );
    assert_eq!(got.code, 0, "{}{}", got.stdout, got.stderr);
    assert!(got.stdout.contains("(baseline)"), "{}", got.stdout);
    drop(server);
    let _ = std::fs::remove_dir_all(&offers);
    let _ = std::fs::remove_dir_all(&wallet);
}

/// A fresh offer made through the admin endpoint: the offer and its PIN.
fn admin_offer(server: &Server, d: &Scratch, row: &str) -> (CredentialOffer, String) {
    let token = read(&d.path("issuer-admin.token"));
    let values = json!({"student_number": row, "given_name": "Ada", "family_name": "Lovelace",
        "birth_date": "1990-12-10", "degree": "MSc Computer Science", "field": "Computer Science",
        "awarded_on": "2026-06-30"});
    let (status, body) = server.post(
        "/issuer/offers",
        "application/json",
        json!({"configuration": "diploma", "by_value": true, "rows": [{"id": row, "values": values}]})
            .to_string()
            .as_bytes(),
        Some(&token),
    );
    assert_eq!(status, 201, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    let link = v["offers"][0]["offer"].as_str().unwrap();
    let OfferInvocation::ByValue(offer) = OfferInvocation::parse(link).unwrap() else {
        panic!("by value")
    };
    (offer, v["offers"][0]["pin"].as_str().unwrap().to_owned())
}

pub(super) fn token(server: &Server, offer: &CredentialOffer, pin: &str) -> String {
    let form = civitas_core::openid4vci::token_request_form(offer, Some(pin)).unwrap();
    let (status, body) = server.post(
        "/openid4vci/token",
        "application/x-www-form-urlencoded",
        form.as_bytes(),
        None,
    );
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    v["access_token"].as_str().unwrap().to_owned()
}

pub(super) fn nonce(server: &Server) -> String {
    let (status, body) = server.post("/openid4vci/nonce", "application/json", b"", None);
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    v["c_nonce"].as_str().unwrap().to_owned()
}

pub(super) fn error_of(answer: &(u16, String)) -> (u16, String) {
    let v: Value = serde_json::from_str(&answer.1).unwrap_or(Value::Null);
    (answer.0, v["error"].as_str().unwrap_or("").to_owned())
}

#[test]
fn the_issuer_endpoints_answer_bad_input_with_the_spec_errors_and_issue_nothing() {
    let d = Scratch::new("issuer-bad");
    let server = Server::demo(d.dir());
    let form = "application/x-www-form-urlencoded";
    let (offer, pin) = admin_offer(&server, &d, "bad-1");

    // The token endpoint.
    let grant = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Apre-authorized_code";
    for (body, status, code) in [
        (
            format!("{grant}&pre-authorized_code=unknown&tx_code=123456"),
            400,
            "invalid_grant",
        ),
        (
            format!("{grant}&pre-authorized_code={}", offer.pre_authorized_code),
            400,
            "invalid_request",
        ),
        (
            "grant_type=authorization_code&code=x".to_owned(),
            400,
            "unsupported_grant_type",
        ),
        (grant.to_owned(), 400, "invalid_request"),
        ("%zz".to_owned(), 400, "invalid_request"),
    ] {
        let answer = server.post("/openid4vci/token", form, body.as_bytes(), None);
        assert_eq!(
            error_of(&answer),
            (status, code.to_owned()),
            "{body}: {}",
            answer.1
        );
    }
    let access = token(&server, &offer, &pin);
    // The code is single use.
    let reuse = civitas_core::openid4vci::token_request_form(&offer, Some(&pin)).unwrap();
    let answer = server.post("/openid4vci/token", form, reuse.as_bytes(), None);
    assert_eq!(error_of(&answer), (400, "invalid_grant".into()));

    // The credential endpoint.
    let key = DeviceKey::generate().unwrap();
    let issuer = server.base.clone();
    let good_nonce = nonce(&server);
    let request =
        |proof: String| credential_request_json("diploma", &Proofs::Jwt(vec![proof])).to_string();
    let post = |body: &str, bearer: Option<&str>| {
        server.post(
            "/openid4vci/credential",
            "application/json",
            body.as_bytes(),
            bearer,
        )
    };
    let valid = request(jwt_proof(&key, &issuer, Some(&good_nonce), now()).unwrap());
    assert_eq!(error_of(&post(&valid, None)), (401, "invalid_token".into()));
    assert_eq!(
        error_of(&post(&valid, Some("nope.nope"))),
        (401, "invalid_token".into())
    );
    let other = DeviceKey::generate().unwrap();
    let p256_bbs = server.post(
        "/openid4vci/credential",
        "application/json",
        b"{not json",
        Some(&access),
    );
    assert_eq!(
        error_of(&p256_bbs),
        (400, "invalid_credential_request".into())
    );
    let nonce_of_another_server = "AAAAAGlb4gAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    for (body, code) in [
        (request(jwt_proof(&key, &issuer, Some(nonce_of_another_server), now()).unwrap()), "invalid_nonce"),
        (request(jwt_proof(&key, &issuer, None, now()).unwrap()), "invalid_proof"),
        (request(jwt_proof(&key, "https://another-issuer.example", Some(&good_nonce), now()).unwrap()), "invalid_proof"),
        (request(jwt_proof(&key, &issuer, Some(&good_nonce), now() - 7200).unwrap()), "invalid_proof"),
        (json!({"credential_configuration_id": "diploma", "proofs": {"x-civitas-bbs-2023-commitment": [{"type": "CivitasCredentialRequest", "version": 1, "feature": "anonymous_holder_binding", "commitmentWithProof": "uAAAA"}]}}).to_string(), "invalid_proof"),
        (json!({"credential_configuration_id": "unknown", "proofs": {"jwt": ["x"]}}).to_string(), "unknown_credential_configuration"),
        (json!({"credential_identifier": "x", "proofs": {"jwt": ["x"]}}).to_string(), "unknown_credential_identifier"),
        (credential_request_json("diploma", &Proofs::Jwt(vec![
            jwt_proof(&key, &issuer, Some(&good_nonce), now()).unwrap(),
            jwt_proof(&other, &issuer, Some(&good_nonce), now()).unwrap(),
            jwt_proof(&DeviceKey::generate().unwrap(), &issuer, Some(&good_nonce), now()).unwrap(),
            jwt_proof(&DeviceKey::generate().unwrap(), &issuer, Some(&good_nonce), now()).unwrap(),
            jwt_proof(&DeviceKey::generate().unwrap(), &issuer, Some(&good_nonce), now()).unwrap(),
        ])).to_string(), "invalid_proof"),
    ] {
        let answer = post(&body, Some(&access));
        assert_eq!(error_of(&answer), (400, code.to_owned()), "{body}: {}", answer.1);
    }
    // A body far too large is refused, not a 500.
    let huge = vec![b' '; 2 * 1024 * 1024];
    let answer = server.post(
        "/openid4vci/credential",
        "application/json",
        &huge,
        Some(&access),
    );
    assert!(
        answer.0 == 0 || (400..500).contains(&answer.0),
        "{answer:?}"
    );

    // Nothing was issued or consumed by the refusals: the valid request still works, once.
    assert_eq!(
        std::fs::read_dir(d.path("issuer-state/issued"))
            .unwrap()
            .count(),
        0
    );
    let answer = post(&valid, Some(&access));
    assert_eq!(answer.0, 200, "{}", answer.1);
    let v: Value = serde_json::from_str(&answer.1).unwrap();
    let did = civitas_core::did::did_key(&civitas_core::ecdsa::Signer::public_key(&key));
    assert_eq!(
        v["credentials"][0]["credential"]["credentialSubject"]["id"],
        did.as_str()
    );
    assert_eq!(
        error_of(&post(&valid, Some(&access))),
        (401, "invalid_token".into())
    );

    // The nonce that was used cannot be used again, with a new offer's token.
    let (offer2, pin2) = admin_offer(&server, &d, "bad-2");
    let access2 = token(&server, &offer2, &pin2);
    let answer = post(&valid, Some(&access2));
    assert_eq!(
        error_of(&answer),
        (400, "invalid_nonce".into()),
        "{}",
        answer.1
    );

    // An expired offer is refused at the token endpoint (its expiry set in the past here).
    let (offer3, pin3) = admin_offer(&server, &d, "bad-3");
    let file = std::fs::read_dir(d.path("issuer-state/offers"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| std::fs::read_to_string(p).unwrap().contains("\"bad-3\""))
        .unwrap();
    let mut record: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    record["expires_at"] = json!(1);
    std::fs::write(&file, record.to_string()).unwrap();
    let form3 = civitas_core::openid4vci::token_request_form(&offer3, Some(&pin3)).unwrap();
    let answer = server.post("/openid4vci/token", form, form3.as_bytes(), None);
    assert_eq!(
        error_of(&answer),
        (400, "invalid_grant".into()),
        "{}",
        answer.1
    );
    let path = format!("/openid4vci/offers/{}", offer3.pre_authorized_code);
    assert_eq!(server.get(&path, None).0, 404);

    // Unknown offers by reference are 404; the admin endpoint checks rows.
    assert_eq!(server.get("/openid4vci/offers/unknown", None).0, 404);
    let admin = read(&d.path("issuer-admin.token"));
    let rows = br#"{"configuration": "diploma", "rows": [{"id": "x", "values": {}}]}"#;
    let (status, body) = server.post("/issuer/offers", "application/json", rows, Some(&admin));
    assert_eq!(status, 400, "{body}");
    // Issuing needs the admin token, even on loopback.
    for token in [None, Some("not-the-admin-token-at-all")] {
        let (status, body) = server.post("/issuer/offers", "application/json", rows, token);
        assert_eq!(status, 401, "{body}");
        let (status, _) = server.post("/credentials/issue", "application/json", b"{}", token);
        assert_eq!(status, 401);
    }
    assert!(
        body.contains("given_name") || body.contains("a non-empty string"),
        "{body}"
    );
}

#[test]
fn the_vc_api_issues_and_derives_what_the_w3c_suite_sends_and_refuses_the_rest() {
    let d = Scratch::new("issuer-vcapi");
    let server = Server::demo(d.dir());
    let licence = |version: &str| {
        let (context, dates) = if version == "2.0" {
            (
                "https://www.w3.org/ns/credentials/v2",
                json!({"validFrom": "2026-01-01T00:00:00Z"}),
            )
        } else {
            (
                "https://www.w3.org/2018/credentials/v1",
                json!({"issuanceDate": "2026-01-01T00:00:00Z"}),
            )
        };
        let mut doc = json!({
            "@context": [context, "https://w3id.org/vdl/v1"],
            "type": ["VerifiableCredential", "Iso18013DriversLicenseCredential"],
            "issuer": {"id": "did:example:dmv", "name": "Utopia Department of Motor Vehicles"},
            "credentialSubject": {
                "type": "LicensedDriver",
                "driversLicense": {
                    "type": "Iso18013DriversLicense",
                    "issuing_country": "UA",
                    "document_number": "542426814",
                    "family_name": "TURNER",
                    "given_name": "SUSAN"
                }
            }
        });
        for (k, v) in dates.as_object().unwrap() {
            doc[k] = v.clone();
        }
        doc
    };
    let admin = read(&d.path("issuer-admin.token"));
    let issue = |credential: Value, mandatory: Value| {
        server.post(
            "/credentials/issue",
            "application/json",
            json!({"credential": credential, "options": {"mandatoryPointers": mandatory}})
                .to_string()
                .as_bytes(),
            Some(&admin),
        )
    };
    let mut signed = Vec::new();
    for version in ["2.0", "1.1"] {
        let (status, body) = issue(
            licence(version),
            json!(["/credentialSubject/driversLicense/issuing_country"]),
        );
        assert_eq!(status, 201, "VC {version}: {body}");
        let vc: Value = serde_json::from_str(&body).unwrap();
        let vc = vc["verifiableCredential"].clone();
        assert_eq!(vc["proof"]["cryptosuite"], "bbs-2023", "{vc}");
        assert!(
            vc["issuer"]["id"]
                .as_str()
                .unwrap()
                .starts_with("did:key:zUC7"),
            "{vc}"
        );
        signed.push(vc);
    }
    // An undefined term, no credentialSubject, a malformed body: refused, never a 500.
    let mut undefined = licence("2.0");
    undefined["credentialSubject"]["favouriteColour"] = json!("blue");
    let (status, body) = issue(undefined, json!([]));
    assert_eq!(status, 422, "{body}");
    // A status entry in the list whose indexes the issuer assigns itself: refused.
    let mut ours = licence("2.0");
    ours["credentialStatus"] = json!({"type": "BitstringStatusListEntry", "statusPurpose": "revocation",
        "statusListIndex": "5", "statusListCredential": "https://university.example/status/revocation/1"});
    let (status, body) = issue(ours, json!([]));
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("assigns itself"), "{body}");
    let mut no_subject = licence("2.0");
    no_subject
        .as_object_mut()
        .unwrap()
        .remove("credentialSubject");
    let (status, body) = issue(no_subject, json!([]));
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        server
            .post("/credentials/issue", "application/json", b"{", Some(&admin))
            .0,
        400
    );
    assert_eq!(issue(licence("2.0"), json!(["not a pointer"])).0, 400);

    // Derive: the selected claim and the mandatory ones, nothing else.
    let (status, body) = server.post(
        "/credentials/derive",
        "application/json",
        json!({"verifiableCredential": signed[0], "options": {
            "selectivePointers": ["/credentialSubject/driversLicense/family_name"],
            "presentationHeader": "6e6f6e6365"}})
        .to_string()
        .as_bytes(),
        None,
    );
    assert_eq!(status, 201, "{body}");
    let derived: Value = serde_json::from_str(&body).unwrap();
    let licence_shown = &derived["verifiableCredential"]["credentialSubject"]["driversLicense"];
    assert_eq!(licence_shown["family_name"], "TURNER", "{derived}");
    assert_eq!(licence_shown["issuing_country"], "UA", "{derived}");
    assert!(licence_shown.get("given_name").is_none(), "{derived}");
    let (status, _) = server.post(
        "/credentials/derive",
        "application/json",
        json!({"verifiableCredential": signed[0], "options": {"presentationHeader": "zz"}})
            .to_string()
            .as_bytes(),
        None,
    );
    assert_eq!(status, 400);
}
