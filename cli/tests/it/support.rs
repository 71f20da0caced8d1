//! What the modules of this test binary share: the built `civitas` command and what a run of
//! it gave, a scratch directory per test to run it in, the test diploma context, the holder's
//! answer to a desk, and a `civitas serve` in the background.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

/// The URL the test diploma's JSON-LD context is known by.
pub(super) const CONTEXT_URL: &str = "https://civitas.example/contexts/diploma/v1";

/// The test vectors' copy of the diploma context.
pub(super) fn context_file() -> PathBuf {
    super::repo().join("cli/data/civitas.example_contexts_diploma_v1.jsonld")
}

/// The value of `--context` that serves the diploma context from `file`: `URL=FILE`.
pub(super) fn context(file: &Path) -> String {
    format!("{CONTEXT_URL}={}", file.display())
}

/// The test vectors' diploma, unsigned.
pub(super) fn diploma() -> Value {
    let file = super::repo().join("cli/data/diploma.json");
    serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap()
}

/// A path as a command-line argument.
pub(super) fn text(path: &Path) -> String {
    path.display().to_string()
}

/// The built `civitas` binary, to be given its arguments.
pub(super) fn civitas() -> Command {
    Command::new(env!("CARGO_BIN_EXE_civitas"))
}

/// What a finished run of `civitas` gave.
pub(super) struct Run {
    /// The exit code; -1 when a signal ended it.
    pub(super) code: i32,
    pub(super) stdout: String,
    pub(super) stderr: String,
}

impl Run {
    /// Run `command` to its end, with its standard output and error captured (and standard
    /// input null, unless the command says otherwise).
    pub(super) fn of(command: &mut Command) -> Run {
        Run::from(command.output().unwrap())
    }

    /// Standard output followed by standard error.
    pub(super) fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

impl From<Output> for Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// `civitas ARGS` in the test's current directory, standard input null.
pub(super) fn run(args: &[&str]) -> Run {
    Run::of(civitas().args(args).stdin(Stdio::null()))
}

/// `civitas holder respond --wallet WALLET --disclose-all-asked EXTRA URL`: the wallet's
/// answer to a desk's request.
pub(super) fn respond(wallet: &Path, url: &str, extra: &[&str]) -> Run {
    Run::of(
        civitas()
            .args(["holder", "respond", "--wallet"])
            .arg(wallet)
            .arg("--disclose-all-asked")
            .args(extra)
            .arg(url)
            .stdin(Stdio::null()),
    )
}

/// A directory for this process's test `name` in the temporary directory, gone if it was
/// there (not made).
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("civitas-it-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// A scratch directory, made fresh and removed when dropped, to run `civitas` in.
pub(super) struct Scratch {
    dir: PathBuf,
    /// Whether every run is given the test diploma context (`--context URL=FILE`).
    context: bool,
}

impl Scratch {
    /// A fresh, empty directory for the test `name` (unique in this binary).
    pub(super) fn new(name: &str) -> Scratch {
        let dir = scratch(name);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch {
            dir,
            context: false,
        }
    }

    /// Give every run here the test diploma context, before its own arguments.
    pub(super) fn with_context(mut self) -> Scratch {
        self.context = true;
        self
    }

    /// The directory itself.
    pub(super) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path of `name` in the directory.
    pub(super) fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// The path of `name` in the directory, as a command-line argument.
    pub(super) fn arg(&self, name: &str) -> String {
        text(&self.path(name))
    }

    /// The text of the file `name`.
    pub(super) fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap()
    }

    /// Write `contents` to the file `name`.
    pub(super) fn write(&self, name: &str, contents: &str) {
        std::fs::write(self.path(name), contents).unwrap();
    }

    /// The JSON in the file `name`.
    pub(super) fn read_json(&self, name: &str) -> Value {
        serde_json::from_slice(&std::fs::read(self.path(name)).unwrap()).unwrap()
    }

    /// Write `value` to the file `name` as pretty-printed JSON.
    pub(super) fn write_json(&self, name: &str, value: &Value) {
        std::fs::write(self.path(name), serde_json::to_vec_pretty(value).unwrap()).unwrap();
    }

    /// The DID (`controller`) of the `civitas keygen` key file `key`.
    pub(super) fn did(&self, key: &str) -> String {
        self.read_json(key)["controller"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// `civitas ARGS` (after `--context URL=FILE` when [`Scratch::with_context`]) with this
    /// directory as its current directory and standard input null, not yet run.
    pub(super) fn command(&self, args: &[&str]) -> Command {
        let mut command = civitas();
        command.current_dir(&self.dir);
        if self.context {
            command.arg("--context").arg(context(&context_file()));
        }
        command.args(args).stdin(Stdio::null());
        command
    }

    /// Run `civitas ARGS` here.
    pub(super) fn run(&self, args: &[&str]) -> Run {
        Run::of(&mut self.command(args))
    }

    /// Run `civitas ARGS` here with `stdin` as its standard input.
    pub(super) fn run_with_stdin(&self, args: &[&str], stdin: &[u8]) -> Run {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin).unwrap();
        Run::from(child.wait_with_output().unwrap())
    }

    /// Run `civitas ARGS` here and require exit code 0; the command and its output are shown
    /// otherwise.
    pub(super) fn ok(&self, args: &[&str]) -> Run {
        self.code(args, 0)
    }

    /// Run `civitas ARGS` here and require the exit code `expected`; the command and its
    /// output are shown otherwise.
    pub(super) fn code(&self, args: &[&str], expected: i32) -> Run {
        let r = self.run(args);
        assert_eq!(
            r.code,
            expected,
            "civitas {}\n--- stdout:\n{}\n--- stderr:\n{}",
            args.join(" "),
            r.stdout,
            r.stderr
        );
        r
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A `civitas serve` running in the background, killed (and waited for) when dropped.
pub(super) struct Serving(Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Serving {
    /// Start `civitas serve --port 0 ARGS` and wait for the line of its standard output that
    /// starts with `announce`: the service, and the rest of that line (the address it took).
    pub(super) fn start(args: &[&str], announce: &str) -> (Serving, String) {
        let mut child = civitas()
            .args(["serve", "--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let serving = Serving(child);
        let mut lines = BufReader::new(out).lines();
        let rest = loop {
            let line = lines
                .next()
                .unwrap_or_else(|| panic!("civitas serve stopped before printing {announce:?}"))
                .unwrap();
            if let Some(rest) = line.strip_prefix(announce) {
                break rest.to_owned();
            }
        };
        // Keep reading (and dropping) its output so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        (serving, rest)
    }
}
