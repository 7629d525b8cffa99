//! Each command: call the library, print what it returns.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use piagam::generate::{Issued, Outcome, Request};
use piagam::keystore::{self, NewKey};
use piagam::locale::Language;
use piagam::preview::PreviewRequest;
use piagam::seal::{self, Trust, VerifyOptions};

use super::args::{self, Cli, Command};
use super::hints;
use super::{EXIT_INVALID, EXIT_OK};

type CmdResult = Result<i32, String>;

/// Enough for thousands of seals; stops a runaway pipe from eating memory.
const MAX_STDIN_BYTES: u64 = 64 * 1024 * 1024;

pub fn dispatch(cli: Cli) -> CmdResult {
    match cli.command {
        Command::Demo { out } => demo(&out),
        Command::Keygen {
            issuer,
            out,
            rotate,
            not_before,
            not_after,
            verify_url,
            from_key,
        } => keygen(
            &out,
            rotate,
            from_key.as_deref(),
            NewKey {
                issuer,
                not_before,
                not_after,
                verify_url,
            },
        ),
        Command::Revoke {
            key,
            list,
            reason,
            date,
            jwks,
            serials,
        } => revoke(
            &key,
            &list,
            &reason,
            date.as_deref(),
            jwks.as_deref(),
            &serials,
        ),
        Command::Generate {
            input,
            key,
            out,
            jwks,
            issuer,
            skip_invalid,
            overwrite,
        } => generate(Request {
            key: Some(key),
            out: Some(out),
            jwks,
            issuer,
            skip_invalid,
            overwrite,
            ..request(input)
        }),
        Command::Check { input } => check(request(input)),
        Command::Preview {
            template,
            roster,
            row,
            config,
            sheet,
            lang,
            out,
        } => preview(&PreviewRequest {
            template,
            roster,
            row,
            config,
            sheet,
            lang,
            out,
        }),
        Command::Verify {
            trust,
            json,
            lang,
            revocations,
            inputs,
        } => verify(
            trust.as_deref(),
            revocations.as_deref(),
            json,
            lang,
            &inputs,
        ),
    }
}

fn demo(out: &Path) -> CmdResult {
    let issued = piagam::demo::run(out).map_err(hints::demo_error)?;
    report_written(&issued, out);
    eprintln!("note: these use the public DEMO key; anyone can forge them. Use `piagam keygen` for real charters.");
    Ok(EXIT_OK)
}

fn report_written(issued: &[Issued], out: &Path) {
    eprintln!(
        "wrote {} PDF(s), print.pdf ({} pages), manifest.csv and issuer.jwks.json to {}",
        issued.len(),
        issued.len(),
        out.display()
    );
    if let Some(first) = issued.first() {
        eprintln!();
        eprintln!("verify one, e.g. {} ({}):", first.recipient, first.file);
        eprintln!(
            "  piagam verify --trust {} '{}'",
            out.join("issuer.jwks.json").display(),
            first.qr_text
        );
    }
}

fn keygen(out: &Path, rotate: bool, from_key: Option<&Path>, opts: NewKey) -> CmdResult {
    let outcome = if rotate {
        keystore::rotate(out, &opts)
    } else if let Some(key) = from_key {
        keystore::import(key, out, &opts)
    } else {
        keystore::create(out, &opts)
    }
    .map_err(hints::keystore_error)?;
    if let Some(key) = &outcome.key_path {
        eprintln!("private key: {} (keep it secret; mode 0600)", key.display());
    }
    if let Some(retired) = &outcome.retired {
        eprintln!("previous private key kept at {}", retired.display());
    }
    eprintln!(
        "public keys: {} ({} key(s); publish this file)",
        outcome.jwks_path.display(),
        outcome.key_count
    );
    eprintln!("key id (kid): {}", outcome.kid);
    Ok(EXIT_OK)
}

fn revoke(
    key: &Path,
    list: &Path,
    reason: &str,
    date: Option<&str>,
    jwks: Option<&Path>,
    serials: &[String],
) -> CmdResult {
    let outcome = piagam::revoke::revoke(key, jwks, list, serials, reason, date)
        .map_err(hints::revoke_error)?;
    for serial in &outcome.already {
        eprintln!("note: {serial} was already revoked; its first reason is kept");
    }
    eprintln!(
        "revoked {} serial(s); {} now lists {} as of {}",
        outcome.added.len(),
        list.display(),
        outcome.total,
        outcome.issued
    );
    Ok(EXIT_OK)
}

