//! `civitas holder accept`: the wallet's side of OpenID4VCI 1.0 (Pre-Authorized Code Flow)
//! from the command line. Read an `openid-credential-offer://` link, fetch the offer (when by
//! reference) and the issuer's metadata, show who offers what, send the PIN, get a `c_nonce`,
//! ask for the credential bound to the wallet (a blind commitment to its secrets, or with
//! `--identified` a `jwt` key proof of a P-256 key), check what comes back and import it.
//! An SD-JWT VC (`dc+sd-jwt`) is bound to the device key `--holder-key` (its public JWK in the
//! `jwt` proof becomes the credential's `cnf.jwk`) and checked with the issuer's key from
//! `--issuer-jwk` or its `/.well-known/jwt-vc-issuer` before it is stored.
//! Exit status 0 when a credential was imported, 1 when the issuer refused, 2 for bad input.
//!
//! The HTTP client is ureq on rustls, as for `holder respond`; `http://` only to this machine.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use civitas_core::bbs2023::Feature;
use civitas_core::openid4vci::{AuthorizationServerMetadata, IssuerMetadata};
use civitas_core::openid4vci::{CredentialOffer, OfferInvocation};
use civitas_core::openid4vci::{MAX_MESSAGE_LEN, VciError};
use civitas_core::openid4vci::{
    Proofs, credential_request_json, jwt_proof, jwt_proof_jwk, read_nonce_response,
};
use civitas_core::openid4vci::{TokenResponse, token_request_form};
use civitas_core::openid4vp::transport_allowed;
use civitas_core::wallet::Wallet;
use zeroize::Zeroizing;

use super::holder::FeatureArg;
use crate::util::{CliError, CliResult, EXIT_INVALID, EXIT_VALID, escape};

#[derive(Debug, clap::Args)]
pub(crate) struct AcceptArgs {
    /// The wallet directory.
    #[arg(long, value_name = "DIR")]
    wallet: PathBuf,
    /// The PIN (transaction code) the issuer sent separately. Without it, the command asks
    /// on the terminal when the offer needs one.
    #[arg(long, value_name = "PIN")]
    pin: Option<String>,
    /// What the credential is bound to (default: the strongest the issuer offers:
    /// holder-binding-pseudonym, then anonymous-holder-binding, then pseudonym).
    #[arg(long, value_enum, conflicts_with = "identified")]
    feature: Option<FeatureArg>,
    /// Receive an identified credential issued to the DID of --holder-key (a jwt key proof)
    /// instead of one bound to the wallet's secrets.
    #[arg(long, requires = "holder_key")]
    identified: bool,
    /// The holder's P-256 key file: with --identified, or for an SD-JWT VC (dc+sd-jwt) the
    /// device key it is bound to (required then).
    #[arg(long, value_name = "KEY")]
    holder_key: Option<PathBuf>,
    /// For an SD-JWT VC: the issuer's public JWK (a file) to check its signature with
    /// (default: the keys of the issuer's /.well-known/jwt-vc-issuer).
    #[arg(long, value_name = "JWK.json", conflicts_with_all = ["identified", "feature"])]
    issuer_jwk: Option<PathBuf>,
    /// How many copies to ask for (at most the issuer's batch_size).
    #[arg(long, value_name = "N", default_value_t = 1)]
    count: usize,
    /// The offer: an openid-credential-offer:// link (what the QR code holds).
    offer: String,
}

