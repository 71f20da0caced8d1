//! `civitas demo`: the end-to-end story, each step a real `civitas` command.

use std::path::{Path, PathBuf};

use clap::Parser;
use serde_json::{Value, json};

use crate::util::{CliError, CliResult, EXIT_INVALID, EXIT_VALID, read_json};

/// The diploma vocabulary (test data of this project, `.example` URL).
const DIPLOMA_CONTEXT_URL: &str = "https://civitas.example/contexts/diploma/v1";
const DIPLOMA_CONTEXT: &str =
    include_str!("../../../test-vectors/contexts/civitas.example_contexts_diploma_v1.jsonld");
const DIPLOMA: &str = include_str!("../../../test-vectors/data/diploma.json");
const STATUS_URL: &str = "https://university.example/status/revocation/1";
const STATUS_INDEX: &str = "7";

struct Story {
    dir: PathBuf,
    context_arg: String,
}

impl Story {
    fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }

    /// Print the command, run it as `civitas` would, return its exit status.
    fn civitas(&self, args: &[&str]) -> CliResult<u8> {
        let shown: Vec<String> = args
            .iter()
            .map(|a| a.replace(&format!("{}/", self.dir.display()), ""))
            .map(|a| if a.contains(' ') { format!("'{a}'") } else { a })
            .collect();
        println!("\n$ civitas {}", shown.join(" "));
        let mut full = vec![
            "civitas".to_owned(),
            "--context".to_owned(),
            self.context_arg.clone(),
        ];
        full.extend(args.iter().map(|s| (*s).to_owned()));
        let cli = crate::Cli::try_parse_from(full).map_err(|e| CliError::input(e.to_string()))?;
        match crate::run(cli) {
            Ok(code) => Ok(code),
            Err(e) => {
                println!("civitas: {}", e.message);
                Ok(e.code)
            }
        }
    }
}

fn say(text: &str) {
    println!("\n== {text}");
}

fn write(path: &Path, v: &Value) -> CliResult<()> {
    let text = serde_json::to_string_pretty(v).map_err(|e| CliError::input(e.to_string()))?;
    std::fs::write(path, text)
        .map_err(|e| CliError::input(format!("cannot write {}: {e}", path.display())))
}

fn expect(what: &str, got: u8, want: u8, outcomes: &mut Vec<String>) {
    let ok = got == want;
    outcomes.push(format!(
        "{} {what} (exit {got})",
        if ok { "ok  " } else { "FAIL" }
    ));
}

