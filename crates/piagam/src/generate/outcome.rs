//! What a run reports: what it did to its register, and what went wrong.
//! Its own module, so that the run and the writer it calls both use it
//! without using each other.

use std::path::PathBuf;

use super::GenerateError;
use crate::register::RegisterError;

/// What a run did to its register.
#[derive(Debug, Clone, Default)]
pub struct RegisterReport {
    pub path: PathBuf,
    /// Documents issued for the first time.
    pub new: usize,
    /// Documents already issued, with the same claims and serial.
    pub kept: usize,
    /// Documents an interrupted run reserved, issued now.
    pub completed: usize,
    /// Older documents replaced by corrected ones.
    pub superseded: Vec<String>,
    /// The signed revocation list, when the run wrote one.
    pub revocations: Option<PathBuf>,
    /// The signed list of issued files, which every run writes.
    pub issued_list: PathBuf,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Roster(#[from] crate::roster::RosterError),
    #[error(transparent)]
    Template(#[from] crate::template::TemplateError),
    #[error(transparent)]
    Key(#[from] crate::keystore::KeyFileError),
    #[error(transparent)]
    Trust(#[from] crate::seal::VerifyError),
    #[error(transparent)]
    Keystore(#[from] crate::keystore::KeystoreError),
    #[error(transparent)]
    Generate(#[from] GenerateError),
    #[error(transparent)]
    Font(#[from] crate::layout::fonts::FontError),
    #[error(transparent)]
    Register(#[from] RegisterError),
    #[error(transparent)]
    Revoke(#[from] crate::revoke::RevokeError),
    #[error(transparent)]
    Issued(#[from] crate::issued::IssuedError),
    #[error("no template was given, and piagam.toml lists no [[documents]]")]
    NoTemplate,
    #[error("no private key was given")]
    NoKey,
    #[error("no output folder was given")]
    NoOut,
    #[error("{path} not found: making a key writes it beside the key")]
    NoJwks { path: PathBuf },
    #[error("{jwks} does not list the key in {key} (kid {kid})")]
    KeyNotInJwks {
        jwks: PathBuf,
        key: PathBuf,
        kid: String,
    },
    #[error("{0}")]
    Usage(String),
    #[error("{}: its background PDF cannot be shown to conform to PDF/A-2b: {reason} (only plain vector art in RGB or grey can be checked); for PDF/A, export the design as a PNG or JPEG background", template.display())]
    PdfaBackground { template: PathBuf, reason: String },
}
