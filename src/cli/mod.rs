//! Command-line parsing and dispatch. No business logic lives here.

mod args;
mod commands;
mod hints;

use clap::Parser;

/// Exit codes, as documented in README.md.
pub const EXIT_OK: i32 = 0;
/// A seal was checked and is not valid.
pub const EXIT_INVALID: i32 = 1;
/// Bad usage, bad input, or an I/O error.
pub const EXIT_ERROR: i32 = 2;

pub fn run() -> i32 {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    match commands::dispatch(cli) {
        Ok(code) => code,
        Err(message) => {
            // One prefix per line, so each problem can be grepped on its own.
            for line in message.lines() {
                match line.strip_prefix("hint: ") {
                    Some(hint) => eprintln!("piagam: hint: {hint}"),
                    None => eprintln!("piagam: error: {line}"),
                }
            }
            EXIT_ERROR
        }
    }
}
