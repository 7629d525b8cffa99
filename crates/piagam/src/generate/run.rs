//! A whole generate or check run, from the command line's paths.

use std::path::{Path, PathBuf};

use super::issue::{write_and_record, Recording};
use super::numbers;
use super::outcome::{RegisterReport, RunError};
use super::output::{render_only, Progress, Silent, WriteOptions};
use super::{prepare, FileNames, GenerateError, Issued, Job, Outputs, Written};
use crate::config::EventConfig;
use crate::layout::fonts::FontBook;
use crate::locale::Language;
use crate::register::{Register, REGISTER_FILE};
use crate::roster::Roster;
use crate::roster::RowProblem;
use crate::seal::{IssuerKey, Jwks};
use crate::template::Template;

/// A generate or check run, as the command line describes it.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub roster: PathBuf,
    pub templates: Vec<PathBuf>,
    /// Print every document in each of these languages; default each
    /// template's own (or the one `[[documents]]` gives).
    pub langs: Vec<Language>,
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
    /// Let templates read files outside their folders.
    pub allow_outside_assets: bool,
    /// Which files to write (default: per-document files and print files).
    pub outputs: Outputs,
    /// Split each print file every this many pages.
    pub print_chunk: Option<usize>,
    /// Worker threads (default: every core). The output does not depend on it.
    pub jobs: Option<usize>,
    pub file_names: FileNames,
    /// Where serials come from and issued documents are recorded.
    pub register: RegisterChoice,
    /// What records that may correct an issued document's name are.
    pub corrections: crate::register::Corrections,
    /// The roster's header row, where a title block stands above it.
    pub header_row: Option<usize>,
}

/// Where a run keeps its register.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum RegisterChoice {
    /// `piagam-register.sqlite` beside piagam.toml.
    #[default]
    BesideConfig,
    At(PathBuf),
    /// Stateless: serials from roster positions, nothing recorded.
    Off,
}

impl RegisterChoice {
    /// The register's file, for a run with these event settings.
    pub fn path(&self, config: &EventConfig) -> Option<PathBuf> {
        match self {
            RegisterChoice::BesideConfig => Some(config.base_dir.join(REGISTER_FILE)),
            RegisterChoice::At(path) => Some(path.clone()),
            RegisterChoice::Off => None,
        }
    }
}

/// What a run did.
#[derive(Debug)]
pub struct Outcome {
    pub issued: Vec<Issued>,
    /// Rows left out under `--skip-invalid`, with their problems.
    pub rejected: Vec<RowProblem>,
    pub warnings: Vec<String>,
    pub rows: usize,
    /// What was written (for a check: what would have been).
    pub written: Written,
    /// The register's part, when one was used.
    pub register: Option<RegisterReport>,
}

/// Everything a run reads, checked and assembled once: the event settings,
/// the roster, the documents' templates and the fonts they use. `generate`,
/// `check`, `preview` and `demo` all start from one of these.
pub struct Loaded {
    pub config: EventConfig,
    pub roster: Roster,
    pub templates: Vec<Template>,
    pub fonts: FontBook,
}

impl Loaded {
    /// Loads the templates' fonts and checks that every font they name exists.
    pub fn assemble(
        config: EventConfig,
        roster: Roster,
        templates: Vec<Template>,
    ) -> Result<Loaded, RunError> {
        let mut fonts = FontBook::with_bundled();
        for t in &templates {
            fonts.add_template_fonts(t)?;
        }
        for t in &templates {
            fonts.check_template(t)?;
        }
        Ok(Loaded {
            config,
            roster,
            templates,
            fonts,
        })
    }

    /// The job of signing and laying out every valid record.
    pub fn job<'a>(
        &'a self,
        roster_name: &Path,
        key: &'a IssuerKey,
        verify_url: Option<String>,
    ) -> Job<'a> {
        Job {
            roster_name: roster_name.to_owned(),
            records: &self.roster.records,
            config: &self.config,
            templates: &self.templates,
            fonts: &self.fonts,
            key,
            verify_url,
            keep_pages: false,
            file_names: FileNames::default(),
            numbers: None,
            key_window: (None, None),
        }
    }
}

/// Where a template's files may lie.
pub fn assets_policy(allow_outside: bool) -> crate::template::Assets<'static> {
    if allow_outside {
        crate::template::Assets::DirUnconfined
    } else {
        crate::template::Assets::Dir
    }
}

