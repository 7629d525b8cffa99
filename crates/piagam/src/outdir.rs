//! The output folder: held by one run at a time, filled through a staging
//! folder, so that it ends with either the whole batch or what it held
//! before.
//!
//! - `DIR/.piagam.lock` names the PID of the run that holds the folder. A
//!   second run is refused while that process lives; a lock left by a run
//!   that was killed is taken over.
//! - Every file is first written (and synced) into `DIR/.piagam-staging/`.
//!   A full disk or any other failure there leaves `DIR` untouched. Only
//!   when every file is staged are they renamed into place, which needs no
//!   space. A staging folder left by a killed run is removed by the next.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::fsio::WriteError;
use crate::lock::{LockError, PidLock};

pub const LOCK_FILE: &str = ".piagam.lock";
pub const STAGING_DIR: &str = ".piagam-staging";

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutDirError {
    #[error("{dir} is in use by another piagam run (process {pid}); wait for it to finish")]
    Busy { dir: PathBuf, pid: u32 },
    #[error(transparent)]
    Io(#[from] WriteError),
}

fn io_error(path: &Path, e: impl Into<crate::fsio::WriteCause>) -> WriteError {
    WriteError::new(path, e)
}

/// An output folder held by this run; released when dropped.
#[derive(Debug)]
pub struct OutDir {
    dir: PathBuf,
    /// Released (removed) when the folder is.
    _lock: PidLock,
}

impl OutDir {
    /// Creates `dir` if needed and takes its lock.
    pub fn hold(dir: &Path) -> Result<OutDir, OutDirError> {
        crate::fsio::create_folder(dir)?;
        let lock = PidLock::take(&dir.join(LOCK_FILE)).map_err(|e| match e {
            LockError::Busy { pid } => OutDirError::Busy {
                dir: dir.to_owned(),
                pid,
            },
            LockError::Io(e) => OutDirError::Io(e),
        })?;
        Ok(OutDir {
            dir: dir.to_owned(),
            _lock: lock,
        })
    }

    /// Starts a fresh staging folder, removing what a killed run left.
    pub fn staging(&self) -> Result<Staging<'_>, WriteError> {
        let dir = self.dir.join(STAGING_DIR);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| io_error(&dir, e))?;
        }
        std::fs::create_dir(&dir).map_err(|e| io_error(&dir, e))?;
        Ok(Staging {
            out: self,
            dir,
            staged: std::sync::Mutex::new(Vec::new()),
            done: false,
        })
    }

    /// Writes every file into staging, then moves them into place in the
    /// given order. Files whose content is already in place are left alone.
    #[cfg(test)]
    pub fn commit(&self, files: &[(String, Vec<u8>)]) -> Result<(), WriteError> {
        let staging = self.staging()?;
        for (name, bytes) in files {
            staging.write_if_changed(name, bytes)?;
        }
        staging.commit()
    }
}

/// Files of a run, written as they are made into `DIR/.piagam-staging/`,
/// and moved into `DIR` together at the end. Dropped without `commit`, the
/// staging folder is removed and `DIR` is as it was.
#[derive(Debug)]
pub struct Staging<'a> {
    out: &'a OutDir,
    dir: PathBuf,
    /// Names staged, in the order they will be moved.
    staged: std::sync::Mutex<Vec<String>>,
    done: bool,
}

