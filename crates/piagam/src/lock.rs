//! A lock file naming the PID of the process that holds something (an
//! output folder, a register). A second process is refused while the
//! holder lives; a lock left by a process that was killed is taken over.

use std::path::{Path, PathBuf};

use crate::fsio::WriteError;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LockError {
    #[error("held by process {pid}")]
    Busy { pid: u32 },
    #[error(transparent)]
    Io(#[from] WriteError),
}

/// A lock held by this process; removed when dropped.
#[derive(Debug)]
pub struct PidLock {
    path: PathBuf,
}

fn io_error(path: &Path, e: impl Into<crate::fsio::WriteCause>) -> WriteError {
    WriteError::new(path, e)
}

impl PidLock {
    /// Takes the lock at `path`, whose folder must exist.
    pub fn take(path: &Path) -> Result<PidLock, LockError> {
        // The lock appears with its PID already in it: written under a name
        // of this process's own, then linked into place, which fails if a
        // lock is there. (Created empty and then written, a second run could
        // read it empty in between and take it for stale.)
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mine = path.with_file_name(format!("{name}.{}", std::process::id()));
        std::fs::write(&mine, format!("{}\n", std::process::id()))
            .map_err(|e| io_error(&mine, e))?;
        let taken = (|| {
            // Two tries: the second after removing a lock whose owner is gone.
            for _ in 0..2 {
                match std::fs::hard_link(&mine, path) {
                    Ok(()) => return Ok(true),
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        match holder(path) {
                            Some(pid) if process_is_alive(pid) => {
                                return Err(LockError::Busy { pid })
                            }
                            // Stale (its run was killed) or unreadable: take it.
                            _ => std::fs::remove_file(path).map_err(|e| io_error(path, e))?,
                        }
                    }
                    Err(e) => return Err(io_error(path, e).into()),
                }
            }
            Ok(false)
        })();
        let _ = std::fs::remove_file(&mine);
        if taken? {
            return Ok(PidLock {
                path: path.to_owned(),
            });
        }
        Err(io_error(path, "the lock file keeps reappearing").into())
    }
}

/// The PID a lock file names, if it names one.
pub fn holder(path: &Path) -> Option<u32> {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok())
}

impl Drop for PidLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(unix)]
pub fn process_is_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // Signal 0 checks existence without sending anything. EPERM means it
    // exists but belongs to someone else.
    // SAFETY: kill with signal 0 has no effect on the target process.
    let result = unsafe { libc::kill(pid, 0) };
    result == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(not(unix))]
pub fn process_is_alive(_pid: u32) -> bool {
    // Without a way to ask, a lock is always respected.
    true
}
