//! Each command: call the library, print what it returns.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use piagam::config::EventConfig;
use piagam::generate::{self, Issued, Job};
use piagam::keystore::{self, NewKey};
use piagam::layout::fonts::FontBook;
use piagam::roster;
use piagam::seal::{self, IssuerKey, Jwk, Jwks, Lang, Trust, VerifyOptions};
use piagam::template::Template;

use super::args::{self, Cli, Command};
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
            roster,
            template,
            key,
            out,
            verify_url,
            config,
            issuer,
            jwks,
        } => generate(GenerateArgs {
            roster,
            template,
            key,
            out,
            verify_url,
            config,
            issuer,
            jwks,
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
    let issued = piagam::demo::run(out).map_err(|e| e.to_string())?;
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
    .map_err(|e| e.to_string())?;
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
        .map_err(|e| e.to_string())?;
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

struct GenerateArgs {
    roster: PathBuf,
    template: PathBuf,
    key: PathBuf,
    out: PathBuf,
    verify_url: Option<String>,
    config: Option<PathBuf>,
    issuer: Option<String>,
    jwks: Option<PathBuf>,
}

fn generate(a: GenerateArgs) -> CmdResult {
    let config = EventConfig::locate(a.config.as_deref(), &a.roster).map_err(|e| e.to_string())?;
    let records = roster::read_roster(&a.roster).map_err(|e| e.to_string())?;
    let template = Template::load(&a.template).map_err(|e| e.to_string())?;
    let mut fonts = FontBook::with_bundled();
    template
        .register_fonts(&mut fonts)
        .and_then(|_| template.check_fonts(&fonts))
        .map_err(|e| e.to_string())?;
    let key = IssuerKey::read_pem_file(&a.key).map_err(|e| e.to_string())?;
    let jwks_path = a.jwks.clone().unwrap_or_else(|| {
        a.key
            .parent()
            .unwrap_or(Path::new("."))
            .join("issuer.jwks.json")
    });
    let jwks = match (&a.issuer, jwks_path.exists()) {
        // A key made elsewhere (e.g. openssl) with no JWKS yet.
        (Some(name), false) if a.jwks.is_none() => Jwks {
            issuer: name.trim().to_owned(),
            verify_url: None,
            keys: vec![Jwk::from_key(&key.verifying_key())],
        },
        _ => read_jwks(&jwks_path)?,
    };
    let kid = seal::keys::kid_hex(&key.kid());
    if !jwks.keys.iter().any(|k| k.kid == kid) {
        return Err(format!(
            "{} does not list the key in {} (kid {kid}); pass the issuer's JWKS with --jwks",
            jwks_path.display(),
            a.key.display()
        ));
    }
    if let Some(url) = &a.verify_url {
        if url.contains('#') || url.chars().any(char::is_whitespace) {
            return Err(format!(
                "--verify-url '{url}' must not contain '#' or spaces"
            ));
        }
    }
    let templates = [template];
    let job = Job {
        roster_name: a.roster.clone(),
        records: &records,
        config: &config,
        templates: &templates,
        fonts: &fonts,
        key: &key,
        verify_url: a.verify_url.clone(),
    };
    let issued = generate::prepare(&job).map_err(|e| e.to_string())?;
    generate::write_outputs(&issued, &fonts, &jwks, &a.out).map_err(|e| e.to_string())?;
    report_written(&issued, &a.out);
    Ok(EXIT_OK)
}

fn read_jwks(path: &Path) -> Result<Jwks, String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "{}: {e} (piagam keygen writes it beside the key; or pass --jwks FILE, or --issuer NAME)",
            path.display()
        )
    })?;
    serde_json::from_str(&text).map_err(|e| format!("{}: not a valid JWKS: {e}", path.display()))
}

fn verify(
    trust: Option<&Path>,
    revocations: Option<&Path>,
    json: bool,
    lang: args::Lang,
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
    let lang = match lang {
        args::Lang::Id => Lang::Id,
        args::Lang::En => Lang::En,
    };
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
