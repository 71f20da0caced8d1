//! One module per command.

pub mod accept;
pub mod cert;
pub mod demo;
pub mod derive;
pub mod holder;
pub mod issue;
pub mod keygen;
pub mod log;
pub mod logview;
pub mod offers;
pub mod present;
pub mod qr;
pub mod respond;
pub mod sdjwt;
pub mod serve;
pub mod status;
pub mod verify;
pub mod witnessing;
