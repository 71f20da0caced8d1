//! `civitas holder`: a test wallet in a directory, for trying the holder's side of bound
//! credentials from the command line (the phone wallet is the same core through the FFI).
//!
//! A wallet directory holds `records/` (the encrypted store of `civitas_core::wallet`:
//! credentials, the holder secret and prover nym, pending requests, the history) and, unless
//! the storage key comes from `CIVITAS_WALLET_KEY` (64 hex digits), the key file `wallet.key`
//! (owner-only: whoever reads it can use the wallet).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use civitas_core::DevicePresentationBuilder;
use civitas_core::bbs2023::Bbs2023;
use civitas_core::bbs2023::Feature;
use civitas_core::ecdsa::EcdsaRdfc2019;
use civitas_core::jsonld::JsonLdProcessor;
use civitas_core::wallet::{
    CredentialSummary, Disclosure, EncryptedFileStore, PresentationRequest, PseudonymUse, Wallet,
};
use serde_json::Value;
use zeroize::Zeroizing;

use crate::util::{
    CliError, CliResult, EXIT_VALID, escape, load_p256_key, open_regular, read_bytes,
    read_pointers, refuse_output_onto_input, write_atomic, write_json_out,
};

/// The environment variable that may hold the wallet's storage key (64 hex digits).
pub(crate) const WALLET_KEY_ENV: &str = "CIVITAS_WALLET_KEY";
const KEY_FILE: &str = "wallet.key";
const RECORDS: &str = "records";
/// The JSON-LD contexts the wallet was given at import (`--context`), kept for later
/// commands: URL -> file under `contexts/`.
const CONTEXTS: &str = "contexts.json";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum FeatureArg {
    /// Only the holder of the wallet's secret can present the credential.
    AnonymousHolderBinding,
    /// Each verifier sees its own pseudonym of the holder (not bound to a holder secret).
    Pseudonym,
    /// Both: bound to the holder secret, with a pseudonym per verifier.
    HolderBindingPseudonym,
}

