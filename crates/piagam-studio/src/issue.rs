//! The issue screen: `check`, then `generate` into the event folder's
//! `hasil/`, one run at a time, with its progress told as counts and its
//! Cancel a token the run checks between documents (a cancelled run
//! leaves what an interrupted one leaves, and the next completes it).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde::Serialize;

use crate::event::{FieldError, CONFIG_FILE, KEY_DIR};

/// Where the studio's runs write.
pub const OUT_DIR: &str = "hasil";

fn sources(folder: &Path) -> Result<piagam::project::Sources, FieldError> {
    let roster = crate::roster::roster_file(folder)
        .ok_or_else(|| FieldError::new("issue", "no-roster", ""))?;
    Ok(piagam::project::Sources {
        roster,
        config: Some(folder.join(CONFIG_FILE)),
        ..Default::default()
    })
}

/// A run's problems as the page lists them.
#[derive(Debug, Clone, Serialize)]
pub struct Checked {
    pub rows: usize,
    pub documents: usize,
    pub warnings: Vec<String>,
    pub problems: Vec<String>,
}

fn problems_of(e: &piagam::generate::RunError) -> Vec<String> {
    match e {
        piagam::generate::RunError::Generate(piagam::generate::GenerateError::Rows(rows)) => {
            rows.iter().map(ToString::to_string).collect()
        }
        other => vec![other.to_string()],
    }
}

/// Lays out every document as generate would, writing nothing.
pub fn check(folder: &Path) -> Result<Checked, FieldError> {
    let project = piagam::project::Project::open(&sources(folder)?)
        .map_err(|e| FieldError::new("issue", "cannot-issue", problems_of(&e).join("\n")))?;
    match project.check(&piagam::project::RunOptions::default()) {
        Ok(outcome) => Ok(Checked {
            rows: outcome.rows,
            documents: outcome.issued.len(),
            warnings: outcome.warnings.iter().map(ToString::to_string).collect(),
            problems: Vec::new(),
        }),
        Err(e) => Ok(Checked {
            rows: 0,
            documents: 0,
            warnings: Vec::new(),
            problems: problems_of(&e),
        }),
    }
}

/// Where a run stands.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum Stage {
    Running,
    Done {
        files: Vec<String>,
        documents: usize,
    },
    Failed {
        problems: Vec<String>,
    },
    Cancelled,
}

/// One run of generate, told from any thread.
pub struct Run {
    total: AtomicUsize,
    done: AtomicUsize,
    started: Instant,
    stage: Mutex<Stage>,
    cancel: piagam::generate::Cancel,
}

impl piagam::generate::Progress for Run {
    fn start(&self, documents: usize) {
        self.total.store(documents, Ordering::Relaxed);
    }
    fn advance(&self, documents: usize) {
        self.done.fetch_add(documents, Ordering::Relaxed);
    }
}

/// What the page's progress bar shows.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub done: usize,
    pub total: usize,
    pub per_second: f64,
    pub seconds_left: Option<f64>,
    #[serde(flatten)]
    pub stage: Stage,
}

impl Run {
    pub fn report(&self) -> Report {
        let done = self.done.load(Ordering::Relaxed);
        let total = self.total.load(Ordering::Relaxed);
        let secs = self.started.elapsed().as_secs_f64().max(0.001);
        let per_second = done as f64 / secs;
        Report {
            done,
            total,
            per_second,
            seconds_left: (per_second > 0.0 && total >= done)
                .then(|| (total - done) as f64 / per_second),
            stage: self
                .stage
                .lock()
                .map(|s| s.clone())
                .unwrap_or(Stage::Failed {
                    problems: vec!["the run stopped".into()],
                }),
        }
    }

    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    pub fn finished(&self) -> bool {
        !matches!(self.report().stage, Stage::Running)
    }
}

/// Starts generate on its own thread; the run is told as it goes.
pub fn start(folder: &Path) -> Result<Arc<Run>, FieldError> {
    let sources = sources(folder)?;
    let key = folder.join(KEY_DIR).join(piagam::keystore::KEY_FILE);
    if !key.exists() {
        return Err(FieldError::new("issue", "no-key", ""));
    }
    let run = Arc::new(Run {
        total: AtomicUsize::new(0),
        done: AtomicUsize::new(0),
        started: Instant::now(),
        stage: Mutex::new(Stage::Running),
        cancel: piagam::generate::Cancel::new(),
    });
    let out = folder.join(OUT_DIR);
    let worker = run.clone();
    std::thread::spawn(move || {
        let result = generate(&sources, &key, &out, &worker);
        if let Ok(mut stage) = worker.stage.lock() {
            *stage = result;
        }
    });
    Ok(run)
}

fn generate(sources: &piagam::project::Sources, key: &Path, out: &Path, run: &Run) -> Stage {
    let made = piagam::project::Project::open(sources).and_then(|project| {
        let signer = piagam::project::Signer::from_files(key, None, None)?;
        // Every file, the print file, and all documents in one ZIP to
        // hand on.
        let options = piagam::project::RunOptions {
            outputs: piagam::generate::Outputs {
                files: true,
                print: true,
                zip: true,
            },
            ..Default::default()
        };
        project.generate(&signer, out, &options, run, &run.cancel)
    });
    match made {
        Ok(outcome) => Stage::Done {
            documents: outcome.issued.len(),
            files: outcome
                .written
                .files
                .iter()
                .filter_map(|f| f.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .collect(),
        },
        Err(piagam::generate::RunError::Generate(piagam::generate::GenerateError::Cancelled)) => {
            Stage::Cancelled
        }
        Err(e) => Stage::Failed {
            problems: problems_of(&e),
        },
    }
}

/// A file of the studio's output folder, if `name` is one (a plain name,
/// nothing outside the folder).
pub fn output_file(folder: &Path, name: &str) -> Option<PathBuf> {
    let plain =
        !name.is_empty() && !name.starts_with('.') && !name.contains(['/', '\\']) && name != "..";
    let path = folder.join(OUT_DIR).join(name);
    (plain && path.is_file()).then_some(path)
}
