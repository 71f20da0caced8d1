//! The trust list TOML (`TrustList::from_toml`): never panics.
#![no_main]

use civitas_core::verifier::TrustList;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(list) = TrustList::from_toml(text) {
        for issuer in list.issuers() {
            let _ = list.get(&issuer.did);
        }
        let _ = list.contexts();
    }
});
