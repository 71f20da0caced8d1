//! The desk's configuration file (`civitas serve --config desk.toml`), documented in
//! `docs/serve.md`. Paths are relative to the file's directory.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use civitas_core::jsonld::JsonLdProcessor;
use civitas_core::openid4vp::dcql::DcqlQuery;
use civitas_core::openid4vp::url_host;
use civitas_core::verifier::{MAX_CLOCK_SKEW, Policy, TrustList};
use serde::Deserialize;
use serde_json::Value;
use zeroize::Zeroizing;

use crate::util::{CliError, CliResult, read_bytes};

/// Longest transaction lifetime a configuration may ask for.
pub(super) const MAX_TTL: Duration = Duration::from_secs(3600);
/// Default transaction lifetime: long enough to find the phone and consent.
pub(super) const DEFAULT_TTL: Duration = Duration::from_secs(300);
/// Default bound on live transactions (each holds a few hundred bytes and one key).
pub(super) const DEFAULT_MAX_TRANSACTIONS: usize = 10_000;

// No Debug: it holds the desk token.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    listen: Option<String>,
    public_url: Option<String>,
    key: PathBuf,
    certificate: Option<PathBuf>,
    client_id_prefix: Option<String>,
    token: Option<String>,
    token_file: Option<PathBuf>,
    trust: PathBuf,
    status_dir: Option<PathBuf>,
    transaction_ttl_seconds: Option<u64>,
    max_transactions: Option<usize>,
    response_mode: Option<String>,
    clock_skew_seconds: Option<u64>,
    #[serde(default)]
    dangerous_skip_status: bool,
    #[serde(default, rename = "check")]
    checks: Vec<RawCheck>,
    issuer: Option<super::issuer::RawIssuer>,
    witness: Option<super::witness::RawWitness>,
    log_dir: Option<PathBuf>,
}

/// A configuration with only a `[witness]` (no desk key, no trust file): an audit office's
/// witness needs nothing else.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWitnessOnly {
    listen: Option<String>,
    witness: super::witness::RawWitness,
    log_dir: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    name: String,
    title: Option<String>,
    dcql: Option<Value>,
    dcql_file: Option<PathBuf>,
    #[serde(default)]
    require: Vec<String>,
    #[serde(default)]
    also_accept: Vec<String>,
}

/// One named check the desk offers.
#[derive(Debug)]
pub(crate) struct Check {
    /// Its name in `POST /desk/checks`.
    pub name: String,
    /// What the officer's page shows.
    pub title: String,
    /// The DCQL query sent to the wallet, as configured.
    pub dcql_json: Value,
    /// The same, parsed.
    pub dcql: DcqlQuery,
    /// The desk's policy for it (trust, clock, required claims; challenge and domain are set
    /// per transaction).
    pub policy: Policy,
    /// Claims the desk accepts without asking (issuer-mandatory ones).
    pub also_accept: Vec<String>,
}

/// How responses travel back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `direct_post.jwt`: encrypted to a key made for the transaction (the default).
    DirectPostJwt,
    /// `direct_post`: a plain form (only over TLS, and only where encryption is impossible).
    DirectPost,
}

/// The desk token: zeroized when dropped, `[redacted]` in Debug output.
pub(crate) struct Token(Zeroizing<String>);

