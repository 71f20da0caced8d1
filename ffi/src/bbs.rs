//! Holder and verifier operations on BBS signatures and proofs (no secrets involved).

use std::sync::Arc;

use civitas_core::bbs::{self, Proof, PublicKey, Signature};

use crate::{CivitasError, SUITE, indexes};

/// Derives a BBS proof of `signature` on `messages` (all of them, in signing order), disclosing
/// the messages at `disclosed_indexes` (zero-based, strictly increasing) and bound to the
/// presentation header `ph` (a verifier's nonce, for example). Returns the encoded proof.
#[uniffi::export]
pub fn derive_proof(
    public_key: Vec<u8>,
    signature: Vec<u8>,
    header: Vec<u8>,
    ph: Vec<u8>,
    messages: Vec<Vec<u8>>,
    disclosed_indexes: Vec<u32>,
) -> Result<Vec<u8>, CivitasError> {
    let pk = PublicKey::from_bytes(&public_key)?;
    let signature = Signature::from_bytes(&signature)?;
    let proof = bbs::proof_gen(
        SUITE,
        &pk,
        &signature,
        &header,
        &ph,
        &messages,
        &indexes(&disclosed_indexes),
    )?;
    Ok(proof.to_bytes())
}

/// Verifies BBS signatures and proofs (BLS12-381-SHA-256). Holds no state yet; the full
/// credential verifier comes with the wallet API.
#[derive(Debug, uniffi::Object)]
pub struct BbsVerifier {}

#[uniffi::export]
impl BbsVerifier {
    /// A verifier.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(BbsVerifier {})
    }

    /// Checks `signature` on all `messages` and `header`. Throws `VerificationFailed` if it
    /// does not verify, `InvalidInput` for malformed bytes.
    pub fn verify_signature(
        &self,
        public_key: Vec<u8>,
        signature: Vec<u8>,
        header: Vec<u8>,
        messages: Vec<Vec<u8>>,
    ) -> Result<(), CivitasError> {
        let pk = PublicKey::from_bytes(&public_key)?;
        let signature = Signature::from_bytes(&signature)?;
        Ok(bbs::verify(SUITE, &pk, &signature, &header, &messages)?)
    }

    /// Checks `proof` against the disclosed messages and their indexes (as given to
    /// `derive_proof`), `header` and the presentation header `presentation_header`. Throws
    /// `VerificationFailed` if it does not verify, `InvalidInput` for malformed bytes or
    /// indexes.
    pub fn verify_proof(
        &self,
        public_key: Vec<u8>,
        proof: Vec<u8>,
        header: Vec<u8>,
        presentation_header: Vec<u8>,
        disclosed_messages: Vec<Vec<u8>>,
        disclosed_indexes: Vec<u32>,
    ) -> Result<(), CivitasError> {
        let pk = PublicKey::from_bytes(&public_key)?;
        let proof = Proof::from_bytes(&proof)?;
        Ok(bbs::proof_verify(
            SUITE,
            &pk,
            &proof,
            &header,
            &presentation_header,
            &disclosed_messages,
            &indexes(&disclosed_indexes),
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::IssuerKey;
    use crate::issuer::tests::KEYS;

    fn ok<T>(r: Result<T, CivitasError>) -> T {
        r.unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn sign_derive_verify() {
        let _guard = KEYS.lock().unwrap_or_else(|p| p.into_inner());
        let key = ok(IssuerKey::generate());
        let header = b"civitas-test".to_vec();
        let messages: Vec<Vec<u8>> = (0..5).map(|i| format!("claim {i}").into_bytes()).collect();
        let signature = ok(key.sign(header.clone(), messages.clone()));
        let verifier = BbsVerifier::new();
        ok(verifier.verify_signature(
            key.public_key(),
            signature.clone(),
            header.clone(),
            messages.clone(),
        ));
        let proof = ok(derive_proof(
            key.public_key(),
            signature,
            header.clone(),
            b"nonce-1".to_vec(),
            messages.clone(),
            vec![1, 3],
        ));
        let disclosed: Vec<Vec<u8>> = [1, 3]
            .iter()
            .filter_map(|&i| messages.get(i).cloned())
            .collect();
        ok(verifier.verify_proof(
            key.public_key(),
            proof.clone(),
            header.clone(),
            b"nonce-1".to_vec(),
            disclosed.clone(),
            vec![1, 3],
        ));
        assert!(matches!(
            verifier.verify_proof(
                key.public_key(),
                proof.clone(),
                header.clone(),
                b"nonce-2".to_vec(),
                disclosed.clone(),
                vec![1, 3],
            ),
            Err(CivitasError::VerificationFailed { .. })
        ));
        assert!(matches!(
            verifier.verify_proof(
                vec![1, 2, 3],
                proof,
                header,
                b"nonce-1".to_vec(),
                disclosed,
                vec![1, 3]
            ),
            Err(CivitasError::InvalidInput { .. })
        ));
    }

    #[test]
    fn out_of_range_index_is_invalid_input() {
        let _guard = KEYS.lock().unwrap_or_else(|p| p.into_inner());
        let key = ok(IssuerKey::generate());
        let signature = ok(key.sign(vec![], vec![b"a".to_vec()]));
        let r = derive_proof(
            key.public_key(),
            signature,
            vec![],
            vec![],
            vec![b"a".to_vec()],
            vec![u32::MAX],
        );
        assert!(matches!(r, Err(CivitasError::InvalidInput { .. })), "{r:?}");
    }
}
