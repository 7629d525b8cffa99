//! The issuance register end to end, as an organizer uses it: reruns that
//! change nothing, a corrected name, a revocation, a second run refused,
//! and runs killed at every stage then run again.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

const REGISTER: &str = "piagam-register.sqlite";

/// What a command printed: its data on stdout, then its messages on stderr.
fn said(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\n{}",
        out.status.code(),
        said(out)
    );
    said(out)
}

/// The register, as `piagam list --json` shows it.
fn listed(register: &Path) -> Vec<Value> {
    let out = run_piagam(&["list", "--json", "--register", s(register)]);
    ok(&out);
    serde_json::from_str::<Value>(&stdout_of(&out))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn field<'a>(entry: &'a Value, key: &str) -> &'a str {
    entry[key].as_str().unwrap_or_default()
}

/// Every document PDF in a folder, with its bytes.
fn pdf_bytes(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    document_pdfs(dir)
        .into_iter()
        .map(|n| {
            let bytes = std::fs::read(dir.join(&n)).unwrap();
            (n, bytes)
        })
        .collect()
}

fn write_roster(batch: &Batch, rows: &[(&str, &str)]) {
    let mut text = String::from("nama,prestasi\n");
    for (name, achievement) in rows {
        text.push_str(&format!("{name},{achievement}\n"));
    }
    std::fs::write(batch.dir.join("pemenang.csv"), text).unwrap();
}

#[test]
fn a_rerun_of_the_same_roster_sorted_or_not_changes_nothing() {
    let batch = Batch::with_rows(12);
    let out = batch.run("hasil", &[]);
    let register = batch.dir.join(REGISTER);
    let first = listed(&register);
    assert_eq!(first.len(), 12);
    let before = pdf_bytes(&out);
    assert_eq!(before.len(), 12);
    let serial_of = |entries: &[Value]| -> BTreeMap<String, String> {
        entries
            .iter()
            .map(|e| {
                (
                    field(e, "recipient").to_owned(),
                    field(e, "serial").to_owned(),
                )
            })
            .collect()
    };
    // The same roster again, then sorted the other way round.
    batch.run("hasil", &[]);
    let roster = batch.dir.join("pemenang.csv");
    let text = std::fs::read_to_string(&roster).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    lines.reverse();
    std::fs::write(&roster, format!("{header}\n{}\n", lines.join("\n"))).unwrap();
    batch.run("hasil", &[]);
    let after = listed(&register);
    assert_eq!(after.len(), 12, "a rerun added register entries");
    assert_eq!(serial_of(&after), serial_of(&first));
    assert!(after.iter().all(|e| field(e, "status") == "issued"));
    // Every document is byte for byte what it was.
    assert_eq!(pdf_bytes(&out), before);
    // Into another folder too: the same bytes under the same names.
    let elsewhere = batch.run("salinan", &[]);
    assert_eq!(pdf_bytes(&elsewhere), before);
    assert_eq!(listed(&register).len(), 12);
    // Found by what they say, as a table or as CSV.
    let found = run_piagam(&[
        "list",
        "--register",
        s(&register),
        "--kind",
        "piagam",
        "--search",
        "NOMOR 12",
        "--csv",
    ]);
    let csv = stdout_of(&found);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[0].starts_with("serial,status,kind,recipient,achievement,"));
    assert!(
        lines[1]
            .starts_with("012/ALDPD/VIII/2024,issued,piagam,Pemerintah Kabupaten Contoh Nomor 12,"),
        "{csv}"
    );
    let none = run_piagam(&["list", "--register", s(&register), "--kind", "sertifikat"]);
    assert!(said(&none).contains("0 document(s)"), "{}", said(&none));
    // And `check` numbers them as generate did.
    let check = run_piagam(&[
        "check",
        "--roster",
        s(&roster),
        "--template",
        s(&repo().join("templates/piagam")),
    ]);
    ok(&check);
}