impl Token {
    /// The token `text` (at least 16 characters), or why not.
    pub(super) fn new(text: String) -> Result<Token, &'static str> {
        if text.len() < 16 {
            return Err("a token must be at least 16 characters");
        }
        Ok(Token(Zeroizing::new(text)))
    }

    /// Read a token from `token` or `token_file` (relative to `base`), at most one of them.
    pub(super) fn read(
        token: Option<String>,
        file: Option<&Path>,
        base: &Path,
    ) -> Result<Option<Token>, String> {
        match (token, file) {
            (Some(_), Some(_)) => Err("give the token or its file, not both".into()),
            (Some(t), None) => Token::new(t).map(Some).map_err(str::to_owned),
            (None, Some(f)) => {
                let bytes = Zeroizing::new(read_bytes(&base.join(f)).map_err(|e| e.message)?);
                let t = std::str::from_utf8(&bytes)
                    .map_err(|_| "the token file is not UTF-8".to_owned())?
                    .trim()
                    .to_owned();
                Token::new(t).map(Some).map_err(str::to_owned)
            }
            (None, None) => Ok(None),
        }
    }

    /// Whether `given` is the token (constant time in the token's contents).
    pub(crate) fn matches(&self, given: &[u8]) -> bool {
        subtle::ConstantTimeEq::ct_eq(given, self.0.as_bytes()).into()
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// The whole configuration, read and checked.
#[derive(Debug)]
pub(crate) struct Config {
    pub listen: SocketAddr,
    pub public_url: Option<String>,
    pub key_file: PathBuf,
    /// The desk's certificate chain (`certificate`), for `x509_hash:` / `x509_san_dns:`.
    pub certificate: Option<civitas_core::x509::CertificateChain>,
    /// How the desk names itself to wallets.
    pub client_id_prefix: ClientIdPrefix,
    pub token: Option<Token>,
    pub trust_file: PathBuf,
    pub status_dir: Option<PathBuf>,
    pub ttl: Duration,
    pub max_transactions: usize,
    pub mode: Mode,
    pub checks: Vec<Arc<Check>>,
    /// The desk's policy without a check's required claims (for the VC API).
    pub policy: Policy,
    /// The issuer role (`[issuer]`), when configured.
    pub issuer: Option<super::issuer::IssuerConfig>,
    /// The witness role (`[witness]`), when configured.
    pub witness: Option<super::witness::WitnessService>,
    /// A transparency log directory served under `/log/`.
    pub log_dir: Option<PathBuf>,
}

/// The Client Identifier Prefix the desk signs its Request Objects under (OpenID4VP §5.9.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ClientIdPrefix {
    /// `decentralized_identifier:did:key:...` of the desk key (the default without a
    /// certificate).
    DecentralizedIdentifier,
    /// `x509_hash:` of the certificate's leaf (HAIP; the default with a certificate).
    X509Hash,
    /// `x509_san_dns:` the host of `public_url` (lower case), which the leaf names.
    X509SanDns(String),
}

fn at(file: &Path, what: impl std::fmt::Display) -> CliError {
    CliError::input(format!("{}: {what}", file.display()))
}

