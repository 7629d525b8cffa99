//! One event, opened once: its settings, roster, documents' templates and
//! fonts. Every front end (the command line, the studio) works from a
//! [`Project`]: check it, preview a page, generate it, and reach its
//! register.

use std::path::{Path, PathBuf};

use crate::config::EventConfig;
use crate::generate::{
    self, layout_key, write_and_record, Cancel, FileNames, GenerateError, Job, Loaded, Outcome,
    Outputs, Progress, Recording, RegisterChoice, RegisterReport, RunError, WriteOptions,
};
use crate::locale::Language;
pub use crate::preview::PreviewPage;
use crate::register::{Book, Corrections, Register};
use crate::roster::RowProblem;
use crate::seal::{IssuerKey, Jwk, Jwks};
use crate::template::Template;

/// Where an event's parts are. What is left unset is found as the event
/// folder has it: piagam.toml beside the roster, its `[[documents]]`.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    pub roster: PathBuf,
    /// Templates to use instead of the documents piagam.toml lists.
    pub templates: Vec<PathBuf>,
    /// Print every document in each of these languages; default each
    /// template's own (or the one `[[documents]]` gives).
    pub langs: Vec<Language>,
    pub config: Option<PathBuf>,
    pub sheet: Option<String>,
    /// The roster's header row, where a title block stands above it.
    pub header_row: Option<usize>,
    /// Let templates read files outside their folders.
    pub allow_outside_assets: bool,
    /// The verification page's address, instead of piagam.toml's.
    pub verify_url: Option<String>,
    /// Where serials come from and issued documents are recorded.
    pub register: RegisterChoice,
}

/// How one run goes: choices that do not change what the event is.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Leave out the documents that cannot be made, and list them.
    pub skip_invalid: bool,
    /// Replace files in the output folder whose content would change.
    pub overwrite: bool,
    /// Which files to write (default: per-document files and print files).
    pub outputs: Outputs,
    /// Split each print file every this many pages.
    pub print_chunk: Option<usize>,
    /// Worker threads (default: every core). The output does not depend on it.
    pub jobs: Option<usize>,
    pub file_names: FileNames,
    /// What records that may correct an issued document's name are.
    pub corrections: Corrections,
    /// Print files onto pre-printed blank stock (as `[print] stock`).
    pub stock: bool,
    /// Crop marks on the print files (as `[print] marks`).
    pub marks: bool,
    /// Every file conforms to PDF/A-2b (as `pdfa = true`).
    pub pdfa: bool,
}

/// The issuer's key, its public keys, and where the key was read from.
pub struct Signer {
    key: IssuerKey,
    /// Recorded in the register, so that `revoke` finds the key.
    key_path: Option<PathBuf>,
    jwks: Jwks,
}

impl Signer {
    /// The key from its file, with the JWKS `jwks` names, else the one
    /// beside the key, else (with `issuer`) one made for this key alone.
    pub fn from_files(
        key_path: &Path,
        jwks: Option<&Path>,
        issuer: Option<&str>,
    ) -> Result<Signer, RunError> {
        let key = crate::keystore::read_private_key(key_path)?;
        let beside = key_path
            .parent()
            .unwrap_or(Path::new("."))
            .join(crate::keystore::JWKS_FILE);
        let path = jwks.map_or(beside, Path::to_path_buf);
        let public = match (issuer, path.exists()) {
            (Some(name), false) if jwks.is_none() => Jwks {
                issuer: name.trim().to_owned(),
                verify_url: None,
                keys: vec![Jwk::from_key(&key.verifying_key())],
            },
            (_, false) => return Err(RunError::NoJwks { path }),
            _ => crate::keystore::read_jwks(&path)?,
        };
        let kid = crate::seal::keys::kid_hex(&key.kid());
        if !public.keys.iter().any(|k| k.kid == kid) {
            return Err(RunError::KeyNotInJwks {
                jwks: path,
                key: key_path.to_owned(),
                kid,
            });
        }
        Ok(Signer {
            key,
            key_path: Some(key_path.to_owned()),
            jwks: public,
        })
    }