impl FeatureArg {
    pub(crate) fn feature(self) -> Feature {
        match self {
            FeatureArg::AnonymousHolderBinding => Feature::AnonymousHolderBinding,
            FeatureArg::Pseudonym => Feature::Pseudonym,
            FeatureArg::HolderBindingPseudonym => Feature::HolderBindingPseudonym,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ListFormat {
    Human,
    Json,
}

#[derive(Debug, clap::Subcommand)]
pub(crate) enum HolderCommand {
    /// Create a test wallet in a new (or empty) directory, with its holder secret.
    #[command(
        after_help = "Example: civitas holder init --wallet ada-wallet\n\nThe storage key is written to DIR/wallet.key (owner-only), unless CIVITAS_WALLET_KEY holds one (64 hex digits); then no key file is written and the variable must be set for every holder command."
    )]
    Init {
        /// The wallet directory.
        #[arg(long, value_name = "DIR")]
        wallet: PathBuf,
    },
    /// Make a credential request (a commitment to the wallet's secrets) to send to an issuer.
    #[command(
        after_help = "Example: civitas holder request --wallet ada-wallet --feature holder-binding-pseudonym -o request.json\n\nThe issuer signs with: civitas issue --key university.key --holder-request request.json diploma.json -o signed.json\nA fresh commitment is made each time, so two issuers cannot link two requests."
    )]
    Request {
        /// The wallet directory.
        #[arg(long, value_name = "DIR")]
        wallet: PathBuf,
        /// What the credential is bound to.
        #[arg(long, value_enum, default_value = "holder-binding-pseudonym")]
        feature: FeatureArg,
        /// Accept the credential back only from this issuer (its DID).
        #[arg(long, value_name = "DID")]
        issuer: Option<String>,
        /// Output file (default: standard output).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Import a signed credential (checking the issuer's signature with the wallet's secrets).
    #[command(after_help = "Example: civitas holder import --wallet ada-wallet signed.json")]
    Import {
        /// The wallet directory.
        #[arg(long, value_name = "DIR")]
        wallet: PathBuf,
        /// For an SD-JWT VC: the P-256 key file its cnf names (the key it is presented with).
        #[arg(long, value_name = "KEY")]
        holder_key: Option<PathBuf>,
        /// For an SD-JWT VC whose issuer is not a did:key: the issuer's public JWK (a file).
        #[arg(long, value_name = "JWK.json")]
        issuer_jwk: Option<PathBuf>,
        /// The signed credential (base proof, or an SD-JWT VC as issued); - for standard input.
        signed: PathBuf,
    },
    /// List the wallet's credentials.
    #[command(after_help = "Example: civitas holder list --wallet ada-wallet --format json")]
    List {
        /// The wallet directory.
        #[arg(long, value_name = "DIR")]
        wallet: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: ListFormat,
    },
    /// Present a credential to a verifier: anonymous by default, identified with
    /// --identified --holder-key.
    #[command(
        after_help = "Example: civitas holder present --wallet ada-wallet --challenge 4f1c --domain https://agency.example --disclose disclose.json -o presentation.json\n\nWhat will be disclosed (and whether the verifier sees a pseudonym it has seen before) is printed to standard error first."
    )]
    Present {
        /// The wallet directory.
        #[arg(long, value_name = "DIR")]
        wallet: PathBuf,
        /// The verifier's challenge.
        #[arg(long)]
        challenge: String,
        /// The verifier's domain (also the domain of the pseudonym it sees).
        #[arg(long)]
        domain: String,
        /// JSON array of JSON pointers to disclose (besides the mandatory ones).
        #[arg(long, value_name = "POINTERS.json")]
        disclose: PathBuf,
        /// The credential (its id from `holder list`, or a unique prefix of at least 8
        /// digits); may be left out when the wallet holds one credential.
        #[arg(long, value_name = "ID")]
        credential: Option<String>,
        /// Make an identified presentation, signed by --holder-key (for credentials issued
        /// to that key's DID).
        #[arg(long, requires = "holder_key")]
        identified: bool,
        /// The holder's P-256 key file, with --identified.
        #[arg(long, value_name = "KEY", requires = "identified")]
        holder_key: Option<PathBuf>,
        /// Output file (default: standard output).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Answer a verifier's OpenID4VP request (an openid4vp:// URL, what its QR code holds)
    /// over HTTP: show who asks for what, then post exactly the asked claims.
    #[command(
        after_help = "Example: civitas holder respond --wallet ada-wallet --disclose-all-asked 'openid4vp://?client_id=...&request_uri=...'\n\nExit status: 0 the verifier accepted the response, 1 it refused it (or nothing was sent), 2 usage or input error."
    )]
    Respond(crate::commands::respond::RespondArgs),
    /// Accept a university's credential offer (an openid-credential-offer:// link, what its
    /// QR code holds) over OpenID4VCI: the credential is bound to this wallet and imported.
    #[command(
        after_help = "Example: civitas holder accept --wallet ada-wallet --pin 493536 'openid-credential-offer://?credential_offer_uri=...'\n\nA credential whose JSON-LD context is not bundled needs --context URL=FILE (kept in the wallet for later commands). By default the credential is bound to the wallet's secrets with the strongest feature the issuer offers; --identified --holder-key KEY asks for one issued to that key's DID instead. An SD-JWT VC (dc+sd-jwt) is bound to --holder-key KEY (required then) and checked with the keys of the issuer's /.well-known/jwt-vc-issuer, or with --issuer-jwk JWK.json.\nExit status: 0 a credential was imported, 1 the issuer refused, 2 usage or input error."
    )]
    Accept(crate::commands::accept::AcceptArgs),
}