#[test]
fn a_corrected_name_is_a_new_document_and_the_old_one_reads_replaced() {
    let batch = Batch::with_rows(1);
    write_roster(
        &batch,
        &[
            ("Pemerintah Kota Semarng", "Juara Pertama"),
            ("Pemerintah Kota Bandung", "Juara Kedua"),
        ],
    );
    let out = batch.run("hasil", &[]);
    let old_pdf = out.join("001-piagam-pemerintah-kota-semarng.pdf");
    assert!(old_pdf.exists());
    write_roster(
        &batch,
        &[
            ("Pemerintah Kota Semarang", "Juara Pertama"),
            ("Pemerintah Kota Bandung", "Juara Kedua"),
        ],
    );
    // A changed name may be another winner: check and generate list it and
    // write nothing until the organizer confirms.
    let proposed = "pemenang.csv:2: piagam 001/ALDPD/VIII/2024 issued to 'Pemerintah Kota Semarng' → 'Pemerintah Kota Semarang'";
    let check = batch.check(&[]);
    assert_eq!(check.status.code(), Some(2), "{}", said(&check));
    assert!(said(&check).contains(proposed), "{}", said(&check));
    let refused = batch.generate("hasil", &[]).output().unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(said(&refused).contains(proposed), "{}", said(&refused));
    assert!(said(&refused).contains("--accept-corrections"));
    assert_eq!(
        listed(&batch.dir.join(REGISTER)).len(),
        2,
        "nothing recorded"
    );
    let said = ok(&batch
        .generate("hasil", &["--accept-corrections"])
        .output()
        .unwrap());
    assert!(
        said.contains("replaces 1 earlier document(s) with corrected ones: 001/ALDPD/VIII/2024"),
        "{said}"
    );
    let new_pdf = out.join("003-piagam-pemerintah-kota-semarang.pdf");
    assert!(new_pdf.exists(), "{:?}", document_pdfs(&out));
    // The old file stays where it was: it was issued, and may be in hands.
    assert!(old_pdf.exists());
    let register = batch.dir.join(REGISTER);
    let entries = listed(&register);
    assert_eq!(entries.len(), 3);
    let old = entries
        .iter()
        .find(|e| field(e, "serial") == "001/ALDPD/VIII/2024")
        .unwrap();
    assert_eq!(field(old, "status"), "superseded");
    assert_eq!(field(old, "superseded_by"), "003/ALDPD/VIII/2024");
    // The run wrote the signed list; verify reads the old seal as replaced.
    let list = batch.dir.join("piagam-revocations.cose");
    let jwks = batch.dir.join("kunci/issuer.jwks.json");
    let verify = |pdf: &Path, lang: &str| {
        run_piagam(&[
            "verify",
            "--trust",
            s(&jwks),
            "--revocations",
            s(&list),
            "--lang",
            lang,
            s(pdf),
        ])
    };
    let replaced = verify(&old_pdf, "en");
    assert_eq!(replaced.status.code(), Some(1));
    let text = stdout_of(&replaced);
    assert!(text.contains("replaced by 003/ALDPD/VIII/2024"), "{text}");
    assert!(text.contains("REPLACED by 003/ALDPD/VIII/2024"), "{text}");
    let indonesian = stdout_of(&verify(&old_pdf, "id"));
    assert!(
        indonesian.contains("diganti dengan dokumen bernomor 003/ALDPD/VIII/2024"),
        "{indonesian}"
    );
    let json = run_piagam(&[
        "verify",
        "--json",
        "--trust",
        s(&jwks),
        "--revocations",
        s(&list),
        s(&old_pdf),
    ]);
    let report: Value = serde_json::from_str(stdout_of(&json).lines().next().unwrap()).unwrap();
    assert_eq!(report["code"], "revoked");
    assert_eq!(report["replaced_by"], "003/ALDPD/VIII/2024");
    // The corrected one is valid.
    let good = verify(&new_pdf, "en");
    assert_eq!(good.status.code(), Some(0), "{}", stdout_of(&good));
}

/// The audit's case: "Pemerintah Kota Semarang" renamed "Pemerintah Kota
/// Samarinda" (another city) is no correction, and a rejected proposal
/// leaves the old charter issued beside the new one.
#[test]
fn another_city_is_never_taken_for_a_correction() {
    let batch = Batch::with_rows(1);
    let rows = |city: &str| {
        vec![
            (city.to_owned(), "Juara Pertama"),
            ("Pemerintah Kota Bandung".to_owned(), "Juara Kedua"),
        ]
    };
    let write = |city: &str| {
        let rows = rows(city);
        let rows: Vec<(&str, &str)> = rows.iter().map(|(a, b)| (a.as_str(), *b)).collect();
        write_roster(&batch, &rows);
    };
    write("Pemerintah Kota Semarang");
    batch.run("hasil", &[]);
    write("Pemerintah Kota Samarinda");
    let said = ok(&batch.generate("hasil", &[]).output().unwrap());
    assert!(!said.contains("replaces"), "{said}");
    let entries = listed(&batch.dir.join(REGISTER));
    assert_eq!(entries.len(), 3);
    assert!(
        entries.iter().all(|e| field(e, "status") == "issued"),
        "{entries:?}"
    );
    // A one-letter difference is only proposed; rejected, both stand.
    write("Pemerintah Kota Samarindah");
    let said = ok(&batch
        .generate("hasil", &["--reject-corrections"])
        .output()
        .unwrap());
    assert!(!said.contains("replaces"), "{said}");
    let entries = listed(&batch.dir.join(REGISTER));
    assert_eq!(entries.len(), 4);
    assert!(entries.iter().all(|e| field(e, "status") == "issued"));
}

#[test]
fn revoking_through_the_register_reaches_the_verifier() {
    let batch = Batch::with_rows(3);
    let out = batch.run("hasil", &[]);
    let register = batch.dir.join(REGISTER);
    let serial = "002/ALDPD/VIII/2024";
    // From the project folder, as an organizer types it: the register
    // beside piagam.toml, the key generate used, the list beside both.
    let revoked = piagam()
        .current_dir(&batch.dir)
        .args(["revoke", "--reason", "nama penerima salah cetak", serial])
        .output()
        .unwrap();
    let said = ok(&revoked);
    assert!(said.contains("revoked 1 serial(s)"), "{said}");
    let list = batch.dir.join("piagam-revocations.cose");
    assert!(list.exists());
    let entries = listed(&register);
    let entry = entries
        .iter()
        .find(|e| field(e, "serial") == serial)
        .unwrap();
    assert_eq!(field(entry, "status"), "revoked");
    assert_eq!(field(entry, "revoked_reason"), "nama penerima salah cetak");
    let only_revoked = run_piagam(&["list", "--register", s(&register), "--status", "revoked"]);
    let text = ok(&only_revoked);
    assert!(
        text.contains(serial) && text.contains("1 document(s)"),
        "{text}"
    );
    // The verifier says so, with the reason.
    let jwks = batch.dir.join("kunci/issuer.jwks.json");
    let pdf = out.join("002-piagam-pemerintah-kabupaten-contoh-nomor-2.pdf");
    let verify = run_piagam(&[
        "verify",
        "--lang",
        "en",
        "--trust",
        s(&jwks),
        "--revocations",
        s(&list),
        s(&pdf),
    ]);
    assert_eq!(verify.status.code(), Some(1));
    assert!(
        stdout_of(&verify).contains("revoked on"),
        "{}",
        stdout_of(&verify)
    );
    assert!(stdout_of(&verify).contains("nama penerima salah cetak"));
    // `revocations` writes the same list on demand.
    let again = batch.dir.join("lagi.cose");
    ok(&run_piagam(&[
        "revocations",
        "--register",
        s(&register),
        "--out",
        s(&again),
    ]));
    let verify = run_piagam(&[
        "verify",
        "--trust",
        s(&jwks),
        "--revocations",
        s(&again),
        s(&pdf),
    ]);
    assert_eq!(verify.status.code(), Some(1));
    // An unknown serial changes nothing.
    let unknown = piagam()
        .current_dir(&batch.dir)
        .args(["revoke", "--reason", "x", "999/NOPE"])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("999/NOPE is not in the register"));
    // A rerun will not print the revoked document again, and says so; the
    // others are left as they were.
    let before = pdf_bytes(&batch.dir.join("hasil"));
    let rerun = batch.generate("hasil", &[]).output().unwrap();
    let text = ok(&rerun);
    assert!(
        text.contains("warning: the piagam of row 3 was revoked on")
            && text.contains("it is not issued again"),
        "{text}"
    );
    assert!(text.contains("2 PDF(s) (2 unchanged)"), "{text}");
    assert_eq!(pdf_bytes(&batch.dir.join("hasil")), before);
    assert_eq!(listed(&register).len(), 3);
}

