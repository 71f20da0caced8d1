//! `civitas serve` over HTTP on loopback: the demo desk answered by the CLI holder (valid,
//! returning, over-disclosing, replayed, forwarded, revoked), the desk's and the wallet's
//! endpoints fed bad input, the VC API endpoints, and a desk with a token and a short
//! transaction lifetime.
use std::path::Path;
use std::time::Duration;

use civitas_core::openid4vp::{AuthorizationRequest, Invocation};
use serde_json::{Map, Value, json};

use super::support::{Scratch, Serving, civitas, respond};

/// The desk of `civitas serve`, stopped when dropped.
pub(super) struct Server {
    _serving: Serving,
    pub(super) base: String,
}

impl Server {
    /// Start `civitas serve ARGS --port 0` and wait for its address.
    pub(super) fn start(args: &[&str]) -> Server {
        let (serving, page) = Serving::start(args, "civitas serve: the desk page is at ");
        Server {
            _serving: serving,
            base: page.trim_end_matches('/').to_owned(),
        }
    }

    /// Start the demo desk in `dir` (`--demo --dir DIR`), made there when `dir` is empty.
    pub(super) fn demo(dir: &Path) -> Server {
        Server::start(&["--demo", "--dir", dir.to_str().unwrap()])
    }

    fn agent() -> ureq::Agent {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into()
    }

    pub(super) fn get(&self, path: &str, token: Option<&str>) -> (u16, String) {
        let mut r = Self::agent().get(format!("{}{path}", self.base));
        if let Some(t) = token {
            r = r.header("Authorization", format!("Bearer {t}"));
        }
        let mut resp = r.call().unwrap();
        (
            resp.status().as_u16(),
            resp.body_mut().read_to_string().unwrap_or_default(),
        )
    }

    pub(super) fn post(
        &self,
        path: &str,
        content_type: &str,
        body: &[u8],
        token: Option<&str>,
    ) -> (u16, String) {
        let mut r = Self::agent()
            .post(format!("{}{path}", self.base))
            .header("Content-Type", content_type);
        if let Some(t) = token {
            r = r.header("Authorization", format!("Bearer {t}"));
        }
        match r.send(body) {
            Ok(mut resp) => (
                resp.status().as_u16(),
                resp.body_mut().read_to_string().unwrap_or_default(),
            ),
            // The server may close the connection on a body far too large.
            Err(e) => (0, e.to_string()),
        }
    }

    pub(super) fn json(&self, path: &str, token: Option<&str>) -> Value {
        let (status, text) = self.get(path, token);
        assert_eq!(status, 200, "{path}: {text}");
        serde_json::from_str(&text).unwrap()
    }

    /// Start a check; its desk id and openid4vp:// URL.
    pub(super) fn check(&self, name: &str, token: Option<&str>) -> (String, String) {
        let (status, text) = self.post(
            "/desk/checks",
            "application/json",
            json!({ "check": name }).to_string().as_bytes(),
            token,
        );
        assert_eq!(status, 201, "{text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        (
            v["id"].as_str().unwrap().to_owned(),
            v["url"].as_str().unwrap().to_owned(),
        )
    }
}

/// The wallet-facing id of a check (the last part of its request_uri).
fn rid(url: &str) -> String {
    let Invocation::ByReference { request_uri, .. } = Invocation::parse(url).unwrap() else {
        panic!("by reference")
    };
    request_uri.rsplit('/').next().unwrap().to_owned()
}