fn request(input: args::InputArgs) -> Request {
    Request {
        roster: input.roster,
        templates: input.template,
        langs: input.lang,
        verify_url: input.verify_url,
        config: input.config,
        sheet: input.sheet,
        ..Request::default()
    }
}

fn print_warnings(outcome: &Outcome) {
    for w in &outcome.warnings {
        eprintln!("piagam: warning: {w}");
    }
}

fn generate(req: Request) -> CmdResult {
    let outcome = piagam::generate::run(&req).map_err(hints::run_error)?;
    print_warnings(&outcome);
    let out = req.out.as_deref().unwrap_or(Path::new("."));
    if !outcome.rejected.is_empty() {
        for p in &outcome.rejected {
            eprintln!("piagam: skipped: {p}");
        }
        let rows: std::collections::BTreeSet<_> =
            outcome.rejected.iter().filter_map(|p| p.row).collect();
        eprintln!(
            "skipped {} row(s) with problems; see {}",
            rows.len(),
            out.join("rejected.csv").display()
        );
    }
    report_written(&outcome.issued, out);
    Ok(EXIT_OK)
}

fn preview(req: &PreviewRequest) -> CmdResult {
    let outcome = piagam::preview::run(req).map_err(hints::run_error)?;
    eprintln!(
        "preview of {}: {}",
        outcome.recipient,
        outcome.pdf.display()
    );
    match &outcome.png {
        Some(png) => eprintln!("image: {}", png.display()),
        None => eprintln!("no PNG: install pdftoppm (apt-get install poppler-utils) to get one"),
    }
    Ok(EXIT_OK)
}

fn check(req: Request) -> CmdResult {
    let outcome = piagam::generate::check(&req).map_err(hints::run_error)?;
    print_warnings(&outcome);
    if outcome.rejected.is_empty() {
        eprintln!(
            "ok: {} row(s), {} document(s) laid out; nothing written",
            outcome.rows,
            outcome.issued.len()
        );
        Ok(EXIT_OK)
    } else {
        let mut lines: Vec<String> = outcome.rejected.iter().map(|p| p.to_string()).collect();
        lines.push(format!("{} problem(s) found", outcome.rejected.len()));
        Err(lines.join("\n"))
    }
}

fn verify(
    trust: Option<&Path>,
    revocations: Option<&Path>,
    json: bool,
    lang: Language,
    inputs: &[String],
) -> CmdResult {
    let trust_path = match trust {
        Some(p) => p.to_owned(),
        None if Path::new("issuer.jwks.json").exists() => PathBuf::from("issuer.jwks.json"),
        None => {
            return Err(
                "no trusted keys: pass --trust FILE with the issuer's issuer.jwks.json".into(),
            )
        }
    };
    let text = std::fs::read_to_string(&trust_path)
        .map_err(|e| format!("{}: {e}", trust_path.display()))?;
    let trust =
        Trust::from_jwks_json(&text).map_err(|e| format!("{}: {e}", trust_path.display()))?;
    let mut texts = Vec::new();
    for input in inputs {
        if input == "-" {
            // Read bytes, not lines: a line that is not UTF-8 is still an
            // input to report on, not a reason to stop.
            let mut bytes = Vec::new();
            std::io::stdin()
                .lock()
                .take(MAX_STDIN_BYTES)
                .read_to_end(&mut bytes)
                .map_err(|e| format!("stdin: {e}"))?;
            for line in bytes.split(|&b| b == b'\n') {
                let line = String::from_utf8_lossy(line);
                if !line.trim().is_empty() {
                    texts.push(line.trim().to_owned());
                }
            }
        } else {
            texts.push(input.clone());
        }
    }
    let mut options = VerifyOptions::default();
    if let Some(path) = revocations {
        options.revocations =
            Some(piagam::revoke::read_list(path, &trust).map_err(|e| e.to_string())?);
    }
    let mut all_valid = true;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for (i, text) in texts.iter().enumerate() {
        let report = seal::verify_qr_text(text, &trust, &options);
        all_valid &= report.is_valid();
        let written = if json {
            writeln!(out, "{}", report.to_json())
        } else {
            let sep = if i > 0 { "\n" } else { "" };
            write!(out, "{sep}{}", report.to_text(lang))
        };
        if written.is_err() {
            // A closed pipe: stop quietly, like other Unix tools.
            break;
        }
    }
    Ok(if all_valid { EXIT_OK } else { EXIT_INVALID })
}
