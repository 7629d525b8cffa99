//! What a run starts from (the event loaded once) and what it ends with.
//! A run itself is a project's: see the `project` module.

use std::path::{Path, PathBuf};

use super::outcome::{RegisterReport, RunError};
use super::{FileNames, Issued, Job, Written};
use crate::config::EventConfig;
use crate::layout::fonts::FontBook;
use crate::register::REGISTER_FILE;
use crate::roster::Roster;
use crate::roster::RowProblem;
use crate::seal::IssuerKey;
use crate::template::Template;

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
    pub warnings: Vec<crate::warning::Warning>,
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

/// A throwaway key for laying out pages that are never issued (check,
/// preview). Any key gives a seal of the same size, so the QR code and
/// the page come out as they will when generated with the real key.
pub fn layout_key() -> IssuerKey {
    IssuerKey::from_seed(&[0x5a; 32])
}
