//! The W3C JSON-LD 1.1 API toRdf suite (`json-ld-api/tests/toRdf-manifest.jsonld`), and the
//! expansion suite (`expand-manifest.jsonld`, exceptions in `exceptions/json-ld-expand.json`).
//!
//! Remote documents the suite serves from `https://w3c.github.io/json-ld-api/tests/` are read
//! from the local copy of the test directory; nothing is fetched.
//!
//! Every test not run, and every known failure, is listed with its reason in
//! `exceptions/json-ld-toRdf.json`. Entries with `"run": false` are out of scope (JSON-LD 1.0
//! only, generalized RDF, HTML) and are not run; the runner checks that exactly the
//! out-of-scope tests carry that flag. Other entries are known failures: they are run, and one
//! that passes is reported as a failure, so the list cannot go stale.

// Test helper code: indexes into the suite's own files and N-Quads lines it has just checked.
#![expect(
    clippy::indexing_slicing,
    reason = "test harness: indexes into the suite's own files and N-Quads lines it has just checked"
)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use civitas_core::jsonld::{
    ContextRegistry, DocumentLoader, JsonLdProcessor, RdfDirection, ToRdfOptions, error_code,
};
use civitas_core::rdf::{Literal, Quad, Term};
use serde_json::Value;

use crate::{SuiteReport, vectors_dir};

const SUITE_BASE: &str = "https://w3c.github.io/json-ld-api/tests/";

/// Serves the suite's own files for URLs under [`SUITE_BASE`].
#[derive(Debug)]
struct SuiteLoader {
    dir: PathBuf,
}

impl DocumentLoader for SuiteLoader {
    fn load(&self, url: &str) -> Option<String> {
        let rel = url.strip_prefix(SUITE_BASE)?;
        std::fs::read_to_string(self.dir.join(rel)).ok()
    }
}

/// One entry of the exceptions file.
#[derive(Debug, Clone)]
pub struct Exception {
    /// `false`: out of scope, not run. `true`: a known failure, run and expected to fail.
    pub run: bool,
    /// Why.
    pub reason: String,
}

/// An exceptions file (`json-ld-toRdf.json`, `json-ld-expand.json`): test id → entry.
pub fn exceptions(file: &str) -> BTreeMap<String, Exception> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("exceptions")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|_| "[]".into());
    let v: Value = serde_json::from_str(&text).unwrap_or(Value::Array(Vec::new()));
    let mut out = BTreeMap::new();
    for e in v.as_array().into_iter().flatten() {
        if let (Some(id), Some(reason)) = (e["id"].as_str(), e["reason"].as_str()) {
            let run = e["run"].as_bool().unwrap_or(true);
            out.insert(
                id.to_string(),
                Exception {
                    run,
                    reason: reason.to_string(),
                },
            );
        }
    }
    out
}

/// Why a test is not run at all (outside the scope of this processor), if it is not.
fn out_of_scope(test: &Value) -> Option<&'static str> {
    let opt = &test["option"];
    if opt["specVersion"].as_str() == Some("json-ld-1.0") {
        return Some("json-ld-1.0 only");
    }
    if opt["produceGeneralizedRdf"].as_bool() == Some(true) {
        return Some("generalized RDF");
    }
    if test["input"].as_str().is_some_and(|i| i.ends_with(".html")) {
        return Some("HTML input");
    }
    None
}

/// Which algorithm a suite tests.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    ToRdf,
    Expand,
}

/// Run the toRdf suite (`json-ld/toRdf`).
pub fn run_to_rdf_suite() -> SuiteReport {
    run_suite(
        "json-ld/toRdf",
        "toRdf-manifest.jsonld",
        "json-ld-toRdf.json",
        Kind::ToRdf,
    )
}

/// Run the expansion suite (`json-ld/expand`): the same processor, compared as expanded JSON.
pub fn run_expand_suite() -> SuiteReport {
    run_suite(
        "json-ld/expand",
        "expand-manifest.jsonld",
        "json-ld-expand.json",
        Kind::Expand,
    )
}

