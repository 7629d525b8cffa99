//! Writing a prepared run's files and, with a register, recording them:
//! new serials reserved before anything is rendered, each file's SHA-256
//! recorded before the files move into place, the documents issued (and
//! what they replace superseded) once they are in place.

use std::path::Path;

use super::outcome::{RegisterReport, RunError};
use super::output::{stage_outputs, write_outputs, WriteOptions, Written};
use super::{GenerateError, Issued, Job};
use crate::outdir::OutDir;
use crate::register::{self, Register};
use crate::render::pdf::Usage;
use crate::roster::RowProblem;
use crate::seal::Jwks;

/// Where a run is recorded.
pub struct Recording<'a> {
    /// The register, held by this run; none for a stateless run.
    pub register: Option<Register>,
    /// The key's file, remembered (never its content) so that `revoke`
    /// can sign without being told.
    pub key_path: Option<&'a Path>,
    pub jwks: &'a Jwks,
}

/// Writes every file of a prepared run into `out` and records the run in
/// its register. `job.numbers` must come from that register.
///
/// The register is this function's alone: the writer is given what it
/// needs as data (which files in place are the ones issued) and stages
/// the run; the files' digests are recorded before anything moves into
/// place, and the documents are issued once everything has.
pub fn write_and_record(
    job: &Job,
    issued: &[Issued],
    usage: &Usage,
    recording: Recording,
    out: &Path,
    rejected: Option<&[RowProblem]>,
    options: WriteOptions,
) -> Result<(Written, Option<RegisterReport>), RunError> {
    let Recording {
        register,
        key_path,
        jwks,
    } = recording;
    let (Some(mut register), Some(numbers)) = (register, job.numbers) else {
        let written = write_outputs(job, issued, usage, jwks, out, rejected, &options)?;
        return Ok((written, None));
    };
    let kid = crate::seal::keys::kid_hex(&job.key.kid());
    let records = numbers.records(job, issued, &kid);
    let issued_files = issued_files(&register, issued, out)?;
    // New serials are reserved before anything is rendered.
    let new = register.reserve(&records, &register::counters_after(&records))?;
    if let Some(key_path) = key_path.and_then(|p| std::path::absolute(p).ok()) {
        register.set_meta("key_path", &key_path.to_string_lossy())?;
    }
    let out_dir = OutDir::hold(out).map_err(GenerateError::from)?;
    let staging = out_dir.staging().map_err(GenerateError::from)?;
    let written = stage_outputs(
        job,
        issued,
        usage,
        jwks,
        &staging,
        rejected,
        &WriteOptions {
            hash_files: true,
            issued_files: Some(&issued_files),
            replace_run_files: true,
            ..options
        },
    )?;
    // Each file's SHA-256 is recorded before the files are moved.
    let files: Vec<(String, String, String)> = written
        .digests
        .iter()
        .map(|d| {
            (
                issued[d.document].serial().to_owned(),
                register.record_path(&d.path),
                register::hex(&d.sha256),
            )
        })
        .collect();
    register
        .record_files(&files)
        .map_err(GenerateError::Register)?;
    staging.commit().map_err(GenerateError::from)?;
    drop(out_dir);
    // Only once every file is in place are the documents issued.
    let superseded = register.issue(&records)?;
    let revocations_at = register.revocations_path()?;
    // Written when this run superseded anything, and retried by every run
    // after one whose writing failed.
    let revocations = if superseded.is_empty() && !register.revocations_stale()? {
        None
    } else {
        let trust = crate::seal::Trust::from_jwks(jwks)?;
        crate::revoke::write_register_list(&register, job.key, &trust, &revocations_at)?;
        register.revocations_written()?;
        Some(revocations_at.clone())
    };
    // Every run refreshes the list of issued files, so `verify` can tell
    // the very file issued from one changed or saved again.
    let issued_list = crate::issued::list_path(&revocations_at);
    crate::issued::write_register_list(&register, job.key, &issued_list)?;
    Ok((
        written,
        Some(RegisterReport {
            path: register.path().to_owned(),
            new,
            kept: numbers.kept(),
            completed: numbers.completed(),
            superseded,
            revocations,
            issued_list,
        }),
    ))
}

/// Per document, the SHA-256 the register recorded for its file in `out`
/// when it was issued under the very same seal. (Re-signed by a rotated
/// key, the document's files would change, and say so.)
fn issued_files(
    register: &Register,
    issued: &[Issued],
    out: &Path,
) -> Result<Vec<Option<[u8; 32]>>, RunError> {
    let in_force = register.files_in_force()?;
    let base = register.base_dir();
    Ok(issued
        .iter()
        .map(|doc| {
            let key = (
                doc.serial().to_owned(),
                register::relative_path(&base, &out.join(&doc.file)),
            );
            let (file, seal) = in_force.get(&key)?;
            if *seal != register::hex(doc.seal_sha256()) {
                return None;
            }
            register::unhex(file)
        })
        .collect())
}
