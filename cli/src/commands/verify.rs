//! `civitas verify`: what the agency desk runs.
//!
//! JSON output (`--format json`), a stable schema (version 1):
//! ```json
//! {"version": 1,
//!  "results": [{"input": "p.json", "verdict": "valid" | "invalid" | "error",
//!               "holder": "did:key:..." | null, "challenge": "..." | null, "domain": "..." | null,
//!               "credentials": [{"issuer": "did:key:...", "issuer_name": "..." | null,
//!                                "types": ["..."], "claims": {"/credentialSubject/...": value},
//!                                "status": ["revocation: unset"],
//!                                "holder_binding": "secret" | "did" | "key" | "none",
//!                                "pseudonym": "..." | null}],
//!               "failures": [{"check": "status", "credential": 0 | null, "reason": "..."}],
//!               "dangers": ["--dangerous-skip-status"],
//!               "error": "..." | null}],
//!  "summary": {"valid": 1, "invalid": 0, "error": 0, "batched": false},
//!  "error": null | "..."}
//! ```
//!
//! The top-level `error` is set, with no results, when nothing could be verified (a usage or
//! configuration error; exit status 2).

use civitas_core::StatusError;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use civitas_core::jsonld::JsonLdProcessor;
use civitas_core::status::{DecodeLimits, StatusListCredential};
use civitas_core::verifier::{
    Danger, MAX_CLOCK_SKEW, Policy, StatusLists, TrustList, VerifiedPresentation, Verifier,
};
use serde::Serialize;
use serde_json::Value;

use crate::util::{
    CliError, CliResult, EXIT_ERROR, EXIT_INVALID, EXIT_VALID, escape, parse_time, read_bytes,
    read_json,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// A verdict line, the issuer, the disclosed claims and every failed check.
    Human,
    /// One JSON object with a stable schema (see the README).
    Json,
}

#[derive(Debug, clap::Args)]
pub(crate) struct VerifyArgs {
    /// Presentations or derived credentials: files, directories (every *.json inside), or -
    /// for standard input.
    inputs: Vec<PathBuf>,
    /// A photo or screenshot of a QR code made by `civitas qr encode` or a wallet.
    #[arg(long, value_name = "IMAGE")]
    qr: Vec<PathBuf>,
    /// Verify several inputs one by one instead of checking the BBS pairing equations of all
    /// of them in one batch (the verdicts are the same; the batch is faster).
    #[arg(long)]
    no_batch: bool,
    /// The trust list (TOML): issuers this desk accepts and for which credential types, and
    /// the JSON-LD contexts their credentials use (`[[context]]`, files relative to it).
    #[arg(long, value_name = "TRUST.toml")]
    trust: Option<PathBuf>,
    /// Directory of status list credentials (each *.json file one list).
    #[arg(long, value_name = "DIR")]
    status_dir: Option<PathBuf>,
    /// Require transparency (c2sp.org/tlog-policy file: the issuers' logs, their witnesses,
    /// the quorum): each issuer key logged and not retired, each status list used the latest
    /// version its log records, in a checkpoint the quorum cosigned.
    #[arg(long, value_name = "POLICY")]
    log_policy: Option<PathBuf>,
    /// With --log-policy: keep the last checkpoint believed of each log here, so that every
    /// newer one must be consistent with it (a fork is refused and its evidence kept here).
    #[arg(long, value_name = "DIR", requires = "log_policy")]
    log_state: Option<PathBuf>,
    /// With --log-policy: the oldest a log's newest cosignature may be, in seconds.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 86_400,
        requires = "log_policy"
    )]
    log_max_age: u64,
    /// The challenge this desk gave the holder (required for replay protection).
    #[arg(long)]
    challenge: Option<String>,
    /// This desk's domain.
    #[arg(long)]
    domain: Option<String>,
    /// A JSON pointer that must be disclosed, e.g. /credentialSubject/degree/name (repeatable).
    #[arg(long, value_name = "POINTER")]
    require: Vec<String>,
    /// Check validity at this time instead of now (audits), e.g. 2026-11-21T10:00:00Z.
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
    /// Accepted clock difference, in seconds: at most 3600 (one hour) unless
    /// --dangerous-clock-skew.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    clock_skew: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// DANGEROUS: accept any issuer (the proof and all other checks still apply).
    #[arg(long)]
    dangerous_allow_any_issuer: bool,
    /// DANGEROUS: do not check revocation or suspension.
    #[arg(long)]
    dangerous_skip_status: bool,
    /// DANGEROUS: accept a credential that nothing binds to its presenter (no holder secret,
    /// not issued to the presentation's signed holder): anyone with a copy can show it.
    #[arg(long)]
    dangerous_allow_bearer: bool,
    /// DANGEROUS: verify without --challenge, so without replay protection.
    #[arg(long)]
    dangerous_no_challenge: bool,
    /// DANGEROUS: allow a --clock-skew above one hour (a credential expired, or not yet
    /// valid, by up to that much passes).
    #[arg(long)]
    dangerous_clock_skew: bool,
}