#[test]
fn a_second_run_on_the_same_register_is_refused_naming_the_first() {
    let batch = Batch::with_rows(300);
    let lock = batch.dir.join(format!("{REGISTER}.lock"));
    // Slowed while it moves its files, so it is surely still running.
    let mut first = batch
        .generate("hasil", &["--jobs", "1"])
        .env("PIAGAM_TEST_MOVE_PAUSE_MS", "20")
        .spawn()
        .unwrap();
    wait_while_running(&mut first, "its lock", || lock.exists());
    let second = batch.generate("elsewhere", &[]).output().unwrap();
    assert!(
        first.try_wait().unwrap().is_none(),
        "the first run ended too soon to tell"
    );
    assert_eq!(second.status.code(), Some(2));
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(
        err.contains(&format!(
            "is in use by another piagam run (process {})",
            first.id()
        )),
        "{err}"
    );
    assert!(!batch.dir.join("elsewhere").exists());
    first.kill().unwrap();
    first.wait().unwrap();
}

/// Waits until `ready` holds while `child` runs, then kills it.
fn kill_when(child: &mut std::process::Child, what: &str, ready: impl Fn() -> bool) {
    wait_while_running(child, what, ready);
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Waits until `ready` holds, failing if `child` ends first or it takes
/// two minutes.
fn wait_while_running(child: &mut std::process::Child, what: &str, ready: impl Fn() -> bool) {
    let started = Instant::now();
    while !ready() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before {what}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "never reached {what}"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn count(dir: &Path, suffix: &str) -> usize {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(suffix))
            })
            .count()
        })
        .unwrap_or(0)
}

