//! RDFC-1.0 (`civitas_core::canonicalize_nquads`) with small limits: never panics, and the
//! canonical form of the canonical form is itself.
#![no_main]

use civitas_core::{CanonOptions, canonicalize_nquads};
use libfuzzer_sys::fuzz_target;

fn options() -> CanonOptions {
    let mut o = CanonOptions::default();
    o.max_n_degree_calls = 500;
    o.max_permutations = 2_000;
    o.max_related_hashes = 5_000;
    o.max_recursion_depth = 32;
    o
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let opts = options();
    if let Ok(canon) = canonicalize_nquads(text, &opts) {
        // Canonicalizing the canonical form again may need a different amount of work, but
        // with the default limits it must succeed and be a fixed point.
        let again = canonicalize_nquads(canon.nquads(), &CanonOptions::default())
            .expect("canonical N-Quads canonicalize again");
        assert_eq!(canon.nquads(), again.nquads(), "RDFC-1.0 is not idempotent");
    }
});