impl VerifyArgs {
    /// The output format asked for.
    pub(crate) fn format(&self) -> Format {
        self.format
    }
}

/// The JSON output when nothing could be verified (a usage or configuration error: a bad
/// flag, an unreadable trust file, a bad status directory): the same object as always,
/// with no results and the reason in the top-level `error`; the exit status is 2.
pub(crate) fn print_json_error(message: &str) {
    let out = Report {
        version: 1,
        results: Vec::new(),
        summary: Summary::default(),
        error: Some(message.to_owned()),
    };
    println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
}

/// The JSON output of `civitas verify --format json` (schema version 1, above).
#[derive(Debug, Serialize)]
pub(crate) struct Report {
    version: u32,
    results: Vec<JsonResult>,
    summary: Summary,
    error: Option<String>,
}

#[derive(Debug, Default, Serialize)]
pub(crate) struct Summary {
    valid: usize,
    invalid: usize,
    error: usize,
    batched: bool,
}

/// One input's result.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct JsonResult {
    pub(crate) input: String,
    /// `valid`, `invalid` or `error`.
    pub(crate) verdict: &'static str,
    pub(crate) holder: Option<String>,
    pub(crate) challenge: Option<String>,
    pub(crate) domain: Option<String>,
    pub(crate) credentials: Vec<JsonCredential>,
    pub(crate) failures: Vec<JsonFailure>,
    /// The `--dangerous-*` flags in force.
    pub(crate) dangers: Vec<&'static str>,
    pub(crate) error: Option<String>,
}

/// One accepted credential.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct JsonCredential {
    issuer: String,
    issuer_name: Option<String>,
    types: Vec<String>,
    /// Disclosed claims by JSON pointer, in document order.
    claims: serde_json::Map<String, Value>,
    status: Vec<String>,
    /// `secret`, `did`, `key` (an SD-JWT VC key-bound) or `none`.
    holder_binding: &'static str,
    pseudonym: Option<String>,
}

/// One failed check.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct JsonFailure {
    /// The check's stable name (`proof`, `status`, ...).
    pub(crate) check: &'static str,
    /// Which credential (0-based), for per-credential checks.
    pub(crate) credential: Option<usize>,
    pub(crate) reason: String,
}

/// One input's outcome.
pub(crate) enum Outcome {
    Valid(VerifiedPresentation),
    Invalid(civitas_core::verifier::Rejection),
    Error(String),
}

/// Register the contexts a trust file names (`[[context]] url = ... file = ...`), each file
/// read relative to the trust file's directory unless absolute.
pub(crate) fn register_trusted_contexts(
    jsonld: &JsonLdProcessor,
    trust_path: &Path,
    trust: &TrustList,
) -> CliResult<()> {
    let base = trust_path.parent().unwrap_or(Path::new(""));
    for c in trust.contexts() {
        let file = base.join(&c.file);
        let at = |what: String| {
            CliError::input(format!(
                "{}: context {}: {what}",
                trust_path.display(),
                c.url
            ))
        };
        let text = String::from_utf8(read_bytes(&file).map_err(|e| at(e.message))?)
            .map_err(|_| at(format!("{} is not UTF-8", file.display())))?;
        jsonld
            .register_context(&c.url, &text)
            .map_err(|e| at(e.to_string()))?;
    }
    Ok(())
}

