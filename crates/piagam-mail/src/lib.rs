//! `piagam send`: every winner's documents from a batch folder, by email,
//! one message per address with all that winner's documents attached.
//!
//! Every message is recorded in the register (its documents, address,
//! Message-ID, time, and the server's answer), so a rerun after a failure
//! or a kill sends only what no server accepted. A temporary refusal is
//! tried again with a pause; a permanent one is recorded and the run goes
//! on. `dry_run` writes each message as an `.eml` file instead, connecting
//! nowhere.

pub mod letter;
pub mod plan;
pub mod smtp;

use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::message::Mailbox;
use piagam::register::{Delivery, Register};

pub use letter::{default_wording, Event, Wording};
pub use plan::{plan, Letter, Plan};
pub use smtp::{Answer, Deliver, Endpoint, Smtp};

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MailError {
    #[error("{}: {message}", path.display())]
    Batch { path: PathBuf, message: String },
    #[error("{serial} is in the batch but was not issued in the register {}: send what that register issued", register.display())]
    NotIssued { serial: String, register: PathBuf },
    #[error("the register: {0}")]
    Register(String),
    #[error("the message: {0}")]
    Wording(String),
    #[error("not an address: {0}")]
    Address(String),
    #[error("row {row}: the documents are {bytes} bytes together, more than the {} MB a message may carry", letter::MAX_ATTACHMENTS_BYTES / 1024 / 1024)]
    TooLarge { row: usize, bytes: u64 },
    #[error("the mail server {0}")]
    Endpoint(String),
    #[error("{}: {message}", path.display())]
    Write { path: PathBuf, message: String },
}

/// How a send goes.
#[derive(Debug, Clone)]
pub struct SendOptions {
    pub from: Mailbox,
    pub event: Event,
    pub wording: Wording,
    /// At most this many messages a minute.
    pub per_minute: u32,
    /// Send these documents' letters again, though a server accepted them.
    pub resend: Vec<String>,
    /// Tries of a temporarily refused message before it is left for a rerun.
    pub tries: u32,
    /// The pause before the second try; it doubles for each further one.
    pub backoff: Duration,
}

/// What a send did.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub sent: usize,
    /// Already accepted by a server in an earlier run.
    pub skipped: usize,
    /// (row, address, why).
    pub failed: Vec<(usize, String, String)>,
}

/// A Message-ID for a letter to an address: the same on every try, so a
/// mail program shows a message sent twice by a kill as one.
fn message_id(letter: &Letter, address: &str, attempt: usize, domain: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (letter.serials(), address.to_ascii_lowercase()).hash(&mut hasher);
    format!("<piagam.{:016x}.{attempt}@{domain}>", hasher.finish())
}

fn domain_of(from: &Mailbox) -> String {
    from.email.domain().to_owned()
}

/// Sends every letter of `plan` through `server`, recording each in
/// `register`; `progress` hears each one as it is settled.
pub fn send(
    plan: &Plan,
    server: &dyn Deliver,
    register: &Register,
    options: &SendOptions,
    progress: &mut dyn FnMut(&Letter, &str, &Delivery),
) -> Result<Summary, MailError> {
    letter::check_wording(&options.wording)?;
    let recorded = register
        .messages()
        .map_err(|e| MailError::Register(e.to_string()))?;
    let domain = domain_of(&options.from);
    let pause = Duration::from_secs(60) / options.per_minute.max(1);
    let mut summary = Summary::default();
    let mut first = true;
    for letter in &plan.letters {
        let serials = letter.serials();
        let again = serials.iter().any(|s| options.resend.contains(s));
        for address in &letter.addresses {
            let earlier: Vec<_> = recorded
                .iter()
                .filter(|m| m.serials == serials && m.address.eq_ignore_ascii_case(address))
                .collect();
            if !again && earlier.iter().any(|m| m.delivery == Delivery::Accepted) {
                summary.skipped += 1;
                continue;
            }
            // A message tried before (its fate not heard: a kill; or not
            // accepted) goes again under its own Message-ID, so a mail
            // program shows one; a resend on purpose is a new message.
            let id = match earlier.last() {
                Some(m) if !again => m.message_id.clone(),
                _ => message_id(letter, address, earlier.len(), &domain),
            };
            let message = match letter::compose(
                letter,
                address,
                &options.from,
                &options.event,
                &options.wording,
                &id,
            ) {
                Ok(m) => m,
                Err(e @ (MailError::TooLarge { .. } | MailError::Address(_))) => {
                    summary
                        .failed
                        .push((letter.row, address.clone(), e.to_string()));
                    continue;
                }
                Err(e) => return Err(e),
            };
            if !first {
                std::thread::sleep(pause);
            }
            first = false;
            let record = register
                .start_message(&serials, address, &id)
                .map_err(|e| MailError::Register(e.to_string()))?;
            let mut tries = 0;
            let (delivery, answer) = loop {
                tries += 1;
                match server.deliver(&message) {
                    Answer::Accepted(text) => break (Delivery::Accepted, text),
                    Answer::Permanent(text) => break (Delivery::Refused, text),
                    Answer::Unreachable(text) => break (Delivery::Failed, text),
                    Answer::Temporary(text) if tries >= options.tries.max(1) => {
                        break (Delivery::Failed, text)
                    }
                    Answer::Temporary(_) => {
                        std::thread::sleep(options.backoff * 2u32.pow(tries - 1));
                    }
                }
            };
            register
                .settle_message(record, delivery, &answer)
                .map_err(|e| MailError::Register(e.to_string()))?;
            match delivery {
                Delivery::Accepted => summary.sent += 1,
                _ => summary
                    .failed
                    .push((letter.row, address.clone(), answer.clone())),
            }
            progress(letter, address, &delivery);
        }
    }
    Ok(summary)
}

/// Writes every message of `plan` into `dir` as `.eml` files to review,
/// sending nothing; the files' paths.
pub fn dry_run(plan: &Plan, dir: &Path, options: &SendOptions) -> Result<Vec<PathBuf>, MailError> {
    letter::check_wording(&options.wording)?;
    std::fs::create_dir_all(dir).map_err(|e| MailError::Write {
        path: dir.to_owned(),
        message: e.to_string(),
    })?;
    let domain = domain_of(&options.from);
    let mut written = Vec::new();
    for letter in &plan.letters {
        for (n, address) in letter.addresses.iter().enumerate() {
            let id = message_id(letter, address, 0, &domain);
            let message = letter::compose(
                letter,
                address,
                &options.from,
                &options.event,
                &options.wording,
                &id,
            )?;
            let path = dir.join(format!("{:04}-{}.eml", letter.row, n + 1));
            piagam::write_atomic(&path, &message.formatted()).map_err(|e| MailError::Write {
                path: path.clone(),
                message: e.to_string(),
            })?;
            written.push(path);
        }
    }
    Ok(written)
}
