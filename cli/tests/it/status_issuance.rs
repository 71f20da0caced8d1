//! Command-line tests of status list handling and issuance checks: `--status-dir` with a
//! duplicate or unreadable file, status updates that refresh validity and keep permissions,
//! the trust file's `status_list_max_age`, status indexes and data-model checks before
//! anything is written, and VC 1.1 credentials.
use std::sync::Arc;

use civitas_core::ecdsa::{DeviceKey, EcdsaProofOptions, EcdsaRdfc2019};
use civitas_core::jsonld::JsonLdProcessor;
use civitas_core::status::{StatusList, StatusPurpose, Timestamp, build_status_list_credential};
use serde_json::{Value, json};

use super::support::{CONTEXT_URL, Scratch, diploma};

const LIST_URL: &str = "https://uni.example/status/1";

/// A scratch directory for the test `name` whose every run is given the diploma context.
fn desk(name: &str) -> Scratch {
    Scratch::new(&format!("cli-si-{name}")).with_context()
}

/// What these tests do at a [`desk`] beyond running `civitas` there.
trait Desk {
    /// Keys, a revocation list in lists/, a trust file (with `extra` lines), and a derived
    /// diploma at status index 3.
    fn setup(&self, trust_extra: &str);
    /// `trust.toml`: the university as issuer and status-list signer, then the lines `extra`.
    fn trust(&self, extra: &str);
    /// A status list signed with `status.key` with the given validity (`validFrom` removed
    /// when `None`), as another tool might have made it.
    fn list_with_validity(&self, from: Option<&str>, until: Option<&str>) -> Value;
    /// The names of the files in `dir` (none when it is not there).
    fn files(&self, dir: &str) -> Vec<String>;
}

