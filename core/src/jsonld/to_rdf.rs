//! [Node Map Generation](https://www.w3.org/TR/json-ld11-api/#node-map-generation) and
//! [Deserialize JSON-LD to RDF](https://www.w3.org/TR/json-ld11-api/#deserialize-json-ld-to-rdf-algorithm).

// Node map keys are `&Cow`: borrowed from the expanded document, owned only for relabelled
// blank nodes, and cloned cheaply into the map.
#![expect(
    clippy::ptr_arg,
    reason = "node map keys are `&Cow`: borrowed from the document, owned only for relabelled blank nodes"
)]

use crate::JsonLdError;
use std::borrow::Cow;

// The expanded form, under the names the algorithm text uses.
use super::xv::{XMap as Map, XValue as Value};

use super::iri::is_well_formed_iri;
use super::jcs;
use super::{FxMap, RdfDirection, syntax};
use crate::Error;
use crate::rdf::{Literal, Quad, RDF_LANG_STRING, Term, XSD_STRING};

const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
const XSD_BOOLEAN: &str = "http://www.w3.org/2001/XMLSchema#boolean";
const XSD_INTEGER: &str = "http://www.w3.org/2001/XMLSchema#integer";
const XSD_DOUBLE: &str = "http://www.w3.org/2001/XMLSchema#double";

/// [Generate Blank Node Identifier](https://www.w3.org/TR/json-ld11-api/#generate-blank-node-identifier):
/// `_:b0`, `_:b1`, ... in order of first use.
#[derive(Debug, Default)]
pub(crate) struct Issuer {
    map: FxMap<String, String>,
    counter: usize,
}

impl Issuer {
    fn fresh(&mut self) -> String {
        let mut id = String::with_capacity(8);
        id.push_str("_:b");
        id.push_str(&self.counter.to_string());
        self.counter += 1;
        id
    }

    fn relabel(&mut self, old: &str) -> String {
        if let Some(n) = self.map.get(old) {
            return n.clone();
        }
        let n = self.fresh();
        self.map.insert(old.to_string(), n.clone());
        n
    }
}

/// An entry of a node's property in the node map: a reference to a node, a value object of
/// the expanded document, or a list.
#[derive(Debug)]
enum Item<'a> {
    Ref(Cow<'a, str>),
    Value(&'a Map),
    List(Vec<Item<'a>>),
}

impl PartialEq for Item<'_> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Item::Ref(a), Item::Ref(b)) => a == b,
            (Item::Value(a), Item::Value(b)) => a == b,
            _ => false,
        }
    }
}

/// A node of the [node map](https://www.w3.org/TR/json-ld11-api/#dfn-node-map).
#[derive(Debug)]
struct Node<'a> {
    id: Cow<'a, str>,
    types: Vec<Cow<'a, str>>,
    index: Option<&'a Value>,
    props: Vec<(Cow<'a, str>, Vec<Item<'a>>)>,
    /// Property positions, built once a node has many properties (keeps lookups linear-time).
    prop_index: FxMap<Cow<'a, str>, usize>,
}

/// Below this size, lists are searched linearly; above it, maps are used, or (for value
/// lists) duplicates are allowed and removed from the quads at the end. This keeps node map
/// generation O(n) on hostile input.
const SMALL: usize = 32;

