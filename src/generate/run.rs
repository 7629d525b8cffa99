//! A whole generate or check run, from the command line's paths.

use std::path::{Path, PathBuf};

use super::{prepare, write_outputs, GenerateError, Issued, Job, Prepared};
use crate::config::EventConfig;
use crate::layout::fonts::FontBook;
use crate::roster::RowProblem;
use crate::seal::{IssuerKey, Jwks};
use crate::template::Template;

/// A generate or check run, as the command line describes it.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub roster: PathBuf,
    pub templates: Vec<PathBuf>,
    /// Needed to generate; `check` signs with a throwaway key of the same size.
    pub key: Option<PathBuf>,
    pub out: Option<PathBuf>,
    pub verify_url: Option<String>,
    pub config: Option<PathBuf>,
    pub jwks: Option<PathBuf>,
    pub issuer: Option<String>,
    pub sheet: Option<String>,
    pub skip_invalid: bool,
    /// Replace files in the output folder whose content would change.
    pub overwrite: bool,
}

/// What a run did.
#[derive(Debug)]
pub struct Outcome {
    pub issued: Vec<Issued>,
    /// Rows left out under `--skip-invalid`, with their problems.
    pub rejected: Vec<RowProblem>,
    pub warnings: Vec<String>,
    pub rows: usize,
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
    Seal(#[from] crate::seal::SealError),
    #[error(transparent)]
    Keystore(#[from] crate::keystore::KeystoreError),
    #[error(transparent)]
    Generate(#[from] GenerateError),
    #[error("{0}")]
    Usage(String),
}

struct Loaded {
    config: EventConfig,
    roster: crate::roster::Roster,
    templates: Vec<Template>,
    fonts: FontBook,
}

fn load(req: &Request) -> Result<Loaded, RunError> {
    if let Some(url) = &req.verify_url {
        if url.is_empty() || url.contains('#') || url.chars().any(char::is_whitespace) {
            return Err(RunError::Usage(format!(
                "--verify-url '{url}' must be an address without '#' or spaces"
            )));
        }
    }
    let config = EventConfig::locate(req.config.as_deref(), &req.roster)?;
    // --template wins; otherwise the documents piagam.toml lists.
    let documents: Vec<(PathBuf, Option<String>)> = if req.templates.is_empty() {
        config
            .documents
            .iter()
            .map(|d| (config.base_dir.join(&d.template), d.numbering.clone()))
            .collect()
    } else {
        req.templates.iter().map(|t| (t.clone(), None)).collect()
    };
    if documents.is_empty() {
        return Err(RunError::Usage(
            "no template: give --template DIR, or list [[documents]] in piagam.toml".into(),
        ));
    }
    let roster =
        crate::roster::read_roster(&req.roster, &config.roster_options(req.sheet.as_deref()))?;
    let mut fonts = FontBook::with_bundled();
    let mut templates = Vec::new();
    for (dir, numbering) in &documents {
        let mut template = Template::load(dir)?;
        if numbering.is_some() {
            template.numbering = numbering.clone();
        }
        template.register_fonts(&mut fonts)?;
        templates.push(template);
    }
    for t in &templates {
        t.check_fonts(&fonts)?;
    }
    Ok(Loaded {
        config,
        roster,
        templates,
        fonts,
    })
}

fn lay_out(req: &Request, loaded: &Loaded, key: &IssuerKey) -> Result<Prepared, RunError> {
    let job = Job {
        roster_name: req.roster.clone(),
        records: &loaded.roster.records,
        config: &loaded.config,
        templates: &loaded.templates,
        fonts: &loaded.fonts,
        key,
        verify_url: req.verify_url.clone(),
    };
    Ok(prepare(&job)?.with_problems(loaded.roster.problems.clone()))
}

/// A throwaway key for laying out pages that are never issued (check,
/// preview). Any key gives a seal of the same size, so the QR code and
/// the page come out as they will when generated with the real key.
pub fn layout_key() -> IssuerKey {
    IssuerKey::from_seed(&[0x5a; 32])
}

/// Validates and lays out everything, writing nothing.
pub fn check(req: &Request) -> Result<Outcome, RunError> {
    let loaded = load(req)?;
    let key = layout_key();
    let prepared = lay_out(req, &loaded, &key)?;
    Ok(Outcome {
        rows: loaded.roster.records.len() + count_rows(&loaded.roster.problems),
        issued: prepared.issued,
        rejected: prepared.problems,
        warnings: loaded.roster.warnings,
    })
}

fn count_rows(problems: &[RowProblem]) -> usize {
    problems
        .iter()
        .filter_map(|p| p.row)
        .collect::<std::collections::BTreeSet<_>>()
        .len()
}

/// Signs, lays out and writes every document.
pub fn run(req: &Request) -> Result<Outcome, RunError> {
    let key_path = req
        .key
        .as_deref()
        .ok_or_else(|| RunError::Usage("give the issuer's key with --key".into()))?;
    let out = req
        .out
        .as_deref()
        .ok_or_else(|| RunError::Usage("give the output folder with --out".into()))?;
    let loaded = load(req)?;
    let key = IssuerKey::read_pem_file(key_path)?;
    let jwks = issuer_jwks(req, key_path, &key)?;
    let prepared = lay_out(req, &loaded, &key)?;
    let rows = loaded.roster.records.len() + count_rows(&loaded.roster.problems);
    let (issued, rejected) = if req.skip_invalid {
        let (issued, rejected) = prepared.skip_invalid();
        if issued.is_empty() {
            return Err(GenerateError::Rows(rejected).into());
        }
        (issued, rejected)
    } else {
        (prepared.into_all()?, Vec::new())
    };
    write_outputs(
        &issued,
        &loaded.fonts,
        &jwks,
        out,
        req.skip_invalid.then_some(rejected.as_slice()),
        req.overwrite,
    )?;
    Ok(Outcome {
        issued,
        rejected,
        warnings: loaded.roster.warnings,
        rows,
    })
}

/// The issuer's JWKS: `--jwks`, else beside the key, else made from `--issuer`.
fn issuer_jwks(req: &Request, key_path: &Path, key: &IssuerKey) -> Result<Jwks, RunError> {
    let beside = key_path
        .parent()
        .unwrap_or(Path::new("."))
        .join(crate::keystore::JWKS_FILE);
    let path = req.jwks.clone().unwrap_or(beside);
    let jwks = match (&req.issuer, path.exists()) {
        (Some(name), false) if req.jwks.is_none() => Jwks {
            issuer: name.trim().to_owned(),
            verify_url: None,
            keys: vec![crate::seal::Jwk::from_key(&key.verifying_key())],
        },
        (_, false) => {
            return Err(RunError::Usage(format!(
                "{} not found: piagam keygen writes it beside the key; or pass --jwks FILE, or --issuer NAME",
                path.display()
            )))
        }
        _ => crate::keystore::read_jwks(&path)?,
    };
    let kid = crate::seal::keys::kid_hex(&key.kid());
    if !jwks.keys.iter().any(|k| k.kid == kid) {
        return Err(RunError::Usage(format!(
            "{} does not list the key in {} (kid {kid}); pass the issuer's JWKS with --jwks",
            path.display(),
            key_path.display()
        )));
    }
    Ok(jwks)
}