fn policy(jsonld: &JsonLdProcessor, args: &VerifyArgs) -> CliResult<Policy> {
    let trust = match &args.trust {
        Some(path) => {
            let text = String::from_utf8(read_bytes(path)?)
                .map_err(|_| CliError::input(format!("{} is not UTF-8", path.display())))?;
            let trust = TrustList::from_toml(&text)
                .map_err(|e| CliError::input(format!("{}: {e}", path.display())))?;
            register_trusted_contexts(jsonld, path, &trust)?;
            trust
        }
        None if args.dangerous_allow_any_issuer => TrustList::empty(),
        None => {
            return Err(CliError::input(
                "give --trust TRUST.toml (the issuers this desk accepts), or --dangerous-allow-any-issuer",
            ));
        }
    };
    let skew = Duration::from_secs(args.clock_skew);
    let mut p = if args.dangerous_clock_skew {
        Policy::new(trust).dangerous_clock_skew(skew)
    } else if skew > MAX_CLOCK_SKEW {
        return Err(CliError::input(format!(
            "--clock-skew {}: at most {} seconds (one hour); a larger skew needs --dangerous-clock-skew",
            args.clock_skew,
            MAX_CLOCK_SKEW.as_secs()
        )));
    } else {
        Policy::new(trust).clock_skew(skew)
    };
    if let Some(at) = &args.at {
        p = p.at(parse_time(at)?);
    }
    if let Some(c) = &args.challenge {
        p = p.challenge(c.clone());
    }
    if let Some(d) = &args.domain {
        p = p.domain(d.clone());
    }
    for r in &args.require {
        civitas_core::json_pointer::parse(r)
            .map_err(|e| CliError::input(format!("--require {r}: {e}")))?;
        p = p.require(r.clone());
    }
    if args.dangerous_allow_any_issuer {
        p = p.dangerous_allow_any_issuer();
    }
    if args.dangerous_skip_status {
        p = p.dangerous_skip_status();
    }
    if args.dangerous_allow_bearer {
        p = p.dangerous_allow_bearer();
    }
    if args.dangerous_no_challenge {
        p = p.dangerous_no_challenge();
    }
    if let Some(file) = &args.log_policy {
        let logs = super::logview::read_policy(file)?;
        if logs.logs().is_empty() {
            return Err(CliError::input(format!(
                "{} names no log: add `log <vkey> <url>` lines",
                file.display()
            )));
        }
        p = p.require_transparency(super::logview::transparency(
            &logs,
            args.log_state.as_deref(),
            args.log_max_age,
        )?);
    }
    Ok(p)
}

/// The status lists of `--status-dir`. Two files holding one list id are an error naming
/// both (a stale copy would un-revoke). A file that cannot be read or is not a usable status
/// list is reported on standard error and the others are still used: a credential whose list
/// is in it then fails its status check, with a reason naming the file.
pub(crate) fn status_lists(dir: Option<&Path>) -> CliResult<StatusLists> {
    let mut lists = StatusLists::new();
    let Some(dir) = dir else {
        return Ok(lists);
    };
    let mut sources: std::collections::HashMap<String, PathBuf> = Default::default();
    // Token Status Lists (for SD-JWT VCs): *.jwt files.
    for path in files_with(dir, &["jwt"])? {
        let inserted = read_bytes(&path).and_then(|b| {
            let text = String::from_utf8(b)
                .map_err(|_| CliError::input(format!("{} is not UTF-8", path.display())))?;
            lists
                .insert_token(&text)
                .map_err(|e| CliError::input(e.to_string()))
        });
        if let Err(e) = inserted {
            eprintln!(
                "warning: {}: not a usable status list token ({}); it is not used",
                path.display(),
                e.message
            );
            lists.note_unusable(path.display().to_string());
        }
    }
    for path in json_files(dir)? {
        let unusable = |reason: &str| {
            eprintln!(
                "warning: {reason}; it is not used, and credentials whose status is in it will fail their status check"
            );
        };
        let v = match read_json(&path) {
            Ok(v) => v,
            Err(e) => {
                unusable(&e.message);
                lists.note_unusable(path.display().to_string());
                continue;
            }
        };
        let id = v.get("id").and_then(Value::as_str).map(str::to_owned);
        let undecodable = StatusListCredential::from_json(&v, &DecodeLimits::default()).err();
        // From the exact bytes, so that a transparency log's hash of them can be matched.
        let inserted = match read_bytes(&path) {
            Ok(bytes) => lists.insert_published(&bytes),
            Err(_) => lists.insert(v),
        };
        match (inserted, id) {
            (Ok(()), id) => {
                // Kept even when undecodable: a credential that needs it is told what is wrong.
                if let Some(e) = undecodable {
                    unusable(&format!(
                        "{}: not a usable status list: {e}",
                        path.display()
                    ));
                }
                if let Some(id) = id {
                    sources.insert(id, path);
                }
            }
            (Err(civitas_core::Error::Status(StatusError::DuplicateList { id })), _) => {
                let first = sources
                    .get(&id)
                    .map_or_else(|| "another file".to_owned(), |p| p.display().to_string());
                return Err(CliError::input(format!(
                    "{first} and {} both hold status list {id}: keep only the current one",
                    path.display()
                )));
            }
            (Err(e), _) => {
                let e = undecodable.unwrap_or(e);
                unusable(&format!(
                    "{}: not a usable status list: {e}",
                    path.display()
                ));
                lists.note_unusable(path.display().to_string());
            }
        }
    }
    Ok(lists)
}

