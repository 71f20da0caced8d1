//! The conformance report (filled in with the BBS suites).
fn main() {}
