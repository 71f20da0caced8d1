//! The witnessed register end to end: a university's log, witnessed by two other bodies
//! (`civitas serve` witnesses on loopback), records its key, every status-list version and
//! its diplomas; `civitas verify --log-policy` accepts a presentation whose list is logged and
//! cosigned, and refuses one whose list was rewritten, withheld from the log, or forked; the
//! monitor flags an un-revocation.

use std::path::Path;

use serde_json::{Value, json};

use super::support::{Scratch, Serving, diploma};

/// A witness-only `civitas serve`, stopped when dropped.
struct WitnessServer {
    _serving: Serving,
    url: String,
}

fn start_witness(config: &Path) -> WitnessServer {
    let (serving, add) = Serving::start(
        &["--config", config.to_str().unwrap()],
        "civitas serve: witnessing at ",
    );
    WitnessServer {
        _serving: serving,
        url: add.trim_end_matches("/add-checkpoint").to_owned(),
    }
}

fn verify(d: &Scratch, policy: &str) -> (i32, Value, String) {
    let r = d.run(&[
        "verify",
        "--trust",
        "trust.toml",
        "--status-dir",
        "lists",
        "--challenge",
        "c1",
        "--domain",
        "d",
        "--log-policy",
        policy,
        "--log-state",
        "verifier-state",
        "--format",
        "json",
        "vp.json",
    ]);
    let v: Value =
        serde_json::from_str(&r.stdout).unwrap_or_else(|_| panic!("{}\n{}", r.stdout, r.stderr));
    (r.code, v, r.stderr)
}

fn reasons(v: &Value) -> String {
    v["results"][0]["failures"].to_string()
}

