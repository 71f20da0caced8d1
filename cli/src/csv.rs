//! The CSV reader of `civitas issue --csv`: public so that the fuzz target can reach it.

/// Parse CSV (RFC 4180: commas, double quotes, doubled quotes, line breaks inside quotes).
/// Returns rows with their 1-based line number.
///
/// # Errors
/// A message naming the line, for a quote inside an unquoted field or an unterminated
/// quoted field.
pub fn parse_csv(text: &str) -> Result<Vec<(usize, Vec<String>)>, String> {
    let mut rows = Vec::new();
    let (mut row, mut field) = (Vec::new(), String::new());
    let (mut line, mut row_line) = (1usize, 1usize);
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push('\n');
                }
                c => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            '"' => return Err(format!("line {line}: a quote inside an unquoted field")),
            ',' => row.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                if !(row.len() == 1 && row.first().is_some_and(String::is_empty)) {
                    rows.push((row_line, std::mem::take(&mut row)));
                }
                row.clear();
                line += 1;
                row_line = line;
            }
            c => field.push(c),
        }
        at_start = false;
    }
    if quoted {
        return Err(format!("line {row_line}: unterminated quoted field"));
    }
    if !at_start && (!field.is_empty() || !row.is_empty()) {
        row.push(field);
        rows.push((row_line, row));
    }
    Ok(rows)
}

#[cfg(test)]
#[expect(clippy::indexing_slicing, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn csv_parsing() {
        let rows = parse_csv("a,b\n\"x, y\",\"he said \"\"hi\"\"\"\n\"multi\nline\",z\r\n\n")
            .unwrap_or_default();
        assert_eq!(rows.len(), 3);
        assert_eq!(
            rows[1].1,
            vec!["x, y".to_string(), "he said \"hi\"".to_string()]
        );
        assert_eq!(rows[2].0, 3);
        assert_eq!(rows[2].1[0], "multi\nline");
        assert!(parse_csv("a\n\"open").is_err());
        assert!(parse_csv("a\nx\"y\n").is_err());
    }
}
