//! `civitas serve --demo`: the files of a working demo desk, made with the same civitas
//! commands a university, a citizen and an agency would run (see `civitas demo` for the
//! story told step by step). Made once per directory; started again, the desk reuses them
//! (with the same wallet and keys).
//!
//! DIR/university.key, university-status.key: the demo university's keys;
//! DIR/status/revocation.json: its status list (the diploma at index 7);
//! DIR/wallet/: the demo citizen's wallet, holding a diploma bound to its holder secret;
//! DIR/trust.toml, DIR/desk.key, DIR/diploma-query.json: the agency's desk;
//! DIR/diploma-template.json, DIR/graduates.csv, DIR/issuer-state/: the university's issuer
//! (`civitas offers --config DIR/config.toml --csv DIR/graduates.csv --out-dir OFFERS`);
//! DIR/config.toml: the configuration of both.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use civitas_core::jsonld::JsonLdProcessor;
use clap::Parser;
use serde_json::{Value, json};

use crate::commands::demo::{
    DIPLOMA, DIPLOMA_CONTEXT, DIPLOMA_CONTEXT_FILE, DIPLOMA_CONTEXT_URL, STATUS_INDEX, STATUS_URL,
};
use crate::util::{CliError, CliResult, read_json};

/// The DCQL type IRI of the demo diploma (`UniversityDegreeCredential` expanded by its context).
const DEGREE_IRI: &str = "https://civitas.example/vocab#UniversityDegreeCredential";

/// Run one civitas command (its standard output silenced); an error names the step.
fn civitas(args: &[&str]) -> CliResult<()> {
    let argv = std::iter::once("civitas").chain(args.iter().copied());
    let cli = crate::Cli::try_parse_from(argv).map_err(|e| CliError::input(e.to_string()))?;
    crate::util::quiet_stdout(true);
    let result = crate::run(cli);
    crate::util::quiet_stdout(false);
    match result {
        Ok(0) => Ok(()),
        Ok(code) => Err(CliError::input(format!(
            "setting up the demo: civitas {} exited {code}",
            args.first().copied().unwrap_or("")
        ))),
        Err(e) => Err(CliError::input(format!(
            "setting up the demo: civitas {}: {}",
            args.first().copied().unwrap_or(""),
            e.message
        ))),
    }
}

fn write(path: &Path, text: &str) -> CliResult<()> {
    std::fs::write(path, text)
        .map_err(|e| CliError::input(format!("cannot write {}: {e}", path.display())))
}

fn text(p: &Path) -> String {
    p.display().to_string()
}

/// A demo directory is reused only if this user owns it and nobody else may write in it:
/// another local user could otherwise plant a trust file and keys in a shared temporary path.
fn refuse_foreign_dir(dir: &Path) -> CliResult<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(dir)
            .map_err(|e| CliError::input(format!("cannot use {}: {e}", dir.display())))?;
        let me = std::fs::metadata("/proc/self").map(|m| m.uid()).ok();
        if me.is_some_and(|uid| uid != meta.uid()) || meta.mode() & 0o022 != 0 {
            return Err(CliError::input(format!(
                "{} belongs to another user or others may write in it: not reused (give --dir a directory of your own)",
                dir.display()
            )));
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// The demo university's diploma template: one row of `graduates.csv` fills it.
const DIPLOMA_TEMPLATE: &str = r#"{
  "@context": [
    "https://www.w3.org/ns/credentials/v2",
    "https://civitas.example/contexts/diploma/v1"
  ],
  "type": ["VerifiableCredential", "UniversityDegreeCredential"],
  "issuer": {"name": "University of Civitas"},
  "validFrom": "{{awarded_on}}T00:00:00Z",
  "credentialSubject": {
    "type": ["Person", "Graduate"],
    "givenName": "{{given_name}}",
    "familyName": "{{family_name}}",
    "birthDate": "{{birth_date}}",
    "studentNumber": "{{student_number}}",
    "degree": {
      "type": "MasterDegree",
      "name": "{{degree}}",
      "field": "{{field}}",
      "awardedOn": "{{awarded_on}}"
    }
  }
}
"#;

