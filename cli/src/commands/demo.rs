//! `civitas demo`: the end-to-end story, each step a real `civitas` command: the citizen's
//! wallet asks for a diploma bound to its holder secret, the university issues it, the agency
//! accepts an anonymous presentation and sees a pseudonym, refuses a tampered, a replayed and
//! a forwarded copy, recognises the returning citizen, and a second agency sees another
//! pseudonym; then the diploma is revoked.
//!
//! The demo works in its directory (it changes into it) and prints every command exactly as
//! it runs it, from one argv ([`civitas`]): an officer can copy any printed command and run
//! it there with the same result. Nothing is added behind the scenes: the issuer's and the
//! wallet's commands name the diploma context with `--context`, and the agency finds it
//! through its trust file (`[[context]]`).

use std::path::{Path, PathBuf};

use clap::Parser;
use serde_json::{Value, json};

use crate::util::{CliError, CliResult, EXIT_INVALID, EXIT_VALID, read_json};

/// The diploma vocabulary (test data of this project, `.example` URL).
pub(crate) const DIPLOMA_CONTEXT_URL: &str = "https://civitas.example/contexts/diploma/v1";
pub(crate) const DIPLOMA_CONTEXT: &str =
    include_str!("../../data/civitas.example_contexts_diploma_v1.jsonld");
/// Where the demo keeps the context, relative to its directory (and to its trust file).
pub(crate) const DIPLOMA_CONTEXT_FILE: &str = "contexts/diploma-v1.jsonld";
pub(crate) const DIPLOMA: &str = include_str!("../../data/diploma.json");
const AGENCY: &str = "https://agency.example";
const TAX_OFFICE: &str = "https://tax-office.example";
pub(crate) const STATUS_URL: &str = "https://university.example/status/revocation/1";
pub(crate) const STATUS_INDEX: &str = "7";

/// `arg` as a POSIX shell reads it back: unchanged when it is plain, else single-quoted.
fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:=,@%+".contains(c));
    if plain {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', "'\\''"))
    }
}

/// Print the command, then run exactly that argv as `civitas` would (in the current
/// directory, the demo's); return its exit status.
fn civitas(args: &[&str]) -> CliResult<u8> {
    let argv: Vec<String> = std::iter::once("civitas")
        .chain(args.iter().copied())
        .map(str::to_owned)
        .collect();
    let shown: Vec<String> = argv.iter().map(|a| shell_quote(a)).collect();
    println!("\n$ {}", shown.join(" "));
    let cli = crate::Cli::try_parse_from(&argv).map_err(|e| CliError::input(e.to_string()))?;
    match crate::run(cli) {
        Ok(code) => Ok(code),
        Err(e) => {
            println!("civitas: {}", crate::util::escape(&e.message));
            Ok(e.code)
        }
    }
}

fn say(text: &str) {
    println!("\n== {text}");
}

/// Write a file the story needs (not a civitas command), and say so.
fn write(name: &str, text: &str, what: &str) -> CliResult<()> {
    std::fs::write(name, text).map_err(|e| CliError::input(format!("cannot write {name}: {e}")))?;
    println!("# wrote {name}: {what}");
    Ok(())
}

/// Make a directory the story needs, and say so.
fn mkdir(name: &str) -> CliResult<()> {
    std::fs::create_dir_all(name)
        .map_err(|e| CliError::input(format!("cannot create {name}: {e}")))?;
    println!("# made directory {name}");
    Ok(())
}

fn write_json(name: &str, v: &Value, what: &str) -> CliResult<()> {
    let text = serde_json::to_string_pretty(v).map_err(|e| CliError::input(e.to_string()))?;
    write(name, &text, what)
}

/// The pseudonym bytes carried by the first credential of a presentation file (what the
/// verifier checks and shows), to compare two visits.
fn pseudonym_of(file: &str) -> Option<Vec<u8>> {
    use civitas_core::bbs2023::{DerivedFeature, DerivedProofValue};
    let vp = read_json(Path::new(file)).ok()?;
    let value = vp
        .pointer("/verifiableCredential/0/proof/proofValue")?
        .as_str()?;
    match DerivedProofValue::parse(value).ok()?.feature {
        DerivedFeature::Pseudonym(n) | DerivedFeature::HolderBindingPseudonym(n) => {
            Some(n.pseudonym.to_vec())
        }
        _ => None,
    }
}

/// Record an outcome the demo compares itself (not a command's exit status).
fn check(what: &str, ok: bool, outcomes: &mut Vec<String>) {
    outcomes.push(format!("{} {what}", if ok { "ok  " } else { "FAIL" }));
}