/// The `*.json` files of a directory, sorted.
fn json_files(dir: &Path) -> CliResult<Vec<PathBuf>> {
    files_with(dir, &["json"])
}

/// The files of a directory with one of `extensions`, sorted.
fn files_with(dir: &Path, extensions: &[&str]) -> CliResult<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| CliError::input(format!("cannot read directory {}: {e}", dir.display())))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .is_some_and(|x| extensions.iter().any(|e| x == *e))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Inputs expanded: directories become their JSON files.
fn expand_inputs(args: &VerifyArgs) -> CliResult<Vec<(String, Source)>> {
    let mut out = Vec::new();
    for p in &args.inputs {
        if p.is_dir() {
            for f in files_with(p, &["json", "sd-jwt"])? {
                out.push((f.display().to_string(), Source::File(f)));
            }
        } else {
            out.push((
                if p == Path::new("-") {
                    "-".into()
                } else {
                    p.display().to_string()
                },
                Source::File(p.clone()),
            ));
        }
    }
    for q in &args.qr {
        out.push((q.display().to_string(), Source::Qr(q.clone())));
    }
    if out.is_empty() {
        return Err(CliError::input(
            "nothing to verify: give a file, a directory, - (standard input) or --qr IMAGE",
        ));
    }
    Ok(out)
}

enum Source {
    File(PathBuf),
    Qr(PathBuf),
}

/// What an input holds: a JSON presentation or credential, or an SD-JWT VC presentation
/// (the compact `~`-separated form).
enum Loaded {
    Json(Value),
    SdJwt(String),
}

fn load(source: &Source) -> Result<Loaded, String> {
    match source {
        Source::File(p) => {
            let bytes = read_bytes(p).map_err(|e| e.message)?;
            if let Ok(text) = std::str::from_utf8(&bytes)
                && civitas_core::verifier::looks_like_sd_jwt(text)
            {
                return Ok(Loaded::SdJwt(text.trim().to_owned()));
            }
            crate::util::parse_json_bytes(p, &bytes)
                .map(Loaded::Json)
                .map_err(|e| e.message)
        }
        Source::Qr(p) => {
            // Never open a FIFO or a device (the image decoder would block or read forever).
            crate::util::open_regular(p).map_err(|e| e.message)?;
            let payload =
                civitas_cli::qr::decode_image(p).map_err(|e| format!("{}: {e}", p.display()))?;
            civitas_core::compact::decode(&payload)
                .map(Loaded::Json)
                .map_err(|e| format!("{}: QR payload: {e}", p.display()))
        }
    }
}

pub(crate) fn run(jsonld: &Arc<JsonLdProcessor>, args: &VerifyArgs) -> CliResult<u8> {
    let policy = policy(jsonld, args)?;
    let lists = status_lists(args.status_dir.as_deref())?;
    let inputs = expand_inputs(args)?;
    let verifier = Verifier::new(Arc::clone(jsonld));
    let batched = !args.no_batch && inputs.len() > 1;
    let outcomes = verify_all(&verifier, &policy, &lists, &inputs, batched);
    let (mut valid, mut invalid, mut errors) = (0, 0, 0);
    for (_, o) in &outcomes {
        match o {
            Outcome::Valid(_) => valid += 1,
            Outcome::Invalid(_) => invalid += 1,
            Outcome::Error(_) => errors += 1,
        }
    }
    match args.format {
        Format::Json => {
            let out = Report {
                version: 1,
                results: outcomes
                    .iter()
                    .map(|(name, o)| json_result(name, o, policy.dangers()))
                    .collect(),
                summary: Summary {
                    valid,
                    invalid,
                    error: errors,
                    batched,
                },
                error: None,
            };
            println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        }
        Format::Human if outcomes.len() == 1 => {
            if let Some((name, o)) = outcomes.first() {
                print_human(name, o, policy.dangers());
            }
        }
        Format::Human => {
            for (name, o) in &outcomes {
                let name = escape(name);
                match o {
                    Outcome::Valid(vp) => println!(
                        "VALID    {name}  {}{}",
                        headline(vp),
                        dangers_note(vp.dangers())
                    ),
                    Outcome::Invalid(r) => println!(
                        "INVALID  {name}  {}{}",
                        r.failures()
                            .iter()
                            .map(|f| format!("{}: {}", f.check.name(), escape(&f.reason)))
                            .collect::<Vec<_>>()
                            .join("; "),
                        dangers_note(r.dangers())
                    ),
                    Outcome::Error(e) => println!(
                        "ERROR    {name}  {}{}",
                        escape(e),
                        dangers_note(policy.dangers())
                    ),
                }
            }
            println!(
                "\n{valid} valid, {invalid} invalid, {errors} error(s) out of {}{}",
                outcomes.len(),
                if batched {
                    " (BBS proofs checked in one batch; --no-batch to check one by one)"
                } else {
                    ""
                }
            );
        }
    }
    Ok(if errors > 0 {
        EXIT_ERROR
    } else if invalid > 0 {
        EXIT_INVALID
    } else {
        EXIT_VALID
    })
}

