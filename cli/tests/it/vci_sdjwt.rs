//! SD-JWT VCs over OpenID4VCI (`format: dc+sd-jwt`, Appendix A.3) from `civitas serve`: the
//! configuration's metadata and `/.well-known/jwt-vc-issuer`, offers made from CSV with
//! `civitas offers`, redeemed by `civitas holder accept --holder-key`, presented from the
//! wallet and with `civitas present`, accepted by `civitas verify` with a `jwk` trust entry,
//! refused once `civitas status revoke` revokes its index; a batch of two over HTTP, each
//! with its own key and status index; bad proofs refused with the spec's codes.

use std::path::Path;
use std::sync::Arc;

use civitas_core::ecdsa::DeviceKey;
use civitas_core::jose::EcJwk;
use civitas_core::openid4vci::{CredentialOffer, OfferInvocation};
use civitas_core::openid4vci::{Proofs, credential_request_json, jwt_proof, jwt_proof_jwk};
use civitas_core::sdjwt::SdJwt;
use serde_json::{Value, json};

use super::issuer::{error_of, nonce, now, port, read, token};
use super::serve::Server;
use super::support::{Run, Scratch, run, text};

const VCT: &str = "https://university.example/credentials/student";
const LIST: &str = "https://university.example/status/students.jwt";

/// The device key in a `civitas keygen --alg p256` file.
fn device_key(path: &Path) -> DeviceKey {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let secret =
        civitas_core::keys::SecretKey::from_multibase(v["secretKeyMultibase"].as_str().unwrap())
            .unwrap();
    DeviceKey::from_secret_key(&secret).unwrap()
}

fn jwk_of(key: &DeviceKey) -> EcJwk {
    EcJwk::from_public_key(&civitas_core::ecdsa::Signer::public_key(key), None).unwrap()
}

/// `civitas verify --format json` of a presentation for challenge `c1` at the test desk.
fn verify(d: &Scratch, presentation: &str) -> (i32, Value) {
    let r = run(&[
        "verify",
        "--trust",
        &d.arg("trust.toml"),
        "--status-dir",
        &d.arg("status"),
        "--challenge",
        "c1",
        "--domain",
        "https://desk.example",
        "--format",
        "json",
        presentation,
    ]);
    (
        r.code,
        serde_json::from_str(&r.stdout).unwrap_or_else(|_| panic!("{}\n{}", r.stdout, r.stderr)),
    )
}

fn accept(d: &Scratch, pin: &str, link: &str, extra: &[&str]) -> Run {
    let wallet = d.arg("wallet");
    let mut args = vec!["holder", "accept", "--wallet", &wallet, "--pin", pin];
    args.extend_from_slice(extra);
    args.push(link);
    run(&args)
}

