//! The integration tests of the conformance crate, one test binary: each module is one
//! former test file (a suite, the differential tests, the JavaScript interop).

mod bbs2023_cases;
mod bbs2023_features;
mod conformance_report;
mod ietf_bbs;
mod ietf_bbs_blind;
mod interop_js;
mod jsonld;
mod rdfc;
mod w3c_bbs2023;
mod w3c_ecdsa;
mod zkryptium06_blind;
