//! Command-line tests: every command's success and failure paths and exit codes, run against
//! the built `civitas` binary in a scratch directory.
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use super::repo;
use super::support::{CONTEXT_URL, Run, Scratch, civitas, context, context_file, diploma};

/// A scratch directory for the test `name` whose every run is given the diploma context.
fn desk(name: &str) -> Scratch {
    Scratch::new(&format!("cli-{name}")).with_context()
}

/// What these tests do at a [`desk`] beyond running `civitas` there.
trait Desk {
    /// Run with standard output a pipe whose reader is already gone (`civitas ... | head`
    /// after `head` exited): every write to it fails with EPIPE, deterministically.
    fn run_into_closed_pipe(&self, args: &[&str]) -> Run;
    /// Keys, a revocation list, a trust file, a signed diploma (status index 3), a derived
    /// credential and a presentation for challenge c1 / domain d.
    fn setup(&self);
    /// `civitas verify` at this desk; without a `--challenge` of its own, with the one the
    /// setup's presentation (`vp.json`) was made for.
    fn verify(&self, extra: &[&str]) -> Run;
}

impl Desk for Scratch {
    fn run_into_closed_pipe(&self, args: &[&str]) -> Run {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        Run::of(self.command(args).stdout(writer).stderr(Stdio::piped()))
    }

    fn setup(&self) {
        self.ok(&["keygen", "--alg", "bbs", "-o", "uni.key"]);
        self.ok(&["keygen", "--alg", "p256", "-o", "status.key"]);
        self.ok(&["keygen", "--alg", "p256", "-o", "phone.key"]);
        std::fs::create_dir_all(self.path("lists")).unwrap();
        self.ok(&[
            "status",
            "create",
            "--key",
            "status.key",
            "--id",
            "https://uni.example/status/1",
            "-o",
            "lists/revocation.json",
        ]);
        // Issued to the phone's DID: the identified kind of presentation.
        let phone = self.read_json("phone.key");
        let mut diploma = diploma();
        diploma["credentialSubject"]["id"] = phone["controller"].clone();
        self.write_json("diploma.json", &diploma);
        self.write_json("mandatory.json", &json!(["/credentialSubject/degree/type"]));
        self.ok(&[
            "issue",
            "--key",
            "uni.key",
            "--mandatory",
            "mandatory.json",
            "--status-list",
            "lists/revocation.json",
            "--status-index",
            "3",
            "diploma.json",
            "-o",
            "signed.json",
        ]);
        self.write_json("disclose.json", &json!(["/credentialSubject/degree/name"]));
        self.ok(&[
            "derive",
            "--disclose",
            "disclose.json",
            "signed.json",
            "-o",
            "derived.json",
        ]);
        self.ok(&[
            "present",
            "--holder-key",
            "phone.key",
            "--challenge",
            "c1",
            "--domain",
            "d",
            "derived.json",
            "-o",
            "vp.json",
        ]);
        let trust = format!(
            "[[issuer]]\ndid = \"{}\"\nname = \"University of Civitas\"\ncredential_types = [\"UniversityDegreeCredential\"]\nstatus_list_signers = [\"{}\"]\n",
            self.did("uni.key"),
            self.did("status.key")
        );
        std::fs::write(self.path("trust.toml"), trust).unwrap();
    }

    fn verify(&self, extra: &[&str]) -> Run {
        let mut args = vec!["verify", "--trust", "trust.toml", "--status-dir", "lists"];
        if !extra.contains(&"--challenge") && !extra.contains(&"--dangerous-no-challenge") {
            args.extend_from_slice(&["--challenge", "c1", "--domain", "d"]);
        }
        args.extend_from_slice(extra);
        self.run(&args)
    }
}

#[test]
fn help_has_examples_and_exit_codes() {
    let d = desk("help");
    let r = d.ok(&["--help"]);
    assert!(r.stdout.contains("Exit status: 0 valid"), "{}", r.stdout);
    for cmd in [
        &["keygen"][..],
        &["issue"],
        &["derive"],
        &["present"],
        &["verify"],
        &["status", "create"],
        &["status", "revoke"],
        &["qr", "encode"],
        &["demo"],
    ] {
        let mut args = cmd.to_vec();
        args.push("--help");
        let r = d.ok(&args);
        assert!(
            r.stdout.contains("Example"),
            "{cmd:?} --help has no example:\n{}",
            r.stdout
        );
    }
    // Usage errors exit 2.
    assert_eq!(d.run(&["frobnicate"]).code, 2);
    assert_eq!(d.run(&["keygen", "--alg", "rsa", "-o", "k"]).code, 2);
}