#[test]
fn an_sd_jwt_vc_is_offered_accepted_presented_verified_and_revoked() {
    let d = Scratch::new("vci-sdjwt");
    std::fs::create_dir_all(d.path("status")).unwrap();
    d.ok(&["keygen", "--alg", "bbs", "-o", &d.arg("university.key")]);
    for k in [
        "desk.key",
        "issuer-p256.key",
        "phone.key",
        "other-phone.key",
    ] {
        d.ok(&["keygen", "--alg", "p256", "-o", &d.arg(k)]);
    }
    d.ok(&[
        "status",
        "create",
        "--format",
        "token",
        "--key",
        &d.arg("issuer-p256.key"),
        "--id",
        LIST,
        "-o",
        &d.arg("status/students.jwt"),
    ]);
    let issuer_key = device_key(&d.path("issuer-p256.key"));
    let issuer_jwk = jwk_of(&issuer_key).to_json();
    let jwk_toml = |j: &Value| {
        format!(
            "{{ kty = \"EC\", crv = \"P-256\", x = \"{}\", y = \"{}\" }}",
            j["x"].as_str().unwrap(),
            j["y"].as_str().unwrap()
        )
    };
    d.write(
        "trust.toml",
        &format!(
            "[[issuer]]\njwk = {}\nname = \"University of Civitas\"\ncredential_types = [\"{VCT}\"]\n",
            jwk_toml(&issuer_jwk)
        ),
    );
    d.write("issuer.jwk.json", &issuer_jwk.to_string());
    d.write(
        "student.json",
        r#"{"given_name": "{{given_name}}", "family_name": "{{family_name}}", "student_id": "{{id}}", "address": {"locality": "{{city}}", "country": "EU"}}"#,
    );
    d.write(
        "students.csv",
        "id,given_name,family_name,city\nS-1,Ada,Lovelace,Civitas\nS-2,Alan,Turing,Bletchley\nS-3,Grace,Hopper,Arlington\nS-4,Edsger,Dijkstra,Nuenen\n",
    );
    d.write("admin.token", "an-admin-token-of-some-length\n");
    d.write(
        "config.toml",
        r#"key = "desk.key"
trust = "trust.toml"

[issuer]
key = "university.key"
state_dir = "issuer-state"
name = "University of Civitas"
batch_size = 2
admin_token_file = "admin.token"

[[issuer.credential]]
id = "student"
format = "dc+sd-jwt"
name = "Student card"
vct = "https://university.example/credentials/student"
sd_jwt_key = "issuer-p256.key"
template = "student.json"
plain = ["/student_id"]
valid_days = 365
status_list = "status/students.jwt"

[[issuer.credential.claim]]
path = ["given_name"]
name = "Given name"
"#,
    );
    let config = d.arg("config.toml");
    let server = Server::start(&["--config", &config]);
    let admin = read(&d.path("admin.token"));

    // The metadata: a dc+sd-jwt configuration bound to a JWK, and the issuer's keys.
    let metadata = server.json("/.well-known/openid-credential-issuer", None);
    let student = &metadata["credential_configurations_supported"]["student"];
    assert_eq!(student["format"], "dc+sd-jwt", "{student}");
    assert_eq!(student["vct"], VCT);
    assert_eq!(
        student["cryptographic_binding_methods_supported"],
        json!(["jwk"])
    );
    assert_eq!(
        student["credential_signing_alg_values_supported"],
        json!(["ES256"])
    );
    assert_eq!(
        student["proof_types_supported"],
        json!({"jwt": {"proof_signing_alg_values_supported": ["ES256"]}})
    );
    assert!(student.get("credential_definition").is_none(), "{student}");
    assert_eq!(
        student["credential_metadata"]["claims"][0],
        json!({"path": ["given_name"], "display": [{"name": "Given name"}]})
    );
    let keys = server.json("/.well-known/jwt-vc-issuer", None);
    assert_eq!(keys["issuer"], server.base.as_str());
    assert_eq!(keys["jwks"]["keys"], json!([issuer_jwk]));

    // Offers from the CSV: every row checked first (a row that would not sign is refused).
    let offers = d.path("offers");
    d.write(
        "bad.csv",
        "id,given_name,family_name,city\nS-9,Eve,,Nowhere\n",
    );
    let refused = run(&[
        "offers",
        "--config",
        &config,
        "--csv",
        &d.arg("bad.csv"),
        "--out-dir",
        &text(&offers),
        "--port",
        &port(&server),
    ]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("family_name"), "{}", refused.stderr);
    let made = d
        .ok(&[
            "offers",
            "--config",
            &config,
            "--csv",
            &d.arg("students.csv"),
            "--out-dir",
            &text(&offers),
            "--port",
            &port(&server),
        ])
        .stdout;
    assert!(made.contains("made 4 offers"), "{made}");
    let link = read(&offers.join("S-1.offer"));
    let pin = read(&offers.join("S-1.pin"));

    // The wallet: --holder-key is required, and its absence spends nothing.
    d.ok(&["holder", "init", "--wallet", &d.arg("wallet")]);
    let missing = accept(&d, &pin, &link, &[]);
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert!(
        missing.stderr.contains("--holder-key") && missing.stderr.contains("dc+sd-jwt"),
        "{}",
        missing.stderr
    );
    let identified = accept(
        &d,
        &pin,
        &link,
        &["--identified", "--holder-key", &d.arg("phone.key")],
    );
    assert_eq!(identified.code, 2, "{}", identified.stderr);
    let two = accept(
        &d,
        &pin,
        &link,
        &["--holder-key", &d.arg("phone.key"), "--count", "2"],
    );
    assert_eq!(two.code, 2, "{}", two.stderr);
    // Redeemed: checked with the keys of /.well-known/jwt-vc-issuer, stored in the wallet.
    let got = accept(&d, &pin, &link, &["--holder-key", &d.arg("phone.key")]);
    assert_eq!(got.code, 0, "{}{}", got.stdout, got.stderr);
    assert!(
        got.stdout.contains("imported SD-JWT VC") && got.stdout.contains(VCT),
        "{}",
        got.stdout
    );
    assert!(got.stderr.contains("Student card"), "{}", got.stderr);
    assert_eq!(
        accept(&d, &pin, &link, &["--holder-key", &d.arg("phone.key")]).code,
        1
    );
    // Another offer, checked with --issuer-jwk instead.
    let alan = accept(
        &d,
        &read(&offers.join("S-2.pin")),
        &read(&offers.join("S-2.offer")),
        &[
            "--holder-key",
            &d.arg("other-phone.key"),
            "--issuer-jwk",
            &d.arg("issuer.jwk.json"),
        ],
    );
    assert_eq!(alan.code, 0, "{}{}", alan.stdout, alan.stderr);

    // The wallet holds both; it presents Ada's with the given name only.
    let wallet = {
        let key_hex = read(&d.path("wallet/wallet.key"));
        let mut key = zeroize::Zeroizing::new([0u8; 32]);
        key.copy_from_slice(&hex::decode(key_hex).unwrap());
        let store =
            civitas_core::wallet::EncryptedFileStore::open(d.path("wallet/records"), key).unwrap();
        civitas_core::wallet::Wallet::new(
            Arc::new(store),
            civitas_core::bbs2023::Bbs2023::new(Arc::new(
                civitas_core::jsonld::JsonLdProcessor::default(),
            )),
        )
    };
    let held = wallet.sd_jwt_vcs().unwrap();
    assert_eq!(held.len(), 2);
    let phone = device_key(&d.path("phone.key"));
    let ada = held
        .iter()
        .find(|s| {
            s.claims
                .iter()
                .any(|c| c.pointer == "/given_name" && c.value.as_deref() == Some("Ada"))
        })
        .unwrap();
    assert_eq!(ada.issuer, server.base);
    assert_eq!(ada.vct, VCT);
    assert!(ada.key_bound && ada.expires_at.is_some());
    let shown = wallet
        .present_sd_jwt_vc(
            &ada.id,
            &["/given_name".into()],
            "https://desk.example",
            "c1",
            now(),
            &phone,
        )
        .unwrap();
    d.write("ada.vp", &shown);
    let (code, v) = verify(&d, &d.arg("ada.vp"));
    assert_eq!(code, 0, "{v}");
    let c = &v["results"][0]["credentials"][0];
    assert_eq!(c["holder_binding"], "key");
    assert_eq!(c["types"][0], VCT);
    assert_eq!(c["issuer_name"], "University of Civitas");
    assert_eq!(c["claims"]["/given_name"], "Ada");
    assert_eq!(c["claims"]["/student_id"], "S-1", "plain: always shown");
    assert!(c["claims"].get("/family_name").is_none(), "{c}");

    // A batch of two over HTTP: one credential per key, each with its own status index.
    let link3 = read(&offers.join("S-3.offer"));
    let OfferInvocation::ByReference(uri) = OfferInvocation::parse(&link3).unwrap() else {
        panic!("by reference")
    };
    let (status, body) = server.get(uri.strip_prefix(&server.base).unwrap(), None);
    assert_eq!(status, 200, "{body}");
    let offer = CredentialOffer::from_json(body.as_bytes()).unwrap();
    let access = token(&server, &offer, &read(&offers.join("S-3.pin")));
    let good_nonce = nonce(&server);
    let issuer = server.base.clone();
    for k in ["k1.key", "k2.key"] {
        d.ok(&["keygen", "--alg", "p256", "-o", &d.arg(k)]);
    }
    let (k1, k2) = (device_key(&d.path("k1.key")), device_key(&d.path("k2.key")));
    let post = |body: &Value| {
        server.post(
            "/openid4vci/credential",
            "application/json",
            body.to_string().as_bytes(),
            Some(&access),
        )
    };
    let request = |proofs: Vec<String>| credential_request_json("student", &Proofs::Jwt(proofs));
    // Refused, and nothing spent: a did:key proof (kid), a stale nonce, a private key.
    let mut private = jwk_of(&k1).to_json();
    private["d"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into();
    let Value::Object(header) = json!({"typ": "openid4vci-proof+jwt", "jwk": private}) else {
        unreachable!()
    };
    let claims = json!({"aud": issuer, "iat": now(), "nonce": good_nonce}).to_string();
    let with_private = civitas_core::jose::jws::sign(&header, claims.as_bytes(), &k1).unwrap();
    for (body, code) in [
        (
            request(vec![
                jwt_proof(&k1, &issuer, Some(&good_nonce), now()).unwrap(),
            ]),
            "invalid_proof",
        ),
        (
            request(vec![
                jwt_proof_jwk(
                    &k1,
                    &issuer,
                    Some("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
                    now(),
                )
                .unwrap(),
            ]),
            "invalid_nonce",
        ),
        (request(vec![with_private]), "invalid_proof"),
        (
            request(vec![
                jwt_proof_jwk(&k1, &issuer, Some(&good_nonce), now()).unwrap(),
                jwt_proof_jwk(&k1, &issuer, Some(&good_nonce), now()).unwrap(),
            ]),
            "invalid_proof",
        ),
    ] {
        let answer = post(&body);
        assert_eq!(
            error_of(&answer),
            (400, code.to_owned()),
            "{body}: {}",
            answer.1
        );
    }
    let answer = post(&request(vec![
        jwt_proof_jwk(&k1, &issuer, Some(&good_nonce), now()).unwrap(),
        jwt_proof_jwk(&k2, &issuer, Some(&good_nonce), now()).unwrap(),
    ]));
    assert_eq!(answer.0, 200, "{}", answer.1);
    let v: Value = serde_json::from_str(&answer.1).unwrap();
    let issued: Vec<String> = v["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["credential"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(issued.len(), 2);
    let mut indexes = Vec::new();
    for (compact, holder) in issued.iter().zip([&k1, &k2]) {
        let vc = civitas_core::sdjwt::vc::verify(
            &SdJwt::parse(compact).unwrap(),
            &civitas_core::ecdsa::Signer::public_key(&issuer_key),
        )
        .unwrap();
        assert_eq!(vc.iss(), server.base);
        assert_eq!(vc.vct(), VCT);
        assert_eq!(
            vc.holder_key(),
            Some(&civitas_core::ecdsa::Signer::public_key(holder))
        );
        let status = vc.status().unwrap();
        assert_eq!(status.uri, LIST);
        indexes.push(status.idx);
        assert!(vc.time("exp").unwrap() > now() + 300 * 86_400);
    }
    assert_ne!(indexes[0], indexes[1]);
    // `civitas present` of one of them, with its holder's key file.
    d.write("grace.sd-jwt", &issued[1]);
    d.write("disclose.json", r#"["/address/locality"]"#);
    d.ok(&[
        "present",
        "--holder-key",
        &d.arg("k2.key"),
        "--challenge",
        "c1",
        "--domain",
        "https://desk.example",
        "--disclose",
        &d.arg("disclose.json"),
        &d.arg("grace.sd-jwt"),
        "-o",
        &d.arg("grace.vp"),
    ]);
    let (code, v) = verify(&d, &d.arg("grace.vp"));
    assert_eq!(code, 0, "{v}");
    assert_eq!(
        v["results"][0]["credentials"][0]["claims"]["/address/locality"],
        "Arlington"
    );
    // Presented with another key than its cnf: refused.
    d.ok(&[
        "present",
        "--holder-key",
        &d.arg("k1.key"),
        "--challenge",
        "c1",
        "--domain",
        "https://desk.example",
        "--disclose",
        &d.arg("disclose.json"),
        &d.arg("grace.sd-jwt"),
        "-o",
        &d.arg("stolen.vp"),
    ]);
    assert_eq!(verify(&d, &d.arg("stolen.vp")).0, 1);
    // The issuance record holds both indexes.
    let batch = run(&["offers", "--config", &config, "--issued", "S-3"]);
    assert_eq!(batch.code, 0, "{}", batch.stderr);
    assert!(batch.stdout.contains("(jwk)"), "{}", batch.stdout);
    for i in &indexes {
        assert!(
            batch.stdout.contains(&format!("--index {i}")),
            "{}",
            batch.stdout
        );
    }

    // Through the admin endpoint too, every row checked first.
    let (status, body) = server.post(
        "/issuer/offers",
        "application/json",
        json!({"configuration": "student", "rows": [{"id": "S-5", "values": {"id": "S-5", "given_name": "Barbara", "family_name": "Liskov", "city": "Boston"}}]})
            .to_string()
            .as_bytes(),
        Some(&admin),
    );
    assert_eq!(status, 201, "{body}");

    // The university revokes Ada's card: the same presentation is then refused.
    let issued = run(&["offers", "--config", &config, "--issued", "S-1"]);
    assert_eq!(issued.code, 0, "{}", issued.stderr);
    let revoke_line = issued
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("civitas status revoke"))
        .unwrap_or_else(|| panic!("{}", issued.stdout));
    assert!(revoke_line.contains("issuer-p256.key"), "{revoke_line}");
    assert!(revoke_line.contains("students.jwt"), "{revoke_line}");
    let index = revoke_line.rsplit(' ').next().unwrap().to_owned();
    d.ok(&[
        "status",
        "revoke",
        "--key",
        &d.arg("issuer-p256.key"),
        "--list",
        &d.arg("status/students.jwt"),
        "--index",
        &index,
    ]);
    let (code, v) = verify(&d, &d.arg("ada.vp"));
    assert_eq!(code, 1, "{v}");
    assert!(
        v["results"][0]["failures"]
            .to_string()
            .contains("revoked by its issuer"),
        "{v}"
    );
    // Grace's card is another index: still accepted.
    assert_eq!(verify(&d, &d.arg("grace.vp")).0, 0);
    drop(server);
}

#[test]
fn sd_jwt_configurations_are_checked_when_the_service_starts() {
    let d = Scratch::new("vci-sdjwt-config");
    d.ok(&["keygen", "--alg", "bbs", "-o", &d.arg("university.key")]);
    for k in ["desk.key", "issuer-p256.key", "other.key"] {
        d.ok(&["keygen", "--alg", "p256", "-o", &d.arg(k)]);
    }
    d.ok(&[
        "status",
        "create",
        "--format",
        "token",
        "--key",
        &d.arg("other.key"),
        "--id",
        LIST,
        "-o",
        &d.arg("other-list.jwt"),
    ]);
    d.ok(&[
        "cert",
        "ca",
        "--key",
        &d.arg("other.key"),
        "--name",
        "CN=Other",
        "-o",
        &d.arg("other.pem"),
    ]);
    d.write("trust.toml", "");
    d.write("claims.json", r#"{"given_name": "{{given_name}}"}"#);
    let base = "key = \"desk.key\"\ntrust = \"trust.toml\"\n[issuer]\nkey = \"university.key\"\nstate_dir = \"state\"\n[[issuer.credential]]\nid = \"student\"\n";
    let cases: Vec<(String, &str)> = vec![
        ("format = \"dc+sd-jwt\"\nsd_jwt_key = \"issuer-p256.key\"\ntemplate = \"claims.json\"\n".into(), "vct"),
        (format!("format = \"dc+sd-jwt\"\nvct = \"{VCT}\"\ntemplate = \"claims.json\"\n"), "sd_jwt_key"),
        (format!("format = \"dc+sd-jwt\"\nvct = \"{VCT}\"\nsd_jwt_key = \"issuer-p256.key\"\ntemplate = {{ iss = \"x\" }}\n"), "iss"),
        (format!("format = \"dc+sd-jwt\"\nvct = \"{VCT}\"\nsd_jwt_key = \"issuer-p256.key\"\ntemplate = \"claims.json\"\nmandatory = [\"/given_name\"]\n"), "plain"),
        (format!("format = \"dc+sd-jwt\"\nvct = \"{VCT}\"\nsd_jwt_key = \"issuer-p256.key\"\ntemplate = \"claims.json\"\nplain = [\"given_name\"]\n"), "plain"),
        (format!("format = \"dc+sd-jwt\"\nvct = \"{VCT}\"\nsd_jwt_key = \"issuer-p256.key\"\ntemplate = \"claims.json\"\nvalid_days = 0\n"), "valid_days"),
        // A token status list signed by another key than sd_jwt_key.
        (format!("format = \"dc+sd-jwt\"\nvct = \"{VCT}\"\nsd_jwt_key = \"issuer-p256.key\"\ntemplate = \"claims.json\"\nstatus_list = \"other-list.jwt\"\n"), "sd_jwt_key"),
        // A certificate chain for another key than sd_jwt_key, or for an ldp_vc configuration.
        (format!("format = \"dc+sd-jwt\"\nvct = \"{VCT}\"\nsd_jwt_key = \"issuer-p256.key\"\nsd_jwt_certificate = \"other.pem\"\ntemplate = \"claims.json\"\n"), "not for sd_jwt_key"),
        ("sd_jwt_certificate = \"other.pem\"\ntemplate = \"claims.json\"\n".into(), "sd_jwt_certificate is for"),
        (format!("format = \"mso_mdoc\"\nvct = \"{VCT}\"\ntemplate = \"claims.json\"\n"), "dc+sd-jwt"),
        (format!("vct = \"{VCT}\"\ntemplate = \"claims.json\"\n"), "dc+sd-jwt"),
    ];
    for (extra, why) in cases {
        d.write("config.toml", &format!("{base}{extra}"));
        let r = run(&["serve", "--config", &d.arg("config.toml"), "--port", "0"]);
        assert_eq!(r.code, 2, "{extra}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(why), "{extra}: {}", r.stderr);
    }
    // An inline template works, with the key's certificate chain.
    d.ok(&[
        "cert",
        "issue",
        "--ca-key",
        &d.arg("other.key"),
        "--ca-cert",
        &d.arg("other.pem"),
        "--key",
        &d.arg("issuer-p256.key"),
        "--name",
        "CN=Issuer",
        "--dns",
        "localhost",
        "-o",
        &d.arg("issuer-chain.pem"),
    ]);
    d.write(
        "config.toml",
        &format!("{base}format = \"dc+sd-jwt\"\nvct = \"{VCT}\"\nsd_jwt_key = \"issuer-p256.key\"\nsd_jwt_certificate = \"issuer-chain.pem\"\ntemplate = {{ given_name = \"{{{{given_name}}}}\" }}\n"),
    );
    let server = Server::start(&["--config", &d.arg("config.toml")]);
    let metadata = server.json("/.well-known/openid-credential-issuer", None);
    assert_eq!(
        metadata["credential_configurations_supported"]["student"]["vct"],
        VCT
    );
    drop(server);
}
