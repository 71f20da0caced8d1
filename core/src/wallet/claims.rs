//! Display data of a credential: the claim tree, and which leaves a set of JSON pointers
//! discloses under bbs-2023's selection rules.

use crate::WalletError;
use std::collections::BTreeSet;

use serde_json::Value;

use crate::Error;
use crate::json_pointer::parse as parse_pointer;

/// One claim of a credential, for display: an object, an array or a leaf value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// RFC 6901 JSON pointer of the claim in the credential (the form selective disclosure
    /// requests use).
    pub pointer: String,
    /// The last key of the pointer (an array index for array elements).
    pub label: String,
    /// Display string for a leaf (strings as they are, numbers and booleans as written);
    /// `None` for objects and arrays. A `type` value is one leaf, its entries joined by ", ".
    pub value: Option<String>,
    /// Always disclosed: every leaf at or under this claim is revealed by the issuer's
    /// mandatory pointers in any presentation (directly, or as the `id`/`type` of an object on
    /// a mandatory path).
    pub mandatory: bool,
    /// The claims inside an object or array, in document order.
    pub children: Vec<Claim>,
}

/// Keys never shown as claims: they are not statements about the holder.
const SKIPPED: [&str; 2] = ["@context", "proof"];

/// Longest pointer path followed when building the tree.
const MAX_DEPTH: usize = 128;

use crate::json_pointer::escape as escape_token;

fn is_type_key(key: &str) -> bool {
    key == "type" || key == "@type"
}

/// The display string of a leaf, or `None` when `value` is an object or a non-`type` array.
fn leaf_display(key: &str, value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some("null".into()),
        Value::Array(items) if is_type_key(key) && items.iter().all(|i| i.is_string()) => Some(
            items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        Value::Object(obj) => match (obj.get("@value"), obj.len()) {
            // A value object ({"@value": .., "@language"/"@type": ..}) is one leaf.
            (Some(v), _) if !v.is_object() && !v.is_array() => leaf_display("", v),
            _ => None,
        },
        Value::Array(_) => None,
    }
}

/// The claim tree of `credential` (everything but `@context` and `proof`), with the
/// `mandatory` flags computed from `always` (the leaf pointers the mandatory pointers
/// disclose).
pub(crate) fn claim_tree(credential: &Value, always: &BTreeSet<String>) -> Vec<Claim> {
    let Value::Object(obj) = credential else {
        return Vec::new();
    };
    obj.iter()
        .filter(|(k, _)| !SKIPPED.contains(&k.as_str()))
        .map(|(k, v)| node(String::new(), k, v, always, 0))
        .collect()
}

fn node(
    parent: String,
    key: &str,
    value: &Value,
    always: &BTreeSet<String>,
    depth: usize,
) -> Claim {
    let pointer = format!("{parent}/{}", escape_token(key));
    let leaf = leaf_display(key, value);
    let children: Vec<Claim> = if leaf.is_some() || depth >= MAX_DEPTH {
        Vec::new()
    } else {
        match value {
            Value::Object(obj) => obj
                .iter()
                .map(|(k, v)| node(pointer.clone(), k, v, always, depth + 1))
                .collect(),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| node(pointer.clone(), &i.to_string(), v, always, depth + 1))
                .collect(),
            _ => Vec::new(),
        }
    };
    let mandatory = if leaf.is_some() {
        always.contains(&pointer)
    } else {
        !children.is_empty() && children.iter().all(|c| c.mandatory)
    };
    Claim {
        label: key.to_owned(),
        pointer,
        value: leaf,
        mandatory,
        children,
    }
}

/// Every leaf of the tree, depth first in document order.
pub(crate) fn leaves(claims: &[Claim]) -> Vec<&Claim> {
    let mut out = Vec::new();
    let mut stack: Vec<&Claim> = claims.iter().rev().collect();
    while let Some(c) = stack.pop() {
        if c.value.is_some() {
            out.push(c);
        } else {
            stack.extend(c.children.iter().rev());
        }
    }
    out
}

/// Whether pointer `a` is `b` or lies under it (token-wise).
fn at_or_under(a: &str, b: &str) -> bool {
    a == b || (a.starts_with(b) && a.as_bytes().get(b.len()) == Some(&b'/'))
}

