//! Command-line parsing and dispatch. No business logic lives here.

/// A line to standard error. A message that cannot be written (a full disk
/// behind `2>`) must not crash the run; it is remembered, and the run
/// ends with exit status 2, since what it had to say was lost.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cli::say_line(format_args!($($arg)*))
    };
}

mod args;
mod commands;
mod hints;
mod progress;
mod prompt;
mod shell;

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static STDERR_FAILED: AtomicBool = AtomicBool::new(false);

pub fn say_line(line: std::fmt::Arguments) {
    if writeln!(std::io::stderr(), "{line}").is_err() {
        STDERR_FAILED.store(true, Ordering::Relaxed);
    }
}

use clap::Parser;

/// Exit codes, as documented in README.md.
pub const EXIT_OK: i32 = 0;
/// A seal was checked and is not valid.
pub const EXIT_INVALID: i32 = 1;
/// Bad usage, bad input, or an I/O error.
pub const EXIT_ERROR: i32 = 2;

pub fn run() -> i32 {
    let code = run_command();
    if STDERR_FAILED.load(Ordering::Relaxed) {
        EXIT_ERROR
    } else {
        code
    }
}

fn run_command() -> i32 {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            if e.print().is_err() {
                STDERR_FAILED.store(true, Ordering::Relaxed);
            }
            return code;
        }
    };
    match cli.command {
        args::Command::Generate { .. }
        | args::Command::Check { .. }
        | args::Command::Demo { .. } => return_large_blocks(),
        args::Command::Verify { .. } => keep_large_blocks(),
        _ => {}
    }
    match commands::dispatch(cli) {
        Ok(code) => code,
        Err(message) => {
            // One prefix per line, so each problem can be grepped on its own.
            for line in message.lines() {
                match line.strip_prefix("hint: ") {
                    Some(hint) => say!("piagam: hint: {hint}"),
                    None => say!("piagam: error: {line}"),
                }
            }
            EXIT_ERROR
        }
    }
}

/// glibc serves large blocks from its heap once a large block has been
/// freed (its mmap threshold rises to match), and keeps them: after a
/// full-page background was decoded and freed, a 1,000-document batch held
/// 130 MB where it used 50. A fixed threshold returns every large block to
/// the system as it is freed. Only for the batch commands: `verify`
/// renders page after page into blocks of the same sizes, and with the
/// threshold fixed each was mapped anew (154,000 page faults, a third of
/// its time on a 20-page print file).
fn return_large_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter, before any thread
    // is started (no command has started one yet).
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
    }
}

/// `verify` renders page after page into blocks of the same few sizes:
/// kept in the heap once freed, the next page reuses them instead of
/// mapping and faulting in fresh memory (a fifth of its time on a 20-page
/// print file). Its peak is one page a core, so little is kept.
fn keep_large_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters, before any thread
    // is started.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 64 * 1024 * 1024);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 * 1024 * 1024);
    }
}
