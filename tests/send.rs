//! `piagam send`, end to end, against a real SMTP server on this computer
//! (Debian's python3-aiosmtpd, started by each test): who gets what, the
//! attachments' very bytes, a permanent and a temporary refusal, a rerun
//! and a kill, and the review copies of --dry-run.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use common::*;

/// Debian's python3, where python3-aiosmtpd is installed.
fn python() -> &'static str {
    if Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

/// A running SMTP server, stopped when dropped.
struct Server {
    child: Child,
    port: u16,
    out: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(out: &Path) -> Server {
        Server::start_on(out, "127.0.0.1")
    }

    /// A server listening on `host` (another of this computer's addresses).
    fn start_on(out: &Path, host: &str) -> Server {
        let port = std::net::TcpListener::bind((host, 0))
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new(python())
            .arg(repo().join("tests/smtp/server.py"))
            .arg(port.to_string())
            .arg(out)
            .arg(host)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 is needed: apt-get install -y python3-aiosmtpd, or run bash .ci/run");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(
            line.trim(),
            "ready",
            "the SMTP server did not start: apt-get install -y python3-aiosmtpd (bash .ci/run does)"
        );
        Server {
            child,
            port,
            out: out.to_owned(),
        }
    }

    /// Every message received: its recipients and the SHA-256 of each
    /// attachment, by file name (Python's own MIME parser reads them).
    fn received(&self) -> Vec<(Vec<String>, BTreeMap<String, String>)> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(&self.out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|eml| {
                let rcpt = std::fs::read_to_string(eml.with_extension("rcpt")).unwrap();
                (rcpt.lines().map(str::to_owned).collect(), attachments(eml))
            })
            .collect()
    }
}

/// The attachments of an .eml file, by name, as SHA-256 hex.
fn attachments(eml: &Path) -> BTreeMap<String, String> {
    let script = "import email, hashlib, sys\nm = email.message_from_binary_file(open(sys.argv[1], 'rb'))\nfor p in m.walk():\n    if p.get_filename():\n        print(p.get_filename(), hashlib.sha256(p.get_payload(decode=True)).hexdigest())\n";
    let out = Command::new(python())
        .args(["-c", script])
        .arg(eml)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout_of(&out)
        .lines()
        .map(|l| {
            let (name, sha) = l.rsplit_once(' ').unwrap();
            (name.to_owned(), sha.to_owned())
        })
        .collect()
}