fn run_suite(name: &str, manifest_file: &str, exceptions_file: &str, kind: Kind) -> SuiteReport {
    let mut report = SuiteReport::new(name);
    let dir = vectors_dir().join("json-ld-api/tests");
    let manifest: Value = match std::fs::read_to_string(dir.join(manifest_file))
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(m) => m,
        Err(e) => {
            report.record("manifest", Err(e));
            return report;
        }
    };
    let registry = ContextRegistry::with_loader(Box::new(SuiteLoader { dir: dir.clone() }));
    let processor = JsonLdProcessor::new(Arc::new(registry));
    let exceptions = exceptions(exceptions_file);
    let mut seen = BTreeSet::new();
    for test in manifest["sequence"].as_array().into_iter().flatten() {
        let id = test["@id"].as_str().unwrap_or("?").to_string();
        seen.insert(id.clone());
        let listed = exceptions.get(&id);
        match (out_of_scope(test), listed) {
            (Some(_), Some(e)) if !e.run => {
                report.skipped += 1;
                continue;
            }
            (Some(why), _) => {
                report.record(
                    &id,
                    Err(format!(
                        "out of scope ({why}) but not listed with \"run\": false"
                    )),
                );
                continue;
            }
            (None, Some(e)) if !e.run => {
                report.record(
                    &id,
                    Err("listed with \"run\": false but in scope: run it".into()),
                );
                continue;
            }
            _ => {}
        }
        let outcome = run_one(&processor, &dir, test, kind);
        match (listed, outcome) {
            (Some(_), Ok(())) => report.record(
                &id,
                Err(format!(
                    "listed in exceptions/{exceptions_file} but passes: remove it"
                )),
            ),
            (Some(_), Err(_)) => report.skipped += 1,
            (None, outcome) => report.record(&id, outcome),
        }
    }
    for id in exceptions.keys() {
        if !seen.contains(id) {
            report.record(id, Err("exception names no test in the manifest".into()));
        }
    }
    report
}