/// Verify every input, on all cores; with `batch` (and more than one input), the BBS
/// pairing equations of all inputs are checked together (`civitas_core::bbs::batch`), with
/// the same verdicts.
fn verify_all(
    verifier: &Verifier,
    policy: &Policy,
    lists: &StatusLists,
    inputs: &[(String, Source)],
    batch: bool,
) -> Vec<(String, Outcome)> {
    let one = |source: &Source| match load(source) {
        Ok(Loaded::Json(v)) => match verifier.verify(&v, policy, lists) {
            Ok(vp) => Outcome::Valid(vp),
            Err(r) => Outcome::Invalid(r),
        },
        Ok(Loaded::SdJwt(compact)) => match verifier.verify_sd_jwt(&compact, policy, lists) {
            Ok(vp) => Outcome::Valid(vp),
            Err(r) => Outcome::Invalid(r),
        },
        Err(e) => Outcome::Error(e),
    };
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(inputs.len())
        .max(1);
    if batch {
        let jobs: Vec<_> = inputs.iter().map(|(_, s)| move || one(s)).collect();
        return inputs
            .iter()
            .zip(civitas_core::bbs::verify_batch(jobs, workers))
            .map(|((name, _), o)| (name.clone(), o))
            .collect();
    }
    let mut results: Vec<Option<Outcome>> = (0..inputs.len()).map(|_| None).collect();
    if workers == 1 {
        for (slot, (_, s)) in results.iter_mut().zip(inputs) {
            *slot = Some(one(s));
        }
    } else {
        let next = std::sync::atomic::AtomicUsize::new(0);
        let done: std::sync::Mutex<Vec<(usize, Outcome)>> = std::sync::Mutex::new(Vec::new());
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((_, source)) = inputs.get(i) else {
                            break;
                        };
                        let o = one(source);
                        if let Ok(mut d) = done.lock() {
                            d.push((i, o));
                        }
                    }
                });
            }
        });
        for (i, o) in done.into_inner().unwrap_or_default() {
            if let Some(slot) = results.get_mut(i) {
                *slot = Some(o);
            }
        }
    }
    inputs
        .iter()
        .zip(results)
        .map(|((name, _), o)| {
            (
                name.clone(),
                o.unwrap_or_else(|| Outcome::Error("not verified".into())),
            )
        })
        .collect()
}

/// ` [relaxed: --dangerous-...]` when relaxations were in force, for one-line results.
fn dangers_note(dangers: &[Danger]) -> String {
    if dangers.is_empty() {
        return String::new();
    }
    let flags: Vec<&str> = dangers.iter().map(|d| d.flag()).collect();
    format!("  [relaxed: {}]", flags.join(", "))
}