/// The leaf pointers of `tree` that a derived proof over `pointers` discloses: the leaves at,
/// under or containing each pointer's target, and the `id` (unless a blank node) and `type`
/// of the document and of every object on each pointer's path. Errs on a pointer that is
/// malformed or names nothing in `credential`.
///
/// The result may only over-approximate what the cryptosuite reveals (never under), which is
/// the safe direction for asking consent.
pub(crate) fn disclosed_leaves(
    credential: &Value,
    tree: &[Claim],
    pointers: &[String],
) -> Result<BTreeSet<String>, Error> {
    let all = leaves(tree);
    let mut targets: Vec<String> = Vec::new();
    if !pointers.is_empty() {
        // The root's id and type are part of every selection.
        push_id_type(credential, "", &mut targets);
    }
    for pointer in pointers {
        let unknown = || {
            Error::Wallet(WalletError::UnknownPointer {
                pointer: pointer.chars().take(200).collect(),
            })
        };
        let tokens = parse_pointer(pointer)?;
        if tokens.is_empty()
            || tokens
                .first()
                .is_some_and(|t| SKIPPED.contains(&t.as_str()))
        {
            return Err(unknown());
        }
        let mut value = credential;
        let mut path = String::new();
        for token in &tokens {
            value = crate::json_pointer::step(value, token).ok_or_else(unknown)?;
            path.push('/');
            path.push_str(&escape_token(token));
            if value.is_object() {
                push_id_type(value, &path, &mut targets);
            }
        }
        targets.push(path);
    }
    Ok(all
        .iter()
        .filter(|leaf| {
            targets
                .iter()
                .any(|t| at_or_under(&leaf.pointer, t) || at_or_under(t, &leaf.pointer))
        })
        .map(|leaf| leaf.pointer.clone())
        .collect())
}

/// Add the pointers of the `id` (unless a blank node) and `type` of the object at `path`.
fn push_id_type(value: &Value, path: &str, out: &mut Vec<String>) {
    let Value::Object(obj) = value else {
        return;
    };
    for key in ["id", "@id"] {
        if obj
            .get(key)
            .is_some_and(|id| !id.as_str().is_some_and(|s| s.starts_with("_:")))
        {
            out.push(format!("{path}/{key}"));
        }
    }
    for key in ["type", "@type"] {
        if obj.contains_key(key) {
            out.push(format!("{path}/{key}"));
        }
    }
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn pointers_escape_and_prefixes_are_token_wise() {
        assert_eq!(escape_token("a/b~c"), "a~1b~0c");
        assert!(at_or_under("/a/b", "/a"));
        assert!(at_or_under("/a", "/a"));
        assert!(!at_or_under("/ab", "/a"));
        assert!(!at_or_under("/a", "/a/b"));
    }

    #[test]
    fn disclosure_follows_the_selection_rules() {
        let doc = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": "urn:x", "type": ["VerifiableCredential"],
            "credentialSubject": {
                "id": "_:b0", "type": "Person",
                "a/b": "slash",
                "name": {"@value": "Ada", "@language": "en"},
                "abc": "prefix trap", "ab": "target",
                "list": [{"v": 1}, {"v": 2}]
            },
            "proof": {"type": "DataIntegrityProof"}
        });
        let tree = claim_tree(&doc, &BTreeSet::new());
        let all: Vec<&str> = leaves(&tree).iter().map(|c| c.pointer.as_str()).collect();
        assert_eq!(
            all,
            [
                "/id",
                "/type",
                "/credentialSubject/id",
                "/credentialSubject/type",
                "/credentialSubject/a~1b",
                "/credentialSubject/name",
                "/credentialSubject/abc",
                "/credentialSubject/ab",
                "/credentialSubject/list/0/v",
                "/credentialSubject/list/1/v",
            ]
        );
        let name = &tree[2].children[3];
        assert_eq!(
            (name.label.as_str(), name.value.as_deref()),
            ("name", Some("Ada"))
        );

        let shown = disclosed_leaves(
            &doc,
            &tree,
            &p(&[
                "/credentialSubject/ab",
                "/credentialSubject/a~1b",
                "/credentialSubject/list/1",
            ]),
        )
        .unwrap();
        // The blank-node subject id is not revealed; "/abc" is not under "/ab".
        assert_eq!(
            shown.into_iter().collect::<Vec<_>>(),
            [
                "/credentialSubject/ab",
                "/credentialSubject/a~1b",
                "/credentialSubject/list/1/v",
                "/credentialSubject/type",
                "/id",
                "/type",
            ]
        );
        // Into a leaf (a type entry, a value object's @value): the whole leaf.
        let shown = disclosed_leaves(
            &doc,
            &tree,
            &p(&["/credentialSubject/name/@value", "/type/0"]),
        )
        .unwrap();
        assert!(shown.contains("/credentialSubject/name") && shown.contains("/type"));
        for bad in [
            "",
            "/proof",
            "/proof/type",
            "/@context",
            "/credentialSubject/list/01",
        ] {
            assert_eq!(
                disclosed_leaves(&doc, &tree, &p(&[bad])).unwrap_err(),
                Error::Wallet(WalletError::UnknownPointer {
                    pointer: bad.into()
                })
            );
        }
        assert!(disclosed_leaves(&doc, &tree, &[]).unwrap().is_empty());
    }
}
