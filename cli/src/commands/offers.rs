//! `civitas offers`: one OpenID4VCI credential offer per row of a CSV file, for the issuer of
//! a `civitas serve` configuration. For each row it writes `DIR/<row id>.offer` (the
//! `openid-credential-offer://` link, one line), `DIR/<row id>.pin` (the PIN, owner-only, for
//! the channel the university sends it by) and `DIR/<row id>.png` (a printable QR code of the
//! link), and records the offer in the issuer's state directory, where `civitas serve`
//! redeems it. Each offer is single use and expires (`offer_valid_days`).
//!
//! Every row is checked before anything is written (its columns, its file name, the
//! credential it would become); a rerun skips the rows that already have an offer.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use civitas_core::CredentialIssuer;
use civitas_core::bbs2023::Bbs2023;
use civitas_core::jsonld::JsonLdProcessor;

use crate::commands::issue::{file_stem, fill};
use crate::commands::serve::Config;
use crate::commands::serve::issuer::{issue_sd_jwt, now, offer_link};
use crate::util::{CliError, CliResult, EXIT_VALID, read_bytes, write_atomic};

#[derive(Debug, clap::Args)]
pub(crate) struct OffersArgs {
    /// The configuration of the `civitas serve` that issues (its `[issuer]` table).
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
    /// The graduates: a header row naming the columns, then one row per graduate.
    #[arg(
        long,
        value_name = "GRADUATES.csv",
        required_unless_present = "issued",
        requires = "out_dir"
    )]
    csv: Option<PathBuf>,
    /// Where to write each row's .offer, .pin and .png.
    #[arg(long, value_name = "DIR", requires = "csv")]
    out_dir: Option<PathBuf>,
    /// Instead of making offers: show what was issued for this row id (its status list and
    /// indexes) and how to revoke it.
    #[arg(long, value_name = "ROW", conflicts_with_all = ["csv", "out_dir", "by_value"])]
    issued: Option<String>,
    /// The credential configuration to offer (default: the only one configured).
    #[arg(long, value_name = "ID")]
    credential: Option<String>,
    /// The column that identifies each row and names its files (default: the first column).
    #[arg(long, value_name = "COLUMN")]
    id_column: Option<String>,
    /// The port `civitas serve` was started with, when --port overrode the configuration's
    /// (the offers name the issuer's address).
    #[arg(long, value_name = "N")]
    port: Option<u16>,
    /// Put the whole offer in the link (credential_offer) instead of a reference to it
    /// (credential_offer_uri): a longer link and a denser QR code.
    #[arg(long)]
    by_value: bool,
}

