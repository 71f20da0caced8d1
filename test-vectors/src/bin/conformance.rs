//! The conformance report: runs every suite against the upstream vectors.
//!
//! Exit status: 0 when no case failed unexpectedly, 1 when one did, 2 on a usage error.

use std::io::Write;
use std::process::ExitCode;

use civitas_test_vectors::{SuiteReport, run_all, vectors_dir};
use clap::Parser;

/// Run Civitas against the upstream conformance vectors and report per suite.
///
/// Vectors are read from `../shared/vectors` beside the workspace, or from the directory named
/// by the environment variable CIVITAS_VECTORS.
///
/// Example: `cargo run --release -p civitas-test-vectors --bin conformance -- --json`
#[derive(Debug, Parser)]
#[command(name = "conformance", version, about)]
struct Args {
    /// Print one JSON object: {"suites":[{"suite","passed","failed","skipped"}, ...]}.
    #[arg(long)]
    json: bool,
    /// Run only the suites whose name starts with this prefix (for example `ietf-bbs/sha-256`).
    #[arg(long, value_name = "PREFIX")]
    suite: Option<String>,
    /// List every failed case under the table.
    #[arg(long, short)]
    verbose: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let dir = vectors_dir();
    if !dir.is_dir() {
        eprintln!(
            "conformance: vectors directory {} not found; set CIVITAS_VECTORS to the folder holding the upstream vectors",
            dir.display()
        );
        return ExitCode::from(2);
    }
    let reports: Vec<SuiteReport> = run_all(&dir)
        .into_iter()
        .filter(|r| args.suite.as_deref().is_none_or(|p| r.suite.starts_with(p)))
        .collect();
    let failed: usize = reports.iter().map(|r| r.failed).sum();
    let mut out = std::io::stdout().lock();
    let written = if args.json {
        print_json(&mut out, &reports)
    } else {
        print_table(&mut out, &reports, args.verbose)
    };
    if written.is_err() {
        return ExitCode::from(2);
    }
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn print_json(out: &mut impl Write, reports: &[SuiteReport]) -> std::io::Result<()> {
    let suites: Vec<serde_json::Value> = reports
        .iter()
        .map(|r| serde_json::json!({"suite": r.suite, "passed": r.passed, "failed": r.failed, "skipped": r.skipped}))
        .collect();
    writeln!(out, "{}", serde_json::json!({ "suites": suites }))
}

fn print_table(
    out: &mut impl Write,
    reports: &[SuiteReport],
    verbose: bool,
) -> std::io::Result<()> {
    let width = reports
        .iter()
        .map(|r| r.suite.len())
        .max()
        .unwrap_or(5)
        .max(5);
    writeln!(
        out,
        "{:<width$}  {:>6}  {:>6}  {:>7}",
        "suite", "passed", "failed", "skipped"
    )?;
    for r in reports {
        writeln!(
            out,
            "{:<width$}  {:>6}  {:>6}  {:>7}",
            r.suite, r.passed, r.failed, r.skipped
        )?;
    }
    let (p, f, s) = reports.iter().fold((0, 0, 0), |(p, f, s), r| {
        (p + r.passed, f + r.failed, s + r.skipped)
    });
    writeln!(out, "{:<width$}  {p:>6}  {f:>6}  {s:>7}", "total")?;
    let failures: Vec<&String> = reports.iter().flat_map(|r| r.failures.iter()).collect();
    if !failures.is_empty() {
        if verbose {
            writeln!(out, "\nfailures:")?;
            for line in failures {
                writeln!(out, "  {line}")?;
            }
        } else {
            writeln!(
                out,
                "\n{} case(s) failed; rerun with --verbose to list them",
                failures.len()
            )?;
        }
    }
    Ok(())
}
