//! `piagam studio`: started as an organizer starts it, on a new event
//! folder. Its address comes first on standard output; only requests with
//! its token, to its own host, are answered; what it writes is what the
//! command line reads; the private key never leaves the folder. Then the
//! page itself, in Chromium.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use common::*;

/// A running studio, stopped when dropped.
struct Studio {
    child: Child,
    url: String,
    port: u16,
    token: String,
    csrf: String,
}

impl Drop for Studio {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(folder: &Path) -> Studio {
    let mut child = piagam()
        .args(["studio", "--no-open"])
        .arg(folder)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = first.trim().to_owned();
    let rest = url
        .strip_prefix("http://127.0.0.1:")
        .unwrap_or_else(|| panic!("the first line is not the address: {url:?}"));
    let port: u16 = rest.split('/').next().unwrap().parse().unwrap();
    let token = url.split("token=").nth(1).unwrap().to_owned();
    assert_eq!(token.len(), 64, "{url}");
    // The page asks for the session's CSRF token with the token.
    let caller = Caller {
        host: format!("127.0.0.1:{port}"),
        token: Some(token.clone()),
        ..Caller::default()
    };
    let (status, session) = request(port, "GET", "/api/session", &caller, None);
    assert_eq!(status, 200, "{session}");
    let csrf = serde_json::from_str::<serde_json::Value>(&session).unwrap()["csrf"]
        .as_str()
        .unwrap()
        .to_owned();
    Studio {
        child,
        url,
        port,
        token,
        csrf,
    }
}

/// Who a request says it is: the Host it names, and the token, Origin
/// and CSRF token it carries, if any.
#[derive(Clone, Default)]
struct Caller {
    host: String,
    token: Option<String>,
    origin: Option<String>,
    csrf: Option<String>,
}

/// One HTTP/1.1 exchange: the response's status, head and body bytes.
fn exchange(
    port: u16,
    method: &str,
    path: &str,
    caller: &Caller,
    body: Option<(&str, &[u8])>,
) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
        caller.host
    );
    for (name, value) in [
        ("x-piagam-token", &caller.token),
        ("origin", &caller.origin),
        ("x-piagam-csrf", &caller.csrf),
    ] {
        if let Some(v) = value {
            head.push_str(&format!("{name}: {v}\r\n"));
        }
    }
    if let Some((kind, bytes)) = body {
        head.push_str(&format!(
            "content-type: {kind}\r\ncontent-length: {}\r\n",
            bytes.len()
        ));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    if let Some((_, bytes)) = body {
        // A server that refuses a body early may close before it is all sent.
        let _ = stream.write_all(bytes);
    }
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(response.len());
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response.get(split + 4..).unwrap_or_default().to_vec();
    (status, head, body)
}

/// One request with a JSON body (if any); the status and the body's text.
fn request(
    port: u16,
    method: &str,
    path: &str,
    caller: &Caller,
    body: Option<&str>,
) -> (u16, String) {
    let body = body.map(|b| ("application/json", b.as_bytes()));
    let (status, _, bytes) = exchange(port, method, path, caller, body);
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

impl Studio {
    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The studio's own page: its host, token, Origin and CSRF token.
    fn page(&self) -> Caller {
        Caller {
            host: self.host(),
            token: Some(self.token.clone()),
            origin: Some(format!("http://127.0.0.1:{}", self.port)),
            csrf: Some(self.csrf.clone()),
        }
    }

    /// A request with the token and a file's bytes as the body (if any).
    fn raw(&self, method: &str, path: &str, bytes: Option<&[u8]>) -> (u16, String, Vec<u8>) {
        let body = bytes.map(|b| ("application/octet-stream", b));
        exchange(self.port, method, path, &self.page(), body)
    }

    /// Sends a file's bytes; the status and the JSON answer.
    fn upload(&self, path: &str, bytes: &[u8]) -> (u16, serde_json::Value) {
        let (status, _, body) = self.raw("PUT", path, Some(bytes));
        (status, serde_json::from_slice(&body).unwrap_or_default())
    }

    fn api(&self, method: &str, path: &str, body: Option<&str>) -> (u16, serde_json::Value) {
        let (status, text) = request(self.port, method, path, &self.page(), body);
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        )
    }
}

const EVENT: &str = r#"{"name":"Anugerah Layanan Digital 2026","date":"2026-11-20","place":"Semarang","verify_url":"https://kominfo.example.go.id/verifikasi","signatory_name":"Dr. Budi Santoso","signatory_title":"Kepala Dinas","signatory_nip":""}"#;

#[test]
fn the_studio_serves_its_page_and_nothing_else_of_the_disk() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("acara-baru");
    let studio = start(&folder);
    let bare = Caller {
        host: studio.host(),
        ..Caller::default()
    };

    // The page itself, with a policy that lets in nothing from elsewhere.
    let (status, html) = request(studio.port, "GET", "/", &bare, None);
    assert_eq!(status, 200);
    assert!(
        html.contains("<script type=\"module\" src=\"app.js\">"),
        "{html}"
    );
    let (status, _) = request(studio.port, "GET", "/../Cargo.toml", &bare, None);
    assert_ne!(status, 200);
    assert!(!folder.join("piagam.toml").exists());
}

