//! JSON-LD to RDF on the W3C bbs-2023 credentials, and the safety policy.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail by panicking"
)]

use civitas_core::JsonLdError;
use std::path::PathBuf;

use civitas_core::Error;
use civitas_core::jsonld::{JsonLdProcessor, ToRdfOptions};
use serde_json::{Value, json};

fn vectors() -> PathBuf {
    match std::env::var_os("CIVITAS_VECTORS") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors"),
    }
}

fn read_json(rel: &str) -> Value {
    let p = vectors().join("vc-di-bbs/TestVectors").join(rel);
    serde_json::from_str(&std::fs::read_to_string(&p).expect("vector file")).unwrap()
}

fn quad_count_matches(doc: &str, canon: &str) {
    let processor = JsonLdProcessor::default();
    let doc = read_json(doc);
    let quads = processor.to_rdf(&doc, &ToRdfOptions::default()).unwrap();
    let expected = read_json(canon).as_array().unwrap().len();
    let mut unique = quads.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), quads.len(), "no duplicate quads");
    assert_eq!(quads.len(), expected);
    // Processing again reuses the cached contexts and gives the same quads.
    assert_eq!(
        processor.to_rdf(&doc, &ToRdfOptions::default()).unwrap(),
        quads
    );
}

#[test]
fn windsurf_credential_quad_count() {
    quad_count_matches("windDoc.json", "addBaseDocCanon.json");
}

#[test]
fn permanent_resident_card_quad_count() {
    // Two types with type-scoped contexts (`PermanentResident`, `Person`): both apply.
    quad_count_matches("prCredUnsigned.json", "prc/addBaseDocCanon.json");
}

#[test]
fn credentials_v2_with_data_integrity_v2_is_accepted() {
    // Both contexts define the protected term `DataIntegrityProof` identically.
    let doc = json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://w3id.org/security/data-integrity/v2"
        ],
        "type": ["VerifiableCredential"],
        "issuer": "https://issuer.example/",
        "credentialSubject": {"id": "did:example:123"},
        "proof": {
            "type": "DataIntegrityProof",
            "cryptosuite": "bbs-2023",
            "proofPurpose": "assertionMethod",
            "verificationMethod": "did:key:z#z",
            "proofValue": "u"
        }
    });
    let quads = JsonLdProcessor::default()
        .to_rdf(&doc, &ToRdfOptions::default())
        .unwrap();
    assert!(quads.len() >= 8);
}

#[test]
fn undefined_term_is_an_error_naming_it() {
    let doc = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": "https://issuer.example/",
        "credentialSubject": {"favouriteColour": "blue"}
    });
    // credentials/v2 defines no `@vocab`: the undefined claim would vanish from the signed
    // statements, so it is refused, naming the term and not the value.
    let p = JsonLdProcessor::default();
    let err = p.to_rdf(&doc, &ToRdfOptions::default()).unwrap_err();
    assert_eq!(
        err,
        Error::JsonLd(JsonLdError::UndefinedTerm {
            term: "favouriteColour".into()
        })
    );
    assert!(!err.to_string().contains("blue"));
    // With the undefined-terms context, the term gets an IRI and the document is accepted.
    let mut doc = doc;
    doc["@context"].as_array_mut().unwrap().push(json!(
        "https://www.w3.org/ns/credentials/undefined-terms/v2"
    ));
    assert!(p.to_rdf(&doc, &ToRdfOptions::default()).is_ok());
    // A relative type that cannot be expanded is refused too.
    let doc =
        json!({"@context": {"name": "https://schema.org/name"}, "@type": "Person", "name": "A"});
    assert_eq!(
        p.to_rdf(&doc, &ToRdfOptions::default()).unwrap_err(),
        Error::JsonLd(JsonLdError::UndefinedTerm {
            term: "Person".into()
        })
    );
    // The conformance option drops it as the specification says.
    let doc = json!({"@context": {"name": "https://schema.org/name"}, "name": "A", "x": 1});
    assert_eq!(
        p.to_rdf(&doc, &ToRdfOptions::conformance()).unwrap().len(),
        1
    );
}

