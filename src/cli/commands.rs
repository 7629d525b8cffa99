//! Each command: call the library, print what it returns.

use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};

use piagam::generate::{Cancel, Issued, Outcome, RegisterChoice, Written};
use piagam::keystore::{self, NewKey};
use piagam::locale::Language;
use piagam::preview::PreviewRequest;
use piagam::project::{Project, RunOptions, Signer, Sources};
use piagam::register::Status;
use piagam::report_text::ReportText;
use piagam::seal::{self, Trust, VerifyOptions};

use super::args::{self, Cli, Command};
use super::hints;
use super::progress;
use super::shell::sh;
use super::{EXIT_INVALID, EXIT_OK};

type CmdResult = Result<i32, String>;

pub fn dispatch(cli: Cli) -> CmdResult {
    match cli.command {
        Command::Demo(a) => demo(&a.out),
        Command::Keygen(a) => keygen_command(a),
        Command::Revoke(a) => revoke_command(a),
        Command::List(a) => list_command(a),
        Command::Revocations(a) => {
            revocations(&locate(&a.at), a.key.as_deref(), a.jwks.as_deref(), &a.out)
        }
        Command::Generate(a) => generate_command(a),
        Command::Check(a) => check_command(a.input, a.register, a.no_register),
        Command::Preview(a) => preview_command(a),
        Command::Calibrate(a) => calibrate(a),
        Command::Studio(a) => studio(a),
        Command::Send(a) => send(a),
        Command::Site(a) => site(
            &a.trust,
            a.revocations.as_deref(),
            a.issued.as_deref(),
            a.logo.as_deref(),
            &a.out,
        ),
        Command::Verify(a) => verify(
            a.trust.as_deref(),
            a.revocations.as_deref(),
            a.issued.as_deref(),
            a.json,
            a.lang,
            &a.inputs,
        ),
    }
}

fn keygen_command(a: args::KeygenArgs) -> CmdResult {
    let key = NewKey {
        issuer: a.issuer,
        not_before: a.not_before,
        not_after: a.not_after,
        verify_url: a.verify_url,
    };
    keygen(&a.out, a.rotate, a.from_key.as_deref(), key)
}

fn revoke_command(a: args::RevokeArgs) -> CmdResult {
    let request = RevokeRequest {
        key: a.key.as_deref(),
        list: a.list.as_deref(),
        register: (!a.no_register).then(|| locate(&a.at)),
        jwks: a.jwks.as_deref(),
        date: a.date.as_deref(),
    };
    revoke(request, &a.reason, &a.serials)
}

fn list_command(a: args::ListArgs) -> CmdResult {
    let filter = piagam::register::Filter {
        status: a.status.map(status_of),
        kind: a.kind,
        search: a.search,
    };
    list(&locate(&a.at), &filter, list_format(a.json, a.csv))
}

fn generate_command(a: args::GenerateArgs) -> CmdResult {
    let options = RunOptions {
        skip_invalid: a.skip_invalid,
        overwrite: a.overwrite,
        stock: a.stock,
        marks: a.marks,
        pdfa: a.pdfa,
        corrections: corrections(&a.input),
        ..run_options(&a.output)
    };
    let sources = Sources {
        register: register_choice(&a.register),
        ..sources(a.input)?
    };
    // The key is read once the event is known to be sound, so a roster's
    // problems are named first.
    let (key, jwks, issuer) = (a.key, a.jwks, a.issuer);
    let signer = || Signer::from_files(&key, jwks.as_deref(), issuer.as_deref());
    generate(&sources, &options, signer, &a.out, a.output.quiet)
}

