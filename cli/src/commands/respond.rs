//! `civitas holder respond`: the wallet's side of OpenID4VP 1.0 from the command line. Read an
//! `openid4vp://` URL, fetch and check the signed Request Object, show who asks for what,
//! answer with anonymous bbs-2023 presentations of exactly the asked claims (after a prompt,
//! or at once with `--disclose-all-asked`), post the response, and report the verifier's
//! answer. Exit status 0 when the verifier accepted the response, 1 when it refused it.
//!
//! The HTTP client is ureq on rustls (no OpenSSL) with the Mozilla roots; `http://` is used
//! only towards this machine (loopback), for tests and the demo desk.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use civitas_core::openid4vp::dcql::Selection;
use civitas_core::openid4vp::{AuthorizationRequest, Invocation, transport_allowed};
use civitas_core::openid4vp::{VerifierReply, build_error_response, read_reply};
use civitas_core::wallet::Wallet;
use serde_json::Value;

use civitas_core::x509::TrustAnchors;

use crate::util::{CliError, CliResult, EXIT_INVALID, EXIT_VALID, escape, write_atomic};

/// Largest Request Object or verifier reply read.
const MAX_REPLY: u64 = 256 * 1024;

#[derive(Debug, clap::Args)]
pub(crate) struct RespondArgs {
    /// The wallet directory.
    #[arg(long, value_name = "DIR")]
    wallet: PathBuf,
    /// Send every claim the verifier asked for without asking first (what is sent is still
    /// printed). Without it, the command asks on the terminal.
    #[arg(long)]
    disclose_all_asked: bool,
    /// The P-256 key that signs the Key Binding JWT of an SD-JWT VC answer (the key the
    /// credential's cnf names, as given to `civitas holder import --holder-key`).
    #[arg(long, value_name = "KEY")]
    holder_key: Option<PathBuf>,
    /// Trust anchors (PEM certificates) for verifiers that sign their requests under an X.509
    /// certificate (x509_hash: or x509_san_dns: Client Identifiers, as HAIP verifiers do);
    /// repeatable. Without it such requests are refused.
    #[arg(long, value_name = "CA.pem")]
    verifier_ca: Vec<PathBuf>,
    /// Also write the response body that was posted to this file.
    #[arg(long, value_name = "FILE")]
    save_response: Option<PathBuf>,
    /// DANGEROUS, for testing a verifier: also disclose this claim (a JSON pointer) though it
    /// was not asked for (repeatable). A careful verifier refuses such a response.
    #[arg(long, value_name = "POINTER")]
    dangerous_disclose_more: Vec<String>,
    /// DANGEROUS, for testing a verifier: answer with this presentation (a file) instead of
    /// one made for the request, as someone forwarding a presentation made for another
    /// verifier would. A careful verifier refuses it.
    #[arg(
        long,
        value_name = "PRESENTATION.json",
        conflicts_with = "dangerous_disclose_more"
    )]
    dangerous_forward: Option<PathBuf>,
    /// The verifier's request: an openid4vp:// URL (what its QR code holds).
    url: String,
}

impl RespondArgs {
    /// The wallet directory.
    pub(crate) fn wallet_dir(&self) -> &Path {
        &self.wallet
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(20)))
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

fn net(what: &str, url: &str, e: &ureq::Error) -> CliError {
    CliError::input(format!("{what} {}: {e}", escape(url)))
}

