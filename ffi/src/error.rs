//! The one error type at the FFI boundary.

use civitas_core::{Error, ErrorKind};

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
        match e.kind() {
            ErrorKind::InvalidInput => CivitasError::InvalidInput { reason },
            ErrorKind::VerificationFailed => CivitasError::VerificationFailed { reason },
            ErrorKind::Unsupported => CivitasError::Unsupported { reason },
            ErrorKind::Internal => CivitasError::Internal { reason },
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
    use civitas_core::{Bbs2023Error, BbsError, DidError, EcdsaError, EncodingError, WalletError};

    #[test]
    fn kinds() {
        let kind = |e: Error| match CivitasError::from(e) {
            CivitasError::InvalidInput { .. } => "input",
            CivitasError::VerificationFailed { .. } => "verify",
            CivitasError::Unsupported { .. } => "unsupported",
            CivitasError::Internal { .. } => "internal",
        };
        assert_eq!(kind(Error::Bbs(BbsError::ProofInvalid)), "verify");
        assert_eq!(kind(Error::Bbs(BbsError::SignatureInvalid)), "verify");
        assert_eq!(kind(Error::Did(DidError::UnsupportedMethod)), "unsupported");
        assert_eq!(kind(Error::Crypto("no system randomness")), "internal");
        assert_eq!(
            kind(Error::Encoding(EncodingError::Length {
                what: "public key",
                expected: 96,
                actual: 3
            })),
            "input"
        );
        assert_eq!(
            kind(Error::Bbs(BbsError::Index { index: 9, count: 5 })),
            "input"
        );
        // Wallet and verifier errors.
        assert_eq!(
            kind(Error::Wallet(WalletError::InvalidCredential(
                "not valid JSON"
            ))),
            "input"
        );
        assert_eq!(kind(Error::Wallet(WalletError::NotFound)), "input");
        assert_eq!(kind(Error::TrustFile("line 1".into())), "input");
        assert_eq!(
            kind(Error::Bbs2023(Bbs2023Error::VerificationFailed("x"))),
            "verify"
        );
        assert_eq!(kind(Error::Ecdsa(EcdsaError::SignatureMismatch)), "verify");
        assert_eq!(kind(Error::Ecdsa(EcdsaError::Signer("x"))), "internal");
        assert_eq!(
            kind(Error::Wallet(WalletError::Storage { reason: "x" })),
            "internal"
        );
    }

    #[test]
    fn message_keeps_the_core_reason() {
        let e = CivitasError::from(Error::Encoding(EncodingError::Length {
            what: "public key",
            expected: 96,
            actual: 3,
        }));
        assert_eq!(
            e.to_string(),
            "invalid input: public key: expected 96 bytes, got 3"
        );
    }
}
