//! `civitas status`: Bitstring Status Lists, signed with ecdsa-rdfc-2019.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use civitas_core::ecdsa::{DeviceKey, EcdsaProofOptions, EcdsaRdfc2019};
use civitas_core::jsonld::JsonLdProcessor;
use civitas_core::status::{
    DecodeLimits, StatusList, StatusListCredential, StatusPurpose, build_status_list_credential,
};
use clap::Subcommand;
use serde_json::Value;

use crate::util::{
    CliError, CliResult, EXIT_VALID, load_p256_key, read_json, rfc3339, write_atomic,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Purpose {
    /// Permanent: a revoked credential never becomes valid again.
    Revocation,
    /// Temporary: a suspended credential can be reinstated.
    Suspension,
}

/// The kind of status list `civitas status create` makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ListFormat {
    /// A W3C Bitstring Status List credential (ecdsa-rdfc-2019).
    Credential,
    /// An IETF Token Status List (statuslist+jwt, ES256).
    Token,
}

#[derive(Debug, Subcommand)]
pub(crate) enum StatusCommand {
    /// Create an empty status list credential (131,072 entries by default), signed with a
    /// P-256 key.
    #[command(
        after_help = "Example: civitas status create --key status.key --id https://university.example/status/1 --purpose revocation -o revocation-list.json\n\nPublish the file at its id URL, or hand it to verifiers for their --status-dir."
    )]
    Create {
        /// The P-256 key that signs the list (civitas keygen --alg p256).
        #[arg(long, value_name = "KEY")]
        key: PathBuf,
        /// The list's URL (its id), which credentials will point to.
        #[arg(long, value_name = "URL")]
        id: String,
        /// What a set entry means.
        #[arg(long, value_enum, default_value_t = Purpose::Revocation)]
        purpose: Purpose,
        /// Number of entries (at least 131,072, for herd privacy).
        #[arg(long, default_value_t = 131_072)]
        entries: usize,
        /// How long verifiers may rely on this copy of the list, in days.
        #[arg(long, value_name = "DAYS", default_value_t = 30)]
        valid_days: u64,
        /// Where to write the list credential.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        /// `credential`: a W3C Bitstring Status List credential (for bbs-2023 credentials);
        /// `token`: an IETF Token Status List (a statuslist+jwt, for SD-JWT VCs; 2 bits per
        /// entry: 0 valid, 1 revoked, 2 suspended; --purpose does not apply).
        #[arg(long, value_enum, default_value_t = ListFormat::Credential)]
        format: ListFormat,
        /// With --format token: the key's X.509 chain (PEM, leaf first, no root) for the
        /// token's x5c header, as HAIP asks; revoke, suspend and reinstate keep it.
        #[arg(long, value_name = "CHAIN.pem")]
        x5c: Option<PathBuf>,
        #[command(flatten)]
        log: LogArgs,
    },
    /// Revoke the credential at an index (revocation lists; permanent).
    #[command(
        after_help = "Example: civitas status revoke --key status.key --list revocation-list.json --index 42"
    )]
    Revoke(Update),
    /// Suspend the credential at an index (suspension lists).
    #[command(
        after_help = "Example: civitas status suspend --key status.key --list suspension-list.json --index 42"
    )]
    Suspend(Update),
    /// Lift the suspension of the credential at an index (suspension lists).
    #[command(
        after_help = "Example: civitas status reinstate --key status.key --list suspension-list.json --index 42"
    )]
    Reinstate(Update),
    /// Show a status list: its signature, issuer, purpose, size, how many entries are set, or
    /// one entry.
    #[command(after_help = "Example: civitas status show --list revocation-list.json --index 42")]
    Show {
        /// The status list credential.
        #[arg(long, value_name = "FILE")]
        list: PathBuf,
        /// Show this entry.
        #[arg(long, value_name = "N")]
        index: Option<u64>,
    },
}

#[derive(Debug, clap::Args)]
pub(crate) struct Update {
    /// The P-256 key that signed the list.
    #[arg(long, value_name = "KEY")]
    key: PathBuf,
    /// The status list credential to update (rewritten in place, atomically).
    #[arg(long, value_name = "FILE")]
    list: PathBuf,
    /// The credential's status index.
    #[arg(long, value_name = "N")]
    index: u64,
    /// How long verifiers may rely on the new version, in days (default: as long as the
    /// current version's validFrom to validUntil; no end if it has no validUntil).
    #[arg(long, value_name = "DAYS")]
    valid_days: Option<u64>,
    #[command(flatten)]
    log: LogArgs,
}

