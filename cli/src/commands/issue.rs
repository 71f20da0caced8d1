//! `civitas issue`: one credential, or a batch from a CSV file and a template.

use civitas_core::StatusError;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use civitas_cli::csv::parse_csv;
use civitas_core::bbs2023::{Bbs2023, CommitmentRequest};
use civitas_core::jsonld::JsonLdProcessor;
use civitas_core::status::{DecodeLimits, StatusListCredential};
use civitas_core::{AssignedIndexes, CredentialIssuer, StatusAssignment};
use serde_json::Value;

use crate::util::{
    CliError, CliResult, EXIT_VALID, load_bbs_key, read_bytes, read_json, read_pointers,
    remove_stale_temps, write_atomic, write_json_out,
};

/// What `civitas issue` makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum CredentialFormat {
    /// A W3C VC with a bbs-2023 proof (a BBS key).
    LdpVc,
    /// An SD-JWT VC (IETF draft -13) signed with ES256 (a P-256 key); every claim
    /// selectively disclosable unless --plain names it.
    SdJwtVc,
}

#[derive(Debug, clap::Args)]
pub(crate) struct IssueArgs {
    /// The credential format.
    #[arg(long, value_enum, default_value_t = CredentialFormat::LdpVc)]
    format: CredentialFormat,
    /// With --format sd-jwt-vc: the credential type (vct), e.g. urn:eudi:pid:1.
    #[arg(long, value_name = "URI")]
    vct: Option<String>,
    /// With --format sd-jwt-vc: the issuer (iss; default: the did:key of --key).
    #[arg(long, value_name = "URI")]
    iss: Option<String>,
    /// With --format sd-jwt-vc: the holder's public key (a JWK file, or a P-256 key file
    /// whose public key is used) for cnf; the holder then proves possession when presenting.
    #[arg(long, value_name = "FILE")]
    holder_jwk: Option<PathBuf>,
    /// With --format sd-jwt-vc: JSON array of pointers of claims to keep plainly visible.
    #[arg(long, value_name = "POINTERS.json")]
    plain: Option<PathBuf>,
    /// With --format sd-jwt-vc: the key's X.509 chain (PEM, leaf first, no root) for the
    /// x5c header, as HAIP asks; its leaf must name --iss (a URI SAN, or the https host).
    #[arg(long, value_name = "CHAIN.pem")]
    x5c: Option<PathBuf>,
    /// With --format sd-jwt-vc: days until exp (default: no exp).
    #[arg(long, value_name = "DAYS")]
    valid_days: Option<u64>,
    /// The issuer's BBS key file (civitas keygen --alg bbs).
    #[arg(long, value_name = "KEY")]
    key: PathBuf,
    /// JSON array of JSON pointers the holder must always disclose.
    #[arg(long, value_name = "POINTERS.json")]
    mandatory: Option<PathBuf>,
    /// A status list credential (civitas status create) to give the credential a revocation
    /// or suspension entry.
    #[arg(long, value_name = "LIST")]
    status_list: Option<PathBuf>,
    /// The credential's index in the status list (single mode; in batch mode, the CSV column
    /// `status_index`).
    #[arg(long, value_name = "N", requires = "status_list")]
    status_index: Option<u64>,
    /// A holder's credential request (civitas holder request): the credential is bound to
    /// the holder's wallet with the feature the request asks for (single mode; in batch mode,
    /// the CSV column `holder_request` names each row's request file, relative to the CSV).
    #[arg(long, value_name = "REQ.json", conflicts_with = "template")]
    holder_request: Option<PathBuf>,
    /// The unsigned credential (single mode); - for standard input.
    #[arg(conflicts_with_all = ["template", "csv", "out_dir"], required_unless_present = "template")]
    credential: Option<PathBuf>,
    /// Output file (single mode; default: standard output).
    #[arg(short, long, value_name = "FILE", conflicts_with = "template")]
    output: Option<PathBuf>,
    /// Batch mode: a credential template whose string values may contain {{column}}.
    #[arg(long, value_name = "TEMPLATE.json", requires_all = ["csv", "out_dir"])]
    template: Option<PathBuf>,
    /// Batch mode: the records, one per row, with a header row naming the columns.
    #[arg(long, value_name = "GRADUATES.csv", requires = "template")]
    csv: Option<PathBuf>,
    /// Batch mode: where to write one signed credential per row.
    #[arg(long, value_name = "DIR", requires = "template")]
    out_dir: Option<PathBuf>,
    /// Batch mode: the column that names each output file (default: the first column).
    #[arg(long, value_name = "COLUMN", requires = "template")]
    name_column: Option<String>,
    /// Record each credential in this transparency log as a salted commitment and write
    /// its inclusion proof beside it (OUT.tlog-proof; the salt in it is the holder's). Needs
    /// -o in single mode.
    #[arg(long, value_name = "DIR", requires = "log_key")]
    log: Option<PathBuf>,
    /// The log's Ed25519 key, with --log.
    #[arg(long, value_name = "KEY", requires = "log")]
    log_key: Option<PathBuf>,
}