impl AcceptArgs {
    /// The wallet directory.
    pub(crate) fn wallet_dir(&self) -> &Path {
        &self.wallet
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

/// An issuer's refusal (exit 1), or a message error.
enum Failure {
    Refused(VciError),
    Input(CliError),
}

impl From<CliError> for Failure {
    fn from(e: CliError) -> Self {
        Failure::Input(e)
    }
}

fn allowed(url: &str, what: &str) -> Result<(), Failure> {
    if transport_allowed(url) {
        Ok(())
    } else {
        Err(Failure::Input(CliError::input(format!(
            "{what} {}: only https:// (or http:// to this machine) is used",
            escape(url)
        ))))
    }
}

/// Send a request; the status and at most [`MAX_MESSAGE_LEN`] bytes of the body.
fn send(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    content_type: Option<&str>,
    bearer: Option<&str>,
    body: &str,
) -> Result<(u16, Vec<u8>), Failure> {
    allowed(url, method)?;
    let net = |e: ureq::Error| {
        Failure::Input(CliError::input(format!(
            "cannot reach {}: {e}",
            escape(url)
        )))
    };
    let mut reply = if method == "GET" {
        agent
            .get(url)
            .header("Accept", "application/json")
            .call()
            .map_err(net)?
    } else {
        let mut r = agent.post(url);
        if let Some(c) = content_type {
            r = r.header("Content-Type", c);
        }
        if let Some(t) = bearer {
            r = r.header("Authorization", &format!("Bearer {t}"));
        }
        r.send(body).map_err(net)?
    };
    let status = reply.status().as_u16();
    let bytes = reply
        .body_mut()
        .with_config()
        .limit(u64::try_from(MAX_MESSAGE_LEN).unwrap_or(u64::MAX))
        .read_to_vec()
        .map_err(|e| Failure::Input(CliError::input(format!("{}: {e}", escape(url)))))?;
    Ok((status, bytes))
}

/// Why an issued credential was not imported: the issuer's error as a refusal, anything
/// else as an input error.
fn import_failure(e: civitas_core::Error) -> Failure {
    match e {
        civitas_core::Error::OpenId4Vci(v) => Failure::Refused(v),
        other => Failure::Input(CliError::input(format!(
            "the credential was not imported: {other}"
        ))),
    }
}

fn read_pin(offer: &CredentialOffer) -> CliResult<Zeroizing<String>> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(CliError::input(
            "the offer needs a PIN: give --pin (standard input is not a terminal)",
        ));
    }
    if let Some(d) = offer
        .tx_code
        .as_ref()
        .and_then(|t| t.description.as_deref())
    {
        eprintln!("{}", escape(d));
    }
    eprint!("PIN: ");
    let _ = std::io::stderr().flush();
    let mut line = Zeroizing::new(String::new());
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::input(format!("cannot read the PIN: {e}")))?;
    Ok(Zeroizing::new(line.trim().to_owned()))
}

pub(crate) fn run(w: &Wallet, args: &AcceptArgs) -> CliResult<u8> {
    match accept(w, args) {
        Ok(()) => Ok(EXIT_VALID),
        Err(Failure::Refused(e)) => {
            eprintln!(
                "civitas holder accept: the issuer refused ({}): {}",
                e.code,
                escape(&e.description)
            );
            Ok(EXIT_INVALID)
        }
        Err(Failure::Input(e)) => Err(e),
    }
}

