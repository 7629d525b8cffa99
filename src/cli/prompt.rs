//! Asking the person at the terminal for a secret, without showing it.

use std::io::{BufRead, IsTerminal, Write};

/// The line typed after `question`, not echoed; None when no one is at a
/// terminal to ask (a script, a pipe) or nothing was typed.
pub fn ask_secret(question: &str) -> Option<String> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return None;
    }
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    let restore = hide_typing();
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    drop(restore);
    eprintln!();
    read.ok()?;
    let secret = line.trim_end_matches(['\r', '\n']).to_owned();
    (!secret.is_empty()).then_some(secret)
}

/// Turns the terminal's echo off until the guard is dropped.
#[cfg(unix)]
fn hide_typing() -> Option<EchoGuard> {
    // SAFETY: tcgetattr/tcsetattr on stdin with a zeroed termios that
    // tcgetattr fills; the saved settings are put back on drop.
    unsafe {
        let mut saved: libc::termios = std::mem::zeroed();
        if libc::tcgetattr(libc::STDIN_FILENO, &mut saved) != 0 {
            return None;
        }
        let mut quiet = saved;
        quiet.c_lflag &= !libc::ECHO;
        quiet.c_lflag |= libc::ECHONL;
        if libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &quiet) != 0 {
            return None;
        }
        Some(EchoGuard { saved })
    }
}

#[cfg(unix)]
struct EchoGuard {
    saved: libc::termios,
}

#[cfg(unix)]
impl Drop for EchoGuard {
    fn drop(&mut self) {
        // SAFETY: puts back the settings tcgetattr read.
        unsafe {
            libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &self.saved);
        }
    }
}

#[cfg(not(unix))]
fn hide_typing() -> Option<()> {
    None
}
