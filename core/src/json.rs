//! Reading untrusted JSON with explicit limits, checked before the document is built.
//!
//! `serde_json` builds a whole [`Value`] tree before anyone can look at it: a 16 MiB file of
//! a million small members costs about half a gigabyte and over a second. [`parse`] first
//! walks the text once with a visitor that keeps nothing (constant memory), counting values
//! and nesting depth, and refuses a document over the limits; only then is the tree built.

use crate::JsonError;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::Error;

/// Limits on a JSON document, checked by [`parse`] before the document is built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JsonLimits {
    /// Largest document, in bytes.
    pub max_bytes: usize,
    /// Most values (objects, arrays, members' values, elements, scalars) in the document.
    pub max_values: usize,
    /// Deepest nesting of objects and arrays.
    pub max_depth: usize,
}

impl Default for JsonLimits {
    /// 16 MiB, 200,000 values (the JSON-LD processor's own node limit), depth 64 (its depth
    /// limit). A 20-claim diploma has about 100 values; a presentation of 100 of them fits.
    fn default() -> Self {
        JsonLimits {
            max_bytes: 16 << 20,
            max_values: 200_000,
            max_depth: 64,
        }
    }
}

/// Parse `bytes` as JSON within `limits`.
///
/// # Errors
/// [`Error::TooLarge`] for a document over `max_bytes`, [`crate::JsonError::Limit`] for one over
/// `max_values` or `max_depth`, and [`crate::JsonError::Syntax`] (with line and column) for text that is
/// not JSON.
pub fn parse(bytes: &[u8], limits: &JsonLimits) -> Result<Value, Error> {
    if bytes.len() > limits.max_bytes {
        return Err(Error::TooLarge {
            what: "JSON document",
            actual: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    let mut count = Counter {
        limits,
        values: 0,
        exceeded: None,
    };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    // serde_json's own recursion limit (128) is above ours; ours is checked first.
    let walked = Seed {
        counter: &mut count,
        depth: 0,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end());
    if let Some(limit) = count.exceeded {
        return Err(limit);
    }
    walked.map_err(syntax)?;
    serde_json::from_slice(bytes).map_err(syntax)
}

fn syntax(e: serde_json::Error) -> Error {
    use serde_json::error::Category;
    // A fixed reason: serde_json's own messages can quote the input.
    Error::Json(JsonError::Syntax {
        line: e.line(),
        column: e.column(),
        reason: match e.classify() {
            Category::Eof => "unexpected end of input",
            Category::Syntax => "syntax error",
            Category::Data => "invalid data",
            Category::Io => "read error",
        },
    })
}

struct Counter<'a> {
    limits: &'a JsonLimits,
    values: usize,
    exceeded: Option<Error>,
}

struct Seed<'c, 'a> {
    counter: &'c mut Counter<'a>,
    depth: usize,
}

impl Counter<'_> {
    fn count<E: de::Error>(&mut self, depth: usize) -> Result<(), E> {
        self.values += 1;
        if self.values > self.limits.max_values {
            self.exceeded = Some(Error::Json(JsonError::Limit {
                what: "values",
                limit: self.limits.max_values,
            }));
        } else if depth > self.limits.max_depth {
            self.exceeded = Some(Error::Json(JsonError::Limit {
                what: "nesting depth",
                limit: self.limits.max_depth,
            }));
        }
        match self.exceeded {
            Some(_) => Err(E::custom("limit")),
            None => Ok(()),
        }
    }
}

impl<'de> DeserializeSeed<'de> for Seed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JSON")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.counter.count(self.depth)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.counter.count(self.depth)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.counter.count(self.depth)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.counter.count(self.depth)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.counter.count(self.depth)
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.counter.count(self.depth)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.counter.count(self.depth)?;
        let depth = self.depth + 1;
        while seq
            .next_element_seed(Seed {
                counter: &mut *self.counter,
                depth,
            })?
            .is_some()
        {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.counter.count(self.depth)?;
        let depth = self.depth + 1;
        while map.next_key::<IgnoredAny>()?.is_some() {
            map.next_value_seed(Seed {
                counter: &mut *self.counter,
                depth,
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn limits_are_checked_before_the_tree_is_built() {
        let l = JsonLimits {
            max_bytes: 100,
            max_values: 5,
            max_depth: 2,
        };
        assert_eq!(
            parse(br#"{"a": [1, 2], "b": true}"#, &l).unwrap(),
            serde_json::json!({"a": [1, 2], "b": true})
        );
        assert_eq!(
            parse(b"[1, 2, 3, 4, 5]", &l),
            Err(Error::Json(JsonError::Limit {
                what: "values",
                limit: 5
            }))
        );
        assert_eq!(
            parse(b"[[[1]]]", &l),
            Err(Error::Json(JsonError::Limit {
                what: "nesting depth",
                limit: 2
            }))
        );
        assert!(matches!(
            parse(&[b' '; 101], &l),
            Err(Error::TooLarge { .. })
        ));
        assert!(matches!(
            parse(b"{\"a\": }", &l),
            Err(Error::Json(JsonError::Syntax {
                line: 1,
                column: 7,
                ..
            }))
        ));
        assert!(matches!(
            parse(b"[1] x", &l),
            Err(Error::Json(JsonError::Syntax { .. }))
        ));
    }
}