/// `send`: each winner's documents by email, recorded and resumable.
fn send(a: args::SendArgs) -> CmdResult {
    // The roster as generate read it; no templates are needed to send.
    let config = match &a.config {
        Some(path) => piagam::config::EventConfig::read(path),
        None => piagam::config::EventConfig::locate(None, &a.roster),
    }
    .map_err(|e| hints::run_error(e.into()))?;
    let roster = piagam::roster::read_roster(
        &a.roster,
        &config.roster_options(a.sheet.as_deref(), a.header_row),
    )
    .map_err(|e| hints::run_error(e.into()))?;
    if !roster.problems.is_empty() {
        let lines: Vec<String> = roster.problems.iter().map(ToString::to_string).collect();
        return Err(format!(
            "{}\n{} problem(s) in the roster; nothing was sent",
            lines.join("\n"),
            lines.len()
        ));
    }
    let path = a
        .register
        .clone()
        .unwrap_or_else(|| config.base_dir.join(piagam::register::REGISTER_FILE));
    let register = if a.dry_run.is_some() {
        piagam::register::Register::open_read_only(&path)
    } else {
        piagam::register::Register::open(&path).map(Some)
    }
    .map_err(|e| hints::run_error(e.into()))?
    .ok_or_else(|| {
        format!(
            "{}: no register here; send needs the one that issued the documents",
            path.display()
        )
    })?;
    let plan = piagam_mail::plan(&a.out, &roster, &register).map_err(|e| e.to_string())?;
    let issuer = piagam::keystore::read_jwks(&a.out.join(piagam::keystore::JWKS_FILE))
        .map(|j| j.issuer)
        .unwrap_or_else(|_| config.event.name.clone());
    let from: piagam_mail::letter::Mailbox = a
        .from
        .parse()
        .map_err(|e| format!("--from '{}': {e}", a.from))?;
    let options = piagam_mail::SendOptions {
        from,
        event: piagam_mail::Event {
            name: config.event.name.clone(),
            issuer,
        },
        wording: {
            // piagam.toml's [mail] wording, where it gives one.
            let bundled = piagam_mail::default_wording(a.lang);
            piagam_mail::Wording {
                subject: config
                    .mail
                    .subject
                    .get(&a.lang)
                    .cloned()
                    .unwrap_or(bundled.subject),
                body: config
                    .mail
                    .body
                    .get(&a.lang)
                    .cloned()
                    .unwrap_or(bundled.body),
            }
        },
        per_minute: a.per_minute,
        resend: a.resend.clone(),
        tries: 3,
        backoff: std::time::Duration::from_secs(1),
    };
    for (row, recipient) in &plan.without_address {
        say!("row {row}: {recipient} has no email address; skipped");
    }
    for (serial, why) in &plan.withdrawn {
        say!("{serial} is {why}: not sent");
    }
    if let Some(dir) = &a.dry_run {
        let written = piagam_mail::dry_run(&plan, dir, &options).map_err(|e| e.to_string())?;
        say!(
            "{} message(s) written to {} to review; nothing was sent",
            written.len(),
            dir.display()
        );
        return Ok(EXIT_OK);
    }
    let endpoint = piagam_mail::Endpoint::parse(a.smtp.as_deref().unwrap_or_default())
        .map_err(|e| e.to_string())?;
    let login = match &a.user {
        Some(user) => Some((
            user.clone(),
            match std::env::var("PIAGAM_SMTP_PASSWORD") {
                Ok(password) => password,
                Err(_) => super::prompt::ask_secret(&format!("password for {user}: ")).ok_or(
                    "--user needs its password: type it when asked, or set PIAGAM_SMTP_PASSWORD (it is never read from piagam.toml)",
                )?,
            },
        )),
        None => None,
    };
    let server = piagam_mail::Smtp::connect(&endpoint, login).map_err(|e| e.to_string())?;
    let summary = piagam_mail::send(
        &plan,
        &server,
        &register,
        &options,
        &mut |letter, address, delivery| {
            say!("row {}: {address}: {}", letter.row, delivery.code());
        },
    )
    .map_err(|e| e.to_string())?;
    say!(
        "sent {}, failed {}, skipped {} (already accepted), {} without an address",
        summary.sent,
        summary.failed.len(),
        summary.skipped,
        plan.without_address.len()
    );
    for (row, address, why) in &summary.failed {
        say!("  failed: row {row}: {address}: {why}");
    }
    Ok(if summary.failed.is_empty() {
        EXIT_OK
    } else {
        EXIT_INVALID
    })
}

fn studio(a: args::StudioArgs) -> CmdResult {
    let options = piagam_studio::Options {
        folder: a.folder.unwrap_or_else(|| PathBuf::from(".")),
        port: a.port.unwrap_or(0),
    };
    let open = !a.no_open;
    let show = |url: &str| {
        // The first line of standard output, for scripts and tests.
        println!("{url}");
        let _ = std::io::stdout().flush();
        if open && !open_browser(url) {
            say!("open this address in a browser: {url}");
        }
    };
    match piagam_studio::run(options, show) {
        Ok(()) => Ok(EXIT_OK),
        // A second start (a second double-click) shows the first studio.
        Err(piagam_studio::StudioError::AlreadyOpen {
            address: Some(address),
        }) => {
            say!("piagam: a studio is already open for this folder; it is at the address below");
            show(&address);
            Ok(super::EXIT_ERROR)
        }
        Err(e) => Err(e.to_string()),
    }
}

/// Opens `url` in the default browser; false if no opener could start.
fn open_browser(url: &str) -> bool {
    let opener = if cfg!(target_os = "macos") {
        std::process::Command::new("open").arg(url).spawn()
    } else if cfg!(windows) {
        std::process::Command::new("cmd")
            .args(["/C", "start", "", url])
            .spawn()
    } else {
        std::process::Command::new("xdg-open").arg(url).spawn()
    };
    opener.is_ok()
}

fn calibrate(a: args::CalibrateArgs) -> CmdResult {
    let assets = piagam::generate::assets_policy(a.allow_outside_assets);
    let targets = piagam::calibrate::write_sheet(&a.template, a.lang, assets, &a.out)
        .map_err(|e| e.to_string())?;
    say!("calibration sheet: {}", a.out.display());
    for t in &targets {
        say!("  {}: x {:.1} mm, y {:.1} mm", t.label, t.x_mm, t.y_mm);
    }
    say!("");
    say!("print it on plain paper at 100% (actual size), hold it against a blank sheet against the light,");
    say!("and write how far each crosshair is from its place into piagam.toml:");
    say!("  [print]");
    say!("  offset_mm = [x, y]   # negative when the crosshair falls right of or below its place");
    say!("then print the names with: piagam generate … --stock");
    Ok(EXIT_OK)
}