/// A sample graduating class for the template.
const GRADUATES: &str = "student_number,given_name,family_name,birth_date,degree,field,awarded_on
S-2021-0042,Ada,Lovelace,1990-12-10,MSc Computer Science,Computer Science,2026-06-30
S-2021-0077,Alan,Turing,1992-06-23,MSc Mathematics,Mathematics,2026-06-30
S-2021-0101,Grace,Hopper,1991-12-09,MSc Computer Science,Computer Science,2026-06-30
";

/// The `[issuer]` part of the demo's configuration.
const ISSUER_CONFIG: &str = r##"
# The demo university's issuer (OpenID4VCI): make offers with
#   civitas offers --config config.toml --csv graduates.csv --out-dir offers
[issuer]
key = "university.key"
state_dir = "issuer-state"
admin_token_file = "issuer-admin.token"
name = "University of Civitas"
locale = "en"
batch_size = 4

[[issuer.credential]]
id = "diploma"
name = "University diploma"
description = "A master's degree of the University of Civitas"
background_color = "#12355b"
text_color = "#ffffff"
template = "diploma-template.json"
mandatory = ["/credentialSubject/degree/type"]
status_list = "status/revocation.json"

[[issuer.credential.claim]]
path = ["credentialSubject", "givenName"]
name = "Given name"

[[issuer.credential.claim]]
path = ["credentialSubject", "familyName"]
name = "Family name"

[[issuer.credential.claim]]
path = ["credentialSubject", "degree", "name"]
name = "Degree"

[[issuer.credential.claim]]
path = ["credentialSubject", "degree", "awardedOn"]
name = "Awarded on"
"##;

