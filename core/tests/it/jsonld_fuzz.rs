//! Random JSON-LD-shaped documents never panic the processor (errors are fine).

use civitas_core::jsonld::{JsonLdProcessor, ToRdfOptions};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("@id".to_string()),
        Just("@type".to_string()),
        Just("@value".to_string()),
        Just("@language".to_string()),
        Just("@direction".to_string()),
        Just("@list".to_string()),
        Just("@set".to_string()),
        Just("@graph".to_string()),
        Just("@reverse".to_string()),
        Just("@index".to_string()),
        Just("@included".to_string()),
        Just("@nest".to_string()),
        Just("@context".to_string()),
        Just("@container".to_string()),
        Just("@protected".to_string()),
        Just("@vocab".to_string()),
        Just("@base".to_string()),
        Just("name".to_string()),
        Just("ex:p".to_string()),
        Just("_:b".to_string()),
        Just("https://ex.example/p".to_string()),
        "[a-z]{1,3}",
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|i| json!(i)),
        (-1e30f64..1e30).prop_map(|f| json!(f)),
        Just(json!("@id")),
        Just(json!("@list")),
        Just(json!("@json")),
        Just(json!("@vocab")),
        Just(json!("https://ex.example/")),
        Just(json!("ex:")),
        Just(json!("_:x")),
        Just(json!("en")),
        Just(json!("ltr")),
        "[a-z:/#]{0,6}".prop_map(Value::String),
    ]
}

fn doc() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..5)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]
    #[test]
    fn never_panics(d in doc()) {
        let p = JsonLdProcessor::default();
        let _ = p.to_rdf(&d, &ToRdfOptions::default());
        let _ = p.to_rdf(&d, &ToRdfOptions::conformance());
        let with_ctx = json!({"@context": {"@vocab": "https://v.example/", "ex": "https://ex.example/"}, "@graph": d});
        let _ = p.to_rdf(&with_ctx, &ToRdfOptions::conformance());
    }
}