fn failures(status: &Value) -> Vec<String> {
    status["result"]["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["reason"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_demo_desk_takes_each_answer_for_what_it_is() {
    let d = Scratch::new("demo");
    let desk = Server::demo(d.dir());
    let wallet = d.path("wallet");

    // The page and its assets, served by the binary, under a strict CSP.
    let page = Server::agent()
        .get(format!("{}/", desk.base))
        .call()
        .unwrap();
    let csp = page
        .headers()
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("script-src 'self'"),
        "{csp}"
    );
    assert_eq!(desk.get("/desk.js", None).0, 200);
    let checks = desk.json("/desk/checks", None);
    assert_eq!(checks["checks"][0]["name"], "diploma");

    // Valid: a pseudonym, the degree, nothing the desk did not ask for.
    let (id, url) = desk.check("diploma", None);
    assert!(
        url.starts_with("openid4vp://?client_id=decentralized_identifier%3Adid%3Akey%3A"),
        "{url}"
    );
    assert_eq!(
        desk.json(&format!("/desk/checks/{id}"), None)["state"],
        "pending"
    );
    let saved = d.path("first-response.txt");
    let r = respond(&wallet, &url, &["--save-response", saved.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("the verifier accepted the response"));
    assert!(
        r.stderr.contains("claim credentialSubject.degree.name"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("for the first time"), "{}", r.stderr);
    let status = desk.json(&format!("/desk/checks/{id}"), None);
    assert_eq!(status["state"], "valid", "{status}");
    let credential = &status["result"]["credentials"][0];
    assert_eq!(credential["issuer_name"], "University of Civitas");
    assert_eq!(credential["holder_binding"], "secret");
    assert_eq!(
        credential["claims"]["/credentialSubject/degree/name"],
        "MSc Computer Science"
    );
    assert!(
        credential["claims"]
            .get("/credentialSubject/birthDate")
            .is_none()
    );
    let pseudonym = credential["pseudonym"].as_str().unwrap().to_owned();

    // Replayed: the same body again is refused; the verdict stands.
    let body = std::fs::read(&saved).unwrap();
    let form = "application/x-www-form-urlencoded";
    let (code, text) = desk.post(
        &format!("/openid4vp/responses/{}", rid(&url)),
        form,
        &body,
        None,
    );
    assert_eq!(code, 400, "{text}");
    assert!(text.contains("already answered"), "{text}");
    assert_eq!(
        desk.json(&format!("/desk/checks/{id}"), None)["state"],
        "valid"
    );
    // ... and at a new check it cannot even be read (encrypted to the first check's key).
    let (id2, url2) = desk.check("diploma", None);
    let (code, _) = desk.post(
        &format!("/openid4vp/responses/{}", rid(&url2)),
        form,
        &body,
        None,
    );
    assert_eq!(code, 400);
    let status = desk.json(&format!("/desk/checks/{id2}"), None);
    assert_eq!(status["state"], "invalid");
    assert!(
        failures(&status)[0].contains("does not decrypt"),
        "{status}"
    );
    // A request that was answered is not served again.
    assert_eq!(
        desk.get(&format!("/openid4vp/requests/{}", rid(&url2)), None)
            .0,
        400
    );

    // Returning: the same pseudonym at the same desk, and the wallet says so.
    let (id3, url3) = desk.check("diploma", None);
    let r = respond(&wallet, &url3, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("it has seen before"), "{}", r.stderr);
    let status = desk.json(&format!("/desk/checks/{id3}"), None);
    assert_eq!(
        status["result"]["credentials"][0]["pseudonym"],
        pseudonym.as_str()
    );

    // Over-disclosing: refused, and what should not have come is not shown.
    let (id4, url4) = desk.check("diploma", None);
    let r = respond(
        &wallet,
        &url4,
        &["--dangerous-disclose-more", "/credentialSubject/birthDate"],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("refused"), "{}", r.stdout);
    let status = desk.json(&format!("/desk/checks/{id4}"), None);
    assert_eq!(status["state"], "invalid");
    assert_eq!(
        failures(&status),
        vec!["claim /credentialSubject/birthDate is disclosed but was not asked for".to_owned()]
    );
    assert_eq!(status["result"]["credentials"], json!([]));

    // Forwarded: a presentation the citizen made for another verifier, posted here.
    let other = d.path("for-the-tax-office.json");
    std::fs::write(
        d.path("disclose.json"),
        r#"["/credentialSubject/degree/name"]"#,
    )
    .unwrap();
    let out = civitas()
        .args(["holder", "present", "--wallet"])
        .arg(&wallet)
        .args([
            "--challenge",
            "tax-office-challenge",
            "--domain",
            "https://tax-office.example",
        ])
        .arg("--disclose")
        .arg(d.path("disclose.json"))
        .arg("-o")
        .arg(&other)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (id5, url5) = desk.check("diploma", None);
    let Invocation::ByReference {
        client_id,
        request_uri,
        ..
    } = Invocation::parse(&url5).unwrap()
    else {
        panic!()
    };
    let jwt = Server::agent()
        .get(&request_uri)
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    let request = AuthorizationRequest::from_request_object(&jwt, &client_id).unwrap();
    let presentation: Value = serde_json::from_slice(&std::fs::read(&other).unwrap()).unwrap();
    let mut vp_token = Map::new();
    vp_token.insert("diploma".into(), json!([presentation]));
    let forwarded = civitas_core::openid4vp::build_response(&request, &vp_token).unwrap();
    let (code, _) = desk.post(
        &format!("/openid4vp/responses/{}", rid(&url5)),
        form,
        forwarded.body.as_bytes(),
        None,
    );
    assert_eq!(code, 400);
    let status = desk.json(&format!("/desk/checks/{id5}"), None);
    assert_eq!(status["state"], "invalid");
    // Bound to the other verifier: its pseudonym domain (checked first) and its challenge.
    assert!(
        failures(&status)
            .iter()
            .any(|f| f.contains("made for another verifier") || f.contains("challenge")),
        "{status}"
    );

    // Revoked: the university revokes; the next answer is invalid.
    let out = civitas()
        .args(["status", "revoke", "--key"])
        .arg(d.path("university-status.key"))
        .arg("--list")
        .arg(d.path("status/revocation.json"))
        .args(["--index", "7"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (id6, url6) = desk.check("diploma", None);
    let r = respond(&wallet, &url6, &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let status = desk.json(&format!("/desk/checks/{id6}"), None);
    assert_eq!(status["state"], "invalid");
    assert!(
        failures(&status).iter().any(|f| f.contains("revoked")),
        "{status}"
    );
}

#[test]
fn bad_input_gets_a_clear_error_and_never_a_500() {
    let d = Scratch::new("bad");
    let desk = Server::demo(d.dir());
    let form = "application/x-www-form-urlencoded";
    let json_type = "application/json";
    let error = |(code, text): (u16, String)| -> (u16, String) {
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        (code, v["error"].as_str().unwrap_or(&text).to_owned())
    };

    // The desk's endpoints.
    assert_eq!(
        error(desk.post("/desk/checks", json_type, b"{", None)),
        (400, "invalid_request".into())
    );
    assert_eq!(
        error(desk.post("/desk/checks", json_type, b"{}", None)),
        (400, "invalid_request".into())
    );
    assert_eq!(
        error(desk.post("/desk/checks", json_type, br#"{"check":"passport"}"#, None)),
        (404, "not_found".into())
    );
    assert_eq!(
        desk.post("/desk/checks", json_type, &vec![b' '; 64 * 1024], None)
            .0,
        413
    );
    assert_eq!(
        error(desk.get("/desk/checks/nope", None)),
        (404, "not_found".into())
    );
    assert_eq!(error(desk.get("/nope", None)), (404, "not_found".into()));
    assert_eq!(desk.get("/status/..%2Fdesk.key", None).0, 404);
    assert_eq!(desk.get("/status/.hidden.json", None).0, 404);

    // The wallet's endpoints.
    assert_eq!(
        error(desk.get("/openid4vp/requests/nope", None)),
        (404, "not_found".into())
    );
    assert_eq!(
        error(desk.post("/openid4vp/responses/nope", form, b"vp_token=%7B%7D", None)),
        (404, "not_found".into())
    );
    let bodies: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"vp_token=not-json".to_vec(),
        b"vp_token=%7B%22diploma%22%3A%5B%5D%7D&state=x".to_vec(),
        b"response=a.b.c.d.e".to_vec(),
        vec![0xff, 0xfe],
        b"%%%".to_vec(),
    ];
    for body in bodies {
        let (id, url) = desk.check("diploma", None);
        let (code, text) = desk.post(
            &format!("/openid4vp/responses/{}", rid(&url)),
            form,
            &body,
            None,
        );
        assert_eq!(code, 400, "{text}");
        let status = desk.json(&format!("/desk/checks/{id}"), None);
        assert_eq!(status["state"], "invalid", "{status}");
        assert!(!failures(&status).is_empty());
    }
    // Far too large: refused before it is read.
    let (_, url) = desk.check("diploma", None);
    let big = vec![b'a'; 2 * 1024 * 1024];
    let (code, _) = desk.post(
        &format!("/openid4vp/responses/{}", rid(&url)),
        form,
        &big,
        None,
    );
    assert!(code == 413 || code == 0, "{code}");
    // A wallet that declines.
    let (id, url) = desk.check("diploma", None);
    let (code, _) = desk.post(
        &format!("/openid4vp/responses/{}", rid(&url)),
        form,
        b"error=access_denied",
        None,
    );
    assert_eq!(code, 200);
    let status = desk.json(&format!("/desk/checks/{id}"), None);
    assert_eq!(
        failures(&status),
        vec!["the wallet declined (access_denied)".to_owned()]
    );

    // The VC API: a presentation for the back office's own challenge.
    let wallet = d.path("wallet");
    std::fs::write(
        d.path("disclose.json"),
        r#"["/credentialSubject/degree/name"]"#,
    )
    .unwrap();
    let out = civitas()
        .args(["holder", "present", "--wallet"])
        .arg(&wallet)
        .args([
            "--challenge",
            "back-office-1",
            "--domain",
            "https://agency.example",
        ])
        .arg("--disclose")
        .arg(d.path("disclose.json"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let vp: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ask = |challenge: Value| {
        let body = json!({"verifiablePresentation": vp, "options": {"challenge": challenge, "domain": "https://agency.example"}});
        let (code, text) = desk.post(
            "/presentations/verify",
            json_type,
            body.to_string().as_bytes(),
            None,
        );
        (code, serde_json::from_str::<Value>(&text).unwrap())
    };
    let (code, v) = ask(json!("back-office-1"));
    assert_eq!(code, 200, "{v}");
    assert_eq!(v["verified"], true);
    assert_eq!(
        v["result"]["credentials"][0]["claims"]["/credentialSubject/degree/name"],
        "MSc Computer Science"
    );
    let (code, v) = ask(json!("another-challenge"));
    assert_eq!((code, &v["verified"]), (400, &json!(false)), "{v}");
    assert!(!v["errors"].as_array().unwrap().is_empty());
    let (code, v) = ask(Value::Null);
    assert_eq!(
        (code, v["error"].as_str()),
        (400, Some("invalid_request")),
        "{v}"
    );
    let body = json!({"verifiableCredential": vp, "options": {"challenge": "back-office-1"}});
    let (code, text) = desk.post(
        "/credentials/verify",
        json_type,
        body.to_string().as_bytes(),
        None,
    );
    assert_eq!(code, 400, "a presentation is not a credential: {text}");
}

#[test]
fn a_desk_with_a_token_and_a_short_lifetime() {
    let d = Scratch::new("token");
    // Make the demo files, then a second configuration beside them.
    drop(Server::demo(d.dir()));
    let token = "desk-token-0123456789abcdef";
    let config = std::fs::read_to_string(d.path("config.toml"))
        .unwrap()
        .replace(
            "transaction_ttl_seconds = 300",
            "transaction_ttl_seconds = 1",
        )
        .replace(
            "listen = \"127.0.0.1:8080\"",
            &format!("listen = \"127.0.0.1:8080\"\ntoken = \"{token}\""),
        );
    std::fs::write(d.path("short.toml"), config).unwrap();
    let desk = Server::start(&["--config", d.path("short.toml").to_str().unwrap()]);

    assert_eq!(desk.get("/desk/checks", None).0, 401);
    assert_eq!(
        desk.get("/desk/checks", Some("wrong-token-0123456789")).0,
        401
    );
    assert_eq!(desk.get("/desk/checks", Some(token)).0, 200);
    assert_eq!(
        desk.get("/", None).0,
        200,
        "the page itself asks for the token"
    );
    let (id, url) = desk.check("diploma", Some(token));
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        desk.json(&format!("/desk/checks/{id}"), Some(token))["state"],
        "expired"
    );
    let r = respond(&d.path("wallet"), &url, &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("expired"), "{}", r.stderr);

    // A check whose query asks for nothing, or for a format the desk does not verify, is a
    // configuration error.
    for (query, says) in [
        (r#"{"credentials": []}"#, "dcql"),
        (
            r#"{"credentials": [{"id": "pid", "format": "mso_mdoc", "meta": {"doctype_value": "eu.europa.ec.eudi.pid.1"}}]}"#,
            "mso_mdoc",
        ),
    ] {
        std::fs::write(d.path("bad-query.json"), query).unwrap();
        let bad = std::fs::read_to_string(d.path("config.toml"))
            .unwrap()
            .replace("diploma-query.json", "bad-query.json");
        std::fs::write(d.path("bad.toml"), bad).unwrap();
        let out = civitas()
            .args(["serve", "--config"])
            .arg(d.path("bad.toml"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("check \"diploma\"") && stderr.contains(says),
            "{stderr}"
        );
    }

    // A desk listening beyond this machine without a token does not start.
    let open = std::fs::read_to_string(d.path("config.toml"))
        .unwrap()
        .replace("127.0.0.1:8080", "0.0.0.0:0");
    std::fs::write(d.path("open.toml"), open).unwrap();
    let out = civitas()
        .args(["serve", "--config"])
        .arg(d.path("open.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("set token"));

    // Nor one that wallets reach through a proxy (every request would look local).
    let proxied = std::fs::read_to_string(d.path("config.toml"))
        .unwrap()
        .replace(
            "listen = \"127.0.0.1:8080\"",
            "listen = \"127.0.0.1:8080\"\npublic_url = \"https://desk.agency.example\"",
        );
    std::fs::write(d.path("proxied.toml"), proxied).unwrap();
    let out = civitas()
        .args(["serve", "--config"])
        .arg(d.path("proxied.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("through a proxy"));
}
