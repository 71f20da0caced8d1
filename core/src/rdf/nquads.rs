//! N-Quads: a strict parser (<https://www.w3.org/TR/n-quads/>) and a serializer producing the
//! canonical N-Quads form required by RDFC-1.0
//! (<https://www.w3.org/TR/rdf-canon/#canonical-quads>).
//!
//! The parser accepts exactly the N-Quads grammar
//! (<https://www.w3.org/TR/n-quads/#sec-grammar>): absolute IRIs only, `UCHAR`/`ECHAR`
//! escapes, comments and blank lines. Every failure is an [`crate::RdfError::NQuadsSyntax`] with a
//! 1-based line and column; the parser never panics.

use super::{Literal, Quad, RDF_LANG_STRING, Term, XSD_STRING};
use crate::Error;
use crate::RdfError;

/// Parses an N-Quads document into quads, in document order (duplicates are kept).
///
/// Literals without a datatype get [`XSD_STRING`]; literals with a language tag get
/// [`RDF_LANG_STRING`].
pub fn parse_nquads(input: &str) -> Result<Vec<Quad>, Error> {
    let mut parser = Parser {
        src: input,
        pos: 0,
        line: 1,
        line_start: 0,
    };
    let mut quads = Vec::new();
    loop {
        parser.skip_ws();
        match parser.peek() {
            None => break,
            Some('\n' | '\r') => parser.eol(),
            Some('#') => parser.skip_comment(),
            Some(_) => {
                quads.push(parser.statement()?);
                parser.skip_ws();
                match parser.peek() {
                    None => break,
                    Some('#') => parser.skip_comment(),
                    Some('\n' | '\r') => parser.eol(),
                    Some(_) => return Err(parser.err("unexpected content after '.'")),
                }
            }
        }
    }
    Ok(quads)
}