    /// A key held in memory (the demo's), with its public keys.
    pub fn in_memory(key: IssuerKey, jwks: Jwks) -> Signer {
        Signer {
            key,
            key_path: None,
            jwks,
        }
    }

    pub fn jwks(&self) -> &Jwks {
        &self.jwks
    }

    /// The first and last dates the key may sign, as its JWKS entry says.
    fn window(&self) -> (Option<crate::date::Date>, Option<crate::date::Date>) {
        let kid = crate::seal::keys::kid_hex(&self.key.kid());
        self.jwks
            .keys
            .iter()
            .find(|k| k.kid == kid)
            .map(|k| {
                let day = |d: &Option<String>| d.as_deref().and_then(|d| d.parse().ok());
                (day(&k.nbf), day(&k.exp))
            })
            .unwrap_or((None, None))
    }
}

/// An event, loaded and checked once.
pub struct Project {
    loaded: Loaded,
    roster: PathBuf,
    verify_url: Option<String>,
    register: Option<PathBuf>,
}

impl Project {
    /// Reads the event settings, the roster and the templates (with their
    /// fonts), and checks them; every problem names its file.
    pub fn open(sources: &Sources) -> Result<Project, RunError> {
        if let Some(url) = &sources.verify_url {
            crate::seal::qrtext::check_verify_url(url).map_err(RunError::Usage)?;
        }
        let config = EventConfig::locate(sources.config.as_deref(), &sources.roster)?;
        let templates = templates_of(&config, sources)?;
        let roster = crate::roster::read_roster(
            &sources.roster,
            &config.roster_options(sources.sheet.as_deref(), sources.header_row),
        )?;
        let register = sources.register.path(&config);
        Ok(Project {
            loaded: Loaded::assemble(config, roster, templates)?,
            roster: sources.roster.clone(),
            verify_url: sources.verify_url.clone(),
            register,
        })
    }

    /// A project from parts already read (the demo's, built into piagam).
    pub fn from_loaded(loaded: Loaded, roster: &Path, register: Option<PathBuf>) -> Project {
        Project {
            loaded,
            roster: roster.to_owned(),
            verify_url: None,
            register,
        }
    }

    pub fn config(&self) -> &EventConfig {
        &self.loaded.config
    }

    pub fn roster(&self) -> &crate::roster::Roster {
        &self.loaded.roster
    }

    pub fn templates(&self) -> &[Template] {
        &self.loaded.templates
    }

    /// The register's file, unless the project keeps none.
    pub fn register_path(&self) -> Option<&Path> {
        self.register.as_deref()
    }

    /// The register, to read (list, its audit without repairs): none if
    /// the project keeps none or no run has made it yet. No lock is taken.
    pub fn register_to_read(&self) -> Result<Option<Register>, RunError> {
        match &self.register {
            Some(path) => Ok(Register::open_read_only(path)?),
            None => Ok(None),
        }
    }

    /// The register, to change (revoke, repair, write its signed lists):
    /// held by this process until dropped, as a run holds it. None if the
    /// project keeps none.
    pub fn register_to_change(&self) -> Result<Option<Register>, RunError> {
        match &self.register {
            Some(path) => Ok(Some(Register::open(path)?)),
            None => Ok(None),
        }
    }

    fn job<'a>(&'a self, key: &'a IssuerKey, options: &RunOptions) -> Job<'a> {
        Job {
            file_names: options.file_names,
            ..self.loaded.job(&self.roster, key, self.verify_url.clone())
        }
    }

    fn rows(&self) -> usize {
        self.loaded.roster.records.len() + count_rows(&self.loaded.roster.problems)
    }