impl Config {
    /// Read `file`, registering the trust file's contexts with `jsonld`.
    pub(crate) fn load(
        file: &Path,
        jsonld: &JsonLdProcessor,
        port: Option<u16>,
    ) -> CliResult<Config> {
        let text = String::from_utf8(read_bytes(file)?).map_err(|_| at(file, "not UTF-8"))?;
        let raw: RawConfig = toml::from_str(&text).map_err(|e| at(file, e.message()))?;
        let base = file.parent().unwrap_or(Path::new(""));
        let rel = |p: &Path| base.join(p);

        let mut listen: SocketAddr = raw
            .listen
            .as_deref()
            .unwrap_or("127.0.0.1:8080")
            .parse()
            .map_err(|_| {
                at(
                    file,
                    "listen: expected an address and port, e.g. 127.0.0.1:8080",
                )
            })?;
        if let Some(p) = port {
            listen.set_port(p);
        }
        let token = Token::read(raw.token, raw.token_file.as_deref(), base)
            .map_err(|e| at(file, format!("token: {e}")))?;
        if token.is_none() && !listen.ip().is_loopback() {
            return Err(at(
                file,
                format!(
                    "listen = {listen} is not a loopback address: set token (or token_file) so that only the desk's page can start checks and read verdicts"
                ),
            ));
        }
        if let Some(u) = &raw.public_url {
            if !u.starts_with("https://") && !u.starts_with("http://") {
                return Err(at(file, "public_url must be an http:// or https:// URL"));
            }
            // Behind a reverse proxy every request comes from loopback: "loopback only" would
            // then let the whole network start checks and read verdicts.
            let name = url_host(u);
            let local = name == "localhost"
                || name
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            if !local && token.is_none() {
                return Err(at(
                    file,
                    "public_url is reachable beyond this machine (through a proxy every request looks local): set token (or token_file)",
                ));
            }
        }
        let certificate = match &raw.certificate {
            None => None,
            Some(c) => Some(crate::util::read_chain(&rel(c), None)?),
        };
        let client_id_prefix = match (raw.client_id_prefix.as_deref(), &certificate) {
            (None, None) | (Some("decentralized_identifier"), _) => {
                ClientIdPrefix::DecentralizedIdentifier
            }
            (None | Some("x509_hash"), Some(_)) => ClientIdPrefix::X509Hash,
            (Some("x509_san_dns"), Some(chain)) => {
                let host = raw.public_url.as_deref().map_or("", url_host);
                if host.is_empty() {
                    return Err(at(
                        file,
                        "client_id_prefix = \"x509_san_dns\" needs public_url: the Client Identifier is its host",
                    ));
                }
                if !chain
                    .leaf_dns_names()
                    .iter()
                    .any(|d| d.eq_ignore_ascii_case(host))
                {
                    return Err(at(
                        file,
                        format!(
                            "client_id_prefix = \"x509_san_dns\": the certificate's leaf does not name {host} (its DNS names: {})",
                            chain.leaf_dns_names().join(", ")
                        ),
                    ));
                }
                ClientIdPrefix::X509SanDns(host.to_ascii_lowercase())
            }
            (Some("x509_hash" | "x509_san_dns"), None) => {
                return Err(at(
                    file,
                    "client_id_prefix x509_hash and x509_san_dns need certificate = \"CHAIN.pem\"",
                ));
            }
            (Some(other), _) => {
                return Err(at(
                    file,
                    format!(
                        "client_id_prefix {other:?}: x509_hash, x509_san_dns or decentralized_identifier"
                    ),
                ));
            }
        };
        let ttl = Duration::from_secs(raw.transaction_ttl_seconds.unwrap_or(DEFAULT_TTL.as_secs()));
        if ttl.is_zero() || ttl > MAX_TTL {
            return Err(at(file, "transaction_ttl_seconds: from 1 to 3600"));
        }
        let mode = match raw.response_mode.as_deref() {
            None | Some("direct_post.jwt") => Mode::DirectPostJwt,
            Some("direct_post") => Mode::DirectPost,
            Some(other) => {
                return Err(at(
                    file,
                    format!("response_mode {other:?}: direct_post.jwt or direct_post"),
                ));
            }
        };

        if mode == Mode::DirectPost
            && !raw
                .public_url
                .as_deref()
                .is_some_and(|u| u.starts_with("https://"))
        {
            return Err(at(
                file,
                "response_mode = \"direct_post\" sends the presentations unencrypted: only with an https:// public_url (or use direct_post.jwt)",
            ));
        }
        let trust_file = rel(&raw.trust);
        let trust_text = String::from_utf8(read_bytes(&trust_file)?)
            .map_err(|_| at(&trust_file, "not UTF-8"))?;
        let trust = TrustList::from_toml(&trust_text).map_err(|e| at(&trust_file, e))?;
        crate::commands::verify::register_trusted_contexts(jsonld, &trust_file, &trust)?;
        let skew = Duration::from_secs(raw.clock_skew_seconds.unwrap_or(300));
        if skew > MAX_CLOCK_SKEW {
            return Err(at(file, "clock_skew_seconds: at most 3600"));
        }
        let mut base_policy = Policy::new(trust).clock_skew(skew);
        if raw.dangerous_skip_status {
            base_policy = base_policy.dangerous_skip_status();
        }

        if raw.checks.is_empty() && raw.issuer.is_none() && raw.witness.is_none() {
            return Err(at(
                file,
                "no [[check]], no [issuer] and no [witness]: the service has nothing to do",
            ));
        }
        let witness = match raw.witness {
            Some(w) => Some(super::witness::WitnessService::load(w, base)?),
            None => None,
        };
        let issuer = match raw.issuer {
            Some(i) => Some(super::issuer::IssuerConfig::load(i, base, &|what| {
                at(file, what)
            })?),
            None => None,
        };
        let mut checks: Vec<Arc<Check>> = Vec::new();
        for c in raw.checks {
            let here = |what: String| at(file, format!("check {:?}: {what}", c.name));
            if c.name.is_empty()
                || c.name.len() > 64
                || !c
                    .name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                return Err(here(
                    "a check's name is 1 to 64 letters, digits, - or _".into(),
                ));
            }
            if checks.iter().any(|k| k.name == c.name) {
                return Err(here("named twice".into()));
            }
            let dcql_json = match (c.dcql, c.dcql_file) {
                (Some(v), None) => v,
                (None, Some(f)) => crate::util::read_json(&rel(&f))?,
                _ => return Err(here("give dcql (a table) or dcql_file, one of them".into())),
            };
            let dcql = DcqlQuery::parse(&dcql_json).map_err(|e| here(format!("dcql: {e}")))?;
            let mut policy = base_policy.clone();
            for r in &c.require {
                civitas_core::json_pointer::parse(r)
                    .map_err(|e| here(format!("require {r}: {e}")))?;
                policy = policy.require(r.clone());
            }
            for a in &c.also_accept {
                civitas_core::json_pointer::parse(a)
                    .map_err(|e| here(format!("also_accept {a}: {e}")))?;
            }
            checks.push(Arc::new(Check {
                title: c.title.unwrap_or_else(|| c.name.clone()),
                name: c.name,
                dcql_json,
                dcql,
                policy,
                also_accept: c.also_accept,
            }));
        }
        Ok(Config {
            listen,
            public_url: raw.public_url.map(|u| u.trim_end_matches('/').to_owned()),
            key_file: rel(&raw.key),
            certificate,
            client_id_prefix,
            token,
            trust_file,
            status_dir: raw.status_dir.map(|d| rel(&d)),
            ttl,
            max_transactions: raw.max_transactions.unwrap_or(DEFAULT_MAX_TRANSACTIONS),
            mode,
            checks,
            policy: base_policy,
            issuer,
            witness,
            log_dir: raw.log_dir.map(|d| rel(&d)),
        })
    }

    /// A witness-only configuration (a `[witness]` and at most `listen`): its address and
    /// witness; `None` when `file` is a desk configuration.
    pub(crate) fn witness_only(
        file: &Path,
        port: Option<u16>,
    ) -> CliResult<Option<(SocketAddr, super::witness::WitnessService, Option<PathBuf>)>> {
        let text = String::from_utf8(read_bytes(file)?).map_err(|_| at(file, "not UTF-8"))?;
        let table: toml::Table = toml::from_str(&text).map_err(|e| at(file, e.message()))?;
        if table.contains_key("key")
            || table.contains_key("trust")
            || !table.contains_key("witness")
        {
            return Ok(None);
        }
        let raw: RawWitnessOnly = toml::from_str(&text).map_err(|e| at(file, e.message()))?;
        let base = file.parent().unwrap_or(Path::new(""));
        let mut listen: SocketAddr = raw
            .listen
            .as_deref()
            .unwrap_or("127.0.0.1:8080")
            .parse()
            .map_err(|_| {
                at(
                    file,
                    "listen: expected an address and port, e.g. 127.0.0.1:8080",
                )
            })?;
        if let Some(p) = port {
            listen.set_port(p);
        }
        let log_dir = raw.log_dir.map(|d| base.join(d));
        Ok(Some((
            listen,
            super::witness::WitnessService::load(raw.witness, base)?,
            log_dir,
        )))
    }
}
