//! `civitas cert`: X.509 certificates for P-256 keys, for an ecosystem's (or a test's) own CA:
//! a root, intermediates, and the leaf a desk signs its OpenID4VP Request Objects with
//! (`x509_hash:` / `x509_san_dns:` Client Identifiers, as HAIP requires). Agencies whose
//! certificates come from an existing PKI need none of this: `civitas serve` reads any PEM
//! chain with a P-256 leaf.

use std::path::{Path, PathBuf};

use civitas_core::x509::{CertificateChain, certificate_to_pem, certificates_from_pem};
use civitas_core::x509::{CertificateKind, CertificateRequest, make_certificate, summary};
use clap::Subcommand;

use crate::util::{CliError, CliResult, load_p256_key, read_chain, read_pem, write_atomic};

/// `civitas cert ...`
#[derive(Debug, Subcommand)]
pub(crate) enum CertCommand {
    /// Make a self-signed root CA certificate for a P-256 key (the trust anchor wallets and
    /// verifiers configure; it is never sent in x5c).
    #[command(
        after_help = "Example: civitas keygen --alg p256 -o ca.key && civitas cert ca --key ca.key --name 'CN=Civitas Test CA,O=Civitas' --out ca.pem"
    )]
    Ca {
        /// The CA's P-256 key file.
        #[arg(long, value_name = "KEY")]
        key: PathBuf,
        /// The subject as an RFC 4514 string (`CN=...,O=...,C=..`).
        #[arg(long, value_name = "DN")]
        name: String,
        /// Days of validity from now (1 to 36500).
        #[arg(long, default_value_t = 3650, value_name = "DAYS")]
        valid_days: u32,
        /// Where to write the PEM certificate.
        #[arg(long, short = 'o', value_name = "FILE")]
        out: PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Issue a certificate for a P-256 key, signed by a CA: a leaf (a desk's request-signing
    /// certificate, with --dns names) or, with --ca, an intermediate CA. The output is the new
    /// certificate followed by the issuing CA's chain without its root: the x5c chain.
    #[command(
        after_help = "Example: civitas cert issue --ca-key ca.key --ca-cert ca.pem --key desk.key --name 'CN=Desk,O=Agency' --dns desk.agency.example --out desk-chain.pem"
    )]
    Issue {
        /// The issuing CA's P-256 key file.
        #[arg(long, value_name = "KEY")]
        ca_key: PathBuf,
        /// The issuing CA's certificate (PEM; an intermediate may be followed by its chain).
        #[arg(long, value_name = "FILE")]
        ca_cert: PathBuf,
        /// The subject's P-256 key file (only its public key is used).
        #[arg(long, value_name = "KEY")]
        key: PathBuf,
        /// The subject as an RFC 4514 string.
        #[arg(long, value_name = "DN")]
        name: String,
        /// A dNSName Subject Alternative Name (repeatable): for x509_san_dns: Client
        /// Identifiers, the host of the desk's public URL.
        #[arg(long = "dns", value_name = "NAME")]
        dns: Vec<String>,
        /// Make an intermediate CA (path length 0) instead of a leaf.
        #[arg(long, conflicts_with = "dns")]
        ca: bool,
        /// Days of validity from now (1 to 36500).
        #[arg(long, default_value_t = 365, value_name = "DAYS")]
        valid_days: u32,
        /// Where to write the PEM chain.
        #[arg(long, short = 'o', value_name = "FILE")]
        out: PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Print a PEM chain's leaf: subject, issuer, validity, DNS names and its x509_hash
    /// Client Identifier.
    Show {
        /// The PEM file.
        file: PathBuf,
    },
}

fn write_pem(out: &Path, pem: &str, force: bool) -> CliResult<()> {
    if out.exists() && !force {
        return Err(CliError::input(format!(
            "{} exists (--force replaces it)",
            out.display()
        )));
    }
    write_atomic(out, pem.as_bytes(), false)
}

/// Run `civitas cert ...`.
pub(crate) fn run(cmd: CertCommand) -> CliResult<u8> {
    match cmd {
        CertCommand::Ca {
            key,
            name,
            valid_days,
            out,
            force,
        } => {
            let (device, public) = load_p256_key(&key, "a CA certificate")?;
            let request = CertificateRequest {
                subject: &name,
                public_key: &public,
                kind: CertificateKind::Root,
                valid_days,
                dns_names: &[],
            };
            let der = make_certificate(&request, None, &device)
                .map_err(|e| CliError::input(e.to_string()))?;
            write_pem(&out, &certificate_to_pem(&der), force)?;
            eprintln!(
                "wrote {} (root CA {name}, {valid_days} days)",
                out.display()
            );
            Ok(0)
        }
        CertCommand::Issue {
            ca_key,
            ca_cert,
            key,
            name,
            dns,
            ca,
            valid_days,
            out,
            force,
        } => {
            let (ca_device, _) = load_p256_key(&ca_key, "a CA")?;
            let at = |e: civitas_core::x509::X509Error| {
                CliError::input(format!("{}: {e}", ca_cert.display()))
            };
            let ca_chain = certificates_from_pem(&read_pem(&ca_cert)?).map_err(at)?;
            let issuer = ca_chain
                .first()
                .ok_or_else(|| CliError::input("the CA certificate file is empty"))?;
            let (_, public) = load_p256_key(&key, "a certificate")?;
            let request = CertificateRequest {
                subject: &name,
                public_key: &public,
                kind: if ca {
                    CertificateKind::Intermediate
                } else {
                    CertificateKind::Leaf
                },
                valid_days,
                dns_names: &dns,
            };
            let der = make_certificate(&request, Some(issuer), &ca_device)
                .map_err(|e| CliError::input(e.to_string()))?;
            let mut pem = certificate_to_pem(&der);
            // The issuing CA's chain, without the root (HAIP: the anchor is never sent).
            for c in &ca_chain {
                if !summary(c).map_err(at)?.self_issued {
                    pem.push_str(&certificate_to_pem(c));
                }
            }
            write_pem(&out, &pem, force)?;
            let chain = CertificateChain::from_pem(&pem)
                .map_err(|e| CliError::input(format!("the new chain: {e}")))?;
            eprintln!(
                "wrote {} ({} {name}, {valid_days} days); as a desk certificate its Client Identifier is x509_hash:{}",
                out.display(),
                if ca { "intermediate CA" } else { "leaf" },
                chain.leaf_hash()
            );
            Ok(0)
        }
        CertCommand::Show { file } => {
            let chain = read_chain(&file, None)?;
            let s = summary(chain.leaf())
                .map_err(|e| CliError::input(format!("{}: {e}", file.display())))?;
            println!("subject: {}", s.subject);
            println!("issuer: {}", s.issuer);
            println!("valid: {} to {}", s.not_before, s.not_after);
            for d in chain.leaf_dns_names() {
                println!("dns: {d}");
            }
            println!("x509_hash: {}", chain.leaf_hash());
            Ok(0)
        }
    }
}