/// Every roster row has exactly one issued document, under its own serial,
/// numbered 1..=rows without a gap, with one file that is a valid PDF and
/// is the one the register recorded.
fn assert_complete(batch: &Batch, out: &Path, register: &Path, rows: usize) {
    assert!(!out.join(".piagam-staging").exists(), "staging left behind");
    let entries = listed(register);
    assert_eq!(entries.len(), rows, "documents recorded more than once");
    let serials: BTreeSet<&str> = entries.iter().map(|e| field(e, "serial")).collect();
    assert_eq!(serials.len(), rows, "a serial given twice");
    let roster_rows: BTreeSet<u64> = entries
        .iter()
        .map(|e| e["roster_row"].as_u64().unwrap())
        .collect();
    assert_eq!(roster_rows, (2..=rows as u64 + 1).collect());
    assert!(entries.iter().all(|e| field(e, "status") == "issued"));
    let numbers: BTreeSet<u32> = serials
        .iter()
        .map(|s| s.split('/').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(numbers, (1..=rows as u32).collect());
    let documents = document_pdfs(out);
    assert_eq!(documents.len(), rows);
    let folder = out
        .strip_prefix(&batch.dir)
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let recorded: BTreeSet<String> = entries
        .iter()
        .map(|e| {
            let files = e["files"].as_array().unwrap();
            assert_eq!(files.len(), 1, "{e}");
            let path = files[0]["path"].as_str().unwrap();
            path.strip_prefix(&format!("{folder}/")).unwrap().to_owned()
        })
        .collect();
    assert_eq!(recorded, documents);
    // Every file is a valid PDF (checked on both cores).
    let names: Vec<&String> = documents.iter().collect();
    std::thread::scope(|scope| {
        for half in names.chunks(rows.div_ceil(2)) {
            scope.spawn(move || {
                for name in half {
                    qpdf_check(&out.join(name));
                }
            });
        }
    });
    // The register agrees with the files.
    let said = ok(&run_piagam(&["check", "--register", s(register)]));
    assert!(
        said.contains(&format!("{rows} issued")) && said.contains("0 problem(s)"),
        "{said}"
    );
}

#[test]
fn a_run_killed_at_any_stage_is_completed_by_the_next_with_nothing_twice() {
    const ROWS: usize = 2000;
    let batch = Batch::with_rows(ROWS);
    let stages = [
        "reading and laying out the roster",
        "serials reserved, nothing rendered",
        "half the documents staged",
        "files being moved into place",
    ];
    for (i, stage) in stages.into_iter().enumerate() {
        let folder = format!("hasil-{i}");
        let out = batch.dir.join(&folder);
        let staging = out.join(".piagam-staging");
        let register = batch.dir.join(format!("register-{i}.sqlite"));
        let register_lock = batch.dir.join(format!("register-{i}.sqlite.lock"));
        let reached = || match i {
            0 => register_lock.exists(),
            1 => staging.exists(),
            2 => count(&staging, ".pdf") >= ROWS / 2,
            _ => count(&out, ".pdf") >= 100 && staging.exists(),
        };
        let mut child = batch
            .generate(&folder, &["--register", s(&register)])
            .env("PIAGAM_TEST_MOVE_PAUSE_MS", "2")
            .spawn()
            .unwrap();
        kill_when(&mut child, stage, reached);
        // Whatever is in place is whole.
        let in_place = document_pdfs(&out);
        for name in &in_place {
            let bytes = std::fs::read(out.join(name)).unwrap();
            assert!(bytes.ends_with(b"%%EOF\n"), "{name} is cut short: {stage}");
        }
        if i >= 1 {
            // Every serial was reserved before anything was rendered.
            let entries = listed(&register);
            assert_eq!(entries.len(), ROWS);
            assert!(entries.iter().all(|e| field(e, "status") == "reserved"));
        }
        if i == 3 {
            assert!(
                !in_place.is_empty() && in_place.len() < ROWS,
                "not killed while moving ({} in place)",
                in_place.len()
            );
            // What is in place is what the register recorded: the audit
            // marks those issued, and lists the rest for generate.
            let audit = run_piagam(&["check", "--register", s(&register)]);
            assert_eq!(audit.status.code(), Some(1));
            let report = said(&audit);
            assert_eq!(report.matches("repaired: ").count(), in_place.len());
            assert_eq!(
                report.matches("run generate again").count(),
                ROWS - in_place.len()
            );
        }
        // The same command again completes it.
        batch.run(&folder, &["--register", s(&register)]);
        assert!(!register_lock.exists());
        assert_complete(&batch, &out, &register, ROWS);
        if i == 3 {
            // And once more changes nothing at all.
            let documents = document_pdfs(&out);
            let mtimes = |dir: &PathBuf| -> Vec<_> {
                documents
                    .iter()
                    .map(|n| std::fs::metadata(dir.join(n)).unwrap().modified().unwrap())
                    .collect()
            };
            let before = mtimes(&out);
            batch.run(&folder, &["--register", s(&register)]);
            assert_eq!(mtimes(&out), before);
            assert_eq!(listed(&register).len(), ROWS);
        }
    }
}

#[test]
fn check_register_reports_what_only_generate_can_fix() {
    let batch = Batch::with_rows(3);
    let out = batch.run("hasil", &[]);
    let register = batch.dir.join(REGISTER);
    let first = ok(&run_piagam(&["check", "--register", s(&register)]));
    assert!(
        first.contains("3 issued") && first.contains("0 problem(s)"),
        "{first}"
    );
    let gone = out.join("001-piagam-pemerintah-kabupaten-contoh-nomor-1.pdf");
    std::fs::remove_file(&gone).unwrap();
    // Beside piagam.toml, from the project folder, without a value.
    let audit = piagam()
        .current_dir(&batch.dir)
        .args(["check", "--register"])
        .output()
        .unwrap();
    assert_eq!(audit.status.code(), Some(1));
    let report = said(&audit);
    assert!(
        report.contains("001/ALDPD/VIII/2024: its file hasil/001-piagam-pemerintah-kabupaten-contoh-nomor-1.pdf is missing"),
        "{report}"
    );
    // Generate puts it back, byte for byte, and the register is whole.
    batch.run("hasil", &[]);
    assert!(gone.exists());
    ok(&run_piagam(&["check", "--register", s(&register)]));
    // The register stays readable with the sqlite3 tool.
    let out = run_tool(
        "sqlite3",
        &[
            s(&register),
            "SELECT count(*) FROM documents WHERE status = 'issued'; PRAGMA user_version;",
        ],
    );
    assert_eq!(
        stdout_of(&out),
        format!("3\n{}\n", piagam::register::SCHEMA_VERSION)
    );
}

#[test]
fn no_register_keeps_the_stateless_mode() {
    let batch = Batch::with_rows(3);
    batch.run("hasil", &["--no-register"]);
    assert!(!batch.dir.join(REGISTER).exists());
    assert_eq!(
        read_manifest(&batch.dir.join("hasil"))[2].serial,
        "003/ALDPD/VIII/2024"
    );
    // The list alone, as before there was a register.
    let list = batch.dir.join("daftar.cose");
    ok(&run_piagam(&[
        "revoke",
        "--key",
        s(&batch.key),
        "--list",
        s(&list),
        "--reason",
        "uji",
        "--no-register",
        "003/ALDPD/VIII/2024",
    ]));
    assert!(list.exists());
}

#[test]
fn a_yearly_counter_starts_again_each_year() {
    let batch = Batch::with_rows(1);
    let config = batch.dir.join("piagam.toml");
    std::fs::write(
        &config,
        "[event]\nname = \"Anugerah Contoh\"\ndate = \"2024-12-30\"\n[numbering]\npattern = \"{seq:03}/X/{year}\"\nreset = \"yearly\"\n",
    )
    .unwrap();
    std::fs::write(
        batch.dir.join("pemenang.csv"),
        "nama,prestasi,tanggal\nKota A,Juara,2024-12-30\nKota B,Juara,2025-01-02\nKota C,Juara,2024-12-31\nKota D,Juara,2025-01-03\n",
    )
    .unwrap();
    let out = batch.run("hasil", &[]);
    let serials: Vec<String> = read_manifest(&out).into_iter().map(|r| r.serial).collect();
    assert_eq!(
        serials,
        ["001/X/2024", "001/X/2025", "002/X/2024", "002/X/2025"]
    );
    // A yearly reset without {year} would give two documents one serial.
    std::fs::write(
        &config,
        "[event]\nname = \"Anugerah Contoh\"\ndate = \"2024-12-30\"\n[numbering]\npattern = \"{seq:03}/X\"\nreset = \"yearly\"\n",
    )
    .unwrap();
    let refused = batch.generate("lain", &[]).output().unwrap();
    assert_eq!(refused.status.code(), Some(2));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("piagam.toml") && err.contains("needs {year} in every pattern"),
        "{err}"
    );
}

