//! One module per command.

pub(crate) mod accept;
pub(crate) mod cert;
pub(crate) mod demo;
pub(crate) mod derive;
pub(crate) mod holder;
pub(crate) mod issue;
pub(crate) mod keygen;
pub(crate) mod log;
pub(crate) mod logview;
pub(crate) mod offers;
pub(crate) mod present;
pub(crate) mod qr;
pub(crate) mod respond;
pub(crate) mod sdjwt;
pub(crate) mod serve;
pub(crate) mod status;
pub(crate) mod verify;
pub(crate) mod witnessing;