fn sha256_hex(path: &Path) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(std::fs::read(path).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An event of `rows` winners with their addresses, issued with a
/// register: row i (from 1) has none if i % 10 == 3, two if i % 7 == 0.
struct Event {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    out: PathBuf,
    /// By roster row: the addresses.
    addresses: BTreeMap<usize, Vec<String>>,
}

fn event(rows: usize, special: &[(usize, &str)]) -> Event {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_owned();
    std::fs::copy(repo().join("examples/piagam.toml"), dir.join("piagam.toml")).unwrap();
    let mut roster = String::from("nama,prestasi,email\n");
    let mut addresses = BTreeMap::new();
    for i in 1..=rows {
        let mut cell: Vec<String> = if i % 10 == 3 {
            vec![]
        } else if i % 7 == 0 {
            vec![
                format!("humas{i}@kab{i}.go.id"),
                format!("kominfo{i}@kab{i}.go.id"),
            ]
        } else {
            vec![format!("humas{i}@kab{i}.go.id")]
        };
        if let Some((_, address)) = special.iter().find(|(row, _)| *row == i) {
            cell = vec![(*address).to_owned()];
        }
        roster.push_str(&format!(
            "Kabupaten Contoh {i},Juara {},\"{}\"\n",
            i % 3 + 1,
            cell.join("; ")
        ));
        addresses.insert(i + 1, cell);
    }
    std::fs::write(dir.join("pemenang.csv"), roster).unwrap();
    let key = keygen(&dir.join("kunci"), "Dinas Kominfo Contoh");
    let out = dir.join("hasil");
    let made = run_piagam(&[
        "generate",
        "--roster",
        s(&dir.join("pemenang.csv")),
        "--template",
        s(&repo().join("templates/piagam")),
        "--template",
        s(&repo().join("templates/sertifikat")),
        "--key",
        s(&key),
        "--out",
        s(&out),
    ]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    Event {
        _tmp: tmp,
        dir,
        out,
        addresses,
    }
}

impl Event {
    fn send(&self, extra: &[&str]) -> Command {
        let mut cmd = piagam();
        cmd.args(["send", "--roster"])
            .arg(self.dir.join("pemenang.csv"))
            .arg("--out")
            .arg(&self.out)
            .args(["--from", "Humas Kominfo <humas@kominfo.contoh.go.id>"])
            .args(extra);
        cmd
    }

    /// The batch's files of roster row `row`, as the manifest lists them.
    fn files_of(&self, row: usize) -> Vec<String> {
        read_manifest(&self.out)
            .into_iter()
            .filter(|r| r.row == row)
            .map(|r| r.file)
            .collect()
    }
}

#[test]
fn every_winner_gets_their_documents_once_and_refusals_are_recorded() {
    let event = event(50, &[(5, "tolak@kab5.go.id"), (6, "nanti@kab6.go.id")]);
    let inbox = tempfile::tempdir().unwrap();
    let server = Server::start(inbox.path());
    let smtp = format!("smtp://127.0.0.1:{}", server.port);
    let out = event
        .send(&["--smtp", &smtp, "--per-minute", "6000"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    // One address refused for good: the run goes on, and says so.
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("failed: row 6: tolak@kab5.go.id: "), "{said}");
    assert!(said.contains("has no email address; skipped"), "{said}");

    // Every other address got exactly one message, with exactly its
    // winner's documents, byte for byte as in the batch folder.
    let received = server.received();
    let mut expected: BTreeMap<String, usize> = BTreeMap::new();
    for (row, addresses) in &event.addresses {
        for a in addresses.iter().filter(|a| !a.starts_with("tolak@")) {
            expected.insert(a.clone(), *row);
        }
    }
    assert_eq!(received.len(), expected.len(), "{said}");
    let mut seen = BTreeMap::new();
    for (rcpt, files) in &received {
        assert_eq!(rcpt.len(), 1, "{rcpt:?}");
        let row = expected[&rcpt[0]];
        *seen.entry(rcpt[0].clone()).or_insert(0) += 1;
        let want: BTreeMap<String, String> = event
            .files_of(row)
            .into_iter()
            .map(|f| {
                let sha = sha256_hex(&event.out.join(&f));
                (f, sha)
            })
            .collect();
        assert_eq!(files, &want, "row {row}");
        assert_eq!(files.len(), 2);
    }
    assert!(seen.values().all(|n| *n == 1), "{seen:?}");
    assert!(
        seen.contains_key("nanti@kab6.go.id"),
        "the temporary refusal was tried again"
    );

    // The register holds every message and how it went.
    let register = event.dir.join("piagam-register.sqlite");
    let rows = Command::new("sqlite3")
        .arg(&register)
        .arg("SELECT address, state, substr(answer, 1, 3) FROM messages ORDER BY id")
        .output()
        .expect("sqlite3 is needed: apt-get install -y sqlite3");
    let rows = stdout_of(&rows);
    assert!(rows.contains("tolak@kab5.go.id|refused|"), "{rows}");
    assert!(rows.contains("nanti@kab6.go.id|accepted|250"), "{rows}");
    assert_eq!(
        rows.lines().filter(|l| l.contains("|accepted|")).count(),
        expected.len()
    );

    // list shows what became of each document's messages.
    let listed = run_piagam(&["list", "--register", s(&register)]);
    let listed = stdout_of(&listed);
    assert!(
        listed.contains("; email: refused tolak@kab5.go.id"),
        "{listed}"
    );
    assert!(
        listed.contains("; email: accepted nanti@kab6.go.id"),
        "{listed}"
    );
    let json = run_piagam(&["list", "--register", s(&register), "--json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&json)).unwrap();
    let two = json
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["messages"].as_array().unwrap().len() == 2)
        .expect("a winner with two addresses");
    assert!(two["messages"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["state"] == "accepted"));

    // A rerun sends nothing already accepted.
    let again = event
        .send(&["--smtp", &smtp, "--per-minute", "6000"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(
        said.contains(&format!("sent 0, failed 1, skipped {}", expected.len())),
        "{said}"
    );
    assert_eq!(server.received().len(), expected.len());
    // --resend sends one winner's again, on purpose.
    let serial = read_manifest(&event.out)
        .into_iter()
        .find(|r| r.row == 2)
        .unwrap()
        .serial;
    let again = event
        .send(&["--smtp", &smtp, "--per-minute", "6000", "--resend", &serial])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&again.stderr).contains("sent 1,"));
    assert_eq!(server.received().len(), expected.len() + 1);
}

#[test]
fn a_send_killed_midway_is_completed_by_a_rerun_exactly_once() {
    let event = event(30, &[]);
    let inbox = tempfile::tempdir().unwrap();
    let server = Server::start(inbox.path());
    let smtp = format!("smtp://127.0.0.1:{}", server.port);
    let wanted: usize = event.addresses.values().map(Vec::len).sum();
    let mut first = event
        .send(&["--smtp", &smtp, "--per-minute", "600"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Killed midway, between messages: once the fifth is recorded as
    // accepted, while the run waits out its rate limit. (A kill in the
    // instant between a server's acceptance and its record can send that
    // one message twice, under the same Message-ID; no SMTP client can
    // know what a server did without its answer.)
    let mut lines = BufReader::new(first.stderr.take().unwrap()).lines();
    let mut accepted = 0;
    while accepted < 5 {
        let line = lines.next().expect("the run ended early").unwrap();
        if line.ends_with(": accepted") {
            accepted += 1;
        }
    }
    unsafe { libc::kill(first.id() as i32, libc::SIGKILL) };
    first.wait().unwrap();
    let before = server.received().len();
    assert!(before >= 5 && before < wanted, "{before} of {wanted}");
    let rerun = event
        .send(&["--smtp", &smtp, "--per-minute", "6000"])
        .output()
        .unwrap();
    assert!(
        rerun.status.success(),
        "{}",
        String::from_utf8_lossy(&rerun.stderr)
    );
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for (rcpt, _) in server.received() {
        *count.entry(rcpt[0].clone()).or_insert(0) += 1;
    }
    assert_eq!(count.len(), wanted);
    assert!(count.values().all(|n| *n == 1), "{count:?}");
}

#[test]
fn a_dry_run_writes_messages_to_review_and_sends_nothing() {
    let event = event(8, &[]);
    let review = event.dir.join("surat");
    // No server anywhere: a dry run connects to nothing.
    let out = event
        .send(&["--dry-run", s(&review), "--lang", "en"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut emls: Vec<PathBuf> = std::fs::read_dir(&review)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    emls.sort();
    let wanted: usize = event.addresses.values().map(Vec::len).sum();
    assert_eq!(emls.len(), wanted);
    let first = std::fs::read_to_string(&emls[0]).unwrap();
    assert!(first.contains("Subject: Your documents from"), "{first}");
    assert!(first.contains("To: humas1@kab1.go.id"), "{first}");
    let files = attachments(&emls[0]);
    assert_eq!(files.len(), 2);
    for (name, sha) in files {
        assert_eq!(sha, sha256_hex(&event.out.join(&name)));
    }
    // piagam.toml's own wording, per language; an unknown placeholder is
    // refused before anything is written.
    let config = event.dir.join("piagam.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("\n[mail]\nsubject = { en = \"Charter for {{recipient}}\" }\n");
    std::fs::write(&config, &text).unwrap();
    let ours = event.dir.join("surat-kami");
    let out = event
        .send(&["--dry-run", s(&ours), "--lang", "en"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first = std::fs::read_to_string(ours.join("0002-1.eml")).unwrap();
    assert!(
        first.contains("Subject: Charter for Kabupaten Contoh 1"),
        "{first}"
    );
    std::fs::write(&config, text.replace("{{recipient}}", "{{nama}}")).unwrap();
    let refused = event.dir.join("surat-salah");
    let out = event
        .send(&["--dry-run", s(&refused), "--lang", "en"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("'{{nama}}' is not a placeholder"));
    assert!(!refused.exists());

    // A revoked document is never sent: its winner gets the other one.
    std::fs::write(&config, &text).unwrap();
    let piagam_of_row_2 = read_manifest(&event.out)
        .into_iter()
        .find(|r| r.row == 2)
        .unwrap();
    let revoked = run_piagam(&[
        "revoke",
        "--register",
        s(&event.dir.join("piagam-register.sqlite")),
        "--key",
        s(&event.dir.join("kunci/issuer.key.pem")),
        "--reason",
        "salah cetak",
        &piagam_of_row_2.serial,
    ]);
    assert!(
        revoked.status.success(),
        "{}",
        String::from_utf8_lossy(&revoked.stderr)
    );
    let after = event.dir.join("surat-sesudah");
    let out = event
        .send(&["--dry-run", s(&after), "--lang", "en"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(&format!("{} is revoked: not sent", piagam_of_row_2.serial)),
        "{said}"
    );
    let left = attachments(&after.join("0002-1.eml"));
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(!left.contains_key(&piagam_of_row_2.file));

    // Nothing was recorded as sent.
    let rows = Command::new("sqlite3")
        .arg(event.dir.join("piagam-register.sqlite"))
        .arg("SELECT count(*) FROM messages")
        .output()
        .unwrap();
    assert_eq!(stdout_of(&rows).trim(), "0");
}

/// This computer's address on its network (not loopback): where a packet
/// to the outside would leave from. UDP's connect sends nothing.
fn network_address() -> String {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").unwrap();
    socket
        .connect("192.0.2.1:9")
        .expect("a network route, to find this computer's own address");
    let ip = socket.local_addr().unwrap().ip();
    assert!(!ip.is_loopback() && !ip.is_unspecified(), "{ip}");
    ip.to_string()
}

#[test]
fn a_server_off_this_computer_without_starttls_gets_nothing() {
    // The test server offers no STARTTLS. Reached by this computer's
    // network address, it is "another computer": the send refuses to go
    // on in plaintext, and the server receives nothing.
    let event = event(2, &[]);
    let inbox = tempfile::tempdir().unwrap();
    let host = network_address();
    let server = Server::start_on(inbox.path(), &host);
    let smtp = format!("smtp://{host}:{}", server.port);
    let out = event
        .send(&["--smtp", &smtp, "--per-minute", "6000"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("sent 0, failed 2"), "{said}");
    assert!(server.received().is_empty());
    // Recorded as failed, to try again once the server offers TLS.
    let rows = Command::new("sqlite3")
        .arg(event.dir.join("piagam-register.sqlite"))
        .arg("SELECT DISTINCT state FROM messages")
        .output()
        .unwrap();
    assert_eq!(stdout_of(&rows).trim(), "failed");
}

#[test]
fn plaintext_to_another_computer_is_refused_before_connecting() {
    let event = event(2, &[]);
    for smtp in [
        "smtp+plain://mail.kominfo.contoh.go.id:25",
        "smtp+plain://192.0.2.1:25",
    ] {
        let out = event.send(&["--smtp", smtp]).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            said.contains("plaintext SMTP is allowed only to this computer"),
            "{said}"
        );
    }
    // A login needs its password: typed at a terminal, or from the
    // environment; with neither (a script), said before connecting.
    let out = event
        .send(&["--smtp", "smtp://127.0.0.1:9", "--user", "humas"])
        .env_remove("PIAGAM_SMTP_PASSWORD")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("PIAGAM_SMTP_PASSWORD"));

    // A bad address in the roster is check's error, naming its row.
    std::fs::write(
        event.dir.join("pemenang.csv"),
        "nama;prestasi;email\nKota Semarang;Juara 1;humas@semarangkota\n",
    )
    .unwrap();
    let out = run_piagam(&[
        "check",
        "--roster",
        s(&event.dir.join("pemenang.csv")),
        "--template",
        s(&repo().join("templates/piagam")),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(":2:email: 'humas@semarangkota' is not an email address"),
        "{said}"
    );
}