fn preview_command(a: args::PreviewArgs) -> CmdResult {
    preview(&PreviewRequest {
        template: a.template,
        roster: a.roster,
        row: a.row,
        config: a.config,
        sheet: a.sheet,
        header_row: a.header_row,
        lang: a.lang,
        allow_outside_assets: a.allow_outside_assets,
        out: a.out,
    })
}

fn demo(out: &Path) -> CmdResult {
    let started = std::time::Instant::now();
    let (issued, written) = piagam::demo::run(out).map_err(hints::demo_error)?;
    report_written(
        &issued,
        &written,
        out,
        &RunOptions::default(),
        started.elapsed().as_secs_f64(),
    );
    if let Some(first) = issued.first() {
        let page = std::fs::canonicalize(out.join("site").join("index.html"))
            .unwrap_or_else(|_| out.join("site").join("index.html"));
        let digits = first.qr_text().rsplit('#').next().unwrap_or_default();
        say!("");
        say!("or open the verification page (offline, in any browser):");
        say!("  file://{}#{digits}", page.display());
    }
    say!("");
    say!("what was issued, to whom, under which number:");
    say!(
        "  piagam list --register {}",
        sh(&out.join(piagam::register::REGISTER_FILE))
    );
    say!("note: these use the public DEMO key; anyone can forge them. Use `piagam keygen` for real charters.");
    Ok(EXIT_OK)
}

/// The one-line summary: documents, what files, pages, bytes, seconds.
fn report_written(issued: &[Issued], w: &Written, out: &Path, req: &RunOptions, secs: f64) {
    let mut what = Vec::new();
    if req.outputs.files {
        let mut fates = Vec::new();
        for (n, word) in [
            (w.new_files, "new"),
            (w.replaced_files, "replaced"),
            (w.unchanged_files, "unchanged"),
        ] {
            if n > 0 {
                fates.push(format!("{n} {word}"));
            }
        }
        what.push(format!("{} PDF(s) ({})", issued.len(), fates.join(", ")));
    }
    if req.outputs.print {
        what.push(match req.print_chunk {
            Some(n) => format!("print files of {n} pages at most"),
            None => "print.pdf".into(),
        });
    }
    if req.outputs.zip {
        what.push(piagam::generate::ZIP_FILE.into());
    }
    say!(
        "{} document(s) in {}: {}, {} page(s), {:.1} MB, in {secs:.1} s",
        issued.len(),
        out.display(),
        what.join(" and "),
        w.pages,
        w.bytes as f64 / 1e6,
    );
    if let Some(first) = issued.first() {
        say!("");
        if req.outputs.files {
            say!("verify one, e.g. {} ({}):", first.recipient(), first.file);
        } else {
            say!("verify one, e.g. {}:", first.recipient());
        }
        say!(
            "  piagam verify --trust {} {}",
            sh(&out.join("issuer.jwks.json")),
            sh(Path::new(first.qr_text()))
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
        say!("private key: {} (keep it secret; mode 0600)", key.display());
    }
    if let Some(retired) = &outcome.retired {
        say!("previous private key kept at {}", retired.display());
    }
    say!(
        "public keys: {} ({} key(s); publish this file)",
        outcome.jwks_path.display(),
        outcome.key_count
    );
    say!("key id (kid): {}", outcome.kid);
    Ok(EXIT_OK)
}

/// How `revoke` was asked to sign and where to write.
struct RevokeRequest<'a> {
    key: Option<&'a Path>,
    list: Option<&'a Path>,
    /// The register to use, unless --no-register.
    register: Option<PathBuf>,
    jwks: Option<&'a Path>,
    date: Option<&'a str>,
}

fn revoke(a: RevokeRequest, reason: &str, serials: &[String]) -> CmdResult {
    let register = a.register.filter(|r| r.exists());
    let Some(register) = register else {
        // No register: the list alone, as before there was one.
        let (Some(key), Some(list)) = (a.key, a.list) else {
            return Err("no register here to revoke from: give --key and --list to extend a revocation list, or --register FILE\nhint: piagam revoke --help".into());
        };
        let outcome = piagam::revoke::revoke(key, a.jwks, list, serials, reason, a.date)
            .map_err(hints::revoke_error)?;
        for serial in &outcome.already {
            say!("note: {serial} was already revoked; its first reason is kept");
        }
        say!(
            "revoked {} serial(s); {} now lists {} as of {}",
            outcome.added.len(),
            list.display(),
            outcome.total,
            outcome.issued
        );
        return Ok(EXIT_OK);
    };
    let outcome = piagam::revoke::revoke_in_register(
        &register, a.key, a.jwks, a.list, serials, reason, a.date,
    )
    .map_err(hints::revoke_error)?;
    let mut revoked = 0;
    for (serial, what) in &outcome.outcomes {
        match what {
            piagam::register::Revocation::Revoked => revoked += 1,
            piagam::register::Revocation::AlreadyRevoked => {
                say!("note: {serial} was already revoked; its first reason is kept")
            }
            piagam::register::Revocation::Superseded { by } => {
                say!("note: {serial} was already replaced by {by}; the list withdraws it as such")
            }
        }
    }
    say!(
        "revoked {revoked} serial(s) in {}; {} now lists {} as of {}",
        register.display(),
        outcome.list_path.display(),
        outcome.listed,
        outcome.list_date
    );
    say!(
        "publish it beside the verification page, e.g. piagam site --revocations {}",
        sh(&outcome.list_path)
    );
    Ok(EXIT_OK)
}