struct Parser<'a> {
    src: &'a str,
    /// Byte offset of the next character.
    pos: usize,
    line: usize,
    /// Byte offset where the current line starts.
    line_start: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn err(&self, reason: &'static str) -> Error {
        let column = self
            .src
            .get(self.line_start..self.pos)
            .map_or(0, |s| s.chars().count())
            + 1;
        Error::Rdf(RdfError::NQuadsSyntax {
            line: self.line,
            column,
            reason,
        })
    }

    fn skip_ws(&mut self) {
        while let Some(' ' | '\t') = self.peek() {
            self.pos += 1;
        }
    }

    fn skip_comment(&mut self) {
        while let Some(c) = self.peek() {
            if c == '\n' || c == '\r' {
                break;
            }
            self.pos += c.len_utf8();
        }
    }

    /// Consumes one or more line ends, counting `\n`, `\r\n` and a lone `\r` as one line each.
    fn eol(&mut self) {
        loop {
            match self.peek() {
                Some('\n') => self.pos += 1,
                Some('\r') => {
                    self.pos += 1;
                    if self.peek() == Some('\n') {
                        self.pos += 1;
                    }
                }
                _ => break,
            }
            self.line += 1;
            self.line_start = self.pos;
        }
    }

    /// `statement ::= subject predicate object graphLabel? '.'`
    fn statement(&mut self) -> Result<Quad, Error> {
        let subject = match self.peek() {
            Some('<') => Term::Iri(self.iri()?),
            Some('_') => Term::BlankNode(self.blank_node()?),
            _ => return Err(self.err("expected an IRI or a blank node as subject")),
        };
        self.skip_ws();
        let predicate = match self.peek() {
            Some('<') => Term::Iri(self.iri()?),
            _ => return Err(self.err("expected an IRI as predicate")),
        };
        self.skip_ws();
        let object = match self.peek() {
            Some('<') => Term::Iri(self.iri()?),
            Some('_') => Term::BlankNode(self.blank_node()?),
            Some('"') => Term::Literal(self.literal()?),
            _ => return Err(self.err("expected an IRI, a blank node or a literal as object")),
        };
        self.skip_ws();
        let graph = match self.peek() {
            Some('<') => Some(Term::Iri(self.iri()?)),
            Some('_') => Some(Term::BlankNode(self.blank_node()?)),
            _ => None,
        };
        self.skip_ws();
        match self.peek() {
            Some('.') => {
                self.pos += 1;
                Ok(Quad {
                    subject,
                    predicate,
                    object,
                    graph,
                })
            }
            Some('"') => Err(self.err("a literal is not allowed as graph label")),
            _ => Err(self.err("expected '.' at the end of the statement")),
        }
    }

    /// `IRIREF ::= '<' ([^#x00-#x20<>"{}|^`\] | UCHAR)* '>'`, which must be absolute.
    fn iri(&mut self) -> Result<String, Error> {
        let start = self.pos;
        self.pos += 1; // '<'
        // Fast path: no escapes, every character allowed.
        let rest = self.rest().as_bytes();
        if let Some(end) = rest.iter().position(|&b| !iri_byte_allowed(b))
            && rest.get(end) == Some(&b'>')
        {
            let iri = self.rest().get(..end).unwrap_or("").to_owned();
            if !has_scheme(&iri) {
                self.pos = start;
                return Err(self.err("IRI is not absolute (no scheme)"));
            }
            self.pos += end + 1;
            return Ok(iri);
        }
        let mut out = String::new();
        loop {
            let at = self.pos;
            match self.bump() {
                None | Some('\n' | '\r') => {
                    self.pos = at;
                    return Err(self.err("unterminated IRI"));
                }
                Some('>') => break,
                Some('\\') => {
                    let c = self.uchar()?;
                    if !iri_char_allowed(c) {
                        self.pos = at;
                        return Err(self.err("escaped character not allowed in an IRI"));
                    }
                    out.push(c);
                }
                Some(c) if iri_char_allowed(c) => out.push(c),
                Some(_) => {
                    self.pos = at;
                    return Err(self.err("character not allowed in an IRI"));
                }
            }
        }
        if !has_scheme(&out) {
            self.pos = start;
            return Err(self.err("IRI is not absolute (no scheme)"));
        }
        Ok(out)
    }

    /// After a backslash in an IRI: `UCHAR ::= '\u' HEX{4} | '\U' HEX{8}`.
    fn uchar(&mut self) -> Result<char, Error> {
        let at = self.pos.saturating_sub(1);
        let digits = match self.bump() {
            Some('u') => 4,
            Some('U') => 8,
            _ => {
                self.pos = at;
                return Err(self.err("invalid escape sequence"));
            }
        };
        self.hex_char(digits, at)
    }

    fn hex_char(&mut self, digits: usize, at: usize) -> Result<char, Error> {
        let mut value: u32 = 0;
        for _ in 0..digits {
            match self.peek().and_then(|c| c.to_digit(16)) {
                Some(d) => {
                    value = (value << 4) | d;
                    self.pos += 1;
                }
                None => {
                    self.pos = at;
                    return Err(self.err("invalid \\u or \\U escape: expected hexadecimal digits"));
                }
            }
        }
        match char::from_u32(value) {
            Some(c) => Ok(c),
            None => {
                self.pos = at;
                Err(self.err("\\u or \\U escape is not a Unicode scalar value"))
            }
        }
    }

    /// `BLANK_NODE_LABEL ::= '_:' (PN_CHARS_U | [0-9]) ((PN_CHARS | '.')* PN_CHARS)?`
    fn blank_node(&mut self) -> Result<String, Error> {
        if !self.rest().starts_with("_:") {
            return Err(self.err("expected '_:' to start a blank node label"));
        }
        self.pos += 2;
        let start = self.pos;
        match self.peek() {
            Some(c) if is_pn_chars_u(c) || c.is_ascii_digit() => self.pos += c.len_utf8(),
            _ => return Err(self.err("invalid blank node label")),
        }
        let mut end = self.pos;
        while let Some(c) = self.peek() {
            if c == '.' {
                self.pos += 1;
            } else if is_pn_chars(c) {
                self.pos += c.len_utf8();
                end = self.pos;
            } else {
                break;
            }
        }
        // A label cannot end with '.': trailing dots belong to the statement.
        self.pos = end;
        Ok(self.src.get(start..end).unwrap_or("").to_owned())
    }

    /// `literal ::= STRING_LITERAL_QUOTE ('^^' IRIREF | LANGTAG)?`
    fn literal(&mut self) -> Result<Literal, Error> {
        let open = self.pos;
        self.pos += 1; // '"'
        // Fast path: no escapes; the slow path below starts over if there is one.
        let rest = self.rest().as_bytes();
        let stop = rest
            .iter()
            .position(|&b| matches!(b, b'"' | b'\\' | b'\n' | b'\r'));
        let mut value = String::new();
        if let Some(end) = stop
            && rest.get(end) == Some(&b'"')
        {
            value.push_str(self.rest().get(..end).unwrap_or(""));
            self.pos += end + 1;
        } else {
            self.literal_value_escaped(open, &mut value)?;
        }
        self.literal_suffix(value)
    }

    /// The lexical form after the opening quote, decoding `ECHAR` and `UCHAR`.
    fn literal_value_escaped(&mut self, open: usize, value: &mut String) -> Result<(), Error> {
        loop {
            let at = self.pos;
            match self.bump() {
                None | Some('\n' | '\r') => {
                    self.pos = open;
                    return Err(self.err("unterminated string literal"));
                }
                Some('"') => break,
                Some('\\') => {
                    let c = match self.bump() {
                        Some('t') => '\t',
                        Some('b') => '\u{8}',
                        Some('n') => '\n',
                        Some('r') => '\r',
                        Some('f') => '\u{c}',
                        Some('"') => '"',
                        Some('\'') => '\'',
                        Some('\\') => '\\',
                        Some('u') => self.hex_char(4, at)?,
                        Some('U') => self.hex_char(8, at)?,
                        _ => {
                            self.pos = at;
                            return Err(self.err("invalid escape sequence in literal"));
                        }
                    };
                    value.push(c);
                }
                Some(c) => value.push(c),
            }
        }
        Ok(())
    }

    /// `('^^' IRIREF | LANGTAG)?` after a lexical form.
    fn literal_suffix(&mut self, value: String) -> Result<Literal, Error> {
        match self.peek() {
            Some('@') => {
                self.pos += 1;
                let start = self.pos;
                let mut subtag_len = 0usize;
                let mut first = true;
                while let Some(c) = self.peek() {
                    if c.is_ascii_alphabetic() || (!first && c.is_ascii_digit()) {
                        subtag_len += 1;
                    } else if c == '-' && subtag_len > 0 {
                        subtag_len = 0;
                        first = false;
                    } else {
                        break;
                    }
                    self.pos += 1;
                }
                if subtag_len == 0 {
                    return Err(self.err("invalid language tag"));
                }
                let language = self.src.get(start..self.pos).unwrap_or("").to_owned();
                Ok(Literal {
                    value,
                    datatype: RDF_LANG_STRING.to_owned(),
                    language: Some(language),
                })
            }
            Some('^') => {
                if !self.rest().starts_with("^^<") {
                    return Err(self.err("expected '^^<' before a datatype IRI"));
                }
                self.pos += 2;
                let datatype = self.iri()?;
                Ok(Literal {
                    value,
                    datatype,
                    language: None,
                })
            }
            _ => Ok(Literal {
                value,
                datatype: XSD_STRING.to_owned(),
                language: None,
            }),
        }
    }
}

