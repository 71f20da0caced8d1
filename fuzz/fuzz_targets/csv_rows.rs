//! The CSV reader of `civitas issue --csv`: never panics; line numbers only grow.
#![no_main]

use civitas_cli::csv::parse_csv;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(rows) = parse_csv(text) {
        let lines = text.matches('\n').count() + 1;
        let mut last = 0;
        for (line, _) in &rows {
            assert!(*line > last && *line <= lines, "row line numbers");
            last = *line;
        }
    }
});