fn locate(at: &args::RegisterAt) -> PathBuf {
    piagam::register::locate(at.register.as_deref(), at.config.as_deref())
}

/// The register a check means: --register FILE, else beside piagam.toml
/// (--config, or beside the roster), else here.
fn register_of(
    choice: &RegisterChoice,
    config: Option<&Path>,
    roster: &Path,
) -> Result<PathBuf, String> {
    Ok(match choice {
        RegisterChoice::At(path) => path.clone(),
        _ => {
            let config = config.map(Path::to_owned).or_else(|| {
                let beside = roster
                    .parent()
                    .unwrap_or(Path::new("."))
                    .join("piagam.toml");
                beside.exists().then_some(beside)
            });
            piagam::register::locate(None, config.as_deref())
        }
    })
}

fn audit(path: &Path) -> CmdResult {
    if !path.exists() {
        return Err(format!(
            "register {} does not exist: piagam generate makes it",
            path.display()
        ));
    }
    // A register on read-only media is checked as it stands, repairing nothing.
    let (mut register, repair) = match piagam::register::Register::open(path) {
        Ok(register) => (register, true),
        Err(piagam::register::RegisterError::ReadOnly { .. }) => {
            say!(
                "register {} can only be read: checking it without repairing anything",
                path.display()
            );
            let register = piagam::register::Register::open_read_only(path)
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("register {} does not exist", path.display()))?;
            (register, false)
        }
        Err(e) => return Err(e.to_string()),
    };
    let findings = register.audit(repair).map_err(|e| e.to_string())?;
    let entries = register.entries().map_err(|e| e.to_string())?;
    let mut problems = 0;
    for f in &findings {
        let serial = f
            .serial
            .as_deref()
            .map(|s| format!("{s}: "))
            .unwrap_or_default();
        match f.kind {
            piagam::register::FindingKind::Repaired => say!("repaired: {serial}{}", f.message),
            piagam::register::FindingKind::Problem => {
                problems += 1;
                say!("problem: {serial}{}", f.message)
            }
            piagam::register::FindingKind::StaleRevocations => {
                problems += 1;
                say!("problem: {}", f.message);
                if let Ok(published) = register.revocations_path() {
                    say!(
                        "hint: write it now with: piagam revocations --register {} --out {}",
                        sh(path),
                        sh(&published)
                    );
                }
            }
        }
    }
    let count = |s: Status| entries.iter().filter(|e| e.status == s).count();
    say!(
        "register {}: {} document(s): {} issued, {} superseded, {} revoked, {} reserved; {} problem(s)",
        path.display(),
        entries.len(),
        count(Status::Issued),
        count(Status::Superseded),
        count(Status::Revoked),
        count(Status::Reserved),
        problems
    );
    Ok(if problems == 0 { EXIT_OK } else { EXIT_INVALID })
}

#[derive(Debug, Clone, Copy)]
enum ListFormat {
    Table,
    Json,
    Csv,
}