impl<'a> Node<'a> {
    fn prop(&mut self, p: &Cow<'a, str>) -> Option<&mut Vec<Item<'a>>> {
        // Values are mostly added to the property created last.
        let last = self.props.len().checked_sub(1);
        let found = if let Some(i) = last.filter(|_| self.props.last().is_some_and(|(k, _)| k == p))
        {
            Some(i)
        } else if self.props.len() <= SMALL {
            self.props.iter().position(|(k, _)| k == p)
        } else {
            if self.prop_index.is_empty() {
                for (i, (k, _)) in self.props.iter().enumerate() {
                    self.prop_index.insert(k.clone(), i);
                }
            }
            self.prop_index.get(p.as_ref()).copied()
        };
        let i = match found {
            Some(i) => i,
            None => {
                self.props.push((p.clone(), Vec::with_capacity(1)));
                let i = self.props.len() - 1;
                if !self.prop_index.is_empty() {
                    self.prop_index.insert(p.clone(), i);
                }
                i
            }
        };
        self.props.get_mut(i).map(|(_, v)| v)
    }

    fn has_statements(&self) -> bool {
        !self.types.is_empty() || self.props.iter().any(|(_, v)| !v.is_empty())
    }

    /// Add `item` unless already present; returns `false` when the check was skipped.
    fn add_unique(&mut self, p: &Cow<'a, str>, item: Item<'a>) -> bool {
        if let Some(v) = self.prop(p) {
            if v.len() > SMALL {
                v.push(item);
                return false;
            }
            if !v.contains(&item) {
                v.push(item);
            }
        }
        true
    }
}

#[derive(Debug, Default)]
struct Graph<'a> {
    nodes: Vec<Node<'a>>,
    index: FxMap<Cow<'a, str>, usize>,
}

impl<'a> Graph<'a> {
    fn ensure(&mut self, id: &Cow<'a, str>) -> usize {
        if let Some(&i) = self.index.get(id.as_ref()) {
            return i;
        }
        self.nodes.push(Node {
            id: id.clone(),
            types: Vec::new(),
            index: None,
            props: Vec::new(),
            prop_index: FxMap::default(),
        });
        self.index.insert(id.clone(), self.nodes.len() - 1);
        self.nodes.len() - 1
    }

    fn node(&mut self, id: &str) -> Option<&mut Node<'a>> {
        let i = *self.index.get(id)?;
        self.nodes.get_mut(i)
    }
}

#[derive(Debug, Default)]
struct Graphs<'a> {
    graphs: Vec<(Cow<'a, str>, Graph<'a>)>,
    index: FxMap<Cow<'a, str>, usize>,
    /// Some duplicate check was skipped: deduplicate the quads at the end.
    may_have_duplicates: bool,
}

impl<'a> Graphs<'a> {
    fn graph(&mut self, name: &Cow<'a, str>) -> Option<&mut Graph<'a>> {
        // The default graph is created first: position 0.
        if name == "@default" && self.graphs.first().is_some_and(|(n, _)| n == "@default") {
            return self.graphs.first_mut().map(|(_, g)| g);
        }
        let i = match self.index.get(name.as_ref()) {
            Some(&i) => i,
            None => {
                self.graphs.push((name.clone(), Graph::default()));
                self.index.insert(name.clone(), self.graphs.len() - 1);
                self.graphs.len() - 1
            }
        };
        self.graphs.get_mut(i).map(|(_, g)| g)
    }

    fn add_unique(
        &mut self,
        graph: &Cow<'a, str>,
        subject: &str,
        p: &Cow<'a, str>,
        item: Item<'a>,
    ) {
        let checked = match self.graph(graph).and_then(|g| g.node(subject)) {
            Some(node) => node.add_unique(p, item),
            None => true,
        };
        if !checked {
            self.may_have_duplicates = true;
        }
    }
}

enum Subject<'s, 'a> {
    None,
    Id(&'s str),
    /// Reverse property: the referencing node's id.
    Reverse(&'s Cow<'a, str>),
}

fn items(v: &Value) -> &[Value] {
    match v {
        Value::Array(a) => a,
        other => std::slice::from_ref(other),
    }
}

/// The keyword entries of an expanded object, found in one pass (no hashing).
#[derive(Default)]
struct Keywords<'a> {
    value: Option<&'a Value>,
    list: Option<&'a Value>,
    types: Option<&'a Value>,
    id: Option<&'a Value>,
    index: Option<&'a Value>,
    reverse: Option<&'a Value>,
    graph: Option<&'a Value>,
    included: Option<&'a Value>,
    language: Option<&'a Value>,
    direction: Option<&'a Value>,
}

fn keywords(m: &Map) -> Keywords<'_> {
    let mut k = Keywords::default();
    for (key, v) in m {
        let slot = match key {
            "@value" => &mut k.value,
            "@list" => &mut k.list,
            "@type" => &mut k.types,
            "@id" => &mut k.id,
            "@index" => &mut k.index,
            "@reverse" => &mut k.reverse,
            "@graph" => &mut k.graph,
            "@included" => &mut k.included,
            "@language" => &mut k.language,
            "@direction" => &mut k.direction,
            _ => continue,
        };
        *slot = Some(v);
    }
    k
}