fn expect(what: &str, got: u8, want: u8, outcomes: &mut Vec<String>) {
    let ok = got == want;
    outcomes.push(format!(
        "{} {what} (exit {got})",
        if ok { "ok  " } else { "FAIL" }
    ));
}

pub(crate) fn run(dir: Option<PathBuf>) -> CliResult<u8> {
    let (dir, temporary) = match dir {
        Some(d) => (d, false),
        None => (
            std::env::temp_dir().join(format!("civitas-demo-{}", std::process::id())),
            true,
        ),
    };
    std::fs::create_dir_all(&dir)
        .map_err(|e| CliError::input(format!("cannot create {}: {e}", dir.display())))?;
    let dir = dir
        .canonicalize()
        .map_err(|e| CliError::input(format!("cannot use {}: {e}", dir.display())))?;
    let previous = std::env::current_dir().ok();
    std::env::set_current_dir(&dir)
        .map_err(|e| CliError::input(format!("cannot enter {}: {e}", dir.display())))?;
    let result = story(&dir);
    if let Some(p) = previous {
        let _ = std::env::set_current_dir(p);
    }
    if temporary {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result
}

fn story(dir: &Path) -> CliResult<u8> {
    let mut outcomes = Vec::new();
    let context_arg = format!("{DIPLOMA_CONTEXT_URL}={DIPLOMA_CONTEXT_FILE}");
    println!(
        "Civitas demo: every step is a civitas command, printed as it runs, in this directory"
    );
    println!("\n$ cd {}", shell_quote(&dir.display().to_string()));

    say("The university creates its keys: BBS for credentials, P-256 for its status list");
    civitas(&["keygen", "--alg", "bbs", "-o", "university.key"])?;
    civitas(&["keygen", "--alg", "p256", "-o", "university-status.key"])?;
    let university = read_json(Path::new("university.key"))?;
    let status_key = read_json(Path::new("university-status.key"))?;
    let did = |k: &Value| {
        k.get("controller")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    mkdir("status")?;
    civitas(&[
        "status",
        "create",
        "--key",
        "university-status.key",
        "--id",
        STATUS_URL,
        "--purpose",
        "revocation",
        "-o",
        "status/revocation.json",
    ])?;

    say(
        "The university issues a diploma (mandatory: issuer, validity, status; the rest selectively disclosable)",
    );
    mkdir("contexts")?;
    write(
        DIPLOMA_CONTEXT_FILE,
        DIPLOMA_CONTEXT,
        &format!("the JSON-LD context {DIPLOMA_CONTEXT_URL}, which the university publishes"),
    )?;
    say(
        "The citizen's wallet makes its holder secret, and asks the university for a diploma bound to it (a commitment: the university never learns the secret)",
    );
    civitas(&["holder", "init", "--wallet", "wallet"])?;
    civitas(&[
        "holder",
        "request",
        "--wallet",
        "wallet",
        "--feature",
        "holder-binding-pseudonym",
        "--issuer",
        &did(&university),
        "-o",
        "diploma-request.json",
    ])?;
    let mut diploma: Value =
        serde_json::from_str(DIPLOMA).map_err(|e| CliError::input(e.to_string()))?;
    // Bound by the holder secret, the diploma names no subject DID that agencies could link.
    if let Some(subject) = diploma
        .get_mut("credentialSubject")
        .and_then(Value::as_object_mut)
    {
        subject.remove("id");
    }
    write_json(
        "diploma.json",
        &diploma,
        "the unsigned diploma (no subject DID: the wallet's secret binds it)",
    )?;
    write_json(
        "mandatory.json",
        &json!(["/credentialSubject/degree/type"]),
        "what the holder must always disclose",
    )?;
    civitas(&[
        "issue",
        "--context",
        &context_arg,
        "--key",
        "university.key",
        "--mandatory",
        "mandatory.json",
        "--status-list",
        "status/revocation.json",
        "--status-index",
        STATUS_INDEX,
        "--holder-request",
        "diploma-request.json",
        "diploma.json",
        "-o",
        "signed-diploma.json",
    ])?;
    civitas(&[
        "holder",
        "import",
        "--context",
        &context_arg,
        "--wallet",
        "wallet",
        "signed-diploma.json",
    ])?;

    say(
        "The citizen's wallet shows the agency only the degree, anonymously, for the agency's challenge",
    );
    write_json(
        "disclose.json",
        &json!(["/credentialSubject/degree/name"]),
        "what the citizen chooses to show",
    )?;
    let present = |challenge: &str, domain: &str, out: &str| -> CliResult<u8> {
        civitas(&[
            "holder",
            "present",
            "--context",
            &context_arg,
            "--wallet",
            "wallet",
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
    present("c-7f3a91", AGENCY, "presentation.json")?;

    say(
        "The agency trusts the university for diplomas, and keeps its context beside the trust file",
    );
    let trust = format!(
        "[[issuer]]\ndid = \"{}\"\nname = \"University of Civitas\"\ncredential_types = [\"UniversityDegreeCredential\"]\nstatus_list_signers = [\"{}\"]\n\n[[context]]\nurl = \"{DIPLOMA_CONTEXT_URL}\"\nfile = \"{DIPLOMA_CONTEXT_FILE}\"\n",
        did(&university),
        did(&status_key)
    );
    write("trust.toml", &trust, "the agency's trust list")?;
    println!("{}", trust.trim_end());
    let verify_at = |input: &str, challenge: &str, domain: &str| -> CliResult<u8> {
        civitas(&[
            "verify",
            "--trust",
            "trust.toml",
            "--status-dir",
            "status",
            "--challenge",
            challenge,
            "--domain",
            domain,
            "--require",
            "/credentialSubject/degree/name",
            input,
        ])
    };
    let verify = |input: &str, challenge: &str| verify_at(input, challenge, AGENCY);

    say(
        "1. The agency verifies the presentation: accepted, bound to the citizen's secret, with the citizen's pseudonym at this agency",
    );
    let code = verify("presentation.json", "c-7f3a91")?;
    expect(
        "genuine presentation accepted",
        code,
        EXIT_VALID,
        &mut outcomes,
    );

    say("2. A tampered copy (MSc changed to PhD): rejected");
    let mut tampered = read_json(Path::new("presentation.json"))?;
    if let Some(vc) = tampered.pointer_mut("/verifiableCredential/0/credentialSubject/degree/name")
    {
        *vc = json!("PhD Computer Science");
    }
    write_json(
        "tampered.json",
        &tampered,
        "the presentation with MSc changed to PhD",
    )?;
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

    say(
        "4. Someone else (an officer who kept a copy) takes the diploma out of the presentation and wraps it in a presentation signed by their own key, for the agency's fresh challenge: rejected",
    );
    let copied = read_json(Path::new("presentation.json"))?
        .pointer("/verifiableCredential/0")
        .cloned()
        .unwrap_or(Value::Null);
    write_json(
        "copied-diploma.json",
        &copied,
        "the derived diploma, copied out of the citizen's presentation",
    )?;
    civitas(&["keygen", "--alg", "p256", "-o", "someone-else.key"])?;
    civitas(&[
        "present",
        "--context",
        &context_arg,
        "--holder-key",
        "someone-else.key",
        "--challenge",
        "c-0b55e2",
        "--domain",
        AGENCY,
        "copied-diploma.json",
        "-o",
        "forwarded.json",
    ])?;
    let code = verify("forwarded.json", "c-0b55e2")?;
    expect(
        "forwarded credential rejected",
        code,
        EXIT_INVALID,
        &mut outcomes,
    );

    say(
        "5. The citizen comes back to the agency next week: accepted, and the agency sees the same pseudonym (a returning citizen, still unnamed)",
    );
    present("c-2d9e10", AGENCY, "second-visit.json")?;
    let code = verify("second-visit.json", "c-2d9e10")?;
    expect("second visit accepted", code, EXIT_VALID, &mut outcomes);
    let same = pseudonym_of("presentation.json").is_some()
        && pseudonym_of("presentation.json") == pseudonym_of("second-visit.json");
    check(
        "the agency sees the same pseudonym on the second visit",
        same,
        &mut outcomes,
    );

    say(
        "6. The same citizen at a second agency, the tax office: accepted, with another pseudonym, so the two agencies cannot link the visits",
    );
    present("c-51d0c4", TAX_OFFICE, "tax-office.json")?;
    let code = verify_at("tax-office.json", "c-51d0c4", TAX_OFFICE)?;
    expect(
        "presentation at a second agency accepted",
        code,
        EXIT_VALID,
        &mut outcomes,
    );
    let other = pseudonym_of("tax-office.json").is_some()
        && pseudonym_of("tax-office.json") != pseudonym_of("presentation.json");
    check(
        "the second agency sees another pseudonym",
        other,
        &mut outcomes,
    );

    say("7. The university revokes the diploma; the agency checks again: rejected");
    civitas(&[
        "status",
        "revoke",
        "--key",
        "university-status.key",
        "--list",
        "status/revocation.json",
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

#[cfg(test)]
mod tests {
    use super::shell_quote;

    #[test]
    fn shell_quoting() {
        assert_eq!(shell_quote("trust.toml"), "trust.toml");
        assert_eq!(
            shell_quote("https://a.example/x=contexts/x.jsonld"),
            "https://a.example/x=contexts/x.jsonld"
        );
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote(""), "''");
    }
}
