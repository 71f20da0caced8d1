//! JSON pointers and selection of a compact JSON-LD document:
//! [jsonPointerToPaths](https://www.w3.org/TR/vc-di-ecdsa/#jsonpointertopaths),
//! [createInitialSelection](https://www.w3.org/TR/vc-di-ecdsa/#createinitialselection),
//! [selectPaths](https://www.w3.org/TR/vc-di-ecdsa/#selectpaths) and
//! [selectJsonLd](https://www.w3.org/TR/vc-di-ecdsa/#selectjsonld).
//!
//! The selection is built as a tree whose arrays are keyed by the source index, then turned
//! into JSON with each array made dense in index order, which is what the specification's
//! sparse-array step produces.

use crate::JsonError;
use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::Error;

use crate::json_pointer::parse as parse_pointer;
use crate::json_pointer::truncate;

/// A node of the selection under construction.
#[derive(Debug)]
enum Sel {
    Object(Map<String, Value>, BTreeMap<String, Sel>),
    Array(BTreeMap<usize, Sel>),
    Leaf(Value),
}

impl Sel {
    /// createInitialSelection: the `id` (unless a blank node identifier) and `type` of `source`.
    fn initial(source: &Value) -> Sel {
        let mut fields = Map::new();
        if let Value::Object(obj) = source {
            // The specification assumes `id`/`type` alias the keywords; a skolemized
            // document carries `@id`, so both spellings are kept.
            for key in ["id", "@id"] {
                if let Some(id) = obj.get(key)
                    && !id.as_str().is_some_and(|s| s.starts_with("_:"))
                {
                    fields.insert(key.into(), id.clone());
                }
            }
            for key in ["type", "@type"] {
                if let Some(t) = obj.get(key) {
                    fields.insert(key.into(), t.clone());
                }
            }
        }
        Sel::Object(fields, BTreeMap::new())
    }

    fn into_value(self) -> Value {
        match self {
            Sel::Leaf(v) => v,
            Sel::Array(items) => Value::Array(items.into_values().map(Sel::into_value).collect()),
            Sel::Object(mut fields, children) => {
                for (k, child) in children {
                    fields.insert(k, child.into_value());
                }
                Value::Object(fields)
            }
        }
    }
}

/// The child of `sel` at `token`, created from `value` (the source at that position) when
/// absent. Returns `None` when `sel` is a leaf (a full copy was already selected).
fn child<'a>(
    sel: &'a mut Sel,
    token: &str,
    index: Option<usize>,
    value: &Value,
) -> Option<&'a mut Sel> {
    let fresh = || {
        if value.is_array() {
            Sel::Array(BTreeMap::new())
        } else {
            Sel::initial(value)
        }
    };
    match sel {
        Sel::Object(fields, children) => {
            if !children.contains_key(token) {
                // A field already copied whole (id and type of the initial selection, or an
                // earlier pointer's full selection) stays whole: walking into it adds nothing.
                let c = match fields.remove(token) {
                    Some(copied) => Sel::Leaf(copied),
                    None => fresh(),
                };
                children.insert(token.to_owned(), c);
            }
            children.get_mut(token)
        }
        Sel::Array(items) => Some(items.entry(index?).or_insert_with(fresh)),
        Sel::Leaf(_) => None,
    }
}

/// Merge a full copy of `value` into `sel` (the last step of selectPaths).
fn select_whole(sel: &mut Sel, value: &Value) {
    match (sel, value) {
        (sel @ Sel::Object(..), Value::Object(src)) => {
            let Sel::Object(fields, children) = sel else {
                return;
            };
            for (k, v) in src {
                children.remove(k);
                fields.insert(k.clone(), v.clone());
            }
        }
        (sel, value) => *sel = Sel::Leaf(value.clone()),
    }
}

/// Most reference tokens in one pointer.
const MAX_POINTER_DEPTH: usize = 128;

