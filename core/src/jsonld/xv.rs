//! The in-memory form of an expanded document between
//! [expansion](https://www.w3.org/TR/json-ld11-api/#expansion-algorithm) and
//! [node map generation](https://www.w3.org/TR/json-ld11-api/#node-map-generation).
//!
//! Like `serde_json::Value`, but objects are small vectors (expanded objects have few entries,
//! mostly keywords), so building and reading them needs no hashing; an index is added only
//! to objects with many entries, keeping hostile input linear.

use std::borrow::Cow;

use serde_json::{Number, Value};

use super::FxMap;

/// An expanded JSON-LD value.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) enum XValue {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<XValue>),
    Object(XMap),
    /// The value of an `@json` literal, kept as given.
    Json(Value),
}

impl XValue {
    /// A copy of a JSON scalar (arrays and objects become `Json`).
    pub(crate) fn scalar(v: &Value) -> XValue {
        match v {
            Value::Null => XValue::Null,
            Value::Bool(b) => XValue::Bool(*b),
            Value::Number(n) => XValue::Number(n.clone()),
            Value::String(s) => XValue::String(s.clone()),
            other => XValue::Json(other.clone()),
        }
    }

    /// An already expanded document given as JSON (the `@value` of an `@json` literal is
    /// kept as JSON).
    pub(crate) fn from_expanded(v: &Value) -> XValue {
        match v {
            Value::Array(a) => XValue::Array(a.iter().map(XValue::from_expanded).collect()),
            Value::Object(m) => {
                let json = m.get("@type").and_then(Value::as_str) == Some("@json");
                let mut x = XMap::with_capacity(m.len());
                for (k, v) in m {
                    let xv = if json && k == "@value" {
                        XValue::Json(v.clone())
                    } else {
                        XValue::from_expanded(v)
                    };
                    x.insert(k.clone(), xv);
                }
                XValue::Object(x)
            }
            other => XValue::scalar(other),
        }
    }

    pub(crate) fn is_null(&self) -> bool {
        matches!(self, XValue::Null)
    }

    pub(crate) fn is_array(&self) -> bool {
        matches!(self, XValue::Array(_))
    }

    pub(crate) fn is_string(&self) -> bool {
        matches!(self, XValue::String(_))
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            XValue::String(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_object(&self) -> Option<&XMap> {
        match self {
            XValue::Object(m) => Some(m),
            _ => None,
        }
    }

    /// Convert to `serde_json::Value` (the public [`expand`](super::JsonLdProcessor::expand) output).
    pub(crate) fn into_json(self) -> Value {
        match self {
            XValue::Null => Value::Null,
            XValue::Bool(b) => Value::Bool(b),
            XValue::Number(n) => Value::Number(n),
            XValue::String(s) => Value::String(s),
            XValue::Array(a) => Value::Array(a.into_iter().map(XValue::into_json).collect()),
            XValue::Object(m) => Value::Object(
                m.entries
                    .into_iter()
                    .map(|(k, v)| (k.into_owned(), v.into_json()))
                    .collect(),
            ),
            XValue::Json(v) => v,
        }
    }
}

/// An object key.
pub(crate) type Key = Cow<'static, str>;

/// Objects with more entries than this get a hash index.
const INDEXED: usize = 32;

/// An expanded JSON-LD object: entries in insertion order.
#[derive(Clone, Debug, Default)]
pub(crate) struct XMap {
    /// Keys: keywords are borrowed `'static` strings, IRIs owned.
    entries: Vec<(Key, XValue)>,
    index: Option<Box<FxMap<Key, usize>>>,
}

impl PartialEq for XMap {
    /// Order-independent, as for JSON objects.
    fn eq(&self, other: &Self) -> bool {
        self.entries.len() == other.entries.len()
            && self.entries.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl XMap {
    pub(crate) fn new() -> Self {
        XMap::default()
    }

    pub(crate) fn with_capacity(n: usize) -> Self {
        XMap {
            entries: Vec::with_capacity(n),
            index: None,
        }
    }

    fn position(&mut self, key: &str) -> Option<usize> {
        if self.entries.len() <= INDEXED {
            return self.entries.iter().position(|(k, _)| k == key);
        }
        if self.index.is_none() {
            let mut ix = FxMap::default();
            for (i, (k, _)) in self.entries.iter().enumerate() {
                ix.insert(k.clone(), i);
            }
            self.index = Some(Box::new(ix));
        }
        self.index.as_ref().and_then(|ix| ix.get(key).copied())
    }

    fn position_ro(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(ix) if self.entries.len() > INDEXED => ix.get(key).copied(),
            _ => self.entries.iter().position(|(k, _)| k.as_ref() == key),
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<&XValue> {
        let i = self.position_ro(key)?;
        self.entries.get(i).map(|(_, v)| v)
    }

    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut XValue> {
        let i = self.position(key)?;
        self.entries.get_mut(i).map(|(_, v)| v)
    }

    pub(crate) fn contains_key(&self, key: &str) -> bool {
        self.position_ro(key).is_some()
    }

    /// Insert or replace.
    pub(crate) fn insert(&mut self, key: impl Into<Key>, value: XValue) {
        let key = key.into();
        match self.position(&key) {
            Some(i) => {
                if let Some(e) = self.entries.get_mut(i) {
                    e.1 = value;
                }
            }
            None => self.push_new(key, value),
        }
    }

    fn push_new(&mut self, key: Key, value: XValue) {
        if let Some(ix) = &mut self.index {
            ix.insert(key.clone(), self.entries.len());
        }
        self.entries.push((key, value));
    }

    /// The entry `key`, inserted with `f()` if absent.
    pub(crate) fn get_or_insert_with(
        &mut self,
        key: &str,
        f: impl FnOnce() -> XValue,
    ) -> Option<&mut XValue> {
        let i = match self.position(key) {
            Some(i) => i,
            None => {
                self.push_new(Cow::Owned(key.to_string()), f());
                self.entries.len() - 1
            }
        };
        self.entries.get_mut(i).map(|(_, v)| v)
    }

    pub(crate) fn remove(&mut self, key: &str) -> Option<XValue> {
        let i = self.position(key)?;
        self.index = None;
        if i < self.entries.len() {
            Some(self.entries.remove(i).1)
        } else {
            None
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_ref())
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &XValue)> {
        self.entries.iter().map(|(k, v)| (k.as_ref(), v))
    }
}

impl IntoIterator for XMap {
    type Item = (Key, XValue);
    type IntoIter = std::vec::IntoIter<(Key, XValue)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a> IntoIterator for &'a XMap {
    type Item = (&'a str, &'a XValue);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (Key, XValue)>,
        fn(&'a (Key, XValue)) -> (&'a str, &'a XValue),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k.as_ref(), v))
    }
}