/// Fetch the Request Object (GET, or POST for `request_uri_method=post`).
fn fetch_request(agent: &ureq::Agent, request_uri: &str, post: bool) -> CliResult<String> {
    if !transport_allowed(request_uri) {
        return Err(CliError::input(format!(
            "request_uri {}: only https:// (or http:// to this machine) is used",
            escape(request_uri)
        )));
    }
    let reply = if post {
        agent
            .post(request_uri)
            .header("Accept", "application/oauth-authz-req+jwt")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .send("")
    } else {
        agent
            .get(request_uri)
            .header("Accept", "application/oauth-authz-req+jwt")
            .call()
    };
    let mut reply = reply.map_err(|e| net("cannot fetch the request from", request_uri, &e))?;
    let status = reply.status().as_u16();
    let text = reply
        .body_mut()
        .with_config()
        .limit(MAX_REPLY)
        .read_to_string()
        .map_err(|e| net("cannot read the request from", request_uri, &e))?;
    if status != 200 {
        return Err(CliError::input(format!(
            "the verifier answered {status} for its request: {}",
            escape(&error_text(&text))
        )));
    }
    Ok(text.trim().to_owned())
}

/// `error_description` (or `error`) of an OAuth-style JSON error, else the text itself.
fn error_text(text: &str) -> String {
    let v: Option<Value> = serde_json::from_str(text).ok();
    v.as_ref()
        .and_then(|v| {
            v.get("error_description")
                .or_else(|| v.get("error"))
                .and_then(Value::as_str)
        })
        .map_or_else(|| text.chars().take(300).collect(), str::to_owned)
}

fn print_asked(request: &AuthorizationRequest) {
    eprintln!(
        "{} asks{}:",
        escape(request.client_id.as_str()),
        if request.signed {
            " (signed request)"
        } else {
            " (unsigned request)"
        }
    );
    for q in &request.dcql_query.credentials {
        let types: Vec<String> = q
            .type_values
            .iter()
            .map(|alt| {
                alt.iter()
                    .map(|t| escape(t))
                    .collect::<Vec<_>>()
                    .join(" + ")
            })
            .collect();
        eprintln!(
            "  credential {:?}: a {}",
            escape(&q.id),
            if types.is_empty() {
                "credential".into()
            } else {
                types.join(" or ")
            }
        );
        for c in q.claims.iter().flatten() {
            let path: Vec<String> = c
                .path
                .iter()
                .map(|p| match p {
                    civitas_core::openid4vp::dcql::PathComponent::Key(k) => escape(k),
                    civitas_core::openid4vp::dcql::PathComponent::Index(i) => i.to_string(),
                    civitas_core::openid4vp::dcql::PathComponent::All => "*".into(),
                })
                .collect();
            eprintln!("    claim {}", path.join("."));
        }
    }
}

fn print_consent(
    w: &Wallet,
    request: &AuthorizationRequest,
    selections: &[Selection],
) -> CliResult<()> {
    for q in w.dcql_consent(request, selections)? {
        let consent = q.summary;
        let id = &consent.credential_id;
        eprintln!(
            "answering {:?} with credential {}:",
            escape(&q.query_id),
            id.get(..12).unwrap_or(id)
        );
        crate::commands::holder::print_consent(&consent);
    }
    Ok(())
}

fn confirm() -> CliResult<bool> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(CliError::input(
            "not sent: nobody confirmed (standard input is not a terminal); give --disclose-all-asked to send what was asked",
        ));
    }
    eprint!("send this to the verifier? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::input(format!("cannot read the answer: {e}")))?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes"))
}

/// Post `body` to `uri`; the verifier's status and reply text.
fn post(
    agent: &ureq::Agent,
    uri: &str,
    content_type: &str,
    body: &str,
) -> CliResult<(u16, String)> {
    if !transport_allowed(uri) {
        return Err(CliError::input(format!(
            "response_uri {}: only https:// (or http:// to this machine) is used",
            escape(uri)
        )));
    }
    let mut reply = agent
        .post(uri)
        .header("Content-Type", content_type)
        .send(body)
        .map_err(|e| net("cannot post the response to", uri, &e))?;
    let status = reply.status().as_u16();
    let text = reply
        .body_mut()
        .with_config()
        .limit(MAX_REPLY)
        .read_to_string()
        .unwrap_or_default();
    Ok((status, text))
}

