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

/// What the organizer chose for a run.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Request {
    /// "id", "en": print every document in these; none: each template's own.
    pub langs: Vec<String>,
    /// After proposed corrections were shown: "accept" (they replace the
    /// documents issued) or "reject" (they are new documents).
    pub corrections: Option<String>,
    /// A share image beside each document, for WhatsApp.
    pub share_images: bool,
}

impl Request {
    fn corrections(&self) -> Result<piagam::register::Corrections, FieldError> {
        use piagam::register::Corrections;
        match self.corrections.as_deref() {
            None | Some("") => Ok(Corrections::Ask),
            Some("accept") => Ok(Corrections::Accept),
            Some("reject") => Ok(Corrections::Reject),
            Some(other) => Err(FieldError::new("issue", "cannot-issue", other)),
        }
    }
}

fn sources(folder: &Path, request: &Request) -> Result<piagam::project::Sources, FieldError> {
    let roster = crate::roster::roster_file(folder)
        .ok_or_else(|| FieldError::new("issue", "no-roster", ""))?;
    let langs = request
        .langs
        .iter()
        .map(|l| l.parse::<piagam::locale::Language>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| FieldError::new("issue", "cannot-issue", e.to_string()))?;
    Ok(piagam::project::Sources {
        roster,
        config: Some(folder.join(CONFIG_FILE)),
        langs,
        ..Default::default()
    })
}

/// A record that may correct the name on a document already issued.
#[derive(Debug, Clone, Serialize)]
pub struct Proposal {
    pub row: usize,
    pub kind: String,
    pub old_serial: String,
    pub old_recipient: String,
    pub new_recipient: String,
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
pub fn check(folder: &Path, request: &Request) -> Result<Checked, FieldError> {
    let project = piagam::project::Project::open(&sources(folder, request)?)
        .map_err(|e| FieldError::new("issue", "cannot-issue", problems_of(&e).join("\n")))?;
    let options = piagam::project::RunOptions {
        corrections: request.corrections()?,
        ..Default::default()
    };
    match project.check(&options) {
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
    /// Records that may correct an issued name: nothing was written; the
    /// organizer says what they are, and the run is made again.
    Corrections {
        proposals: Vec<Proposal>,
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
pub fn start(folder: &Path, request: &Request) -> Result<Arc<Run>, FieldError> {
    let sources = sources(folder, request)?;
    let corrections = request.corrections()?;
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
    let share_images = request.share_images;
    std::thread::spawn(move || {
        let result = generate(&sources, corrections, share_images, &key, &out, &worker);
        if let Ok(mut stage) = worker.stage.lock() {
            *stage = result;
        }
    });
    Ok(run)
}

fn generate(
    sources: &piagam::project::Sources,
    corrections: piagam::register::Corrections,
    share_images: bool,
    key: &Path,
    out: &Path,
    run: &Run,
) -> Stage {
    let made = piagam::project::Project::open(sources).and_then(|project| {
        let signer = piagam::project::Signer::from_files(key, None, None)?;
        // Every file, the print file, and all documents in one ZIP to
        // hand on; share images if asked for.
        let options = piagam::project::RunOptions {
            outputs: piagam::generate::Outputs {
                files: true,
                print: true,
                zip: true,
                png: share_images,
            },
            corrections,
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
        Err(piagam::generate::RunError::Generate(
            piagam::generate::GenerateError::Corrections(proposals),
        )) => Stage::Corrections {
            proposals: proposals
                .into_iter()
                .map(|p| Proposal {
                    row: p.row,
                    kind: p.kind,
                    old_serial: p.old_serial,
                    old_recipient: p.old_recipient,
                    new_recipient: p.new_recipient,
                })
                .collect(),
        },
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