/// The command's issuer: the core's policy ([`CredentialIssuer`]) with this run's mandatory
/// pointers and status list.
struct Issuer {
    core: CredentialIssuer,
    mandatory: Vec<String>,
    status: Option<StatusAssignment>,
}

impl Issuer {
    fn new(jsonld: &Arc<JsonLdProcessor>, args: &IssueArgs) -> CliResult<Self> {
        let (key, _) = load_bbs_key(&args.key)?;
        let mandatory = args
            .mandatory
            .as_deref()
            .map(read_pointers)
            .transpose()?
            .unwrap_or_default();
        let status = match &args.status_list {
            Some(path) => {
                let list = read_json(path)?;
                let assignment = StatusListCredential::from_json(&list, &DecodeLimits::default())
                    .and_then(|parsed| StatusAssignment::from_list(&parsed))
                    .map_err(|e| CliError::input(format!("{}: {e}", path.display())))?;
                Some(assignment)
            }
            None => None,
        };
        Ok(Self {
            core: CredentialIssuer::new(Bbs2023::new(Arc::clone(jsonld)), key),
            mandatory,
            status,
        })
    }

    /// Check a status index against the list (before anything is signed or written).
    fn check_index(&self, index: u64) -> Result<(), civitas_core::Error> {
        match &self.status {
            Some(list) => list.entry(index).map(drop),
            None => Ok(()),
        }
    }

    /// Set the issuer, add the status entry, check, and sign (the core's policy), bound to
    /// the holder's request when there is one.
    fn issue(
        &self,
        doc: Value,
        status_index: Option<u64>,
        request: Option<&CommitmentRequest>,
    ) -> CliResult<Value> {
        let status = match (&self.status, status_index) {
            (Some(list), Some(index)) => Some((list, index)),
            (Some(_), None) => {
                return Err(CliError::input(
                    "a status list was given but no status index",
                ));
            }
            (None, _) => None,
        };
        Ok(match request {
            Some(r) => self.core.issue_bound(doc, status, &self.mandatory, r)?,
            None => self.core.issue(doc, status, &self.mandatory)?,
        })
    }
}