#[test]
fn keygen_writes_owner_only_files_and_refuses_to_overwrite() {
    let d = desk("keygen");
    let r = d.ok(&["keygen", "--alg", "bbs", "-o", "k.key"]);
    assert!(r.stdout.starts_with("did:key:zUC"), "{}", r.stdout);
    let r = d.ok(&["keygen", "--alg", "p256", "-o", "p.key"]);
    assert!(r.stdout.starts_with("did:key:zDn"), "{}", r.stdout);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(d.path("k.key"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }
    let r = d.code(&["keygen", "--alg", "bbs", "-o", "k.key"], 2);
    assert!(r.stderr.contains("exists"), "{}", r.stderr);
    d.ok(&["keygen", "--alg", "bbs", "-o", "k.key", "--force"]);
    // Without -o: a default name in the current directory, also never overwritten.
    d.ok(&["keygen", "--alg", "p256"]);
    assert!(d.path("civitas-p256.key").exists());
    d.code(&["keygen", "--alg", "p256"], 2);
}

#[test]
fn issue_derive_present_verify_and_their_failures() {
    let d = desk("flow");
    d.setup();
    // The issuer was set to the key's DID and the status entry added.
    let signed = d.read_json("signed.json");
    assert_eq!(signed["issuer"]["id"], d.did("uni.key"));
    assert_eq!(signed["credentialStatus"]["statusListIndex"], "3");

    // Valid, human and JSON.
    let r = d.verify(&[
        "--challenge",
        "c1",
        "--domain",
        "d",
        "--require",
        "/credentialSubject/degree/name",
        "vp.json",
    ]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stdout
            .starts_with("VALID: UniversityDegreeCredential from University of Civitas"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("MSc Computer Science"), "{}", r.stdout);
    assert!(
        !r.stdout.contains("1990-12-10"),
        "the birth date must stay hidden"
    );
    let r = d.verify(&[
        "--challenge",
        "c1",
        "--domain",
        "d",
        "--format",
        "json",
        "vp.json",
    ]);
    assert_eq!(r.code, 0, "{}", r.all());
    let j: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(j["version"], 1);
    assert_eq!(j["results"][0]["verdict"], "valid");
    assert_eq!(
        j["results"][0]["credentials"][0]["claims"]["/credentialSubject/degree/name"],
        "MSc Computer Science"
    );
    assert_eq!(j["summary"]["valid"], 1);

    // A bare derived credential is refused by default: no challenge was given to the
    // desk, and nothing binds it to whoever shows it...
    let r = d.run(&[
        "verify",
        "--trust",
        "trust.toml",
        "--status-dir",
        "lists",
        "derived.json",
    ]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.stdout.contains("replay protection is on by default"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("holder-binding"), "{}", r.stdout);
    // ...with a challenge, its presentation header must bind it (this one binds nothing)...
    let r = d.verify(&["--challenge", "c1", "derived.json"]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.stdout.contains("presentation header does not bind"),
        "{}",
        r.stdout
    );
    // ...derived for this desk's request it is fresh, and still a bearer credential: it
    // passes only with that danger named, which the result reports.
    d.ok(&[
        "derive",
        "--disclose",
        "disclose.json",
        "--challenge",
        "c1",
        "--domain",
        "d",
        "signed.json",
        "-o",
        "bound.json",
    ]);
    let r = d.verify(&["--challenge", "c1", "--domain", "d", "bound.json"]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(!r.stdout.contains("challenge"), "{}", r.stdout);
    let r = d.verify(&[
        "--challenge",
        "c1",
        "--domain",
        "d",
        "--dangerous-allow-bearer",
        "bound.json",
    ]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stdout.contains("--dangerous-allow-bearer"),
        "{}",
        r.stdout
    );
    let r = d.verify(&[
        "--challenge",
        "c2",
        "--domain",
        "d",
        "--dangerous-allow-bearer",
        "bound.json",
    ]);
    assert_eq!(r.code, 1, "replayed: {}", r.all());

    // Wrong challenge, wrong domain: invalid.
    let r = d.verify(&["--challenge", "other", "--domain", "d", "vp.json"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("challenge:"), "{}", r.stdout);
    assert_eq!(
        d.verify(&["--challenge", "c1", "--domain", "elsewhere", "vp.json"])
            .code,
        1
    );

    // Tampered: invalid, with the proof check named.
    let mut t = d.read_json("vp.json");
    t["verifiableCredential"][0]["credentialSubject"]["degree"]["name"] = json!("PhD");
    d.write_json("tampered.json", &t);
    let r = d.verify(&["tampered.json"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("holder-proof") || r.stdout.contains("proof"),
        "{}",
        r.stdout
    );

    // A required claim that was not disclosed.
    let r = d.verify(&["--require", "/credentialSubject/birthDate", "vp.json"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("required-claims") && r.stdout.contains("/credentialSubject/birthDate"),
        "{}",
        r.stdout
    );

    // Audit time after validUntil: expired.
    let r = d.verify(&["--at", "2080-01-01T00:00:00Z", "vp.json"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("expired"), "{}", r.stdout);

    // Untrusted issuer: invalid; allowed with the dangerous flag, which the output mentions.
    std::fs::write(d.path("empty.toml"), "").unwrap();
    let r = d.run(&[
        "verify",
        "--trust",
        "empty.toml",
        "--status-dir",
        "lists",
        "--challenge",
        "c1",
        "--domain",
        "d",
        "vp.json",
    ]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.stdout.contains("not in the trust list"), "{}", r.stdout);
    let r = d.run(&[
        "verify",
        "--dangerous-allow-any-issuer",
        "--status-dir",
        "lists",
        "--challenge",
        "c1",
        "--domain",
        "d",
        "vp.json",
    ]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stdout.contains("--dangerous-allow-any-issuer"),
        "{}",
        r.stdout
    );

    // Status list unavailable: invalid; skipped only with the dangerous flag.
    let r = d.run(&[
        "verify",
        "--trust",
        "trust.toml",
        "--challenge",
        "c1",
        "--domain",
        "d",
        "vp.json",
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("not available"), "{}", r.stdout);
    let r = d.run(&[
        "verify",
        "--trust",
        "trust.toml",
        "--dangerous-skip-status",
        "--challenge",
        "c1",
        "--domain",
        "d",
        "vp.json",
    ]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.contains("--dangerous-skip-status"));

    // Standard input.
    let vp = std::fs::read(d.path("vp.json")).unwrap();
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
            "d",
            "-",
        ],
        &vp,
    );
    assert_eq!(r.code, 0, "{}", r.all());

    // Revoked: invalid.
    d.ok(&[
        "status",
        "revoke",
        "--key",
        "status.key",
        "--list",
        "lists/revocation.json",
        "--index",
        "3",
    ]);
    let r = d.verify(&["vp.json"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("revoked"), "{}", r.stdout);
}

#[test]
fn input_errors_exit_2_and_name_the_problem() {
    let d = desk("errors");
    d.setup();
    std::fs::write(d.path("broken.json"), "{\"a\": [1, 2,\n").unwrap();
    let r = d.verify(&["broken.json"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stdout.contains("not valid JSON") && r.stdout.contains("line"),
        "{}",
        r.stdout
    );
    let r = d.verify(&["missing.json"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stdout.contains("cannot read missing.json"),
        "{}",
        r.stdout
    );
    // No trust list and no dangerous flag: usage error.
    let r = d.run(&["verify", "--challenge", "c1", "--domain", "d", "vp.json"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--trust"), "{}", r.stderr);
    // Wrong key types.
    let r = d.run(&["issue", "--key", "phone.key", "diploma.json"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("P-256") && r.stderr.contains("BBS"),
        "{}",
        r.stderr
    );
    let r = d.run(&[
        "present",
        "--holder-key",
        "uni.key",
        "--challenge",
        "c",
        "--domain",
        "d",
        "derived.json",
    ]);
    assert_eq!(r.code, 2);
    // Unknown pointers.
    d.write_json("bad-pointers.json", &json!(["/credentialSubject/nope"]));
    let r = d.run(&[
        "issue",
        "--key",
        "uni.key",
        "--mandatory",
        "bad-pointers.json",
        "diploma.json",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("/credentialSubject/nope"), "{}", r.stderr);
    let r = d.run(&["derive", "--disclose", "bad-pointers.json", "signed.json"]);
    assert_eq!(r.code, 2);
    // An undefined term is named.
    let mut doc = d.read_json("diploma.json");
    doc["credentialSubject"]["shoeSize"] = json!(44);
    d.write_json("undefined.json", &doc);
    let r = d.run(&["issue", "--key", "uni.key", "undefined.json"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("shoeSize"), "{}", r.stderr);
    // Status list misuse.
    let r = d.run(&[
        "status",
        "reinstate",
        "--key",
        "status.key",
        "--list",
        "lists/revocation.json",
        "--index",
        "1",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("permanent"), "{}", r.stderr);
    let r = d.run(&[
        "status",
        "revoke",
        "--key",
        "status.key",
        "--list",
        "lists/revocation.json",
        "--index",
        "99999999",
    ]);
    assert_eq!(r.code, 2);
    let r = d.run(&[
        "status",
        "revoke",
        "--key",
        "phone.key",
        "--list",
        "lists/revocation.json",
        "--index",
        "1",
    ]);
    assert_eq!(r.code, 2, "another key cannot update the list");
    let mut list = d.read_json("lists/revocation.json");
    list["credentialSubject"]["encodedList"] = json!("unot-gzip");
    d.write_json("broken-list.json", &list);
    let r = d.run(&["status", "show", "--list", "broken-list.json"]);
    assert_eq!(r.code, 2, "{}", r.all());
    // A QR image with no code.
    let r = d.verify(&[
        "--qr",
        &repo()
            .join("cli/tests/data/no-code.png")
            .display()
            .to_string(),
    ]);
    assert_eq!(r.code, 2, "{}", r.all());
}

#[test]
fn status_commands() {
    let d = desk("status");
    d.ok(&["keygen", "--alg", "p256", "-o", "s.key"]);
    d.ok(&[
        "status",
        "create",
        "--key",
        "s.key",
        "--id",
        "https://a.example/s/1",
        "--purpose",
        "suspension",
        "-o",
        "s.json",
    ]);
    d.code(
        &[
            "status",
            "create",
            "--key",
            "s.key",
            "--id",
            "https://a.example/s/1",
            "-o",
            "s.json",
        ],
        2,
    );
    d.ok(&[
        "status", "suspend", "--key", "s.key", "--list", "s.json", "--index", "5",
    ]);
    let r = d.ok(&["status", "show", "--list", "s.json", "--index", "5"]);
    assert!(
        r.stdout.contains("(1 set)") && r.stdout.contains("entry 5:  1"),
        "{}",
        r.stdout
    );
    d.ok(&[
        "status",
        "reinstate",
        "--key",
        "s.key",
        "--list",
        "s.json",
        "--index",
        "5",
    ]);
    let r = d.ok(&["status", "show", "--list", "s.json"]);
    assert!(r.stdout.contains("(0 set)"), "{}", r.stdout);
    let r = d.code(
        &[
            "status", "revoke", "--key", "s.key", "--list", "s.json", "--index", "5",
        ],
        2,
    );
    assert!(r.stderr.contains("suspension list"), "{}", r.stderr);
}

#[test]
fn batch_issuance_names_bad_rows_and_skips_what_was_issued() {
    let d = desk("batch");
    d.ok(&["keygen", "--alg", "bbs", "-o", "uni.key"]);
    let mut template: Value = diploma();
    template["credentialSubject"]["givenName"] = json!("{{given}}");
    template["credentialSubject"]["familyName"] = json!("{{family}}");
    template["credentialSubject"]["studentNumber"] = json!("{{student}}");
    d.write_json("template.json", &template);
    std::fs::write(d.path("class.csv"), "student,given,family\nS-1,Ada,Lovelace\nS-2,Alan,Turing\n\"S-3\",\"Grace\",\"Hopper, RADM\"\n").unwrap();
    let r = d.ok(&[
        "issue",
        "--key",
        "uni.key",
        "--template",
        "template.json",
        "--csv",
        "class.csv",
        "--out-dir",
        "out",
    ]);
    assert!(r.stdout.contains("issued 3, skipped 0"), "{}", r.stdout);
    assert_eq!(
        d.read_json("out/S-3.json")["credentialSubject"]["familyName"],
        "Hopper, RADM"
    );
    // Rerun: nothing issued twice.
    let r = d.ok(&[
        "issue",
        "--key",
        "uni.key",
        "--template",
        "template.json",
        "--csv",
        "class.csv",
        "--out-dir",
        "out",
    ]);
    assert!(r.stdout.contains("issued 0, skipped 3"), "{}", r.stdout);
    // A bad record names its line and column; earlier records are written whole.
    std::fs::write(
        d.path("bad.csv"),
        "student,given,family\nS-4,Ada,Lovelace\nS-5,,Turing\n",
    )
    .unwrap();
    let r = d.code(
        &[
            "issue",
            "--key",
            "uni.key",
            "--template",
            "template.json",
            "--csv",
            "bad.csv",
            "--out-dir",
            "out2",
        ],
        2,
    );
    assert!(r.stderr.contains("line 3, column given"), "{}", r.stderr);
    assert!(d.path("out2/S-4.json").exists());
    assert!(!d.path("out2/S-5.json").exists());
    let leftovers: Vec<_> = std::fs::read_dir(d.path("out2"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "half-written files left");
    // A CSV missing a column the template needs.
    std::fs::write(d.path("short.csv"), "student,given\nS-6,Ada\n").unwrap();
    let r = d.code(
        &[
            "issue",
            "--key",
            "uni.key",
            "--template",
            "template.json",
            "--csv",
            "short.csv",
            "--out-dir",
            "out3",
        ],
        2,
    );
    assert!(r.stderr.contains("family"), "{}", r.stderr);
}

#[test]
fn qr_round_trip_and_batch_verification() {
    let d = desk("qr");
    d.setup();
    let r = d.ok(&["qr", "encode", "vp.json", "-o", "vp.png"]);
    assert!(r.stdout.contains("QR version"), "{}", r.stdout);
    let r = d.verify(&["--challenge", "c1", "--domain", "d", "--qr", "vp.png"]);
    assert_eq!(r.code, 0, "{}", r.all());
    // A directory: one line per input and a summary; any invalid input makes the exit 1.
    std::fs::create_dir_all(d.path("inbox")).unwrap();
    std::fs::copy(d.path("vp.json"), d.path("inbox/a.json")).unwrap();
    std::fs::copy(d.path("derived.json"), d.path("inbox/b.json")).unwrap();
    let mut t = d.read_json("vp.json");
    t["holder"] = json!("did:key:zDnaeSomebodyElse");
    d.write_json("inbox/c.json", &t);
    let r = d.verify(&["inbox"]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.stdout.contains("1 valid, 2 invalid, 0 error(s) out of 3"),
        "{}",
        r.stdout
    );
}

#[test]
fn demo_runs_the_whole_story() {
    let d = desk("demo");
    let r = d.run(&["demo"]);
    assert_eq!(r.code, 0, "{}", r.all());
    for line in [
        "ok   genuine presentation accepted",
        "ok   tampered presentation rejected",
        "ok   replayed presentation rejected",
        "ok   forwarded credential rejected",
        "ok   second visit accepted",
        "ok   the agency sees the same pseudonym on the second visit",
        "ok   presentation at a second agency accepted",
        "ok   the second agency sees another pseudonym",
        "ok   revoked credential rejected",
    ] {
        assert!(
            r.stdout.contains(line),
            "missing {line:?} in:\n{}",
            r.stdout
        );
    }
}

#[test]
fn a_closed_pipe_ends_quietly_with_the_verdict() {
    let d = desk("pipe");
    d.setup();
    for (args, code) in [
        (
            &[
                "verify",
                "--trust",
                "trust.toml",
                "--status-dir",
                "lists",
                "--challenge",
                "c1",
                "--domain",
                "d",
                "vp.json",
            ][..],
            0,
        ),
        (
            &[
                "verify",
                "--trust",
                "trust.toml",
                "--status-dir",
                "lists",
                "--format",
                "json",
                "--challenge",
                "c1",
                "--domain",
                "d",
                "vp.json",
            ],
            0,
        ),
        (
            &[
                "verify",
                "--trust",
                "trust.toml",
                "--status-dir",
                "lists",
                "--challenge",
                "other",
                "vp.json",
                "derived.json",
            ],
            1,
        ),
        (&["status", "show", "--list", "lists/revocation.json"], 0),
        (&["derive", "--disclose", "disclose.json", "signed.json"], 0),
        (&["demo"], 0),
    ] {
        let r = d.run_into_closed_pipe(args);
        assert_eq!(r.code, code, "civitas {}:\n{}", args.join(" "), r.stderr);
        assert!(
            !r.stderr.contains("panicked") && !r.stderr.contains("Broken pipe"),
            "civitas {}:\n{}",
            args.join(" "),
            r.stderr
        );
    }
}

/// Characters that must never reach the officer's terminal raw.
fn raw_controls(s: &str) -> Vec<char> {
    s.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || matches!(
                    c,
                    '\u{061c}'
                        | '\u{200e}'
                        | '\u{200f}'
                        | '\u{202a}'..='\u{202e}'
                        | '\u{2066}'..='\u{2069}'
                        | '\u{2028}'
                        | '\u{2029}'
                )
        })
        .collect()
}

#[test]
fn signed_values_cannot_draw_on_the_terminal() {
    let d = desk("escape");
    d.setup();
    // The issuer signs values full of control characters (the signature is valid: a
    // careless or hostile issuer, or a CSV row, can do this).
    let mut doc = d.read_json("diploma.json");
    doc["credentialSubject"]["givenName"] =
        json!("Ada\n  status:    revocation: unset\r\u{1b}[2K\tX\u{7f}\u{9b}1m\u{85}\u{0}");
    doc["credentialSubject"]["familyName"] = json!(
        "\u{202e}ecalevoL\u{202a}\u{202b}\u{202c}\u{202d}\u{2066}\u{2067}\u{2068}\u{2069}\u{200e}\u{200f}\u{61c}\u{2028}\u{2029}"
    );
    d.write_json("evil.json", &doc);
    d.ok(&[
        "issue",
        "--key",
        "uni.key",
        "--mandatory",
        "mandatory.json",
        "--status-list",
        "lists/revocation.json",
        "--status-index",
        "4",
        "evil.json",
        "-o",
        "evil-signed.json",
    ]);
    d.write_json(
        "evil-disclose.json",
        &json!([
            "/credentialSubject/givenName",
            "/credentialSubject/familyName"
        ]),
    );
    d.ok(&[
        "derive",
        "--disclose",
        "evil-disclose.json",
        "evil-signed.json",
        "-o",
        "evil-derived.json",
    ]);
    // The holder chooses the challenge and domain the desk did not ask for.
    d.ok(&[
        "present",
        "--holder-key",
        "phone.key",
        "--challenge",
        "c\nVALID: forged\u{1b}]0;title\u{7}",
        "--domain",
        "d\r\u{202e}",
        "evil-derived.json",
        "-o",
        "evil-vp.json",
    ]);
    let r = d.verify(&[
        "--challenge",
        "c\nVALID: forged\u{1b}]0;title\u{7}",
        "--domain",
        "d\r\u{202e}",
        "evil-vp.json",
    ]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(raw_controls(&r.stdout).is_empty(), "{:?}", r.stdout);
    assert!(
        r.stdout.contains(
            "Ada\\n  status:    revocation: unset\\r\\u{1b}[2K\\tX\\u{7f}\\u{9b}1m\\u{85}\\u{0}"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("\\u{202e}ecalevoL\\u{202a}"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("challenge: c\\nVALID: forged\\u{1b}]0;title\\u{7}"),
        "{}",
        r.stdout
    );
    // No line of the output starts with anything the input chose.
    assert!(
        r.stdout.lines().filter(|l| l.starts_with("VALID")).count() == 1,
        "{}",
        r.stdout
    );
    // The JSON output keeps the values exactly (JSON escapes them itself).
    let r = d.verify(&[
        "--format",
        "json",
        "--challenge",
        "c\nVALID: forged\u{1b}]0;title\u{7}",
        "--domain",
        "d\r\u{202e}",
        "evil-vp.json",
    ]);
    let j: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        j["results"][0]["credentials"][0]["claims"]["/credentialSubject/givenName"],
        doc["credentialSubject"]["givenName"]
    );
    // Several inputs, one line each: the file names and the reasons are escaped too.
    std::fs::create_dir_all(d.path("inbox")).unwrap();
    std::fs::copy(d.path("evil-vp.json"), d.path("inbox/a.json")).unwrap();
    std::fs::write(
        d.path("inbox/b\nVALID    x.json  UniversityDegreeCredential\u{1b}[1A.json"),
        "{\"broken\n",
    )
    .unwrap();
    let mut t = d.read_json("evil-vp.json");
    t["verifiableCredential"][0]["credentialSubject"]["givenName"] = json!("Eve\n\u{1b}[2J");
    d.write_json("inbox/c.json", &t);
    let r = d.verify(&["--challenge", "other\u{1b}", "inbox"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(raw_controls(&r.stdout).is_empty(), "{:?}", r.stdout);
    assert_eq!(
        r.stdout.lines().filter(|l| l.starts_with("VALID")).count(),
        0,
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("b\\nVALID    x.json"), "{}", r.stdout);
}

#[test]
fn clock_skew_is_bounded_and_every_relaxation_is_reported() {
    let d = desk("skew");
    d.setup();
    // The diploma expires 2076-06-30T00:00:00Z; an audit 90 minutes later (by then the
    // status list has expired too, so status is not checked here).
    let late = "2076-06-30T01:30:00Z";
    let r = d.verify(&[
        "--at",
        late,
        "--dangerous-skip-status",
        "--clock-skew",
        "3600",
        "vp.json",
    ]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.stdout.contains("expired"), "{}", r.stdout);
    // More than an hour is a usage error without the dangerous flag...
    let r = d.verify(&["--at", late, "--clock-skew", "7200", "vp.json"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr.contains("--clock-skew 7200") && r.stderr.contains("--dangerous-clock-skew"),
        "{}",
        r.stderr
    );
    // ...and with it, accepted and reported, in human and JSON output.
    let r = d.verify(&[
        "--at",
        late,
        "--clock-skew",
        "7200",
        "--dangerous-clock-skew",
        "--dangerous-skip-status",
        "vp.json",
    ]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stdout
            .contains("WARNING: relaxed check --dangerous-clock-skew"),
        "{}",
        r.stdout
    );
    let r = d.verify(&[
        "--at",
        late,
        "--clock-skew",
        "7200",
        "--dangerous-clock-skew",
        "--dangerous-skip-status",
        "--format",
        "json",
        "vp.json",
    ]);
    let j: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(j["results"][0]["verdict"], "valid");
    assert_eq!(
        j["results"][0]["dangers"],
        json!(["--dangerous-clock-skew", "--dangerous-skip-status"])
    );
    // Every relaxation appears in every result: valid, invalid and error, one line or many.
    let r = d.verify(&[
        "--dangerous-skip-status",
        "--dangerous-clock-skew",
        "--format",
        "json",
        "vp.json",
        "missing.json",
    ]);
    assert_eq!(r.code, 2, "{}", r.all());
    let j: Value = serde_json::from_str(&r.stdout).unwrap();
    for i in 0..2 {
        assert_eq!(
            j["results"][i]["dangers"],
            json!(["--dangerous-clock-skew", "--dangerous-skip-status"]),
            "{}",
            r.stdout
        );
    }
    let r = d.verify(&["--dangerous-skip-status", "vp.json", "missing.json"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert_eq!(
        r.stdout
            .lines()
            .filter(|l| l.contains("[relaxed: --dangerous-skip-status]"))
            .count(),
        2,
        "{}",
        r.stdout
    );
    let r = d.verify(&["--dangerous-skip-status", "missing.json"]);
    assert!(
        r.stdout
            .contains("WARNING: relaxed check --dangerous-skip-status"),
        "{}",
        r.stdout
    );
}

#[test]
fn json_output_is_one_object_for_every_outcome() {
    let d = desk("jsonerr");
    d.setup();
    // (A directory holding one unusable list is not a configuration error: the other lists
    // are still used, see status_issuance.rs. A status directory that does not exist is.)
    std::fs::write(d.path("bad.toml"), "[[issuer]]\nname = 1\n").unwrap();
    for args in [
        // clap's own errors, --format json anywhere on the line
        &[
            "verify",
            "--format",
            "json",
            "--frobnicate",
            "--challenge",
            "c1",
            "--domain",
            "d",
            "vp.json",
        ][..],
        &[
            "verify",
            "--challenge",
            "c1",
            "--domain",
            "d",
            "vp.json",
            "--clock-skew",
            "soon",
            "--format=json",
        ],
        // configuration errors
        &[
            "verify",
            "--format",
            "json",
            "--challenge",
            "c1",
            "--domain",
            "d",
            "vp.json",
        ],
        &[
            "verify",
            "--format",
            "json",
            "--trust",
            "missing.toml",
            "--challenge",
            "c1",
            "--domain",
            "d",
            "vp.json",
        ],
        &[
            "verify", "--format", "json", "--trust", "bad.toml", "vp.json",
        ],
        &[
            "verify",
            "--format",
            "json",
            "--trust",
            "trust.toml",
            "--status-dir",
            "no-such-dir",
            "--challenge",
            "c1",
            "--domain",
            "d",
            "vp.json",
        ],
        &[
            "verify",
            "--format",
            "json",
            "--trust",
            "trust.toml",
            "--status-dir",
            "no-such-dir",
            "--challenge",
            "c1",
            "--domain",
            "d",
            "vp.json",
        ],
        &[
            "verify",
            "--format",
            "json",
            "--trust",
            "trust.toml",
            "--clock-skew",
            "86400",
            "--challenge",
            "c1",
            "--domain",
            "d",
            "vp.json",
        ],
        &["verify", "--format", "json", "--trust", "trust.toml"],
    ] {
        let r = d.run(args);
        assert_eq!(r.code, 2, "civitas {}:\n{}", args.join(" "), r.all());
        let parsed = serde_json::from_str::<Value>(&r.stdout);
        assert!(
            parsed.is_ok(),
            "civitas {}: not one JSON object:\n{}",
            args.join(" "),
            r.all()
        );
        let j = parsed.unwrap();
        assert_eq!(j["version"], 1, "{}", r.stdout);
        assert_eq!(j["results"], json!([]), "{}", r.stdout);
        assert_eq!(
            j["summary"],
            json!({"valid": 0, "invalid": 0, "error": 0, "batched": false}),
            "{}",
            r.stdout
        );
        assert!(
            j["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{}",
            r.stdout
        );
        // The human message still goes to standard error.
        assert!(!r.stderr.is_empty(), "{}", r.all());
    }
    // A checked input: the same object, with "error": null at the top.
    let r = d.verify(&["--format", "json", "vp.json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let j: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(j["error"], Value::Null);
    assert_eq!(j["summary"]["valid"], 1);
    // Help is not an error and stays text.
    let r = d.ok(&["verify", "--format", "json", "--help"]);
    assert!(r.stdout.contains("Usage"), "{}", r.stdout);
    // Without --format json, usage errors stay text only.
    let r = d.run(&["verify", "--frobnicate"]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
}

#[test]
fn a_rerun_after_an_interrupted_batch_leaves_no_temporary_files() {
    let d = desk("batchtmp");
    d.ok(&["keygen", "--alg", "bbs", "-o", "uni.key"]);
    let mut template: Value = diploma();
    template["credentialSubject"]["studentNumber"] = json!("{{student}}");
    d.write_json("template.json", &template);
    std::fs::write(d.path("class.csv"), "student\nS-1\nS-2\n").unwrap();
    // What an interrupted run (killed between writing a temporary file and renaming it)
    // leaves: half-written temporary files of a process that is gone, for a row of this
    // CSV and for a row the corrected CSV no longer has.
    std::fs::create_dir_all(d.path("out")).unwrap();
    let dead = 4_000_000_000u32; // above any Linux pid_max
    for name in ["S-2.json", "S-9.json"] {
        std::fs::write(d.path(&format!("out/.{name}.tmp-{dead}")), "{\"half").unwrap();
    }
    // Not ours, or not stale: left alone.
    let live = std::process::id();
    std::fs::write(d.path(&format!("out/.S-8.json.tmp-{live}")), "x").unwrap();
    std::fs::write(d.path("out/.notes.tmp"), "x").unwrap();
    let args = [
        "issue",
        "--key",
        "uni.key",
        "--template",
        "template.json",
        "--csv",
        "class.csv",
        "--out-dir",
        "out",
    ];
    let r = d.ok(&args);
    assert!(r.stdout.contains("issued 2, skipped 0"), "{}", r.stdout);
    let mut names: Vec<String> = std::fs::read_dir(d.path("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            format!(".S-8.json.tmp-{live}"),
            ".notes.tmp".to_owned(),
            "S-1.json".to_owned(),
            "S-2.json".to_owned()
        ]
    );
    // And a rerun with nothing to issue cleans up too.
    std::fs::write(d.path(&format!("out/.S-1.json.tmp-{dead}")), "{\"half").unwrap();
    let r = d.ok(&args);
    assert!(r.stdout.contains("issued 0, skipped 2"), "{}", r.stdout);
    assert!(!d.path(&format!("out/.S-1.json.tmp-{dead}")).exists());
}

#[cfg(unix)]
#[test]
fn key_file_permissions_are_checked() {
    use std::os::unix::fs::PermissionsExt;
    let d = desk("keyperm");
    d.setup();
    let chmod = |name: &str, mode: u32| {
        std::fs::set_permissions(d.path(name), std::fs::Permissions::from_mode(mode)).unwrap()
    };
    let present = |extra: &[&str]| {
        let mut args = vec![
            "present",
            "--holder-key",
            "phone.key",
            "--challenge",
            "c1",
            "--domain",
            "d",
            "derived.json",
            "-o",
            "vp2.json",
        ];
        args.extend_from_slice(extra);
        d.run(&args)
    };
    // Owner-only (as keygen writes it): no warning.
    let r = present(&[]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
    // Readable by the group or others: used, with a warning.
    for mode in [0o640, 0o604, 0o660] {
        chmod("phone.key", mode);
        let r = present(&[]);
        assert_eq!(r.code, 0, "{}", r.all());
        assert!(
            r.stderr.contains("warning") && r.stderr.contains(&format!("mode {mode:03o}")),
            "{mode:o}: {}",
            r.stderr
        );
    }
    // Writable by everyone: refused, in every command that loads a key...
    chmod("phone.key", 0o666);
    let r = present(&[]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr.contains("writable by every user")
            && r.stderr.contains("--dangerous-allow-writable-key"),
        "{}",
        r.stderr
    );
    chmod("uni.key", 0o646);
    let r = d.run(&["issue", "--key", "uni.key", "diploma.json"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("writable by every user"), "{}", r.stderr);
    chmod("status.key", 0o602);
    let r = d.run(&[
        "status",
        "revoke",
        "--key",
        "status.key",
        "--list",
        "lists/revocation.json",
        "--index",
        "1",
    ]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("writable by every user"), "{}", r.stderr);
    // ...unless the danger is named, and then still with a warning.
    let r = present(&["--dangerous-allow-writable-key"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stderr.contains("warning"), "{}", r.stderr);
}

#[cfg(unix)]
#[test]
fn only_regular_files_are_read_and_outputs_never_overwrite_inputs() {
    let d = desk("files");
    d.setup();
    // A FIFO (nobody writes to it: reading it would block forever) and a device.
    let fifo = d.path("pipe.json");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    for args in [
        &[
            "verify",
            "--trust",
            "trust.toml",
            "--status-dir",
            "lists",
            "pipe.json",
        ][..],
        &[
            "verify",
            "--trust",
            "pipe.json",
            "--challenge",
            "c1",
            "--domain",
            "d",
            "vp.json",
        ],
        &["verify", "--trust", "trust.toml", "--qr", "pipe.json"],
        &["derive", "--disclose", "pipe.json", "signed.json"],
        &["derive", "--disclose", "disclose.json", "/dev/zero"],
        &["qr", "encode", "/dev/zero", "-o", "x.png"],
        &["issue", "--key", "pipe.json", "diploma.json"],
        &[
            "present",
            "--holder-key",
            "phone.key",
            "--challenge",
            "c",
            "--domain",
            "d",
            "/dev/null",
        ],
    ] {
        let r = d.run(args);
        assert_eq!(r.code, 2, "civitas {}:\n{}", args.join(" "), r.all());
        let all = r.all();
        assert!(
            (all.contains("a FIFO") || all.contains("a device"))
                && all.contains("regular file")
                && all.contains("- for standard input"),
            "civitas {}:\n{all}",
            args.join(" ")
        );
    }
    // A directory given where a file is expected.
    let r = d.run(&["derive", "--disclose", "lists", "signed.json"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("a directory"), "{}", r.stderr);

    // derive -o onto its own input, under any name: refused, the input intact.
    let before = std::fs::read(d.path("signed.json")).unwrap();
    std::fs::hard_link(d.path("signed.json"), d.path("hardlink.json")).unwrap();
    std::os::unix::fs::symlink("signed.json", d.path("symlink.json")).unwrap();
    let absolute = d.path("signed.json").display().to_string();
    for out in [
        "signed.json",
        "./signed.json",
        absolute.as_str(),
        "hardlink.json",
        "symlink.json",
        "disclose.json",
    ] {
        let r = d.run(&[
            "derive",
            "--disclose",
            "disclose.json",
            "signed.json",
            "-o",
            out,
        ]);
        assert_eq!(r.code, 2, "-o {out}: {}", r.all());
        assert!(r.stderr.contains("destroy the input"), "{}", r.stderr);
    }
    assert_eq!(std::fs::read(d.path("signed.json")).unwrap(), before);
    // Another file is fine.
    d.ok(&[
        "derive",
        "--disclose",
        "disclose.json",
        "signed.json",
        "-o",
        "derived2.json",
    ]);
    // present -o onto a credential or the holder's key, qr encode -o onto its input.
    for out in ["derived.json", "phone.key"] {
        let r = d.run(&[
            "present",
            "--holder-key",
            "phone.key",
            "--challenge",
            "c",
            "--domain",
            "d",
            "derived.json",
            "-o",
            out,
        ]);
        assert_eq!(r.code, 2, "-o {out}: {}", r.all());
    }
    let r = d.run(&["qr", "encode", "vp.json", "-o", "vp.json"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(d.read_json("vp.json")["holder"].is_string());
}

#[test]
fn present_and_qr_never_hand_over_a_base_proof_or_a_secret_key() {
    let d = desk("leak");
    d.setup();
    let present = |input: &str| {
        d.run(&[
            "present",
            "--holder-key",
            "phone.key",
            "--challenge",
            "c",
            "--domain",
            "d",
            "derived.json",
            input,
            "-o",
            "out.json",
        ])
    };
    // The signed credential (base proof): every claim and the HMAC key.
    let r = present("signed.json");
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr
            .contains("signed.json: /proof/proofValue is a bbs-2023 base proof")
            && r.stderr.contains("civitas derive"),
        "{}",
        r.stderr
    );
    assert!(!d.path("out.json").exists());
    // A key file passed as a credential.
    let r = present("uni.key");
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr.contains("/secretKeyMultibase is a secret key"),
        "{}",
        r.stderr
    );
    // A derived credential is fine (the proof value of a derived proof).
    d.ok(&[
        "present",
        "--holder-key",
        "phone.key",
        "--challenge",
        "c",
        "--domain",
        "d",
        "derived.json",
        "-o",
        "out.json",
    ]);

    // qr encode: a base proof anywhere, or a secret key anywhere, is refused.
    let mut vp_with_base = d.read_json("vp.json");
    vp_with_base["verifiableCredential"]
        .as_array_mut()
        .unwrap()
        .push(d.read_json("signed.json"));
    d.write_json("vp-with-base.json", &vp_with_base);
    let mut with_key = d.read_json("vp.json");
    with_key["note"] = json!({"keys": [d.read_json("phone.key")]});
    d.write_json("vp-with-key.json", &with_key);
    for (input, what) in [
        ("signed.json", "/proof/proofValue is a bbs-2023 base proof"),
        (
            "vp-with-base.json",
            "/verifiableCredential/1/proof/proofValue is a bbs-2023 base proof",
        ),
        ("uni.key", "/secretKeyMultibase is a secret key"),
        ("phone.key", "/secretKeyMultibase is a secret key"),
        (
            "vp-with-key.json",
            "/note/keys/0/secretKeyMultibase is a secret key",
        ),
    ] {
        let r = d.run(&["qr", "encode", input, "-o", "leak.png"]);
        assert_eq!(r.code, 2, "{input}: {}", r.all());
        assert!(r.stderr.contains(what), "{input}: {}", r.stderr);
        assert!(!d.path("leak.png").exists(), "{input}");
    }
    d.ok(&["qr", "encode", "vp.json", "-o", "ok.png"]);
}

/// Split a command line the way a POSIX shell does for the demo's quoting: words separated
/// by spaces, single quotes kept together (`'\''` is a quote inside them).
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                in_word = true;
            }
            ' ' if !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

#[test]
fn the_demo_prints_commands_that_run_as_printed() {
    let d = desk("demoprinted");
    let demo_dir = d.path("story");
    // Exactly what a user types: no --context anywhere.
    let out = civitas()
        .current_dir(d.dir())
        .args(["demo", "--dir", "story"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    // Every command is printed complete: the wallet's and issuer's name their context...
    for cmd in ["issue", "holder import", "holder present", "present"] {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(&format!("$ civitas {cmd} ")));
        assert!(line.is_some(), "no {cmd} command in:\n{stdout}");
        let line = line.unwrap();
        assert!(
            line.contains(
                "--context https://civitas.example/contexts/diploma/v1=contexts/diploma-v1.jsonld"
            ),
            "{line}"
        );
    }
    // ...and the agency's verify commands need none: the trust file names it.
    let verifies: Vec<(usize, &str)> = stdout
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("$ civitas verify "))
        .collect();
    assert_eq!(verifies.len(), 7, "{stdout}");
    assert!(verifies.iter().all(|(_, l)| !l.contains("--context")));
    assert!(stdout.contains("[[context]]\nurl = \"https://civitas.example/contexts/diploma/v1\"\nfile = \"contexts/diploma-v1.jsonld\""), "{stdout}");

    // A printed verify command, run as printed from the demo's directory, gives the verdict
    // the demo printed for it, line for line, with the same exit status: step 2 (tampered)
    // and step 7 (revoked), whose verdicts the later revocation does not change.
    let lines: Vec<&str> = stdout.lines().collect();
    let run_printed = |command: &str, extra: &[&str]| {
        let mut words = shell_words(command.trim_start_matches("$ "));
        assert_eq!(words[0], "civitas");
        words.extend(extra.iter().map(|s| (*s).to_owned()));
        let out = civitas()
            .current_dir(&demo_dir)
            .args(&words[1..])
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    for (step, first_line) in [
        (1, "INVALID: tampered.json"),
        (6, "INVALID: presentation.json"),
    ] {
        let (at, command) = verifies[step];
        let printed: Vec<&str> = lines[at + 1..]
            .iter()
            .take_while(|l| !l.is_empty() && !l.starts_with("== ") && !l.starts_with("# "))
            .copied()
            .collect();
        assert_eq!(printed.first(), Some(&first_line), "{stdout}");
        let (code, rerun) = run_printed(command, &[]);
        assert_eq!(rerun.lines().collect::<Vec<_>>(), printed, "{command}");
        assert_eq!(code, Some(1), "{command}");
    }
    // Step 1's command now finds the diploma revoked (step 7 revoked it); with status
    // checking relaxed, it shows everything else it checked still passes, the context
    // coming from the trust file.
    let (code, text) = run_printed(verifies[0].1, &["--dangerous-skip-status"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.starts_with("VALID: UniversityDegreeCredential from University of Civitas"),
        "{text}"
    );
    let (code, text) = run_printed(verifies[0].1, &[]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("revoked by its issuer"), "{text}");
}

#[test]
fn contexts_named_in_the_trust_file_are_loaded_relative_to_it() {
    let d = desk("trustctx");
    d.setup();
    let ctx = context_file();
    std::fs::create_dir_all(d.path("desk/contexts")).unwrap();
    std::fs::copy(&ctx, d.path("desk/contexts/diploma.jsonld")).unwrap();
    let trust = std::fs::read_to_string(d.path("trust.toml")).unwrap();
    let with_ctx = format!(
        "{trust}\n[[context]]\nurl = \"{CONTEXT_URL}\"\nfile = \"contexts/diploma.jsonld\"\n"
    );
    std::fs::write(d.path("desk/trust.toml"), &with_ctx).unwrap();
    // Run without --context (the Desk helper always adds one), from another directory.
    let raw = |args: &[&str]| {
        let r = Run::of(civitas().current_dir(d.dir()).args(args));
        (r.code, r.stdout, r.stderr)
    };
    // Without the context: the credential's vocabulary is unknown.
    let (code, stdout, _) = raw(&[
        "verify",
        "--trust",
        "trust.toml",
        "--status-dir",
        "lists",
        "--challenge",
        "c1",
        "--domain",
        "d",
        "vp.json",
    ]);
    assert_ne!(code, 0, "{stdout}");
    // With it named in the trust file: valid.
    let (code, stdout, stderr) = raw(&[
        "verify",
        "--trust",
        "desk/trust.toml",
        "--status-dir",
        "lists",
        "--challenge",
        "c1",
        "--domain",
        "d",
        "vp.json",
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.starts_with("VALID"), "{stdout}");
    // --context still works beside it (the same document under the same URL is fine).
    let (code, stdout, stderr) = raw(&[
        "verify",
        "--context",
        &context(&ctx),
        "--trust",
        "desk/trust.toml",
        "--status-dir",
        "lists",
        "--challenge",
        "c1",
        "--domain",
        "d",
        "vp.json",
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    // A missing context file, a URL listed twice, an issuer DID listed twice: exit 2,
    // naming the problem.
    let missing = with_ctx.replace("contexts/diploma.jsonld", "contexts/nope.jsonld");
    std::fs::write(d.path("desk/missing.toml"), missing).unwrap();
    let twice = format!(
        "{with_ctx}\n[[context]]\nurl = \"{CONTEXT_URL}\"\nfile = \"contexts/diploma.jsonld\"\n"
    );
    std::fs::write(d.path("desk/twice.toml"), twice).unwrap();
    let dup_issuer = format!("{trust}\n{trust}");
    std::fs::write(d.path("desk/dup.toml"), dup_issuer).unwrap();
    for (file, what) in [
        ("desk/missing.toml", "nope.jsonld"),
        ("desk/twice.toml", "listed twice"),
        ("desk/dup.toml", "is already the DID of issuer"),
    ] {
        let (code, _, stderr) = raw(&[
            "verify",
            "--trust",
            file,
            "--status-dir",
            "lists",
            "--challenge",
            "c1",
            "--domain",
            "d",
            "vp.json",
        ]);
        assert_eq!(code, 2, "{file}: {stderr}");
        assert!(stderr.contains(what), "{file}: {stderr}");
    }
    // A bundled context cannot be replaced through the trust file.
    let bundled = format!(
        "{trust}\n[[context]]\nurl = \"https://www.w3.org/ns/credentials/v2\"\nfile = \"contexts/diploma.jsonld\"\n"
    );
    std::fs::write(d.path("desk/bundled.toml"), bundled).unwrap();
    let (code, _, stderr) = raw(&[
        "verify",
        "--trust",
        "desk/bundled.toml",
        "--challenge",
        "c1",
        "--domain",
        "d",
        "vp.json",
    ]);
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn a_wallet_requests_imports_and_presents_anonymously_with_a_pseudonym_per_desk() {
    let desk = desk("holder");
    desk.setup();
    desk.ok(&["holder", "init", "--wallet", "ada"]);
    let r = desk.run(&["holder", "init", "--wallet", "ada"]);
    assert_eq!(
        r.code,
        2,
        "a second init over a wallet is refused: {}",
        r.all()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(desk.path("ada/wallet.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the storage key is owner-only");
    }
    desk.ok(&[
        "holder",
        "request",
        "--wallet",
        "ada",
        "--feature",
        "holder-binding-pseudonym",
        "-o",
        "req.json",
    ]);
    let req = desk.read_json("req.json");
    assert_eq!(req["type"], "CivitasCredentialRequest");
    assert_eq!(req["feature"], "holder_binding_pseudonym");

    // The university issues on the request; no subject DID is needed.
    let mut diploma = desk.read_json("diploma.json");
    diploma["credentialSubject"]
        .as_object_mut()
        .unwrap()
        .remove("id");
    desk.write_json("anon-diploma.json", &diploma);
    desk.ok(&[
        "issue",
        "--key",
        "uni.key",
        "--holder-request",
        "req.json",
        "anon-diploma.json",
        "-o",
        "bound.json",
    ]);
    let r = desk.ok(&["holder", "import", "--wallet", "ada", "bound.json"]);
    assert!(
        r.stdout.contains("bound to this wallet's secret"),
        "{}",
        r.all()
    );
    let list = desk.ok(&["holder", "list", "--wallet", "ada", "--format", "json"]);
    let list: Value = serde_json::from_str(&list.stdout).unwrap();
    assert_eq!(
        list["credentials"][0]["feature"],
        "holder_binding_pseudonym"
    );
    assert_eq!(list["pending_requests"], 0);

    // Another wallet cannot import it.
    desk.ok(&["holder", "init", "--wallet", "eve"]);
    let r = desk.run(&["holder", "import", "--wallet", "eve", "bound.json"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("another wallet"), "{}", r.stderr);

    let present = |challenge: &str, domain: &str, out: &str| {
        desk.ok(&[
            "holder",
            "present",
            "--wallet",
            "ada",
            "--challenge",
            challenge,
            "--domain",
            domain,
            "--disclose",
            "disclose.json",
            "-o",
            out,
        ])
    };
    let r = present("n1", "https://a.example", "a1.json");
    assert!(r.stderr.contains("for the first time"), "{}", r.stderr);
    let a1 = desk.read_json("a1.json");
    assert!(a1.get("holder").is_none() && a1.get("proof").is_none());
    let verify = |challenge: &str, domain: &str, file: &str| {
        desk.run(&[
            "verify",
            "--trust",
            "trust.toml",
            "--status-dir",
            "lists",
            "--challenge",
            challenge,
            "--domain",
            domain,
            "--format",
            "json",
            file,
        ])
    };
    let v = verify("n1", "https://a.example", "a1.json");
    assert_eq!(v.code, 0, "{}", v.all());
    let out: Value = serde_json::from_str(&v.stdout).unwrap();
    let cred = &out["results"][0]["credentials"][0];
    assert_eq!(cred["holder_binding"], "secret", "{out}");
    let nym_a = cred["pseudonym"].as_str().unwrap().to_owned();
    assert_eq!(out["results"][0]["dangers"], json!([]), "{out}");

    // Returning to A: the same pseudonym, and the wallet says so.
    let r = present("n2", "https://a.example", "a2.json");
    assert!(r.stderr.contains("seen before"), "{}", r.stderr);
    let v = verify("n2", "https://a.example", "a2.json");
    let out: Value = serde_json::from_str(&v.stdout).unwrap();
    assert_eq!(
        out["results"][0]["credentials"][0]["pseudonym"],
        nym_a.as_str()
    );
    // At B: another pseudonym.
    present("n3", "https://b.example", "b.json");
    let v = verify("n3", "https://b.example", "b.json");
    assert_eq!(v.code, 0, "{}", v.all());
    let out: Value = serde_json::from_str(&v.stdout).unwrap();
    assert_ne!(
        out["results"][0]["credentials"][0]["pseudonym"],
        nym_a.as_str()
    );
    // A replay at A with a new challenge: refused.
    let v = verify("n4", "https://a.example", "a1.json");
    assert_eq!(v.code, 1, "{}", v.all());

    // The storage key from the environment instead of a key file.
    let key = "11".repeat(32);
    let r = civitas()
        .current_dir(desk.dir())
        .env("CIVITAS_WALLET_KEY", &key)
        .args(["holder", "init", "--wallet", "env-wallet"])
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(!desk.path("env-wallet/wallet.key").exists());
    let r = desk.run(&["holder", "list", "--wallet", "env-wallet"]);
    assert_eq!(r.code, 2, "without the key: {}", r.all());
    assert!(r.stderr.contains("CIVITAS_WALLET_KEY"), "{}", r.stderr);

    // The identified kind, for the credential issued to the phone's DID.
    desk.ok(&["holder", "import", "--wallet", "eve", "signed.json"]);
    desk.ok(&[
        "holder",
        "present",
        "--wallet",
        "eve",
        "--challenge",
        "c1",
        "--domain",
        "d",
        "--disclose",
        "disclose.json",
        "--identified",
        "--holder-key",
        "phone.key",
        "-o",
        "identified.json",
    ]);
    let v = desk.verify(&["identified.json"]);
    assert_eq!(v.code, 0, "{}", v.all());
    // That credential cannot be presented anonymously: nothing binds it to a secret.
    let r = desk.run(&[
        "holder",
        "present",
        "--wallet",
        "eve",
        "--challenge",
        "c1",
        "--domain",
        "d",
        "--disclose",
        "disclose.json",
    ]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr.contains("present this one identified"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_batch_binds_each_row_to_its_holders_request() {
    let d = desk("batch-bound");
    d.ok(&["keygen", "--alg", "bbs", "-o", "uni.key"]);
    let mut template: Value = diploma();
    template["credentialSubject"]
        .as_object_mut()
        .unwrap()
        .remove("id");
    template["credentialSubject"]["givenName"] = json!("{{given}}");
    d.write_json("template.json", &template);
    for who in ["ada", "alan"] {
        d.ok(&["holder", "init", "--wallet", who]);
        d.ok(&[
            "holder",
            "request",
            "--wallet",
            who,
            "--feature",
            "anonymous-holder-binding",
            "-o",
            &format!("{who}-req.json"),
        ]);
    }
    std::fs::write(
        d.path("class.csv"),
        "student,given,holder_request\nS-1,Ada,ada-req.json\nS-2,Alan,alan-req.json\n",
    )
    .unwrap();
    let args = [
        "issue",
        "--key",
        "uni.key",
        "--template",
        "template.json",
        "--csv",
        "class.csv",
        "--out-dir",
        "out",
    ];
    d.ok(&args);
    d.ok(&["holder", "import", "--wallet", "ada", "out/S-1.json"]);
    d.ok(&["holder", "import", "--wallet", "alan", "out/S-2.json"]);
    let r = d.run(&["holder", "import", "--wallet", "ada", "out/S-2.json"]);
    assert_eq!(r.code, 2, "Alan's diploma is not Ada's: {}", r.all());

    // A row naming a request file that is not one: refused before anything is written.
    std::fs::write(d.path("not-a-request.json"), "{\"type\": \"Nope\"}").unwrap();
    std::fs::write(
        d.path("class.csv"),
        "student,given,holder_request\nS-3,Grace,ada-req.json\nS-4,Edsger,not-a-request.json\n",
    )
    .unwrap();
    let r = d.run(&args);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr.contains("line 3, column holder_request"),
        "{}",
        r.stderr
    );
    assert!(!d.path("out/S-3.json").exists());
}

#[test]
fn a_directory_of_a_thousand_presentations_is_batch_verified_with_the_one_by_one_verdicts() {
    use civitas_core::bbs::{Ciphersuite, KeyPair, SecretKey};
    use civitas_core::bbs2023::BaseProofValue;
    use civitas_core::bbs2023::{Bbs2023, ProofOptions};
    use civitas_core::jsonld::JsonLdProcessor;
    use civitas_core::verifier::request_binding;

    let d = desk("batch-verify");
    let jsonld = JsonLdProcessor::default();
    jsonld
        .register_context(
            CONTEXT_URL,
            &std::fs::read_to_string(context_file()).unwrap(),
        )
        .unwrap();
    let bbs = Bbs2023::new(std::sync::Arc::new(jsonld));
    let pair = KeyPair::from_secret(
        SecretKey::key_gen(Ciphersuite::Bls12381Sha256, &[5u8; 32], b"", None).unwrap(),
    );
    let key = civitas_core::keys::PublicKey::Bls12381G2(pair.public().to_bytes());
    let issuer = civitas_core::did::did_key(&key);
    let mut doc: Value = diploma();
    doc["issuer"]["id"] = issuer.clone().into();
    let options = ProofOptions::assertion(civitas_core::did::verification_method_id(&key));
    let mandatory = vec!["/issuer".to_owned(), "/validFrom".to_owned()];
    let signed = bbs.sign(&doc, &pair, &options, &mandatory).unwrap();
    // A signature with another e: its proofs fail only their pairing equation.
    let mut forged = signed.clone();
    let mut base = BaseProofValue::parse(forged["proof"]["proofValue"].as_str().unwrap()).unwrap();
    base.bbs_signature[60] ^= 1;
    forged["proof"]["proofValue"] = base.serialize().into();
    let header = request_binding("c1", Some("d"));
    let pointers = ["/credentialSubject/degree/name".to_owned()];
    std::fs::create_dir_all(d.path("inbox")).unwrap();
    for i in 0..1000 {
        let source = if i == 500 { &forged } else { &signed };
        let mut derived = bbs.derive(source, &pointers, &header).unwrap();
        if i == 700 {
            derived["credentialSubject"]["degree"]["name"] = "PhD".into();
        }
        d.write_json(&format!("inbox/{i:04}.json"), &derived);
    }
    std::fs::write(
        d.path("trust.toml"),
        format!(
            "[[issuer]]\ndid = \"{issuer}\"\nname = \"Uni\"\ncredential_types = [\"UniversityDegreeCredential\"]\n"
        ),
    )
    .unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "verify",
            "--trust",
            "trust.toml",
            "--dangerous-skip-status",
            "--dangerous-allow-bearer",
            "--challenge",
            "c1",
            "--domain",
            "d",
            "--format",
            "json",
            "inbox",
        ];
        args.extend_from_slice(extra);
        let r = d.run(&args);
        assert_eq!(r.code, 1, "two inputs are invalid: {}", r.stderr);
        let v: Value = serde_json::from_str(&r.stdout).unwrap();
        v
    };
    let batched = run(&[]);
    let alone = run(&["--no-batch"]);
    assert_eq!(batched["summary"]["batched"], true);
    assert_eq!(alone["summary"]["batched"], false);
    assert_eq!(batched["results"], alone["results"]);
    assert_eq!(batched["summary"]["valid"], 998);
    let invalid: Vec<&Value> = batched["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["verdict"] != "valid")
        .collect();
    assert_eq!(invalid.len(), 2);
    assert!(
        invalid[0]["input"].as_str().unwrap().ends_with("0500.json"),
        "{:?}",
        invalid[0]
    );
    assert!(
        invalid[1]["input"].as_str().unwrap().ends_with("0700.json"),
        "{:?}",
        invalid[1]
    );
}