/// selectPaths for one pointer: follow `tokens` from `value`, extending `sel`.
fn walk(sel: &mut Sel, value: &Value, tokens: &[String], pointer: &str) -> Result<(), Error> {
    let Some((token, rest)) = tokens.split_first() else {
        select_whole(sel, value);
        return Ok(());
    };
    let (next, index) = match value {
        Value::Object(obj) => (obj.get(token.as_str()), None),
        Value::Array(items) => {
            let index = crate::json_pointer::array_index(token);
            (index.and_then(|i| items.get(i)), index)
        }
        _ => (None, None),
    };
    let Some(next) = next else {
        return Err(Error::Json(JsonError::Pointer {
            pointer: truncate(pointer),
            reason: "does not match the document",
        }));
    };
    match child(sel, token, index, next) {
        Some(c) => walk(c, next, rest, pointer),
        // Already selected whole: nothing to add.
        None => Ok(()),
    }
}

/// selectJsonLd: the part of `document` reached by `pointers`, with the document's
/// `@context` and the `id` and `type` of every object on each path. `None` when `pointers` is
/// empty. A pointer that does not resolve is an error naming it.
pub fn select_json_ld(document: &Value, pointers: &[String]) -> Result<Option<Value>, Error> {
    if pointers.is_empty() {
        return Ok(None);
    }
    let mut root = Sel::initial(document);
    if let (Sel::Object(fields, _), Some(ctx)) = (&mut root, document.get("@context")) {
        fields.insert("@context".into(), ctx.clone());
    }
    for pointer in pointers {
        let tokens = parse_pointer(pointer)?;
        if tokens.len() > MAX_POINTER_DEPTH {
            return Err(Error::Json(JsonError::Pointer {
                pointer: truncate(pointer),
                reason: "deeper than 128 levels",
            }));
        }
        walk(&mut root, document, &tokens, pointer)?;
    }
    Ok(Some(root.into_value()))
}

#[cfg(test)]
#[expect(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]
mod tests {
    use super::*;
    use serde_json::json;

    fn select(doc: &Value, pointers: &[&str]) -> Value {
        let p: Vec<String> = pointers.iter().map(|s| (*s).to_owned()).collect();
        select_json_ld(doc, &p).unwrap().unwrap()
    }

    #[test]
    fn pointers_unescape() {
        assert_eq!(parse_pointer("/a~1b/c~0d/0").unwrap(), ["a/b", "c~d", "0"]);
        assert_eq!(parse_pointer("").unwrap(), Vec::<String>::new());
        assert!(parse_pointer("a").is_err());
        assert!(parse_pointer("/a~2").is_err());
    }

    #[test]
    fn selects_paths_with_ids_types_and_dense_arrays() {
        let doc = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": "urn:cred:1", "type": ["VerifiableCredential"],
            "credentialSubject": {
                "id": "_:b0", "type": "Person", "name": "Ada",
                "sails": [{"size": 1}, {"size": 2}, {"size": 3}]
            }
        });
        let s = select(
            &doc,
            &[
                "/credentialSubject/sails/2/size",
                "/credentialSubject/sails/0",
            ],
        );
        assert_eq!(
            s,
            json!({
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "id": "urn:cred:1", "type": ["VerifiableCredential"],
                "credentialSubject": {"type": "Person", "sails": [{"size": 1}, {"size": 3}]}
            })
        );
        // A pointer into an already fully selected value changes nothing, nor does one into a
        // type copied by the initial selection.
        let t = select(
            &json!({"type": ["A", "B"], "x": {"type": ["C", "D"], "v": 1}}),
            &["/x/type/1", "/type/0"],
        );
        assert_eq!(t, json!({"type": ["A", "B"], "x": {"type": ["C", "D"]}}));
        let s2 = select(&doc, &["/credentialSubject", "/credentialSubject/name"]);
        assert_eq!(s2["credentialSubject"], doc["credentialSubject"]);
        assert!(select_json_ld(&doc, &["/nope".into()]).is_err());
        assert!(select_json_ld(&doc, &["/credentialSubject/sails/9".into()]).is_err());
        assert!(select_json_ld(&doc, &["/credentialSubject/sails/01".into()]).is_err());
        assert_eq!(select_json_ld(&doc, &[]).unwrap(), None);
    }
}