#[test]
fn unknown_context_is_an_error_naming_the_url() {
    let doc = json!({"@context": "https://example.invalid/ctx", "name": "x"});
    let err = JsonLdProcessor::default()
        .to_rdf(&doc, &ToRdfOptions::default())
        .unwrap_err();
    assert_eq!(
        err,
        Error::JsonLd(JsonLdError::UnknownContext {
            url: "https://example.invalid/ctx".into()
        })
    );
}

#[test]
fn registered_context_is_used() {
    let p = JsonLdProcessor::default();
    p.register_context(
        "https://example.invalid/ctx",
        r#"{"@context": {"name": "https://schema.org/name"}}"#,
    )
    .unwrap();
    let doc = json!({"@context": "https://example.invalid/ctx", "name": "x"});
    assert_eq!(p.to_rdf(&doc, &ToRdfOptions::default()).unwrap().len(), 1);
    // Same text again: fine. Other text, or a bundled URL: refused.
    p.register_context(
        "https://example.invalid/ctx",
        r#"{"@context": {"name": "https://schema.org/name"}}"#,
    )
    .unwrap();
    assert_eq!(
        p.register_context("https://example.invalid/ctx", r#"{"@context": {}}"#),
        Err(Error::JsonLd(JsonLdError::ContextConflict {
            url: "https://example.invalid/ctx".into()
        }))
    );
    assert!(matches!(
        p.register_context(
            "https://www.w3.org/ns/credentials/v2",
            r#"{"@context": {}}"#
        ),
        Err(Error::JsonLd(JsonLdError::ContextConflict { .. }))
    ));
}

#[test]
fn limits_are_enforced() {
    let mut v = json!({"@id": "https://x.example/"});
    for _ in 0..100 {
        v = json!({"https://schema.org/knows": v});
    }
    let err = JsonLdProcessor::default()
        .to_rdf(&v, &ToRdfOptions::default())
        .unwrap_err();
    assert!(matches!(
        err,
        Error::JsonLd(JsonLdError::Limit {
            what: "nesting depth",
            ..
        })
    ));
}

#[test]
fn hostile_inputs_are_refused_without_panicking() {
    let p = JsonLdProcessor::default();
    // Deeply nested inline context (would recurse in context processing).
    let mut ctx = json!({"@vocab": "https://x.example/"});
    for _ in 0..1000 {
        ctx = json!({"t": {"@id": "https://x.example/t", "@context": ctx}});
    }
    let doc = json!({"@context": ctx, "t": 1});
    assert!(matches!(
        p.to_rdf(&doc, &ToRdfOptions::default()),
        Err(Error::JsonLd(JsonLdError::Limit { .. }))
    ));
    // A long chain of prefix definitions.
    let mut m = serde_json::Map::new();
    for i in 0..10_000 {
        m.insert(format!("p{i}"), json!(format!("p{}:x", i + 1)));
    }
    m.insert("p10000".into(), json!("https://x.example/"));
    let doc = json!({"@context": Value::Object(m), "p0": 1});
    assert!(matches!(
        p.to_rdf(&doc, &ToRdfOptions::default()),
        Err(Error::JsonLd(JsonLdError::Limit {
            what: "term definition chain",
            ..
        }))
    ));
    // Many values: bounded, and the node map stays linear.
    let values: Vec<Value> = (0..50_000).map(|i| json!(i)).collect();
    let doc = json!({"https://x.example/p": values});
    assert_eq!(
        p.to_rdf(&doc, &ToRdfOptions::default()).unwrap().len(),
        50_000
    );
    let values: Vec<Value> = (0..300_000).map(|i| json!(i)).collect();
    let doc = json!({"https://x.example/p": values});
    assert!(matches!(
        p.to_rdf(&doc, &ToRdfOptions::default()),
        Err(Error::JsonLd(JsonLdError::Limit {
            what: "node count",
            ..
        }))
    ));
}

#[test]
fn safe_mode_refuses_statements_that_would_be_dropped() {
    let p = JsonLdProcessor::default();
    // A relative `@id` with no base: its statements would vanish.
    let doc = json!({"@id": "relative", "https://schema.org/name": "A"});
    let err = p.to_rdf(&doc, &ToRdfOptions::default()).unwrap_err();
    assert_eq!(
        civitas_core::jsonld::error_code(&err),
        Some("invalid @id value")
    );
    assert_eq!(
        p.to_rdf(&doc, &ToRdfOptions::conformance()).unwrap().len(),
        0
    );
    // A malformed language tag.
    let doc = json!({"https://schema.org/name": {"@value": "A", "@language": "not a tag"}});
    let err = p.to_rdf(&doc, &ToRdfOptions::default()).unwrap_err();
    assert_eq!(
        civitas_core::jsonld::error_code(&err),
        Some("invalid language-tagged string")
    );
}

#[test]
fn expand_then_expanded_to_rdf_equals_to_rdf() {
    let p = JsonLdProcessor::default();
    let o = ToRdfOptions::default();
    for doc in ["windDoc.json", "prCredUnsigned.json"] {
        let doc = read_json(doc);
        let expanded = p.expand(&doc, &o).unwrap();
        assert_eq!(
            p.expanded_to_rdf(&expanded, &o).unwrap(),
            p.to_rdf(&doc, &o).unwrap()
        );
    }
    // `@json` literals survive the round trip through the public expanded form.
    let doc = json!({"@context": {"j": {"@id": "https://x.example/j", "@type": "@json"}}, "j": {"b": [1, 2], "a": null}});
    let expanded = p.expand(&doc, &o).unwrap();
    let quads = p.expanded_to_rdf(&expanded, &o).unwrap();
    assert_eq!(quads, p.to_rdf(&doc, &o).unwrap());
    let civitas_core::rdf::Term::Literal(l) = &quads[0].object else {
        panic!("literal")
    };
    assert_eq!(l.value, r#"{"a":null,"b":[1,2]}"#);
}

#[test]
fn shared_processor_across_threads() {
    let p = std::sync::Arc::new(JsonLdProcessor::default());
    let doc = std::sync::Arc::new(read_json("prCredUnsigned.json"));
    let want = p.to_rdf(&doc, &ToRdfOptions::default()).unwrap();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (p, doc) = (p.clone(), doc.clone());
            std::thread::spawn(move || {
                let mut last = None;
                for _ in 0..50 {
                    last = Some(p.to_rdf(&doc, &ToRdfOptions::default()).unwrap());
                }
                last
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap().unwrap(), want);
    }
}

/// Context processing is bounded before it turns quadratic: many distinct type-scoped
/// contexts, each applied to its own node, or a context of a quarter million terms, stop at
/// the work limit with a typed error (measured: 3,000 scoped contexts took 1.4 s unbounded).
#[test]
fn context_processing_work_is_bounded() {
    let p = JsonLdProcessor::default();
    let opts = ToRdfOptions::default();
    let mut ctx = serde_json::Map::new();
    let mut items = Vec::new();
    for i in 0..3000 {
        ctx.insert(
            format!("T{i}"),
            json!({"@id": format!("urn:T:{i}"), "@context": {"p": format!("urn:p:{i}")}}),
        );
        items.push(json!({"@type": format!("T{i}"), "p": "x"}));
    }
    ctx.insert("items".into(), json!("urn:items"));
    let scoped = json!({"@context": [Value::Object(ctx)], "@id": "urn:x", "items": items});
    let limit = |r: Result<Vec<civitas_core::rdf::Quad>, Error>| match r {
        Err(Error::JsonLd(JsonLdError::Limit { what, .. })) => what,
        other => panic!("expected a limit, got {:?}", other.map(|q| q.len())),
    };
    assert_eq!(limit(p.to_rdf(&scoped, &opts)), "context processing work");

    let mut terms = serde_json::Map::new();
    for i in 0..250_000 {
        terms.insert(format!("t{i}"), Value::String(format!("urn:t:{i}")));
    }
    let unused = json!({"@context": [Value::Object(terms)], "@id": "urn:x", "urn:p": "v"});
    assert_eq!(limit(p.to_rdf(&unused, &opts)), "context processing work");

    // A document of ordinary size passes with the default limits.
    let mut small = serde_json::Map::new();
    for i in 0..50 {
        small.insert(
            format!("T{i}"),
            json!({"@id": format!("urn:T:{i}"), "@context": {"p": format!("urn:p:{i}")}}),
        );
    }
    small.insert("items".into(), json!("urn:items"));
    let items: Vec<Value> = (0..50)
        .map(|i| json!({"@type": format!("T{i}"), "p": "x"}))
        .collect();
    let doc = json!({"@context": [Value::Object(small)], "@id": "urn:x", "items": items});
    assert_eq!(p.to_rdf(&doc, &opts).unwrap().len(), 150);
}
