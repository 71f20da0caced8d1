//! Low-level building blocks of the BBS draft. Misuse breaks security; prefer [`crate::bbs`].