pub(crate) fn run(w: &Wallet, args: &RespondArgs) -> CliResult<u8> {
    if let Some(out) = &args.save_response {
        crate::util::refuse_output_onto_input(Some(out), &[Path::new(&args.wallet)])?;
    }
    let invocation = Invocation::parse(args.url.trim())
        .map_err(|e| CliError::input(format!("not an OpenID4VP request URL: {}", e.description)))?;
    let agent = agent();
    let request = match invocation {
        Invocation::ByReference {
            client_id,
            request_uri,
            post,
        } => {
            let mut anchors = TrustAnchors::none();
            for file in &args.verifier_ca {
                anchors
                    .add_pem(&crate::util::read_pem(file)?)
                    .map_err(|e| CliError::input(format!("{}: {e}", file.display())))?;
            }
            let jwt = fetch_request(&agent, &request_uri, post)?;
            AuthorizationRequest::from_request_object_with(
                &jwt,
                &client_id,
                &anchors,
                civitas_core::Timestamp::now(),
            )
            .map_err(|e| {
                CliError::input(format!(
                    "the request is refused ({}): {}",
                    e.code, e.description
                ))
            })?
        }
        Invocation::ByValue(params) => {
            AuthorizationRequest::from_unsigned(&params).map_err(|e| {
                CliError::input(format!(
                    "the request is refused ({}): {}",
                    e.code, e.description
                ))
            })?
        }
    };
    print_asked(&request);
    let mut selections = match w.dcql_select(&request.dcql_query, &[]) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("this wallet cannot answer: {e}");
            let decline = build_error_response(&request, "access_denied");
            let (status, _) = post(&agent, &decline.uri, decline.content_type, &decline.body)?;
            eprintln!("told the verifier (access_denied; it answered {status})");
            return Ok(EXIT_INVALID);
        }
    };
    for extra in &args.dangerous_disclose_more {
        civitas_core::json_pointer::parse(extra)
            .map_err(|e| CliError::input(format!("--dangerous-disclose-more {extra}: {e}")))?;
        for s in &mut selections {
            for c in &mut s.credentials {
                c.pointers.push(extra.clone());
            }
        }
        eprintln!(
            "WARNING: also disclosing {} (--dangerous-disclose-more)",
            escape(extra)
        );
    }
    print_consent(w, &request, &selections)?;
    if !args.disclose_all_asked && !confirm()? {
        eprintln!("not sent");
        return Ok(EXIT_INVALID);
    }
    let body = match &args.dangerous_forward {
        Some(file) => {
            let vp = crate::util::read_json(file)?;
            let query =
                request.dcql_query.credentials.first().ok_or_else(|| {
                    CliError::input("the request asks for no credential to forward")
                })?;
            eprintln!(
                "WARNING: answering with {} instead (--dangerous-forward)",
                file.display()
            );
            let mut vp_token = serde_json::Map::new();
            vp_token.insert(query.id.clone(), Value::Array(vec![vp]));
            civitas_core::openid4vp::build_response(&request, &vp_token)?
        }
        None => match &args.holder_key {
            Some(k) => {
                let (key, _) = crate::util::load_p256_key(k, "the holder (Key Binding JWT)")?;
                w.respond_with(&request, &selections, Some(&key))?
            }
            None => w.respond(&request, &selections)?,
        },
    };
    if let Some(out) = &args.save_response {
        write_atomic(out, body.body.as_bytes(), false)?;
    }
    let (status, text) = post(&agent, &body.uri, body.content_type, &body.body)?;
    match read_reply(status, &text) {
        VerifierReply::Accepted { redirect_uri } => {
            println!("the verifier accepted the response");
            if let Some(uri) = redirect_uri {
                println!("continue at {}", escape(&uri));
            }
            Ok(EXIT_VALID)
        }
        VerifierReply::Refused {
            status,
            error,
            description,
        } => {
            println!(
                "the verifier refused the response ({status}{}): {}",
                error
                    .map(|e| format!(", {}", escape(&e)))
                    .unwrap_or_default(),
                escape(description.as_deref().unwrap_or("no reason given"))
            );
            Ok(EXIT_INVALID)
        }
    }
}
