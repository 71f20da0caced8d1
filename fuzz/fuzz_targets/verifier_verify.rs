//! The verifier policy end to end (`Verifier::verify`) on fuzzed JSON, with an empty trust
//! list and no status lists: never panics (every input is refused or accepted, no crash).
#![no_main]

use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use civitas_core::json::{JsonLimits, parse};
use civitas_core::jsonld::JsonLdProcessor;
use civitas_core::verifier::{Policy, StatusLists, TrustList, Verifier};
use libfuzzer_sys::fuzz_target;

fn verifier() -> &'static Verifier {
    static V: OnceLock<Verifier> = OnceLock::new();
    V.get_or_init(|| {
        let p = {
            let p = JsonLdProcessor::default();
            // The project's own test context, so that the diploma seeds get past context loading.
            p.register_context(
                "https://civitas.example/contexts/diploma/v1",
                include_str!(
                    "../../cli/data/civitas.example_contexts_diploma_v1.jsonld"
                ),
            )
            .expect("diploma context");
            p
        };
        Verifier::new(Arc::new(p))
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = parse(data, &JsonLimits::default()) else {
        return;
    };
    let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let lists = StatusLists::new();
    let strict = Policy::new(TrustList::empty()).at(at);
    let _ = verifier().verify(&input, &strict, &lists);
    let lax = Policy::new(TrustList::empty())
        .at(at)
        .dangerous_allow_any_issuer()
        .dangerous_skip_status();
    let _ = verifier().verify(&input, &lax, &lists);
});
