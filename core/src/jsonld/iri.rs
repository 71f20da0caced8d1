//! IRI helpers: absolute-IRI tests and RFC 3986 reference resolution
//! (<https://www.rfc-editor.org/rfc/rfc3986#section-5.2>), used by
//! [IRI expansion](https://www.w3.org/TR/json-ld11-api/#iri-expansion).

/// `true` when `s` starts with an RFC 3986 scheme followed by `:`.
pub(crate) fn has_scheme(s: &str) -> bool {
    let mut chars = s.char_indices();
    match chars.next() {
        Some((_, c)) if c.is_ascii_alphabetic() => {}
        _ => return false,
    }
    for (_, c) in chars {
        if c == ':' {
            return true;
        }
        if !(c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.') {
            return false;
        }
    }
    false
}

/// An absolute IRI in the JSON-LD sense (has a scheme).
pub(crate) fn is_absolute_iri(s: &str) -> bool {
    has_scheme(s)
}

/// A well-formed absolute IRI for RDF output: a scheme and no characters N-Quads forbids
/// inside `<...>`.
pub(crate) fn is_well_formed_iri(s: &str) -> bool {
    // 1: a byte N-Quads forbids in an IRIREF (controls, space, `<>"{}|\\^` and '`'); 2: `#`.
    // Built by const evaluation: the indexing below runs at compile time only.
    #[expect(
        clippy::indexing_slicing,
        reason = "the table is built by const evaluation: an out-of-bounds index fails the build, not a run"
    )]
    static CLASS: [u8; 256] = {
        let mut t = [0u8; 256];
        let mut i = 0;
        while i <= 0x20 {
            t[i] = 1;
            i += 1;
        }
        let bad = [b'<', b'>', b'"', b'{', b'}', b'|', b'\\', b'^', b'`'];
        let mut j = 0;
        while j < bad.len() {
            t[bad[j] as usize] = 1;
            j += 1;
        }
        t[b'#' as usize] = 2;
        t
    };
    let mut hashes = 0u32;
    for &b in s.as_bytes() {
        match CLASS.get(usize::from(b)) {
            Some(1) => return false,
            Some(2) => hashes += 1,
            _ => {}
        }
    }
    hashes <= 1 && has_scheme(s)
}

/// Has the form of a JSON-LD keyword: `@` followed by one or more ASCII letters
/// (<https://www.w3.org/TR/json-ld11/#keywords>).
pub(crate) fn has_keyword_form(s: &str) -> bool {
    let mut it = s.chars();
    it.next() == Some('@') && {
        let rest = it.as_str();
        !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphabetic())
    }
}

struct Parts<'a> {
    scheme: Option<&'a str>,
    authority: Option<&'a str>,
    path: &'a str,
    query: Option<&'a str>,
    fragment: Option<&'a str>,
}

fn split(s: &str) -> Parts<'_> {
    let (rest, fragment) = match s.find('#') {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (rest, query) = match rest.find('?') {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let (scheme, rest) = if has_scheme(rest) {
        match rest.find(':') {
            Some(i) => (Some(&rest[..i]), &rest[i + 1..]),
            None => (None, rest),
        }
    } else {
        (None, rest)
    };
    let (authority, path) = match rest.strip_prefix("//") {
        Some(r) => match r.find('/') {
            Some(i) => (Some(&r[..i]), &r[i..]),
            None => (Some(r), ""),
        },
        None => (None, rest),
    };
    Parts {
        scheme,
        authority,
        path,
        query,
        fragment,
    }
}

/// RFC 3986 §5.2.4 remove_dot_segments.
fn remove_dot_segments(path: &str) -> String {
    let mut input = path;
    let mut out: Vec<&str> = Vec::new();
    // Work segment by segment; each output entry includes its leading '/'.
    loop {
        if input.is_empty() {
            break;
        }
        if let Some(r) = input.strip_prefix("../") {
            input = r;
        } else if let Some(r) = input.strip_prefix("./") {
            input = r;
        } else if input.starts_with("/./") {
            input = &input[2..];
        } else if input == "/." {
            input = "/";
        } else if input.starts_with("/../") {
            input = &input[3..];
            out.pop();
        } else if input == "/.." {
            input = "/";
            out.pop();
        } else if input == "." || input == ".." {
            input = "";
        } else {
            let start = usize::from(input.starts_with('/'));
            let end = input[start..].find('/').map_or(input.len(), |i| i + start);
            out.push(&input[..end]);
            input = &input[end..];
        }
    }
    out.concat()
}

fn merge(base: &Parts<'_>, rel_path: &str) -> String {
    if base.authority.is_some() && base.path.is_empty() {
        format!("/{rel_path}")
    } else {
        match base.path.rfind('/') {
            Some(i) => format!("{}{}", &base.path[..=i], rel_path),
            None => rel_path.to_string(),
        }
    }
}

/// Resolve `reference` against `base` (RFC 3986 §5.2.2). With no base the reference is
/// returned unchanged.
pub(crate) fn resolve(reference: &str, base: Option<&str>) -> String {
    let Some(base) = base else {
        return reference.to_string();
    };
    let r = split(reference);
    let b = split(base);
    let (scheme, authority, path, query);
    if r.scheme.is_some() {
        scheme = r.scheme;
        authority = r.authority;
        path = remove_dot_segments(r.path);
        query = r.query;
    } else {
        if r.authority.is_some() {
            authority = r.authority;
            path = remove_dot_segments(r.path);
            query = r.query;
        } else {
            if r.path.is_empty() {
                path = b.path.to_string();
                query = if r.query.is_some() { r.query } else { b.query };
            } else {
                if r.path.starts_with('/') {
                    path = remove_dot_segments(r.path);
                } else {
                    path = remove_dot_segments(&merge(&b, r.path));
                }
                query = r.query;
            }
            authority = b.authority;
        }
        scheme = b.scheme;
    }
    let mut out = String::with_capacity(base.len() + reference.len());
    if let Some(s) = scheme {
        out.push_str(s);
        out.push(':');
    }
    if let Some(a) = authority {
        out.push_str("//");
        out.push_str(a);
    }
    out.push_str(&path);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    if let Some(f) = r.fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3986_examples() {
        let b = Some("http://a/b/c/d;p?q");
        for (r, want) in [
            ("g:h", "g:h"),
            ("g", "http://a/b/c/g"),
            ("./g", "http://a/b/c/g"),
            ("g/", "http://a/b/c/g/"),
            ("/g", "http://a/g"),
            ("//g", "http://g"),
            ("?y", "http://a/b/c/d;p?y"),
            ("g?y", "http://a/b/c/g?y"),
            ("#s", "http://a/b/c/d;p?q#s"),
            ("", "http://a/b/c/d;p?q"),
            (".", "http://a/b/c/"),
            ("./", "http://a/b/c/"),
            ("..", "http://a/b/"),
            ("../g", "http://a/b/g"),
            ("../..", "http://a/"),
            ("../../../g", "http://a/g"),
            ("/./g", "http://a/g"),
            ("g;x=1/../y", "http://a/b/c/y"),
        ] {
            assert_eq!(resolve(r, b), want, "{r}");
        }
    }
}
