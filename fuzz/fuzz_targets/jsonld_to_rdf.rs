//! JSON-LD expansion and toRdf on fuzzed JSON (bundled contexts only, default limits):
//! never panics; the quads it produces write as N-Quads that parse back to the same quads.
#![no_main]

use std::sync::OnceLock;

use civitas_core::json::{JsonLimits, parse};
use civitas_core::jsonld::{JsonLdProcessor, ToRdfOptions};
use civitas_core::rdf::{parse_nquads, to_nquads};
use libfuzzer_sys::fuzz_target;

fn processor() -> &'static JsonLdProcessor {
    static P: OnceLock<JsonLdProcessor> = OnceLock::new();
    P.get_or_init(|| {
        let p = JsonLdProcessor::default();
        // The project's own test context, so that the diploma seeds get past context loading.
        p.register_context(
            "https://civitas.example/contexts/diploma/v1",
            include_str!("../../cli/data/civitas.example_contexts_diploma_v1.jsonld"),
        )
        .expect("diploma context");
        p
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = parse(data, &JsonLimits::default()) else {
        return;
    };
    let p = processor();
    let _ = p.expand(&doc, &ToRdfOptions::default());
    for opts in [ToRdfOptions::default(), ToRdfOptions::conformance()] {
        if let Ok(quads) = p.to_rdf(&doc, &opts) {
            let text = to_nquads(&quads);
            let back = parse_nquads(&text).expect("toRdf output is valid N-Quads");
            assert_eq!(back, quads, "toRdf quads do not survive N-Quads");
        }
    }
});