/// Logging each new version of a list in a transparency log (`civitas log init`).
#[derive(Debug, clap::Args)]
pub(crate) struct LogArgs {
    /// Record the new version in this transparency log before it is written (its URL,
    /// validity and the SHA-256 of the exact file), so no version can be published unseen.
    #[arg(long, value_name = "DIR", requires = "log_key")]
    log: Option<PathBuf>,
    /// The log's Ed25519 key, with --log.
    #[arg(long, value_name = "KEY", requires = "log")]
    log_key: Option<PathBuf>,
}

/// The file text of `signed`, recorded in the log first when asked.
fn logged_text(signed: &Value, log: &LogArgs) -> CliResult<String> {
    let text =
        serde_json::to_string_pretty(signed).map_err(|e| CliError::input(e.to_string()))? + "\n";
    if let (Some(dir), Some(key)) = (&log.log, &log.log_key) {
        let when = |k: &str| {
            signed
                .get(k)
                .and_then(Value::as_str)
                .and_then(civitas_core::Timestamp::parse)
                .map_or(0, |t| u64::try_from(t.unix_seconds()).unwrap_or(0))
        };
        let entry = civitas_core::tlog::LogEntry::StatusList {
            valid_from: when("validFrom"),
            valid_until: when("validUntil"),
            url: signed
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            sha256: sha2::Digest::finalize(<sha2::Sha256 as sha2::Digest>::new_with_prefix(
                text.as_bytes(),
            ))
            .into(),
        }
        .to_bytes()
        .ok_or_else(|| CliError::input("the list's id is too long for a log entry"))?;
        let (index, size) = crate::commands::log::append_entries(key, dir, &[entry])?;
        eprintln!(
            "logged this version as entry {index} of {} ({size} entries)",
            dir.display()
        );
    }
    Ok(text)
}

fn sign(jsonld: &Arc<JsonLdProcessor>, key: &DeviceKey, doc: &Value) -> CliResult<Value> {
    let options = EcdsaProofOptions::assertion(key.verification_method());
    Ok(EcdsaRdfc2019::new(Arc::clone(jsonld)).sign(doc, key, &options)?)
}

/// Read a list credential, verify its proof, parse it.
fn open(
    jsonld: &Arc<JsonLdProcessor>,
    path: &Path,
) -> CliResult<(Value, StatusListCredential, String)> {
    let v = read_json(path)?;
    let verified = EcdsaRdfc2019::new(Arc::clone(jsonld))
        .verify(&v)
        .map_err(|e| {
            CliError::input(format!(
                "{}: the list's signature does not verify: {e}",
                path.display()
            ))
        })?;
    let signer = civitas_core::did::did_of_url(verified.verification_method()).to_owned();
    let parsed = StatusListCredential::from_json(&v, &DecodeLimits::default())
        .map_err(|e| CliError::input(format!("{}: {e}", path.display())))?;
    Ok((v, parsed, signer))
}

/// Update a Token Status List file: 0 valid, 1 revoked (for good), 2 suspended.
fn update_token(u: &Update, value: u8, verb: &str) -> CliResult<u8> {
    if u.log.log.is_some() {
        return Err(CliError::input(
            "--log records W3C status list credentials; token status lists are not logged yet",
        ));
    }
    let (key, public) = load_p256_key(&u.key, "updating a status list")?;
    let text = String::from_utf8(crate::util::read_bytes(&u.list)?)
        .map_err(|_| CliError::input(format!("{} is not UTF-8", u.list.display())))?;
    let sub = civitas_core::sdjwt::status::token_uri(&text)
        .ok_or_else(|| CliError::input(format!("{} names no sub", u.list.display())))?;
    let now = i64::try_from(crate::util::now_unix()).unwrap_or(i64::MAX);
    let token = civitas_core::sdjwt::status::verify_token(&text, &public, &sub, now, 300)
        .map_err(|e| CliError::input(format!("{}: {e}", u.list.display())))?;
    let mut statuses = token.statuses();
    let index = usize::try_from(u.index).map_err(|_| CliError::input("index out of range"))?;
    let current = *statuses
        .get(index)
        .ok_or_else(|| CliError::input(format!("--index {}: outside the list", u.index)))?;
    if current == 1 && value != 1 {
        return Err(CliError::input(format!(
            "entry {} is revoked: revocation is permanent",
            u.index
        )));
    }
    if let Some(s) = statuses.get_mut(index) {
        *s = value;
    }
    let days = u.valid_days.unwrap_or(1);
    let exp = now.saturating_add(i64::try_from(days.saturating_mul(86_400)).unwrap_or(i64::MAX));
    // The chain the list was made with stays in its header (for the same key).
    let chain = civitas_core::sdjwt::status::token_chain(&text)
        .map_err(|e| CliError::input(format!("{}: {e}", u.list.display())))?;
    let jwt = civitas_core::sdjwt::status::build_token_with_chain(
        &key,
        chain.as_ref(),
        &sub,
        token.bits(),
        &statuses,
        (now, Some(exp), None),
    )
    .map_err(|e| CliError::input(format!("{}: {e}", u.list.display())))?;
    write_atomic(&u.list, format!("{jwt}\n").as_bytes(), false)?;
    println!("{verb}: entry {} of {sub} is now {value}", u.index);
    Ok(EXIT_VALID)
}