/// The storage key: from the environment variable, or the wallet's key file.
fn storage_key(dir: &Path) -> CliResult<Zeroizing<[u8; 32]>> {
    if let Some(v) = std::env::var_os(WALLET_KEY_ENV) {
        let text = Zeroizing::new(v.into_string().map_err(|_| {
            CliError::input(format!("{WALLET_KEY_ENV} must be 64 hexadecimal digits"))
        })?);
        return key_from_hex(text.trim()).ok_or_else(|| {
            CliError::input(format!("{WALLET_KEY_ENV} must be 64 hexadecimal digits"))
        });
    }
    let path = dir.join(KEY_FILE);
    if !path.exists() {
        return Err(CliError::input(format!(
            "{} is not a wallet (no {KEY_FILE}, and {WALLET_KEY_ENV} is not set); create one with: civitas holder init --wallet {}",
            dir.display(),
            dir.display()
        )));
    }
    let (mut file, meta) = open_regular(&path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            eprintln!(
                "civitas: warning: {} is readable or writable by other users (chmod 600 it): whoever reads it can use the wallet",
                path.display()
            );
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    let mut text = Zeroizing::new(String::new());
    file.by_ref()
        .take(200)
        .read_to_string(&mut text)
        .map_err(|e| CliError::input(format!("cannot read {}: {e}", path.display())))?;
    key_from_hex(text.trim()).ok_or_else(|| {
        CliError::input(format!(
            "{} is not a wallet key file (64 hexadecimal digits)",
            path.display()
        ))
    })
}

fn key_from_hex(s: &str) -> Option<Zeroizing<[u8; 32]>> {
    if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut key = Zeroizing::new([0u8; 32]);
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(key)
}

/// Register the contexts the wallet keeps (see [`CONTEXTS`]).
fn load_wallet_contexts(jsonld: &JsonLdProcessor, dir: &Path) -> CliResult<()> {
    let index = dir.join(CONTEXTS);
    if !index.exists() {
        return Ok(());
    }
    let map = crate::util::read_json(&index)?;
    for (url, file) in map.as_object().into_iter().flatten() {
        let file = file
            .as_str()
            .filter(|f| f.starts_with("contexts/") && !f.contains(".."))
            .ok_or_else(|| CliError::input(format!("{}: bad entry for {url}", index.display())))?;
        let text = String::from_utf8(read_bytes(&dir.join(file))?)
            .map_err(|_| CliError::input(format!("{file} is not UTF-8")))?;
        jsonld
            .register_context(url, &text)
            .map_err(|e| CliError::input(format!("{}: context {url}: {e}", index.display())))?;
    }
    Ok(())
}

/// Keep the `--context URL=FILE` contexts in the wallet for later commands.
fn save_wallet_contexts(dir: &Path, contexts: &[String]) -> CliResult<()> {
    if contexts.is_empty() {
        return Ok(());
    }
    let index = dir.join(CONTEXTS);
    let mut map = if index.exists() {
        crate::util::read_json(&index)?
            .as_object()
            .cloned()
            .unwrap_or_default()
    } else {
        serde_json::Map::new()
    };
    create_private_dir(&dir.join("contexts"))?;
    for c in contexts {
        let Some((url, file)) = c.split_once('=') else {
            continue;
        };
        let name = match map.get(url).and_then(Value::as_str) {
            Some(existing) => existing.to_owned(),
            None => format!("contexts/context-{}.jsonld", map.len() + 1),
        };
        write_atomic(&dir.join(&name), &read_bytes(Path::new(file))?, false)?;
        map.insert(url.to_owned(), name.into());
    }
    write_atomic(
        &index,
        serde_json::to_string_pretty(&Value::Object(map))
            .unwrap_or_default()
            .as_bytes(),
        false,
    )
}

fn open_wallet(jsonld: &Arc<JsonLdProcessor>, dir: &Path) -> CliResult<Wallet> {
    load_wallet_contexts(jsonld, dir)?;
    let records = dir.join(RECORDS);
    if !records.is_dir() {
        return Err(CliError::input(format!(
            "{} is not a wallet (no {RECORDS}/); create one with: civitas holder init --wallet {}",
            dir.display(),
            dir.display()
        )));
    }
    let key = storage_key(dir)?;
    let store = EncryptedFileStore::open(&records, key).map_err(|e| {
        CliError::input(format!(
            "{}: {e} (is this the wallet's storage key?)",
            dir.display()
        ))
    })?;
    Ok(Wallet::new(
        Arc::new(store),
        Bbs2023::new(Arc::clone(jsonld)),
    ))
}

pub(crate) fn run(
    jsonld: &Arc<JsonLdProcessor>,
    contexts: &[String],
    cmd: HolderCommand,
) -> CliResult<u8> {
    match cmd {
        HolderCommand::Accept(args) => {
            let w = open_wallet(jsonld, args.wallet_dir())?;
            let code = crate::commands::accept::run(&w, &args)?;
            if code == EXIT_VALID {
                save_wallet_contexts(args.wallet_dir(), contexts)?;
            }
            Ok(code)
        }
        HolderCommand::Respond(args) => {
            let w = open_wallet(jsonld, args.wallet_dir())?;
            crate::commands::respond::run(&w, &args)
        }
        HolderCommand::Init { wallet } => init(jsonld, &wallet),
        HolderCommand::Request {
            wallet,
            feature,
            issuer,
            output,
        } => {
            let w = open_wallet(jsonld, &wallet)?;
            let request = w.credential_request(feature.feature(), issuer.as_deref())?;
            write_json_out(output.as_deref(), &request.to_json())?;
            if let Some(out) = &output {
                eprintln!(
                    "credential request ({}) written to {}: send it to the issuer",
                    feature.feature().name(),
                    out.display()
                );
            }
            Ok(EXIT_VALID)
        }
        HolderCommand::Import {
            wallet,
            holder_key,
            issuer_jwk,
            signed,
        } => {
            let w = open_wallet(jsonld, &wallet)?;
            let bytes = read_bytes(&signed)?;
            let text = String::from_utf8(bytes)
                .map_err(|_| CliError::input(format!("{} is not UTF-8", signed.display())))?;
            if civitas_core::verifier::looks_like_sd_jwt(&text) {
                let key = holder_key.ok_or_else(|| {
                    CliError::input(
                        "an SD-JWT VC is bound to a key: give --holder-key KEY (the key its cnf names)",
                    )
                })?;
                let (_, holder) = crate::util::load_p256_key(&key, "the holder (SD-JWT VC)")?;
                let issuer = issuer_jwk
                    .map(|f| {
                        let v = crate::util::read_json(&f)?;
                        civitas_core::jose::EcJwk::from_json(&v)
                            .map(|k| k.public_key())
                            .map_err(|e| CliError::input(format!("{}: {e}", f.display())))
                    })
                    .transpose()?;
                let s = w
                    .import_sd_jwt_vc(&text, issuer.as_ref(), &holder)
                    .map_err(|e| CliError::input(format!("{}: {e}", signed.display())))?;
                println!("imported SD-JWT VC {} ({}) from {}", s.id, s.vct, s.issuer);
                return Ok(EXIT_VALID);
            }
            let summary = w
                .import(&text)
                .map_err(|e| CliError::input(format!("{}: {e}", signed.display())))?;
            save_wallet_contexts(&wallet, contexts)?;
            println!("imported {}", describe(&summary));
            Ok(EXIT_VALID)
        }
        HolderCommand::List { wallet, format } => {
            let w = open_wallet(jsonld, &wallet)?;
            let list = w.list()?;
            let pending = w.pending_requests()?;
            match format {
                ListFormat::Json => {
                    let out = ListJson {
                        credentials: list.iter().map(CredentialJson::of).collect(),
                        pending_requests: pending,
                    };
                    write_json_out(None, &out)?;
                }
                ListFormat::Human => {
                    if list.is_empty() {
                        println!("no credentials");
                    }
                    for s in &list {
                        println!("{}", describe(s));
                    }
                    if pending > 0 {
                        println!("{pending} credential request(s) waiting for their credential");
                    }
                }
            }
            Ok(EXIT_VALID)
        }
        HolderCommand::Present {
            wallet,
            challenge,
            domain,
            disclose,
            credential,
            identified,
            holder_key,
            output,
        } => {
            let mut inputs = vec![disclose.as_path()];
            if let Some(k) = &holder_key {
                inputs.push(k);
            }
            refuse_output_onto_input(output.as_deref(), &inputs)?;
            let w = open_wallet(jsonld, &wallet)?;
            let id = pick_credential(&w, credential.as_deref())?;
            let pointers = read_pointers(&disclose)?;
            let consent = w.disclosure_preview(&id, &pointers, Some(&domain))?;
            eprintln!("presenting {} to {}:", short(&id), escape(&domain));
            print_consent(&consent);
            let disclosures = [Disclosure {
                credential_id: id,
                pointers,
            }];
            let request = PresentationRequest {
                domain: Some(domain),
                challenge: Some(challenge),
            };
            let vp = match holder_key {
                Some(key_path) if identified => {
                    let (key, _) = load_p256_key(&key_path, "signing a presentation")?;
                    let builder = DevicePresentationBuilder::new(
                        EcdsaRdfc2019::new(Arc::clone(jsonld)),
                        &key,
                    );
                    // Bound to the request like an anonymous one: a holder-bound credential
                    // in it is checked against the request binding too.
                    let header = civitas_core::verifier::request_binding(
                        request.challenge.as_deref().unwrap_or(""),
                        request.domain.as_deref(),
                    );
                    w.present(&disclosures, &header, &request, &builder)?
                }
                _ => w.present_anonymous(&disclosures, &request)?,
            };
            write_json_out(output.as_deref(), &vp)?;
            Ok(EXIT_VALID)
        }
    }
}

/// What a presentation discloses, keeps hidden, and the pseudonym it shows, on standard
/// error (every value from the credential escaped).
pub(crate) fn print_consent(consent: &civitas_core::wallet::ConsentSummary) {
    for c in &consent.disclosed {
        eprintln!(
            "  discloses {} = {}{}",
            escape(&c.pointer),
            escape(&c.value),
            if c.mandatory { " (mandatory)" } else { "" }
        );
    }
    eprintln!("  keeps {} claim(s) hidden", consent.hidden.len());
    match consent.pseudonym {
        PseudonymUse::None => {}
        PseudonymUse::FirstTime => eprintln!(
            "  this verifier sees a pseudonym of you for the first time (it will recognise it next time; no other verifier can link it)"
        ),
        PseudonymUse::Returning => eprintln!(
            "  this verifier sees the pseudonym it has seen before: it recognises you as a returning visitor"
        ),
    }
}

fn init(jsonld: &Arc<JsonLdProcessor>, dir: &Path) -> CliResult<u8> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .map_err(|e| CliError::input(format!("cannot read {}: {e}", dir.display())))?
            .next()
            .is_none();
        if !empty {
            return Err(CliError::input(format!(
                "{} exists and is not empty: a wallet is created in a new or empty directory",
                dir.display()
            )));
        }
    }
    create_private_dir(dir)?;
    let from_env = std::env::var_os(WALLET_KEY_ENV).is_some();
    if !from_env {
        let mut key = Zeroizing::new([0u8; 32]);
        getrandom::getrandom(key.as_mut_slice())
            .map_err(|_| CliError::input("no system randomness"))?;
        let hex = Zeroizing::new(key.iter().map(|b| format!("{b:02x}")).collect::<String>() + "\n");
        write_atomic(&dir.join(KEY_FILE), hex.as_bytes(), true)?;
    }
    create_private_dir(&dir.join(RECORDS))?;
    let w = open_wallet(jsonld, dir)?;
    w.create_holder_secrets()?;
    println!(
        "wallet created in {} (storage key {})",
        dir.display(),
        if from_env {
            format!("from {WALLET_KEY_ENV}")
        } else {
            format!("in {}", dir.join(KEY_FILE).display())
        }
    );
    Ok(EXIT_VALID)
}

