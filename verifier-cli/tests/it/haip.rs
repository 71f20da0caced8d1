//! HAIP at the desk: `civitas cert` makes a test CA and the desk's request-signing
//! certificate, `civitas serve` signs its Request Objects under `x509_hash:` with the `x5c`
//! chain, and `civitas holder respond --verifier-ca` answers only when the chain leads to the
//! CA it trusts.

use super::serve::{Server, civitas, respond, scratch};

fn run(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = civitas().current_dir(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(dir: &std::path::Path, args: &[&str]) -> String {
    let (code, out, err) = run(dir, args);
    assert_eq!(code, 0, "civitas {}:\n{out}\n{err}", args.join(" "));
    out + &err
}

#[test]
fn the_desk_signs_under_x509_hash_and_the_wallet_checks_the_chain() {
    let dir = scratch("haip");
    drop(Server::start(&["--demo", "--dir", dir.to_str().unwrap()]));
    for k in ["ca.key", "ica.key", "other-ca.key"] {
        ok(&dir, &["keygen", "--alg", "p256", "-o", k]);
    }
    ok(
        &dir,
        &[
            "cert",
            "ca",
            "--key",
            "ca.key",
            "--name",
            "CN=Agencies Root,O=State",
            "-o",
            "ca.pem",
        ],
    );
    ok(
        &dir,
        &[
            "cert",
            "ca",
            "--key",
            "other-ca.key",
            "--name",
            "CN=Other Root",
            "-o",
            "other-ca.pem",
        ],
    );
    ok(
        &dir,
        &[
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
        ],
    );
    let said = ok(
        &dir,
        &[
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
        ],
    );
    assert!(said.contains("x509_hash:"), "{said}");
    // The chain is the leaf and the intermediate, not the root.
    let chain = std::fs::read_to_string(dir.join("desk-chain.pem")).unwrap();
    assert_eq!(chain.matches("BEGIN CERTIFICATE").count(), 2);
    let shown = ok(&dir, &["cert", "show", "desk-chain.pem"]);
    assert!(shown.contains("dns: desk.agency.example"), "{shown}");
    let hash = shown
        .lines()
        .find_map(|l| l.strip_prefix("x509_hash: "))
        .unwrap()
        .to_owned();
    // A leaf signed by a key that is not its CA's is refused.
    let (code, _, err) = run(
        &dir,
        &[
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
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("issuer's key"), "{err}");

    let config = std::fs::read_to_string(dir.join("config.toml"))
        .unwrap()
        .replace(
            "key = \"desk.key\"\n",
            "key = \"desk.key\"\ncertificate = \"desk-chain.pem\"\n",
        );
    std::fs::write(dir.join("haip.toml"), &config).unwrap();
    let desk = Server::start(&["--config", dir.join("haip.toml").to_str().unwrap()]);
    let checks = desk.json("/desk/checks", None);
    assert_eq!(checks["client_id"], format!("x509_hash:{hash}"), "{checks}");

    let wallet = dir.join("wallet");
    let ca = dir.join("ca.pem");
    let other = dir.join("other-ca.pem");
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
    // The root itself as the desk's certificate's CA file is not a PEM of anchors for a
    // wrong file: a clear error.
    let (id, url) = desk.check("diploma", None);
    let r = respond(
        &wallet,
        &url,
        &["--verifier-ca", dir.join("haip.toml").to_str().unwrap()],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no PEM certificate"), "{}", r.stderr);
    drop(id);

    // x509_san_dns: the desk's public URL must be on a name the leaf carries.
    std::fs::write(
        dir.join("san.toml"),
        config.replace(
            "certificate = \"desk-chain.pem\"\n",
            "certificate = \"desk-chain.pem\"\nclient_id_prefix = \"x509_san_dns\"\npublic_url = \"https://other.agency.example\"\ntoken = \"a-desk-token-of-some-length\"\n",
        ),
    )
    .unwrap();
    let (code, _, err) = run(&dir, &["serve", "--config", "san.toml", "--port", "0"]);
    assert_eq!(code, 2);
    assert!(err.contains("does not name other.agency.example"), "{err}");
    // A certificate for another key than the desk's is refused at start.
    std::fs::write(
        dir.join("wrongkey.toml"),
        config.replace("key = \"desk.key\"\n", "key = \"ica.key\"\n"),
    )
    .unwrap();
    let (code, _, err) = run(&dir, &["serve", "--config", "wrongkey.toml", "--port", "0"]);
    assert_eq!(code, 2);
    assert!(err.contains("not for the desk key"), "{err}");

    // An SD-JWT VC issued under an x5c chain: the trust file names the CA, not the key.
    for k in ["pid.key", "phone.key"] {
        ok(&dir, &["keygen", "--alg", "p256", "-o", k]);
    }
    ok(
        &dir,
        &[
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
        ],
    );
    std::fs::write(
        dir.join("pid-claims.json"),
        r#"{"given_name": "Ada", "family_name": "Lovelace"}"#,
    )
    .unwrap();
    let issue = |iss: &str, chain: &str, out: &str| {
        run(
            &dir,
            &[
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
            ],
        )
    };
    assert_eq!(
        issue("https://pid.example", "pid-chain.pem", "pid.sd-jwt").0,
        0
    );
    assert_eq!(
        issue("https://elsewhere.example", "pid-chain.pem", "other.sd-jwt").0,
        0
    );
    // The desk's chain is for another key: refused at issuance.
    let (code, _, err) = issue("https://pid.example", "desk-chain.pem", "x.sd-jwt");
    assert_eq!(code, 2);
    assert!(err.contains("not for the key"), "{err}");
    std::fs::write(dir.join("disclose.json"), r#"["/given_name"]"#).unwrap();
    let ca_pem = std::fs::read_to_string(&ca).unwrap();
    std::fs::write(
        dir.join("x509-trust.toml"),
        format!(
            "[[issuer]]\nx509_ca = \"\"\"\n{ca_pem}\"\"\"\nname = \"PID providers of the State\"\ncredential_types = [\"urn:eudi:pid:1\"]\n"
        ),
    )
    .unwrap();
    let verify = |credential: &str| {
        ok(
            &dir,
            &[
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
            ],
        );
        let (code, out, _) = run(
            &dir,
            &[
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
            ],
        );
        (code, out)
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
    let _ = std::fs::remove_dir_all(&dir);
}