#[test]
fn a_register_that_cannot_be_one_is_refused_before_anything_is_written() {
    let batch = Batch::with_rows(2);
    let garbage = batch.dir.join("rusak.sqlite");
    std::fs::write(&garbage, b"this is a spreadsheet, not a register").unwrap();
    let cases = [
        (garbage.clone(), "file is not a database".to_owned()),
        (batch.dir.clone(), "this is a folder".to_owned()),
        (
            batch.dir.join("tidak-ada/r.sqlite"),
            format!(
                "its folder {} does not exist",
                batch.dir.join("tidak-ada").display()
            ),
        ),
    ];
    for (path, why) in cases {
        let out = batch
            .generate("hasil", &["--register", s(&path)])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("register {}", path.display())) && err.contains(&why),
            "{err}"
        );
        assert!(!batch.dir.join("hasil").exists());
    }
    // The garbage is left as it was.
    assert_eq!(
        std::fs::read(&garbage).unwrap(),
        b"this is a spreadsheet, not a register"
    );
}

#[test]
fn a_rerun_after_a_key_rotation_keeps_serials_and_never_passes_old_files_as_new() {
    let batch = Batch::with_rows(3);
    let out = batch.run("hasil", &[]);
    let register = batch.dir.join(REGISTER);
    let before = listed(&register);
    ok(&run_piagam(&[
        "keygen",
        "--rotate",
        "--out",
        s(&batch.dir.join("kunci")),
    ]));
    // Re-signed, every document would change: refused, as for any change.
    let refused = batch.generate("hasil", &[]).output().unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr)
        .contains("3 file(s) in the output folder would change"));
    // Into a new folder: the same serials under the new key's seal.
    let fresh = batch.run("baru", &[]);
    let old_rows = read_manifest(&out);
    let new_rows = read_manifest(&fresh);
    for (old, new) in old_rows.iter().zip(&new_rows) {
        assert_eq!(old.serial, new.serial);
        assert_ne!(old.qr_text, new.qr_text);
    }
    let after = listed(&register);
    assert_eq!(after.len(), before.len());
    assert!(after
        .iter()
        .all(|e| e["files"].as_array().unwrap().len() == 2));
}

/// The audit's case: a second run reached the register through a symlink,
/// and the lock, named after the path as typed, did not stop it.
#[test]
fn a_register_reached_through_a_symlink_is_held_by_one_run() {
    let batch = Batch::with_rows(300);
    let register = batch.dir.join(REGISTER);
    let lock = batch.dir.join(format!("{REGISTER}.lock"));
    let elsewhere = tempfile::tempdir().unwrap();
    let link = elsewhere.path().join("tautan.sqlite");
    // Made by the first run below; the link may point ahead of it.
    std::os::unix::fs::symlink(&register, &link).unwrap();
    let mut first = batch
        .generate("hasil", &["--jobs", "1"])
        .env("PIAGAM_TEST_MOVE_PAUSE_MS", "20")
        .spawn()
        .unwrap();
    wait_while_running(&mut first, "its lock", || {
        lock.exists() && register.exists()
    });
    let second = batch
        .generate("lain", &["--register", s(&link)])
        .output()
        .unwrap();
    assert!(
        first.try_wait().unwrap().is_none(),
        "the first run ended too soon to tell"
    );
    assert_eq!(second.status.code(), Some(2), "{}", said(&second));
    assert!(
        said(&second).contains(&format!(
            "is in use by another piagam run (process {})",
            first.id()
        )),
        "{}",
        said(&second)
    );
    assert!(!batch.dir.join("lain").exists());
    first.kill().unwrap();
    first.wait().unwrap();
}