fn run_one(
    processor: &JsonLdProcessor,
    dir: &Path,
    test: &Value,
    kind: Kind,
) -> Result<(), String> {
    let input_rel = test["input"].as_str().ok_or("no input")?;
    let input_text = std::fs::read_to_string(dir.join(input_rel)).map_err(|e| e.to_string())?;
    let input: Value = serde_json::from_str(&input_text).map_err(|e| format!("input: {e}"))?;
    let opt = &test["option"];
    let mut opts = ToRdfOptions::conformance();
    opts.base = Some(
        opt["base"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| format!("{SUITE_BASE}{input_rel}")),
    );
    opts.json_ld_10 = opt["processingMode"].as_str() == Some("json-ld-1.0");
    opts.rdf_direction = match opt["rdfDirection"].as_str() {
        Some("i18n-datatype") => Some(RdfDirection::I18nDatatype),
        Some("compound-literal") => Some(RdfDirection::CompoundLiteral),
        _ => None,
    };
    if let Some(ec) = opt["expandContext"].as_str() {
        let text = std::fs::read_to_string(dir.join(ec)).map_err(|e| e.to_string())?;
        opts.expand_context = Some(serde_json::from_str(&text).map_err(|e| e.to_string())?);
    }
    let types: Vec<&str> = test["@type"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if kind == Kind::Expand {
        let result = processor.expand(&input, &opts);
        if types.contains(&"jld:NegativeEvaluationTest") {
            let want = test["expectErrorCode"].as_str().unwrap_or("?");
            return match result {
                Ok(_) => Err(format!("expected error `{want}`, got success")),
                Err(e) if error_code(&e) == Some(want) => Ok(()),
                Err(e) => Err(format!("expected error `{want}`, got `{e}`")),
            };
        }
        let got = result.map_err(|e| format!("error: {e}"))?;
        let expect_rel = test["expect"].as_str().ok_or("no expect")?;
        let text = std::fs::read_to_string(dir.join(expect_rel)).map_err(|e| e.to_string())?;
        let expected: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        return if json_ld_equal(&got, &expected, false) {
            Ok(())
        } else {
            Err(format!(
                "expanded output differs:\n  got:      {got}\n  expected: {expected}"
            ))
        };
    }
    let result = processor.to_rdf(&input, &opts);
    if types.contains(&"jld:NegativeEvaluationTest") {
        let want = test["expectErrorCode"].as_str().unwrap_or("?");
        return match result {
            Ok(_) => Err(format!("expected error `{want}`, got success")),
            Err(e) if error_code(&e) == Some(want) => Ok(()),
            Err(e) => Err(format!("expected error `{want}`, got `{e}`")),
        };
    }
    let quads = result.map_err(|e| format!("error: {e}"))?;
    if types.contains(&"jld:PositiveSyntaxTest") {
        return Ok(());
    }
    let expect_rel = test["expect"].as_str().ok_or("no expect")?;
    let expect_text = std::fs::read_to_string(dir.join(expect_rel)).map_err(|e| e.to_string())?;
    let expected = parse_nquads(&expect_text)?;
    if isomorphic(&quads, &expected) {
        Ok(())
    } else {
        Err(format!(
            "datasets differ: got {} quads, expected {}\n  got:\n{}",
            dedup(&quads).len(),
            expected.len(),
            quads
                .iter()
                .map(|q| format!("    {}", quad_to_string(q)))
                .collect::<Vec<_>>()
                .join("\n")
        ))
    }
}

/// Equality of expanded JSON-LD: arrays are unordered except `@list` values; numbers by
/// value.
pub fn json_ld_equal(a: &Value, b: &Value, ordered: bool) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                return false;
            }
            if ordered {
                return x.iter().zip(y).all(|(p, q)| json_ld_equal(p, q, false));
            }
            let mut used = vec![false; y.len()];
            x.iter().all(|p| {
                let found = y
                    .iter()
                    .enumerate()
                    .find(|(i, q)| !used[*i] && json_ld_equal(p, q, false))
                    .map(|(i, _)| i);
                match found {
                    Some(i) => {
                        used[i] = true;
                        true
                    }
                    None => false,
                }
            })
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_ld_equal(v, w, k == "@list")))
        }
        _ => a == b,
    }
}

// ---- N-Quads (test helper) ---------------------------------------------------------------

/// Format a term in N-Quads syntax (test helper; the product serializer lives elsewhere).
pub fn term_to_string(t: &Term) -> String {
    match t {
        Term::Iri(i) => format!("<{i}>"),
        Term::BlankNode(b) => format!("_:{b}"),
        Term::Literal(Literal {
            value,
            datatype,
            language,
        }) => {
            let mut s = String::from("\"");
            for c in value.chars() {
                match c {
                    '"' => s.push_str("\\\""),
                    '\\' => s.push_str("\\\\"),
                    '\n' => s.push_str("\\n"),
                    '\r' => s.push_str("\\r"),
                    c => s.push(c),
                }
            }
            s.push('"');
            match language {
                Some(l) => format!("{s}@{l}"),
                None if datatype == civitas_core::rdf::XSD_STRING => s,
                None => format!("{s}^^<{datatype}>"),
            }
        }
    }
}

