//! RDF Dataset Canonicalization, RDFC-1.0 (<https://www.w3.org/TR/rdf-canon/>).
//!
//! [`canonicalize`] relabels every blank node of a dataset with a canonical identifier
//! (`c14n0`, `c14n1`, ...) and returns the canonical N-Quads document together with the
//! issued identifiers map (input label to canonical label), which the bbs-2023 cryptosuite
//! needs for its HMAC relabelling.
//!
//! When every blank node has a unique first degree hash (the usual case for credentials),
//! Hash N-Degree Quads is never called: the cost is one hash per blank node plus one
//! serialization and sort of the quads.
//!
//! Work is bounded by [`CanonOptions`]: a dataset that needs more calls to Hash N-Degree
//! Quads, more permutations, more related-blank-node hashes or deeper recursion than allowed
//! is refused with [`crate::RdfError::CanonicalizationLimit`]
//! (<https://www.w3.org/TR/rdf-canon/#dataset-poisoning>). The permutation budget is checked
//! before a permutation loop starts, so the usual poison datasets (cliques of
//! indistinguishable blank nodes, such as test074 of the W3C suite) are refused after the
//! first degree hashes, in microseconds. The defaults leave a margin of 17 to 35 times over
//! the most demanding accepted case of the W3C suite (468 calls, 2,880 permutations, 2,808
//! related hashes, recursion depth 6).

use crate::RdfError;
use std::cell::Cell;
use std::collections::HashMap;

use sha2::{Digest, Sha256, Sha384};

use super::{Quad, Term, nquads};
use crate::Error;

/// The hash algorithm of RDFC-1.0 (<https://www.w3.org/TR/rdf-canon/#dfn-hash-algorithm>).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HashAlgorithm {
    /// SHA-256, the default.
    #[default]
    Sha256,
    /// SHA-384.
    Sha384,
}

/// Options of [`canonicalize`]. Build with [`CanonOptions::default`] and adjust fields.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CanonOptions {
    /// The hash algorithm (SHA-256 by default).
    pub hash_algorithm: HashAlgorithm,
    /// The most calls to Hash N-Degree Quads (<https://www.w3.org/TR/rdf-canon/#hash-nd-quads>)
    /// allowed for one dataset, recursive calls included.
    pub max_n_degree_calls: usize,
    /// The most permutations of related blank node lists examined for one dataset
    /// (<https://www.w3.org/TR/rdf-canon/#hndq-alg>, step 5.4). A list whose `n!`
    /// permutations would exceed what is left is refused before any is examined.
    pub max_permutations: usize,
    /// The most Hash Related Blank Node computations
    /// (<https://www.w3.org/TR/rdf-canon/#hash-related-blank-node>) allowed for one dataset:
    /// this bounds the work of Hash N-Degree Quads calls on blank nodes with large mention
    /// sets, which the call limit alone does not.
    pub max_related_hashes: usize,
    /// The deepest recursion of Hash N-Degree Quads allowed (long chains of
    /// indistinguishable blank nodes recurse once per node). Each level takes about 1 KiB of
    /// stack; the default, 128, suits 512 KiB threads.
    pub max_recursion_depth: usize,
}

impl Default for CanonOptions {
    fn default() -> Self {
        Self {
            hash_algorithm: HashAlgorithm::Sha256,
            max_n_degree_calls: 10_000,
            max_permutations: 50_000,
            max_related_hashes: 100_000,
            max_recursion_depth: 128,
        }
    }
}

/// The result of [`canonicalize`]: the serialized canonical form and the issued identifiers
/// map of the canonical issuer (<https://www.w3.org/TR/rdf-canon/#canon-algo-algo>, step 7).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Canonicalized {
    nquads: String,
    issued: Vec<(String, String)>,
}

impl Canonicalized {
    /// The canonical N-Quads document: one line per distinct quad, each ending in `\n`,
    /// sorted in code point order (<https://www.w3.org/TR/rdf-canon/#canonical-quads>).
    pub fn nquads(&self) -> &str {
        &self.nquads
    }

    /// The canonical N-Quads document, by value.
    pub fn into_nquads(self) -> String {
        self.nquads
    }

    /// The canonical N-Quads lines in order, each with its final `\n`.
    pub fn lines(&self) -> impl Iterator<Item = &str> + '_ {
        self.nquads.split_inclusive('\n')
    }

    /// The issued identifiers map: `(input label, canonical label)` pairs, without `_:`, in
    /// issuance order (so the `i`-th pair has canonical label `c14n{i}`).
    pub fn issued_identifiers(&self) -> &[(String, String)] {
        &self.issued
    }

    /// The canonical label (for example `c14n0`, without `_:`) issued for an input blank node
    /// label (without `_:`).
    pub fn canonical_label(&self, input_label: &str) -> Option<&str> {
        self.issued
            .iter()
            .find(|(input, _)| input == input_label)
            .map(|(_, c)| c.as_str())
    }

    /// The canonical quads, in canonical order, with canonical blank node labels.
    pub fn quads(&self) -> Result<Vec<Quad>, Error> {
        nquads::parse_nquads(&self.nquads)
    }
}