    /// Validates and lays out everything as `generate` would, writing
    /// nothing; serials come from the register as it stands (read only).
    pub fn check(&self, options: &RunOptions) -> Result<Outcome, RunError> {
        let key = layout_key();
        let job = self.job(&key, options);
        let numbers = match &self.register {
            Some(path) => {
                let book = match Register::open_read_only(path)? {
                    Some(register) => register.book()?,
                    None => Book::default(),
                };
                Some(generate::plan_numbers(&job, &book, options.corrections)?)
            }
            None => None,
        };
        let job = Job {
            numbers: numbers.as_ref(),
            ..job
        };
        with_jobs(options.jobs, || {
            let roster = &self.loaded.roster;
            let prepared = generate::prepare(&job)?.with_problems(roster.problems.clone());
            // Every page is rendered to PDF as generate would (embedding and
            // subsetting fonts and images can fail too), then dropped.
            // As generate writes them: the print pages (onto stock, on a
            // sheet) and PDF/A included.
            let write = WriteOptions {
                outputs: options.outputs,
                print: self.print_settings(options),
                pdfa: self.pdfa(options)?,
                ..WriteOptions::default()
            };
            let written = generate::render_only(&job, &prepared.issued, &prepared.usage, &write)?;
            let mut warnings = roster.warnings.clone();
            warnings.extend(prepared.warnings.iter().cloned());
            warnings.extend(self.print_warnings(options));
            Ok(Outcome {
                rows: self.rows(),
                issued: prepared.issued,
                rejected: prepared.problems,
                warnings,
                written,
                register: self.register.clone().map(|path| RegisterReport {
                    path,
                    kept: numbers.as_ref().map_or(0, |n| n.kept()),
                    ..RegisterReport::default()
                }),
            })
        })
    }

    /// Signs, lays out and writes every document into `out`, recording
    /// them in the register. `progress` hears the counts; `cancel` stops
    /// the run between documents, leaving what an interrupted run leaves.
    pub fn generate(
        &self,
        signer: &Signer,
        out: &Path,
        options: &RunOptions,
        progress: &dyn Progress,
        cancel: &Cancel,
    ) -> Result<Outcome, RunError> {
        let job = Job {
            key_window: signer.window(),
            ..self.job(&signer.key, options)
        };
        // The register is held for the whole run: a second run on it is
        // refused, naming this one.
        let register = match &self.register {
            Some(path) => Some(Register::open(path)?),
            None => None,
        };
        let numbers = match &register {
            Some(register) => Some(generate::plan_numbers(
                &job,
                &register.book()?,
                options.corrections,
            )?),
            None => None,
        };
        let job = Job {
            numbers: numbers.as_ref(),
            ..job
        };
        let roster = &self.loaded.roster;
        with_jobs(options.jobs, || {
            let prepared = generate::prepare(&job)?.with_problems(roster.problems.clone());
            let mut warnings = roster.warnings.clone();
            warnings.extend(prepared.warnings.iter().cloned());
            warnings.extend(self.print_warnings(options));
            let (issued, rejected, usage) = if options.skip_invalid {
                let (issued, rejected, usage) = prepared.skip_invalid();
                if issued.is_empty() {
                    return Err(GenerateError::Rows(rejected).into());
                }
                (issued, rejected, usage)
            } else {
                let (issued, usage) = prepared.into_all()?;
                (issued, Vec::new(), usage)
            };
            if cancel.is_cancelled() {
                return Err(GenerateError::Cancelled.into());
            }
            let (written, report) = write_and_record(
                &job,
                &issued,
                &usage,
                Recording {
                    register,
                    key_path: signer.key_path.as_deref(),
                    jwks: &signer.jwks,
                },
                out,
                options.skip_invalid.then_some(rejected.as_slice()),
                WriteOptions {
                    outputs: options.outputs,
                    overwrite: options.overwrite,
                    print_chunk: options.print_chunk,
                    progress,
                    cancel: Some(cancel),
                    print: self.print_settings(options),
                    pdfa: self.pdfa(options)?,
                    ..WriteOptions::default()
                },
            )?;
            Ok(Outcome {
                issued,
                rejected,
                warnings,
                rows: self.rows(),
                written,
                register: report,
            })
        })
    }