fn accept(w: &Wallet, args: &AcceptArgs) -> Result<(), Failure> {
    let agent = agent();
    let input = |e: VciError| Failure::Input(CliError::input(e.description));
    // §4.1: the offer, by value or fetched.
    let offer = match OfferInvocation::parse(args.offer.trim()).map_err(input)? {
        OfferInvocation::ByValue(o) => o,
        OfferInvocation::ByReference(uri) => {
            let (status, body) = send(&agent, "GET", &uri, None, None, "")?;
            if status != 200 {
                return Err(Failure::Refused(VciError::new(
                    civitas_core::openid4vci::ErrorCode::InvalidGrant,
                    format!(
                        "the offer could not be fetched (HTTP {status}): it was used, locked or has expired"
                    ),
                )));
            }
            CredentialOffer::from_json(&body).map_err(input)?
        }
    };
    let issuer = offer.credential_issuer.clone();
    // §12.2: the issuer's metadata, and its authorization server's.
    let (status, body) = send(
        &agent,
        "GET",
        &IssuerMetadata::url_for(&issuer),
        None,
        None,
        "",
    )?;
    if status != 200 {
        return Err(Failure::Input(CliError::input(format!(
            "{}: no issuer metadata (HTTP {status})",
            escape(&issuer)
        ))));
    }
    let metadata = IssuerMetadata::from_json(&body, &issuer).map_err(input)?;
    let configuration_id = offer
        .credential_configuration_ids
        .first()
        .cloned()
        .unwrap_or_default();
    let configuration = metadata.configuration(&configuration_id).map_err(input)?;
    let (status, body) = send(
        &agent,
        "GET",
        &metadata.authorization_server_metadata_url(),
        None,
        None,
        "",
    )?;
    if status != 200 {
        return Err(Failure::Input(CliError::input(format!(
            "{}: no authorization server metadata (HTTP {status})",
            escape(&issuer)
        ))));
    }
    let server = AuthorizationServerMetadata::from_json(&body, metadata.authorization_server())
        .map_err(input)?;
    eprintln!(
        "{} ({}) offers: {}",
        escape(metadata.display_name(None).unwrap_or("an unnamed issuer")),
        escape(&issuer),
        escape(
            configuration
                .display_name(None)
                .unwrap_or(&configuration_id)
        )
    );

    if configuration.is_sd_jwt_vc() {
        return accept_sd_jwt(
            w,
            args,
            &agent,
            &offer,
            &metadata,
            &configuration_id,
            &server,
        );
    }
    if args.issuer_jwk.is_some() {
        return Err(Failure::Input(CliError::input(
            "--issuer-jwk is for SD-JWT VCs (dc+sd-jwt); this offer is an ldp_vc credential",
        )));
    }
    if args.holder_key.is_some() && !args.identified {
        return Err(Failure::Input(CliError::input(
            "--holder-key for an ldp_vc credential goes with --identified (issued to the key's DID)",
        )));
    }

    // Choose the binding before sending the PIN: nothing is sent for an offer this wallet
    // cannot take.
    let feature = if args.identified {
        if !configuration.accepts_jwt_es256() {
            return Err(Failure::Input(CliError::input(
                "the issuer does not issue this credential to a DID (no jwt ES256 proofs): leave out --identified",
            )));
        }
        None
    } else {
        let offered = configuration.commitment_features().unwrap_or_default();
        let wanted = match args.feature {
            Some(f) => vec![f.feature()],
            None => vec![
                Feature::HolderBindingPseudonym,
                Feature::AnonymousHolderBinding,
                Feature::Pseudonym,
            ],
        };
        let chosen = wanted
            .into_iter()
            .find(|f| offered.iter().any(|o| o == f.name()))
            .ok_or_else(|| {
                CliError::input(if offered.is_empty() {
                    "the issuer does not bind this credential to a wallet's secrets: use --identified --holder-key KEY".to_owned()
                } else {
                    format!(
                        "the issuer binds this credential with {} only",
                        offered.join(", ")
                    )
                })
            })?;
        Some(chosen)
    };

    // Everything that can fail here is checked before the PIN is spent: the offer is single
    // use, and a token is good for one credential request.
    let batch = metadata
        .batch_credential_issuance
        .map_or(1, |b| usize::try_from(b.batch_size).unwrap_or(1));
    if args.count == 0 || args.count > batch {
        return Err(Failure::Input(CliError::input(format!(
            "--count {}: the issuer gives 1 to {batch} credentials per request",
            args.count
        ))));
    }
    let holder_key = match (&feature, &args.holder_key) {
        (None, Some(path)) => {
            if args.count != 1 {
                return Err(Failure::Input(CliError::input(
                    "an identified credential is asked for one at a time (one key)",
                )));
            }
            Some(crate::util::load_p256_key(path, "the holder (key)")?.0)
        }
        _ => None,
    };

    // §6: the token.
    let pin = offer_pin(&offer, args, &server.token_endpoint)?;
    let form = token_request_form(&offer, pin.as_ref().map(|p| p.as_str())).map_err(input)?;
    let (_, body) = send(
        &agent,
        "POST",
        &server.token_endpoint,
        Some("application/x-www-form-urlencoded"),
        None,
        &form,
    )?;
    let token = TokenResponse::from_json(&body).map_err(Failure::Refused)?;

    // §7: a c_nonce (for jwt proofs; the commitment takes none).
    let request = match feature {
        Some(f) => w
            .openid4vci_commitment_request(&metadata, &configuration_id, f, args.count)
            .map_err(|e| CliError::input(e.to_string()))?,
        None => {
            let nonce = match &metadata.nonce_endpoint {
                Some(url) => {
                    let (_, body) = send(&agent, "POST", url, None, None, "")?;
                    Some(read_nonce_response(&body).map_err(Failure::Refused)?)
                }
                None => None,
            };
            let key =
                holder_key.ok_or_else(|| CliError::input("--identified needs --holder-key"))?;
            let proof = jwt_proof(
                &key,
                &issuer,
                nonce.as_deref(),
                civitas_core::Timestamp::now().unix_seconds(),
            )
            .map_err(|e| CliError::input(e.to_string()))?;
            credential_request_json(&configuration_id, &Proofs::Jwt(vec![proof]))
        }
    };
    // §8: the credential.
    let (_, body) = send(
        &agent,
        "POST",
        &metadata.credential_endpoint,
        Some("application/json"),
        Some(&token.access_token),
        &request.to_string(),
    )?;
    let imported = w
        .openid4vci_import(configuration, &body)
        .map_err(import_failure)?;
    for c in &imported {
        println!(
            "imported {} ({}): {}",
            c.id,
            c.binding.name(),
            escape(&c.types.join(", "))
        );
    }
    Ok(())
}

/// The PIN, from `--pin` or the terminal, when the offer needs one.
fn offer_pin(
    offer: &CredentialOffer,
    args: &AcceptArgs,
    token_endpoint: &str,
) -> CliResult<Option<Zeroizing<String>>> {
    Ok(match (&offer.tx_code, &args.pin) {
        (Some(_), Some(p)) => Some(Zeroizing::new(p.clone())),
        (Some(_), None) => {
            eprintln!("the PIN goes to {} only", escape(token_endpoint));
            Some(read_pin(offer)?)
        }
        (None, _) => None,
    })
}

