//! HAIP at the desk: `civitas cert` makes a test CA and the desk's request-signing
//! certificate, `civitas serve` signs its Request Objects under `x509_hash:` with the `x5c`
//! chain, and `civitas holder respond --verifier-ca` answers only when the chain leads to the
//! CA it trusts.

use super::serve::Server;
use super::support::{Scratch, respond};

#[test]
fn the_desk_signs_under_x509_hash_and_the_wallet_checks_the_chain() {
    let d = Scratch::new("haip");
    drop(Server::demo(d.dir()));
    for k in ["ca.key", "ica.key", "other-ca.key"] {
        d.ok(&["keygen", "--alg", "p256", "-o", k]);
    }
    d.ok(&[
        "cert",
        "ca",
        "--key",
        "ca.key",
        "--name",
        "CN=Agencies Root,O=State",
        "-o",
        "ca.pem",
    ]);
    d.ok(&[
        "cert",
        "ca",
        "--key",
        "other-ca.key",
        "--name",
        "CN=Other Root",
        "-o",
        "other-ca.pem",
    ]);
    d.ok(&[
        "cert",
        "issue",
        "--ca-key",
        "ca.key",
        "--ca-cert",
        "ca.pem",
        "--key",
        "ica.key",
        "--name",
        "CN=Agencies Issuing CA,O=State",
        "--ca",
        "-o",
        "ica.pem",
    ]);
    let said = d
        .ok(&[
            "cert",
            "issue",
            "--ca-key",
            "ica.key",
            "--ca-cert",
            "ica.pem",
            "--key",
            "desk.key",
            "--name",
            "CN=Desk,O=Agency",
            "--dns",
            "desk.agency.example",
            "-o",
            "desk-chain.pem",
        ])
        .all();
    assert!(said.contains("x509_hash:"), "{said}");
    // The chain is the leaf and the intermediate, not the root.
    let chain = std::fs::read_to_string(d.path("desk-chain.pem")).unwrap();
    assert_eq!(chain.matches("BEGIN CERTIFICATE").count(), 2);
    let shown = d.ok(&["cert", "show", "desk-chain.pem"]).all();
    assert!(shown.contains("dns: desk.agency.example"), "{shown}");
    let hash = shown
        .lines()
        .find_map(|l| l.strip_prefix("x509_hash: "))
        .unwrap()
        .to_owned();
    // A leaf signed by a key that is not its CA's is refused.
    let r = d.run(&[
        "cert",
        "issue",
        "--ca-key",
        "other-ca.key",
        "--ca-cert",
        "ca.pem",
        "--key",
        "desk.key",
        "--name",
        "CN=X",
        "-o",
        "x.pem",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("issuer's key"), "{}", r.stderr);

    let config = std::fs::read_to_string(d.path("config.toml"))
        .unwrap()
        .replace(
            "key = \"desk.key\"\n",
            "key = \"desk.key\"\ncertificate = \"desk-chain.pem\"\n",
        );
    std::fs::write(d.path("haip.toml"), &config).unwrap();
    let desk = Server::start(&["--config", d.path("haip.toml").to_str().unwrap()]);
    let checks = desk.json("/desk/checks", None);
    assert_eq!(checks["client_id"], format!("x509_hash:{hash}"), "{checks}");

    let wallet = d.path("wallet");
    let ca = d.path("ca.pem");
    let other = d.path("other-ca.pem");
    // Trusting the agencies' root: answered and accepted.
    let (id, url) = desk.check("diploma", None);
    let r = respond(&wallet, &url, &["--verifier-ca", ca.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let status = desk.json(&format!("/desk/checks/{id}"), None);
    assert_eq!(status["state"], "valid", "{status}");
    // Trusting nothing, or another root: the request is refused, nothing is sent.
    for extra in [vec![], vec!["--verifier-ca", other.to_str().unwrap()]] {
        let (id, url) = desk.check("diploma", None);
        let r = respond(&wallet, &url, &extra);
        assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains("invalid_client"), "{}", r.stderr);
        let status = desk.json(&format!("/desk/checks/{id}"), None);
        assert_eq!(status["state"], "pending", "{status}");
    }
    // A --verifier-ca file that holds no certificate: a clear error.
    let (_, url) = desk.check("diploma", None);
    let r = respond(
        &wallet,
        &url,
        &["--verifier-ca", d.path("haip.toml").to_str().unwrap()],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no PEM certificate"), "{}", r.stderr);

    // x509_san_dns: the desk's public URL must be on a name the leaf carries.
    std::fs::write(
        d.path("san.toml"),
        config.replace(
            "certificate = \"desk-chain.pem\"\n",
            "certificate = \"desk-chain.pem\"\nclient_id_prefix = \"x509_san_dns\"\npublic_url = \"https://other.agency.example\"\ntoken = \"a-desk-token-of-some-length\"\n",
        ),
    )
    .unwrap();
    let r = d.run(&["serve", "--config", "san.toml", "--port", "0"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("does not name other.agency.example"),
        "{}",
        r.stderr
    );
    // A certificate for another key than the desk's is refused at start.
    std::fs::write(
        d.path("wrongkey.toml"),
        config.replace("key = \"desk.key\"\n", "key = \"ica.key\"\n"),
    )
    .unwrap();
    let r = d.run(&["serve", "--config", "wrongkey.toml", "--port", "0"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not for the desk key"), "{}", r.stderr);

    // An SD-JWT VC issued under an x5c chain: the trust file names the CA, not the key.
    for k in ["pid.key", "phone.key"] {
        d.ok(&["keygen", "--alg", "p256", "-o", k]);
    }
    d.ok(&[
        "cert",
        "issue",
        "--ca-key",
        "ica.key",
        "--ca-cert",
        "ica.pem",
        "--key",
        "pid.key",
        "--name",
        "CN=PID Provider",
        "--dns",
        "pid.example",
        "-o",
        "pid-chain.pem",
    ]);
    std::fs::write(
        d.path("pid-claims.json"),
        r#"{"given_name": "Ada", "family_name": "Lovelace"}"#,
    )
    .unwrap();
    let issue = |iss: &str, chain: &str, out: &str| {
        d.run(&[
            "issue",
            "--format",
            "sd-jwt-vc",
            "--key",
            "pid.key",
            "--vct",
            "urn:eudi:pid:1",
            "--iss",
            iss,
            "--x5c",
            chain,
            "--holder-jwk",
            "phone.key",
            "pid-claims.json",
            "-o",
            out,
        ])
    };
    assert_eq!(
        issue("https://pid.example", "pid-chain.pem", "pid.sd-jwt").code,
        0
    );
    assert_eq!(
        issue("https://elsewhere.example", "pid-chain.pem", "other.sd-jwt").code,
        0
    );
    // The desk's chain is for another key: refused at issuance.
    let r = issue("https://pid.example", "desk-chain.pem", "x.sd-jwt");
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not for the key"), "{}", r.stderr);
    std::fs::write(d.path("disclose.json"), r#"["/given_name"]"#).unwrap();
    let ca_pem = std::fs::read_to_string(&ca).unwrap();
    std::fs::write(
        d.path("x509-trust.toml"),
        format!(
            "[[issuer]]\nx509_ca = \"\"\"\n{ca_pem}\"\"\"\nname = \"PID providers of the State\"\ncredential_types = [\"urn:eudi:pid:1\"]\n"
        ),
    )
    .unwrap();
    let verify = |credential: &str| {
        d.ok(&[
            "present",
            "--holder-key",
            "phone.key",
            "--challenge",
            "c1",
            "--domain",
            "https://desk.example",
            "--disclose",
            "disclose.json",
            credential,
            "-o",
            "vp.sd-jwt",
        ]);
        let r = d.run(&[
            "verify",
            "--trust",
            "x509-trust.toml",
            "--challenge",
            "c1",
            "--domain",
            "https://desk.example",
            "--format",
            "json",
            "vp.sd-jwt",
        ]);
        (r.code, r.stdout)
    };
    let (code, out) = verify("pid.sd-jwt");
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("PID providers of the State") && out.contains("Ada"),
        "{out}"
    );
    let (code, out) = verify("other.sd-jwt");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("does not name the issuer"), "{out}");
}

#[test]
fn a_token_status_list_carries_its_x5c_chain_through_updates() {
    let d = Scratch::new("haip-status");
    for k in ["ca.key", "pid.key", "phone.key", "other.key"] {
        d.ok(&["keygen", "--alg", "p256", "-o", k]);
    }
    d.ok(&[
        "cert", "ca", "--key", "ca.key", "--name", "CN=Root", "-o", "ca.pem",
    ]);
    let leaf = |key: &str, out: &str| {
        d.ok(&[
            "cert",
            "issue",
            "--ca-key",
            "ca.key",
            "--ca-cert",
            "ca.pem",
            "--key",
            key,
            "--name",
            "CN=PID Provider",
            "--dns",
            "pid.example",
            "-o",
            out,
        ]);
    };
    leaf("pid.key", "pid-chain.pem");
    leaf("other.key", "other-chain.pem");
    std::fs::create_dir_all(d.path("lists")).unwrap();
    let create = |chain: &str, out: &str| {
        d.run(&[
            "status",
            "create",
            "--format",
            "token",
            "--key",
            "pid.key",
            "--x5c",
            chain,
            "--id",
            "https://pid.example/status/1",
            "--entries",
            "64",
            "-o",
            out,
        ])
    };
    // A chain for another key is refused; so is --x5c on a W3C list.
    let r = create("other-chain.pem", "lists/x.jwt");
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not for the list's key"), "{}", r.stderr);
    let r = d.run(&[
        "status",
        "create",
        "--key",
        "pid.key",
        "--x5c",
        "pid-chain.pem",
        "--id",
        "https://pid.example/status/2",
        "-o",
        "lists/w3c.json",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--x5c is for --format token"),
        "{}",
        r.stderr
    );
    assert_eq!(create("pid-chain.pem", "lists/pid.jwt").code, 0);
    let header = |file: &str| -> serde_json::Value {
        let jwt = d.read(file);
        let h = jwt.split('.').next().unwrap();
        serde_json::from_slice(&civitas_core::keys::decode_base64url(h).unwrap()).unwrap()
    };
    assert_eq!(header("lists/pid.jwt")["x5c"].as_array().unwrap().len(), 1);
    d.write("claims.json", r#"{"given_name": "Ada"}"#);
    d.ok(&[
        "issue",
        "--format",
        "sd-jwt-vc",
        "--key",
        "pid.key",
        "--vct",
        "urn:eudi:pid:1",
        "--iss",
        "https://pid.example",
        "--x5c",
        "pid-chain.pem",
        "--holder-jwk",
        "phone.key",
        "--status-list",
        "lists/pid.jwt",
        "--status-index",
        "5",
        "claims.json",
        "-o",
        "pid.sd-jwt",
    ]);
    d.write("disclose.json", r#"["/given_name"]"#);
    d.write(
        "trust.toml",
        &format!(
            "[[issuer]]\nx509_ca = \"\"\"\n{}\"\"\"\nname = \"PID providers\"\ncredential_types = [\"urn:eudi:pid:1\"]\n",
            d.read("ca.pem")
        ),
    );
    let verify = || {
        d.ok(&[
            "present",
            "--holder-key",
            "phone.key",
            "--challenge",
            "c1",
            "--domain",
            "https://desk.example",
            "--disclose",
            "disclose.json",
            "pid.sd-jwt",
            "-o",
            "vp.sd-jwt",
        ]);
        d.run(&[
            "verify",
            "--trust",
            "trust.toml",
            "--status-dir",
            "lists",
            "--challenge",
            "c1",
            "--domain",
            "https://desk.example",
            "--format",
            "json",
            "vp.sd-jwt",
        ])
    };
    let r = verify();
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    d.ok(&[
        "status",
        "revoke",
        "--key",
        "pid.key",
        "--list",
        "lists/pid.jwt",
        "--index",
        "5",
    ]);
    // The revoked list still carries its chain, and the credential is refused.
    assert_eq!(header("lists/pid.jwt")["x5c"], header("pid.sd-jwt")["x5c"]);
    let r = verify();
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("revoked by its issuer"), "{}", r.stdout);
}