pub fn run(dir: Option<PathBuf>) -> CliResult<u8> {
    let (dir, temporary) = match dir {
        Some(d) => (d, false),
        None => (
            std::env::temp_dir().join(format!("civitas-demo-{}", std::process::id())),
            true,
        ),
    };
    std::fs::create_dir_all(&dir)
        .map_err(|e| CliError::input(format!("cannot create {}: {e}", dir.display())))?;
    let result = story(&dir);
    if temporary {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result
}

fn story(dir: &Path) -> CliResult<u8> {
    let context_file = dir.join("diploma-context.jsonld");
    std::fs::write(&context_file, DIPLOMA_CONTEXT).map_err(|e| CliError::input(e.to_string()))?;
    let s = Story {
        dir: dir.to_path_buf(),
        context_arg: format!("{DIPLOMA_CONTEXT_URL}={}", context_file.display()),
    };
    let mut outcomes = Vec::new();
    println!(
        "Civitas demo, in {} (every step is a civitas command)",
        dir.display()
    );

    say("The university creates its keys: BBS for credentials, P-256 for its status list");
    s.civitas(&["keygen", "--alg", "bbs", "-o", &s.path("university.key")])?;
    s.civitas(&[
        "keygen",
        "--alg",
        "p256",
        "-o",
        &s.path("university-status.key"),
    ])?;
    let university = read_json(&dir.join("university.key"))?;
    let status_key = read_json(&dir.join("university-status.key"))?;
    let did = |k: &Value| k["controller"].as_str().unwrap_or_default().to_owned();
    std::fs::create_dir_all(dir.join("status")).map_err(|e| CliError::input(e.to_string()))?;
    s.civitas(&[
        "status",
        "create",
        "--key",
        &s.path("university-status.key"),
        "--id",
        STATUS_URL,
        "--purpose",
        "revocation",
        "-o",
        &s.path("status/revocation.json"),
    ])?;

    say(
        "The university issues a diploma (mandatory: issuer, validity, status; the rest selectively disclosable)",
    );
    let diploma: Value =
        serde_json::from_str(DIPLOMA).map_err(|e| CliError::input(e.to_string()))?;
    write(&dir.join("diploma.json"), &diploma)?;
    write(
        &dir.join("mandatory.json"),
        &json!(["/credentialSubject/degree/type"]),
    )?;
    s.civitas(&[
        "issue",
        "--key",
        &s.path("university.key"),
        "--mandatory",
        &s.path("mandatory.json"),
        "--status-list",
        &s.path("status/revocation.json"),
        "--status-index",
        STATUS_INDEX,
        &s.path("diploma.json"),
        "-o",
        &s.path("signed-diploma.json"),
    ])?;

    say("The citizen's wallet discloses only the degree to the agency, for the agency's challenge");
    s.civitas(&["keygen", "--alg", "p256", "-o", &s.path("phone.key")])?;
    write(
        &dir.join("disclose.json"),
        &json!(["/credentialSubject/degree/name"]),
    )?;
    s.civitas(&[
        "derive",
        "--disclose",
        &s.path("disclose.json"),
        &s.path("signed-diploma.json"),
        "-o",
        &s.path("derived.json"),
    ])?;
    s.civitas(&[
        "present",
        "--holder-key",
        &s.path("phone.key"),
        "--challenge",
        "c-7f3a91",
        "--domain",
        "https://agency.example",
        &s.path("derived.json"),
        "-o",
        &s.path("presentation.json"),
    ])?;

    say("The agency trusts the university for diplomas");
    let trust = format!(
        "[[issuer]]\ndid = \"{}\"\nname = \"University of Civitas\"\ncredential_types = [\"UniversityDegreeCredential\"]\nstatus_list_signers = [\"{}\"]\n",
        did(&university),
        did(&status_key)
    );
    std::fs::write(dir.join("trust.toml"), &trust).map_err(|e| CliError::input(e.to_string()))?;
    println!("{}", trust.trim_end());
    let verify = |input: &str, challenge: &str| -> CliResult<u8> {
        s.civitas(&[
            "verify",
            "--trust",
            &s.path("trust.toml"),
            "--status-dir",
            &s.path("status"),
            "--challenge",
            challenge,
            "--domain",
            "https://agency.example",
            "--require",
            "/credentialSubject/degree/name",
            &s.path(input),
        ])
    };

    say("1. The agency verifies the presentation: accepted");
    let code = verify("presentation.json", "c-7f3a91")?;
    expect(
        "genuine presentation accepted",
        code,
        EXIT_VALID,
        &mut outcomes,
    );

    say("2. A tampered copy (MSc changed to PhD): rejected");
    let mut tampered = read_json(&dir.join("presentation.json"))?;
    if let Some(vc) = tampered.pointer_mut("/verifiableCredential/0/credentialSubject/degree/name")
    {
        *vc = json!("PhD Computer Science");
    }
    write(&dir.join("tampered.json"), &tampered)?;
    let code = verify("tampered.json", "c-7f3a91")?;
    expect(
        "tampered presentation rejected",
        code,
        EXIT_INVALID,
        &mut outcomes,
    );

    say("3. The same presentation replayed at another visit (new challenge): rejected");
    let code = verify("presentation.json", "c-0b55e2")?;
    expect(
        "replayed presentation rejected",
        code,
        EXIT_INVALID,
        &mut outcomes,
    );

    say("4. The university revokes the diploma; the agency checks again: rejected");
    s.civitas(&[
        "status",
        "revoke",
        "--key",
        &s.path("university-status.key"),
        "--list",
        &s.path("status/revocation.json"),
        "--index",
        STATUS_INDEX,
    ])?;
    let code = verify("presentation.json", "c-7f3a91")?;
    expect(
        "revoked credential rejected",
        code,
        EXIT_INVALID,
        &mut outcomes,
    );

    say("Summary");
    for o in &outcomes {
        println!("  {o}");
    }
    Ok(if outcomes.iter().all(|o| o.starts_with("ok")) {
        EXIT_VALID
    } else {
        EXIT_INVALID
    })
}