#[test]
fn special_and_foreign_files_are_refused_as_registers() {
    let batch = Batch::with_rows(2);
    // A FIFO would hang a reader for ever: refused at once.
    let fifo = batch.dir.join("antrian.sqlite");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    for args in [
        vec!["list", "--register", s(&fifo)],
        vec!["check", "--register", s(&fifo)],
    ] {
        let mut child = piagam()
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while child.try_wait().unwrap().is_none() {
            if started.elapsed() > Duration::from_secs(20) {
                child.kill().unwrap();
                panic!("{args:?} hangs on a FIFO");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(said(&out).contains("not a regular file"), "{}", said(&out));
    }
    let out = batch
        .generate("hasil", &["--register", s(&fifo)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(said(&out).contains("not a regular file"), "{}", said(&out));
    // Somebody else's SQLite database is not adopted as a register.
    let foreign = batch.dir.join("inventaris.sqlite");
    let made = run_tool(
        "sqlite3",
        &[
            s(&foreign),
            "CREATE TABLE barang (nama TEXT); INSERT INTO barang VALUES ('meja');",
        ],
    );
    assert!(made.status.success());
    let before = std::fs::read(&foreign).unwrap();
    for out in [
        batch
            .generate("hasil", &["--register", s(&foreign)])
            .output()
            .unwrap(),
        run_piagam(&["list", "--register", s(&foreign)]),
    ] {
        assert_eq!(out.status.code(), Some(2));
        assert!(
            said(&out).contains("is not a piagam register"),
            "{}",
            said(&out)
        );
    }
    assert_eq!(std::fs::read(&foreign).unwrap(), before, "left as it was");
    assert!(!batch.dir.join("hasil").exists());
}

/// A revocation list that failed to be written is remembered: check
/// --register reports it, and the next run writes it.
#[test]
fn a_revocation_list_that_failed_to_be_written_is_written_by_the_next_run() {
    let batch = Batch::with_rows(1);
    write_roster(&batch, &[("Pemerintah Kota Bogor", "Juara Kedua")]);
    batch.run("hasil", &[]);
    // The rank fixed: the old charter is superseded, and the list must say
    // so; but something stands where the list goes.
    write_roster(&batch, &[("Pemerintah Kota Bogor", "Juara Pertama")]);
    let list = batch.dir.join("piagam-revocations.cose");
    std::fs::create_dir(&list).unwrap();
    let failed = batch.generate("hasil", &[]).output().unwrap();
    assert_eq!(failed.status.code(), Some(2), "{}", said(&failed));
    let register = batch.dir.join(REGISTER);
    let audit = run_piagam(&["check", "--register", s(&register)]);
    assert_eq!(audit.status.code(), Some(1), "{}", said(&audit));
    assert!(
        said(&audit).contains("the signed revocation list lacks documents withdrawn"),
        "{}",
        said(&audit)
    );
    assert!(
        said(&audit).contains("hint: write it now with: piagam revocations --register"),
        "{}",
        said(&audit)
    );
    std::fs::remove_dir(&list).unwrap();
    let said_now = ok(&batch.generate("hasil", &[]).output().unwrap());
    assert!(said_now.contains("piagam-revocations.cose"), "{said_now}");
    assert!(list.is_file());
    let audit = run_piagam(&["check", "--register", s(&register)]);
    assert_eq!(audit.status.code(), Some(0), "{}", said(&audit));
    // The list withdraws the old charter.
    let jwks = batch.dir.join("kunci/issuer.jwks.json");
    let old = batch.dir.join("hasil/001-piagam-pemerintah-kota-bogor.pdf");
    let out = run_piagam(&[
        "verify",
        "--trust",
        s(&jwks),
        "--revocations",
        s(&list),
        "--json",
        s(&old),
    ]);
    assert!(
        stdout_of(&out).contains("\"replaced_by\":\"002/"),
        "{}",
        stdout_of(&out)
    );
}

/// The audit's case: with a register, a rerun after a redesign kept the
/// old files while print.pdf took the new design, and said it wrote them.
#[test]
fn a_changed_design_is_refused_or_replaced_never_kept_silently() {
    let batch = Batch::with_rows(3);
    // A copy of the bundled template, whose title the organizer changes.
    let template = batch.dir.join("desain");
    let copy = std::process::Command::new("cp")
        .arg("-r")
        .arg(repo().join("templates/piagam"))
        .arg(&template)
        .status()
        .unwrap();
    assert!(copy.success());
    std::fs::create_dir_all(batch.dir.join("assets")).unwrap();
    let copy = std::process::Command::new("cp")
        .arg("-r")
        .arg(repo().join("templates/assets/."))
        .arg(batch.dir.join("assets"))
        .status()
        .unwrap();
    assert!(copy.success());
    let generate = |extra: &[&str]| {
        let mut cmd = piagam();
        cmd.args(["generate", "--roster"])
            .arg(batch.dir.join("pemenang.csv"))
            .arg("--template")
            .arg(&template)
            .arg("--key")
            .arg(&batch.key)
            .arg("--out")
            .arg(batch.dir.join("hasil"))
            .args(extra);
        cmd.output().unwrap()
    };
    let first = generate(&[]);
    assert!(
        said(&first).contains("3 PDF(s) (3 new)"),
        "{}",
        said(&first)
    );
    let out = batch.dir.join("hasil");
    let before = pdf_bytes(&out);
    let print_before = std::fs::read(out.join("print.pdf")).unwrap();
    // The same design again: nothing changes, and the summary says so.
    let again = generate(&[]);
    assert!(
        said(&again).contains("3 PDF(s) (3 unchanged)"),
        "{}",
        said(&again)
    );
    // A new title.
    let toml = template.join("template.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        text.replace("PIAGAM PENGHARGAAN", "PIAGAM KEHORMATAN"),
    )
    .unwrap();
    let refused = generate(&[]);
    assert_eq!(refused.status.code(), Some(2), "{}", said(&refused));
    assert!(
        said(&refused).contains("3 file(s) in the output folder would change"),
        "{}",
        said(&refused)
    );
    assert_eq!(
        pdf_bytes(&out),
        before,
        "the documents are left as they were"
    );
    assert_eq!(
        std::fs::read(out.join("print.pdf")).unwrap(),
        print_before,
        "and so is print.pdf"
    );
    // Replaced on purpose, the documents and print.pdf agree.
    let replaced = generate(&["--overwrite"]);
    assert!(
        said(&replaced).contains("3 PDF(s) (3 replaced)"),
        "{}",
        said(&replaced)
    );
    for name in document_pdfs(&out) {
        assert!(
            pdf_text(&out.join(&name)).contains("PIAGAM KEHORMATAN"),
            "{name}"
        );
    }
    assert_eq!(
        pdf_text(&out.join("print.pdf"))
            .matches("PIAGAM KEHORMATAN")
            .count(),
        3
    );
    // The register keeps the documents (same serials, same seals) with
    // their new files' digests: check --register finds nothing wrong.
    let audit = run_piagam(&["check", "--register", s(&batch.dir.join(REGISTER))]);
    assert_eq!(audit.status.code(), Some(0), "{}", said(&audit));
}

/// A revoked sertifikat is not issued again, and stops nothing else: the
/// winner's piagam and everyone else's documents are issued.
#[test]
fn a_revoked_document_blocks_only_itself() {
    let batch = Batch::with_rows(2);
    let run = |extra: &[&str]| {
        piagam()
            .args(["generate", "--roster"])
            .arg(batch.dir.join("pemenang.csv"))
            .arg("--template")
            .arg(repo().join("templates/piagam"))
            .arg("--template")
            .arg(repo().join("templates/sertifikat"))
            .arg("--key")
            .arg(&batch.key)
            .arg("--out")
            .arg(batch.dir.join("hasil"))
            .args(extra)
            .output()
            .unwrap()
    };
    ok(&run(&[]));
    let register = batch.dir.join(REGISTER);
    let sertifikat = listed(&register)
        .into_iter()
        .find(|e| field(e, "kind") == "sertifikat")
        .unwrap();
    let serial = field(&sertifikat, "serial").to_owned();
    ok(&run_piagam(&[
        "revoke",
        "--register",
        s(&register),
        "--reason",
        "salah cetak",
        &serial,
    ]));
    let again = run(&[]);
    let text = ok(&again);
    assert!(
        text.contains("was revoked on")
            && text.contains(&serial)
            && text.contains("it is not issued again"),
        "{text}"
    );
    assert!(text.contains("3 document(s) in"), "{text}");
    let entries = listed(&register);
    assert_eq!(entries.len(), 4, "nothing new: {entries:?}");
    let statuses: BTreeSet<(&str, &str)> = entries
        .iter()
        .map(|e| (field(e, "kind"), field(e, "status")))
        .collect();
    assert!(statuses.contains(&("sertifikat", "revoked")));
    assert!(statuses.contains(&("piagam", "issued")));
}

/// What list --csv writes opens safely in a spreadsheet; --search looks at
/// values, not the names of fields; a revocation reason is plain text.
#[test]
fn list_csv_search_and_reasons_are_safe() {
    let batch = Batch::new(&[
        "=HYPERLINK(\"http://x\",\"klik\")".to_owned(),
        "Kota Bogor".to_owned(),
    ]);
    batch.run("hasil", &[]);
    let register = batch.dir.join(REGISTER);
    let csv = stdout_of(&run_piagam(&["list", "--register", s(&register), "--csv"]));
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"klik\"\")\""),
        "{csv}"
    );
    let found = |text: &str| listed_search(&register, text);
    assert_eq!(found("bogor"), 1);
    assert_eq!(found("recipient"), 0, "a field's name finds nothing");
    assert_eq!(found("achievement"), 0);
    let serial = field(&listed(&register)[1], "serial").to_owned();
    let revoke = |reason: &str| {
        run_piagam(&[
            "revoke",
            "--register",
            s(&register),
            "--reason",
            reason,
            &serial,
        ])
    };
    for bad in ["salah\u{202E}cetak", "salah\ncetak", &"x".repeat(501)] {
        let out = revoke(bad);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(
            said(&out).contains("the reason cannot be used"),
            "{}",
            said(&out)
        );
    }
    assert!(listed(&register)
        .iter()
        .all(|e| field(e, "status") == "issued"));
    ok(&revoke(&"x".repeat(500)));
}

fn listed_search(register: &Path, text: &str) -> usize {
    let out = run_piagam(&[
        "list",
        "--json",
        "--register",
        s(register),
        "--search",
        text,
    ]);
    let text = ok(&out);
    serde_json::from_str::<Value>(text.lines().next().unwrap_or("[]"))
        .map(|v| v.as_array().map_or(0, Vec::len))
        .unwrap_or(0)
}

/// The audit's case: one run's files recorded under another's documents
/// (their digests match, so only what the files say tells). check
/// --register reads each file's title and names the mismatch.
#[test]
fn the_audit_finds_a_file_recorded_under_another_document() {
    let batch = Batch::with_rows(2);
    let out = batch.run("hasil", &[]);
    let register = batch.dir.join(REGISTER);
    let first = out.join("001-piagam-pemerintah-kabupaten-contoh-nomor-1.pdf");
    let second = out.join("002-piagam-pemerintah-kabupaten-contoh-nomor-2.pdf");
    std::fs::copy(&second, &first).unwrap();
    let sha = stdout_of(&run_tool("sha256sum", &[s(&first)]))
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let updated = run_tool(
        "sqlite3",
        &[
            s(&register),
            &format!("UPDATE files SET sha256 = '{sha}' WHERE document = (SELECT id FROM documents WHERE serial LIKE '001/%')"),
        ],
    );
    assert!(updated.status.success());
    let audit = run_piagam(&["check", "--register", s(&register)]);
    assert_eq!(audit.status.code(), Some(1), "{}", said(&audit));
    assert!(
        said(&audit).contains("holds another document (002/") && said(&audit).contains("Nomor 2)"),
        "{}",
        said(&audit)
    );
}

/// Unmounts a bind mount when dropped, whatever the test did.
struct ReadOnlyMount(PathBuf);

impl Drop for ReadOnlyMount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

/// `source` seen read-only at `at`, by a read-only bind mount; none where
/// this machine does not allow mounts (then the test says so and stops).
fn read_only_view(source: &Path, at: &Path) -> Option<ReadOnlyMount> {
    std::fs::create_dir_all(at).unwrap();
    let bind = std::process::Command::new("mount")
        .arg("--bind")
        .arg(source)
        .arg(at)
        .output()
        .ok()?;
    if !bind.status.success() {
        return None;
    }
    let guard = ReadOnlyMount(at.to_owned());
    let ro = std::process::Command::new("mount")
        .args(["-o", "remount,bind,ro"])
        .arg(at)
        .output()
        .ok()?;
    ro.status.success().then_some(guard)
}

/// A register on read-only media (an archive disc, a read-only share) is
/// read by list, check --register and verify without writing; generate
/// says it can only be read.
#[test]
fn a_register_on_read_only_media_can_be_read() {
    let batch = Batch::with_rows(2);
    batch.run("hasil", &[]);
    let view = tempfile::tempdir().unwrap();
    let Some(_mount) = read_only_view(&batch.dir, view.path()) else {
        eprintln!("mounts are not allowed on this machine: the read-only register is not tried");
        return;
    };
    let register = view.path().join(REGISTER);
    assert!(
        std::fs::File::create(view.path().join("x")).is_err(),
        "read-only"
    );
    let entries = listed(&register);
    assert_eq!(entries.len(), 2);
    let audit = run_piagam(&["check", "--register", s(&register)]);
    assert_eq!(audit.status.code(), Some(0), "{}", said(&audit));
    assert!(said(&audit).contains("can only be read: checking it without repairing anything"));
    let verify = piagam()
        .current_dir(view.path())
        .args(["verify", "--trust", "kunci/issuer.jwks.json"])
        .arg(
            view.path()
                .join("hasil/001-piagam-pemerintah-kabupaten-contoh-nomor-1.pdf"),
        )
        .output()
        .unwrap();
    assert_eq!(verify.status.code(), Some(0), "{}", said(&verify));
    let refused = batch
        .generate("lain", &["--register", s(&register)])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        said(&refused).contains("can only be read"),
        "{}",
        said(&refused)
    );
}

/// Someone who may only read another user's register (a colleague's, on a
/// shared folder) lists and checks it without leaving SQLite's side files
/// behind: owned by the reader, they stopped the owner's next run with
/// "attempt to write a readonly database".
#[test]
fn reading_another_users_register_leaves_no_side_files() {
    let batch = Batch::with_rows(2);
    batch.run("hasil", &[]);
    let register = batch.dir.join(REGISTER);
    let as_nobody = |args: &[&str]| {
        std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_piagam"))
            .args(args)
            .output()
    };
    // Only root can run as another user; elsewhere the case cannot be made.
    let probe = as_nobody(&["--version"]);
    if !probe.as_ref().is_ok_and(|o| o.status.success()) {
        eprintln!("cannot run as another user here: the shared register is not tried");
        return;
    }
    // The reader may make files in the folder, as on a shared folder.
    run_tool("chmod", &["a+rwx", s(&batch.dir)]);
    let listed = as_nobody(&["list", "--register", s(&register)]).unwrap();
    assert_eq!(listed.status.code(), Some(0), "{}", said(&listed));
    assert!(stdout_of(&listed).contains("2 document(s)"));
    let audit = as_nobody(&["check", "--register", s(&register)]).unwrap();
    assert_eq!(audit.status.code(), Some(0), "{}", said(&audit));
    for side in ["-wal", "-shm"] {
        let mut name = register.as_os_str().to_owned();
        name.push(side);
        assert!(
            !PathBuf::from(&name).exists(),
            "{} was left behind",
            PathBuf::from(name).display()
        );
    }
}

/// A status piagam does not know (a newer version's, a hand edit) is an
/// error naming it; it was read as "reserved", which a rerun reissues.
#[test]
fn an_unknown_document_status_is_an_error_naming_it() {
    let batch = Batch::with_rows(2);
    batch.run("hasil", &[]);
    let register = batch.dir.join(REGISTER);
    let updated = run_tool(
        "sqlite3",
        &[
            s(&register),
            "PRAGMA ignore_check_constraints = ON; UPDATE documents SET status = 'archived' WHERE serial LIKE '001/%'",
        ],
    );
    assert!(updated.status.success(), "{}", said(&updated));
    let out = run_piagam(&["list", "--register", s(&register)]);
    assert_eq!(out.status.code(), Some(2), "{}", said(&out));
    assert!(
        said(&out).contains("the status 'archived', which this piagam does not know"),
        "{}",
        said(&out)
    );
}

/// What the register says was signed is read with the seal's strict codec:
/// damaged claims are an error naming them, never a blank entry.
#[test]
fn damaged_claims_in_the_register_are_an_error_naming_them() {
    let batch = Batch::with_rows(2);
    batch.run("hasil", &[]);
    let register = batch.dir.join(REGISTER);
    let entries = listed(&register);
    assert_eq!(
        field(&entries[0], "recipient"),
        "Pemerintah Kabupaten Contoh Nomor 1"
    );
    assert_eq!(
        entries[0]["claims"]["recipient"],
        "Pemerintah Kabupaten Contoh Nomor 1"
    );
    let updated = run_tool(
        "sqlite3",
        &[
            s(&register),
            "UPDATE documents SET claims_cbor = X'A1' WHERE serial LIKE '001/%'",
        ],
    );
    assert!(updated.status.success(), "{}", said(&updated));
    let out = run_piagam(&["list", "--register", s(&register)]);
    assert_eq!(out.status.code(), Some(2), "{}", said(&out));
    assert!(said(&out).contains("claims_cbor"), "{}", said(&out));
}
