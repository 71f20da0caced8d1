//! RDF data model shared by the JSON-LD processor (which produces quads) and the RDFC-1.0
//! canonicalizer (which consumes them). See <https://www.w3.org/TR/rdf11-concepts/>.
//!
//! - [`parse_nquads`], [`to_nquads`]: N-Quads parsing and canonical N-Quads serialization.
//! - [`canonicalize`]: RDF Dataset Canonicalization (RDFC-1.0).

mod canon;
mod nquads;

pub use canon::{CanonOptions, Canonicalized, HashAlgorithm, canonicalize, canonicalize_nquads};
pub use nquads::{parse_nquads, to_nquads, write_quad, write_term};

/// An RDF term in subject, predicate, object or graph position.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Term {
    /// An absolute IRI, without angle brackets.
    Iri(String),
    /// A blank node label, without the leading `_:`.
    BlankNode(String),
    /// A literal.
    Literal(Literal),
}

/// An RDF literal: a lexical form with either a datatype IRI or a language tag.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Literal {
    /// The lexical form, unescaped.
    pub value: String,
    /// The datatype IRI (`rdf:langString` when `language` is set, `xsd:string` by default).
    pub datatype: String,
    /// The language tag, if any.
    pub language: Option<String>,
}

/// One quad; `graph` is `None` for the default graph.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quad {
    /// Subject: an IRI or a blank node.
    pub subject: Term,
    /// Predicate: an IRI.
    pub predicate: Term,
    /// Object: any term.
    pub object: Term,
    /// Graph name: an IRI or a blank node, or `None` for the default graph.
    pub graph: Option<Term>,
}

/// `http://www.w3.org/2001/XMLSchema#string`
pub const XSD_STRING: &str = "http://www.w3.org/2001/XMLSchema#string";
/// `http://www.w3.org/1999/02/22-rdf-syntax-ns#langString`
pub const RDF_LANG_STRING: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString";