fn load(req: &Request) -> Result<Loaded, RunError> {
    if let Some(url) = &req.verify_url {
        crate::seal::qrtext::check_verify_url(url).map_err(RunError::Usage)?;
    }
    let config = EventConfig::locate(req.config.as_deref(), &req.roster)?;
    // Templates given to the run win; otherwise the documents piagam.toml lists.
    let documents: Vec<(PathBuf, Option<String>, Option<Language>)> = if req.templates.is_empty() {
        config
            .documents
            .iter()
            .map(|d| {
                (
                    config.base_dir.join(&d.template),
                    d.numbering.clone(),
                    d.lang,
                )
            })
            .collect()
    } else {
        req.templates
            .iter()
            .map(|t| (t.clone(), None, None))
            .collect()
    };
    if documents.is_empty() {
        return Err(RunError::NoTemplate);
    }
    let roster = crate::roster::read_roster(
        &req.roster,
        &config.roster_options(req.sheet.as_deref(), req.header_row),
    )?;
    let mut templates = Vec::new();
    for (dir, numbering, lang) in &documents {
        let langs: Vec<Option<Language>> = if req.langs.is_empty() {
            vec![*lang]
        } else {
            req.langs.iter().copied().map(Some).collect()
        };
        for lang in langs {
            let mut template =
                Template::load_with(dir, lang, assets_policy(req.allow_outside_assets))?;
            if numbering.is_some() {
                template.numbering = numbering.clone();
            }
            templates.push(template);
        }
    }
    Loaded::assemble(config, roster, templates)
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
    let job = Job {
        file_names: req.file_names,
        ..loaded.job(&req.roster, &key, req.verify_url.clone())
    };
    // Serials as generate would give them: from the register as it stands
    // (read, never written), or from an empty one if there is none yet.
    let register_path = req.register.path(&loaded.config);
    let numbers = match &register_path {
        Some(path) => {
            let book = match Register::open_read_only(path)? {
                Some(register) => register.book()?,
                None => crate::register::Book::default(),
            };
            Some(numbers::plan(&job, &book, req.corrections)?)
        }
        None => None,
    };
    let job = Job {
        numbers: numbers.as_ref(),
        ..job
    };
    with_jobs(req.jobs, || {
        let prepared = prepare(&job)?.with_problems(loaded.roster.problems.clone());
        // Every page is rendered to PDF as generate would (embedding and
        // subsetting fonts and images can fail too), then dropped.
        let written = render_only(&job, &prepared.issued, &prepared.usage)?;
        let mut warnings = loaded.roster.warnings.clone();
        warnings.extend(prepared.warnings.iter().cloned());
        Ok(Outcome {
            rows: loaded.roster.records.len() + count_rows(&loaded.roster.problems),
            issued: prepared.issued,
            rejected: prepared.problems,
            warnings,
            written,
            register: register_path.map(|path| RegisterReport {
                path,
                kept: numbers.as_ref().map_or(0, |n| n.kept()),
                ..RegisterReport::default()
            }),
        })
    })
}

/// Runs `f` on a pool of `jobs` threads, or on rayon's default (every core).
fn with_jobs<T: Send>(
    jobs: Option<usize>,
    f: impl FnOnce() -> Result<T, RunError> + Send,
) -> Result<T, RunError> {
    match jobs {
        None => f(),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()
            .map_err(|e| RunError::Usage(format!("cannot start {n} worker threads: {e}")))?
            .install(f),
    }
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
    run_with_progress(req, &Silent)
}

/// `run`, telling `progress` as documents are written.
pub fn run_with_progress(req: &Request, progress: &dyn Progress) -> Result<Outcome, RunError> {
    let key_path = req.key.as_deref().ok_or(RunError::NoKey)?;
    let out = req.out.as_deref().ok_or(RunError::NoOut)?;
    let loaded = load(req)?;
    let key = crate::keystore::read_private_key(key_path)?;
    let jwks = issuer_jwks(req, key_path, &key)?;
    let kid = crate::seal::keys::kid_hex(&key.kid());
    let window = jwks
        .keys
        .iter()
        .find(|k| k.kid == kid)
        .map(|k| {
            let day = |d: &Option<String>| d.as_deref().and_then(|d| d.parse().ok());
            (day(&k.nbf), day(&k.exp))
        })
        .unwrap_or((None, None));
    let job = Job {
        file_names: req.file_names,
        key_window: window,
        ..loaded.job(&req.roster, &key, req.verify_url.clone())
    };
    // The register is held for the whole run: a second run on it is
    // refused, naming this one.
    let register = match req.register.path(&loaded.config) {
        Some(path) => Some(Register::open(&path)?),
        None => None,
    };
    let numbers = match &register {
        Some(register) => Some(numbers::plan(&job, &register.book()?, req.corrections)?),
        None => None,
    };
    let job = Job {
        numbers: numbers.as_ref(),
        ..job
    };
    let rows = loaded.roster.records.len() + count_rows(&loaded.roster.problems);
    with_jobs(req.jobs, || {
        let prepared = prepare(&job)?.with_problems(loaded.roster.problems.clone());
        let mut warnings = loaded.roster.warnings.clone();
        warnings.extend(prepared.warnings.iter().cloned());
        let (issued, rejected, usage) = if req.skip_invalid {
            let (issued, rejected, usage) = prepared.skip_invalid();
            if issued.is_empty() {
                return Err(GenerateError::Rows(rejected).into());
            }
            (issued, rejected, usage)
        } else {
            let (issued, usage) = prepared.into_all()?;
            (issued, Vec::new(), usage)
        };
        let (written, report) = write_and_record(
            &job,
            &issued,
            &usage,
            Recording {
                register,
                key_path: Some(key_path),
                jwks: &jwks,
            },
            out,
            req.skip_invalid.then_some(rejected.as_slice()),
            WriteOptions {
                outputs: req.outputs,
                overwrite: req.overwrite,
                print_chunk: req.print_chunk,
                progress,
                ..WriteOptions::default()
            },
        )?;
        Ok(Outcome {
            issued,
            rejected,
            warnings,
            rows,
            written,
            register: report,
        })
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
        (_, false) => return Err(RunError::NoJwks { path }),
        _ => crate::keystore::read_jwks(&path)?,
    };
    let kid = crate::seal::keys::kid_hex(&key.kid());
    if !jwks.keys.iter().any(|k| k.kid == kid) {
        return Err(RunError::KeyNotInJwks {
            jwks: path,
            key: key_path.to_owned(),
            kid,
        });
    }
    Ok(jwks)
}
