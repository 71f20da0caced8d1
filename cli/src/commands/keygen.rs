//! `civitas keygen`.

use std::path::Path;

use civitas_core::bbs::{Ciphersuite, KeyPair, SecretKey as BbsSecretKey};
use civitas_core::ecdsa::DeviceKey;
use civitas_core::keys::{KeyType, PublicKey, SecretKey};

use crate::util::{Alg, CliError, CliResult, EXIT_VALID, key_file_json, write_atomic};

pub(crate) fn run(
    alg: Alg,
    output: &Path,
    force: bool,
    log: Option<(&Path, &Path)>,
) -> CliResult<u8> {
    if output.exists() && !force {
        return Err(CliError::input(format!(
            "{} exists; use --force to replace it",
            output.display()
        )));
    }
    let (public, secret) = match alg {
        Alg::Bbs => {
            let pair = KeyPair::from_secret(BbsSecretKey::generate(Ciphersuite::Bls12381Sha256)?);
            let public = PublicKey::Bls12381G2(pair.public().to_bytes());
            let secret =
                SecretKey::from_bytes(KeyType::Bls12381G2, pair.secret().to_bytes().as_slice())?;
            (public, secret)
        }
        Alg::P256 => {
            let key = DeviceKey::generate()?;
            (
                key.public_key(),
                SecretKey::from_multibase(&key.to_multikey())?,
            )
        }
        Alg::Ed25519 => {
            let mut seed = zeroize::Zeroizing::new([0u8; 32]);
            getrandom::getrandom(seed.as_mut())
                .map_err(|_| CliError::input("no system randomness"))?;
            let public = PublicKey::Ed25519(civitas_core::tlog::ed25519_public_key(&seed));
            (
                public,
                SecretKey::from_bytes(KeyType::Ed25519, seed.as_slice())?,
            )
        }
    };
    let json = key_file_json(&public, &secret);
    let text =
        serde_json::to_string_pretty(&json).map_err(|e| CliError::input(e.to_string()))? + "\n";
    write_atomic(output, text.as_bytes(), true)?;
    println!("{}", civitas_core::did::did_key(&public));
    eprintln!("wrote {} (owner-only); keep it secret", output.display());
    if let Some((dir, log_key)) = log {
        let id = civitas_core::did::verification_method_id(&public);
        let (index, _) = crate::commands::log::log_key_event(
            log_key,
            dir,
            crate::commands::log::KeyEventArg::Added,
            &id,
        )?;
        eprintln!(
            "logged the key as added, entry {index} of {}",
            dir.display()
        );
    }
    Ok(EXIT_VALID)
}
