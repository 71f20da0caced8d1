//! `uniffi-bindgen`: generates the Kotlin, Swift and Python bindings of civitas-ffi from the
//! compiled library (`generate --library target/debug/libcivitas_ffi.so ...`).

fn main() {
    uniffi::uniffi_bindgen_main()
}
