//! Conformance checks of Civitas against upstream test vectors.