    /// How this run prints: piagam.toml's `[print]`, with the run's own
    /// choices added.
    pub fn print_settings(&self, options: &RunOptions) -> crate::config::PrintSettings {
        let configured = self.loaded.config.print;
        crate::config::PrintSettings {
            stock: configured.stock || options.stock,
            marks: configured.marks || options.marks,
            ..configured
        }
    }

    /// Whether this run writes PDF/A-2b, as asked by piagam.toml or the
    /// run. A PDF background is refused unless it can be shown to
    /// conform: plain vector art, as the bundled frames are (a designer's
    /// fonts, colours and transparency cannot be checked here).
    pub fn pdfa(&self, options: &RunOptions) -> Result<bool, RunError> {
        let pdfa = self.loaded.config.pdfa || options.pdfa;
        if pdfa {
            for t in &self.loaded.templates {
                if let Some(crate::template::Background::Pdf(page)) = &t.background {
                    if let Some(reason) = page.pdfa_obstacle() {
                        return Err(RunError::PdfaBackground {
                            template: t.dir.clone(),
                            reason,
                        });
                    }
                }
            }
        }
        Ok(pdfa)
    }

    /// What the organizer must know about printing this run.
    fn print_warnings(&self, options: &RunOptions) -> Vec<crate::Warning> {
        let print = self.print_settings(options);
        let mut warnings = Vec::new();
        if print.stock && options.outputs.print {
            warnings.push(crate::Warning::PrintAtActualSize);
        }
        warnings
    }

    /// The page of one roster row (its spreadsheet row number; default the
    /// first valid row) for one of the project's documents (by place in
    /// [`Project::templates`]), as `generate` would lay it out, marked
    /// CONTOH (sample) and signed with a throwaway key.
    pub fn preview(&self, row: Option<usize>, document: usize) -> Result<PreviewPage, RunError> {
        let roster = &self.loaded.roster;
        let record = match row {
            None => roster.records.first(),
            Some(row) => roster.records.iter().find(|r| r.row == row),
        }
        .cloned()
        .ok_or_else(|| {
            RunError::Usage(match row {
                Some(row) => format!("{}: no valid row {row}", self.roster.display()),
                None => format!("{}: no valid rows", self.roster.display()),
            })
        })?;
        let template = self
            .loaded
            .templates
            .get(document)
            .cloned()
            .ok_or_else(|| RunError::Usage(format!("there is no document {}", document + 1)))?;
        let single = Loaded::assemble(
            self.loaded.config.clone(),
            crate::roster::Roster {
                records: vec![record],
                ..crate::roster::Roster::default()
            },
            vec![template],
        )?;
        crate::preview::sample_page(&single, &self.roster)
    }
}

/// The documents' templates: those given, else piagam.toml's `[[documents]]`,
/// each in every language asked for.
fn templates_of(config: &EventConfig, sources: &Sources) -> Result<Vec<Template>, RunError> {
    let documents: Vec<(PathBuf, Option<String>, Option<Language>)> =
        if sources.templates.is_empty() {
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
            sources
                .templates
                .iter()
                .map(|t| (t.clone(), None, None))
                .collect()
        };
    if documents.is_empty() {
        return Err(RunError::NoTemplate);
    }
    let mut templates = Vec::new();
    for (dir, numbering, lang) in &documents {
        let langs: Vec<Option<Language>> = if sources.langs.is_empty() {
            vec![*lang]
        } else {
            sources.langs.iter().copied().map(Some).collect()
        };
        for lang in langs {
            let mut template = Template::load_with(
                dir,
                lang,
                generate::assets_policy(sources.allow_outside_assets),
            )?;
            if numbering.is_some() {
                template.numbering = numbering.clone();
            }
            templates.push(template);
        }
    }
    Ok(templates)
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