fn create_private_dir(dir: &Path) -> CliResult<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
        .map_err(|e| CliError::input(format!("cannot create {}: {e}", dir.display())))
}

fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

fn binding_text(f: Feature) -> &'static str {
    match f {
        Feature::Baseline => "not bound to this wallet",
        Feature::AnonymousHolderBinding => "bound to this wallet's secret",
        Feature::Pseudonym => "with a pseudonym per verifier",
        Feature::HolderBindingPseudonym => {
            "bound to this wallet's secret, with a pseudonym per verifier"
        }
    }
}

fn describe(s: &CredentialSummary) -> String {
    let types: Vec<&str> = s
        .types
        .iter()
        .map(String::as_str)
        .filter(|t| *t != "VerifiableCredential")
        .collect();
    format!(
        "{} {} from {}{}, {}",
        s.id,
        escape(&types.join(", ")),
        escape(
            s.issuer_name
                .as_deref()
                .or(s.issuer_id.as_deref())
                .unwrap_or("an unnamed issuer")
        ),
        s.valid_until
            .as_deref()
            .map(|u| format!(", valid until {}", escape(u)))
            .unwrap_or_default(),
        binding_text(s.binding)
    )
}

/// `civitas holder list --format json` (the shape `docs/formats.md` documents).
#[derive(Debug, serde::Serialize)]
struct ListJson<'a> {
    credentials: Vec<CredentialJson<'a>>,
    /// Credential requests whose credential has not come yet.
    pending_requests: usize,
}

