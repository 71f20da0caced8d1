//! The one error type at the FFI boundary.

use civitas_core::Error;

/// Everything that can go wrong in a Civitas call, in four coarse kinds.
///
/// Kotlin sees it as `CivitasException` (UniFFI renames `*Error` to `*Exception` there),
/// Swift as `CivitasError`, Python as `CivitasError`. Every variant carries a `reason`: a
/// fixed English sentence for logs and developers, never shown to end users as is, and
/// never holding personal data (no claim values, no key bytes; only lengths, positions and
/// names of fields).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum CivitasError {
    /// The caller passed something malformed: a wrong length, an invalid point or encoding,
    /// indexes out of range, too much input.
    #[error("invalid input: {reason}")]
    InvalidInput {
        /// What is wrong.
        reason: String,
    },
    /// Well-formed input that does not verify: a signature or a proof is not valid.
    #[error("verification failed: {reason}")]
    VerificationFailed {
        /// What did not verify.
        reason: String,
    },
    /// Well-formed input using something Civitas does not support (yet): another DID
    /// method, key type or bbs-2023 feature.
    #[error("unsupported: {reason}")]
    Unsupported {
        /// What is not supported.
        reason: String,
    },
    /// A failure that is not the caller's fault (for example no system randomness).
    #[error("internal error: {reason}")]
    Internal {
        /// What failed.
        reason: String,
    },
}

impl From<Error> for CivitasError {
    fn from(e: Error) -> Self {
        // The core's messages carry no personal data by design (see civitas_core::Error),
        // so they are passed on as the reason.
        let reason = e.to_string();
        match e {
            Error::SignatureInvalid
            | Error::ProofInvalid
            | Error::VerificationFailed(_)
            | Error::EcdsaSignatureMismatch
            | Error::EcdsaKeyMismatch
            | Error::EcdsaProofExpired
            | Error::EcdsaUnexpectedProof { .. } => CivitasError::VerificationFailed { reason },
            Error::UnsupportedCodec { .. }
            | Error::UnsupportedDidMethod
            | Error::UnsupportedFeature { .. }
            | Error::UnknownProofHeader
            | Error::Unsupported(_)
            | Error::EcdsaUnsupportedCurve(_) => CivitasError::Unsupported { reason },
            Error::Crypto(_)
            | Error::EcdsaSigner(_)
            | Error::WalletStorage { .. }
            | Error::WalletIo { .. } => CivitasError::Internal { reason },
            Error::InvalidLength { .. }
            | Error::InvalidPoint { .. }
            | Error::InvalidScalar { .. }
            | Error::InvalidKeyMaterial(_)
            | Error::InvalidIndex { .. }
            | Error::MessageCount { .. }
            | Error::TooManyMessages { .. }
            | Error::TooLarge { .. }
            | Error::MultibasePrefix { .. }
            | Error::InvalidEncoding { .. }
            | Error::InvalidVarint
            | Error::InvalidDid(_)
            | Error::FragmentMismatch
            | Error::ProofKindMismatch { .. }
            | Error::Cbor { .. }
            | Error::InvalidLabelMap(_)
            | Error::NQuadsSyntax { .. }
            | Error::InvalidQuad { .. }
            | Error::CanonicalizationLimit { .. }
            | Error::JsonLdUnknownContext { .. }
            | Error::JsonLdUndefinedTerm { .. }
            | Error::JsonLdSyntax { .. }
            | Error::JsonLdContextConflict { .. }
            | Error::JsonLdLimit { .. }
            | Error::InvalidPointer { .. }
            | Error::Bbs2023(_)
            | Error::EcdsaProofValue(_)
            | Error::EcdsaProofType
            | Error::EcdsaCryptosuite
            | Error::EcdsaProof(_)
            | Error::EcdsaInvalidDateTime { .. }
            | Error::CompactPrefix { .. }
            | Error::CompactBase45 { .. }
            | Error::CompactDeflate { .. }
            | Error::CompactTooLarge { .. }
            | Error::CompactNotJson { .. }
            | Error::WalletInvalidCredential(_)
            | Error::WalletNotFound
            | Error::WalletUnknownPointer { .. }
            | Error::TrustFile(_)
            | Error::StatusIndexOutOfRange { .. }
            | Error::StatusValueOutOfRange { .. }
            | Error::UnsupportedStatusSize { .. }
            | Error::StatusListTooShort { .. }
            | Error::StatusListGzip { .. }
            | Error::StatusListTooLarge { .. }
            | Error::MalformedStatus { .. }
            | Error::StatusPurposeMismatch
            | Error::StatusListUrlMismatch
            | Error::StatusSizeMismatch { .. }
            | Error::StatusListNotYetValid
            | Error::StatusListExpired => CivitasError::InvalidInput { reason },
            // `civitas_core::Error` is non-exhaustive: a variant added later lands here until
            // it is sorted above.
            _ => CivitasError::Internal { reason },
        }
    }
}

/// A foreign implementation of a callback interface ([`crate::KeyStore`],
/// [`crate::CredentialStore`]) threw something other than a `CivitasError`.
impl From<uniffi::UnexpectedUniFFICallbackError> for CivitasError {
    fn from(_: uniffi::UnexpectedUniFFICallbackError) -> Self {
        // The foreign exception's message is not passed on: it may hold anything.
        CivitasError::Internal {
            reason: "a callback of the app failed unexpectedly".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        let kind = |e: Error| match CivitasError::from(e) {
            CivitasError::InvalidInput { .. } => "input",
            CivitasError::VerificationFailed { .. } => "verify",
            CivitasError::Unsupported { .. } => "unsupported",
            CivitasError::Internal { .. } => "internal",
        };
        assert_eq!(kind(Error::ProofInvalid), "verify");
        assert_eq!(kind(Error::SignatureInvalid), "verify");
        assert_eq!(kind(Error::UnsupportedDidMethod), "unsupported");
        assert_eq!(kind(Error::Crypto("no system randomness")), "internal");
        assert_eq!(
            kind(Error::InvalidLength {
                what: "public key",
                expected: 96,
                actual: 3
            }),
            "input"
        );
        assert_eq!(kind(Error::InvalidIndex { index: 9, count: 5 }), "input");
        // Wallet and verifier errors.
        assert_eq!(
            kind(Error::WalletInvalidCredential("not valid JSON")),
            "input"
        );
        assert_eq!(kind(Error::WalletNotFound), "input");
        assert_eq!(kind(Error::TrustFile("line 1".into())), "input");
        assert_eq!(kind(Error::VerificationFailed("x")), "verify");
        assert_eq!(kind(Error::EcdsaSignatureMismatch), "verify");
        assert_eq!(kind(Error::EcdsaSigner("x")), "internal");
        assert_eq!(kind(Error::WalletStorage { reason: "x" }), "internal");
    }

    #[test]
    fn message_keeps_the_core_reason() {
        let e = CivitasError::from(Error::InvalidLength {
            what: "public key",
            expected: 96,
            actual: 3,
        });
        assert_eq!(
            e.to_string(),
            "invalid input: public key: expected 96 bytes, got 3"
        );
    }
}