fn list(path: &Path, filter: &piagam::register::Filter, format: ListFormat) -> CmdResult {
    let register = piagam::register::Register::open_read_only(path)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("register {} does not exist: piagam generate makes it\nhint: give --register FILE or --config piagam.toml", path.display()))?;
    let entries: Vec<_> = register
        .entries()
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|e| filter.matches(e))
        .collect();
    // What piagam send did with each document: its messages, by serial.
    let messages = register.messages().map_err(|e| e.to_string())?;
    let mailed = |serial: &str| -> Vec<&piagam::register::SentMessage> {
        messages
            .iter()
            .filter(|m| m.serials.iter().any(|s| s == serial))
            .collect()
    };
    let mut out = std::io::stdout().lock();
    let written = match format {
        ListFormat::Json => {
            let all: Vec<_> = entries
                .iter()
                .map(|e| {
                    let mut json = e.to_json();
                    let sent: Vec<_> = mailed(&e.serial)
                        .iter()
                        .map(|m| {
                            serde_json::json!({
                                "address": m.address,
                                "state": m.delivery.code(),
                                "at": m.at,
                                "message_id": m.message_id,
                                "answer": m.answer,
                            })
                        })
                        .collect();
                    if let Some(object) = json.as_object_mut() {
                        object.insert("messages".into(), sent.into());
                    }
                    json
                })
                .collect();
            writeln!(out, "{}", serde_json::Value::Array(all))
        }
        ListFormat::Csv => out.write_all(&piagam::register::entries_csv(&entries)),
        ListFormat::Table => {
            let mut text = String::new();
            for e in &entries {
                let note = match e.status {
                    Status::Superseded => format!(
                        "superseded by {}",
                        e.superseded_by.as_deref().unwrap_or("?")
                    ),
                    Status::Revoked => format!(
                        "revoked {}: {}",
                        e.revoked_on.as_deref().unwrap_or("?"),
                        e.revoked_reason.as_deref().unwrap_or("")
                    ),
                    Status::Issued => format!(
                        "issued {}",
                        e.issued_at.as_deref().unwrap_or("").get(..10).unwrap_or("")
                    ),
                    Status::Reserved => "reserved (run interrupted)".into(),
                };
                let sent: Vec<String> = mailed(&e.serial)
                    .iter()
                    .map(|m| format!("{} {}", m.delivery.code(), escape_controls(&m.address)))
                    .collect();
                let note = if sent.is_empty() {
                    note
                } else {
                    format!("{note}; email: {}", sent.join(", "))
                };
                text.push_str(&format!(
                    "{}\t{}\t{}\t{}\n",
                    e.serial,
                    e.kind,
                    escape_controls(&e.recipient),
                    note
                ));
            }
            text.push_str(&format!(
                "{} document(s) in {}\n",
                entries.len(),
                path.display()
            ));
            out.write_all(text.as_bytes())
        }
    };
    match written {
        Ok(()) => Ok(EXIT_OK),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(EXIT_OK),
        Err(e) => Err(format!("standard output: {e}")),
    }
}

fn revocations(register: &Path, key: Option<&Path>, jwks: Option<&Path>, out: &Path) -> CmdResult {
    let list =
        piagam::revoke::write_revocations(register, key, jwks, out).map_err(hints::revoke_error)?;
    say!(
        "wrote {}: {} serial(s) revoked or superseded, as of {}",
        out.display(),
        list.entries().len(),
        list.issued
    );
    Ok(EXIT_OK)
}

/// The run's choices from the output flags.
fn run_options(output: &args::OutputArgs) -> RunOptions {
    RunOptions {
        outputs: piagam::generate::Outputs {
            files: output.outputs.contains(&args::OutputKind::Files),
            print: output.outputs.contains(&args::OutputKind::Print),
            zip: output.outputs.contains(&args::OutputKind::Zip),
            png: output.outputs.contains(&args::OutputKind::Png),
        },
        print_chunk: output.print_chunk.map(|n| n as usize),
        jobs: output.jobs.map(|n| n as usize),
        file_names: match output.file_names {
            args::FileNameKind::Ascii => piagam::generate::FileNames::Ascii,
            args::FileNameKind::Unicode => piagam::generate::FileNames::Unicode,
            args::FileNameKind::Serial => piagam::generate::FileNames::Serial,
        },
        ..RunOptions::default()
    }
}

/// Where generate keeps its register: --no-register, --register FILE, or
/// beside piagam.toml.
fn register_choice(register: &args::RegisterArgs) -> RegisterChoice {
    if register.no_register {
        RegisterChoice::Off
    } else {
        register
            .register
            .clone()
            .map_or(RegisterChoice::BesideConfig, RegisterChoice::At)
    }
}

/// `check`: the roster and templates as generate would take them, and with
/// --register, the register against its files too; without a roster, only
/// the register.
fn check_command(input: args::InputArgs, register: Option<String>, no_register: bool) -> CmdResult {
    let choice = match (&register, no_register) {
        (_, true) => RegisterChoice::Off,
        (Some(path), _) if !path.is_empty() => RegisterChoice::At(PathBuf::from(path)),
        _ => RegisterChoice::BesideConfig,
    };
    if input.roster.is_none() {
        return audit(&register_of(
            &choice,
            input.config.as_deref(),
            Path::new("."),
        )?);
    }
    let options = RunOptions {
        corrections: corrections(&input),
        ..RunOptions::default()
    };
    let sources = Sources {
        register: choice,
        ..sources(input)?
    };
    let project = Project::open(&sources).map_err(hints::run_error)?;
    let code = check(&project, &options)?;
    match (register, project.register_path()) {
        (Some(_), Some(path)) => audit(path),
        _ => Ok(code),
    }
}

fn status_of(status: args::StatusArg) -> Status {
    match status {
        args::StatusArg::Reserved => Status::Reserved,
        args::StatusArg::Issued => Status::Issued,
        args::StatusArg::Superseded => Status::Superseded,
        args::StatusArg::Revoked => Status::Revoked,
    }
}

