//! The integration tests of civitas-core, one test binary (one link of blst and the rest,
//! not one per file): each module is one former test file, `common` their shared helpers.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests: a failed expectation is a panic"
)]

mod bbs2023_proof_values;
mod bbs_bad_input;
mod bbs_blind;
mod common;
mod dcql;
mod did_key_vectors;
mod differential_zkryptium;
mod ecdsa_rdfc2019;
mod issuance;
mod jose;
mod jsonld;
mod jsonld_fuzz;
mod mutation_sweep;
mod openid4vp_flow;
mod openid4vp_request;
mod status_list;
mod store_crash;
mod tlog_merkle;
mod verifier_batch;
mod verifier_clock_skew;
mod verifier_features;
mod verifier_rewrites;
mod verifier_sdjwt;
mod verifier_status;
mod verifier_status_policy;
mod wallet;
mod wallet_binding;
mod wallet_present;
mod x509_requests;
