//! `civitas`: verify presentations at the agency desk; issue and revoke credentials at the
//! university or agency.
//!
//! Exit status: 0 valid (or the command succeeded), 1 invalid, 2 usage or input error.

// Every `println!`, `print!`, `eprintln!` and `eprint!` in this binary is one of these, not
// the standard library's, which panic when the reader of a pipe has gone (`civitas verify
// ... | head -1`). They are defined before the modules so that they shadow the standard
// macros everywhere in the crate, including code written later.
macro_rules! println {
    () => {
        $crate::util::stdout_write(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::util::stdout_write(format_args!("{}\n", format_args!($($arg)*)))
    };
}
#[expect(
    unused_macros,
    reason = "shadows std's print!, which panics on a closed pipe; nothing prints without a newline yet"
)]
macro_rules! print {
    ($($arg:tt)*) => {
        $crate::util::stdout_write(format_args!($($arg)*))
    };
}
macro_rules! eprintln {
    () => {
        $crate::util::stderr_write(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::util::stderr_write(format_args!("{}\n", format_args!($($arg)*)))
    };
}
macro_rules! eprint {
    ($($arg:tt)*) => {
        $crate::util::stderr_write(format_args!($($arg)*))
    };
}

mod commands;
mod util;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use civitas_core::jsonld::JsonLdProcessor;
use clap::{Parser, Subcommand};

use crate::util::{Alg, CliError, CliResult, EXIT_ERROR, EXIT_VALID};

const EXIT_CODES: &str = "Exit status: 0 valid (or success), 1 invalid, 2 usage or input error.";

/// Civitas: verify presentations at the agency desk; issue and revoke credentials.
#[derive(Debug, Parser)]
#[command(name = "civitas", version, about, after_help = EXIT_CODES)]
struct Cli {
    /// Register a JSON-LD context from a file: URL=FILE (repeatable). The bundled contexts
    /// (credentials v1/v2, data integrity, citizenship, vdl, status list, ...) need nothing,
    /// and verify also loads the contexts its trust file names (`[[context]]`).
    #[arg(long = "context", value_name = "URL=FILE", global = true)]
    contexts: Vec<String>,
    /// DANGEROUS: use a key file that every user may write (refused otherwise: anyone could
    /// have replaced the key). Key files readable by others only get a warning.
    #[arg(long, global = true)]
    dangerous_allow_writable_key: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a key file (owner-only permissions) and print its did:key.
    #[command(
        after_help = "Example: civitas keygen --alg bbs -o university.key\n\nbbs keys sign credentials (bbs-2023); p256 keys sign status lists and holder presentations (ecdsa-rdfc-2019); ed25519 keys sign transparency-log checkpoints (civitas log)."
    )]
    Keygen {
        /// Key algorithm.
        #[arg(long, value_enum)]
        alg: Alg,
        /// Where to write the key file (default: civitas-bbs.key or civitas-p256.key here);
        /// refuses to overwrite unless --force.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
        /// Record the new key in this transparency log as added (for verifiers with
        /// --log-policy, which accept only logged keys).
        #[arg(long, value_name = "DIR", requires = "log_key")]
        log: Option<PathBuf>,
        /// The log's Ed25519 key, with --log.
        #[arg(long, value_name = "KEY", requires = "log")]
        log_key: Option<PathBuf>,
    },
    /// Issue credentials with a bbs-2023 base proof: one, or a batch from a CSV file.
    #[command(
        after_help = "Examples:\n  civitas issue --key university.key --mandatory mandatory.json diploma.json -o signed.json\n  civitas issue --key university.key --holder-request request.json diploma.json -o signed.json\n  civitas issue --key university.key --template diploma-template.json --csv graduates.csv --out-dir issued/\n\nWith --holder-request (or a holder_request column in the CSV naming each row's request file), the credential is bound to the holder's wallet with the feature the request asks for. The issuer is set to the key's DID. /issuer, /validFrom, /validUntil and /credentialStatus are always mandatory, so a holder can never hide them."
    )]
    Issue(commands::issue::IssueArgs),
    /// Derive a selective-disclosure credential from a signed one (what a wallet does).
    #[command(
        after_help = "Example: civitas derive --disclose disclose.json --presentation-header 6e6f6e6365 signed.json -o derived.json"
    )]
    Derive {
        /// JSON array of JSON pointers to disclose (besides the mandatory ones).
        #[arg(long, value_name = "POINTERS.json")]
        disclose: PathBuf,
        /// Presentation header to bind the proof to, in hexadecimal.
        #[arg(long, value_name = "HEX", conflicts_with_all = ["challenge", "domain"])]
        presentation_header: Option<String>,
        /// Bind the proof to this verifier's challenge (the presentation header becomes the
        /// request binding of docs/formats.md), for a bare derived credential.
        #[arg(long)]
        challenge: Option<String>,
        /// The verifier's domain, with --challenge.
        #[arg(long, requires = "challenge")]
        domain: Option<String>,
        /// The signed credential (base proof); - for standard input.
        signed: PathBuf,
        /// Output file (default: standard output).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Wrap derived credentials in a Verifiable Presentation signed by the holder's key.
    #[command(
        after_help = "Example: civitas present --holder-key phone.key --challenge 4f1c --domain https://agency.example derived.json -o presentation.json"
    )]
    Present {
        /// The holder's P-256 key file.
        #[arg(long, value_name = "KEY")]
        holder_key: PathBuf,
        /// The verifier's challenge.
        #[arg(long)]
        challenge: String,
        /// The verifier's domain.
        #[arg(long)]
        domain: String,
        /// Derived credentials to present, or one SD-JWT VC (its Disclosures chosen with
        /// --disclose, bound to the challenge and domain by a Key Binding JWT).
        #[arg(required = true)]
        derived: Vec<PathBuf>,
        /// For an SD-JWT VC: JSON array of pointers of the claims to disclose.
        #[arg(long, value_name = "POINTERS.json")]
        disclose: Option<PathBuf>,
        /// Output file (default: standard output).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Verify presentations or derived credentials: from files, a directory, standard input or
    /// a QR code image.
    #[command(
        after_help = "Examples:\n  civitas verify --trust trust.toml --status-dir lists/ --challenge 4f1c --domain https://agency.example presentation.json\n  civitas verify --trust trust.toml --qr photo.png --format json\n  civitas verify --trust trust.toml --dangerous-skip-status inbox/\n\nExit status: 0 valid, 1 invalid (any input), 2 usage or input error."
    )]
    Verify(commands::verify::VerifyArgs),
    /// The holder's side from the command line: a test wallet with a holder secret, credential
    /// requests, import, and anonymous or identified presentations.
    #[command(subcommand)]
    Holder(commands::holder::HolderCommand),
    /// Create and update Bitstring Status Lists (revocation, suspension).
    #[command(subcommand)]
    Status(commands::status::StatusCommand),
    /// A transparency log in a directory (C2SP tlog-tiles): init, append, verify.
    #[command(subcommand)]
    Log(commands::log::LogCommand),
    /// X.509 certificates for P-256 keys: an ecosystem's root and intermediate CAs, and the
    /// certificate a desk signs its OpenID4VP requests with (x509_hash:, x509_san_dns:).
    #[command(subcommand)]
    Cert(commands::cert::CertCommand),
    /// Encode a presentation as a QR code image.
    #[command(subcommand)]
    Qr(commands::qr::QrCommand),
    /// The agency desk as a service: OpenID4VP verifier, desk web page, VC API endpoints.
    #[command(
        after_help = "Examples:\n  civitas serve --config desk.toml\n  civitas serve --demo --dir demo-desk --port 8080\n\nThe desk page is at http://127.0.0.1:PORT/ (the address is printed at start). With --demo, a citizen wallet holding a diploma is in DIR/wallet; answer a check with:\n  civitas holder respond --wallet DIR/wallet --disclose-all-asked 'openid4vp://...'\nSee docs/serve.md for the configuration and the endpoints."
    )]
    Serve(commands::serve::ServeArgs),
    /// Make one OpenID4VCI credential offer per CSV row (link, PIN and QR code), redeemed at
    /// the `civitas serve` of the configuration.
    #[command(
        after_help = "Example: civitas offers --config university.toml --csv graduates.csv --out-dir offers/\n\nFor each row: DIR/<id>.offer (the openid-credential-offer:// link), DIR/<id>.pin (the PIN, owner-only: send it by another channel) and DIR/<id>.png (a printable QR code). The row id is the first column unless --id-column names another. A rerun skips rows that have an offer."
    )]
    Offers(commands::offers::OffersArgs),
    /// Run the end-to-end story: a university issues, a citizen discloses, an agency verifies.
    #[command(after_help = "Example: civitas demo")]
    Demo {
        /// Keep the files in this directory instead of a temporary one.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// The JSON-LD processor with the bundled contexts and any `--context URL=FILE`.
pub fn jsonld(contexts: &[String]) -> CliResult<Arc<JsonLdProcessor>> {
    let p = JsonLdProcessor::default();
    for c in contexts {
        let (url, file) = c
            .split_once('=')
            .ok_or_else(|| CliError::input(format!("--context {c}: expected URL=FILE")))?;
        let text = String::from_utf8(util::read_bytes(std::path::Path::new(file))?)
            .map_err(|_| CliError::input(format!("{file} is not UTF-8")))?;
        p.register_context(url, &text)
            .map_err(|e| CliError::input(format!("--context {url}: {e}")))?;
    }
    Ok(Arc::new(p))
}

fn run(cli: Cli) -> CliResult<u8> {
    util::allow_writable_key(cli.dangerous_allow_writable_key);
    let contexts = &cli.contexts;
    match cli.command {
        Command::Keygen {
            alg,
            output,
            force,
            log,
            log_key,
        } => {
            let default = match alg {
                Alg::Bbs => "civitas-bbs.key",
                Alg::P256 => "civitas-p256.key",
                Alg::Ed25519 => "civitas-ed25519.key",
            };
            commands::keygen::run(
                alg,
                &output.unwrap_or_else(|| PathBuf::from(default)),
                force,
                log.as_deref().zip(log_key.as_deref()),
            )
        }
        Command::Issue(args) => commands::issue::run(&jsonld(contexts)?, &args),
        Command::Derive {
            disclose,
            presentation_header,
            challenge,
            domain,
            signed,
            output,
        } => {
            let header = match (presentation_header, challenge) {
                (Some(hex), _) => commands::derive::Header::Hex(hex),
                (None, Some(c)) => commands::derive::Header::Request(c, domain),
                (None, None) => commands::derive::Header::None,
            };
            commands::derive::run(
                &jsonld(contexts)?,
                &disclose,
                header,
                &signed,
                output.as_deref(),
            )
        }
        Command::Present {
            holder_key,
            challenge,
            domain,
            derived,
            disclose,
            output,
        } if derived.len() == 1
            && derived
                .first()
                .is_some_and(|p| commands::sdjwt::is_sd_jwt(p)) =>
        {
            let pointers = match &disclose {
                Some(p) => util::read_pointers(p)?,
                None => Vec::new(),
            };
            commands::sdjwt::present_one(
                &holder_key,
                &challenge,
                &domain,
                derived
                    .first()
                    .map(PathBuf::as_path)
                    .unwrap_or(std::path::Path::new("-")),
                &pointers,
                output.as_deref(),
            )
        }
        Command::Present {
            holder_key,
            challenge,
            domain,
            derived,
            disclose,
            output,
        } if disclose.is_none() => commands::present::run(
            &jsonld(contexts)?,
            &holder_key,
            &challenge,
            &domain,
            &derived,
            output.as_deref(),
        ),
        Command::Present { .. } => Err(util::CliError::input(
            "--disclose is for presenting one SD-JWT VC; derived bbs-2023 credentials already hold only what they disclose",
        )),
        Command::Verify(args) => commands::verify::run(&jsonld(contexts)?, &args),
        Command::Holder(cmd) => commands::holder::run(&jsonld(contexts)?, contexts, cmd),
        Command::Serve(args) => commands::serve::run(&jsonld(contexts)?, &args),
        Command::Offers(args) => commands::offers::run(&jsonld(contexts)?, &args),
        Command::Status(cmd) => commands::status::run(&jsonld(contexts)?, cmd),
        Command::Qr(cmd) => commands::qr::run(cmd),
        Command::Log(cmd) => commands::log::run(cmd),
        Command::Cert(cmd) => commands::cert::run(cmd),
        Command::Demo { dir } => commands::demo::run(dir),
    }
}

impl Cli {
    /// Whether the command asked for JSON output (`verify --format json`).
    fn wants_json(&self) -> bool {
        matches!(&self.command, Command::Verify(a) if a.format() == commands::verify::Format::Json)
    }
}

/// Whether `args`, which clap refused, still asked for `verify --format json`: the words
/// after `verify` include `--format json` or `--format=json` (clap stops at the first
/// error, so it cannot say).
fn json_was_asked_for(args: &[std::ffi::OsString]) -> bool {
    let Some(at) = args.iter().skip(1).position(|a| a == "verify") else {
        return false;
    };
    let after = args.iter().skip(at + 2);
    let mut previous_was_format = false;
    for a in after {
        if a == "--" {
            break;
        }
        if a == "--format=json" || (previous_was_format && a == "json") {
            return true;
        }
        previous_was_format = a == "--format";
    }
    false
}

/// The exit status of every command, decided here: the command's own (0 valid or success,
/// 1 invalid), or 2 for a usage or input error, whichever way it was found.
fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let code = match Cli::try_parse_from(&args) {
        Ok(cli) => {
            let json = cli.wants_json();
            match run(cli) {
                Ok(code) => code,
                Err(e) => {
                    eprintln!("civitas: {}", util::escape(&e.message));
                    if json {
                        commands::verify::print_json_error(&e.message);
                    }
                    if e.code == 0 { EXIT_ERROR } else { e.code }
                }
            }
        }
        // --help and --version are not errors.
        Err(e) if e.exit_code() == 0 => {
            let _ = e.print();
            EXIT_VALID
        }
        Err(e) => {
            if json_was_asked_for(&args) {
                let text = e.render().to_string();
                let first = text.lines().next().unwrap_or_default();
                commands::verify::print_json_error(first.strip_prefix("error: ").unwrap_or(first));
            }
            let _ = e.print();
            EXIT_ERROR
        }
    };
    // Output that could not be written (other than to a closed pipe) is an error.
    if let Some(e) = util::stdout_error() {
        eprintln!("civitas: {e}");
        return ExitCode::from(EXIT_ERROR);
    }
    ExitCode::from(code)
}