fn list_format(json: bool, csv: bool) -> ListFormat {
    if json {
        ListFormat::Json
    } else if csv {
        ListFormat::Csv
    } else {
        ListFormat::Table
    }
}

/// Where the event's parts are, as the flags say.
fn sources(input: args::InputArgs) -> Result<Sources, String> {
    let roster = input
        .roster
        .ok_or("--roster is needed: the winners' .csv, .xlsx, .ods or .json file")?;
    Ok(Sources {
        roster,
        templates: input.template,
        langs: input.lang,
        verify_url: input.verify_url,
        config: input.config,
        sheet: input.sheet,
        header_row: input.header_row,
        allow_outside_assets: input.allow_outside_assets,
        ..Sources::default()
    })
}

fn corrections(input: &args::InputArgs) -> piagam::register::Corrections {
    match (input.accept_corrections, input.reject_corrections) {
        (true, _) => piagam::register::Corrections::Accept,
        (_, true) => piagam::register::Corrections::Reject,
        _ => piagam::register::Corrections::Ask,
    }
}

fn print_warnings(outcome: &Outcome) {
    for w in &outcome.warnings {
        say!("piagam: warning: {w}");
    }
}

fn generate(
    sources: &Sources,
    options: &RunOptions,
    signer: impl FnOnce() -> Result<Signer, piagam::generate::RunError>,
    out: &Path,
    quiet: bool,
) -> CmdResult {
    let started = std::time::Instant::now();
    let project = Project::open(sources).map_err(hints::run_error)?;
    let signer = signer().map_err(hints::run_error)?;
    let bar = progress::Bar::new(quiet);
    let outcome = project
        .generate(&signer, out, options, &bar, &Cancel::new())
        .map_err(hints::run_error)?;
    drop(bar);
    print_warnings(&outcome);
    if !outcome.rejected.is_empty() {
        for p in &outcome.rejected {
            say!("piagam: skipped: {p}");
        }
        let rows: std::collections::BTreeSet<_> =
            outcome.rejected.iter().filter_map(|p| p.row).collect();
        say!(
            "skipped {} row(s) with problems; see {}",
            rows.len(),
            out.join("rejected.csv").display()
        );
    }
    report_written(
        &outcome.issued,
        &outcome.written,
        out,
        options,
        started.elapsed().as_secs_f64(),
    );
    if let Some(r) = &outcome.register {
        say!("");
        say!(
            "register {}: {} document(s) issued now, {} already issued and kept",
            r.path.display(),
            r.new + r.completed,
            r.kept
        );
        if r.completed > 0 {
            say!(
                "this run completed {} document(s) an interrupted run had begun",
                r.completed
            );
        }
        if !r.superseded.is_empty() {
            say!(
                "this run replaces {} earlier document(s) with corrected ones: {}",
                r.superseded.len(),
                r.superseded.join(", ")
            );
        }
        if let Some(list) = &r.revocations {
            say!(
                "the revocation list {} now says so; publish it with the verification page (piagam site --revocations {})",
                list.display(),
                sh(list)
            );
        }
    }
    if let Some(url) = outcome
        .issued
        .first()
        .and_then(|d| d.qr_text().rsplit_once('#'))
        .map(|(u, _)| u)
    {
        if !url.is_empty() {
            let jwks = out.join("issuer.jwks.json");
            let mut lists = String::new();
            if let Some(r) = &outcome.register {
                if let Some(revocations) = &r.revocations {
                    lists.push_str(&format!(" --revocations {}", sh(revocations)));
                }
                lists.push_str(&format!(" --issued {}", sh(&r.issued_list)));
            }
            say!("");
            say!("the QR codes open {url}: publish the verification page there, made with");
            say!("  piagam site --trust {}{lists} --out site/", sh(&jwks));
        }
    }
    Ok(EXIT_OK)
}

fn preview(req: &PreviewRequest) -> CmdResult {
    let outcome = piagam::preview::run(req).map_err(hints::run_error)?;
    say!(
        "preview of {}: {}",
        outcome.recipient,
        outcome.pdf.display()
    );
    match &outcome.png {
        Some(png) => say!("image: {}", png.display()),
        None => say!("no PNG: the page could not be rendered"),
    }
    Ok(EXIT_OK)
}