/// The issuer's keys for an SD-JWT VC: `--issuer-jwk`, or its JWT VC Issuer Metadata
/// (`/.well-known/jwt-vc-issuer` of the Credential Issuer Identifier, whose `issuer` must be
/// that identifier; the credentials' `iss` must then be it too).
fn sd_jwt_issuer_keys(
    agent: &ureq::Agent,
    args: &AcceptArgs,
    issuer: &str,
) -> Result<(Vec<civitas_core::keys::PublicKey>, Option<String>), Failure> {
    if let Some(f) = &args.issuer_jwk {
        let v = crate::util::read_json(f)?;
        let key = civitas_core::jose::EcJwk::from_json(&v)
            .map_err(|e| CliError::input(format!("{}: {e}", f.display())))?;
        return Ok((vec![key.public_key()], None));
    }
    let url = civitas_core::sdjwt::vc::issuer_metadata_url(issuer);
    let (status, body) = send(agent, "GET", &url, None, None, "")?;
    if status != 200 {
        return Err(Failure::Input(CliError::input(format!(
            "{}: no JWT VC Issuer Metadata (HTTP {status}) to check the SD-JWT VC with: give the issuer's key with --issuer-jwk JWK.json",
            escape(&url)
        ))));
    }
    let keys = civitas_core::sdjwt::vc::read_issuer_metadata(&body, issuer)
        .map_err(|e| CliError::input(format!("{}: {e}", escape(&url))))?;
    Ok((keys, Some(issuer.to_owned())))
}

/// Accept an SD-JWT VC (`dc+sd-jwt`, OpenID4VCI Appendix A.3): a `jwt` proof with the public
/// JWK of `--holder-key` in its header, then each credential checked (the issuer's key, its
/// `vct`, its `cnf.jwk` the holder key) and stored.
fn accept_sd_jwt(
    w: &Wallet,
    args: &AcceptArgs,
    agent: &ureq::Agent,
    offer: &CredentialOffer,
    metadata: &IssuerMetadata,
    configuration_id: &str,
    server: &AuthorizationServerMetadata,
) -> Result<(), Failure> {
    let input = |e: VciError| Failure::Input(CliError::input(e.description));
    let configuration = metadata.configuration(configuration_id).map_err(input)?;
    // Everything that can fail here is checked before the PIN is spent.
    if args.identified || args.feature.is_some() {
        return Err(Failure::Input(CliError::input(
            "this offer is an SD-JWT VC (dc+sd-jwt), bound to a device key: leave out --identified and --feature, give --holder-key KEY",
        )));
    }
    let path = args.holder_key.as_ref().ok_or_else(|| {
        CliError::input(
            "this offer is an SD-JWT VC (dc+sd-jwt), bound to the wallet's device key: give --holder-key KEY (a P-256 key file: civitas keygen --alg p256)",
        )
    })?;
    let vct = configuration.sd_jwt_vct().map_err(input)?.to_owned();
    if args.count != 1 {
        return Err(Failure::Input(CliError::input(
            "an SD-JWT VC is asked for one at a time here (one --holder-key, one credential: each key binds one)",
        )));
    }
    let (key, public) = crate::util::load_p256_key(path, "the holder (SD-JWT VC)")?;
    let issuer = offer.credential_issuer.as_str();
    let (issuer_keys, expected_iss) = sd_jwt_issuer_keys(agent, args, issuer)?;

    // §6: the token.
    let pin = offer_pin(offer, args, &server.token_endpoint)?;
    let form = token_request_form(offer, pin.as_ref().map(|p| p.as_str())).map_err(input)?;
    let (_, body) = send(
        agent,
        "POST",
        &server.token_endpoint,
        Some("application/x-www-form-urlencoded"),
        None,
        &form,
    )?;
    let token = TokenResponse::from_json(&body).map_err(Failure::Refused)?;
    // §7: a c_nonce; §8: the credential, the proof carrying the holder's public JWK.
    let nonce = match &metadata.nonce_endpoint {
        Some(url) => {
            let (_, body) = send(agent, "POST", url, None, None, "")?;
            Some(read_nonce_response(&body).map_err(Failure::Refused)?)
        }
        None => None,
    };
    let proof = jwt_proof_jwk(
        &key,
        issuer,
        nonce.as_deref(),
        civitas_core::Timestamp::now().unix_seconds(),
    )
    .map_err(|e| CliError::input(e.to_string()))?;
    let request = credential_request_json(configuration_id, &Proofs::Jwt(vec![proof]));
    let (_, body) = send(
        agent,
        "POST",
        &metadata.credential_endpoint,
        Some("application/json"),
        Some(&token.access_token),
        &request.to_string(),
    )?;
    let imported = w
        .openid4vci_import_sd_jwt(
            configuration,
            &body,
            &issuer_keys,
            expected_iss.as_deref(),
            &public,
        )
        .map_err(import_failure)?;
    for c in &imported {
        println!(
            "imported SD-JWT VC {} ({}) from {}",
            c.id,
            escape(&vct),
            escape(&c.issuer)
        );
    }
    Ok(())
}