/// Parses an N-Quads document and canonicalizes the dataset it describes; blank node labels
/// of the document are the keys of the issued identifiers map.
pub fn canonicalize_nquads(document: &str, opts: &CanonOptions) -> Result<Canonicalized, Error> {
    let quads = nquads::parse_nquads(document)?;
    canonicalize(&quads, opts)
}

/// Canonicalizes a dataset with RDFC-1.0
/// (<https://www.w3.org/TR/rdf-canon/#canon-algorithm>).
///
/// The input is a set: duplicate quads are ignored. Blank node labels of the input (without
/// `_:`) are the keys of the returned issued identifiers map.
///
/// # Errors
/// [`crate::RdfError::Quad`] if a quad has a literal subject or graph name or a non-IRI
/// predicate; [`crate::RdfError::CanonicalizationLimit`] if the dataset needs more work than `opts`
/// allows.
pub fn canonicalize(quads: &[Quad], opts: &CanonOptions) -> Result<Canonicalized, Error> {
    let mut state = State::new(quads, opts)?;
    let n = state.labels.len();

    // Step 3: first degree hashes, https://www.w3.org/TR/rdf-canon/#hash-1d-quads
    let mut buf = String::new();
    let mut ranges = Vec::new();
    let mut first_degree = Vec::with_capacity(n);
    for b in 0..n {
        first_degree.push(state.hash_first_degree(to_u32(b), &mut buf, &mut ranges));
    }
    state.first_degree = first_degree;

    // The hash to blank nodes map: blank nodes ordered by hash, then by first mention.
    let mut by_hash: Vec<u32> = (0..n).map(to_u32).collect();
    by_hash.sort_by(|&a, &b| state.first_degree_of(a).cmp(&state.first_degree_of(b)));
    let mut groups: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for (i, w) in by_hash.windows(2).enumerate() {
        if let [a, b] = w
            && state.first_degree_of(*a) != state.first_degree_of(*b)
        {
            groups.push((start, i + 1));
            start = i + 1;
        }
    }
    if n > 0 {
        groups.push((start, n));
    }

    // Step 4: blank nodes with a unique first degree hash get canonical identifiers.
    let mut shared = Vec::new();
    for &(s, e) in &groups {
        match by_hash.get(s..e) {
            Some([single]) => state.issue_canonical(*single),
            Some(group) => shared.push(group),
            None => {}
        }
    }

    // Step 5: the others, by Hash N-Degree Quads, https://www.w3.org/TR/rdf-canon/#hash-nd-quads
    for group in shared {
        let mut hash_path_list: Vec<(Hex, Issuer)> = Vec::with_capacity(group.len());
        for &b in group {
            if state.canonical_of(b).is_some() {
                continue;
            }
            let mut temporary = Issuer::default();
            temporary.issue(b);
            hash_path_list.push(state.hash_n_degree(b, temporary, 0)?);
        }
        hash_path_list.sort_by_key(|r| r.0);
        for (_, issuer) in hash_path_list {
            for b in issuer.order {
                state.issue_canonical(b);
            }
        }
    }

    // Step 6/7 and https://www.w3.org/TR/rdf-canon/#canonical-quads: relabel, serialize, sort.
    buf.clear();
    ranges.clear();
    for q in &state.quads {
        let start = buf.len();
        write_bquad(
            &mut buf,
            &state.terms,
            q,
            &mut |out: &mut String, b: u32| {
                out.push_str("_:c14n");
                push_decimal(out, state.canonical_of(b).unwrap_or(0) as usize);
            },
        );
        ranges.push((start, buf.len()));
    }
    ranges.sort_unstable_by(|a, b| buf.get(a.0..a.1).cmp(&buf.get(b.0..b.1)));
    let mut out = String::with_capacity(buf.len());
    for (s, e) in ranges {
        out.push_str(buf.get(s..e).unwrap_or(""));
    }

    let mut issued = Vec::with_capacity(n);
    for (i, &b) in state.canonical_order.iter().enumerate() {
        let mut label = String::with_capacity(8);
        label.push_str("c14n");
        push_decimal(&mut label, i);
        let input = state.labels.get(b as usize).copied().unwrap_or("");
        issued.push((input.to_owned(), label));
    }
    Ok(Canonicalized {
        nquads: out,
        issued,
    })
}

// ---- internals -----------------------------------------------------------------------------

/// No blank node in this position.
const NONE: u32 = u32::MAX;

fn to_u32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(NONE)
}

/// A lowercase hexadecimal digest (<https://www.w3.org/TR/rdf-canon/#dfn-hash>); unused bytes
/// are zero, so the derived order is code point order for digests of one algorithm.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Hex {
    buf: [u8; 96],
    len: u8,
}

impl Hex {
    fn as_bytes(&self) -> &[u8] {
        self.buf.get(..usize::from(self.len)).unwrap_or(&[])
    }

