//! Each command: call the library, print what it returns.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use piagam::config::EventConfig;
use piagam::generate::{self, Issued, Job};
use piagam::layout::fonts::FontBook;
use piagam::roster;
use piagam::seal::{self, IssuerKey, Jwk, Jwks, Lang, Trust, VerifyOptions};
use piagam::template::Template;

use super::args::{self, Cli, Command};
use super::{EXIT_INVALID, EXIT_OK};

type CmdResult = Result<i32, String>;

pub fn dispatch(cli: Cli) -> CmdResult {
    match cli.command {
        Command::Demo { out } => demo(&out),
        Command::Keygen { issuer, out } => keygen(&issuer, &out),
        Command::Generate {
            roster,
            template,
            key,
            out,
            verify_url,
            config,
            jwks,
        } => generate(GenerateArgs {
            roster,
            template,
            key,
            out,
            verify_url,
            config,
            jwks,
        }),
        Command::Verify {
            trust,
            json,
            lang,
            inputs,
        } => verify(trust.as_deref(), json, lang, &inputs),
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

fn keygen(issuer: &str, out: &Path) -> CmdResult {
    let issuer = issuer.trim();
    if issuer.is_empty() {
        return Err("--issuer must name the issuer".into());
    }
    let key_path = out.join("issuer.key.pem");
    if key_path.exists() {
        return Err(format!(
            "{} already exists; piagam never overwrites a key. Choose another --out folder.",
            key_path.display()
        ));
    }
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let key = IssuerKey::generate().map_err(|e| e.to_string())?;
    let pem = key.to_pkcs8_pem().map_err(|e| e.to_string())?;
    piagam::fsio::write_atomic_with_mode(&key_path, pem.as_bytes(), Some(0o600), false)
        .map_err(|e| e.to_string())?;
    let jwks = Jwks {
        issuer: issuer.to_owned(),
        verify_url: None,
        keys: vec![Jwk::from_key(&key.verifying_key())],
    };
    let jwks_path = out.join("issuer.jwks.json");
    piagam::fsio::write_atomic(&jwks_path, jwks.to_json().as_bytes()).map_err(|e| e.to_string())?;
    eprintln!(
        "private key: {} (keep it secret; mode 0600)",
        key_path.display()
    );
    eprintln!("public keys: {}", jwks_path.display());
    eprintln!("key id (kid): {}", jwks.keys[0].kid);
    Ok(EXIT_OK)
}

struct GenerateArgs {
    roster: PathBuf,
    template: PathBuf,
    key: PathBuf,
    out: PathBuf,
    verify_url: Option<String>,
    config: Option<PathBuf>,
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
    let jwks = read_jwks(&jwks_path)?;
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
            "{}: {e} (piagam keygen writes it beside the key; or pass --jwks FILE)",
            path.display()
        )
    })?;
    serde_json::from_str(&text).map_err(|e| format!("{}: not a valid JWKS: {e}", path.display()))
}

fn verify(trust: Option<&Path>, json: bool, lang: args::Lang, inputs: &[String]) -> CmdResult {
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
            for line in std::io::stdin().lock().lines() {
                let line = line.map_err(|e| format!("stdin: {e}"))?;
                if !line.trim().is_empty() {
                    texts.push(line.trim().to_owned());
                }
            }
        } else {
            texts.push(input.clone());
        }
    }
    let options = VerifyOptions::default();
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