impl Desk for Scratch {
    fn setup(&self, trust_extra: &str) {
        self.ok(&["keygen", "--alg", "bbs", "-o", "uni.key"]);
        self.ok(&["keygen", "--alg", "p256", "-o", "status.key"]);
        std::fs::create_dir_all(self.path("lists")).unwrap();
        self.ok(&[
            "status",
            "create",
            "--key",
            "status.key",
            "--id",
            LIST_URL,
            "-o",
            "lists/revocation.json",
        ]);
        self.write_json("diploma.json", &diploma());
        self.ok(&[
            "issue",
            "--key",
            "uni.key",
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
        self.trust(trust_extra);
    }

    fn trust(&self, extra: &str) {
        let trust = format!(
            "[[issuer]]\ndid = \"{}\"\nname = \"University of Civitas\"\ncredential_types = [\"UniversityDegreeCredential\"]\nstatus_list_signers = [\"{}\"]\n{extra}",
            self.did("uni.key"),
            self.did("status.key")
        );
        std::fs::write(self.path("trust.toml"), trust).unwrap();
    }

    fn list_with_validity(&self, from: Option<&str>, until: Option<&str>) -> Value {
        let key = DeviceKey::from_multikey(
            self.read_json("status.key")["secretKeyMultibase"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
        let mut doc = build_status_list_credential(
            LIST_URL,
            &self.did("status.key"),
            StatusPurpose::Revocation,
            &StatusList::new(1).unwrap(),
            from.unwrap_or("2026-01-01T00:00:00Z"),
            until,
        )
        .unwrap();
        if from.is_none() {
            doc.as_object_mut().unwrap().remove("validFrom");
        }
        EcdsaRdfc2019::new(Arc::new(JsonLdProcessor::default()))
            .sign(
                &doc,
                &key,
                &EcdsaProofOptions::assertion(key.verification_method()),
            )
            .unwrap()
    }

    fn files(&self, dir: &str) -> Vec<String> {
        match std::fs::read_dir(self.path(dir)) {
            Ok(entries) => entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect(),
            Err(_) => Vec::new(),
        }
    }
}

fn seconds(s: &Value) -> i64 {
    Timestamp::parse(s.as_str().unwrap())
        .unwrap()
        .unix_seconds()
}

fn status_reasons(out: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(out).unwrap();
    v["results"][0]["failures"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "status")
        .map(|f| f["reason"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn status_dir_refuses_two_copies_of_a_list_and_survives_an_unreadable_file() {
    let d = desk("statusdir");
    d.setup("");
    let verify = [
        "verify",
        // bare credentials; these tests are about status lists and issuance
        "--dangerous-no-challenge",
        "--dangerous-allow-bearer",
        "--trust",
        "trust.toml",
        "--status-dir",
        "lists",
    ];
    d.ok(&[&verify[..], &["derived.json"]].concat());

    // A second copy of the list (here: an older one) under another name: which is current is
    // unknown, so nothing is verified, and both files are named.
    std::fs::copy(
        d.path("lists/revocation.json"),
        d.path("lists/old-copy.json"),
    )
    .unwrap();
    let r = d.code(&[&verify[..], &["derived.json"]].concat(), 2);
    assert!(
        r.stderr.contains("lists/old-copy.json")
            && r.stderr.contains("lists/revocation.json")
            && r.stderr.contains(LIST_URL),
        "{}",
        r.stderr
    );
    std::fs::remove_file(d.path("lists/old-copy.json")).unwrap();

    // An unreadable file is reported and the others are still used.
    std::fs::write(d.path("lists/broken.json"), "{ not json").unwrap();
    std::fs::write(d.path("lists/no-id.json"), "{}").unwrap();
    let r = d.ok(&[&verify[..], &["derived.json"]].concat());
    assert!(
        r.stderr.contains("warning") && r.stderr.contains("lists/broken.json"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("lists/no-id.json"), "{}", r.stderr);

    // Without the credential's list, its status check fails and says which files were unusable.
    std::fs::rename(d.path("lists/revocation.json"), d.path("revocation.json")).unwrap();
    let r = d.code(
        &[&verify[..], &["--format", "json", "derived.json"]].concat(),
        1,
    );
    let reasons = status_reasons(&r.stdout);
    assert!(
        reasons.iter().any(|s| s.contains("not available")
            && s.contains("lists/broken.json")
            && s.contains("lists/no-id.json")),
        "{reasons:?}"
    );

    // A list file that parses but does not decode is named too, and still tried.
    let mut bad = d.read_json("revocation.json");
    bad["credentialSubject"]["encodedList"] = json!("uH4sIAAAAAAAAA");
    d.write_json("lists/revocation.json", &bad);
    let r = d.code(
        &[&verify[..], &["--format", "json", "derived.json"]].concat(),
        1,
    );
    assert!(
        r.stderr
            .contains("lists/revocation.json: not a usable status list"),
        "{}",
        r.stderr
    );
    assert!(
        status_reasons(&r.stdout)
            .iter()
            .any(|s| s.contains(LIST_URL)),
        "{}",
        r.stdout
    );
}

#[cfg(unix)]
#[test]
fn status_updates_are_valid_from_now_for_the_same_period_and_keep_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let d = desk("statusupdate");
    d.ok(&["keygen", "--alg", "p256", "-o", "status.key"]);
    // A list made long ago, valid 30 days.
    d.write_json(
        "list.json",
        &d.list_with_validity(Some("2026-01-01T00:00:00Z"), Some("2026-01-31T00:00:00Z")),
    );
    std::fs::set_permissions(d.path("list.json"), std::fs::Permissions::from_mode(0o640)).unwrap();
    let before = Timestamp::from_system_time(std::time::SystemTime::now()).unix_seconds();
    d.ok(&[
        "status",
        "revoke",
        "--key",
        "status.key",
        "--list",
        "list.json",
        "--index",
        "5",
    ]);
    let v = d.read_json("list.json");
    assert!(seconds(&v["validFrom"]) >= before, "{}", v["validFrom"]);
    assert_eq!(
        seconds(&v["validUntil"]) - seconds(&v["validFrom"]),
        30 * 86_400
    );
    let mode = std::fs::metadata(d.path("list.json"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640);
    let r = d.ok(&["status", "show", "--list", "list.json", "--index", "5"]);
    assert!(r.stdout.contains("entry 5:  1"), "{}", r.stdout);

    // --valid-days sets another period.
    d.ok(&[
        "status",
        "revoke",
        "--key",
        "status.key",
        "--list",
        "list.json",
        "--index",
        "6",
        "--valid-days",
        "7",
    ]);
    let v = d.read_json("list.json");
    assert_eq!(
        seconds(&v["validUntil"]) - seconds(&v["validFrom"]),
        7 * 86_400
    );

    // A list without validUntil gets a fresh validFrom and still no end.
    d.write_json(
        "open.json",
        &d.list_with_validity(Some("2026-01-01T00:00:00Z"), None),
    );
    d.ok(&[
        "status",
        "revoke",
        "--key",
        "status.key",
        "--list",
        "open.json",
        "--index",
        "1",
    ]);
    let v = d.read_json("open.json");
    assert!(seconds(&v["validFrom"]) >= before, "{v}");
    assert!(v.get("validUntil").is_none(), "{v}");

    // validUntil without validFrom: the period is unknown, so it must be given.
    d.write_json(
        "until.json",
        &d.list_with_validity(None, Some("2026-01-31T00:00:00Z")),
    );
    let r = d.code(
        &[
            "status",
            "revoke",
            "--key",
            "status.key",
            "--list",
            "until.json",
            "--index",
            "1",
        ],
        2,
    );
    assert!(r.stderr.contains("--valid-days"), "{}", r.stderr);
    d.ok(&[
        "status",
        "revoke",
        "--key",
        "status.key",
        "--list",
        "until.json",
        "--index",
        "1",
        "--valid-days",
        "2",
    ]);
    let v = d.read_json("until.json");
    assert_eq!(
        seconds(&v["validUntil"]) - seconds(&v["validFrom"]),
        2 * 86_400
    );
}

#[test]
fn trust_file_max_age_refuses_old_lists_without_valid_until() {
    let d = desk("maxage");
    d.setup("status_list_max_age = \"24h\"\n");
    d.write_json(
        "lists/revocation.json",
        &d.list_with_validity(Some("2026-07-01T00:00:00Z"), None),
    );
    let verify = |at: &str| {
        d.run(&[
            "verify",
            // bare credentials; these tests are about status lists and issuance
            "--dangerous-no-challenge",
            "--dangerous-allow-bearer",
            "--trust",
            "trust.toml",
            "--status-dir",
            "lists",
            "--at",
            at,
            "--format",
            "json",
            "derived.json",
        ])
    };
    let r = verify("2026-07-01T12:00:00Z");
    assert_eq!(r.code, 0, "{}", r.all());
    let r = verify("2026-07-02T00:00:01Z");
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        status_reasons(&r.stdout)
            .iter()
            .any(|s| s.contains("no validUntil") && s.contains("86400 s")),
        "{}",
        r.stdout
    );
    // An unclear value is a trust file error.
    d.trust("status_list_max_age = \"1 day\"\n");
    let r = verify("2026-07-01T12:00:00Z");
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.all().contains("status_list_max_age"), "{}", r.all());
}

#[test]
fn status_indexes_are_checked_before_anything_is_written() {
    let d = desk("indexes");
    d.ok(&["keygen", "--alg", "bbs", "-o", "uni.key"]);
    d.ok(&["keygen", "--alg", "p256", "-o", "status.key"]);
    d.ok(&[
        "status",
        "create",
        "--key",
        "status.key",
        "--id",
        LIST_URL,
        "-o",
        "list.json",
    ]);
    d.write_json("diploma.json", &diploma());
    // Single: the index past the last entry.
    let r = d.code(
        &[
            "issue",
            "--key",
            "uni.key",
            "--status-list",
            "list.json",
            "--status-index",
            "131072",
            "diploma.json",
            "-o",
            "signed.json",
        ],
        2,
    );
    assert!(
        r.stderr.contains("--status-index 131072") && r.stderr.contains("out of range"),
        "{}",
        r.stderr
    );
    assert!(!d.path("signed.json").exists());
    d.ok(&[
        "issue",
        "--key",
        "uni.key",
        "--status-list",
        "list.json",
        "--status-index",
        "131071",
        "diploma.json",
        "-o",
        "signed.json",
    ]);

    // Batch: the same index on two rows, or one outside the list, on the last row: nothing
    // is written.
    let mut template = diploma();
    template["credentialSubject"]["studentNumber"] = json!("{{student}}");
    d.write_json("template.json", &template);
    let batch = |csv: &str, out: &str| {
        d.run(&[
            "issue",
            "--key",
            "uni.key",
            "--status-list",
            "list.json",
            "--template",
            "template.json",
            "--csv",
            csv,
            "--out-dir",
            out,
        ])
    };
    std::fs::write(
        d.path("twice.csv"),
        "student,status_index\nS-1,10\nS-2,11\nS-3,10\n",
    )
    .unwrap();
    let r = batch("twice.csv", "out1");
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr.contains("line 4, column status_index")
            && r.stderr.contains("status index 10")
            && r.stderr.contains("line 2"),
        "{}",
        r.stderr
    );
    assert!(d.files("out1").is_empty(), "{:?}", d.files("out1"));
    std::fs::write(
        d.path("outside.csv"),
        "student,status_index\nS-1,10\nS-2,200000\n",
    )
    .unwrap();
    let r = batch("outside.csv", "out2");
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr.contains("line 3, column status_index") && r.stderr.contains("out of range"),
        "{}",
        r.stderr
    );
    assert!(d.files("out2").is_empty(), "{:?}", d.files("out2"));
    // Distinct indexes inside the list: issued, each with its own entry.
    std::fs::write(d.path("good.csv"), "student,status_index\nS-1,10\nS-2,11\n").unwrap();
    let r = batch("good.csv", "out3");
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(
        d.read_json("out3/S-2.json")["credentialStatus"]["statusListIndex"],
        "11"
    );
}

#[test]
fn credentials_outside_the_data_model_are_refused() {
    let d = desk("datamodel");
    d.ok(&["keygen", "--alg", "bbs", "-o", "uni.key"]);
    let issue = |file: &str| d.run(&["issue", "--key", "uni.key", file, "-o", "signed.json"]);
    let mut no_subject = diploma();
    no_subject
        .as_object_mut()
        .unwrap()
        .remove("credentialSubject");
    d.write_json("no-subject.json", &no_subject);
    let r = issue("no-subject.json");
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("credentialSubject"), "{}", r.stderr);

    let mut not_vc = diploma();
    not_vc["type"] = json!(["UniversityDegreeCredential"]);
    d.write_json("not-vc.json", &not_vc);
    let r = issue("not-vc.json");
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("VerifiableCredential"), "{}", r.stderr);

    let mut first_context = diploma();
    first_context["@context"] = json!([CONTEXT_URL, "https://www.w3.org/ns/credentials/v2"]);
    d.write_json("first-context.json", &first_context);
    let r = issue("first-context.json");
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("first context"), "{}", r.stderr);
    assert!(!d.path("signed.json").exists());
}

#[test]
fn vc_1_1_credentials_issue_derive_and_verify() {
    let d = desk("vc11");
    d.setup("");
    let vc11 = json!({
        "@context": ["https://www.w3.org/2018/credentials/v1", CONTEXT_URL],
        "type": ["VerifiableCredential", "UniversityDegreeCredential"],
        "issuer": "did:example:replaced",
        "issuanceDate": "2026-06-30T00:00:00Z",
        "expirationDate": "2030-06-30T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:citizen-ada",
            "type": ["Person", "Graduate"],
            "givenName": "Ada",
            "degree": {"type": "MasterDegree", "field": "Computer Science"}
        }
    });
    d.write_json("vc11.json", &vc11);
    d.ok(&[
        "issue",
        "--key",
        "uni.key",
        "--status-list",
        "lists/revocation.json",
        "--status-index",
        "4",
        "vc11.json",
        "-o",
        "vc11-signed.json",
    ]);
    let signed = d.read_json("vc11-signed.json");
    assert_eq!(
        signed["@context"].as_array().unwrap().last().unwrap(),
        "https://w3id.org/security/data-integrity/v2"
    );
    d.write_json("field.json", &json!(["/credentialSubject/degree/field"]));
    d.ok(&[
        "derive",
        "--disclose",
        "field.json",
        "vc11-signed.json",
        "-o",
        "vc11-derived.json",
    ]);
    let derived = d.read_json("vc11-derived.json");
    assert!(derived.get("expirationDate").is_some(), "{derived}");
    let verify = |at: &[&str]| {
        let args = [
            &[
                "verify",
                // bare credentials; these tests are about status lists and issuance
                "--dangerous-no-challenge",
                "--dangerous-allow-bearer",
                "--trust",
                "trust.toml",
                "--status-dir",
                "lists",
                "--format",
                "json",
                "vc11-derived.json",
            ][..],
            at,
        ]
        .concat();
        d.run(&args)
    };
    // Now: inside the list's 30 days and the credential's validity.
    let r = verify(&[]);
    assert_eq!(r.code, 0, "{}", r.all());
    let out: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        out["results"][0]["credentials"][0]["status"],
        json!(["revocation: unset"])
    );
    // Its expirationDate, as signed, is what the verifier checks.
    let r = verify(&["--at", "2031-01-01T00:00:00Z"]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.stdout.contains("expired at 2030-06-30T00:00:00Z"),
        "{}",
        r.stdout
    );
}