#[test]
fn a_witnessed_register_of_keys_lists_and_diplomas() {
    let d = Scratch::new("transparency").with_context();
    std::fs::create_dir_all(d.path("lists")).unwrap();
    for (k, alg) in [
        ("log.key", "ed25519"),
        ("w1.key", "ed25519"),
        ("w2.key", "ed25519"),
        ("status.key", "p256"),
        ("phone.key", "p256"),
    ] {
        d.ok(&["keygen", "--alg", alg, "-o", k]);
    }
    let log_vkey = d
        .ok(&["log", "vkey", "--name", "uni.example/log", "log.key"])
        .stdout
        .trim()
        .to_owned();
    let mut witnesses = Vec::new();
    let mut policy = format!(
        "# the university's log, witnessed by two other bodies\nlog {log_vkey} file://{}\n",
        d.path("uni-log").display()
    );
    for i in 1..=2 {
        let name = format!("audit{i}.example/witness");
        let vkey = d
            .ok(&[
                "log",
                "vkey",
                "--witness",
                "--name",
                &name,
                &format!("w{i}.key"),
            ])
            .stdout
            .trim()
            .to_owned();
        std::fs::create_dir_all(d.path(&format!("w{i}"))).unwrap();
        let config = d.path(&format!("w{i}/witness.toml"));
        std::fs::write(
            &config,
            format!(
                "{}[witness]\nkey = \"../w{i}.key\"\nname = \"{name}\"\nstate_dir = \"state\"\nlogs = [\"{log_vkey}\"]\n",
                // The first witness also serves the university's log over HTTP.
                if i == 1 { "log_dir = \"../uni-log\"\n" } else { "" }
            ),
        )
        .unwrap();
        let w = start_witness(&config);
        policy.push_str(&format!("witness w{i} {vkey} {}\n", w.url));
        witnesses.push(w);
    }
    policy.push_str("group both all w1 w2\nquorum both\n");
    std::fs::write(d.path("policy"), &policy).unwrap();

    // The log, witnessed from its first checkpoint.
    d.ok(&[
        "log",
        "init",
        "--key",
        "log.key",
        "--origin",
        "uni.example/log",
        "--witness-policy",
        "policy",
        "uni-log",
    ]);
    let cp = std::fs::read_to_string(d.path("uni-log/checkpoint")).unwrap();
    assert!(
        cp.contains("— audit1.example/witness ") && cp.contains("— audit2.example/witness "),
        "{cp}"
    );
    let logged = ["--log", "uni-log", "--log-key", "log.key"];
    d.ok(&[&["keygen", "--alg", "bbs", "-o", "uni.key"][..], &logged].concat());
    d.ok(&[
        &[
            "status",
            "create",
            "--key",
            "status.key",
            "--id",
            "https://uni.example/status/1",
            "-o",
            "lists/revocation.json",
        ][..],
        &logged,
    ]
    .concat());
    let mut diploma = diploma();
    diploma["credentialSubject"]["id"] = json!(d.did("phone.key"));
    std::fs::write(d.path("diploma.json"), diploma.to_string()).unwrap();
    d.ok(&[
        &[
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
        ][..],
        &logged,
    ]
    .concat());
    // The holder's inclusion proof: a tlog-proof whose checkpoint both witnesses cosigned.
    let proof = std::fs::read_to_string(d.path("signed.json.tlog-proof")).unwrap();
    assert!(
        proof.starts_with("c2sp.org/tlog-proof@v1\nextra "),
        "{proof}"
    );
    {
        use civitas_core::tlog::Policy;
        use civitas_core::tlog::TlogProof;
        use civitas_core::tlog::{LogEntry, commit_credential};
        let p = TlogProof::parse(proof.as_bytes()).unwrap();
        let salt: [u8; 32] = p.extra.clone().unwrap().try_into().unwrap();
        let entry = LogEntry::Credential {
            commitment: commit_credential(
                &d.did("uni.key"),
                &salt,
                &serde_json::from_slice(&std::fs::read(d.path("signed.json")).unwrap()).unwrap(),
            ),
        }
        .to_bytes()
        .unwrap();
        let policy = Policy::parse(&policy).unwrap();
        let checked = p.verify(&entry, &policy, "uni.example/log").unwrap();
        assert_eq!(checked.witnesses().len(), 2);
        assert!(
            p.verify(b"another credential", &policy, "uni.example/log")
                .is_err()
        );
    }
    d.ok(&["log", "verify", "--vkey", "uni-log/vkey", "uni-log"]);

    std::fs::write(
        d.path("disclose.json"),
        json!(["/credentialSubject/degree/name"]).to_string(),
    )
    .unwrap();
    d.ok(&[
        "derive",
        "--disclose",
        "disclose.json",
        "signed.json",
        "-o",
        "derived.json",
    ]);
    d.ok(&[
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
    std::fs::write(
        d.path("trust.toml"),
        format!(
            "[[issuer]]\ndid = \"{}\"\nname = \"University of Civitas\"\ncredential_types = [\"UniversityDegreeCredential\"]\nstatus_list_signers = [\"{}\"]\n",
            d.did("uni.key"),
            d.did("status.key")
        ),
    )
    .unwrap();

    // Logged and cosigned: accepted, the log read from a directory or over HTTP.
    let (code, v, err) = verify(&d, "policy");
    assert_eq!(code, 0, "{v}\n{err}");
    let over_http = policy.replace(
        &format!("file://{}", d.path("uni-log").display()),
        &format!("{}/log", witnesses[0].url),
    );
    assert_ne!(over_http, policy);
    std::fs::write(d.path("policy-http"), &over_http).unwrap();
    let (code, v, err) = verify(&d, "policy-http");
    assert_eq!(code, 0, "{v}\n{err}");

    // Rewritten: a list version published without being logged is refused.
    let published = std::fs::read(d.path("lists/revocation.json")).unwrap();
    d.ok(&[
        "status",
        "revoke",
        "--key",
        "status.key",
        "--list",
        "lists/revocation.json",
        "--index",
        "5",
    ]);
    let (code, v, _) = verify(&d, "policy");
    assert_eq!(code, 1, "{v}");
    assert!(reasons(&v).contains("\"check\":\"transparency\""), "{v}");
    assert!(
        reasons(&v).contains("not the latest version the log uni.example/log records"),
        "{v}"
    );
    std::fs::write(d.path("lists/revocation.json"), &published).unwrap();
    let (code, v, err) = verify(&d, "policy");
    assert_eq!(code, 0, "{v}\n{err}");

    // Withheld: with a policy whose log never saw this list or key, it is refused.
    d.ok(&["keygen", "--alg", "ed25519", "-o", "empty.key"]);
    d.ok(&[
        "log",
        "init",
        "--key",
        "empty.key",
        "--origin",
        "other.example/log",
        "empty-log",
    ]);
    let empty_vkey = std::fs::read_to_string(d.path("empty-log/vkey")).unwrap();
    std::fs::write(
        d.path("policy-empty"),
        format!(
            "log {} file://{}\nquorum none\n",
            empty_vkey.trim(),
            d.path("empty-log").display()
        ),
    )
    .unwrap();
    let (code, v, _) = verify(&d, "policy-empty");
    assert_eq!(code, 1, "{v}");
    assert!(reasons(&v).contains("is in no transparency log"), "{v}");
    assert!(reasons(&v).contains("was never logged"), "{v}");

    // Forked: a copy of the log grows another way under the same key; a verifier that has
    // seen the real one refuses the copy and keeps the evidence.
    copy_dir(&d.path("uni-log"), &d.path("fork-log"));
    let _ = std::fs::remove_file(d.path("fork-log/.witness-policy"));
    d.ok(&[
        &[
            "status",
            "revoke",
            "--key",
            "status.key",
            "--list",
            "lists/revocation.json",
            "--index",
            "7",
        ][..],
        &logged,
    ]
    .concat());
    let (code, v, err) = verify(&d, "policy");
    assert_eq!(code, 0, "{v}\n{err}");
    std::fs::write(
        d.path("other-entry"),
        b"CIVTLOG1\x03another world.................",
    )
    .unwrap();
    d.ok(&[
        "log",
        "append",
        "--key",
        "log.key",
        "fork-log",
        "other-entry",
    ]);
    std::fs::write(
        d.path("policy-fork"),
        format!(
            "log {log_vkey} file://{}\nquorum none\n",
            d.path("fork-log").display()
        ),
    )
    .unwrap();
    let (code, v, err) = verify(&d, "policy-fork");
    assert_eq!(code, 1, "{v}");
    assert!(err.contains("MISBEHAVED"), "{err}");
    assert!(reasons(&v).contains("MISBEHAVED"), "{v}");
    let evidence: Vec<_> = std::fs::read_dir(d.path("verifier-state"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("misbehaviour-"))
        .collect();
    assert_eq!(evidence.len(), 1);
    let m: Value = serde_json::from_slice(&std::fs::read(evidence[0].path()).unwrap()).unwrap();
    assert!(
        m["kept"].as_str().unwrap().contains("uni.example/log"),
        "{m}"
    );
    assert_ne!(m["kept"], m["served"]);

    // The witnesses refuse to cosign the fork: it cannot be published under the policy.
    std::fs::write(d.path("fork-log/.witness-policy"), &policy).unwrap();
    let r = d.run(&["log", "witness", "fork-log"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("short of the witness policy's quorum"),
        "{}",
        r.stderr
    );

    // The monitor: quiet on honest growth, loud on an un-revocation.
    d.ok(&[
        "log",
        "monitor",
        "--policy",
        "policy",
        "--state",
        "monitor",
        "--status-dir",
        "lists",
        "uni-log",
    ]);
    let before_revocation = std::fs::read(d.path("lists/revocation.json")).unwrap();
    d.ok(&[
        &[
            "status",
            "revoke",
            "--key",
            "status.key",
            "--list",
            "lists/revocation.json",
            "--index",
            "3",
        ][..],
        &logged,
    ]
    .concat());
    let out = d
        .ok(&[
            "log",
            "monitor",
            "--policy",
            "policy",
            "--state",
            "monitor",
            "--status-dir",
            "lists",
            "uni-log",
        ])
        .stdout;
    assert!(!out.contains("ALERT"), "{out}");
    let (code, v, _) = verify(&d, "policy");
    assert_eq!(code, 1, "{v}");
    assert!(reasons(&v).contains("revoked by its issuer"), "{v}");
    // The university republishes the list from before the revocation, logging it again.
    std::fs::write(d.path("lists/revocation.json"), &before_revocation).unwrap();
    let entry = civitas_core::tlog::LogEntry::StatusList {
        valid_from: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
        valid_until: 0,
        url: "https://uni.example/status/1".into(),
        sha256: sha2::Digest::finalize(<sha2::Sha256 as sha2::Digest>::new_with_prefix(
            &before_revocation,
        ))
        .into(),
    };
    std::fs::write(d.path("republish-entry"), entry.to_bytes().unwrap()).unwrap();
    d.ok(&[
        "log",
        "append",
        "--key",
        "log.key",
        "uni-log",
        "republish-entry",
    ]);
    let out = d
        .code(
            &[
                "log",
                "monitor",
                "--policy",
                "policy",
                "--state",
                "monitor",
                "--status-dir",
                "lists",
                "uni-log",
            ],
            1,
        )
        .stdout;
    assert!(
        out.contains("ALERT") && out.contains("UN-REVOCATION") && out.contains("(3)"),
        "{out}"
    );
    drop(witnesses);
}

#[test]
fn the_witness_answers_as_tlog_witness_says() {
    use civitas_core::tlog::AddCheckpoint;
    use civitas_core::tlog::Checkpoint;
    use civitas_core::tlog::{Hash, consistency_proof, leaf_hash, mth};
    use civitas_core::tlog::{Note, NoteSigner};
    let d = Scratch::new("witness-http").with_context();
    std::fs::create_dir_all(d.path("w")).unwrap();
    d.ok(&["keygen", "--alg", "ed25519", "-o", "w.key"]);
    let log = NoteSigner::from_seed("uni.example/log", &[7; 32], false).unwrap();
    let intruder = NoteSigner::from_seed("uni.example/log", &[8; 32], false).unwrap();
    let stranger = NoteSigner::from_seed("other.example/log", &[9; 32], false).unwrap();
    std::fs::write(
        d.path("w/witness.toml"),
        format!(
            "[witness]\nkey = \"../w.key\"\nname = \"audit.example/w\"\nstate_dir = \"state\"\nlogs = [\"{}\"]\n",
            log.verifier().vkey()
        ),
    )
    .unwrap();
    let w = start_witness(&d.path("w/witness.toml"));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let post = |body: &[u8]| -> (u16, String, String) {
        let mut r = agent
            .post(format!("{}/add-checkpoint", w.url))
            .send(body)
            .unwrap();
        let kind = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        (
            r.status().as_u16(),
            kind,
            r.body_mut().read_to_string().unwrap(),
        )
    };
    let leaves: Vec<Hash> = (0u32..10).map(|i| leaf_hash(&i.to_be_bytes())).collect();
    let checkpoint = |signer: &NoteSigner, origin: &str, size: usize, root: Hash| {
        let text = Checkpoint {
            origin: origin.into(),
            size: size as u64,
            root,
            extensions: Vec::new(),
        }
        .to_text();
        Note::sign(&text, &[signer], 0).unwrap()
    };
    let request = |old: u64, proof: Vec<Hash>, note: String| {
        AddCheckpoint {
            old_size: old,
            proof,
            note,
        }
        .to_bytes()
    };
    let cp4 = checkpoint(&log, "uni.example/log", 4, mth(&leaves[..4]));
    assert_eq!(post(b"not a request").0, 400);
    let (code, _, body) = post(&request(0, vec![], cp4.clone()));
    assert_eq!(code, 200, "{body}");
    assert!(
        body.starts_with("— audit.example/w ") && body.ends_with('\n'),
        "{body}"
    );
    // Its state is on disk before it answered.
    assert_eq!(std::fs::read_dir(d.path("w/state")).unwrap().count(), 1);
    let unknown = checkpoint(&stranger, "other.example/log", 4, mth(&leaves[..4]));
    assert_eq!(post(&request(0, vec![], unknown)).0, 404);
    let forged = checkpoint(&intruder, "uni.example/log", 6, mth(&leaves[..6]));
    assert_eq!(post(&request(4, vec![], forged)).0, 403);
    // A stale old size: 409 with the size it holds.
    let cp6 = checkpoint(&log, "uni.example/log", 6, mth(&leaves[..6]));
    let (code, kind, body) = post(&request(0, vec![], cp6.clone()));
    assert_eq!(
        (code, kind.as_str(), body.as_str()),
        (409, "text/x.tlog.size", "4\n")
    );
    // A rollback (a smaller tree than it cosigned) is a bad request; another root for the
    // size it holds is a conflict, kept as evidence.
    let cp3 = checkpoint(&log, "uni.example/log", 3, mth(&leaves[..3]));
    assert_eq!(post(&request(4, vec![], cp3)).0, 400);
    let other4 = checkpoint(&log, "uni.example/log", 4, mth(&leaves[1..5]));
    assert_eq!(post(&request(4, vec![], other4)).0, 409);
    // A proof that does not lead from its root: 422, kept as evidence.
    let wrong = consistency_proof(&leaves[1..7], 4, 6).unwrap();
    assert_eq!(post(&request(4, wrong, cp6.clone())).0, 422);
    assert_eq!(
        std::fs::read_dir(d.path("w/state/evidence"))
            .unwrap()
            .count(),
        2
    );
    let right = consistency_proof(&leaves[..6], 4, 6).unwrap();
    let (code, _, body) = post(&request(4, right, cp6));
    assert_eq!(code, 200, "{body}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}