fn is_token(path: &Path) -> bool {
    crate::util::read_bytes(path).ok().is_some_and(|b| {
        !b.is_empty() && b.split(|c| *c == b'.').count() == 3 && b.first() != Some(&b'{')
    })
}

fn update(
    jsonld: &Arc<JsonLdProcessor>,
    u: &Update,
    want: StatusPurpose,
    value: u8,
    verb: &str,
) -> CliResult<u8> {
    if is_token(&u.list) {
        let token_value = match (want, value) {
            (StatusPurpose::Revocation, _) => 1,
            (_, 1) => 2,
            _ => 0,
        };
        return update_token(u, token_value, verb);
    }
    let (key, _) = load_p256_key(&u.key, "updating a status list")?;
    let (_, parsed, signer) = open(jsonld, &u.list)?;
    let did = civitas_core::did::did_of_url(&key.verification_method()).to_owned();
    if signer != did {
        return Err(CliError::input(format!(
            "{} was signed by {signer}, not by this key",
            u.list.display()
        )));
    }
    let purpose = parsed
        .purposes()
        .first()
        .copied()
        .ok_or_else(|| CliError::input("the list has no purpose"))?;
    if purpose != want {
        return Err(CliError::input(match (purpose, want) {
            (StatusPurpose::Revocation, StatusPurpose::Suspension) if value == 0 => {
                format!(
                    "{} is a revocation list: revocation is permanent, there is nothing to reinstate",
                    u.list.display()
                )
            }
            _ => format!(
                "{} is a {} list; {verb} needs a {} list",
                u.list.display(),
                purpose.as_str(),
                want.as_str()
            ),
        }));
    }
    let index = usize::try_from(u.index).map_err(|_| CliError::input("index out of range"))?;
    let mut list: StatusList = parsed.list().clone();
    list.set(index, value)
        .map_err(|e| CliError::input(format!("--index {}: {e}", u.index)))?;
    // Each version is valid from now: a verifier tells a fresh copy from a stale one by
    // validFrom, and a maximum age counts from it. The validity period keeps its length.
    let now = SystemTime::now();
    let period = match (u.valid_days, parsed.valid_from(), parsed.valid_until()) {
        (Some(days), _, _) => Some(days.saturating_mul(86_400)),
        (None, Some(from), Some(until)) => Some(
            u64::try_from(until.unix_seconds().saturating_sub(from.unix_seconds())).unwrap_or(0),
        ),
        (None, None, Some(_)) => {
            return Err(CliError::input(format!(
                "{} has a validUntil but no validFrom, so its validity period is unknown: give --valid-days",
                u.list.display()
            )));
        }
        (None, _, None) => None,
    };
    let valid_from = rfc3339(now);
    let valid_until = period
        .map(|secs| {
            now.checked_add(Duration::from_secs(secs))
                .map(rfc3339)
                .ok_or_else(|| CliError::input("the validity period is too long"))
        })
        .transpose()?;
    let id = parsed
        .id()
        .ok_or_else(|| CliError::input("the list has no id"))?;
    let rebuilt = build_status_list_credential(
        id,
        &did,
        purpose,
        &list,
        &valid_from,
        valid_until.as_deref(),
    )?;
    let signed = sign(jsonld, &key, &rebuilt)?;
    let permissions = std::fs::metadata(&u.list)
        .map_err(|e| CliError::input(format!("cannot read {}: {e}", u.list.display())))?
        .permissions();
    let text = logged_text(&signed, &u.log)?;
    write_atomic(&u.list, text.as_bytes(), false)?;
    // The new version replaces the file by rename; give it the old file's permissions (a
    // status list is public data, so the moment with the default mode exposes nothing).
    std::fs::set_permissions(&u.list, permissions).map_err(|e| {
        CliError::input(format!(
            "{} was updated but its permissions could not be restored: {e}",
            u.list.display()
        ))
    })?;
    println!("{verb}: entry {} of {} is now {value}", u.index, id);
    Ok(EXIT_VALID)
}