    fn from_digest(digest: &[u8]) -> Self {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut hex = Hex {
            buf: [0; 96],
            len: 0,
        };
        for (pair, byte) in hex.buf.chunks_exact_mut(2).zip(digest) {
            if let [hi, lo] = pair {
                *hi = DIGITS.get(usize::from(byte >> 4)).copied().unwrap_or(b'0');
                *lo = DIGITS.get(usize::from(byte & 0xF)).copied().unwrap_or(b'0');
            }
        }
        hex.len = u8::try_from(digest.len().min(48) * 2).unwrap_or(0);
        hex
    }
}

enum Hasher {
    Sha256(Sha256),
    Sha384(Sha384),
}

impl Hasher {
    fn new(algorithm: HashAlgorithm) -> Self {
        match algorithm {
            HashAlgorithm::Sha256 => Hasher::Sha256(Sha256::new()),
            HashAlgorithm::Sha384 => Hasher::Sha384(Sha384::new()),
        }
    }

    fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sha384(h) => h.update(data),
        }
    }

    fn finish(self) -> Hex {
        match self {
            Hasher::Sha256(h) => Hex::from_digest(&h.finalize()),
            Hasher::Sha384(h) => Hex::from_digest(&h.finalize()),
        }
    }
}

/// An identifier issuer (<https://www.w3.org/TR/rdf-canon/#issue-identifier>) for temporary
/// identifiers `b0`, `b1`, ...: the blank nodes in order of issuance.
#[derive(Clone, Default)]
struct Issuer {
    order: Vec<u32>,
}

impl Issuer {
    fn get(&self, b: u32) -> Option<usize> {
        self.order.iter().position(|&x| x == b)
    }

    fn issue(&mut self, b: u32) -> usize {
        match self.get(b) {
            Some(i) => i,
            None => {
                self.order.push(b);
                self.order.len() - 1
            }
        }
    }
}

/// A quad with the blank node indexes of its subject, object and graph name.
struct BQuad<'a> {
    quad: &'a Quad,
    /// Byte ranges, in [`State::terms`], of the canonical N-Quads form of the subject,
    /// predicate, object and graph name when they are not blank nodes (else empty).
    text: [(usize, usize); 4],
    s: u32,
    o: u32,
    g: u32,
}

/// The canonicalization state (<https://www.w3.org/TR/rdf-canon/#canon-state>) over blank
/// nodes numbered in order of first mention.
struct State<'a> {
    opts: &'a CanonOptions,
    quads: Vec<BQuad<'a>>,
    /// Canonical N-Quads forms of the terms that are not blank nodes.
    terms: String,
    /// Input label of each blank node.
    labels: Vec<&'a str>,
    /// The blank node to quads map, flattened: the quads of `b` are
    /// `mention_list[mention_start[b]..mention_start[b + 1]]`.
    mention_start: Vec<usize>,
    mention_list: Vec<u32>,
    first_degree: Vec<Hex>,
    /// Canonical number of each blank node, or [`NONE`].
    canonical: Vec<u32>,
    /// The canonical issuer's issued identifiers, in order.
    canonical_order: Vec<u32>,
    calls: Cell<usize>,
    permutations: Cell<usize>,
    related_hashes: Cell<usize>,
}

impl<'a> State<'a> {
    fn new(input: &'a [Quad], opts: &'a CanonOptions) -> Result<Self, Error> {
        for (index, q) in input.iter().enumerate() {
            let reason = if matches!(q.subject, Term::Literal(_)) {
                "subject is a literal"
            } else if !matches!(q.predicate, Term::Iri(_)) {
                "predicate is not an IRI"
            } else if matches!(q.graph, Some(Term::Literal(_))) {
                "graph name is a literal"
            } else {
                continue;
            };
            return Err(Error::Rdf(RdfError::Quad { index, reason }));
        }

        // A dataset is a set: keep the first of equal quads.
        let mut keep = vec![true; input.len()];
        let mut sorted: Vec<(&Quad, usize)> = input.iter().zip(0..).collect();
        sorted.sort_unstable();
        for w in sorted.windows(2) {
            if let [(a, _), (b, j)] = w
                && a == b
                && let Some(k) = keep.get_mut(*j)
            {
                *k = false;
            }
        }

        let mut ids: HashMap<&'a str, u32> = HashMap::new();
        let mut labels: Vec<&'a str> = Vec::new();
        let mut intern = |term: &'a Term| -> u32 {
            match term {
                Term::BlankNode(label) => *ids.entry(label.as_str()).or_insert_with(|| {
                    labels.push(label.as_str());
                    to_u32(labels.len() - 1)
                }),
                _ => NONE,
            }
        };
        let mut quads = Vec::with_capacity(input.len());
        // Terms other than blank nodes are serialized once, here.
        let mut terms = String::with_capacity(input.len() * 96);
        let mut text = |term: Option<&Term>, b: u32| {
            let start = terms.len();
            if let Some(term) = term
                && b == NONE
            {
                nquads::write_term(&mut terms, term);
            }
            (start, terms.len())
        };
        for (q, _) in input.iter().zip(&keep).filter(|(_, k)| **k) {
            let s = intern(&q.subject);
            let o = intern(&q.object);
            let g = q.graph.as_ref().map_or(NONE, &mut intern);
            let text = [
                text(Some(&q.subject), s),
                text(Some(&q.predicate), NONE),
                text(Some(&q.object), o),
                text(q.graph.as_ref(), g),
            ];
            quads.push(BQuad {
                quad: q,
                text,
                s,
                o,
                g,
            });
        }
        let n = labels.len();
        if n >= NONE as usize {
            return Err(Error::TooLarge {
                what: "blank nodes",
                actual: n,
                limit: NONE as usize - 1,
            });
        }