/// [Node Map Generation](https://www.w3.org/TR/json-ld11-api/#node-map-generation).
fn generate<'a>(
    element: &'a Value,
    graphs: &mut Graphs<'a>,
    active_graph: &Cow<'a, str>,
    active_subject: &Subject<'_, 'a>,
    active_property: Option<&Cow<'a, str>>,
    mut list: Option<&mut Vec<Item<'a>>>,
    issuer: &mut Issuer,
) -> Result<(), Error> {
    // 1.
    if let Value::Array(elems) = element {
        for item in elems {
            generate(
                item,
                graphs,
                active_graph,
                active_subject,
                active_property,
                list.as_deref_mut(),
                issuer,
            )?;
        }
        return Ok(());
    }
    let Value::Object(element) = element else {
        return Ok(());
    };
    let kw = keywords(element);
    // 3.
    if kw.value.is_some() {
        match list {
            None => {
                if let (Subject::Id(s), Some(p)) = (active_subject, active_property) {
                    graphs.add_unique(active_graph, s, p, Item::Value(element));
                }
            }
            Some(l) => l.push(Item::Value(element)),
        }
        return Ok(());
    }
    // 4.
    if let Some(elems) = kw.list {
        let mut inner = Vec::new();
        generate(
            elems,
            graphs,
            active_graph,
            active_subject,
            active_property,
            Some(&mut inner),
            issuer,
        )?;
        match list {
            None => {
                if let (Subject::Id(s), Some(p)) = (active_subject, active_property)
                    && let Some(node) = graphs.graph(active_graph).and_then(|g| g.node(s))
                    && let Some(v) = node.prop(p)
                {
                    v.push(Item::List(inner));
                }
            }
            Some(l) => l.push(Item::List(inner)),
        }
        return Ok(());
    }
    // 2. (types of a node object)
    let types: Vec<Cow<'a, str>> = kw
        .types
        .map(|t| {
            items(t)
                .iter()
                .filter_map(Value::as_str)
                .map(|s| {
                    if s.starts_with("_:") {
                        Cow::Owned(issuer.relabel(s))
                    } else {
                        Cow::Borrowed(s)
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    // 5.1
    let id = match kw.id {
        // An `@id` that expanded to null (keyword-like form): the node is dropped.
        Some(Value::Null) => return Ok(()),
        Some(Value::String(s)) if s.starts_with("_:") => Cow::Owned(issuer.relabel(s)),
        Some(Value::String(s)) => Cow::Borrowed(s.as_str()),
        _ => Cow::Owned(issuer.fresh()),
    };
    // 5.2, 5.3
    if let Some(g) = graphs.graph(active_graph) {
        g.ensure(&id);
    }
    match active_subject {
        // 5.4
        Subject::Reverse(subject) => {
            if let Some(p) = active_property {
                graphs.add_unique(active_graph, &id, p, Item::Ref((*subject).clone()));
            }
        }
        // 5.5
        _ => {
            if let Some(p) = active_property {
                match list {
                    None => {
                        if let Subject::Id(s) = active_subject {
                            graphs.add_unique(active_graph, s, p, Item::Ref(id.clone()));
                        }
                    }
                    Some(l) => l.push(Item::Ref(id.clone())),
                }
            }
        }
    }
    // 5.6, 5.7
    let mut graphs_dup = false;
    if let Some(node) = graphs.graph(active_graph).and_then(|g| g.node(&id)) {
        for t in types {
            if node.types.len() > SMALL {
                node.types.push(t);
                graphs_dup = true;
            } else if !node.types.contains(&t) {
                node.types.push(t);
            }
        }
        if let Some(ix) = kw.index {
            match node.index {
                Some(existing) if existing != ix => return Err(syntax("conflicting indexes")),
                Some(_) => {}
                None => node.index = Some(ix),
            }
        }
    }
    graphs.may_have_duplicates |= graphs_dup;
    // 5.8
    if let Some(Value::Object(rev)) = kw.reverse {
        let referenced = Subject::Reverse(&id);
        for (p, values) in rev {
            let p: Cow<'a, str> = Cow::Borrowed(p);
            for v in items(values) {
                generate(v, graphs, active_graph, &referenced, Some(&p), None, issuer)?;
            }
        }
    }
    // 5.9
    if let Some(g) = kw.graph {
        graphs.graph(&id);
        generate(g, graphs, &id, &Subject::None, None, None, issuer)?;
    }
    // 5.10
    if let Some(inc) = kw.included {
        generate(
            inc,
            graphs,
            active_graph,
            &Subject::None,
            None,
            None,
            issuer,
        )?;
    }
    // 5.11
    let mut props: Vec<(&str, &Value)> = element
        .iter()
        .filter(|(p, _)| {
            !matches!(
                *p,
                "@id" | "@type" | "@index" | "@reverse" | "@graph" | "@included" | "@context"
            )
        })
        .collect();
    props.sort_unstable_by(|a, b| a.0.cmp(b.0));
    for (p, v) in props {
        let prop: Cow<'a, str> = if p.starts_with("_:") {
            Cow::Owned(issuer.relabel(p))
        } else {
            Cow::Borrowed(p)
        };
        if let Some(node) = graphs.graph(active_graph).and_then(|g| g.node(&id)) {
            node.prop(&prop);
        }
        generate(
            v,
            graphs,
            active_graph,
            &Subject::Id(&id),
            Some(&prop),
            None,
            issuer,
        )?;
    }
    Ok(())
}

fn node_term(id: &str) -> Option<Term> {
    if let Some(b) = id.strip_prefix("_:") {
        Some(Term::BlankNode(b.to_string()))
    } else if is_well_formed_iri(id) {
        Some(Term::Iri(id.to_string()))
    } else {
        None
    }
}

fn well_formed_language(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let first_ok = parts
        .next()
        .is_some_and(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()));
    first_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// The canonical `xsd:double` lexical form, as `5.3E0`.
pub(crate) fn canonical_double(f: f64) -> String {
    let s = format!("{f:E}");
    match s.split_once('E') {
        Some((mantissa, exp)) if !mantissa.contains('.') => format!("{mantissa}.0E{exp}"),
        _ => s,
    }
}

struct Ctx<'a> {
    rdf_direction: Option<RdfDirection>,
    /// Safe mode: a statement that would be dropped is an error instead.
    strict: bool,
    issuer: &'a mut Issuer,
    out: &'a mut Vec<Quad>,
    graph: Option<Term>,
}

impl Ctx<'_> {
    /// A statement is being dropped as not well-formed: an error with `code` in safe mode.
    fn dropped(&self, code: &'static str) -> Result<(), Error> {
        if self.strict {
            Err(syntax(code))
        } else {
            Ok(())
        }
    }

    fn emit(&mut self, s: Term, p: &str, o: Term) {
        self.out.push(Quad {
            subject: s,
            predicate: Term::Iri(p.to_string()),
            object: o,
            graph: self.graph.clone(),
        });
    }
}

fn literal(value: String, datatype: &str, language: Option<String>) -> Term {
    Term::Literal(Literal {
        value,
        datatype: datatype.to_string(),
        language,
    })
}

/// [Object to RDF Conversion](https://www.w3.org/TR/json-ld11-api/#object-to-rdf-conversion).
fn object_to_rdf(item: &Item<'_>, cx: &mut Ctx<'_>) -> Result<Option<Term>, Error> {
    let m = match item {
        Item::Ref(id) => {
            let t = node_term(id);
            if t.is_none() {
                cx.dropped("invalid @id value")?;
            }
            return Ok(t);
        }
        Item::List(items) => return list_to_rdf(items, cx).map(Some),
        Item::Value(m) => m,
    };
    let kw = keywords(m);
    let Some(value) = kw.value else {
        return Ok(None);
    };
    let mut datatype: Option<String> = kw.types.and_then(Value::as_str).map(str::to_string);
    if let Some(d) = &datatype
        && d != "@json"
        && !is_well_formed_iri(d)
    {
        cx.dropped("invalid typed value")?;
        return Ok(None);
    }
    let language = kw.language.and_then(Value::as_str);
    if let Some(l) = language
        && !well_formed_language(l)
    {
        cx.dropped("invalid language-tagged string")?;
        return Ok(None);
    }
    let lexical: String;
    if datatype.as_deref() == Some("@json") {
        lexical = match value {
            Value::Json(v) => jcs::canonicalize(v),
            other => jcs::canonicalize(&other.clone().into_json()),
        };
        datatype = Some(format!("{RDF}JSON"));
    } else {
        match value {
            Value::Bool(b) => {
                lexical = b.to_string();
                datatype.get_or_insert_with(|| XSD_BOOLEAN.to_string());
            }
            Value::Number(n) => {
                let f = n.as_f64().unwrap_or(0.0);
                let integral = n.is_i64() || n.is_u64() || (f.fract() == 0.0 && f.abs() < 1e21);
                if !integral || datatype.as_deref() == Some(XSD_DOUBLE) {
                    lexical = canonical_double(f);
                    datatype.get_or_insert_with(|| XSD_DOUBLE.to_string());
                } else {
                    lexical = if f == 0.0 {
                        "0".to_string()
                    } else if let Some(i) = n.as_i64() {
                        i.to_string()
                    } else if let Some(u) = n.as_u64() {
                        u.to_string()
                    } else {
                        format!("{f:.0}")
                    };
                    datatype.get_or_insert_with(|| XSD_INTEGER.to_string());
                }
            }
            Value::String(s) => lexical = s.clone(),
            _ => return Ok(None),
        }
    }
    let direction = kw.direction.and_then(Value::as_str);
    if let (Some(dir), Some(mode)) = (direction, cx.rdf_direction) {
        let lang = language.map(str::to_ascii_lowercase).unwrap_or_default();
        match mode {
            RdfDirection::I18nDatatype => {
                let dt = format!("https://www.w3.org/ns/i18n#{lang}_{dir}");
                return Ok(Some(literal(lexical, &dt, None)));
            }
            RdfDirection::CompoundLiteral => {
                let b = cx.issuer.fresh();
                let node = node_term(&b).unwrap_or(Term::BlankNode(b));
                cx.emit(
                    node.clone(),
                    &format!("{RDF}value"),
                    literal(lexical, XSD_STRING, None),
                );
                if language.is_some() {
                    cx.emit(
                        node.clone(),
                        &format!("{RDF}language"),
                        literal(lang, XSD_STRING, None),
                    );
                }
                cx.emit(
                    node.clone(),
                    &format!("{RDF}direction"),
                    literal(dir.to_string(), XSD_STRING, None),
                );
                return Ok(Some(node));
            }
        }
    }
    Ok(Some(match (datatype, language) {
        (Some(d), _) => literal(lexical, &d, None),
        (None, Some(l)) => literal(lexical, RDF_LANG_STRING, Some(l.to_ascii_lowercase())),
        (None, None) => literal(lexical, XSD_STRING, None),
    }))
}

/// [List to RDF Conversion](https://www.w3.org/TR/json-ld11-api/#list-to-rdf-conversion).
fn list_to_rdf(items: &[Item<'_>], cx: &mut Ctx<'_>) -> Result<Term, Error> {
    if items.is_empty() {
        return Ok(Term::Iri(format!("{RDF}nil")));
    }
    let nodes: Vec<String> = items.iter().map(|_| cx.issuer.fresh()).collect();
    for (i, item) in items.iter().enumerate() {
        let Some(subject) = nodes.get(i).and_then(|b| node_term(b)) else {
            continue;
        };
        if let Some(o) = object_to_rdf(item, cx)? {
            cx.emit(subject.clone(), &format!("{RDF}first"), o);
        }
        let rest = match nodes.get(i + 1).and_then(|b| node_term(b)) {
            Some(n) => n,
            None => Term::Iri(format!("{RDF}nil")),
        };
        cx.emit(subject, &format!("{RDF}rest"), rest);
    }
    Ok(nodes
        .first()
        .and_then(|b| node_term(b))
        .unwrap_or(Term::Iri(format!("{RDF}nil"))))
}

/// Node map generation over an expanded document, then toRdf.
/// With `strict` (safe mode), a statement dropped for a malformed IRI or language tag is an
/// error instead.
pub(crate) fn to_rdf(
    expanded: &Value,
    rdf_direction: Option<RdfDirection>,
    strict: bool,
) -> Result<Vec<Quad>, Error> {
    let mut graphs = Graphs::default();
    let default_graph: Cow<'_, str> = Cow::Borrowed("@default");
    graphs.graph(&default_graph);
    let mut issuer = Issuer::default();
    generate(
        expanded,
        &mut graphs,
        &default_graph,
        &Subject::None,
        None,
        None,
        &mut issuer,
    )?;
    let mut out = Vec::with_capacity(64);
    let rdf_type = format!("{RDF}type");
    for (graph_name, graph) in &graphs.graphs {
        let graph_term = if graph_name == "@default" {
            None
        } else {
            match node_term(graph_name) {
                Some(t) => Some(t),
                None => {
                    if strict && graph.nodes.iter().any(Node::has_statements) {
                        return Err(syntax("invalid @id value"));
                    }
                    continue;
                }
            }
        };
        let mut cx = Ctx {
            rdf_direction,
            strict,
            issuer: &mut issuer,
            out: &mut out,
            graph: graph_term,
        };
        for node in &graph.nodes {
            let Some(s) = node_term(&node.id) else {
                if node.has_statements() {
                    cx.dropped("invalid @id value")?;
                }
                continue;
            };
            for t in &node.types {
                match node_term(t) {
                    Some(o) => cx.emit(s.clone(), &rdf_type, o),
                    None => cx.dropped("invalid type value")?,
                }
            }
            for (property, values) in &node.props {
                if property.starts_with('@')
                    || property.starts_with("_:")
                    || !is_well_formed_iri(property)
                {
                    if strict && !values.is_empty() {
                        return Err(Error::JsonLd(JsonLdError::UndefinedTerm {
                            term: property.to_string(),
                        }));
                    }
                    continue;
                }
                for item in values {
                    if let Some(o) = object_to_rdf(item, &mut cx)? {
                        cx.emit(s.clone(), property, o);
                    }
                }
            }
        }
    }
    if graphs.may_have_duplicates {
        let mut seen: std::collections::HashSet<
            Quad,
            std::hash::BuildHasherDefault<super::FxHasher>,
        > = std::collections::HashSet::default();
        out.retain(|q| seen.insert(q.clone()));
    }
    Ok(out)
}