pub(crate) fn run(jsonld: &Arc<JsonLdProcessor>, cmd: StatusCommand) -> CliResult<u8> {
    match cmd {
        StatusCommand::Create {
            key,
            id,
            purpose,
            entries,
            valid_days,
            output,
            format,
            x5c,
            log,
        } => {
            let (key, public) = load_p256_key(&key, "signing a status list")?;
            if x5c.is_some() && format != ListFormat::Token {
                return Err(CliError::input("--x5c is for --format token"));
            }
            if output.exists() {
                return Err(CliError::input(format!(
                    "{} exists; updates go through revoke, suspend and reinstate",
                    output.display()
                )));
            }
            if format == ListFormat::Token {
                if log.log.is_some() {
                    return Err(CliError::input(
                        "--log records W3C status list credentials; token status lists are not logged yet",
                    ));
                }
                let now = i64::try_from(crate::util::now_unix()).unwrap_or(i64::MAX);
                let exp = now.saturating_add(
                    i64::try_from(valid_days.saturating_mul(86_400)).unwrap_or(i64::MAX),
                );
                let chain = match &x5c {
                    None => None,
                    Some(p) => Some(crate::util::read_chain(
                        p,
                        Some((&public, "the list's key")),
                    )?),
                };
                let jwt = civitas_core::sdjwt::status::build_token_with_chain(
                    &key,
                    chain.as_ref(),
                    &id,
                    2,
                    &vec![0u8; entries],
                    (now, Some(exp), None),
                )?;
                write_atomic(&output, format!("{jwt}\n").as_bytes(), false)?;
                println!(
                    "created token status list {id} with {entries} entries (2 bits: 0 valid, 1 revoked, 2 suspended) -> {}",
                    output.display()
                );
                return Ok(EXIT_VALID);
            }
            let purpose = match purpose {
                Purpose::Revocation => StatusPurpose::Revocation,
                Purpose::Suspension => StatusPurpose::Suspension,
            };
            let list = StatusList::with_len(entries, 1)
                .map_err(|e| CliError::input(format!("--entries {entries}: {e}")))?;
            let now = SystemTime::now();
            let until = now + Duration::from_secs(valid_days.saturating_mul(86_400));
            let did = civitas_core::did::did_of_url(&key.verification_method()).to_owned();
            let doc = build_status_list_credential(
                &id,
                &did,
                purpose,
                &list,
                &rfc3339(now),
                Some(&rfc3339(until)),
            )
            .map_err(|e| CliError::input(format!("--id {id}: {e}")))?;
            let signed = sign(jsonld, &key, &doc)?;
            let text = logged_text(&signed, &log)?;
            write_atomic(&output, text.as_bytes(), false)?;
            println!(
                "created {} list {id} with {entries} entries -> {}",
                purpose.as_str(),
                output.display()
            );
            Ok(EXIT_VALID)
        }
        StatusCommand::Revoke(u) => update(jsonld, &u, StatusPurpose::Revocation, 1, "revoked"),
        StatusCommand::Suspend(u) => update(jsonld, &u, StatusPurpose::Suspension, 1, "suspended"),
        StatusCommand::Reinstate(u) => {
            update(jsonld, &u, StatusPurpose::Suspension, 0, "reinstated")
        }
        StatusCommand::Show { list, index } => {
            let (doc, parsed, signer) = open(jsonld, &list)?;
            let bits = parsed.list();
            println!("list:      {}", parsed.id().unwrap_or("(no id)"));
            println!("signed by: {signer} (signature valid)");
            println!(
                "purpose:   {}",
                parsed
                    .purposes()
                    .iter()
                    .map(|p| p.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            println!(
                "valid:     {} to {}",
                doc.get("validFrom").and_then(Value::as_str).unwrap_or("?"),
                doc.get("validUntil")
                    .and_then(Value::as_str)
                    .unwrap_or("(no end)")
            );
            let set = (0..bits.len())
                .filter(|&i| bits.get(i).is_ok_and(|v| v != 0))
                .count();
            println!("entries:   {} ({set} set)", bits.len());
            if let Some(i) = index {
                let v = usize::try_from(i)
                    .ok()
                    .and_then(|i| bits.get(i).ok())
                    .ok_or_else(|| CliError::input(format!("--index {i}: out of range")))?;
                println!("entry {i}:  {v}");
            }
            Ok(EXIT_VALID)
        }
    }
}
