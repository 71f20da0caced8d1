//! The `bbs-2023` Data Integrity cryptosuite (W3C "Data Integrity BBS Cryptosuites v1.0",
//! <https://www.w3.org/TR/vc-di-bbs/>).
//!
//! - [`BaseProofValue`], [`DerivedProofValue`]: serialization and parsing of base and derived proof values
//!   (<https://www.w3.org/TR/vc-di-bbs/#bbs-2023-functions>).

mod features;
mod labels;
mod proof_value;
mod select;
mod suite;

pub use features::{
    BindingSecrets, CREDENTIAL_REQUEST_TYPE, CommitmentRequest, MAX_CREDENTIAL_REQUEST_BYTES,
    commitment_request,
};
pub use proof_value::{
    BBS_HEADER_LEN, BBS_PROOF_MIN_LEN, BBS_SIGNATURE_LEN, BaseFeature, BaseProofValue,
    DerivedFeature, DerivedProofValue, Feature, HMAC_KEY_LEN, HmacKey, LabelMap, MAX_INDEXES,
    MAX_LABEL_MAP_ENTRIES, MAX_MANDATORY_POINTERS, MAX_NYM_DOMAIN_LEN, MAX_POINTER_LEN,
    MAX_PRESENTATION_HEADER_LEN, MAX_PROOF_VALUE_LEN, NymComponents, PSEUDONYM_LEN, PUBLIC_KEY_LEN,
    Profile, ProofKind, SIGNER_NYM_ENTROPY_LEN, identify,
};
pub use select::select_json_ld;

pub(crate) use suite::WRONG_HOLDER_SECRETS;
pub use suite::{BaseProofData, Bbs2023, Grouped, ProofOptions, VerifiedDocument};
