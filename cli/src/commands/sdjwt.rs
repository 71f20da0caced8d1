//! SD-JWT VC on the command line: `civitas issue --format sd-jwt-vc`, `civitas present` of an
//! SD-JWT VC, and Token Status Lists (`civitas status ... --format token`). The formats are
//! core's (`civitas_core::sdjwt`); this module reads and writes files.

use std::path::Path;

use civitas_core::jose::EcJwk;
use civitas_core::keys::PublicKey;
use civitas_core::sdjwt::status::StatusRef;
use civitas_core::sdjwt::{SdJwt, present, vc};
use serde_json::Value;

use crate::util::{
    CliError, CliResult, EXIT_VALID, load_p256_key, read_bytes, read_json, write_atomic,
};

/// The holder key for `cnf`: a JWK file (public, P-256) or a Civitas key file.
fn holder_jwk(path: &Path) -> CliResult<EcJwk> {
    let v = read_json(path)?;
    if let Some(mb) = v.get("publicKeyMultibase").and_then(Value::as_str) {
        let public = PublicKey::from_multibase(mb)
            .map_err(|e| CliError::input(format!("{}: {e}", path.display())))?;
        return EcJwk::from_public_key(&public, None)
            .map_err(|e| CliError::input(format!("{}: {e}", path.display())));
    }
    let mut jwk = v;
    if let Some(m) = jwk.as_object_mut() {
        // A private JWK given by mistake: only its public part goes into a credential.
        m.remove("d");
    }
    EcJwk::from_json(&jwk).map_err(|e| CliError::input(format!("{}: {e}", path.display())))
}

fn text_out(path: Option<&Path>, text: &str) -> CliResult<()> {
    match path {
        Some(p) if p != Path::new("-") => write_atomic(p, format!("{text}\n").as_bytes(), false),
        _ => {
            crate::util::stdout_write(format_args!("{text}\n"));
            Ok(())
        }
    }
}

fn now() -> i64 {
    i64::try_from(crate::util::now_unix()).unwrap_or(i64::MAX)
}

/// What `civitas issue --format sd-jwt-vc` needs.
pub(crate) struct IssueSdJwt<'a> {
    pub key: &'a Path,
    pub vct: &'a str,
    pub iss: Option<&'a str>,
    pub claims: &'a Path,
    pub holder_jwk: Option<&'a Path>,
    pub status_list: Option<&'a Path>,
    pub status_index: Option<u64>,
    pub valid_days: Option<u64>,
    pub plain: Option<&'a Path>,
    pub x5c: Option<&'a Path>,
    pub output: Option<&'a Path>,
}

/// Issue an SD-JWT VC: every claim selectively disclosable unless `--plain` names it.
pub(crate) fn issue(a: &IssueSdJwt<'_>) -> CliResult<u8> {
    let (signer, public) = load_p256_key(a.key, "an SD-JWT VC issuer (ES256)")?;
    let claims = read_json(a.claims)?;
    let Value::Object(claims) = claims else {
        return Err(CliError::input(format!(
            "{}: the claims are a JSON object",
            a.claims.display()
        )));
    };
    let iss = a
        .iss
        .map_or_else(|| civitas_core::did::did_key(&public), str::to_owned);
    let holder = a.holder_jwk.map(holder_jwk).transpose()?;
    let status = match (a.status_list, a.status_index) {
        (Some(list), Some(idx)) => {
            let text = String::from_utf8(read_bytes(list)?)
                .map_err(|_| CliError::input(format!("{} is not UTF-8", list.display())))?;
            let token = civitas_core::sdjwt::status::verify_token(
                &text,
                &public,
                &civitas_core::sdjwt::status::token_uri(&text).unwrap_or_default(),
                now(),
                300,
            )
            .map_err(|e| {
                CliError::input(format!(
                    "{}: {e} (a token status list this key signs)",
                    list.display()
                ))
            })?;
            if token.status(idx).is_none() {
                return Err(CliError::input(format!(
                    "--status-index {idx} is outside {}",
                    list.display()
                )));
            }
            Some(StatusRef {
                uri: token.uri().to_owned(),
                idx,
            })
        }
        (Some(_), None) => return Err(CliError::input("--status-list needs --status-index")),
        _ => None,
    };
    let plain = match a.plain {
        Some(p) => crate::util::read_pointers(p)?,
        None => Vec::new(),
    };
    let iat = now();
    let exp = a
        .valid_days
        .map(|d| iat.saturating_add(i64::try_from(d.saturating_mul(86_400)).unwrap_or(i64::MAX)));
    let whose = format!("the key {}", a.key.display());
    let chain = a
        .x5c
        .map(|p| crate::util::read_chain(p, Some((&public, &whose))))
        .transpose()?;
    let compact = vc::issue_with_chain(
        &vc::Issue {
            iss: &iss,
            vct: a.vct,
            claims: &claims,
            plain: &plain,
            holder: holder.as_ref(),
            status: status.as_ref(),
            iat,
            exp,
        },
        chain.as_ref(),
        &signer,
    )?;
    text_out(a.output, &compact)?;
    Ok(EXIT_VALID)
}

/// Present an SD-JWT VC: the Disclosures `disclose` needs and a Key Binding JWT for
/// `challenge` (nonce) and `domain` (aud) signed by the holder key.
pub(crate) fn present_one(
    holder_key: &Path,
    challenge: &str,
    domain: &str,
    credential: &Path,
    disclose: &[String],
    output: Option<&Path>,
) -> CliResult<u8> {
    let (signer, _) = load_p256_key(holder_key, "the holder (Key Binding JWT)")?;
    let text = String::from_utf8(read_bytes(credential)?)
        .map_err(|_| CliError::input(format!("{} is not UTF-8", credential.display())))?;
    let sd = SdJwt::parse(&text)
        .map_err(|e| CliError::input(format!("{}: {e}", credential.display())))?;
    for p in disclose {
        civitas_core::json_pointer::parse(p)?;
    }
    let out = present(&sd, disclose, Some((&signer, domain, challenge, now())))?;
    text_out(output, &out)?;
    Ok(EXIT_VALID)
}

/// Whether a file holds an SD-JWT (not JSON).
pub(crate) fn is_sd_jwt(path: &Path) -> bool {
    read_bytes(path)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .is_some_and(|t| civitas_core::verifier::looks_like_sd_jwt(&t))
}
