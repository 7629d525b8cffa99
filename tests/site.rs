//! The verification page: its verifier under Node on every vector (both
//! Ed25519 paths), and the page itself in real headless Chromium, served
//! from a loopback HTTP server this test starts, and opened as a file.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

/// A static file server on 127.0.0.1 for one folder, until the test ends.
fn serve(dir: &Path) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let dir = dir.to_owned();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            // Skip the headers.
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() || line.trim().is_empty() {
                    break;
                }
            }
            let path = request.split_whitespace().nth(1).unwrap_or("/");
            let path = path
                .split('?')
                .next()
                .unwrap_or("/")
                .trim_start_matches('/');
            let file = dir.join(if path.is_empty() { "index.html" } else { path });
            let response = match std::fs::read(&file) {
                Ok(body) if !path.contains("..") => {
                    let kind = if path.ends_with(".html") || path.is_empty() {
                        "text/html; charset=utf-8"
                    } else {
                        "application/octet-stream"
                    };
                    let mut r = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    r.extend(body);
                    r
                }
                _ => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_vec(),
            };
            let _ = stream.write_all(&response);
        }
    });
    port
}

/// The page as Chromium leaves it once its script has run.
struct Shown {
    dom: String,
}

impl Shown {
    fn open(url: &str) -> Shown {
        let out = chromium(&["--dump-dom"], url);
        let dom = stdout_of(&out);
        assert!(
            dom.contains("<body"),
            "chromium showed nothing for {url}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Shown { dom }
    }

    fn body_attr(&self, name: &str) -> String {
        let body = self
            .dom
            .split("<body")
            .nth(1)
            .and_then(|b| b.split('>').next())
            .unwrap_or("");
        body.split(&format!("{name}=\""))
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or("")
            .to_owned()
    }

    fn verdict(&self) -> String {
        self.body_attr("data-verdict")
    }
}

struct Issued {
    _tmp: tempfile::TempDir,
    work: PathBuf,
    jwks: PathBuf,
    key: PathBuf,
    rows: Vec<ManifestRow>,
}

/// Two charters by a fresh issuer: an ordinary name, and one that is HTML.
fn issue() -> Issued {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().to_owned();
    std::fs::write(
        work.join("piagam.toml"),
        "verify_url = \"https://piagam.example/verifikasi\"\n[event]\nname = \"Anugerah Contoh 2024\"\ndate = \"2024-08-01\"\nplace = \"Jakarta\"\n",
    )
    .unwrap();
    std::fs::write(
        work.join("r.csv"),
        "nama,prestasi,kategori\nPemerintah Kota Semarang,Juara Pertama,Kota\n<img src=x onerror=alert(1)>,Juara Kedua,Kota\n",
    )
    .unwrap();
    let key = keygen(&work.join("kunci"), "Dinas Kominfo Contoh");
    let out = run_piagam(&[
        "generate",
        "--roster",
        s(&work.join("r.csv")),
        "--template",
        s(&repo().join("templates/piagam")),
        "--key",
        s(&key),
        "--out",
        s(&work.join("hasil")),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = read_manifest(&work.join("hasil"));
    Issued {
        jwks: work.join("kunci/issuer.jwks.json"),
        rows,
        key,
        work,
        _tmp: tmp,
    }
}

fn site(jwks: &Path, revocations: Option<&Path>, out: &Path) {
    let mut args = vec!["site", "--trust", s(jwks), "--out", s(out)];
    if let Some(list) = revocations {
        args.extend(["--revocations", s(list)]);
    }
    let run = run_piagam(&args);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

fn digits(qr_text: &str) -> &str {
    qr_text.rsplit('#').next().unwrap()
}

#[test]
fn the_page_in_chromium_verifies_refuses_and_shows_claims_as_text() {
    let issued = issue();
    let dir = issued.work.join("situs");
    site(&issued.jwks, None, &dir);
    let page = std::fs::read(dir.join("index.html")).unwrap();
    assert!(
        page.len() <= piagam::site::MAX_PAGE_BYTES,
        "{} bytes",
        page.len()
    );
    let port = serve(&dir);
    let at = |fragment: &str| format!("http://127.0.0.1:{port}/index.html#{fragment}");

    // A charter's own QR text: SAH, with its recipient.
    let good = digits(&issued.rows[0].qr_text);
    let shown = Shown::open(&at(good));
    assert_eq!(shown.verdict(), "valid", "{}", shown.dom);
    assert!(shown.dom.contains(">SAH<"));
    assert!(shown.dom.contains("Pemerintah Kota Semarang"));
    assert!(shown.dom.contains("Dinas Kominfo Contoh"));
    assert!(shown.dom.contains("1 Agustus 2024"));
    assert!(shown.dom.contains("Bandingkan data ini dengan kertas"));
    assert_eq!(shown.body_attr("data-webcrypto"), "true");
    // The verdict and a line a layperson reads come before any detail; with
    // no revocation list, that is said, in those words.
    let at_ = |needle: &str| shown.dom.find(needle).unwrap_or_else(|| panic!("{needle}"));
    assert!(at_("id=\"verdict-word\"") < at_("id=\"verdict-summary\""));
    assert!(at_("id=\"verdict-summary\"") < at_("id=\"claims\""));
    assert!(
        shown.dom.contains("Tanda tangan digital cocok dan penerbitnya dikenal; belum dapat dipastikan apakah dokumen ini pernah dicabut, karena penerbit belum memasang daftar pencabutan di halaman ini."),
        "{}",
        shown.dom
    );
    // LinkedIn's add-certification address, filled from the seal.
    let href = shown
        .dom
        .split("id=\"linkedin\"")
        .nth(1)
        .and_then(|rest| rest.split("href=\"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .replace("&amp;", "&");
    let (base, query) = href.split_once('?').unwrap();
    assert_eq!(base, "https://www.linkedin.com/profile/add");
    let params: std::collections::BTreeMap<String, String> = query
        .split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap();
            (k.to_owned(), percent_decode(v))
        })
        .collect();
    let claims = &issued.rows[0];
    assert_eq!(params["startTask"], "CERTIFICATION_NAME");
    assert_eq!(params["organizationName"], "Dinas Kominfo Contoh");
    assert_eq!(params["issueYear"], "2024");
    assert_eq!(params["issueMonth"], "8");
    assert_eq!(params["certId"], claims.serial);
    assert!(params["name"].starts_with("Juara"), "{params:?}");
    assert_eq!(params["certUrl"], at(good));
    let ms: u64 = shown.body_attr("data-ms").parse().unwrap();
    eprintln!("verdict shown {ms} ms after the page was opened");
    assert!(ms > 0);

    // One digit changed: TIDAK SAH, and no claim is shown.
    let mut changed = good.to_owned().into_bytes();
    let i = changed.len() - 30;
    changed[i] = if changed[i] == b'7' { b'8' } else { b'7' };
    let shown = Shown::open(&at(std::str::from_utf8(&changed).unwrap()));
    assert_eq!(shown.verdict(), "invalid");
    assert!(shown.dom.contains(">TIDAK SAH<"));
    assert!(shown.dom.contains("Jangan mengandalkan dokumen ini."));
    assert!(!shown.dom.contains("Pemerintah Kota Semarang"));
    // Nothing to add to a profile from a forgery.
    assert!(
        shown
            .dom
            .contains("id=\"linkedin\" target=\"_blank\" rel=\"noopener noreferrer\" hidden"),
        "{}",
        shown.dom
    );

    // A name that is HTML is shown as text; no element is made of it.
    let shown = Shown::open(&at(digits(&issued.rows[1].qr_text)));
    assert_eq!(shown.verdict(), "valid");
    assert!(
        shown.dom.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{}",
        shown.dom
    );
    assert!(
        !shown.dom.contains("<img"),
        "an element was made from a claim"
    );

    // Not a seal at all.
    let shown = Shown::open(&at("hello"));
    assert_eq!(shown.verdict(), "invalid");
    assert_eq!(shown.body_attr("data-code"), "not-digits");
    assert!(shown.dom.contains("Ini bukan segel piagam."));

    // No fragment: the page offers to check a pasted text.
    let shown = Shown::open(&format!("http://127.0.0.1:{port}/index.html"));
    assert_eq!(shown.verdict(), "none");
    assert!(shown.dom.contains("Periksa piagam atau sertifikat"));
}

/// A reader who opens one seal's link and then another in the same tab:
/// a broken %-escape in the new address is refused by name, and the first
/// seal's SAH and claims never stay on screen.
#[test]
fn a_changed_address_never_leaves_the_previous_verdict_on_screen() {
    let issued = issue();
    let dir = issued.work.join("situs");
    site(&issued.jwks, None, &dir);
    let port = serve(&dir);
    let good = digits(&issued.rows[0].qr_text);
    let url = format!("http://127.0.0.1:{port}/index.html#{good}");
    assert!(
        repo().join("node_modules/playwright-core").is_dir(),
        "playwright-core is not installed: run `npm ci` in {} (bash .ci/run does)",
        repo().display()
    );
    let out = Command::new("node")
        .arg(repo().join("tests/browser/change_address.js"))
        .arg(&url)
        .arg("%E0%A4%A")
        .output()
        .unwrap_or_else(|e| panic!("node is not installed ({e}): run bash .ci/run"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["before"]["verdict"], "valid", "{shown}");
    assert_eq!(shown["after"]["verdict"], "invalid", "{shown}");
    assert_eq!(shown["after"]["code"], "not-digits", "{shown}");
    assert_eq!(shown["after"]["word"], "TIDAK SAH", "{shown}");
    assert_eq!(shown["after"]["claimsShown"], false, "{shown}");
    assert_eq!(shown["errors"], serde_json::json!([]), "{shown}");
}

#[test]
fn a_seal_from_another_issuer_shows_unknown_issuer() {
    let ours = issue();
    let theirs = issue();
    let dir = ours.work.join("situs");
    site(&ours.jwks, None, &dir);
    let port = serve(&dir);
    let shown = Shown::open(&format!(
        "http://127.0.0.1:{port}/index.html#{}",
        digits(&theirs.rows[0].qr_text)
    ));
    assert_eq!(shown.verdict(), "invalid");
    assert_eq!(shown.body_attr("data-code"), "unknown-kid");
    assert!(
        shown.dom.contains("Penerbit tidak dikenal"),
        "{}",
        shown.dom
    );
}

fn revoke(issued: &Issued, serial: &str) -> PathBuf {
    let list = issued.work.join("pencabutan.cose");
    let out = run_piagam(&[
        "revoke",
        "--key",
        s(&issued.key),
        "--list",
        s(&list),
        "--reason",
        "nama penerima salah cetak",
        "--date",
        "2024-09-02",
        "--no-register",
        serial,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    list
}

#[test]
fn a_document_replaced_by_a_corrected_one_says_by_which() {
    let issued = issue();
    // The name's spelling fixed in the roster and confirmed as a
    // correction: the register supersedes the old charter and writes the list.
    let roster = issued.work.join("r.csv");
    let text = std::fs::read_to_string(&roster).unwrap();
    std::fs::write(&roster, text.replace("Kota Semarang", "Kota Semarangg")).unwrap();
    let out = run_piagam(&[
        "generate",
        "--accept-corrections",
        "--roster",
        s(&roster),
        "--template",
        s(&repo().join("templates/piagam")),
        "--key",
        s(&issued.key),
        "--out",
        s(&issued.work.join("hasil")),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let new_serial = read_manifest(&issued.work.join("hasil"))[0].serial.clone();
    assert_ne!(new_serial, issued.rows[0].serial);
    let dir = issued.work.join("situs");
    site(
        &issued.jwks,
        Some(&issued.work.join("piagam-revocations.cose")),
        &dir,
    );
    let port = serve(&dir);
    let old = digits(&issued.rows[0].qr_text);
    let shown = Shown::open(&format!("http://127.0.0.1:{port}/index.html#{old}"));
    // Replaced: its own word and colour, neither valid nor a forgery.
    assert_eq!(shown.verdict(), "replaced", "{}", shown.dom);
    assert!(shown.dom.contains(">DIGANTI<"), "{}", shown.dom);
    assert_eq!(shown.body_attr("data-code"), "revoked");
    assert!(
        shown
            .dom
            .contains(&format!("dengan dokumen bernomor {new_serial}")),
        "{}",
        shown.dom
    );
    assert!(
        shown.dom.contains(&format!("DIGANTI dengan {new_serial}")),
        "{}",
        shown.dom
    );
    // The other charter was kept, and is valid.
    let other = digits(&issued.rows[1].qr_text);
    let shown = Shown::open(&format!("http://127.0.0.1:{port}/index.html#{other}"));
    assert_eq!(shown.verdict(), "valid", "{}", shown.dom);
}

#[test]
fn a_revoked_serial_shows_revoked_from_the_embedded_or_the_fetched_list() {
    let issued = issue();
    let list = revoke(&issued, &issued.rows[0].serial);
    let revoked = digits(&issued.rows[0].qr_text).to_owned();
    let check = |port: u16| {
        let shown = Shown::open(&format!("http://127.0.0.1:{port}/index.html#{revoked}"));
        // Revoked: DICABUT in its own colour, with the reason and date.
        assert_eq!(shown.verdict(), "revoked", "{}", shown.dom);
        assert!(shown.dom.contains(">DICABUT<"), "{}", shown.dom);
        assert!(
            shown.dom.contains("dicabut oleh penerbitnya."),
            "{}",
            shown.dom
        );
        assert_eq!(shown.body_attr("data-code"), "revoked");
        assert!(
            shown.dom.contains("nama penerima salah cetak"),
            "{}",
            shown.dom
        );
        assert!(shown.dom.contains("2 September 2024"));
        // The other charter is not revoked, and the list's date is shown.
        let other = Shown::open(&format!(
            "http://127.0.0.1:{port}/index.html#{}",
            digits(&issued.rows[1].qr_text)
        ));
        assert_eq!(other.verdict(), "valid");
        // With a list, the summary says what it found, and never that
        // revocation was not checked.
        assert!(
            other
                .dom
                .contains("tidak dicabut menurut daftar pencabutan per 2 September 2024."),
            "{}",
            other.dom
        );
        assert!(
            !text_of(&other.dom, "verdict-summary", "</p>").contains("belum dapat dipastikan")
                && !text_of(&other.dom, "check-list", "</ul>").contains("belum dapat dipastikan"),
            "{}",
            other.dom
        );
        assert!(
            other.dom.contains("daftar pencabutan per 2 September 2024"),
            "{}",
            other.dom
        );
    };
    // Embedded in the page.
    let embedded = issued.work.join("situs-a");
    site(&issued.jwks, Some(&list), &embedded);
    assert!(embedded.join("revocations").is_file());
    check(serve(&embedded));
    // Only in the `revocations` file beside a page built without it.
    let fetched = issued.work.join("situs-b");
    site(&issued.jwks, None, &fetched);
    std::fs::copy(&list, fetched.join("revocations")).unwrap();
    check(serve(&fetched));
}

#[test]
fn the_page_opened_from_disk_verifies_too_and_its_screenshots_are_made() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = tmp.path().join("demo");
    let out = run_piagam(&["demo", "--out", s(&demo)]);
    assert!(out.status.success());
    // The demo prints a file:// link that opens as SAH.
    let stderr = String::from_utf8_lossy(&out.stderr);
    let link = stderr
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("file://"))
        .expect("demo prints a file:// link")
        .to_owned();
    let shown = Shown::open(&link);
    assert_eq!(shown.verdict(), "valid", "{}", shown.dom);
    assert!(shown.dom.contains("Pemerintah Provinsi Jawa Barat"));

    // Phone-sized screenshots for the README, as a reader sees them.
    let shots = repo().join("target/site-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let mut tampered = link.clone().into_bytes();
    let i = tampered.len() - 40;
    tampered[i] = if tampered[i] == b'1' { b'2' } else { b'1' };
    let tampered = String::from_utf8(tampered).unwrap();
    // And one revoked: the demo's second charter, its page published again
    // with the revocation list.
    let key = tmp.path().join("demo.key.pem");
    std::fs::copy(repo().join("assets/demo/DEMO-ONLY-issuer.key.pem"), &key).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let second = read_manifest(&demo)[1].clone();
    let revoked = run_piagam(&[
        "revoke",
        "--register",
        s(&demo.join("piagam-register.sqlite")),
        "--key",
        s(&key),
        "--jwks",
        s(&demo.join("issuer.jwks.json")),
        "--reason",
        "Nama instansi salah cetak",
        &second.serial,
    ]);
    assert!(
        revoked.status.success(),
        "{}",
        String::from_utf8_lossy(&revoked.stderr)
    );
    site(
        &demo.join("issuer.jwks.json"),
        Some(&demo.join("piagam-revocations.cose")),
        &demo.join("site"),
    );
    let revoked_link = format!(
        "file://{}#{}",
        demo.join("site/index.html").display(),
        digits(&second.qr_text)
    );
    let shown = Shown::open(&revoked_link);
    assert_eq!(shown.verdict(), "revoked", "{}", shown.dom);
    for (name, url) in [
        ("valid.png", link.as_str()),
        ("invalid.png", tampered.as_str()),
        ("revoked.png", revoked_link.as_str()),
    ] {
        let path = shots.join(name);
        let out = chromium(
            &[
                "--window-size=390,844",
                &format!("--screenshot={}", path.display()),
            ],
            url,
        );
        assert!(path.is_file(), "{}", String::from_utf8_lossy(&out.stderr));
        if std::env::var_os("PIAGAM_WRITE_SCREENSHOTS").is_some() {
            std::fs::create_dir_all(repo().join("docs/site")).unwrap();
            std::fs::copy(&path, repo().join("docs/site").join(name)).unwrap();
        }
    }
}

/// Every `*.json` vector in `dir`, as `{name, doc}`.
fn vectors_in(dir: &Path) -> Vec<serde_json::Value> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| {
            let doc: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            serde_json::json!({ "name": path.file_name().unwrap().to_string_lossy(), "doc": doc })
        })
        .collect()
}

/// Runs `run_one` (the body of an async function of `doc` returning a
/// result) on every vector in a harness page that loads the page's own
/// scripts, in Chromium over loopback. Returns whether WebCrypto has
/// Ed25519 there, and each `{name, result}`.
fn in_chromium(vectors: &[serde_json::Value], run_one: &str) -> (bool, Vec<serde_json::Value>) {
    let tmp = tempfile::tempdir().unwrap();
    // The verifier as the seal crate gives it, file by file, in its order.
    let mut tags = String::new();
    for (name, source) in piagam_seal::JS_VERIFIER {
        std::fs::write(tmp.path().join(name), source).unwrap();
        tags.push_str(&format!("<script src=\"{name}\"></script>"));
    }
    let harness = format!(
        r#"<!doctype html><meta charset="utf-8"><body>
{tags}
<script type="application/json" id="vectors">{}</script>
<script>
const hexBytes = (h) => Uint8Array.from((h.match(/../g) || []).map((b) => parseInt(b, 16)));
async function runOne(doc) {{ {run_one} }}
(async () => {{
  const results = [];
  for (const {{ name, doc }} of JSON.parse(document.getElementById("vectors").textContent)) {{
    let result;
    try {{
      result = await runOne(doc);
    }} catch (e) {{
      result = {{ error: String(e) }};
    }}
    results.push({{ name, result }});
  }}
  const out = document.createElement("pre");
  out.id = "results";
  out.textContent = JSON.stringify({{ webcrypto: await PiagamVerify.webCryptoHasEd25519(), results }});
  document.body.append(out);
}})();
</script>"#,
        serde_json::Value::Array(vectors.to_vec())
            .to_string()
            .replace('<', "\\u003c")
    );
    std::fs::write(tmp.path().join("harness.html"), harness).unwrap();
    let port = serve(tmp.path());
    let shown = Shown::open(&format!("http://127.0.0.1:{port}/harness.html"));
    let json = shown
        .dom
        .split("<pre id=\"results\">")
        .nth(1)
        .and_then(|r| r.split("</pre>").next())
        .unwrap_or_else(|| panic!("no results: {}", shown.dom))
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let got: serde_json::Value = serde_json::from_str(&json).unwrap();
    let results = got["results"].as_array().unwrap().clone();
    assert_eq!(results.len(), vectors.len());
    (got["webcrypto"] == true, results)
}

#[test]
fn the_page_verifier_agrees_on_every_vector_in_chromium() {
    let vectors = vectors_in(&repo().join("crates/piagam-seal/vectors"));
    let (webcrypto, results) = in_chromium(
        &vectors,
        r#"
      let trust;
      try {
        trust = PiagamVerify.loadTrust(doc.jwks);
        const revocations = doc.revocations_hex
          ? await PiagamVerify.openRevocations(hexBytes(doc.revocations_hex), trust, { useWebCrypto: true })
          : null;
        const r = await PiagamVerify.verifyText(doc.qr_text, trust, { today: doc.today, revocations, useWebCrypto: true });
        return { valid: r.valid, code: r.code, claims: r.valid ? PiagamVerify.claimsToJson(r.claims) : null };
      } catch (e) {
        if (e instanceof PiagamVerify.Refused) return { valid: false, code: e.code, claims: null };
        throw e;
      }"#,
    );
    assert!(webcrypto, "Chromium's WebCrypto has Ed25519");
    for (r, v) in results.iter().zip(&vectors) {
        let expected = &v["doc"]["expected"];
        let name = &r["name"];
        assert_eq!(
            r["result"]["valid"], expected["valid"],
            "{name}: {}",
            r["result"]
        );
        assert_eq!(
            r["result"]["code"], expected["code"],
            "{name}: {}",
            r["result"]
        );
        assert_eq!(r["result"]["claims"], expected["claims"], "{name}");
    }
}

/// Runs tests/browser/check_pdf_on_page.js on `cases` and returns what the
/// page showed for each.
fn pages_given_pdfs(cases: &serde_json::Value) -> Vec<serde_json::Value> {
    assert!(
        repo().join("node_modules/playwright-core").is_dir(),
        "playwright-core is not installed: run `npm ci` in {} (bash .ci/run does)",
        repo().display()
    );
    let tmp = tempfile::tempdir().unwrap();
    let spec = tmp.path().join("cases.json");
    std::fs::write(&spec, cases.to_string()).unwrap();
    let out = Command::new("node")
        .arg(repo().join("tests/browser/check_pdf_on_page.js"))
        .arg(&spec)
        .output()
        .unwrap_or_else(|e| panic!("node is not installed ({e}): run bash .ci/run"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_pdf_given_to_the_page_is_judged_by_the_list_of_issued_files() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = tmp.path().join("demo");
    assert!(run_piagam(&["demo", "--out", s(&demo)]).status.success());
    let rows = read_manifest(&demo);
    let site = demo.join("site");
    assert!(site.join("issued").is_file(), "the demo publishes its list");
    let genuine = demo.join(&rows[3].file);
    // The same charter saved again by another program, and one whose link
    // was taken off.
    let resaved = tmp.path().join("disimpan-ulang.pdf");
    let mut doc = lopdf::Document::load(&genuine).unwrap();
    doc.compress();
    doc.save(&resaved).unwrap();
    let no_link = tmp.path().join("tanpa-tautan.pdf");
    let mut doc = lopdf::Document::load(&genuine).unwrap();
    let page = *doc.get_pages().values().next().unwrap();
    doc.get_dictionary_mut(page).unwrap().remove(b"Annots");
    doc.prune_objects();
    doc.save(&no_link).unwrap();

    let port = serve(&site);
    let http = format!("http://127.0.0.1:{port}/index.html");
    let disk = format!("file://{}", site.join("index.html").display());
    let case = |url: &str, pdf: &Path, how: &str| serde_json::json!({ "url": url, "pdf": pdf, "how": how });
    let shown = pages_given_pdfs(&serde_json::json!([
        case(&http, &genuine, "input"),
        case(&http, &genuine, "drop"),
        case(&http, &resaved, "input"),
        case(&http, &no_link, "input"),
        case(&disk, &genuine, "input"),
    ]));
    let recipient = rows[3].recipient.as_str();
    for exact in &shown[..2] {
        assert_eq!(exact["verdict"], "valid", "{exact}");
        assert_eq!(exact["file"], "issued", "{exact}");
        assert_eq!(exact["word"], "SAH", "{exact}");
        assert!(
            exact["reason"]
                .as_str()
                .unwrap()
                .starts_with("Berkas ini persis berkas yang diterbitkan oleh CONTOH / DEMO"),
            "{exact}"
        );
        assert_eq!(exact["recipient"], recipient);
    }
    let changed = &shown[2];
    assert_eq!(changed["verdict"], "invalid", "{changed}");
    assert_eq!(changed["code"], "file-not-as-issued", "{changed}");
    assert_eq!(changed["word"], "TIDAK SAH");
    // The signed details stay in view, to compare with the file.
    assert_eq!(changed["recipient"], recipient);
    let unlinked = &shown[3];
    assert_eq!(unlinked["verdict"], "none", "{unlinked}");
    assert!(
        unlinked["note"]
            .as_str()
            .unwrap()
            .contains("Pindai kode QR pada kertasnya"),
        "{unlinked}"
    );
    // From disk there is no list to fetch: the seal is valid, the file is
    // not checked, and the page says to compare.
    let from_disk = &shown[4];
    assert_eq!(from_disk["verdict"], "compare", "{from_disk}");
    assert_eq!(from_disk["file"], "not-checked");
    assert_eq!(from_disk["word"], "SEGEL SAH");
}

#[test]
fn the_page_reads_every_issued_list_vector_alike_in_chromium() {
    let vectors = vectors_in(&repo().join("crates/piagam-seal/vectors/issued"));
    assert!(vectors.len() >= 14);
    let (_, results) = in_chromium(
        &vectors,
        r#"
      const trust = PiagamVerify.loadTrust(doc.jwks);
      let list;
      try {
        list = await PiagamVerify.openIssued(hexBytes(doc.list_hex), trust, { useWebCrypto: true });
      } catch (e) {
        if (e instanceof PiagamVerify.Refused) return { list: e.code, file: "not-checked", issued_on: null };
        throw e;
      }
      const digest = await PiagamVerify.digestFile(hexBytes(doc.file_hex));
      const judged = PiagamVerify.judgeFile(list, digest, doc.serials);
      return { list: null, file: judged.check, issued_on: judged.entry ? judged.entry.date : null };"#,
    );
    for (r, v) in results.iter().zip(&vectors) {
        assert_eq!(r["result"], v["doc"]["expected"], "{}", r["name"]);
    }
}

/// `%XX` escapes and `+` (a space, in a query) undone.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn an_issuers_logo_is_embedded_in_the_page_and_a_large_one_refused() {
    let issued = issue();
    let logo = issued.work.join("logo.png");
    image::RgbaImage::from_pixel(64, 64, image::Rgba([31, 58, 95, 255]))
        .save(&logo)
        .unwrap();
    let dir = issued.work.join("situs-logo");
    let run = run_piagam(&[
        "site",
        "--trust",
        s(&issued.jwks),
        "--logo",
        s(&logo),
        "--out",
        s(&dir),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let page = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert!(page.contains("<img id=\"logo\" alt=\"\" src=\"data:image/png;base64,"));
    // Shown by Chromium under the page's own policy: the logo has a size.
    let shown = Shown::open(&format!("file://{}", dir.join("index.html").display()));
    assert!(shown.dom.contains("id=\"logo\""), "{}", shown.dom);
    // Too large, or not an image: refused by name, and nothing written.
    let big = issued.work.join("besar.png");
    let mut bytes = std::fs::read(&logo).unwrap();
    bytes.resize(17 * 1024, 0);
    std::fs::write(&big, &bytes).unwrap();
    let other = issued.work.join("situs-besar");
    let run = run_piagam(&[
        "site",
        "--trust",
        s(&issued.jwks),
        "--logo",
        s(&big),
        "--out",
        s(&other),
    ]);
    assert_eq!(run.status.code(), Some(2));
    let said = String::from_utf8_lossy(&run.stderr);
    assert!(
        said.contains("besar.png") && said.contains("17408 bytes"),
        "{said}"
    );
    assert!(!other.exists());
    let run = run_piagam(&[
        "site",
        "--trust",
        s(&issued.jwks),
        "--logo",
        s(&issued.jwks),
        "--out",
        s(&other),
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("not a PNG, JPEG or WebP"));
}

/// The markup inside the element with `id` as Chromium left it, up to
/// `end` (its closing tag): enough to search.
fn text_of(dom: &str, id: &str, end: &str) -> String {
    dom.split(&format!("id=\"{id}\""))
        .nth(1)
        .and_then(|rest| rest.split(end).next())
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn a_labelled_field_reads_on_the_page_as_printed_with_its_raw_value() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path();
    // The bundled charter with a rank line, labelled by the template.
    let dir = work.join("templates/piagam-peringkat");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::create_dir_all(work.join("templates/assets")).unwrap();
    for entry in std::fs::read_dir(repo().join("templates/assets")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(
            entry.path(),
            work.join("templates/assets").join(entry.file_name()),
        )
        .unwrap();
    }
    let mut toml = std::fs::read_to_string(repo().join("templates/piagam/template.toml")).unwrap();
    toml.push_str("\n[[element]]\ntype = \"text\"\ntext = { id = \"Peringkat {{extra.peringkat | ordinal}}\", en = \"Rank: {{extra.peringkat | ordinal}}\" }\nx = 30\ny = 46\nw = 237\nh = 6\nsize = 10\n\n[labels]\nperingkat = { id = \"Peringkat\", en = \"Rank\" }\n");
    std::fs::write(dir.join("template.toml"), toml).unwrap();
    std::fs::write(
        work.join("piagam.toml"),
        "verify_url = \"https://piagam.example/verifikasi\"\n[event]\nname = \"Anugerah Contoh 2024\"\ndate = \"2024-08-01\"\n",
    )
    .unwrap();
    std::fs::write(
        work.join("r.csv"),
        "nama,prestasi,peringkat\nKota Semarang,Juara,2\n",
    )
    .unwrap();
    let key = keygen(&work.join("kunci"), "Dinas Kominfo Contoh");
    let out = run_piagam(&[
        "generate",
        "--roster",
        s(&work.join("r.csv")),
        "--template",
        s(&dir),
        "--key",
        s(&key),
        "--out",
        s(&work.join("hasil")),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let row = read_manifest(&work.join("hasil")).remove(0);
    let situs = work.join("situs");
    site(&work.join("kunci/issuer.jwks.json"), None, &situs);
    let shown = Shown::open(&format!(
        "file://{}#{}",
        situs.join("index.html").display(),
        digits(&row.qr_text)
    ));
    assert_eq!(shown.verdict(), "valid", "{}", shown.dom);
    // Under the template's label, as printed, with the raw value beside it.
    let claims = text_of(&shown.dom, "claims", "</dl>");
    assert!(
        claims.contains("<dt>Peringkat</dt><dd>Kedua (2)</dd>"),
        "{claims}"
    );
}
