//! Library side of the `civitas` command: modules the binary calls.

pub mod csv;
pub mod qr;
