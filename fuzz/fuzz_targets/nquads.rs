//! `civitas_core::rdf::parse_nquads`: never panics; parse -> serialize -> parse is the identity.
#![no_main]

use civitas_core::rdf::{parse_nquads, to_nquads};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(quads) = parse_nquads(text) {
        let written = to_nquads(&quads);
        let again = parse_nquads(&written).expect("serialized N-Quads parse again");
        assert_eq!(quads, again, "N-Quads round trip changed the quads");
    }
});
