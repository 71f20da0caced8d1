//! Verifiable Presentations: derived credentials wrapped in a presentation that the holder
//! signs with `ecdsa-rdfc-2019` (proof purpose `authentication`), bound to the verifier's
//! challenge and domain so it cannot be replayed elsewhere.

use serde_json::{Value, json};

use crate::Error;
use crate::did;
use crate::ecdsa::{EcdsaProofOptions, EcdsaRdfc2019, Signer};

/// Build and sign a presentation of `credentials` (derived bbs-2023 credentials) for the
/// verifier that asked with `challenge` and `domain`. The holder is the signer's did:key.
pub fn present(
    ecdsa: &EcdsaRdfc2019,
    credentials: Vec<Value>,
    signer: &dyn Signer,
    challenge: &str,
    domain: &str,
) -> Result<Value, Error> {
    if credentials.is_empty() {
        return Err(Error::Presentation(
            "a presentation needs at least one credential",
        ));
    }
    let public = signer.public_key();
    let vp = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": did::did_key(&public),
        "verifiableCredential": credentials,
    });
    let mut options = EcdsaProofOptions::assertion(did::verification_method_id(&public));
    options.proof_purpose = "authentication".into();
    options.challenge = Some(challenge.to_owned());
    options.domain = Some(domain.to_owned());
    ecdsa.sign(&vp, signer, &options)
}

/// The wallet's [`PresentationBuilder`](crate::wallet::PresentationBuilder): signs with the
/// holder's device key, in memory or in the platform's secure hardware through [`Signer`].
/// A presentation without the verifier's challenge and domain could be replayed, so both
/// are required.
pub struct DevicePresentationBuilder<'a> {
    ecdsa: EcdsaRdfc2019,
    signer: &'a dyn Signer,
}

impl std::fmt::Debug for DevicePresentationBuilder<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DevicePresentationBuilder")
    }
}

impl<'a> DevicePresentationBuilder<'a> {
    /// A builder signing with `signer`.
    pub fn new(ecdsa: EcdsaRdfc2019, signer: &'a dyn Signer) -> Self {
        Self { ecdsa, signer }
    }
}

impl crate::wallet::PresentationBuilder for DevicePresentationBuilder<'_> {
    fn build(
        &self,
        credentials: Vec<Value>,
        request: &crate::wallet::PresentationRequest,
    ) -> Result<Value, Error> {
        let challenge = request.challenge.as_deref().ok_or(Error::Presentation(
            "the verifier's request has no challenge",
        ))?;
        let domain = request
            .domain
            .as_deref()
            .ok_or(Error::Presentation("the verifier's request has no domain"))?;
        present(&self.ecdsa, credentials, self.signer, challenge, domain)
    }
}