fn check(project: &Project, options: &RunOptions) -> CmdResult {
    let outcome = project.check(options).map_err(hints::run_error)?;
    print_warnings(&outcome);
    if outcome.rejected.is_empty() {
        say!(
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

fn site(
    trust: &Path,
    revocations: Option<&Path>,
    issued: Option<&Path>,
    logo: Option<&Path>,
    out: &Path,
) -> CmdResult {
    let jwks = keystore::read_jwks(trust).map_err(hints::keystore_error)?;
    let checked = Trust::from_jwks(&jwks).map_err(|e| format!("{}: {e}", trust.display()))?;
    let list = match revocations {
        Some(path) => {
            // Checked against the issuer's keys first: the page would refuse it.
            let parsed = piagam::revoke::read_list(path, &checked).map_err(|e| e.to_string())?;
            let bytes = piagam::read_capped(path, 4 * 1024 * 1024)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            say!(
                "revocation list of {} with {} serial(s)",
                parsed.issued,
                parsed.entries().len()
            );
            Some(bytes)
        }
        None => None,
    };
    let issued = match issued {
        Some(path) => {
            // Checked first, like the revocation list: the page would refuse it.
            let parsed = piagam::issued::read_list(path, &checked).map_err(|e| e.to_string())?;
            let bytes = piagam::issued::read_bytes(path).map_err(|e| e.to_string())?;
            say!(
                "list of {} issued file(s), dated {}, published beside the page",
                parsed.entries().len(),
                parsed.date
            );
            Some(bytes)
        }
        None => None,
    };
    let logo = match logo {
        Some(path) => {
            let bytes = piagam::read_capped(path, piagam::site::MAX_LOGO_BYTES as u64)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            Some(
                piagam::site::Logo::from_bytes(bytes)
                    .map_err(|e| format!("{}: {e}", path.display()))?,
            )
        }
        None => None,
    };
    let written = piagam::site::write_site(
        &jwks,
        list.as_deref(),
        issued.as_deref(),
        logo.as_ref(),
        out,
    )
    .map_err(|e| e.to_string())?;
    for path in &written.files {
        say!("wrote {}", path.display());
    }
    if list.is_some() && !written.revocations_embedded {
        say!(
            "the revocation list is too long to embed in the page: it is published as {}, which the page fetches when served over HTTP (opened from disk, it cannot check revocation)",
            out.join(piagam::site::REVOCATIONS_FILE).display()
        );
    }
    match &jwks.verify_url {
        Some(url) => say!("publish {} at {url}", out.display()),
        None => say!(
            "publish {} at the address your QR codes start with (verify_url)",
            out.display()
        ),
    }
    Ok(EXIT_OK)
}

fn verify(
    trust: Option<&Path>,
    revocations: Option<&Path>,
    issued: Option<&Path>,
    json: bool,
    lang: Language,
    inputs: &[String],
) -> CmdResult {
    let trust_path = match trust {
        Some(p) => p.to_owned(),
        None if Path::new("issuer.jwks.json").exists() => PathBuf::from("issuer.jwks.json"),
        None => {
            return Err("no trusted keys: the issuer's issuer.jwks.json is needed\nhint: pass it with --trust FILE".into())
        }
    };
    let text = piagam::read_text_capped(&trust_path, MAX_TRUST_BYTES)
        .map_err(|e| format!("{}: {e}", trust_path.display()))?;
    let trust = piagam::keystore::trust_from_json(&text)
        .map_err(|e| format!("{}: {e}", trust_path.display()))?;
    let mut options = VerifyOptions::default();
    // In an event folder, its own lists are used, and said to be.
    let here = |name: &str| Some(PathBuf::from(name)).filter(|p| p.is_file());
    let revocations = match revocations {
        Some(path) => Some(path.to_owned()),
        None => here(piagam::register::REVOCATIONS_FILE).inspect(|p| {
            say!(
                "piagam: using the revocation list in this folder, {}",
                p.display()
            )
        }),
    };
    if let Some(path) = &revocations {
        options.revocations =
            Some(piagam::revoke::read_list(path, &trust).map_err(|e| e.to_string())?);
    }
    let issued = match issued {
        Some(path) => Some(path.to_owned()),
        None => here(piagam::issued::ISSUED_FILE).inspect(|p| {
            say!(
                "piagam: using the list of issued files in this folder, {}",
                p.display()
            )
        }),
    };
    let issued = match &issued {
        Some(path) => Some(piagam::issued::read_list(path, &trust).map_err(|e| e.to_string())?),
        None => None,
    };
    let mut printer = ReportPrinter {
        out: std::io::stdout().lock(),
        json,
        lang,
        count: 0,
        all_valid: true,
    };
    let mut failed = false;
    for input in inputs {
        let more = if input == "-" {
            verify_lines(std::io::stdin().lock(), &trust, &options, &mut printer)?
        } else if piagam::inputs::is_file(Path::new(input)) {
            // A photo, a scan or a PDF: every QR code in it is checked.
            match piagam::inputs::check_file(Path::new(input), &trust, &options, issued.as_ref()) {
                Ok(found) if found.checked.is_empty() && found.unread == 0 => {
                    say!("piagam: {input}: no QR code found");
                    printer.all_valid = false;
                    true
                }
                Ok(found) => {
                    let mut more = true;
                    for checked in &found.checked {
                        more = printer.print_checked(checked)?;
                        if !more {
                            break;
                        }
                    }
                    if found.unread > 0 {
                        // A code nobody could check is no code known good.
                        say!(
                            "piagam: {}: {} more QR code(s) seen but not read: check them with a phone, or a sharper picture",
                            escape_controls(input),
                            found.unread
                        );
                        printer.all_valid = false;
                    }
                    more
                }
                Err(e) => {
                    say!("piagam: error: {e}");
                    failed = true;
                    true
                }
            }
        } else if looks_like_seal(input) {
            printer.print(&seal::verify_qr_text(input, &trust, &options))?
        } else {
            say!(
                "piagam: error: '{}' is not a file, a seal or a verify URL",
                escape_controls(input)
            );
            failed = true;
            true
        };
        if !more {
            break;
        }
    }
    Ok(if failed {
        super::EXIT_ERROR
    } else if printer.all_valid {
        EXIT_OK
    } else {
        EXIT_INVALID
    })
}

/// A seal's digits, or an address followed by '#' (and whatever the
/// verifier will judge after it).
fn looks_like_seal(input: &str) -> bool {
    let t = input.trim();
    t.contains('#') || (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
}

/// A JWKS is a few kilobytes, even with many rotated keys.
const MAX_TRUST_BYTES: u64 = 1024 * 1024;

/// Prints each report as soon as it is made.
struct ReportPrinter<W: Write> {
    out: W,
    json: bool,
    lang: Language,
    count: usize,
    all_valid: bool,
}

impl<W: Write> ReportPrinter<W> {
    /// A seal found in a file, with where it was found.
    fn print_checked(&mut self, checked: &piagam::inputs::Checked) -> Result<bool, String> {
        self.all_valid &= checked.is_valid();
        let text = if self.json {
            format!("{}\n", checked.to_json())
        } else {
            let sep = if self.count > 0 { "\n" } else { "" };
            format!("{sep}{}", escape_controls(&checked.to_text(self.lang)))
        };
        self.write(&text)
    }

    fn write(&mut self, text: &str) -> Result<bool, String> {
        let written = self
            .out
            .write_all(text.as_bytes())
            .and_then(|()| self.out.flush());
        self.count += 1;
        match written {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
            Err(e) => Err(format!("standard output: {e}; the report was not written")),
        }
    }

    /// Ok(false) when the reader has gone (a closed pipe): stop quietly,
    /// like other Unix tools. Any other failure to write is an error: a
    /// report that was lost must not end in exit 0.
    fn print(&mut self, report: &seal::Report) -> Result<bool, String> {
        self.all_valid &= report.is_valid();
        let text = if self.json {
            format!("{}\n", report.to_json())
        } else {
            let sep = if self.count > 0 { "\n" } else { "" };
            // The report quotes its input, which may hold terminal
            // control sequences; show them, never obey them.
            format!("{sep}{}", escape_controls(&report.to_text(self.lang)))
        };
        self.write(&text)
    }
}

/// Verifies one seal per line as the lines arrive, so input of any length
/// is read to its end in constant memory. A line too long to be a seal is
/// reported as such, and reading goes on.
fn verify_lines(
    mut input: impl std::io::BufRead,
    trust: &Trust,
    options: &VerifyOptions,
    printer: &mut ReportPrinter<impl Write>,
) -> Result<bool, String> {
    let limit = seal::MAX_QR_TEXT_LEN as u64 + 2;
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = input
            .by_ref()
            .take(limit)
            .read_until(b'\n', &mut line)
            .map_err(|e| format!("standard input: {e}"))?;
        if n == 0 {
            return Ok(true);
        }
        let mut length = line.len() - usize::from(line.ends_with(b"\n"));
        if !line.ends_with(b"\n") && n as u64 == limit {
            // Skip the rest of an overlong line, counting it.
            loop {
                let chunk = input
                    .fill_buf()
                    .map_err(|e| format!("standard input: {e}"))?;
                if chunk.is_empty() {
                    break;
                }
                let (used, done) = match chunk.iter().position(|&b| b == b'\n') {
                    Some(i) => (i + 1, true),
                    None => (chunk.len(), false),
                };
                length += used - usize::from(done);
                input.consume(used);
                if done {
                    break;
                }
            }
        }
        // A line that is not UTF-8 is still an input to report on.
        let text = String::from_utf8_lossy(&line);
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let report = if length > seal::MAX_QR_TEXT_LEN {
            seal::too_large(length, options)
        } else {
            seal::verify_qr_text(text, trust, options)
        };
        if !printer.print(&report)? {
            return Ok(false);
        }
    }
}

/// Control characters (and invisible direction marks) as visible escapes.
fn escape_controls(text: &str) -> String {
    text.chars()
        .map(|c| {
            let hidden = (c.is_control() && c != '\n')
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}'..='\u{200F}');
            if hidden {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::sh;
    use std::path::Path;

    #[test]
    fn suggested_words_survive_a_shell() {
        assert_eq!(
            sh(Path::new("hasil/issuer.jwks.json")),
            "hasil/issuer.jwks.json"
        );
        assert_eq!(sh(Path::new("Hasil Lomba/a.json")), "'Hasil Lomba/a.json'");
        assert_eq!(sh(Path::new("it's")), "'it'\\''s'");
        assert_eq!(
            sh(Path::new("https://v.example/c#0123")),
            "'https://v.example/c#0123'"
        );
        assert_eq!(sh(Path::new("")), "''");
    }
}
