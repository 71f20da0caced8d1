//! JSON pointers ([RFC 6901](https://www.rfc-editor.org/rfc/rfc6901)): the one parser,
//! escaper and resolver used by bbs-2023 selection, the wallet's claim tree, the verifier and
//! the command line.

use crate::JsonError;
use serde_json::Value;

use crate::Error;

/// Longest JSON pointer accepted, in bytes.
pub const MAX_POINTER_LEN: usize = 4096;

/// Parse a JSON pointer into its reference tokens, unescaped
/// ([RFC 6901 §3-4](https://www.rfc-editor.org/rfc/rfc6901#section-3)).
///
/// # Errors
/// [`crate::JsonError::Pointer`] for a pointer longer than [`MAX_POINTER_LEN`], one not starting
/// with `/` (other than the empty pointer), or a `~` not followed by `0` or `1`.
pub fn parse(pointer: &str) -> Result<Vec<String>, Error> {
    let invalid = |reason: &'static str| {
        Error::Json(JsonError::Pointer {
            pointer: truncate(pointer),
            reason,
        })
    };
    if pointer.len() > MAX_POINTER_LEN {
        return Err(invalid("longer than 4096 bytes"));
    }
    if pointer.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = pointer.strip_prefix('/') else {
        return Err(invalid("must start with '/'"));
    };
    rest.split('/')
        .map(|token| {
            if !token.contains('~') {
                return Ok(token.to_owned());
            }
            let mut out = String::with_capacity(token.len());
            let mut chars = token.chars();
            while let Some(c) = chars.next() {
                if c == '~' {
                    match chars.next() {
                        Some('0') => out.push('~'),
                        Some('1') => out.push('/'),
                        _ => return Err(invalid("'~' must be followed by '0' or '1'")),
                    }
                } else {
                    out.push(c);
                }
            }
            Ok(out)
        })
        .collect()
}

/// Escape one reference token (`~` as `~0`, `/` as `~1`).
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// An array index token: decimal digits without leading zeros
/// ([RFC 6901 §4](https://www.rfc-editor.org/rfc/rfc6901#section-4)); `01`, `+1`, `-` are
/// not indexes.
pub fn array_index(token: &str) -> Option<usize> {
    if token.is_empty()
        || !token.bytes().all(|b| b.is_ascii_digit())
        || (token.len() > 1 && token.starts_with('0'))
    {
        return None;
    }
    token.parse().ok()
}

/// One step: the member or element of `value` that `token` names.
pub fn step<'a>(value: &'a Value, token: &str) -> Option<&'a Value> {
    match value {
        Value::Object(o) => o.get(token),
        Value::Array(a) => array_index(token).and_then(|i| a.get(i)),
        _ => None,
    }
}

/// The value `tokens` lead to from `doc`, if any.
pub fn resolve_tokens<'a>(doc: &'a Value, tokens: &[String]) -> Option<&'a Value> {
    tokens.iter().try_fold(doc, |v, t| step(v, t))
}

/// The value `pointer` points to in `doc`; `None` when it is malformed or leads nowhere.
pub fn resolve<'a>(doc: &'a Value, pointer: &str) -> Option<&'a Value> {
    resolve_tokens(doc, &parse(pointer).ok()?)
}

/// A pointer as it may appear in an error: at most 200 characters.
pub(crate) fn truncate(pointer: &str) -> String {
    pointer.chars().take(200).collect()
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn parse_escape_and_resolve() {
        assert_eq!(parse("/a~1b/c~0d").unwrap(), ["a/b", "c~d"]);
        assert_eq!(parse("").unwrap(), Vec::<String>::new());
        assert!(parse("a").is_err());
        assert!(parse("/~2").is_err());
        assert_eq!(escape("a/b~c"), "a~1b~0c");
        let doc = serde_json::json!({"a": [10, 11], "b/c": {"d": true}});
        assert_eq!(resolve(&doc, "/a/1"), Some(&serde_json::json!(11)));
        assert_eq!(resolve(&doc, "/b~1c/d"), Some(&serde_json::json!(true)));
        for not_an_index in ["/a/01", "/a/+1", "/a/-", "/a/", "/a/1e0", "/a/2"] {
            assert_eq!(resolve(&doc, not_an_index), None, "{not_an_index}");
        }
        assert_eq!(resolve(&doc, ""), Some(&doc));
    }
}
