//! SD-JWT VC on the command line: `civitas issue --format sd-jwt-vc`, `civitas status create
//! --format token`, `civitas present --disclose`, and `civitas verify` reading the compact
//! form from a file or standard input, accepting a bound presentation and refusing forwarded,
//! replayed, tampered, over-disclosing and revoked ones with reasons.

use serde_json::Value;

use super::support::{Run, Scratch};

/// `civitas verify --format json` of `input` for `challenge` at the test desk.
fn verify(d: &Scratch, input: &str, challenge: &str) -> (i32, Value) {
    let Run {
        code,
        stdout,
        stderr,
    } = d.run(&[
        "verify",
        "--trust",
        "trust.toml",
        "--status-dir",
        "lists",
        "--challenge",
        challenge,
        "--domain",
        "https://desk.example",
        "--format",
        "json",
        input,
    ]);
    (
        code,
        serde_json::from_str(&stdout).unwrap_or_else(|_| panic!("{stdout}\n{stderr}")),
    )
}

fn failures(v: &Value) -> String {
    v["results"][0]["failures"].to_string()
}

#[test]
fn an_sd_jwt_vc_is_issued_presented_and_verified_and_bad_ones_are_refused() {
    let d = Scratch::new("sdjwt");
    std::fs::create_dir_all(d.path("lists")).unwrap();
    for k in ["pid.key", "phone.key", "thief.key"] {
        d.ok(&["keygen", "--alg", "p256", "-o", k]);
    }
    d.ok(&[
        "status",
        "create",
        "--format",
        "token",
        "--key",
        "pid.key",
        "--id",
        "https://pid.example/status/1",
        "-o",
        "lists/pid-status.jwt",
    ]);
    d.write(
        "claims.json",
        r#"{"given_name": "Ada", "family_name": "Lovelace", "birthdate": "1990-12-10", "address": {"locality": "Civitas", "country": "EU"}}"#,
    );
    d.ok(&[
        "issue",
        "--format",
        "sd-jwt-vc",
        "--key",
        "pid.key",
        "--vct",
        "urn:eudi:pid:1",
        "--holder-jwk",
        "phone.key",
        "--status-list",
        "lists/pid-status.jwt",
        "--status-index",
        "3",
        "claims.json",
        "-o",
        "pid.sd-jwt",
    ]);
    let pid: Value = serde_json::from_str(&d.read("pid.key")).unwrap();
    d.write(
        "trust.toml",
        &format!(
            "[[issuer]]\ndid = \"{}\"\nname = \"PID Provider\"\ncredential_types = [\"urn:eudi:pid:1\"]\n",
            pid["controller"].as_str().unwrap()
        ),
    );
    d.write("disclose.json", r#"["/given_name", "/address/locality"]"#);
    let present = |key: &str, challenge: &str, out: &str| {
        d.ok(&[
            "present",
            "--holder-key",
            key,
            "--challenge",
            challenge,
            "--domain",
            "https://desk.example",
            "--disclose",
            "disclose.json",
            "pid.sd-jwt",
            "-o",
            out,
        ]);
    };
    present("phone.key", "c1", "vp.sd-jwt");

    // Accepted, with only what was disclosed; from standard input too.
    let (code, v) = verify(&d, "vp.sd-jwt", "c1");
    assert_eq!(code, 0, "{v}");
    let c = &v["results"][0]["credentials"][0];
    assert_eq!(c["holder_binding"], "key");
    assert_eq!(c["types"][0], "urn:eudi:pid:1");
    assert_eq!(c["issuer_name"], "PID Provider");
    assert_eq!(c["claims"]["/given_name"], "Ada");
    assert_eq!(c["claims"]["/address/locality"], "Civitas");
    assert!(c["claims"].get("/birthdate").is_none(), "{c}");
    let r = d.run_with_stdin(
        &[
            "verify",
            "--trust",
            "trust.toml",
            "--status-dir",
            "lists",
            "--challenge",
            "c1",
            "--domain",
            "https://desk.example",
            "-",
        ],
        d.read("vp.sd-jwt").as_bytes(),
    );
    assert_eq!(r.code, 0, "{}", r.stdout);

    // Forwarded: bound by another key.
    present("thief.key", "c1", "stolen.sd-jwt");
    let (code, v) = verify(&d, "stolen.sd-jwt", "c1");
    assert_eq!(code, 1);
    assert!(failures(&v).contains("holder-binding"), "{v}");
    // Replayed at another visit.
    let (code, v) = verify(&d, "vp.sd-jwt", "c2");
    assert_eq!(code, 1);
    assert!(failures(&v).contains("\"check\":\"challenge\""), "{v}");
    // Tampered: a disclosed value changed.
    let vp = d.read("vp.sd-jwt");
    let parts: Vec<&str> = vp.trim().split('~').collect();
    let disclosure =
        civitas_core::sdjwt::Disclosure::new(Some("given_name"), "Eve".into()).unwrap();
    let mut forged = parts.clone();
    forged[1] = disclosure.encoded();
    d.write("forged.sd-jwt", &forged.join("~"));
    let (code, v) = verify(&d, "forged.sd-jwt", "c1");
    assert_eq!(code, 1);
    assert!(failures(&v).contains("not referenced"), "{v}");
    // Over-disclosing: a Disclosure slipped in after binding.
    let issued = d.read("pid.sd-jwt");
    let birth = issued
        .trim()
        .split('~')
        .find(|e| {
            civitas_core::sdjwt::Disclosure::parse(e)
                .is_ok_and(|x| x.name.as_deref() == Some("birthdate"))
        })
        .unwrap()
        .to_owned();
    let mut more = parts.clone();
    more.insert(1, &birth);
    d.write("more.sd-jwt", &more.join("~"));
    let (code, v) = verify(&d, "more.sd-jwt", "c1");
    assert_eq!(code, 1);
    assert!(failures(&v).contains("sd_hash"), "{v}");
    // Revoked, and revocation cannot be undone.
    d.ok(&[
        "status",
        "revoke",
        "--key",
        "pid.key",
        "--list",
        "lists/pid-status.jwt",
        "--index",
        "3",
    ]);
    let (code, v) = verify(&d, "vp.sd-jwt", "c1");
    assert_eq!(code, 1);
    assert!(failures(&v).contains("revoked by its issuer"), "{v}");
    let r = d.run(&[
        "status",
        "reinstate",
        "--key",
        "pid.key",
        "--list",
        "lists/pid-status.jwt",
        "--index",
        "3",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("permanent"), "{}", r.stderr);
    // Usage errors say what is wrong.
    let r = d.run(&[
        "issue",
        "--format",
        "sd-jwt-vc",
        "--key",
        "pid.key",
        "claims.json",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--vct"), "{}", r.stderr);
}

#[test]
fn the_desk_checks_a_pid_as_sd_jwt_vc_over_openid4vp() {
    use super::serve::Server;
    use civitas_core::openid4vp::{AuthorizationRequest, Invocation};
    use serde_json::{Map, json};
    let d = Scratch::new("sdjwt-desk");
    drop(Server::demo(d.dir()));
    for k in ["pid.key", "phone.key"] {
        d.ok(&["keygen", "--alg", "p256", "-o", k]);
    }
    d.ok(&[
        "status",
        "create",
        "--format",
        "token",
        "--key",
        "pid.key",
        "--id",
        "https://pid.example/status/1",
        "-o",
        "status/pid.jwt",
    ]);
    d.write(
        "claims.json",
        r#"{"given_name": "Ada", "family_name": "Lovelace", "birthdate": "1990-12-10"}"#,
    );
    d.ok(&[
        "issue",
        "--format",
        "sd-jwt-vc",
        "--key",
        "pid.key",
        "--vct",
        "urn:eudi:pid:1",
        "--holder-jwk",
        "phone.key",
        "--status-list",
        "status/pid.jwt",
        "--status-index",
        "4",
        "claims.json",
        "-o",
        "pid.sd-jwt",
    ]);
    let pid: Value = serde_json::from_str(&d.read("pid.key")).unwrap();
    let trust = d.read("trust.toml")
        + &format!(
            "\n[[issuer]]\ndid = \"{}\"\nname = \"PID Provider\"\ncredential_types = [\"urn:eudi:pid:1\"]\n",
            pid["controller"].as_str().unwrap()
        );
    d.write("trust.toml", &trust);
    d.write(
        "pid-query.json",
        &json!({"credentials": [{"id": "pid", "format": "dc+sd-jwt",
            "meta": {"vct_values": ["urn:eudi:pid:1"]},
            "claims": [{"path": ["given_name"]}, {"path": ["family_name"]}]}]})
        .to_string(),
    );
    let config = d.read("config.toml")
        + "\n[[check]]\nname = \"pid\"\ntitle = \"Person identification (PID)\"\ndcql_file = \"pid-query.json\"\n";
    d.write("pid.toml", &config);
    let desk = Server::start(&["--config", d.path("pid.toml").to_str().unwrap()]);
    let phone = {
        let v: Value = serde_json::from_str(&d.read("phone.key")).unwrap();
        let secret = civitas_core::keys::SecretKey::from_multibase(
            v["secretKeyMultibase"].as_str().unwrap(),
        )
        .unwrap();
        civitas_core::ecdsa::DeviceKey::from_secret_key(&secret).unwrap()
    };
    let issued = civitas_core::sdjwt::SdJwt::parse(&d.read("pid.sd-jwt")).unwrap();
    let answer = |disclose: &[&str]| -> (String, String, String) {
        let (id, url) = desk.check("pid", None);
        let Invocation::ByReference {
            client_id,
            request_uri,
            ..
        } = Invocation::parse(&url).unwrap()
        else {
            panic!("by reference")
        };
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let jwt = agent
            .get(&request_uri)
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap();
        let request = AuthorizationRequest::from_request_object(&jwt, &client_id).unwrap();
        let now = i64::try_from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs(),
        )
        .unwrap();
        let pointers: Vec<String> = disclose.iter().map(|s| (*s).to_owned()).collect();
        let shown = civitas_core::sdjwt::present(
            &issued,
            &pointers,
            Some((&phone, request.client_id.as_str(), &request.nonce, now)),
        )
        .unwrap();
        let mut vp_token = Map::new();
        vp_token.insert("pid".into(), json!([shown]));
        let body = civitas_core::openid4vp::build_response(&request, &vp_token).unwrap();
        let rid = request_uri.rsplit('/').next().unwrap().to_owned();
        (id, rid, body.body)
    };
    let form = "application/x-www-form-urlencoded";
    // Exactly what was asked: accepted, the claims shown to the officer.
    let (id, rid, body) = answer(&["/given_name", "/family_name"]);
    let (code, text) = desk.post(
        &format!("/openid4vp/responses/{rid}"),
        form,
        body.as_bytes(),
        None,
    );
    assert_eq!(code, 200, "{text}");
    let status = desk.json(&format!("/desk/checks/{id}"), None);
    assert_eq!(status["state"], "valid", "{status}");
    let c = &status["result"]["credentials"][0];
    assert_eq!(c["claims"]["/given_name"], "Ada", "{status}");
    assert_eq!(c["holder_binding"], "key");
    // The same answer again, to a new check: replayed.
    let (id2, rid2, _) = answer(&["/given_name", "/family_name"]);
    let (code, _) = desk.post(
        &format!("/openid4vp/responses/{rid2}"),
        form,
        body.as_bytes(),
        None,
    );
    assert_eq!(code, 400);
    assert_eq!(
        desk.json(&format!("/desk/checks/{id2}"), None)["state"],
        "invalid"
    );
    // More than was asked: the birth date too.
    let (id3, rid3, body3) = answer(&["/given_name", "/family_name", "/birthdate"]);
    let (code, _) = desk.post(
        &format!("/openid4vp/responses/{rid3}"),
        form,
        body3.as_bytes(),
        None,
    );
    assert_eq!(code, 400);
    let status = desk.json(&format!("/desk/checks/{id3}"), None);
    assert_eq!(status["state"], "invalid");
    assert!(
        status
            .to_string()
            .contains("/birthdate is disclosed but was not asked for"),
        "{status}"
    );
    // The command-line holder: imported into the demo wallet, answered with --holder-key.
    d.ok(&[
        "holder",
        "import",
        "--wallet",
        "wallet",
        "--holder-key",
        "phone.key",
        "pid.sd-jwt",
    ]);
    let (id5, url5) = desk.check("pid", None);
    let r = super::support::respond(
        &d.path("wallet"),
        &url5,
        &["--holder-key", d.path("phone.key").to_str().unwrap()],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let status = desk.json(&format!("/desk/checks/{id5}"), None);
    assert_eq!(status["state"], "valid", "{status}");
    assert!(
        !status.to_string().contains("1990-12-10"),
        "the birth date was not asked for"
    );
    let r = d.run(&["holder", "import", "--wallet", "wallet", "pid.sd-jwt"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--holder-key"), "{}", r.stderr);
    // Revoked.
    d.ok(&[
        "status",
        "revoke",
        "--key",
        "pid.key",
        "--list",
        "status/pid.jwt",
        "--index",
        "4",
    ]);
    let (id4, rid4, body4) = answer(&["/given_name", "/family_name"]);
    let (code, _) = desk.post(
        &format!("/openid4vp/responses/{rid4}"),
        form,
        body4.as_bytes(),
        None,
    );
    assert_eq!(code, 400);
    let status = desk.json(&format!("/desk/checks/{id4}"), None);
    assert!(
        status.to_string().contains("revoked by its issuer"),
        "{status}"
    );
}