/// Format a quad as an N-Quads line without the newline.
pub fn quad_to_string(q: &Quad) -> String {
    match &q.graph {
        Some(g) => format!(
            "{} {} {} {} .",
            term_to_string(&q.subject),
            term_to_string(&q.predicate),
            term_to_string(&q.object),
            term_to_string(g)
        ),
        None => format!(
            "{} {} {} .",
            term_to_string(&q.subject),
            term_to_string(&q.predicate),
            term_to_string(&q.object)
        ),
    }
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && (self.s[self.i] == b' ' || self.s[self.i] == b'\t') {
            self.i += 1;
        }
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn rest(&self) -> &str {
        std::str::from_utf8(&self.s[self.i..]).unwrap_or("")
    }
    fn term(&mut self) -> Result<Term, String> {
        self.ws();
        match self.peek() {
            Some(b'<') => {
                let end = self.rest().find('>').ok_or("unterminated IRI")?;
                let iri = unescape(&self.rest()[1..end])?;
                self.i += end + 1;
                Ok(Term::Iri(iri))
            }
            Some(b'_') => {
                let r = self.rest();
                let end = r.find([' ', '\t']).unwrap_or(r.len());
                let label = r[2..end].to_string();
                self.i += end;
                Ok(Term::BlankNode(label))
            }
            Some(b'"') => {
                let bytes = self.s;
                let mut j = self.i + 1;
                while j < bytes.len() && bytes[j] != b'"' {
                    if bytes[j] == b'\\' {
                        j += 1;
                    }
                    j += 1;
                }
                let lex = unescape(
                    std::str::from_utf8(&bytes[self.i + 1..j]).map_err(|e| e.to_string())?,
                )?;
                self.i = j + 1;
                if self.rest().starts_with("^^<") {
                    self.i += 2;
                    let Term::Iri(dt) = self.term()? else {
                        return Err("bad datatype".into());
                    };
                    Ok(Term::Literal(Literal {
                        value: lex,
                        datatype: dt,
                        language: None,
                    }))
                } else if self.rest().starts_with('@') {
                    let r = self.rest();
                    let end = r.find([' ', '\t']).unwrap_or(r.len());
                    let lang = r[1..end].to_string();
                    self.i += end;
                    Ok(Term::Literal(Literal {
                        value: lex,
                        datatype: civitas_core::rdf::RDF_LANG_STRING.into(),
                        language: Some(lang),
                    }))
                } else {
                    Ok(Term::Literal(Literal {
                        value: lex,
                        datatype: civitas_core::rdf::XSD_STRING.into(),
                        language: None,
                    }))
                }
            }
            _ => Err(format!("unexpected input: {}", self.rest())),
        }
    }
}

fn unescape(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('"') => out.push('"'),
            Some('\'') => out.push('\''),
            Some('\\') => out.push('\\'),
            Some(u @ ('u' | 'U')) => {
                let n = if u == 'u' { 4 } else { 8 };
                let hex: String = it.by_ref().take(n).collect();
                let cp = u32::from_str_radix(&hex, 16).map_err(|e| e.to_string())?;
                out.push(char::from_u32(cp).ok_or("bad escape")?);
            }
            other => return Err(format!("bad escape {other:?}")),
        }
    }
    Ok(out)
}

/// Parse N-Quads text (test helper; enough for the suites' expected files).
pub fn parse_nquads(text: &str) -> Result<Vec<Quad>, String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut c = Cursor {
            s: line.as_bytes(),
            i: 0,
        };
        let subject = c.term()?;
        let predicate = c.term()?;
        let object = c.term()?;
        c.ws();
        let graph = if c.peek() == Some(b'.') {
            None
        } else {
            Some(c.term()?)
        };
        out.push(Quad {
            subject,
            predicate,
            object,
            graph,
        });
    }
    Ok(out)
}

// ---- Isomorphism (test helper) ------------------------------------------------------------

fn dedup(q: &[Quad]) -> Vec<Quad> {
    let set: BTreeSet<Quad> = q.iter().cloned().collect();
    set.into_iter().collect()
}

fn bnodes(q: &Quad) -> impl Iterator<Item = &String> {
    [Some(&q.subject), Some(&q.object), q.graph.as_ref()]
        .into_iter()
        .flatten()
        .filter_map(|t| match t {
            Term::BlankNode(b) => Some(b),
            _ => None,
        })
}