pub(crate) fn run(jsonld: &Arc<JsonLdProcessor>, args: &IssueArgs) -> CliResult<u8> {
    if args.format == CredentialFormat::SdJwtVc {
        return issue_sd_jwt(args);
    }
    for (given, flag) in [
        (args.vct.is_some(), "--vct"),
        (args.iss.is_some(), "--iss"),
        (args.holder_jwk.is_some(), "--holder-jwk"),
        (args.plain.is_some(), "--plain"),
        (args.x5c.is_some(), "--x5c"),
        (args.valid_days.is_some(), "--valid-days"),
    ] {
        if given {
            return Err(CliError::input(format!("{flag} is for --format sd-jwt-vc")));
        }
    }
    let issuer = Issuer::new(jsonld, args)?;
    match (&args.template, &args.credential) {
        (Some(template), _) => {
            let (Some(csv), Some(out_dir)) = (&args.csv, &args.out_dir) else {
                return Err(CliError::input(
                    "batch mode needs --template, --csv and --out-dir",
                ));
            };
            let log = args.log.as_deref().zip(args.log_key.as_deref());
            batch(
                &issuer,
                template,
                csv,
                out_dir,
                args.name_column.as_deref(),
                log,
            )
        }
        (None, Some(credential)) => {
            if let Some(index) = args.status_index {
                issuer
                    .check_index(index)
                    .map_err(|e| CliError::input(format!("--status-index {index}: {e}")))?;
            }
            let request = args
                .holder_request
                .as_deref()
                .map(read_holder_request)
                .transpose()?;
            let out_file = args.output.as_deref().filter(|p| *p != Path::new("-"));
            if args.log.is_some() && out_file.is_none() {
                return Err(CliError::input(
                    "--log writes the inclusion proof beside the credential: give -o FILE",
                ));
            }
            let doc = read_json(credential)?;
            let signed = issuer.issue(doc, args.status_index, request.as_ref())?;
            write_json_out(args.output.as_deref(), &signed)?;
            if let (Some(dir), Some(key), Some(out)) = (&args.log, &args.log_key, out_file) {
                crate::commands::log::log_credentials(key, dir, &[(out.to_owned(), signed)])?;
                eprintln!("logged; inclusion proof in {}.tlog-proof", out.display());
            }
            Ok(EXIT_VALID)
        }
        (None, None) => Err(CliError::input(
            "give a credential file, or --template with --csv and --out-dir",
        )),
    }
}

fn issue_sd_jwt(args: &IssueArgs) -> CliResult<u8> {
    let vct = args.vct.as_deref().ok_or_else(|| {
        CliError::input("--format sd-jwt-vc needs --vct URI (the credential type)")
    })?;
    let Some(claims) = &args.credential else {
        return Err(CliError::input(
            "--format sd-jwt-vc issues one credential: give CLAIMS.json (batch mode is for ldp-vc)",
        ));
    };
    for (given, flag) in [
        (args.mandatory.is_some(), "--mandatory"),
        (args.holder_request.is_some(), "--holder-request"),
        (args.log.is_some(), "--log"),
    ] {
        if given {
            return Err(CliError::input(format!("{flag} is for --format ldp-vc")));
        }
    }
    crate::commands::sdjwt::issue(&crate::commands::sdjwt::IssueSdJwt {
        key: &args.key,
        vct,
        iss: args.iss.as_deref(),
        claims,
        holder_jwk: args.holder_jwk.as_deref(),
        status_list: args.status_list.as_deref(),
        status_index: args.status_index,
        valid_days: args.valid_days,
        plain: args.plain.as_deref(),
        x5c: args.x5c.as_deref(),
        output: args.output.as_deref(),
    })
}

/// Read a holder's credential request file.
fn read_holder_request(path: &Path) -> CliResult<CommitmentRequest> {
    let v = read_json(path)?;
    CommitmentRequest::from_json(&v)
        .map_err(|e| CliError::input(format!("{}: {e}", path.display())))
}

/// Placeholders `{{name}}` in the string values of `v`.
pub(crate) fn placeholders(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => {
            let mut rest = s.as_str();
            while let Some(start) = rest.find("{{") {
                let Some(end) = rest[start..].find("}}") else {
                    break;
                };
                out.push(rest[start + 2..start + end].trim().to_owned());
                rest = &rest[start + end + 2..];
            }
        }
        Value::Array(a) => a.iter().for_each(|x| placeholders(x, out)),
        Value::Object(o) => o.values().for_each(|x| placeholders(x, out)),
        _ => {}
    }
}