/// What was presented, in a few words; every part that comes from the input is escaped.
fn headline(vp: &VerifiedPresentation) -> String {
    vp.credentials()
        .iter()
        .map(|c| {
            let kind = c
                .types()
                .iter()
                .rfind(|t| *t != "VerifiableCredential")
                .cloned()
                .unwrap_or_else(|| "credential".into());
            match c.issuer_name() {
                Some(n) => format!("{} from {}", escape(&kind), escape(n)),
                None => format!(
                    "{} from untrusted issuer {}",
                    escape(&kind),
                    escape(c.issuer())
                ),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The human report of one input. Everything printed that the input could have chosen
/// (names, types, DIDs, claim pointers and values, status lines, reasons, errors) goes
/// through [`escape`], so no signed value can move the cursor or draw a line of its own.
fn print_human(name: &str, outcome: &Outcome, dangers: &[Danger]) {
    match outcome {
        Outcome::Valid(vp) => {
            println!("VALID: {}", headline(vp));
            for d in vp.dangers() {
                println!("  WARNING: relaxed check {}", d.flag());
            }
            if let Some(h) = vp.holder() {
                println!("  holder:    {}", escape(h));
            }
            if let (Some(c), Some(d)) = (vp.challenge(), vp.domain()) {
                println!("  challenge: {}   domain: {}", escape(c), escape(d));
            }
            for (i, c) in vp.credentials().iter().enumerate() {
                let types: Vec<String> = c.types().iter().map(|t| escape(t)).collect();
                println!("\n  credential {}: {}", i + 1, types.join(", "));
                println!(
                    "  issuer:    {} ({})",
                    escape(c.issuer_name().unwrap_or("NOT IN THE TRUST LIST")),
                    escape(c.issuer())
                );
                for s in c.status() {
                    println!("  status:    {}", escape(s));
                }
                println!("  bound to holder: {}", c.holder_binding().name());
                if let Some(p) = c.pseudonym() {
                    println!("  pseudonym: {p}");
                }
                println!("  disclosed claims:");
                let rows: Vec<(String, String)> = c
                    .disclosed_claims()
                    .into_iter()
                    .map(|(p, v)| {
                        let v = match v {
                            Value::String(s) => escape(s),
                            other => escape(&other.to_string()),
                        };
                        (escape(&p), v)
                    })
                    .collect();
                let width = rows
                    .iter()
                    .map(|(p, _)| p.chars().count())
                    .max()
                    .unwrap_or(0);
                for (p, v) in rows {
                    println!("    {p:<width$}  {v}");
                }
            }
        }
        Outcome::Invalid(r) => {
            println!("INVALID: {}", escape(name));
            for f in r.failures() {
                let reason = escape(&f.reason);
                match f.credential {
                    Some(i) => println!("  - {} (credential {}): {reason}", f.check.name(), i + 1),
                    None => println!("  - {}: {reason}", f.check.name()),
                }
            }
            for d in r.dangers() {
                println!("  WARNING: relaxed check {}", d.flag());
            }
        }
        Outcome::Error(e) => {
            println!("ERROR: {}", escape(e));
            for d in dangers {
                println!("  WARNING: relaxed check {}", d.flag());
            }
        }
    }
}

/// One input's JSON result. `dangers` are the policy's, for inputs that could not be
/// checked (the others carry their own).
pub(crate) fn json_result(name: &str, o: &Outcome, dangers: &[Danger]) -> JsonResult {
    let flags = |d: &[Danger]| d.iter().map(|d| d.flag()).collect::<Vec<_>>();
    let empty = |verdict, error, dangers| JsonResult {
        input: name.to_owned(),
        verdict,
        holder: None,
        challenge: None,
        domain: None,
        credentials: Vec::new(),
        failures: Vec::new(),
        dangers,
        error,
    };
    match o {
        Outcome::Valid(vp) => JsonResult {
            input: name.to_owned(),
            verdict: "valid",
            holder: vp.holder().map(str::to_owned),
            challenge: vp.challenge().map(str::to_owned),
            domain: vp.domain().map(str::to_owned),
            credentials: vp
                .credentials()
                .iter()
                .map(|c| JsonCredential {
                    issuer: c.issuer().to_owned(),
                    issuer_name: c.issuer_name().map(str::to_owned),
                    types: c.types().to_vec(),
                    claims: c
                        .disclosed_claims()
                        .into_iter()
                        .map(|(p, v)| (p, v.clone()))
                        .collect(),
                    status: c.status().to_vec(),
                    holder_binding: c.holder_binding().name(),
                    pseudonym: c.pseudonym().map(str::to_owned),
                })
                .collect(),
            failures: Vec::new(),
            dangers: flags(vp.dangers()),
            error: None,
        },
        Outcome::Invalid(r) => JsonResult {
            failures: r
                .failures()
                .iter()
                .map(|f| JsonFailure {
                    check: f.check.name(),
                    credential: f.credential,
                    reason: f.reason.clone(),
                })
                .collect(),
            ..empty("invalid", None, flags(r.dangers()))
        },
        Outcome::Error(e) => empty("error", Some(e.clone()), flags(dangers)),
    }
}