/// Bytes of UTF-8 text that may appear unescaped in `IRIREF` (non-ASCII bytes all may).
fn iri_byte_allowed(b: u8) -> bool {
    b > 0x20
        && !matches!(
            b,
            b'<' | b'>' | b'"' | b'{' | b'}' | b'|' | b'^' | b'`' | b'\\'
        )
}

/// Characters allowed unescaped in `IRIREF`.
fn iri_char_allowed(c: char) -> bool {
    !matches!(
        c,
        '\u{0}'..='\u{20}' | '<' | '>' | '"' | '{' | '}' | '|' | '^' | '`' | '\\'
    )
}

/// `scheme ":"` with `scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` (RFC 3987).
fn has_scheme(iri: &str) -> bool {
    let Some((scheme, _)) = iri.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// `PN_CHARS_BASE` of the N-Quads grammar.
fn is_pn_chars_base(c: char) -> bool {
    matches!(c,
        'A'..='Z' | 'a'..='z'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

/// `PN_CHARS_U ::= PN_CHARS_BASE | '_' | ':'`
fn is_pn_chars_u(c: char) -> bool {
    is_pn_chars_base(c) || c == '_' || c == ':'
}

/// `PN_CHARS ::= PN_CHARS_U | '-' | [0-9] | #xB7 | [#x300-#x36F] | [#x203F-#x2040]`
fn is_pn_chars(c: char) -> bool {
    is_pn_chars_u(c)
        || matches!(c, '-' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

// ---- serialization -------------------------------------------------------------------------

/// Serializes quads, one canonical N-Quads line each, in the given order.
pub fn to_nquads(quads: &[Quad]) -> String {
    let mut out = String::with_capacity(quads.len() * 96);
    for quad in quads {
        write_quad(&mut out, quad);
    }
    out
}

/// Appends `quad` in canonical N-Quads form, including the final `\n`
/// (<https://www.w3.org/TR/rdf-canon/#canonical-quads>).
pub fn write_quad(out: &mut String, quad: &Quad) {
    write_quad_with(out, quad, &mut |out, label| {
        out.push_str("_:");
        out.push_str(label);
    });
}

/// Appends `quad` in canonical N-Quads form; each blank node is written by `bnode`
/// (which receives the label and writes the whole term, `_:` included).
pub(crate) fn write_quad_with(
    out: &mut String,
    quad: &Quad,
    bnode: &mut impl FnMut(&mut String, &str),
) {
    write_term_with(out, &quad.subject, bnode);
    out.push(' ');
    write_term_with(out, &quad.predicate, bnode);
    out.push(' ');
    write_term_with(out, &quad.object, bnode);
    if let Some(graph) = &quad.graph {
        out.push(' ');
        write_term_with(out, graph, bnode);
    }
    out.push_str(" .\n");
}

/// Appends one term in canonical N-Quads form.
pub fn write_term(out: &mut String, term: &Term) {
    write_term_with(out, term, &mut |out, label| {
        out.push_str("_:");
        out.push_str(label);
    });
}

pub(crate) fn write_term_with(
    out: &mut String,
    term: &Term,
    bnode: &mut impl FnMut(&mut String, &str),
) {
    match term {
        Term::Iri(iri) => write_iri(out, iri),
        Term::BlankNode(label) => bnode(out, label),
        Term::Literal(lit) => {
            out.push('"');
            write_escaped_string(out, &lit.value);
            out.push('"');
            if let Some(lang) = &lit.language {
                out.push('@');
                out.push_str(lang);
            } else if lit.datatype != XSD_STRING {
                out.push_str("^^");
                write_iri(out, &lit.datatype);
            }
        }
    }
}

/// `<iri>`; characters that `IRIREF` does not allow unescaped are written as `\uXXXX` so that
/// the output always parses (well-formed IRIs contain none).
pub(crate) fn write_iri(out: &mut String, iri: &str) {
    out.push('<');
    if iri.bytes().all(iri_byte_allowed) {
        out.push_str(iri);
    } else {
        for c in iri.chars() {
            if iri_char_allowed(c) {
                out.push(c);
            } else {
                push_uchar(out, c);
            }
        }
    }
    out.push('>');
}

fn push_uchar(out: &mut String, c: char) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let v = u32::from(c);
    out.push_str("\\u");
    for shift in [12u32, 8, 4, 0] {
        let nibble = ((v >> shift) & 0xF) as usize;
        out.push(char::from(HEX.get(nibble).copied().unwrap_or(b'0')));
    }
}

/// Escapes a lexical form as `STRING_LITERAL_QUOTE` content in canonical form: `ECHAR` for
/// BS, HT, LF, FF, CR, `"` and `\`; `UCHAR` (`\uXXXX`, uppercase) for the other C0 controls,
/// DEL and the non-characters U+FFFE and U+FFFF (not XML 1.1 `Char`); everything else native.
pub(crate) fn write_escaped_string(out: &mut String, value: &str) {
    // Fast path; 0xEF leads the UTF-8 encodings of U+FFFE and U+FFFF.
    if !value
        .bytes()
        .any(|b| b < 0x20 || matches!(b, b'"' | b'\\' | 0x7F | 0xEF))
    {
        out.push_str(value);
        return;
    }
    let mut run_start = 0;
    for (i, c) in value.char_indices() {
        let escape: Option<&str> = match c {
            '\u{8}' => Some("\\b"),
            '\t' => Some("\\t"),
            '\n' => Some("\\n"),
            '\u{c}' => Some("\\f"),
            '\r' => Some("\\r"),
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\u{0}'..='\u{1F}' | '\u{7F}' | '\u{FFFE}' | '\u{FFFF}' => Some(""),
            _ => None,
        };
        if let Some(esc) = escape {
            out.push_str(value.get(run_start..i).unwrap_or(""));
            if esc.is_empty() {
                push_uchar(out, c);
            } else {
                out.push_str(esc);
            }
            run_start = i + c.len_utf8();
        }
    }
    out.push_str(value.get(run_start..).unwrap_or(""));
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail by panicking"
)]
mod tests {
    use super::*;

    fn syntax_reason(doc: &str) -> (usize, &'static str) {
        match parse_nquads(doc) {
            Err(Error::Rdf(RdfError::NQuadsSyntax { line, reason, .. })) => (line, reason),
            other => panic!("expected a syntax error for {doc:?}, got {other:?}"),
        }
    }

    #[test]
    fn parses_all_term_kinds() {
        let doc = "# comment\n<http://a/s> <http://a/p> \"v\\n\\u00e9\"@en-GB <http://a/g> .\r\n\
                   _:b0 <http://a/p> \"1\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n\n\
                   _:b0.x <http://a/p> _:b1. # trailing comment\n<a:s><a:p>\"x\".";
        let quads = parse_nquads(doc).unwrap();
        assert_eq!(quads.len(), 4);
        assert_eq!(
            quads[0].object,
            Term::Literal(Literal {
                value: "v\n\u{e9}".into(),
                datatype: RDF_LANG_STRING.into(),
                language: Some("en-GB".into()),
            })
        );
        assert_eq!(quads[0].graph, Some(Term::Iri("http://a/g".into())));
        assert_eq!(quads[2].subject, Term::BlankNode("b0.x".into()));
        assert_eq!(quads[2].object, Term::BlankNode("b1".into()));
        assert_eq!(
            quads[3].object,
            Term::Literal(Literal {
                value: "x".into(),
                datatype: XSD_STRING.into(),
                language: None
            })
        );
        assert_eq!(
            to_nquads(&quads[..2]),
            "<http://a/s> <http://a/p> \"v\\n\u{e9}\"@en-GB <http://a/g> .\n\
             _:b0 <http://a/p> \"1\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n"
        );
    }

    #[test]
    fn typed_errors() {
        assert_eq!(
            syntax_reason("<a:s> <a:p> \"x\\q\" ."),
            (1, "invalid escape sequence in literal")
        );
        assert_eq!(
            syntax_reason("<a:s> <a:p> \"x\\u12\" ."),
            (1, "invalid \\u or \\U escape: expected hexadecimal digits")
        );
        assert_eq!(
            syntax_reason("<a:s> <a:p> \"\\uD800\" ."),
            (1, "\\u or \\U escape is not a Unicode scalar value")
        );
        assert_eq!(
            syntax_reason("\n<a:s> <a:p> <a:o>"),
            (2, "expected '.' at the end of the statement")
        );
        assert_eq!(
            syntax_reason("<a:s> <a:p> <a:o> . <a:s> <a:p> <a:o> ."),
            (1, "unexpected content after '.'")
        );
        assert_eq!(
            syntax_reason("<a:s> <a p> <a:o> ."),
            (1, "character not allowed in an IRI")
        );
        assert_eq!(
            syntax_reason("<a:s> <rel/p> <a:o> ."),
            (1, "IRI is not absolute (no scheme)")
        );
        assert_eq!(
            syntax_reason("<a:s> <a:p\\u0020> <a:o> ."),
            (1, "escaped character not allowed in an IRI")
        );
        assert_eq!(syntax_reason("<a:s> <a:p> <a:o"), (1, "unterminated IRI"));
        assert_eq!(
            syntax_reason("<a:s> <a:p> \"abc .\n"),
            (1, "unterminated string literal")
        );
        assert_eq!(
            syntax_reason("<a:s> <a:p> \"abc\"@ ."),
            (1, "invalid language tag")
        );
        assert_eq!(
            syntax_reason("<a:s> <a:p> \"abc\"^<a:d> ."),
            (1, "expected '^^<' before a datatype IRI")
        );
        assert_eq!(
            syntax_reason("_:-x <a:p> <a:o> ."),
            (1, "invalid blank node label")
        );
        assert_eq!(
            syntax_reason("\"s\" <a:p> <a:o> ."),
            (1, "expected an IRI or a blank node as subject")
        );
        assert_eq!(
            syntax_reason("<a:s> _:p <a:o> ."),
            (1, "expected an IRI as predicate")
        );
        assert_eq!(
            syntax_reason("<a:s> <a:p> <a:o> \"g\" ."),
            (1, "a literal is not allowed as graph label")
        );
        match parse_nquads("<a:s> <a:p> \"\u{e9}\\x\" .") {
            Err(Error::Rdf(RdfError::NQuadsSyntax { column, .. })) => assert_eq!(column, 15),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn canonical_literal_escaping() {
        let mut out = String::new();
        write_escaped_string(
            &mut out,
            "a\u{0}\u{7}\u{8}\t\n\u{b}\u{c}\r\u{e}\"'\\\u{7f}\u{80}\u{fffe}\u{1F303}",
        );
        assert_eq!(
            out,
            "a\\u0000\\u0007\\b\\t\\n\\u000B\\f\\r\\u000E\\\"'\\\\\\u007F\u{80}\\uFFFE\u{1F303}"
        );
    }

    #[test]
    fn round_trip() {
        let doc = "<a:s> <a:p> \"\\u0000\\\"\\\\ \\u007F\\uFFFF\u{e9}\" _:g .\n_:x <a:p> \"d\"^^<a:dt> <a:g> .\n";
        let quads = parse_nquads(doc).unwrap();
        let text = to_nquads(&quads);
        assert_eq!(parse_nquads(&text).unwrap(), quads);
        assert_eq!(
            text,
            "<a:s> <a:p> \"\\u0000\\\"\\\\ \\u007F\\uFFFF\u{e9}\" _:g .\n_:x <a:p> \"d\"^^<a:dt> <a:g> .\n"
        );
    }

    #[test]
    fn truncations_never_panic() {
        let doc = "<http://example.org/s> <http://example.org/p> \"caf\u{e9} \\u00e9\\n\\\"x\\\"\"@fr-CA <http://example.org/g> .\n\
                   _:b0 <http://example.org/p> \"42\"^^<http://www.w3.org/2001/XMLSchema#integer> _:g1 .\n\
                   _:b0.1 <http://example.org/p> _:b2 . # comment \u{1F303}\n";
        for (i, _) in doc.char_indices() {
            let _ = parse_nquads(&doc[..i]);
            let _ = parse_nquads(&doc[i..]);
        }
        assert_eq!(parse_nquads(doc).unwrap().len(), 3);
    }

    /// Every single-character substitution with a syntax-relevant character parses or fails
    /// with a typed error, and whatever parses round-trips through the serializer.
    #[test]
    fn substitutions_never_panic() {
        let doc = "<http://example.org/s> <http://example.org/p> \"a\\u00e9\\n\"@en _:g .\n\
                   _:b0 <http://example.org/p> \"42\"^^<http://example.org/int> .\n";
        let specials = [
            '<', '>', '"', '\\', '_', ':', '.', '@', '^', ' ', '\n', '#', 'u', 'U', '\u{e9}',
        ];
        for (i, c) in doc.char_indices() {
            for &sub in &specials {
                let mut mutated = String::with_capacity(doc.len() + 4);
                mutated.push_str(&doc[..i]);
                mutated.push(sub);
                mutated.push_str(&doc[i + c.len_utf8()..]);
                match parse_nquads(&mutated) {
                    Ok(quads) => assert_eq!(parse_nquads(&to_nquads(&quads)).unwrap(), quads),
                    Err(Error::Rdf(RdfError::NQuadsSyntax { line, column, .. })) => {
                        assert!(line >= 1 && column >= 1);
                    }
                    Err(other) => panic!("unexpected error {other:?}"),
                }
            }
        }
    }
}