/// Make (or find) the demo desk in `dir`; the path of its `config.toml`.
pub(super) fn prepare(_jsonld: &Arc<JsonLdProcessor>, dir: &Path) -> CliResult<PathBuf> {
    let config = dir.join("config.toml");
    if config.is_file() {
        refuse_foreign_dir(dir)?;
        println!(
            "civitas serve: using the demo desk in {} (delete it to start afresh)",
            dir.display()
        );
        return Ok(config);
    }
    if dir.exists()
        && std::fs::read_dir(dir)
            .map_err(|e| CliError::input(format!("cannot read {}: {e}", dir.display())))?
            .next()
            .is_some()
    {
        return Err(CliError::input(format!(
            "{} is not empty and holds no demo (config.toml): give --dir a new or empty directory",
            dir.display()
        )));
    }
    println!("civitas serve: making a demo desk in {} ...", dir.display());
    std::fs::create_dir_all(dir)
        .map_err(|e| CliError::input(format!("cannot create {}: {e}", dir.display())))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    }
    std::fs::create_dir_all(dir.join("status"))
        .and_then(|()| std::fs::create_dir_all(dir.join("contexts")))
        .map_err(|e| CliError::input(format!("cannot create {}: {e}", dir.display())))?;
    let p = |name: &str| dir.join(name);

    civitas(&["keygen", "--alg", "bbs", "-o", &text(&p("university.key"))])?;
    civitas(&[
        "keygen",
        "--alg",
        "p256",
        "-o",
        &text(&p("university-status.key")),
    ])?;
    civitas(&["keygen", "--alg", "p256", "-o", &text(&p("desk.key"))])?;
    let did = |file: &str| -> CliResult<String> {
        Ok(read_json(&p(file))?
            .get("controller")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned())
    };
    let university = did("university.key")?;
    let status_signer = did("university-status.key")?;
    let list = p("status/revocation.json");
    civitas(&[
        "status",
        "create",
        "--key",
        &text(&p("university-status.key")),
        "--id",
        STATUS_URL,
        "--purpose",
        "revocation",
        "-o",
        &text(&list),
    ])?;
    write(&p(DIPLOMA_CONTEXT_FILE), DIPLOMA_CONTEXT)?;
    let context_arg = format!("{DIPLOMA_CONTEXT_URL}={}", text(&p(DIPLOMA_CONTEXT_FILE)));

    // The citizen's wallet asks for a diploma bound to its holder secret.
    let wallet = p("wallet");
    civitas(&["holder", "init", "--wallet", &text(&wallet)])?;
    let request = p("diploma-request.json");
    civitas(&[
        "holder",
        "request",
        "--wallet",
        &text(&wallet),
        "--feature",
        "holder-binding-pseudonym",
        "--issuer",
        &university,
        "-o",
        &text(&request),
    ])?;
    let mut diploma: Value =
        serde_json::from_str(DIPLOMA).map_err(|e| CliError::input(e.to_string()))?;
    if let Some(subject) = diploma
        .get_mut("credentialSubject")
        .and_then(Value::as_object_mut)
    {
        subject.remove("id");
    }
    write(
        &p("diploma.json"),
        &serde_json::to_string_pretty(&diploma).unwrap_or_default(),
    )?;
    write(
        &p("mandatory.json"),
        &json!(["/credentialSubject/degree/type"]).to_string(),
    )?;
    civitas(&[
        "issue",
        "--context",
        &context_arg,
        "--key",
        &text(&p("university.key")),
        "--mandatory",
        &text(&p("mandatory.json")),
        "--status-list",
        &text(&list),
        "--status-index",
        STATUS_INDEX,
        "--holder-request",
        &text(&request),
        &text(&p("diploma.json")),
        "-o",
        &text(&p("signed-diploma.json")),
    ])?;
    civitas(&[
        "holder",
        "import",
        "--context",
        &context_arg,
        "--wallet",
        &text(&wallet),
        &text(&p("signed-diploma.json")),
    ])?;

    // The agency's desk.
    write(
        &p("trust.toml"),
        &format!(
            "# The issuers the demo desk accepts.\n[[issuer]]\ndid = \"{university}\"\nname = \"University of Civitas\"\ncredential_types = [\"UniversityDegreeCredential\"]\nstatus_list_signers = [\"{status_signer}\"]\n\n[[context]]\nurl = \"{DIPLOMA_CONTEXT_URL}\"\nfile = \"{DIPLOMA_CONTEXT_FILE}\"\n"
        ),
    )?;
    write(
        &p("diploma-query.json"),
        &serde_json::to_string_pretty(&json!({"credentials": [{
            "id": "diploma",
            "format": "ldp_vc",
            "meta": {"type_values": [[DEGREE_IRI]]},
            "claims": [{"path": ["credentialSubject", "degree", "name"]}],
            "require_cryptographic_holder_binding": true
        }]}))
        .unwrap_or_default(),
    )?;
    write(&p("diploma-template.json"), DIPLOMA_TEMPLATE)?;
    // The issuing endpoints' token (POST /issuer/offers, /credentials/issue), owner-only.
    let mut secret = [0u8; 24];
    getrandom::getrandom(&mut secret).map_err(|_| CliError::input("no system randomness"))?;
    crate::util::write_atomic(
        &p("issuer-admin.token"),
        format!("{}\n", civitas_core::keys::encode_base64url(&secret)).as_bytes(),
        true,
    )?;
    write(&p("graduates.csv"), GRADUATES)?;
    // The wallet's diploma above has index 7: the issuer must never give it again.
    let index: u64 = STATUS_INDEX.parse().unwrap_or(7);
    super::issuer::StateDir::open(&p("issuer-state"))?.mark_index_used(STATUS_URL, index)?;
    write(
        &config,
        &("# The demo desk and university of `civitas serve --demo` (see docs/serve.md).\n\
         listen = \"127.0.0.1:8080\"\n\
         key = \"desk.key\"\n\
         trust = \"trust.toml\"\n\
         status_dir = \"status\"\n\
         transaction_ttl_seconds = 300\n\n\
         [[check]]\n\
         name = \"diploma\"\n\
         title = \"University diploma\"\n\
         dcql_file = \"diploma-query.json\"\n\
         require = [\"/credentialSubject/degree/name\"]\n"
            .to_owned()
            + ISSUER_CONFIG),
    )?;
    println!(
        "civitas serve: the demo wallet is {}; answer a check with: civitas holder respond --wallet {} --disclose-all-asked URL",
        wallet.display(),
        wallet.display()
    );
    Ok(config)
}