/// One stored credential as `civitas holder list --format json` shows it.
#[derive(Debug, serde::Serialize)]
struct CredentialJson<'a> {
    id: &'a str,
    types: &'a [String],
    issuer: Option<&'a str>,
    issuer_name: Option<&'a str>,
    valid_from: Option<&'a str>,
    valid_until: Option<&'a str>,
    /// The bbs-2023 feature the credential is bound with (`baseline`, `anonymous_holder_binding`, ...).
    feature: &'a str,
    mandatory_pointers: &'a [String],
}

impl<'a> CredentialJson<'a> {
    fn of(s: &'a CredentialSummary) -> Self {
        Self {
            id: &s.id,
            types: &s.types,
            issuer: s.issuer_id.as_deref(),
            issuer_name: s.issuer_name.as_deref(),
            valid_from: s.valid_from.as_deref(),
            valid_until: s.valid_until.as_deref(),
            feature: s.binding.name(),
            mandatory_pointers: &s.mandatory_pointers,
        }
    }
}

/// The credential named by `wanted` (a full id or a unique prefix of at least 8 digits), or
/// the only one.
fn pick_credential(w: &Wallet, wanted: Option<&str>) -> CliResult<String> {
    let ids: Vec<String> = w.list()?.into_iter().map(|s| s.id).collect();
    match wanted {
        None => match ids.as_slice() {
            [only] => Ok(only.clone()),
            [] => Err(CliError::input(
                "the wallet holds no credential: import one with civitas holder import",
            )),
            _ => Err(CliError::input(format!(
                "the wallet holds {} credentials: name one with --credential ID (civitas holder list)",
                ids.len()
            ))),
        },
        Some(prefix) => {
            if prefix.len() < 8 {
                return Err(CliError::input(
                    "--credential: give the id, or at least its first 8 digits",
                ));
            }
            let matching: Vec<&String> = ids.iter().filter(|i| i.starts_with(prefix)).collect();
            match matching.as_slice() {
                [one] => Ok((*one).clone()),
                [] => Err(CliError::input(format!(
                    "--credential {}: no such credential in the wallet (civitas holder list)",
                    escape(prefix)
                ))),
                _ => Err(CliError::input(format!(
                    "--credential {}: more than one credential starts so; give more digits",
                    escape(prefix)
                ))),
            }
        }
    }
}