impl Staging<'_> {
    /// Where a file of this name is staged.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Where a file of this name ends up.
    pub fn target(&self, name: &str) -> PathBuf {
        self.out.dir.join(name)
    }

    /// Records a file written (and synced) at `path(name)` by the caller.
    pub fn add(&self, name: &str) {
        if let Ok(mut staged) = self.staged.lock() {
            staged.push(name.to_owned());
        }
    }

    /// Stages `bytes` unless the same bytes are already in place.
    pub fn write_if_changed(&self, name: &str, bytes: &[u8]) -> Result<(), WriteError> {
        if std::fs::read(self.target(name)).is_ok_and(|old| old == bytes) {
            return Ok(());
        }
        let path = self.path(name);
        let mut file = std::fs::File::create(&path).map_err(|e| io_error(&path, e))?;
        file.write_all(bytes).map_err(|e| io_error(&path, e))?;
        self.add(name);
        Ok(())
    }

    /// Moves every staged file into place, PDFs first, and
    /// removes the staging folder. Renames need no space, so a full disk
    /// cannot stop this halfway.
    pub fn commit(mut self) -> Result<(), WriteError> {
        let mut staged = std::mem::take(
            &mut *self
                .staged
                .lock()
                .map_err(|_| io_error(&self.dir, "a writer failed"))?,
        );
        // On disk before any is moved, so a power cut never leaves a
        // renamed but empty file: one flush for the whole batch, not one per
        // file (that took a second per 1,000 documents).
        sync_files(&self.dir, &staged)?;
        // Documents first, the files that describe them (manifest) last.
        staged.sort_by(|a, b| (!a.ends_with(".pdf"), a).cmp(&(!b.ends_with(".pdf"), b)));
        let pause = pause_between_moves();
        for name in staged {
            let (from, to) = (self.path(&name), self.target(&name));
            std::fs::rename(&from, &to).map_err(|e| io_error(&to, e))?;
            if let Some(pause) = pause {
                std::thread::sleep(pause);
            }
        }
        self.done = true;
        // The renames themselves are durable once the folder is.
        if let Ok(dir) = std::fs::File::open(&self.out.dir) {
            let _ = dir.sync_all();
        }
        std::fs::remove_dir_all(&self.dir).map_err(|e| io_error(&self.dir, e))
    }
}

static MOVE_PAUSE_MS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Pauses after each file moved into place, from now on in this process:
/// for tests that kill a run while it moves its files. The front end
/// decides when (the command line, from a variable only tests set).
pub fn pause_between_moves_for_tests(pause: std::time::Duration) {
    let ms = u64::try_from(pause.as_millis()).unwrap_or(u64::MAX);
    MOVE_PAUSE_MS.store(ms, std::sync::atomic::Ordering::Relaxed);
}

fn pause_between_moves() -> Option<std::time::Duration> {
    match MOVE_PAUSE_MS.load(std::sync::atomic::Ordering::Relaxed) {
        0 => None,
        ms => Some(std::time::Duration::from_millis(ms)),
    }
}

/// Flushes the staged files to disk.
#[cfg(target_os = "linux")]
fn sync_files(dir: &Path, _names: &[String]) -> Result<(), WriteError> {
    use std::os::fd::AsRawFd;
    let folder = std::fs::File::open(dir).map_err(|e| io_error(dir, e))?;
    // SAFETY: syncfs only reads the descriptor, which stays open meanwhile.
    if unsafe { libc::syncfs(folder.as_raw_fd()) } != 0 {
        return Err(io_error(dir, std::io::Error::last_os_error()));
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn sync_files(dir: &Path, names: &[String]) -> Result<(), WriteError> {
    for name in names {
        let path = dir.join(name);
        std::fs::File::open(&path)
            .and_then(|f| f.sync_all())
            .map_err(|e| io_error(&path, e))?;
    }
    Ok(())
}

impl Drop for Staging<'_> {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_holder_is_refused_and_a_dead_one_is_taken_over() {
        let tmp = tempfile::tempdir().unwrap();
        let held = OutDir::hold(tmp.path()).unwrap();
        let err = OutDir::hold(tmp.path()).unwrap_err().to_string();
        assert!(
            err.contains(&format!("(process {})", std::process::id())),
            "{err}"
        );
        drop(held);
        assert!(!tmp.path().join(LOCK_FILE).exists());
        // A PID that no process has (beyond pid_max) is stale.
        std::fs::write(tmp.path().join(LOCK_FILE), "2147483646\n").unwrap();
        let taken = OutDir::hold(tmp.path()).unwrap();
        assert_eq!(
            std::fs::read_to_string(tmp.path().join(LOCK_FILE)).unwrap(),
            format!("{}\n", std::process::id())
        );
        drop(taken);
    }

    #[test]
    fn commit_stages_then_moves_and_leaves_identical_files_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let out = OutDir::hold(tmp.path()).unwrap();
        std::fs::write(tmp.path().join("same.txt"), b"same").unwrap();
        let before = std::fs::metadata(tmp.path().join("same.txt"))
            .unwrap()
            .modified()
            .unwrap();
        out.commit(&[
            ("same.txt".into(), b"same".to_vec()),
            ("new.txt".into(), b"new".to_vec()),
        ])
        .unwrap();
        assert_eq!(std::fs::read(tmp.path().join("new.txt")).unwrap(), b"new");
        let after = std::fs::metadata(tmp.path().join("same.txt"))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(before, after);
        assert!(!tmp.path().join(STAGING_DIR).exists());
    }
}