        // The blank node to quads map: each quad once per distinct blank node in it.
        let distinct = |q: &BQuad<'_>| {
            let o = if q.o != q.s { q.o } else { NONE };
            let g = if q.g != q.s && q.g != q.o { q.g } else { NONE };
            [q.s, o, g]
        };
        let mut counts = vec![0usize; n + 1];
        for q in &quads {
            for b in distinct(q) {
                if let Some(c) = counts.get_mut(b as usize) {
                    *c += 1;
                }
            }
        }
        let mut mention_start = Vec::with_capacity(n + 1);
        let mut total = 0;
        for c in counts.iter().take(n) {
            mention_start.push(total);
            total += c;
        }
        mention_start.push(total);
        let mut fill: Vec<usize> = mention_start.clone();
        let mut mention_list = vec![0u32; total];
        for (qi, q) in quads.iter().enumerate() {
            for b in distinct(q) {
                if let Some(pos) = fill.get_mut(b as usize) {
                    if let Some(slot) = mention_list.get_mut(*pos) {
                        *slot = to_u32(qi);
                    }
                    *pos += 1;
                }
            }
        }

        Ok(State {
            opts,
            quads,
            terms,
            labels,
            mention_start,
            mention_list,
            first_degree: Vec::new(),
            canonical: vec![NONE; n],
            canonical_order: Vec::with_capacity(n),
            calls: Cell::new(0),
            permutations: Cell::new(0),
            related_hashes: Cell::new(0),
        })
    }

    fn mentions(&self, b: u32) -> &[u32] {
        let b = b as usize;
        match (self.mention_start.get(b), self.mention_start.get(b + 1)) {
            (Some(&s), Some(&e)) => self.mention_list.get(s..e).unwrap_or(&[]),
            _ => &[],
        }
    }

    fn first_degree_of(&self, b: u32) -> Option<&Hex> {
        self.first_degree.get(b as usize)
    }

    fn canonical_of(&self, b: u32) -> Option<u32> {
        self.canonical
            .get(b as usize)
            .copied()
            .filter(|&c| c != NONE)
    }

    /// Issue Identifier (<https://www.w3.org/TR/rdf-canon/#issue-identifier>) on the
    /// canonical issuer.
    fn issue_canonical(&mut self, b: u32) {
        let next = to_u32(self.canonical_order.len());
        if let Some(slot) = self.canonical.get_mut(b as usize)
            && *slot == NONE
        {
            *slot = next;
            self.canonical_order.push(b);
        }
    }

    /// Hash First Degree Quads (<https://www.w3.org/TR/rdf-canon/#hash-1d-quads>).
    fn hash_first_degree(
        &self,
        reference: u32,
        buf: &mut String,
        ranges: &mut Vec<(usize, usize)>,
    ) -> Hex {
        buf.clear();
        ranges.clear();
        for &qi in self.mentions(reference) {
            let Some(q) = self.quads.get(qi as usize) else {
                continue;
            };
            let start = buf.len();
            write_bquad(buf, &self.terms, q, &mut |out: &mut String, b: u32| {
                out.push_str(if b == reference { "_:a" } else { "_:z" });
            });
            ranges.push((start, buf.len()));
        }
        ranges.sort_unstable_by(|a, b| buf.get(a.0..a.1).cmp(&buf.get(b.0..b.1)));
        let mut hasher = Hasher::new(self.opts.hash_algorithm);
        for &(s, e) in ranges.iter() {
            hasher.update(buf.get(s..e).unwrap_or("").as_bytes());
        }
        hasher.finish()
    }

    /// Hash Related Blank Node (<https://www.w3.org/TR/rdf-canon/#hash-related-blank-node>).
    fn hash_related(&self, related: u32, q: &BQuad<'_>, issuer: &Issuer, position: u8) -> Hex {
        let mut hasher = Hasher::new(self.opts.hash_algorithm);
        hasher.update(&[position]);
        if position != b'g'
            && let Term::Iri(p) = &q.quad.predicate
        {
            hasher.update(b"<");
            hasher.update(p.as_bytes());
            hasher.update(b">");
        }
        let mut id = String::new();
        if let Some(c) = self.canonical_of(related) {
            id.push_str("_:c14n");
            push_decimal(&mut id, c as usize);
            hasher.update(id.as_bytes());
        } else if let Some(t) = issuer.get(related) {
            id.push_str("_:b");
            push_decimal(&mut id, t);
            hasher.update(id.as_bytes());
        } else if let Some(h) = self.first_degree_of(related) {
            hasher.update(h.as_bytes());
        }
        hasher.finish()
    }

    fn limit(what: &'static str, limit: usize) -> Error {
        Error::Rdf(RdfError::CanonicalizationLimit { what, limit })
    }

    /// Hash N-Degree Quads (<https://www.w3.org/TR/rdf-canon/#hash-nd-quads>).
    fn hash_n_degree(
        &self,
        identifier: u32,
        issuer: Issuer,
        depth: usize,
    ) -> Result<(Hex, Issuer), Error> {
        let calls = self.calls.get() + 1;
        self.calls.set(calls);
        if calls > self.opts.max_n_degree_calls {
            return Err(Self::limit(
                "calls to Hash N-Degree Quads",
                self.opts.max_n_degree_calls,
            ));
        }
        if depth > self.opts.max_recursion_depth {
            return Err(Self::limit(
                "Hash N-Degree Quads recursion depth",
                self.opts.max_recursion_depth,
            ));
        }

        // Steps 1-3: the related hash to blank nodes map Hn, ordered by hash.
        let mut related: Vec<(Hex, u32)> = Vec::new();
        for &qi in self.mentions(identifier) {
            let Some(q) = self.quads.get(qi as usize) else {
                continue;
            };
            for (position, b) in [(b's', q.s), (b'o', q.o), (b'g', q.g)] {
                if b != NONE && b != identifier {
                    related.push((self.hash_related(b, q, &issuer, position), b));
                }
            }
        }
        let related_hashes = self.related_hashes.get().saturating_add(related.len());
        self.related_hashes.set(related_hashes);
        if related_hashes > self.opts.max_related_hashes {
            return Err(Self::limit(
                "Hash Related Blank Node computations",
                self.opts.max_related_hashes,
            ));
        }
        related.sort_by_key(|r| r.0);

        // Steps 4-5.
        let mut issuer = issuer;
        let mut data_to_hash = Hasher::new(self.opts.hash_algorithm);
        let mut path: Vec<u8> = Vec::new();
        let mut chosen_path: Vec<u8> = Vec::new();
        let mut recursion_list: Vec<u32> = Vec::new();
        for group in related.chunk_by(|a, b| a.0 == b.0) {
            let Some((related_hash, _)) = group.first() else {
                continue;
            };
            data_to_hash.update(related_hash.as_bytes());
            // Permuting the sorted list of blank nodes (rather than positions) enumerates each
            // distinct permutation once: a blank node related through several quads with the
            // same related hash would only repeat identical paths.
            let mut permutation: Vec<u32> = group.iter().map(|&(_, b)| b).collect();
            permutation.sort_unstable();

            let count = distinct_permutations(&permutation);
            let used = self.permutations.get();
            if count > self.opts.max_permutations.saturating_sub(used) {
                return Err(Self::limit("permutations", self.opts.max_permutations));
            }
            self.permutations.set(used + count);

            chosen_path.clear();
            let mut chosen_issuer: Option<Issuer> = None;
            let mut first = true;
            'permutations: loop {
                if !first && !next_permutation(&mut permutation) {
                    break;
                }
                first = false;
                let mut issuer_copy = issuer.clone();
                path.clear();
                recursion_list.clear();
                for &r in &permutation {
                    if let Some(c) = self.canonical_of(r) {
                        path.extend_from_slice(b"_:c14n");
                        push_decimal_bytes(&mut path, c as usize);
                    } else {
                        if issuer_copy.get(r).is_none() {
                            recursion_list.push(r);
                        }
                        let t = issuer_copy.issue(r);
                        path.extend_from_slice(b"_:b");
                        push_decimal_bytes(&mut path, t);
                    }
                    if worse(&path, &chosen_path) {
                        continue 'permutations;
                    }
                }
                for &r in &recursion_list {
                    let (hash, result_issuer) = self.hash_n_degree(r, issuer_copy, depth + 1)?;
                    issuer_copy = result_issuer;
                    let t = issuer_copy.issue(r);
                    path.extend_from_slice(b"_:b");
                    push_decimal_bytes(&mut path, t);
                    path.push(b'<');
                    path.extend_from_slice(hash.as_bytes());
                    path.push(b'>');
                    if worse(&path, &chosen_path) {
                        continue 'permutations;
                    }
                }
                if chosen_path.is_empty() || path < chosen_path {
                    std::mem::swap(&mut chosen_path, &mut path);
                    chosen_issuer = Some(issuer_copy);
                }
            }
            data_to_hash.update(&chosen_path);
            if let Some(chosen) = chosen_issuer {
                issuer = chosen;
            }
        }
        Ok((data_to_hash.finish(), issuer))
    }
}

