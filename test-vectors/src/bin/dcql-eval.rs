//! Our DCQL evaluation (`civitas_core::openid4vp::dcql`) as a filter, for the independent
//! oracle of `interop/openid4vp-peer` (the `dcql` npm package): reads
//! `{"query": DCQL, "credentials": [{"credential": {...}, "types": [IRI...],
//! "holder_binding": bool}]}` on standard input and prints
//! `{"satisfied": bool, "error": null | "...", "selections": [{"query_id",
//! "credentials": [{"index": N, "pointers": [...]}]}]}`.

use std::io::Read;

use civitas_core::openid4vp::dcql::{Candidate, DcqlError, DcqlQuery};
use serde_json::{Value, json};

fn main() -> std::process::ExitCode {
    let mut text = String::new();
    if std::io::stdin().read_to_string(&mut text).is_err() {
        eprintln!("dcql-eval: cannot read standard input");
        return std::process::ExitCode::from(2);
    }
    let input: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("dcql-eval: not JSON: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let out = evaluate(&input);
    println!("{out}");
    std::process::ExitCode::SUCCESS
}

fn evaluate(input: &Value) -> Value {
    let query = match DcqlQuery::parse(input.get("query").unwrap_or(&Value::Null)) {
        Ok(q) => q,
        Err(e) => {
            return json!({"satisfied": false, "error": format!("query: {e}"), "selections": []});
        }
    };
    let empty = Vec::new();
    let given = input
        .get("credentials")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    let ids: Vec<String> = (0..given.len()).map(|i| i.to_string()).collect();
    let types: Vec<Vec<String>> = given
        .iter()
        .map(|c| {
            c.get("types")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|t| t.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect();
    let candidates: Vec<Candidate<'_>> = given
        .iter()
        .zip(&ids)
        .zip(&types)
        .map(|((c, id), types)| Candidate {
            id,
            credential: c.get("credential").unwrap_or(&Value::Null),
            expanded_types: types,
            holder_binding: c
                .get("holder_binding")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        })
        .collect();
    match query.select(&candidates) {
        Ok(selections) => json!({
            "satisfied": true, "error": null,
            "selections": selections.iter().map(|s| json!({
                "query_id": s.query_id,
                "credentials": s.credentials.iter().map(|c| json!({
                    "index": c.credential_id.parse::<usize>().unwrap_or(usize::MAX),
                    "pointers": c.pointers,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        }),
        Err(DcqlError::Unsatisfiable) => {
            json!({"satisfied": false, "error": null, "selections": []})
        }
        Err(e) => json!({"satisfied": false, "error": e.to_string(), "selections": []}),
    }
}
