//! The project API as a front end uses it: open an event once, check it,
//! preview a page, generate with progress, and stop a run midway.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use piagam::generate::{Cancel, GenerateError, Progress, RegisterChoice, RunError, Silent};
use piagam::project::{Project, RunOptions, Signer, Sources};
use piagam::seal::{IssuerKey, Jwk, Jwks};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// An event folder: the sample roster (first `rows` winners), its
/// piagam.toml, and the bundled piagam template.
fn event(rows: usize) -> (tempfile::TempDir, Sources) {
    let dir = tempfile::tempdir().unwrap();
    let roster = std::fs::read_to_string(repo().join("examples/adlga-2024.csv")).unwrap();
    let kept: Vec<&str> = roster.lines().take(rows + 1).collect();
    std::fs::write(dir.path().join("pemenang.csv"), kept.join("\n") + "\n").unwrap();
    std::fs::copy(
        repo().join("examples/piagam.toml"),
        dir.path().join("piagam.toml"),
    )
    .unwrap();
    let sources = Sources {
        roster: dir.path().join("pemenang.csv"),
        templates: vec![repo().join("templates/piagam")],
        ..Sources::default()
    };
    (dir, sources)
}

fn signer() -> Signer {
    let key = IssuerKey::from_seed(&[9; 32]);
    let jwks = Jwks {
        issuer: "Dinas Uji".into(),
        verify_url: None,
        keys: vec![Jwk::from_key(&key.verifying_key())],
    };
    Signer::in_memory(key, jwks)
}

#[derive(Default)]
struct Counted {
    started: AtomicUsize,
    advanced: AtomicUsize,
}

impl Progress for Counted {
    fn start(&self, documents: usize) {
        self.started.store(documents, Ordering::SeqCst);
    }
    fn advance(&self, documents: usize) {
        self.advanced.fetch_add(documents, Ordering::SeqCst);
    }
}

fn pdfs_in(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "pdf"))
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn a_project_is_opened_once_then_checked_previewed_and_generated() {
    let (dir, sources) = event(3);
    let project = Project::open(&sources).unwrap();
    assert_eq!(project.roster().records.len(), 3);
    let register = dir.path().join("piagam-register.sqlite");
    assert_eq!(project.register_path(), Some(register.as_path()));

    let checked = project.check(&RunOptions::default()).unwrap();
    assert_eq!(checked.issued.len(), 3);
    assert!(!register.exists(), "check writes nothing");

    let second = &project.roster().records[1];
    let page = project.preview(Some(second.row), 0).unwrap();
    assert!(page.pdf.starts_with(b"%PDF-"));
    assert_eq!(page.recipient, second.recipient);
    assert!(project.preview(Some(99), 0).is_err());
    assert!(project.preview(None, 5).is_err());

    let progress = Counted::default();
    let out = dir.path().join("hasil");
    let outcome = project
        .generate(
            &signer(),
            &out,
            &RunOptions::default(),
            &progress,
            &Cancel::new(),
        )
        .unwrap();
    assert_eq!(outcome.issued.len(), 3);
    assert_eq!(progress.started.load(Ordering::SeqCst), 3);
    assert_eq!(progress.advanced.load(Ordering::SeqCst), 3);
    assert_eq!(outcome.register.as_ref().map(|r| r.new), Some(3));
    // The serials check promised are the ones generate gave.
    let serials = |o: &piagam::generate::Outcome| -> Vec<String> {
        o.issued.iter().map(|d| d.serial().to_owned()).collect()
    };
    assert_eq!(serials(&checked), serials(&outcome));
    for doc in &outcome.issued {
        assert!(out.join(&doc.file).is_file(), "{}", doc.file);
    }
    assert_eq!(pdfs_in(&out), 4, "three documents and print.pdf");

    // The register the run kept, through the same project.
    let register = project.register_to_read().unwrap().unwrap();
    let entries = register.entries().unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0].claims.serial, outcome.issued[0].serial());
    drop(register);
    let mut held = project.register_to_change().unwrap().unwrap();
    let findings = held.audit(true).unwrap();
    assert!(findings.is_empty(), "{findings:?}");
    // A second holder is refused while this one holds it.
    assert!(project.register_to_change().is_err());
}

#[test]
fn a_cancelled_run_leaves_what_an_interrupted_run_leaves_and_a_rerun_completes_it() {
    let (dir, sources) = event(2);
    let project = Project::open(&sources).unwrap();
    let out = dir.path().join("hasil");
    let cancel = Cancel::new();
    cancel.cancel();
    let stopped = project.generate(&signer(), &out, &RunOptions::default(), &Silent, &cancel);
    assert!(
        matches!(stopped, Err(RunError::Generate(GenerateError::Cancelled))),
        "{:?}",
        stopped.err()
    );
    assert_eq!(pdfs_in(&out), 0, "nothing was moved into place");

    let rerun = project
        .generate(
            &signer(),
            &out,
            &RunOptions::default(),
            &Silent,
            &Cancel::new(),
        )
        .unwrap();
    assert_eq!(rerun.issued.len(), 2);
    let report = rerun.register.unwrap();
    assert_eq!(report.new + report.completed, 2);
    assert_eq!(pdfs_in(&out), 3);
}

#[test]
fn a_project_without_a_register_records_nothing() {
    let (dir, sources) = event(1);
    let project = Project::open(&Sources {
        register: RegisterChoice::Off,
        ..sources
    })
    .unwrap();
    assert_eq!(project.register_path(), None);
    let outcome = project
        .generate(
            &signer(),
            &dir.path().join("hasil"),
            &RunOptions::default(),
            &Silent,
            &Cancel::new(),
        )
        .unwrap();
    assert!(outcome.register.is_none());
    assert!(!dir.path().join("piagam-register.sqlite").exists());
}