/// The pruning test of steps 5.4.4.3 and 5.4.5.5: `path` can no longer become the chosen path.
fn worse(path: &[u8], chosen_path: &[u8]) -> bool {
    !chosen_path.is_empty() && path.len() >= chosen_path.len() && path > chosen_path
}

/// The number of distinct permutations of a sorted list: `n! / (m1! m2! ...)` for runs of
/// equal items of lengths `m1, m2, ...`, saturating at `usize::MAX`.
fn distinct_permutations<T: PartialEq>(sorted: &[T]) -> usize {
    let mut total: u128 = 1;
    let mut placed: u128 = 0;
    for run in sorted.chunk_by(|a, b| a == b) {
        // Multiply by the binomial coefficient C(placed + m, m), one exact step at a time.
        for j in 1..=run.len() as u128 {
            placed += 1;
            total = match total.checked_mul(placed) {
                Some(t) => t / j,
                None => return usize::MAX,
            };
        }
    }
    usize::try_from(total).unwrap_or(usize::MAX)
}

/// Advances to the next permutation in lexicographic order, skipping repeats of equal items;
/// `false` after the last one.
fn next_permutation<T: Ord>(p: &mut [T]) -> bool {
    let Some(i) = p.windows(2).rposition(|w| matches!(w, [a, b] if a < b)) else {
        return false;
    };
    let Some(pivot) = p.get(i) else { return false };
    let Some(j) = p.iter().rposition(|x| x > pivot) else {
        return false;
    };
    p.swap(i, j);
    if let Some(tail) = p.get_mut(i + 1..) {
        tail.reverse();
    }
    true
}

