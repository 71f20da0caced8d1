//! SD-JWT VC on the command line: `civitas issue --format sd-jwt-vc`, `civitas status create
//! --format token`, `civitas present --disclose`, and `civitas verify` reading the compact
//! form from a file or standard input, accepting a bound presentation and refusing forwarded,
//! replayed, tampered, over-disclosing and revoked ones with reasons.

use std::io::Write;
use std::path::PathBuf;
use std::process::Stdio;

use serde_json::Value;

use super::serve::{civitas, scratch};

struct Dir(PathBuf);

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Dir {
    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = civitas().current_dir(&self.0).args(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
    fn ok(&self, args: &[&str]) -> String {
        let (c, out, err) = self.run(args);
        assert_eq!(c, 0, "civitas {}:\n{out}\n{err}", args.join(" "));
        out
    }
    fn verify(&self, input: &str, challenge: &str) -> (i32, Value) {
        let (c, out, err) = self.run(&[
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
            c,
            serde_json::from_str(&out).unwrap_or_else(|_| panic!("{out}\n{err}")),
        )
    }
    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.0.join(name)).unwrap()
    }
    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.0.join(name), text).unwrap();
    }
}

fn failures(v: &Value) -> String {
    v["results"][0]["failures"].to_string()
}

#[test]
fn an_sd_jwt_vc_is_issued_presented_and_verified_and_bad_ones_are_refused() {
    let d = Dir(scratch("sdjwt"));
    std::fs::create_dir_all(d.0.join("lists")).unwrap();
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
    let (code, v) = d.verify("vp.sd-jwt", "c1");
    assert_eq!(code, 0, "{v}");
    let c = &v["results"][0]["credentials"][0];
    assert_eq!(c["holder_binding"], "key");
    assert_eq!(c["types"][0], "urn:eudi:pid:1");
    assert_eq!(c["issuer_name"], "PID Provider");
    assert_eq!(c["claims"]["/given_name"], "Ada");
    assert_eq!(c["claims"]["/address/locality"], "Civitas");
    assert!(c["claims"].get("/birthdate").is_none(), "{c}");
    let mut child = civitas()
        .current_dir(&d.0)
        .args([
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
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(d.read("vp.sd-jwt").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // Forwarded: bound by another key.
    present("thief.key", "c1", "stolen.sd-jwt");
    let (code, v) = d.verify("stolen.sd-jwt", "c1");
    assert_eq!(code, 1);
    assert!(failures(&v).contains("holder-binding"), "{v}");
    // Replayed at another visit.
    let (code, v) = d.verify("vp.sd-jwt", "c2");
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
    let (code, v) = d.verify("forged.sd-jwt", "c1");
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
    let (code, v) = d.verify("more.sd-jwt", "c1");
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
    let (code, v) = d.verify("vp.sd-jwt", "c1");
    assert_eq!(code, 1);
    assert!(failures(&v).contains("revoked by its issuer"), "{v}");
    let (code, _, err) = d.run(&[
        "status",
        "reinstate",
        "--key",
        "pid.key",
        "--list",
        "lists/pid-status.jwt",
        "--index",
        "3",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("permanent"), "{err}");
    // Usage errors say what is wrong.
    let (code, _, err) = d.run(&[
        "issue",
        "--format",
        "sd-jwt-vc",
        "--key",
        "pid.key",
        "claims.json",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--vct"), "{err}");
}