fn map_term(t: &Term, m: &HashMap<String, String>) -> Term {
    match t {
        Term::BlankNode(b) => Term::BlankNode(m.get(b).cloned().unwrap_or_else(|| format!("?{b}"))),
        other => other.clone(),
    }
}

/// Colour refinement: a signature per blank node from its surrounding non-blank terms.
fn colours(q: &[Quad]) -> HashMap<String, u64> {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut col: HashMap<String, u64> = HashMap::new();
    for quad in q {
        for b in bnodes(quad) {
            col.insert(b.clone(), 0);
        }
    }
    for _ in 0..4 {
        let mut sigs: HashMap<String, Vec<u64>> = HashMap::new();
        for quad in q {
            let pos = [Some(&quad.subject), Some(&quad.object), quad.graph.as_ref()];
            let h = |t: Option<&Term>| -> u64 {
                let mut hs = DefaultHasher::new();
                match t {
                    Some(Term::BlankNode(b)) => col.get(b).copied().unwrap_or(0).hash(&mut hs),
                    Some(other) => other.hash(&mut hs),
                    None => 7u8.hash(&mut hs),
                }
                hs.finish()
            };
            for (i, t) in pos.iter().enumerate() {
                if let Some(Term::BlankNode(b)) = t {
                    let mut hs = DefaultHasher::new();
                    i.hash(&mut hs);
                    quad.predicate.hash(&mut hs);
                    for (j, o) in pos.iter().enumerate() {
                        if j != i {
                            h(*o).hash(&mut hs);
                        }
                    }
                    sigs.entry(b.clone()).or_default().push(hs.finish());
                }
            }
        }
        let mut next = HashMap::new();
        for (b, mut s) in sigs {
            s.sort_unstable();
            let mut hs = DefaultHasher::new();
            s.hash(&mut hs);
            next.insert(b, hs.finish());
        }
        col = next;
    }
    col
}

/// Whether two datasets are equal up to blank node relabelling (backtracking over blank nodes
/// of equal colour; fine for the suite's small graphs).
pub fn isomorphic(a: &[Quad], b: &[Quad]) -> bool {
    let a = dedup(a);
    let b: BTreeSet<Quad> = b.iter().cloned().collect();
    if a.len() != b.len() {
        return false;
    }
    let ca = colours(&a);
    let cb = colours(&b.iter().cloned().collect::<Vec<_>>());
    let mut an: Vec<&String> = ca.keys().collect();
    an.sort();
    if an.len() != cb.len() {
        return false;
    }
    #[expect(
        clippy::too_many_arguments,
        reason = "the backtracking search's state, passed explicitly to each recursive call"
    )]
    fn search(
        i: usize,
        an: &[&String],
        ca: &HashMap<String, u64>,
        cb: &HashMap<String, u64>,
        m: &mut HashMap<String, String>,
        used: &mut BTreeSet<String>,
        a: &[Quad],
        b: &BTreeSet<Quad>,
    ) -> bool {
        let Some(x) = an.get(i) else {
            return a.iter().all(|q| {
                b.contains(&Quad {
                    subject: map_term(&q.subject, m),
                    predicate: q.predicate.clone(),
                    object: map_term(&q.object, m),
                    graph: q.graph.as_ref().map(|g| map_term(g, m)),
                })
            });
        };
        let mut cands: Vec<&String> = cb
            .iter()
            .filter(|(y, c)| !used.contains(*y) && Some(*c) == ca.get(*x))
            .map(|(y, _)| y)
            .collect();
        cands.sort();
        for y in cands {
            m.insert((*x).clone(), y.clone());
            used.insert(y.clone());
            if search(i + 1, an, ca, cb, m, used, a, b) {
                return true;
            }
            used.remove(y);
            m.remove(*x);
        }
        false
    }
    search(
        0,
        &an,
        &ca,
        &cb,
        &mut HashMap::new(),
        &mut BTreeSet::new(),
        &a,
        &b,
    )
}