pub(crate) fn run(jsonld: &Arc<JsonLdProcessor>, args: &OffersArgs) -> CliResult<u8> {
    let config = Config::load(&args.config, jsonld, args.port)?;
    if let Some(row) = &args.issued {
        return show_issued(&config, &args.config, row);
    }
    let (Some(csv), Some(out_dir)) = (&args.csv, &args.out_dir) else {
        return Err(CliError::input("give --csv and --out-dir, or --issued ROW"));
    };
    let base_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", config.listen));
    let issuer_cfg = config.issuer.as_ref().ok_or_else(|| {
        CliError::input(format!(
            "{}: no [issuer] table: this configuration does not issue",
            args.config.display()
        ))
    })?;
    let credential = match &args.credential {
        Some(id) => issuer_cfg.credential(id).ok_or_else(|| {
            CliError::input(format!(
                "{}: no [[issuer.credential]] with id {id:?}",
                args.config.display()
            ))
        })?,
        None => match issuer_cfg.credentials.as_slice() {
            [only] => only,
            _ => {
                return Err(CliError::input(format!(
                    "{} configures several credentials: choose one with --credential ({})",
                    args.config.display(),
                    issuer_cfg
                        .credentials
                        .iter()
                        .map(|c| c.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        },
    };
    // What checks each row: core's issuer policy (ldp_vc), or signing it as an SD-JWT VC.
    enum Checker<'a> {
        LdpVc(Box<CredentialIssuer>),
        SdJwt(
            civitas_core::ecdsa::DeviceKey,
            &'a crate::commands::serve::issuer::SdJwtSettings,
        ),
    }
    let checker = match &credential.sd_jwt {
        None => {
            let (key, _) = crate::util::load_bbs_key(&issuer_cfg.key_file)?;
            Checker::LdpVc(Box::new(CredentialIssuer::new(
                Bbs2023::new(Arc::clone(jsonld)),
                key,
            )))
        }
        Some(sd) => Checker::SdJwt(
            crate::util::load_p256_key(&sd.key_file, "an SD-JWT VC issuer (sd_jwt_key)")?.0,
            sd,
        ),
    };

    let text = String::from_utf8(read_bytes(csv)?)
        .map_err(|_| CliError::input(format!("{} is not UTF-8", csv.display())))?;
    let rows = civitas_cli::csv::parse_csv(&text)
        .map_err(|e| CliError::input(format!("{}: {e}", csv.display())))?;
    let Some(((_, header), records)) = rows.split_first() else {
        return Err(CliError::input(format!(
            "{} is empty: it needs a header row naming the columns",
            csv.display()
        )));
    };
    let missing: Vec<&str> = credential
        .columns
        .iter()
        .filter(|c| !header.contains(c))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(CliError::input(format!(
            "{}: the template of {:?} uses column(s) {} that the CSV header lacks",
            csv.display(),
            credential.id,
            missing.join(", ")
        )));
    }
    let id_col = match &args.id_column {
        Some(c) => header
            .iter()
            .position(|h| h == c)
            .ok_or_else(|| CliError::input(format!("{}: no column {c}", csv.display())))?,
        None => 0,
    };

    // Check every row before writing anything.
    struct Planned {
        stem: String,
        row: String,
        values: BTreeMap<String, String>,
    }
    let mut planned = Vec::with_capacity(records.len());
    let mut seen = std::collections::HashSet::new();
    for (line, record) in records {
        let at = |what: String| CliError::input(format!("{} line {line}: {what}", csv.display()));
        if record.len() != header.len() {
            return Err(at(format!(
                "{} fields, the header has {}",
                record.len(),
                header.len()
            )));
        }
        let row = record.get(id_col).map(|v| v.trim()).unwrap_or_default();
        let stem = file_stem(row)
            .ok_or_else(|| at("the id column is empty or unusable as a file name".into()))?;
        if !seen.insert(stem.clone()) {
            return Err(at(format!("{stem} appears twice")));
        }
        let mut values = BTreeMap::new();
        for column in &credential.columns {
            let v = header
                .iter()
                .position(|h| h == column)
                .and_then(|i| record.get(i))
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .ok_or_else(|| at(format!("column {column} is empty")))?;
            values.insert(column.clone(), v.to_owned());
        }
        let doc = fill(&credential.template, &|c| {
            values.get(c).cloned().unwrap_or_default()
        });
        match &checker {
            Checker::SdJwt(key, sd) => {
                issue_sd_jwt(sd, &doc, &base_url, None, None, now(), key)
                    .map_err(|e| at(format!("would not make a valid SD-JWT VC: {e}")))?;
            }
            Checker::LdpVc(checker) => {
                checker
                    .prepare(doc, None, &credential.mandatory)
                    .map_err(|e| at(format!("would not make a valid credential: {e}")))?;
            }
        }
        planned.push(Planned {
            stem,
            row: row.to_owned(),
            values,
        });
    }

    let state = crate::commands::serve::issuer::StateDir::open(&issuer_cfg.state_dir)?;
    std::fs::create_dir_all(out_dir)
        .map_err(|e| CliError::input(format!("cannot create {}: {e}", out_dir.display())))?;
    let tty = std::io::stderr().is_terminal();
    let started = Instant::now();
    let (mut made, mut skipped) = (0usize, 0usize);
    let t = now();
    for (n, p) in planned.into_iter().enumerate() {
        let file = |ext: &str| out_dir.join(format!("{}.{ext}", p.stem));
        if file("offer").exists() {
            skipped += 1;
        } else {
            let created =
                state.create_offer(issuer_cfg, credential, &base_url, &p.row, p.values, t)?;
            let link = offer_link(&created, args.by_value);
            civitas_cli::qr::encode_png(&link, &file("png"))
                .map_err(|e| CliError::input(format!("{}: {e}", file("png").display())))?;
            write_atomic(
                &file("pin"),
                format!("{}\n", created.pin.as_str()).as_bytes(),
                true,
            )?;
            // The .offer last: its presence means the row is done.
            write_atomic(&file("offer"), format!("{link}\n").as_bytes(), false)?;
            made += 1;
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
    let secs = started.elapsed().as_secs_f64();
    println!(
        "made {made} offers of {:?}, skipped {skipped} that had one, {} rows in {secs:.1} s ({:.0} offers/s) -> {}",
        credential.id,
        records.len(),
        if secs > 0.0 { made as f64 / secs } else { 0.0 },
        out_dir.display()
    );
    println!(
        "each offer is valid for {} days and redeemed at {base_url}; send each .pin by another channel than its .offer",
        issuer_cfg.offer_ttl.as_secs() / 86_400
    );
    Ok(EXIT_VALID)
}

/// `--issued ROW`: the issuance records of a row, and the command that revokes each.
fn show_issued(config: &Config, file: &std::path::Path, row: &str) -> CliResult<u8> {
    let issuer = config
        .issuer
        .as_ref()
        .ok_or_else(|| CliError::input(format!("{}: no [issuer] table", file.display())))?;
    let records =
        crate::commands::serve::issuer::StateDir::open(&issuer.state_dir)?.issued_for(row)?;
    if records.is_empty() {
        println!("nothing was issued for row {}", crate::util::escape(row));
        return Ok(crate::util::EXIT_INVALID);
    }
    for r in &records {
        let offered = issuer.credential(&r.configuration);
        let list_file = offered
            .and_then(|c| c.status_list.as_ref())
            .map_or_else(|| "LIST.json".to_owned(), |p| p.display().to_string());
        // A Token Status List (dc+sd-jwt) is signed by the configuration's sd_jwt_key.
        let key_file = offered.and_then(|c| c.sd_jwt.as_ref()).map_or_else(
            || "STATUS.key".to_owned(),
            |s| s.key_file.display().to_string(),
        );
        println!(
            "{} credential(s) of {:?} issued at {} ({}), status list {}:",
            r.status_indexes.len().max(1),
            r.configuration,
            civitas_core::wallet::rfc3339_from_unix(u64::try_from(r.issued_at).unwrap_or(0)),
            r.binding,
            r.status_list.as_deref().unwrap_or("(none)")
        );
        for i in &r.status_indexes {
            println!("  civitas status revoke --key {key_file} --list {list_file} --index {i}");
        }
    }
    Ok(EXIT_VALID)
}