pub(crate) fn fill(v: &Value, values: &dyn Fn(&str) -> String) -> Value {
    match v {
        Value::String(s) => {
            let mut out = String::new();
            let mut rest = s.as_str();
            while let Some(start) = rest.find("{{") {
                match rest[start..].find("}}") {
                    Some(end) => {
                        out.push_str(&rest[..start]);
                        out.push_str(&values(rest[start + 2..start + end].trim()));
                        rest = &rest[start + end + 2..];
                    }
                    None => break,
                }
            }
            out.push_str(rest);
            Value::String(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(|x| fill(x, values)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| (k.clone(), fill(x, values)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A file name from a column value: letters, digits, `-`, `_`, `.`; nothing else.
pub(crate) fn file_stem(value: &str) -> Option<String> {
    let s: String = value
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    (!s.is_empty() && !s.starts_with('.')).then_some(s)
}

fn batch(
    issuer: &Issuer,
    template: &Path,
    csv: &Path,
    out_dir: &Path,
    name_column: Option<&str>,
    log: Option<(&Path, &Path)>,
) -> CliResult<u8> {
    let mut logged: Vec<(PathBuf, Value)> = Vec::new();
    let template_doc = read_json(template)?;
    let text = String::from_utf8(read_bytes(csv)?)
        .map_err(|_| CliError::input(format!("{} is not UTF-8", csv.display())))?;
    let rows = parse_csv(&text).map_err(|e| CliError::input(format!("{}: {e}", csv.display())))?;
    let Some(((_, header), records)) = rows.split_first() else {
        return Err(CliError::input(format!(
            "{} is empty: it needs a header row naming the columns",
            csv.display()
        )));
    };
    let mut wanted = Vec::new();
    placeholders(&template_doc, &mut wanted);
    let missing: Vec<&String> = wanted.iter().filter(|w| !header.contains(w)).collect();
    if !missing.is_empty() {
        return Err(CliError::input(format!(
            "{}: the template uses column(s) {} that the CSV header lacks",
            csv.display(),
            missing
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let name_col = match name_column {
        Some(c) => header
            .iter()
            .position(|h| h == c)
            .ok_or_else(|| CliError::input(format!("{}: no column {c}", csv.display())))?,
        None => 0,
    };
    let status_col = header
        .iter()
        .position(|h| h == "status_index")
        .filter(|_| issuer.status.is_some());
    if issuer.status.is_some() && status_col.is_none() {
        return Err(CliError::input(format!(
            "{}: --status-list needs a status_index column",
            csv.display()
        )));
    }
    let request_col = header.iter().position(|h| h == "holder_request");
    let csv_dir = csv
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // Every record is checked before anything is written: its shape, its file name, its
    // status index (inside the list, and not another record's) and its holder request.
    struct Planned<'a> {
        line: usize,
        record: &'a [String],
        path: PathBuf,
        status_index: Option<u64>,
        request: Option<CommitmentRequest>,
    }
    let mut planned = Vec::with_capacity(records.len());
    let mut seen = std::collections::HashSet::new();
    let mut indexes = AssignedIndexes::new();
    for (line, record) in records {
        let line = *line;
        let at = |column: &str| format!("{} line {line}, column {column}", csv.display());
        if record.len() != header.len() {
            return Err(CliError::input(format!(
                "{} line {line}: {} fields, the header has {}",
                csv.display(),
                record.len(),
                header.len()
            )));
        }
        let name_value = record.get(name_col).map(String::as_str).unwrap_or_default();
        let stem = file_stem(name_value).ok_or_else(|| {
            CliError::input(format!(
                "{}: empty or unusable file name",
                at(header.get(name_col).map_or("?", String::as_str))
            ))
        })?;
        if !seen.insert(stem.clone()) {
            return Err(CliError::input(format!(
                "{}: {stem} appears twice",
                at(header.get(name_col).map_or("?", String::as_str))
            )));
        }
        let status_index = match status_col {
            Some(i) => {
                let index = record
                    .get(i)
                    .map_or("", |v| v.trim())
                    .parse::<u64>()
                    .map_err(|_| {
                        CliError::input(format!("{}: not a number", at("status_index")))
                    })?;
                issuer
                    .check_index(index)
                    .map_err(|e| CliError::input(format!("{}: {e}", at("status_index"))))?;
                indexes.assign(index, line).map_err(|e| {
                    CliError::input(match e {
                        civitas_core::Error::Status(StatusError::IndexReused { index, first }) => {
                            format!(
                                "{}: status index {index} is already given to line {first}",
                                at("status_index")
                            )
                        }
                        other => format!("{}: {other}", at("status_index")),
                    })
                })?;
                Some(index)
            }
            None => None,
        };
        let request = match request_col.and_then(|i| record.get(i)).map(|v| v.trim()) {
            Some(file) if !file.is_empty() => {
                Some(read_holder_request(&csv_dir.join(file)).map_err(|e| {
                    CliError::input(format!("{}: {}", at("holder_request"), e.message))
                })?)
            }
            Some(_) => {
                return Err(CliError::input(format!(
                    "{}: empty value (every row of a holder_request column names a request file)",
                    at("holder_request")
                )));
            }
            None => None,
        };
        planned.push(Planned {
            line,
            record,
            path: out_dir.join(format!("{stem}.json")),
            status_index,
            request,
        });
    }
    std::fs::create_dir_all(out_dir)
        .map_err(|e| CliError::input(format!("cannot create {}: {e}", out_dir.display())))?;
    // A rerun after an interruption cleans up what the interrupted run left half-written.
    remove_stale_temps(out_dir, None);
    let tty = std::io::stderr().is_terminal();
    let started = Instant::now();
    let (mut issued, mut skipped) = (0usize, 0usize);
    for (n, p) in planned.iter().enumerate() {
        let (line, record) = (p.line, p.record);
        let at = |column: &str| format!("{} line {line}, column {column}", csv.display());
        if p.path.exists() {
            skipped += 1;
        } else {
            for w in &wanted {
                if let Some(i) = header.iter().position(|h| h == w)
                    && record.get(i).is_none_or(|v| v.trim().is_empty())
                {
                    return Err(CliError::input(format!("{}: empty value", at(w))));
                }
            }
            let doc = fill(&template_doc, &|col| {
                header
                    .iter()
                    .position(|h| h == col)
                    .and_then(|i| record.get(i))
                    .cloned()
                    .unwrap_or_default()
            });
            let signed = issuer
                .issue(doc, p.status_index, p.request.as_ref())
                .map_err(|e| {
                    CliError::input(format!("{} line {line}: {}", csv.display(), e.message))
                })?;
            let text = serde_json::to_string_pretty(&signed)
                .map_err(|e| CliError::input(e.to_string()))?
                + "\n";
            write_atomic(&p.path, text.as_bytes(), false)?;
            if log.is_some() {
                logged.push((p.path.clone(), signed));
            }
            issued += 1;
        }
        if tty {
            let done = n + 1;
            let width = 30;
            let filled = done * width / records.len().max(1);
            eprint!(
                "\r[{}{}] {done}/{}",
                "=".repeat(filled),
                " ".repeat(width - filled),
                records.len()
            );
        }
    }
    if tty {
        eprintln!();
    }
    if let Some((dir, key)) = log {
        crate::commands::log::log_credentials(key, dir, &logged)?;
        eprintln!(
            "logged {} credentials in {}; each one's inclusion proof is beside it (.tlog-proof)",
            logged.len(),
            dir.display()
        );
    }
    println!(
        "issued {issued}, skipped {skipped} already issued, {} records in {:.1} s -> {}",
        records.len(),
        started.elapsed().as_secs_f64(),
        out_dir.display()
    );
    Ok(EXIT_VALID)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn placeholders_fill() {
        let t = json!({"name": "{{given}} {{family}}", "n": ["{{id}}"], "k": 3});
        let mut w = Vec::new();
        placeholders(&t, &mut w);
        assert_eq!(w, vec!["given", "family", "id"]);
        let f = fill(&t, &|c| c.to_uppercase());
        assert_eq!(f, json!({"name": "GIVEN FAMILY", "n": ["ID"], "k": 3}));
    }
}