/// Every way a request may come from somewhere other than the studio's
/// own page, each refused with 403 and nothing written.
#[test]
fn a_request_from_anywhere_but_the_studios_own_page_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("acara");
    let studio = start(&folder);
    let page = studio.page();
    let refused = |caller: Caller, method: &str, path: &str, body: Option<&str>| {
        let (status, answer) = request(studio.port, method, path, &caller, body);
        assert_eq!(status, 403, "{method} {path}: {answer}");
        assert!(!answer.contains("folder"), "{answer}");
    };
    // No token, or a wrong one.
    refused(
        Caller {
            token: None,
            ..page.clone()
        },
        "GET",
        "/api/event",
        None,
    );
    refused(
        Caller {
            token: Some("0".repeat(64)),
            ..page.clone()
        },
        "GET",
        "/api/event",
        None,
    );
    refused(
        Caller {
            token: None,
            ..page.clone()
        },
        "GET",
        "/api/session",
        None,
    );
    // A foreign Host (a name rebound to 127.0.0.1), or another port.
    for host in [
        "evil.example".to_owned(),
        format!("localhost.evil.example:{}", studio.port),
        "127.0.0.1:1".to_owned(),
    ] {
        refused(
            Caller {
                host: host.clone(),
                ..page.clone()
            },
            "GET",
            "/api/event",
            None,
        );
        refused(
            Caller {
                host,
                ..page.clone()
            },
            "PUT",
            "/api/event",
            Some(EVENT),
        );
    }
    // A change from another origin, or with no Origin at all.
    for origin in [
        Some("http://evil.example".to_owned()),
        Some(format!("http://127.0.0.1:{}", studio.port + 1)),
        Some("null".to_owned()),
        None,
    ] {
        refused(
            Caller {
                origin,
                ..page.clone()
            },
            "PUT",
            "/api/event",
            Some(EVENT),
        );
    }
    // A change without the session's CSRF token, or with another.
    refused(
        Caller {
            csrf: None,
            ..page.clone()
        },
        "PUT",
        "/api/event",
        Some(EVENT),
    );
    refused(
        Caller {
            csrf: Some("0".repeat(64)),
            ..page.clone()
        },
        "POST",
        "/api/key",
        Some(r#"{"issuer":"x"}"#),
    );
    assert!(!folder.join("piagam.toml").exists());
    assert!(!folder.join("kunci").exists());
    // The page itself, with all of them: let in.
    assert_eq!(studio.api("PUT", "/api/event", Some(EVENT)).0, 200);

    // An upload over the cap is refused before it is kept.
    let big = vec![b'a'; 64 * 1024 * 1024 + 1];
    let (status, _, _) = studio.raw("PUT", "/api/roster?name=besar.csv", Some(&big));
    assert_eq!(status, 413);
    assert!(piagam_files(&folder)
        .iter()
        .all(|f| !f.starts_with("peserta")));

    // A name with ../ is only a name: kept under the studio's own name,
    // inside the event folder.
    let (status, answer) = studio.upload(
        "/api/roster?name=..%2F..%2Fluar.csv",
        "nama;prestasi\nKota Semarang;Juara 1\n".as_bytes(),
    );
    assert_eq!(status, 200, "{answer}");
    assert!(folder.join("peserta.csv").is_file());
    assert!(!tmp.path().join("luar.csv").exists());
    assert!(!folder.join("../luar.csv").exists());
    studio.api("PUT", "/api/design", Some(r#"{"documents":["piagam"]}"#));
    let (status, _) = studio.upload(
        "/api/background?document=0&name=..%2F..%2F..%2Flatar.png",
        &std::fs::read(repo().join("templates/assets/logo-placeholder.png")).unwrap(),
    );
    assert!(status == 200 || status == 422, "{status}");
    assert!(!tmp.path().join("latar.png").exists());
    assert!(
        piagam_files(tmp.path()).iter().all(|f| f == "acara"),
        "{:?}",
        piagam_files(tmp.path())
    );

    // A second studio on the same folder: exit 2, pointing at the first.
    let second = piagam()
        .args(["studio", "--no-open"])
        .arg(&folder)
        .output()
        .unwrap();
    assert_eq!(
        second.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&second.stdout).trim(), studio.url);
    assert!(String::from_utf8_lossy(&second.stderr).contains("already open"));
    // Once the first has gone, a studio starts there again.
    drop(studio);
    let again = start(&folder);
    assert_eq!(again.api("GET", "/api/event", None).0, 200);
}

/// The names in a folder.
fn piagam_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn a_new_event_is_written_as_the_command_line_reads_it() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("acara-baru");
    let studio = start(&folder);

    // A new folder: no event yet, no key.
    let (status, state) = studio.api("GET", "/api/event", None);
    assert_eq!(status, 200, "{state}");
    assert_eq!(state["exists"], false);
    assert_eq!(state["key"]["exists"], false);

    // A bad date is named on its field, and nothing is written.
    let bad = EVENT.replace("2026-11-20", "20/11/2026");
    let (status, answer) = studio.api("PUT", "/api/event", Some(&bad));
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["errors"][0]["field"], "date", "{answer}");
    assert_eq!(answer["errors"][0]["code"], "not-a-date", "{answer}");
    assert!(!folder.join("piagam.toml").exists());

    // Saved: piagam.toml, as the command line reads it.
    let (status, answer) = studio.api("PUT", "/api/event", Some(EVENT));
    assert_eq!(status, 200, "{answer}");
    let config = piagam::config::EventConfig::read(&folder.join("piagam.toml")).unwrap();
    assert_eq!(config.event.name, "Anugerah Layanan Digital 2026");
    assert_eq!(config.event.place.as_deref(), Some("Semarang"));
    assert_eq!(config.signatory.name, "Dr. Budi Santoso");
    assert_eq!(
        config.verify_url.as_deref(),
        Some("https://kominfo.example.go.id/verifikasi")
    );

    // The key is made in the folder; the page hears its id, never the key.
    let (status, answer) = studio.api(
        "POST",
        "/api/key",
        Some(r#"{"issuer":"Dinas Kominfo Contoh"}"#),
    );
    assert_eq!(status, 200, "{answer}");
    let key_file = folder.join("kunci/issuer.key.pem");
    let pem = std::fs::read_to_string(&key_file).unwrap();
    let secret: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    assert!(!answer.to_string().contains(&secret));
    assert_eq!(answer["key"]["issuer"], "Dinas Kominfo Contoh");
    let (_, state) = studio.api("GET", "/api/event", None);
    assert!(!state.to_string().contains(&secret));
    assert_eq!(state["key"]["kid"], answer["key"]["kid"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The command line signs with what the studio made.
    std::fs::write(
        folder.join("pemenang.csv"),
        "nama,prestasi\nKota Semarang,Juara 1\n",
    )
    .unwrap();
    let out = run_piagam(&[
        "generate",
        "--roster",
        s(&folder.join("pemenang.csv")),
        "--template",
        s(&repo().join("templates/piagam")),
        "--key",
        s(&key_file),
        "--out",
        s(&folder.join("hasil")),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(studio.url.contains("?token="));
}

#[test]
fn the_event_screen_in_chromium() {
    assert!(
        repo().join("node_modules/playwright-core").is_dir(),
        "playwright-core is not installed: run `npm ci` in {} (bash .ci/run does)",
        repo().display()
    );
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("acara");
    let studio = start(&folder);
    let out = Command::new("node")
        .arg(repo().join("tests/browser/studio_event.js"))
        .arg(&studio.url)
        .output()
        .unwrap_or_else(|e| panic!("node is not installed ({e}): run bash .ci/run"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["errors"], serde_json::json!([]), "{shown}");
    // The token left the address bar once read.
    assert!(
        !shown["address"].as_str().unwrap().contains("token"),
        "{shown}"
    );
    assert_eq!(shown["heading"], "Acara", "{shown}");
    assert!(
        shown["keyBefore"]
            .as_str()
            .unwrap()
            .starts_with("Belum ada kunci"),
        "{shown}"
    );
    assert_eq!(shown["nameProblem"], "Wajib diisi.", "{shown}");
    assert_eq!(shown["nameInvalid"], "true", "{shown}");
    assert_eq!(shown["saved"], "Tersimpan di piagam.toml", "{shown}");
    assert_eq!(shown["nameProblemAfter"], "", "{shown}");
    assert!(
        shown["keyAfter"]
            .as_str()
            .unwrap()
            .contains("Dinas Kominfo Provinsi Contoh"),
        "{shown}"
    );
    assert_eq!(shown["englishHeading"], "Event", "{shown}");
    assert!(
        shown["englishKey"]
            .as_str()
            .unwrap()
            .starts_with("The key of"),
        "{shown}"
    );
    assert_eq!(shown["lang"], "en", "{shown}");
    // The roster's problem, in the page's language (English by then), on
    // its row and cell.
    assert_eq!(
        shown["rosterProblem"], "Row 3, column Nama Pemda: Required, but empty.",
        "{shown}"
    );
    assert_eq!(
        shown["reloadedName"], "Anugerah Layanan Digital 2026",
        "{shown}"
    );
    let config = piagam::config::EventConfig::read(&folder.join("piagam.toml")).unwrap();
    assert_eq!(config.event.place.as_deref(), Some("Semarang"));
    assert!(folder.join("kunci/issuer.key.pem").exists());
}

#[test]
fn the_roster_is_shown_as_generate_reads_it_and_its_columns_chosen() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("acara");
    let studio = start(&folder);
    let (status, answer) = studio.api("PUT", "/api/event", Some(EVENT));
    assert_eq!(status, 200, "{answer}");
    let (status, answer) = studio.api("GET", "/api/roster", None);
    assert_eq!((status, &answer["roster"]), (200, &serde_json::Value::Null));

    // A sheet whose headers piagam does not know, with a row missing its name.
    let csv = "Nama Pemda;Predikat\nKota Semarang;Juara 1\n;Juara 2\nKabupaten Demak;Harapan\n";
    let put = |name: &str, body: &str| {
        studio.upload(&format!("/api/roster?name={name}"), body.as_bytes())
    };
    let (status, answer) = put("daftar.exe", csv);
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["errors"][0]["code"], "not-a-roster");
    let (status, answer) = put("Pemenang%202026.csv", csv);
    assert_eq!(status, 200, "{answer}");
    assert!(folder.join("peserta.csv").is_file());
    let roster = &answer["roster"];
    assert_eq!(
        roster["headers"],
        serde_json::json!(["Nama Pemda", "Predikat"])
    );
    assert_eq!(roster["fields"], serde_json::json!(["", ""]));
    assert_eq!(roster["total_rows"], 3);
    // No column is the name: said of the header row, not of a cell.
    assert_eq!(roster["problems"][0]["row"], 1, "{roster}");
    assert!(roster["problems"][0]["column"].is_null(), "{roster}");

    // The columns chosen: written as [columns], read back as generate reads.
    let choices = r#"{"columns":{"Nama Pemda":"recipient","Predikat":"achievement"}}"#;
    let (status, answer) = studio.api("PUT", "/api/roster/choices", Some(choices));
    assert_eq!(status, 200, "{answer}");
    let roster = &answer["roster"];
    assert_eq!(
        roster["fields"],
        serde_json::json!(["recipient", "achievement"])
    );
    let problems = roster["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{roster}");
    assert_eq!(problems[0]["row"], 3);
    assert_eq!(problems[0]["column"], "Nama Pemda");
    let config = piagam::config::EventConfig::read(&folder.join("piagam.toml")).unwrap();
    assert_eq!(config.columns.len(), 2);
    let text = std::fs::read_to_string(folder.join("piagam.toml")).unwrap();
    assert!(
        text.contains("[columns]") && text.contains("\"Nama Pemda\" = \"recipient\""),
        "{text}"
    );
    // The event written before is still there.
    assert_eq!(config.event.name, "Anugerah Layanan Digital 2026");
    // And check says the same of the roster.
    let out = run_piagam(&[
        "check",
        "--roster",
        s(&folder.join("peserta.csv")),
        "--template",
        s(&repo().join("templates/piagam")),
    ]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("peserta.csv:3:Nama Pemda"), "{said}");

    // An unknown field is refused, and nothing changes.
    let (status, answer) = studio.api(
        "PUT",
        "/api/roster/choices",
        Some(r#"{"columns":{"Nama Pemda":"nama"}}"#),
    );
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["errors"][0]["code"], "unknown-field");
    let again = piagam::config::EventConfig::read(&folder.join("piagam.toml")).unwrap();
    assert_eq!(again.columns.len(), 2);
}

#[test]
fn a_bundled_design_is_chosen_and_any_row_previewed_as_the_engine_draws_it() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("acara");
    let studio = start(&folder);
    studio.api("PUT", "/api/event", Some(EVENT));
    std::fs::write(
        folder.join("peserta.csv"),
        "nama;prestasi\nKota Semarang;Juara 1\n;Juara 2\n",
    )
    .unwrap();
    let (status, design) = studio.api("GET", "/api/design", None);
    assert_eq!(status, 200);
    assert_eq!(design["bundled"][0]["id"], "piagam");
    assert_eq!(design["chosen"], serde_json::json!([]));
    let (status, answer) = studio.api("PUT", "/api/design", Some(r#"{"documents":["piagamx"]}"#));
    assert_eq!(status, 422, "{answer}");
    let (status, answer) = studio.api(
        "PUT",
        "/api/design",
        Some(r#"{"documents":["piagam","sertifikat"]}"#),
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["chosen"],
        serde_json::json!(["templates/piagam", "templates/sertifikat"])
    );
    for file in [
        "piagam/template.toml",
        "sertifikat/template.toml",
        "assets/latar-piagam.pdf",
    ] {
        assert!(folder.join("templates").join(file).is_file(), "{file}");
    }
    // The organizer's own changes to a copied design are never replaced.
    let own = folder.join("templates/piagam/template.toml");
    let changed = std::fs::read_to_string(&own)
        .unwrap()
        .replace("PIAGAM PENGHARGAAN", "PIAGAM KAMI");
    std::fs::write(&own, &changed).unwrap();
    studio.api("PUT", "/api/design", Some(r#"{"documents":["piagam"]}"#));
    assert_eq!(std::fs::read_to_string(&own).unwrap(), changed);

    // A preview is a PNG the engine drew; a row with a problem says why.
    let png = |query: &str| {
        let (_, head, body) = studio.raw("GET", &format!("/api/preview?{query}"), None);
        (head, body)
    };
    let (head, body) = png("row=2&document=0");
    assert!(
        head.starts_with("HTTP/1.1 200") && head.contains("image/png"),
        "{head}"
    );
    let image = image::load_from_memory(&body).unwrap();
    // A4 landscape at 72 dpi.
    assert!((841..=842).contains(&image.width()) && image.height() == 595);
    let (head, body) = png("row=3&document=0");
    assert!(head.starts_with("HTTP/1.1 422"), "{head}");
    assert!(String::from_utf8_lossy(&body).contains("no valid row 3"));

    // The command line issues what the studio set up, with no --template.
    let key = studio.api(
        "POST",
        "/api/key",
        Some(r#"{"issuer":"Dinas Kominfo Contoh"}"#),
    );
    assert_eq!(key.0, 200);
    std::fs::write(
        folder.join("peserta.csv"),
        "nama;prestasi\nKota Semarang;Juara 1\n",
    )
    .unwrap();
    let out = run_piagam(&[
        "generate",
        "--roster",
        s(&folder.join("peserta.csv")),
        "--key",
        s(&folder.join("kunci/issuer.key.pem")),
        "--out",
        s(&folder.join("hasil")),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let made = document_pdfs(&folder.join("hasil"));
    assert_eq!(made.len(), 1, "{made:?}");
    assert!(
        pdf_text(&folder.join("hasil").join(made.iter().next().unwrap())).contains("PIAGAM KAMI")
    );
}

/// The events of the run's progress stream, as JSON, until it ends.
fn progress_events(studio: &Studio) -> Vec<serde_json::Value> {
    let (_, head, body) = studio.raw("GET", "/api/progress", None);
    assert!(head.contains("text/event-stream"), "{head}");
    String::from_utf8_lossy(&body)
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .filter_map(|d| serde_json::from_str(d).ok())
        .collect()
}

fn ready_event(folder: &Path, studio: &Studio, rows: usize) {
    studio.api("PUT", "/api/event", Some(EVENT));
    studio.api(
        "POST",
        "/api/key",
        Some(r#"{"issuer":"Dinas Kominfo Contoh"}"#),
    );
    let mut roster = String::from("nama;prestasi\n");
    for i in 1..=rows {
        roster.push_str(&format!("Kabupaten Contoh {i};Juara {}\n", i % 3 + 1));
    }
    std::fs::write(folder.join("peserta.csv"), roster).unwrap();
    let (status, answer) = studio.api("PUT", "/api/design", Some(r#"{"documents":["piagam"]}"#));
    assert_eq!(status, 200, "{answer}");
}

#[test]
fn a_run_is_checked_issued_with_its_progress_told_and_its_files_served() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("acara");
    let studio = start(&folder);
    // Nothing to issue without a roster.
    let (status, answer) = studio.api("POST", "/api/check", None);
    assert_eq!(
        (status, answer["errors"][0]["code"].as_str()),
        (422, Some("no-roster"))
    );
    ready_event(&folder, &studio, 5);
    let (status, answer) = studio.api("POST", "/api/check", None);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["checked"]["documents"], 5, "{answer}");
    assert!(!folder.join("hasil").exists());

    let (status, answer) = studio.api("POST", "/api/generate", None);
    assert_eq!(status, 202, "{answer}");
    let events = progress_events(&studio);
    let last = events.last().unwrap();
    assert_eq!(last["state"], "done", "{events:?}");
    assert_eq!(
        (last["done"].as_u64(), last["total"].as_u64()),
        (Some(5), Some(5))
    );
    let files: Vec<String> = last["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_owned())
        .collect();
    assert!(files.contains(&"print.pdf".to_owned()), "{files:?}");
    assert!(files.contains(&"charters.zip".to_owned()), "{files:?}");
    assert_eq!(document_pdfs(&folder.join("hasil")).len(), 5);

    // Each file is served to the token, and nothing outside the folder.
    let link = Caller {
        host: studio.host(),
        ..Caller::default()
    };
    let get = |path: &str| {
        let (_, head, body) = exchange(studio.port, "GET", path, &link, None);
        (head, body)
    };
    let (head, pdf) = get(&format!("/files/print.pdf?token={}", studio.token));
    assert!(
        head.starts_with("HTTP/1.1 200") && head.contains("application/pdf"),
        "{head}"
    );
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(get("/files/print.pdf?token=00")
        .0
        .starts_with("HTTP/1.1 403"));
    for sneaky in [
        "..%2Fpiagam.toml",
        "%2E%2E",
        ".piagam.lock",
        "..%5Cpiagam.toml",
    ] {
        let (head, _) = get(&format!("/files/{sneaky}?token={}", studio.token));
        assert!(!head.starts_with("HTTP/1.1 200"), "{sneaky}");
    }
}

#[test]
fn a_cancelled_run_leaves_what_an_interrupted_one_leaves_and_the_next_completes_it() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("acara");
    let studio = start(&folder);
    ready_event(&folder, &studio, 3000);
    let (status, _) = studio.api("POST", "/api/generate", None);
    assert_eq!(status, 202);
    // One run at a time.
    let (status, answer) = studio.api("POST", "/api/generate", None);
    assert_eq!(
        (status, answer["errors"][0]["code"].as_str()),
        (422, Some("busy"))
    );
    studio.api("POST", "/api/cancel", None);
    let events = progress_events(&studio);
    let last = events.last().unwrap();
    assert_eq!(last["state"], "cancelled", "{last}");
    assert!(last["done"].as_u64().unwrap() < 3000, "{last}");
    assert!(document_pdfs(&folder.join("hasil")).is_empty());
    // Issued again: every document, and the register says so.
    studio.api("POST", "/api/generate", None);
    let events = progress_events(&studio);
    let last = events.last().unwrap();
    assert_eq!(last["state"], "done", "{last}");
    assert_eq!(document_pdfs(&folder.join("hasil")).len(), 3000);
}

#[test]
fn the_register_is_searched_a_document_revoked_with_its_reason_and_the_page_published() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("acara");
    let studio = start(&folder);
    let (status, answer) = studio.api("GET", "/api/register", None);
    assert_eq!(
        (status, answer["entries"].as_array().map(Vec::len)),
        (200, Some(0))
    );
    ready_event(&folder, &studio, 3);
    studio.api("POST", "/api/generate", None);
    assert_eq!(progress_events(&studio).last().unwrap()["state"], "done");

    let (_, answer) = studio.api("GET", "/api/register", None);
    let entries = answer["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3, "{answer}");
    assert!(entries.iter().all(|e| e["status"] == "issued"), "{answer}");
    let (_, answer) = studio.api("GET", "/api/register?search=contoh%202&status=", None);
    let found = answer["entries"].as_array().unwrap();
    assert_eq!(found.len(), 1, "{answer}");
    assert_eq!(found[0]["recipient"], "Kabupaten Contoh 2");
    let serial = found[0]["serial"].as_str().unwrap().to_owned();

    // A reason is required; then the document is revoked, with it.
    let body = format!(r#"{{"serials":["{serial}"],"reason":" "}}"#);
    let (status, answer) = studio.api("POST", "/api/revoke", Some(&body));
    assert_eq!(
        (status, answer["errors"][0]["field"].as_str()),
        (422, Some("reason"))
    );
    let body = format!(r#"{{"serials":["{serial}"],"reason":"Salah nama instansi"}}"#);
    let (status, answer) = studio.api("POST", "/api/revoke", Some(&body));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["revoked"]["revoked"], 1);
    let (_, answer) = studio.api("GET", "/api/register?status=revoked", None);
    let revoked = answer["entries"].as_array().unwrap();
    assert_eq!(revoked.len(), 1, "{answer}");
    assert_eq!(revoked[0]["serial"], serial.as_str());
    assert_eq!(revoked[0]["revoked_reason"], "Salah nama instansi");

    // The page, with the revocation list and the issued files beside it.
    let (status, answer) = studio.api("POST", "/api/publish", None);
    assert_eq!(status, 200, "{answer}");
    for file in ["index.html", "revocations", "issued"] {
        assert!(
            folder.join("situs").join(file).is_file(),
            "{file}: {answer}"
        );
    }
    // The same files in one ZIP for the web team, with a note saying where
    // they go; served with the run's files.
    assert_eq!(answer["zip"], "situs.zip", "{answer}");
    assert_eq!(
        answer["address"],
        "https://kominfo.example.go.id/verifikasi"
    );
    let (_, head, body) = studio.raw(
        "GET",
        &format!("/files/situs.zip?token={}", studio.token),
        None,
    );
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(body)).unwrap();
    let mut names: Vec<String> = archive
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["BACA-SAYA.txt", "index.html", "issued", "revocations"]
    );
    for name in ["index.html", "revocations", "issued"] {
        let mut bytes = Vec::new();
        archive
            .by_name(name)
            .unwrap()
            .read_to_end(&mut bytes)
            .unwrap();
        assert_eq!(
            bytes,
            std::fs::read(folder.join("situs").join(name)).unwrap(),
            "{name}"
        );
    }
    let mut note = String::new();
    archive
        .by_name("BACA-SAYA.txt")
        .unwrap()
        .read_to_string(&mut note)
        .unwrap();
    assert!(
        note.contains("    https://kominfo.example.go.id/verifikasi\n"),
        "{note}"
    );
    // verify, with that list, says the document is revoked.
    let pdf = document_pdfs(&folder.join("hasil"))
        .into_iter()
        .find(|n| n.contains("contoh-2"))
        .unwrap();
    let out = run_piagam(&[
        "verify",
        "--trust",
        s(&folder.join("kunci/issuer.jwks.json")),
        "--revocations",
        s(&folder.join("situs/revocations")),
        s(&folder.join("hasil").join(pdf)),
    ]);
    let said = stdout_of(&out);
    assert_ne!(out.status.code(), Some(0), "{said}");
    assert!(said.contains("Salah nama instansi"), "{said}");
}

#[test]
fn an_existing_key_is_taken_in_through_the_page() {
    assert!(
        repo().join("node_modules/playwright-core").is_dir(),
        "playwright-core is not installed: run `npm ci` (bash .ci/run does)"
    );
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("acara");
    let studio = start(&folder);
    studio.api("PUT", "/api/event", Some(EVENT));
    let out = Command::new("node")
        .arg(repo().join("tests/browser/studio_key.js"))
        .arg(&studio.url)
        .arg(repo().join("assets/demo/DEMO-ONLY-issuer.key.pem"))
        .output()
        .unwrap_or_else(|e| panic!("node is not installed ({e}): run bash .ci/run"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        shown["bad"]
            .as_str()
            .unwrap()
            .starts_with("Bukan kunci Ed25519"),
        "{shown}"
    );
    assert!(
        shown["status"]
            .as_str()
            .unwrap()
            .contains("Dinas Kominfo Contoh"),
        "{shown}"
    );
    let key = folder.join("kunci/issuer.key.pem");
    assert_eq!(
        std::fs::read(&key).unwrap(),
        std::fs::read(repo().join("assets/demo/DEMO-ONLY-issuer.key.pem")).unwrap()
    );
}

#[test]
fn a_designers_pdf_becomes_a_documents_background_or_is_put_back_with_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("acara");
    let studio = start(&folder);
    ready_event(&folder, &studio, 2);
    let put = |query: &str, body: &[u8]| studio.upload(&format!("/api/background?{query}"), body);
    let template = folder.join("templates/piagam/template.toml");
    let before = std::fs::read_to_string(&template).unwrap();
    // A page that is no PDF: refused, and the template as it was.
    let (status, answer) = put("document=0&name=latar.pdf", b"%PDF-1.7 broken");
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["errors"][0]["code"], "refused", "{answer}");
    assert_eq!(std::fs::read_to_string(&template).unwrap(), before);
    assert!(!folder.join("templates/piagam/latar.pdf").exists());
    let (status, answer) = put("document=0&name=latar.exe", b"x");
    assert_eq!(
        (status, answer["errors"][0]["code"].as_str()),
        (422, Some("not-a-background"))
    );
    let (status, _) = put("document=5&name=latar.pdf", b"x");
    assert_eq!(status, 422);
    // A portrait page under a landscape design would cut off the seal:
    // refused, naming what would fall off, and the template as it was.
    let portrait = Design {
        media: [0.0, 0.0, A4_LANDSCAPE.1, A4_LANDSCAPE.0],
        ..Design::a4()
    };
    let (status, answer) = put("document=0&name=latar.pdf", &background_pdf(&portrait));
    assert_eq!(status, 422, "{answer}");
    let said = answer["errors"][0]["detail"].as_str().unwrap();
    assert!(said.contains("beyond the 210×297 mm page"), "{said}");
    assert_eq!(std::fs::read_to_string(&template).unwrap(), before);

    // The designer's A4 page: the template's background, its comments kept.
    let pdf = background_pdf(&Design::a4());
    let (status, answer) = put("document=0&name=Desain%20Final.pdf", &pdf);
    assert_eq!(status, 200, "{answer}");
    let text = std::fs::read_to_string(&template).unwrap();
    assert!(text.contains("src = \"latar.pdf\""), "{text}");
    assert!(text.contains("# Piagam Penghargaan"), "{text}");
    assert_eq!(
        std::fs::read(folder.join("templates/piagam/latar.pdf")).unwrap(),
        pdf
    );
    // Issued with it: the designer's words are in every document.
    studio.api("POST", "/api/generate", None);
    assert_eq!(progress_events(&studio).last().unwrap()["state"], "done");
    let first = document_pdfs(&folder.join("hasil"))
        .into_iter()
        .next()
        .unwrap();
    assert!(pdf_text(&folder.join("hasil").join(first)).contains("LATAR DESAINER DINAS"));
}

#[test]
fn a_corrected_name_is_asked_about_and_languages_chosen_per_run() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("acara");
    let studio = start(&folder);
    ready_event(&folder, &studio, 2);
    // Both languages: two documents per winner, one serial each.
    let (status, _) = studio.api("POST", "/api/generate", Some(r#"{"langs":["id","en"]}"#));
    assert_eq!(status, 202);
    let last = progress_events(&studio).pop().unwrap();
    assert_eq!(last["state"], "done", "{last}");
    assert_eq!(document_pdfs(&folder.join("hasil")).len(), 4);

    // The first winner's name corrected in the sheet: asked, not guessed.
    std::fs::write(
        folder.join("peserta.csv"),
        "nama;prestasi\nKabupaten Contooh 1;Juara 2\nKabupaten Contoh 2;Juara 3\n",
    )
    .unwrap();
    let (status, _) = studio.api("POST", "/api/generate", Some(r#"{"langs":["id","en"]}"#));
    assert_eq!(status, 202);
    let last = progress_events(&studio).pop().unwrap();
    assert_eq!(last["state"], "corrections", "{last}");
    let proposal = &last["proposals"][0];
    assert_eq!(proposal["old_recipient"], "Kabupaten Contoh 1", "{last}");
    assert_eq!(proposal["new_recipient"], "Kabupaten Contooh 1", "{last}");
    assert_eq!(proposal["row"], 2, "{last}");
    // Confirmed: the old document is replaced.
    let body = r#"{"langs":["id","en"],"corrections":"accept"}"#;
    assert_eq!(studio.api("POST", "/api/generate", Some(body)).0, 202);
    let last = progress_events(&studio).pop().unwrap();
    assert_eq!(last["state"], "done", "{last}");
    let (_, answer) = studio.api("GET", "/api/register?status=superseded", None);
    let replaced = answer["entries"].as_array().unwrap();
    assert_eq!(replaced.len(), 1, "{answer}");
    assert_eq!(replaced[0]["recipient"], "Kabupaten Contoh 1");
    assert!(replaced[0]["superseded_by"].is_string(), "{answer}");
    // A word the studio does not know is refused.
    let (status, _) = studio.api("POST", "/api/generate", Some(r#"{"corrections":"maybe"}"#));
    assert_eq!(status, 422);
}

/// The element of the layout whose kind is `kind` and whose words (if
/// any) contain `words`.
fn box_of(layout: &serde_json::Value, kind: &str, words: &str) -> serde_json::Value {
    layout["boxes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| {
            b["kind"] == kind
                && (words.is_empty()
                    || b["words"]
                        .as_object()
                        .is_some_and(|w| w.values().any(|v| v.as_str().unwrap().contains(words))))
        })
        .unwrap_or_else(|| panic!("no {kind} box with {words:?}: {layout}"))
        .clone()
}

#[test]
fn the_editor_moves_boxes_in_template_toml_and_shows_each_problem_on_its_box() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("acara");
    let studio = start(&folder);
    ready_event(&folder, &studio, 3);
    let toml = folder.join("templates/piagam/template.toml");
    let (status, answer) = studio.api("GET", "/api/layout?document=0", None);
    assert_eq!(status, 200, "{answer}");
    let layout = &answer["layout"];
    assert_eq!(layout["width"], 297.0);
    assert_eq!(layout["height"], 210.0);
    assert_eq!(layout["languages"], serde_json::json!(["id", "en"]));
    let qr = box_of(layout, "qr", "");
    assert_eq!(qr["w"], qr["h"]);
    let heading = box_of(layout, "text", "PIAGAM PENGHARGAAN");
    assert_eq!(heading["words"]["en"], "CERTIFICATE OF APPRECIATION");
    assert_eq!(heading["stock"], true);
    let (status, problems) = studio.api("GET", "/api/layout/problems?document=0", None);
    assert_eq!(status, 200);
    assert_eq!(problems["problems"], serde_json::json!([]));

    // The QR code moved to the bottom left: only its numbers change.
    let before = std::fs::read_to_string(&toml).unwrap();
    let element = qr["element"].as_u64().unwrap();
    let (status, answer) = studio.api(
        "PUT",
        "/api/layout?document=0",
        Some(&format!(r#"{{"element":{element},"x":12,"y":160.5}}"#)),
    );
    assert_eq!(status, 200, "{answer}");
    let moved = box_of(&answer["layout"], "qr", "");
    assert_eq!([&moved["x"], &moved["y"]], [12.0, 160.5]);
    let after = std::fs::read_to_string(&toml).unwrap();
    let changed: Vec<(&str, &str)> = before
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(before.lines().count(), after.lines().count());
    assert_eq!(changed.len(), 2, "{changed:?}");
    assert!(
        changed.iter().all(|(a, b)| a.starts_with(&b[..4])),
        "{changed:?}"
    );
    assert!(after.contains("x = 12\ny = 160.5\n"), "{after}");
    let template = piagam::template::Template::load(&folder.join("templates/piagam")).unwrap();
    assert_eq!(template.qr_element(), Some(element as usize));

    // A change the engine refuses is told on its box, and the file stays.
    let refused_on = |element: u64, change: String, code: &str, said: &str| {
        let (status, refused) = studio.api("PUT", "/api/layout?document=0", Some(&change));
        assert_eq!(status, 422, "{refused}");
        assert_eq!(refused["errors"][0]["element"], element);
        assert_eq!(refused["errors"][0]["code"], code);
        let detail = refused["errors"][0]["detail"].as_str().unwrap();
        assert!(detail.contains(said), "{refused}");
        assert_eq!(std::fs::read_to_string(&toml).unwrap(), after);
    };
    // Off the page, the seal would be cut.
    refused_on(
        element,
        format!(r#"{{"element":{element},"x":12,"y":190}}"#),
        "refused",
        "the QR code spans 12–54 × 190–232 mm, beyond the 297×210 mm page",
    );
    // A field the seal does not sign.
    let serial = box_of(&answer["layout"], "text", "{{serial}}");
    let serial_element = serial["element"].as_u64().unwrap();
    refused_on(
        serial_element,
        format!(
            r#"{{"element":{serial_element},"words":{{"id":"Dicetak {{{{today}}}}","en":"x"}}}}"#
        ),
        "refused",
        "'today' is not a field the seal signs",
    );

    // A name box too narrow for the rows, then a QR code too small to
    // scan: each told on its own box, with the row; each undone.
    let name = box_of(&answer["layout"], "text", "{{recipient}}");
    let name_element = name["element"].as_u64().unwrap();
    let problems_after = |change: String, undo: String| {
        let (status, answer) = studio.api("PUT", "/api/layout?document=0", Some(&change));
        assert_eq!(status, 200, "{answer}");
        let (_, problems) = studio.api("GET", "/api/layout/problems?document=0", None);
        let (status, _) = studio.api("PUT", "/api/layout?document=0", Some(&undo));
        assert_eq!(status, 200);
        problems["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["element"].as_u64().unwrap(),
                    p["code"].as_str().unwrap().to_owned(),
                    p["row"].as_u64().unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    let narrow = problems_after(
        format!(r#"{{"element":{name_element},"w":15,"min_size":20}}"#),
        format!(
            r#"{{"element":{name_element},"w":{},"min_size":{}}}"#,
            name["w"], name["min_size"]
        ),
    );
    let fit = |row| (name_element, "does-not-fit".to_owned(), row);
    assert_eq!(narrow, [fit(2), fit(3), fit(4)]);
    let small = problems_after(
        format!(r#"{{"element":{element},"w":9}}"#),
        format!(
            r#"{{"element":{element},"w":{},"x":{},"y":{}}}"#,
            qr["w"], qr["x"], qr["y"]
        ),
    );
    let scan = |row| (element, "small-qr".to_owned(), row);
    assert_eq!(small, [scan(2), scan(3), scan(4)]);
    assert_eq!(std::fs::read_to_string(&toml).unwrap(), before);
    // No document there: said so.
    let (status, answer) = studio.api("GET", "/api/layout?document=5", None);
    assert_eq!(status, 422);
    assert_eq!(answer["errors"][0]["code"], "no-document");
}

/// The winners' names: Pemerintah Kabupaten Contoh 1, 2, …
fn names(rows: usize) -> Vec<String> {
    (1..=rows)
        .map(|i| format!("Pemerintah Kabupaten Contoh {i}"))
        .collect()
}

/// A workbook as an office keeps one: a title block above the headers, a
/// counter column, and a winner per name.
fn workbook(path: &Path, title: bool, name_header: &str, names: &[String]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let mut at = 0;
    if title {
        sheet.write(0, 0, "ANUGERAH LAYANAN DIGITAL 2026").unwrap();
        sheet
            .write(1, 0, "Daftar pemenang, ditetapkan 10 November 2026")
            .unwrap();
        at = 3;
    }
    for (c, header) in ["No", name_header, "Prestasi", "Kategori"]
        .iter()
        .enumerate()
    {
        sheet.write(at, c as u16, *header).unwrap();
    }
    for (i, name) in names.iter().enumerate() {
        let row = at + 1 + i as u32;
        sheet.write(row, 0, (i + 1) as f64).unwrap();
        sheet.write(row, 1, name).unwrap();
        sheet
            .write(row, 2, ["Juara I", "Juara II", "Juara III"][i % 3])
            .unwrap();
        sheet.write(row, 3, ["Kabupaten", "Kota"][i % 2]).unwrap();
    }
    book.save(path).unwrap();
}

#[test]
fn an_organizer_runs_an_event_from_an_empty_folder_to_a_verified_document_in_chromium() {
    assert!(
        repo().join("node_modules/playwright-core").is_dir(),
        "playwright-core is not installed: run `npm ci` in {} (bash .ci/run does)",
        repo().display()
    );
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("acara");
    let winners = tmp.path().join("Pemenang ALD 2026.xlsx");
    workbook(&winners, true, "Nama Instansi Penerima", &names(5));
    // The second name mistyped at first, corrected after issuing.
    let mut corrected = names(5);
    corrected[1] = "Pemerintah Kabupaten Kontoh 2".into();
    let corrected_xlsx = tmp.path().join("Pemenang ALD 2026 (dibetulkan).xlsx");
    workbook(&corrected_xlsx, true, "Nama Instansi Penerima", &corrected);
    let thousand = tmp.path().join("seribu.xlsx");
    workbook(&thousand, false, "Nama Penerima", &names(1000));
    // The designer's background for the (portrait) sertifikat, and a
    // signature.
    let background = tmp.path().join("latar sertifikat.pdf");
    let portrait = Design {
        media: [0.0, 0.0, A4_LANDSCAPE.1, A4_LANDSCAPE.0],
        ..Design::a4()
    };
    std::fs::write(&background, background_pdf(&portrait)).unwrap();
    let signature = tmp.path().join("ttd.png");
    image::RgbaImage::from_fn(300, 120, |x, y| {
        let ink = (y as i32 - 60 - ((x as f32 / 12.0).sin() * 30.0) as i32).abs() < 4;
        image::Rgba(if ink {
            [20, 40, 120, 255]
        } else {
            [0, 0, 0, 0]
        })
    })
    .save(&signature)
    .unwrap();
    let shots = repo().join("target/studio-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let studio = start(&folder);
    let out = Command::new("node")
        .arg(repo().join("tests/browser/studio_journey.js"))
        .args([
            &studio.url,
            s(&folder),
            s(&winners),
            s(&corrected_xlsx),
            s(&thousand),
            s(&background),
            s(&signature),
            s(&shots),
        ])
        .output()
        .unwrap_or_else(|e| panic!("node is not installed ({e}): run bash .ci/run"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = |key: &str| shown[key].as_str().unwrap_or_default().to_owned();
    assert_eq!(shown["errors"], serde_json::json!([]), "{shown}");
    eprintln!(
        "first paint {} ms; a drag until the preview shows it {} ms; 1,000 rows uploaded, mapped and validated {} ms",
        shown["firstPaintMs"], shown["dragToPreviewMs"], shown["thousandRowsMs"]
    );

    // The roster: the headers found below the title block, the renamed
    // column chosen, every row valid.
    assert_eq!(text("headerRow"), "4", "{shown}");
    // Before the renamed column is chosen, the page says so in Indonesian.
    assert_eq!(
        shown["problemsBefore"],
        serde_json::json!([
            "Baris 4, kolom —: Tidak ada kolom untuk Nama penerima (judul kolomnya: No, Nama Instansi Penerima, Prestasi, Kategori). Pilih kolomnya pada daftar pilihan di atas tabel, atau periksa baris judul kolom."
        ]),
        "{shown}"
    );
    assert!(text("rosterSummary").starts_with("5 baris"), "{shown}");
    assert!(text("thousandSummary").starts_with("1000 baris"), "{shown}");

    // The signature uploaded on the event screen is what both designs print.
    for design in ["piagam", "sertifikat"] {
        let toml =
            std::fs::read_to_string(folder.join("templates").join(design).join("template.toml"))
                .unwrap();
        assert!(
            toml.contains("signature = \"../assets/tanda-tangan.png\""),
            "{toml}"
        );
    }
    assert_eq!(
        std::fs::read(folder.join("templates/assets/tanda-tangan.png")).unwrap(),
        std::fs::read(&signature).unwrap()
    );
    // The designer's PDF became the sertifikat's background, as given.
    assert!(
        text("sertifikatToml").contains("src = \"latar.pdf\""),
        "{shown}"
    );
    assert_eq!(
        std::fs::read(folder.join("templates/sertifikat/latar.pdf")).unwrap(),
        std::fs::read(&background).unwrap()
    );

    // The QR code moved to the bottom left, and only its place changed.
    // The QR element's place and size, read from the file's text.
    let qr_at = |toml: &str| {
        let block = toml
            .split("[[element]]")
            .find(|b| b.contains("type = \"qr\""))
            .unwrap()
            .to_owned();
        let number = |key: &str| -> f32 {
            block
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{key} = ")))
                .unwrap()
                .split('#')
                .next()
                .unwrap()
                .trim()
                .parse()
                .unwrap()
        };
        (number("x"), number("y"), number("size"))
    };
    let (x0, y0, size0) = qr_at(&text("tomlBefore"));
    let (x, y, size) = qr_at(&text("tomlAfterDrag"));
    assert_eq!(size, size0);
    assert!(x0 > 20.0, "the bundled piagam's QR code starts elsewhere");
    assert!(
        (x - 15.0).abs() <= 1.5 && (y + size - 195.0).abs() <= 1.5,
        "{x} {y} (was {x0} {y0})"
    );
    assert_eq!(x.fract(), 0.0, "snapped to the 1 mm grid: {x}");
    let changed = text("tomlBefore")
        .lines()
        .zip(text("tomlAfterDrag").lines())
        .filter(|(a, b)| a != b)
        .count();
    assert!(changed <= 2, "{shown}");
    assert!(shown["guideShown"].is_boolean());
    assert_eq!(text("tomlAfterUndo"), text("tomlBefore"));
    assert_eq!(text("tomlAfterRedo"), text("tomlAfterDrag"));
    assert_eq!(shown["formLanguages"], serde_json::json!(["id", "en"]));
    assert!(
        text("tomlAfterWords")
            .contains("text = { en = \"CERTIFICATE OF HONOUR\", id = \"PIAGAM PENGHARGAAN\" }"),
        "{}",
        text("tomlAfterWords")
    );
    // A name that does not fit shows on the name's box, with its row.
    let bad = shown["badBox"].as_array().unwrap();
    assert_eq!(bad.len(), 1, "{shown}");
    assert_eq!(bad[0][0], "text");
    assert!(
        bad[0][1]
            .as_str()
            .unwrap()
            .starts_with("Baris 5: teks tidak muat"),
        "{shown}"
    );
    assert_eq!(
        shown["layoutProblems"].as_array().unwrap().len(),
        5,
        "{shown}"
    );
    assert_eq!(shown["badAfterUndo"], 0, "{shown}");
    assert!(text("previewAlt").contains("baris 7"), "{shown}");
    assert_eq!(
        shown["stageAndPreview"][0], shown["stageAndPreview"][1],
        "the boxes and the page under them"
    );

    // Issued: a piagam and a sertifikat for each of the five winners.
    assert_eq!(text("issued"), "done", "{shown}");
    assert_eq!(text("zipType"), "application/zip", "{shown}");
    // Asked for, a share image beside each document, listed with the files.
    let files: Vec<&str> = shown["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(
        files.contains(&"001-piagam-pemerintah-kabupaten-contoh-1.png"),
        "{files:?}"
    );
    let share =
        image::open(folder.join("hasil/001-piagam-pemerintah-kabupaten-contoh-1.png")).unwrap();
    assert_eq!(share.width(), 1600);
    let archive = std::fs::File::open(text("zipPath")).unwrap();
    let mut archive = zip::ZipArchive::new(archive).unwrap();
    assert_eq!(archive.len(), 10);
    let first = tmp.path().join("dari-zip.pdf");
    {
        let mut entry = archive.by_index(0).unwrap();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        std::fs::write(&first, bytes).unwrap();
    }
    let jwks = folder.join("kunci/issuer.jwks.json");
    let verified = run_piagam(&["verify", "--trust", s(&jwks), s(&first)]);
    assert!(
        verified.status.success(),
        "{}{}",
        String::from_utf8_lossy(&verified.stdout),
        String::from_utf8_lossy(&verified.stderr)
    );
    // The verify screen said what piagam verify says.
    assert_eq!(text("verifyVerdict"), "valid", "{shown}");
    assert!(
        text("verifyText").contains("Pemerintah Kabupaten Contoh"),
        "{shown}"
    );

    // The corrected name was asked about, confirmed, and replaced both of
    // that winner's documents.
    let proposals = shown["proposals"].as_array().unwrap();
    assert_eq!(proposals.len(), 2, "{shown}");
    assert!(
        proposals.iter().all(|p| p
            .as_str()
            .unwrap()
            .contains("Pemerintah Kabupaten Kontoh 2")),
        "{shown}"
    );
    assert_eq!(text("afterCorrections"), "done", "{shown}");
    assert_eq!(shown["superseded"], 2, "{shown}");

    // Revoked, then published: the page reads DICABUT for it.
    let serial = text("revokedSerial");
    assert!(!serial.is_empty(), "{shown}");
    let pdfs: Vec<String> = document_pdfs(&folder.join("hasil"))
        .iter()
        .map(|f| folder.join("hasil").join(f).display().to_string())
        .collect();
    let mut args = vec!["verify", "--json", "--trust", s(&jwks)];
    args.extend(pdfs.iter().map(String::as_str));
    let reports = run_piagam(&args);
    let link = String::from_utf8_lossy(&reports.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|r| r["claims"]["serial"] == serial.as_str())
        .unwrap_or_else(|| {
            panic!(
                "no document {serial} in {pdfs:?}: {}{}",
                String::from_utf8_lossy(&reports.stdout),
                String::from_utf8_lossy(&reports.stderr)
            )
        })["qr_text"]
        .as_str()
        .unwrap()
        .to_owned();
    let fragment = link.split('#').nth(1).unwrap();
    let page = format!(
        "file://{}#{fragment}",
        folder.join("situs/index.html").display()
    );
    let dom = stdout_of(&chromium(&["--dump-dom"], &page));
    assert!(dom.contains("data-code=\"revoked\""), "{dom}");
    assert!(dom.contains("DICABUT"), "{dom}");

    // Screenshots of every screen for the README, at both sizes.
    assert_eq!(shown["shots"].as_array().unwrap().len(), 12);
    if std::env::var_os("PIAGAM_WRITE_SCREENSHOTS").is_some() {
        let docs = repo().join("docs/studio");
        std::fs::create_dir_all(&docs).unwrap();
        for shot in shown["shots"].as_array().unwrap() {
            let shot = Path::new(shot.as_str().unwrap());
            std::fs::copy(shot, docs.join(shot.file_name().unwrap())).unwrap();
        }
    }
}

#[test]
fn a_signature_or_stamp_is_checked_kept_and_printed_by_every_design() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("acara");
    let studio = start(&folder);
    ready_event(&folder, &studio, 1);
    let code = |path: &str, body: &[u8]| {
        let (status, answer) = studio.upload(path, body);
        (
            status,
            answer["errors"][0]["code"]
                .as_str()
                .unwrap_or("")
                .to_owned(),
        )
    };
    // Not an image, too large, or a mark the studio does not know: refused,
    // nothing kept.
    assert_eq!(
        code("/api/mark?kind=signature", b"GIF89a"),
        (422, "not-an-image".into())
    );
    let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
    big.resize(8 * 1024 * 1024 + 1, 0);
    assert_eq!(
        code("/api/mark?kind=stamp", &big),
        (422, "too-large".into())
    );
    assert_eq!(code("/api/mark?kind=paraf", b"x").0, 422);
    assert!(!folder.join("templates/assets/stempel.png").exists());
    // A PNG: kept as the studio names it, and the design prints it.
    let png = std::fs::read(repo().join("templates/assets/stamp-sample.png")).unwrap();
    assert_eq!(code("/api/mark?kind=stamp", &png).0, 200);
    assert_eq!(
        std::fs::read(folder.join("templates/assets/stempel.png")).unwrap(),
        png
    );
    let toml = std::fs::read_to_string(folder.join("templates/piagam/template.toml")).unwrap();
    assert!(toml.contains("stamp = \"../assets/stempel.png\""), "{toml}");
    let (_, head, body) = studio.raw("GET", "/api/mark?kind=stamp", None);
    assert!(head.contains("image/png"), "{head}");
    assert_eq!(body, png);
}