/// Appends a quad in canonical N-Quads form; blank nodes are written by `bnode`.
fn write_bquad(
    out: &mut String,
    terms: &str,
    q: &BQuad<'_>,
    bnode: &mut impl FnMut(&mut String, u32),
) {
    let [s, p, o, g] = q.text;
    let text = |(start, end): (usize, usize)| terms.get(start..end).unwrap_or("");
    let mut component = |out: &mut String, range: (usize, usize), b: u32| {
        if b == NONE {
            out.push_str(text(range));
        } else {
            bnode(out, b);
        }
    };
    component(out, s, q.s);
    out.push(' ');
    out.push_str(text(p));
    out.push(' ');
    component(out, o, q.o);
    if q.quad.graph.is_some() {
        out.push(' ');
        component(out, g, q.g);
    }
    out.push_str(" .\n");
}

fn decimal(mut n: usize, tmp: &mut [u8; 20]) -> &[u8] {
    let mut i = tmp.len();
    loop {
        i -= 1;
        if let Some(slot) = tmp.get_mut(i) {
            *slot = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    tmp.get(i..).unwrap_or(&[])
}

fn push_decimal(out: &mut String, n: usize) {
    let mut tmp = [0u8; 20];
    for &d in decimal(n, &mut tmp) {
        out.push(char::from(d));
    }
}

fn push_decimal_bytes(out: &mut Vec<u8>, n: usize) {
    let mut tmp = [0u8; 20];
    out.extend_from_slice(decimal(n, &mut tmp));
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail by panicking")]
mod tests {
    use super::*;
    use crate::rdf::{Literal, XSD_STRING, parse_nquads};

    fn canon(doc: &str) -> Canonicalized {
        canonicalize_nquads(doc, &CanonOptions::default()).unwrap()
    }

    /// The example of https://www.w3.org/TR/rdf-canon/#ex-unique-hashes and
    /// https://www.w3.org/TR/rdf-canon/#ex-shared-hashes.
    #[test]
    fn spec_examples() {
        let unique = "<http://example.com/#p> <http://example.com/#q> _:e0 .\n\
                      <http://example.com/#p> <http://example.com/#r> _:e1 .\n\
                      _:e0 <http://example.com/#s> <http://example.com/#u> .\n\
                      _:e1 <http://example.com/#t> <http://example.com/#u> .\n";
        let c = canon(unique);
        assert_eq!(
            c.nquads(),
            "<http://example.com/#p> <http://example.com/#q> _:c14n0 .\n\
             <http://example.com/#p> <http://example.com/#r> _:c14n1 .\n\
             _:c14n0 <http://example.com/#s> <http://example.com/#u> .\n\
             _:c14n1 <http://example.com/#t> <http://example.com/#u> .\n"
        );
        assert_eq!(c.canonical_label("e0"), Some("c14n0"));
        assert_eq!(c.canonical_label("e1"), Some("c14n1"));

        let shared = "<http://example.com/#p> <http://example.com/#q> _:e0 .\n\
                      <http://example.com/#p> <http://example.com/#q> _:e1 .\n\
                      _:e0 <http://example.com/#p> _:e2 .\n\
                      _:e1 <http://example.com/#p> _:e3 .\n\
                      _:e2 <http://example.com/#r> _:e3 .\n";
        let c = canon(shared);
        let map: Vec<(&str, &str)> = c
            .issued_identifiers()
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        assert_eq!(
            map,
            [
                ("e2", "c14n0"),
                ("e3", "c14n1"),
                ("e1", "c14n2"),
                ("e0", "c14n3")
            ]
        );
    }

    #[test]
    fn relabelling_and_reordering_do_not_change_the_output() {
        let doc = "_:a <http://ex/p> _:b .\n_:b <http://ex/p> _:c .\n_:c <http://ex/p> _:a .\n\
                   _:a <http://ex/q> _:d _:g .\n_:d <http://ex/p> \"x\" _:g .\n\
                   _:e <http://ex/p> _:f .\n_:f <http://ex/p> _:e .\n";
        let expected = canon(doc);
        let mut lines: Vec<&str> = doc.lines().collect();
        lines.reverse();
        let relabelled: String = lines
            .iter()
            .map(|l| {
                l.replace("_:a", "_:n9")
                    .replace("_:b", "_:x")
                    .replace("_:e", "_:b")
                    .replace("_:g", "_:a")
            })
            .map(|l| l + "\n")
            .collect();
        assert_eq!(canon(&relabelled).nquads(), expected.nquads());
    }

    /// A tiny deterministic generator (xorshift64*), to avoid a dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// Random small datasets with many symmetries: the canonical form must not depend on
    /// blank node labels or quad order, and must be a fixpoint.
    #[test]
    fn random_datasets_are_canonical() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for _ in 0..300 {
            let bnodes = 1 + rng.below(6);
            let mut lines = Vec::new();
            for _ in 0..1 + rng.below(10) {
                let s = format!("_:n{}", rng.below(bnodes));
                let p = format!("<http://ex/p{}>", rng.below(2));
                let o = match rng.below(4) {
                    0 => "<http://ex/o>".to_owned(),
                    1 => format!("\"{}\"", rng.below(2)),
                    _ => format!("_:n{}", rng.below(bnodes)),
                };
                let g = match rng.below(5) {
                    0 => format!(" _:n{}", rng.below(bnodes)),
                    1 => " <http://ex/g>".to_owned(),
                    _ => String::new(),
                };
                lines.push(format!("{s} {p} {o}{g} .\n"));
            }
            let doc = lines.concat();
            let expected = canon(&doc);
            assert_eq!(
                canon(expected.nquads()).nquads(),
                expected.nquads(),
                "{doc}"
            );

            // Relabel with a random permutation of labels and shuffle the lines.
            let mut perm: Vec<usize> = (0..bnodes).collect();
            for i in (1..bnodes).rev() {
                perm.swap(i, rng.below(i + 1));
            }
            let mut relabelled: Vec<String> = lines
                .iter()
                .map(|l| {
                    let mut out = l.clone();
                    for (from, to) in perm.iter().enumerate() {
                        out = out.replace(&format!("_:n{from} "), &format!("_:t{to} "));
                    }
                    out
                })
                .collect();
            for i in (1..relabelled.len()).rev() {
                relabelled.swap(i, rng.below(i + 1));
            }
            let again = canon(&relabelled.concat());
            assert_eq!(again.nquads(), expected.nquads(), "{doc}");
        }
    }

    #[test]
    fn duplicates_are_ignored() {
        let c =
            canon("_:a <http://ex/p> _:b .\n_:a <http://ex/p> _:b .\n_:b <http://ex/p> \"1\" .\n");
        assert_eq!(
            c,
            canon("_:a <http://ex/p> _:b .\n_:b <http://ex/p> \"1\" .\n")
        );
        assert_eq!(
            c.nquads(),
            "_:c14n0 <http://ex/p> \"1\" .\n_:c14n1 <http://ex/p> _:c14n0 .\n"
        );
        assert_eq!(c.lines().count(), 2);
        assert_eq!(c.quads().unwrap().len(), 2);
    }

    #[test]
    fn invalid_quads_are_typed_errors() {
        let iri = |s: &str| Term::Iri(s.into());
        let lit = Term::Literal(Literal {
            value: "v".into(),
            datatype: XSD_STRING.into(),
            language: None,
        });
        let ok = Quad {
            subject: iri("a:s"),
            predicate: iri("a:p"),
            object: lit.clone(),
            graph: None,
        };
        let cases = [
            (
                Quad {
                    subject: lit.clone(),
                    ..ok.clone()
                },
                "subject is a literal",
            ),
            (
                Quad {
                    predicate: Term::BlankNode("p".into()),
                    ..ok.clone()
                },
                "predicate is not an IRI",
            ),
            (
                Quad {
                    graph: Some(lit.clone()),
                    ..ok.clone()
                },
                "graph name is a literal",
            ),
        ];
        for (bad, why) in cases {
            let err = canonicalize(&[ok.clone(), bad], &CanonOptions::default()).unwrap_err();
            assert_eq!(
                err,
                Error::Rdf(RdfError::Quad {
                    index: 1,
                    reason: why
                })
            );
        }
    }

    /// Many indistinguishable blank nodes under a distinguishable parent are cheap: 8
    /// identical sails (each with an identical nested blank node) and 4 identical boards.
    #[test]
    fn symmetric_children_are_accepted() {
        let mut doc = String::from("_:boat <http://ex/type> <http://ex/Boat> .\n");
        for i in 0..8 {
            doc += &format!(
                "_:boat <http://ex/sail> _:s{i} .\n_:s{i} <http://ex/type> <http://ex/Sail> .\n"
            );
            doc += &format!("_:s{i} <http://ex/size> _:d{i} .\n_:d{i} <http://ex/area> \"12\" .\n");
        }
        for i in 0..4 {
            doc += &format!(
                "_:boat <http://ex/board> _:b{i} .\n_:b{i} <http://ex/type> <http://ex/Board> .\n"
            );
        }
        let c = canon(&doc);
        assert_eq!(c.issued_identifiers().len(), 21);
        assert_eq!(c.lines().count(), 41);
    }

    /// A list of 40 identical values: a chain of indistinguishable blank nodes.
    #[test]
    fn long_chain_is_accepted() {
        let mut doc = String::from("<http://ex/s> <http://ex/list> _:l0 .\n");
        for i in 0..40 {
            doc += &format!("_:l{i} <http://ex/first> \"x\" .\n");
            if i < 39 {
                doc += &format!("_:l{i} <http://ex/rest> _:l{} .\n", i + 1);
            } else {
                doc += &format!("_:l{i} <http://ex/rest> <http://ex/nil> .\n");
            }
        }
        assert_eq!(canon(&doc).issued_identifiers().len(), 40);
    }

    /// Chains too long for the defaults are refused, not a stack overflow.
    #[test]
    fn very_long_chain_is_refused() {
        let mut doc = String::from("<http://ex/s> <http://ex/list> _:l0 .\n");
        for i in 0..600 {
            doc += &format!(
                "_:l{i} <http://ex/first> \"x\" .\n_:l{i} <http://ex/rest> _:l{} .\n",
                i + 1
            );
        }
        let err = canonicalize_nquads(&doc, &CanonOptions::default()).unwrap_err();
        assert!(
            matches!(err, Error::Rdf(RdfError::CanonicalizationLimit { .. })),
            "{err:?}"
        );
        let opts = CanonOptions {
            max_n_degree_calls: usize::MAX,
            ..CanonOptions::default()
        };
        let err = canonicalize_nquads(&doc, &opts).unwrap_err();
        assert_eq!(
            err,
            Error::Rdf(RdfError::CanonicalizationLimit {
                what: "Hash N-Degree Quads recursion depth",
                limit: 128
            })
        );
    }

    fn clique(n: usize) -> String {
        let mut doc = String::new();
        for i in 0..n {
            for j in 0..n {
                doc += &format!("_:e{i} <http://example.com/p> _:e{j} .\n");
            }
        }
        doc
    }

    #[test]
    fn poison_clique_is_refused() {
        let quads = parse_nquads(&clique(10)).unwrap();
        let err = canonicalize(&quads, &CanonOptions::default()).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Rdf(RdfError::CanonicalizationLimit {
                    what: "permutations",
                    ..
                })
            ),
            "{err:?}"
        );
    }

    #[test]
    fn limits_are_configurable() {
        let doc = clique(4);
        assert!(canonicalize_nquads(&doc, &CanonOptions::default()).is_ok());
        let opts = CanonOptions {
            max_n_degree_calls: 3,
            ..CanonOptions::default()
        };
        assert_eq!(
            canonicalize_nquads(&doc, &opts),
            Err(Error::Rdf(RdfError::CanonicalizationLimit {
                what: "calls to Hash N-Degree Quads",
                limit: 3
            }))
        );
        let opts = CanonOptions {
            max_permutations: 5,
            ..CanonOptions::default()
        };
        assert!(matches!(
            canonicalize_nquads(&doc, &opts),
            Err(Error::Rdf(RdfError::CanonicalizationLimit {
                what: "permutations",
                limit: 5
            }))
        ));
        let opts = CanonOptions {
            max_related_hashes: 10,
            ..CanonOptions::default()
        };
        assert_eq!(
            canonicalize_nquads(&doc, &opts),
            Err(Error::Rdf(RdfError::CanonicalizationLimit {
                what: "Hash Related Blank Node computations",
                limit: 10
            }))
        );
        let opts = CanonOptions {
            max_recursion_depth: 0,
            ..CanonOptions::default()
        };
        assert!(matches!(
            canonicalize_nquads(&doc, &opts),
            Err(Error::Rdf(RdfError::CanonicalizationLimit {
                what: "Hash N-Degree Quads recursion depth",
                ..
            }))
        ));
    }

    #[test]
    fn sha384_differs_only_when_needed() {
        let opts = CanonOptions {
            hash_algorithm: HashAlgorithm::Sha384,
            ..CanonOptions::default()
        };
        let doc = "_:a <http://ex/p> \"1\" .\n_:b <http://ex/p> \"2\" .\n";
        assert_eq!(
            canonicalize_nquads(doc, &opts)
                .unwrap()
                .nquads()
                .lines()
                .count(),
            2
        );
    }

    #[test]
    fn next_permutation_enumerates_all() {
        let mut p = [0, 1, 2, 3];
        let mut count = 1;
        while next_permutation(&mut p) {
            count += 1;
        }
        assert_eq!(count, 24);
        assert_eq!(p, [3, 2, 1, 0]);
        assert!(!next_permutation::<u32>(&mut []));
        let mut m = [1, 1, 2, 2, 2];
        let mut count = 1;
        while next_permutation(&mut m) {
            count += 1;
        }
        assert_eq!(count, 10);
        assert_eq!(distinct_permutations(&[1, 1, 2, 2, 2]), 10);
        assert_eq!(distinct_permutations(&[0, 1, 2, 3, 4, 5, 6, 7, 8]), 362_880);
        assert_eq!(distinct_permutations(&[7; 100]), 1);
        assert_eq!(
            distinct_permutations(&(0..100).collect::<Vec<u32>>()),
            usize::MAX
        );
    }
}
