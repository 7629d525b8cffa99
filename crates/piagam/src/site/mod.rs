//! `piagam site`: the static verification page an organizer publishes at
//! the address in `verify_url`.
//!
//! One self-contained `index.html`: the issuer's JWKS and (optionally) its
//! signed revocation list are embedded, the JS and CSS are inline, and a
//! Content-Security-Policy allows nothing else but fetching a fresher
//! `revocations` file from the page's own folder. The JS sources live beside
//! this file and are tested under Node and in Chromium (crates/piagam-seal/js/test, tests/site.rs).

use std::path::{Path, PathBuf};

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::fsio::{self, WriteError};
use crate::seal::Jwks;

const PAGE: &str = include_str!("page.html");
const STYLE: &str = include_str!("style.css");
/// The page's own scripts, after the seal crate's verifier: each file
/// defines one namespace the next ones use.
const PAGE_SCRIPTS: [&str; 2] = [include_str!("pdffile.js"), include_str!("app.js")];

/// The page must stay small enough to load at once on a slow phone link
/// (served compressed, about a third of this); an issuer's logo comes on
/// top (see [`MAX_LOGO_BYTES`]).
pub const MAX_PAGE_BYTES: usize = 80 * 1024;
/// The file the page fetches from its own folder for fresher revocations.
pub const REVOCATIONS_FILE: &str = "revocations";
/// The issued-files list's name beside the page.
pub const ISSUED_FILE: &str = "issued";

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SiteError {
    #[error("the page would be {0} bytes, more than the {MAX_PAGE_BYTES} allowed; the JWKS or revocation list is too large")]
    TooLarge(usize),
    #[error("the logo {0}")]
    Logo(String),
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// Text safe inside a `<script type="application/json">` element: JSON
/// with `<` escaped, so no value can close the element.
fn script_json(value: &serde_json::Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

fn csp_hash(source: &str) -> String {
    let digest = Sha256::digest(source.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// Text as HTML element content.
fn html_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Fills each `{{NAME}}` of `template` in one pass. What is put in is
/// never read again, so an issuer named `Dinas {{STYLE}}` is that text,
/// not the style sheet. An unknown name is left as it stands.
fn fill<'a>(template: &str, value: impl Fn(&str) -> Option<&'a str>) -> String {
    let mut out = String::with_capacity(template.len() * 2);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after
            .find("}}")
            .and_then(|end| value(&after[..end]).map(|v| (end, v)))
        {
            Some((end, v)) => {
                out.push_str(v);
                rest = &after[end + 2..];
            }
            None => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Each field's label in each language, as the text report gives them.
fn field_labels() -> serde_json::Value {
    use crate::locale::Language;
    use crate::print_field::PrintField;
    let labels = |lang: Language| -> serde_json::Map<String, serde_json::Value> {
        PrintField::KNOWN
            .iter()
            .map(|f| (f.to_string(), f.label(lang).into()))
            .collect()
    };
    serde_json::json!({ "id": labels(Language::Id), "en": labels(Language::En) })
}

/// The most a logo may weigh: it is embedded in the page every phone loads.
pub const MAX_LOGO_BYTES: usize = 16 * 1024;

/// The issuer's logo for the page's header: a small PNG, JPEG or WebP,
/// embedded in the page.
#[derive(Debug, Clone)]
pub struct Logo {
    mime: &'static str,
    bytes: Vec<u8>,
}

impl Logo {
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Logo, SiteError> {
        if bytes.len() > MAX_LOGO_BYTES {
            return Err(SiteError::Logo(format!(
                "is {} bytes; at most {MAX_LOGO_BYTES} are embedded (export it smaller, e.g. 128 px high)",
                bytes.len()
            )));
        }
        let mime = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            "image/png"
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            "image/jpeg"
        } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            "image/webp"
        } else {
            return Err(SiteError::Logo("is not a PNG, JPEG or WebP image".into()));
        };
        Ok(Logo { mime, bytes })
    }

    /// The header's image, its source a data: address the page's policy
    /// allows.
    fn html(&self) -> String {
        format!(
            "<img id=\"logo\" alt=\"\" src=\"data:{};base64,{}\">",
            self.mime,
            base64::engine::general_purpose::STANDARD.encode(&self.bytes)
        )
    }
}

/// The page, for this issuer and revocation list, with the issuer's logo.
pub fn build_page(
    jwks: &Jwks,
    revocations: Option<&[u8]>,
    logo: Option<&Logo>,
) -> Result<String, SiteError> {
    let script: String = crate::seal::JS_VERIFIER
        .iter()
        .map(|(_, source)| *source)
        .chain(PAGE_SCRIPTS)
        .collect::<Vec<_>>()
        .join("\n");
    let jwks_json = serde_json::to_value(jwks).unwrap_or_default();
    let revocations_json = match revocations {
        Some(bytes) => {
            serde_json::Value::String(base64::engine::general_purpose::STANDARD.encode(bytes))
        }
        None => serde_json::Value::Null,
    };
    // Only the inline script and style with exactly these hashes may run;
    // the page may fetch only from its own origin, and load no images but
    // the photo the reader picks.
    let csp = format!(
        "default-src 'none'; script-src {}; style-src {}; img-src blob: data:; connect-src 'self'; base-uri 'none'; form-action 'none'",
        csp_hash(&script),
        csp_hash(STYLE)
    );
    let issuer = html_text(&jwks.issuer);
    let jwks_text = script_json(&jwks_json);
    let revocations_text = script_json(&revocations_json);
    let labels_text = script_json(&field_labels());
    let logo_html = logo.map(Logo::html).unwrap_or_default();
    let page = fill(PAGE, |name| match name {
        "LOGO" => Some(logo_html.as_str()),
        "CSP" => Some(csp.as_str()),
        "ISSUER" => Some(issuer.as_str()),
        "STYLE" => Some(STYLE),
        "JWKS" => Some(jwks_text.as_str()),
        "REVOCATIONS" => Some(revocations_text.as_str()),
        "LABELS" => Some(labels_text.as_str()),
        "SCRIPT" => Some(script.as_str()),
        _ => None,
    });
    let logo_room = logo.map_or(0, |l| l.html().len());
    if page.len() > MAX_PAGE_BYTES + logo_room {
        return Err(SiteError::TooLarge(page.len()));
    }
    Ok(page)
}

/// What `write_site` wrote.
#[derive(Debug, Clone)]
pub struct Site {
    pub files: Vec<PathBuf>,
    /// False when the revocation list was too long to embed in the page
    /// and is published only as `DIR/revocations`.
    pub revocations_embedded: bool,
}

/// Writes `DIR/index.html`, `DIR/revocations` when a revocation list is
/// given, and `DIR/issued` when a list of issued files is (the page
/// fetches it to check a PDF dropped onto it; it is too large to embed).
pub fn write_site(
    jwks: &Jwks,
    revocations: Option<&[u8]>,
    issued: Option<&[u8]>,
    logo: Option<&Logo>,
    out: &Path,
) -> Result<Site, SiteError> {
    // A long revocation list is published beside the page only: the page
    // fetches it from there, so only a page opened from disk goes without.
    let (page, embedded) = match build_page(jwks, revocations, logo) {
        Err(SiteError::TooLarge(_)) if revocations.is_some() => {
            (build_page(jwks, None, logo)?, false)
        }
        other => (other?, revocations.is_some()),
    };
    fsio::create_folder(out)?;
    let index = out.join("index.html");
    fsio::write_atomic(&index, page.as_bytes())?;
    let mut written = vec![index];
    if let Some(list) = revocations {
        let path = out.join(REVOCATIONS_FILE);
        fsio::write_atomic(&path, list)?;
        written.push(path);
    }
    if let Some(list) = issued {
        let path = out.join(ISSUED_FILE);
        fsio::write_atomic(&path, list)?;
        written.push(path);
    }
    Ok(Site {
        files: written,
        revocations_embedded: embedded,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwks(issuer: &str) -> Jwks {
        let key = crate::seal::IssuerKey::from_seed(&[7; 32]);
        Jwks {
            issuer: issuer.into(),
            verify_url: Some("https://v.example/cek".into()),
            keys: vec![crate::seal::Jwk::from_key(&key.verifying_key())],
        }
    }

    /// An issuer whose name holds the page's own placeholders gets them
    /// as text: substituted in one pass, nothing put in is read again.
    #[test]
    fn placeholders_in_the_issuers_name_stay_text() {
        let page = build_page(&jwks("Dinas {{STYLE}} {{SCRIPT}} {{ISSUER}}"), None, None).unwrap();
        let title = page
            .split("<title>")
            .nth(1)
            .and_then(|t| t.split("</title>").next())
            .unwrap();
        assert_eq!(
            title,
            "Verifikasi piagam — Dinas {{STYLE}} {{SCRIPT}} {{ISSUER}}"
        );
        assert_eq!(page.matches(STYLE).count(), 1, "the style sheet, once");
        assert_eq!(page.matches("<style>").count(), 1);
    }

    #[test]
    fn fill_leaves_unknown_and_unclosed_names_as_they_stand() {
        let value = |name: &str| (name == "A").then_some("x{{A}}");
        assert_eq!(fill("{{A}}-{{B}}-{{A", value), "x{{A}}-{{B}}-{{A");
        assert_eq!(fill("", value), "");
        assert_eq!(fill("{{{{A}}}}", value), "{{x{{A}}}}");
    }

    #[test]
    fn the_page_is_small_self_contained_and_escapes_the_issuer() {
        let page = build_page(
            &jwks("Dinas </script><script>alert(1)</script>"),
            None,
            None,
        )
        .unwrap();
        assert!(page.len() < MAX_PAGE_BYTES, "{} bytes", page.len());
        assert_eq!(
            page.matches("<script").count(),
            4,
            "three data blocks and one script"
        );
        assert!(!page.contains("</script><script>alert(1)"));
        assert!(page.contains("Dinas \\u003c/script>"));
        assert!(
            !page.contains("http://") && !page.contains("src=\""),
            "nothing loaded from elsewhere"
        );
        let csp = page
            .split("Content-Security-Policy\" content=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap();
        assert!(
            csp.starts_with("default-src 'none'; script-src 'sha256-"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe"), "{csp}");
    }

    #[test]
    fn a_revocation_list_too_long_to_embed_is_published_beside_the_page() {
        let key = crate::seal::IssuerKey::from_seed(&[7; 32]);
        let day: crate::date::Date = "2024-09-01".parse().unwrap();
        let mut list = crate::seal::RevocationList::new(day);
        for i in 0..2_000 {
            list.revoke(&format!("{i:05}/ADLGA/VIII/2024"), "ditarik kembali", day);
        }
        let bytes = list.sign(&key);
        assert!(matches!(
            build_page(&jwks("Dinas"), Some(&bytes), None),
            Err(SiteError::TooLarge(_))
        ));
        let out = tempfile::tempdir().unwrap();
        let site = write_site(&jwks("Dinas"), Some(&bytes), None, None, out.path()).unwrap();
        assert!(!site.revocations_embedded);
        let page = std::fs::read_to_string(out.path().join("index.html")).unwrap();
        assert!(page.len() <= MAX_PAGE_BYTES);
        assert!(page.contains(r#"id="embedded-revocations">null<"#));
        assert_eq!(
            std::fs::read(out.path().join(REVOCATIONS_FILE)).unwrap(),
            bytes
        );
        // A short list is embedded as before.
        let mut short = crate::seal::RevocationList::new(day);
        short.revoke("001/X", "ganda", day);
        let site = write_site(
            &jwks("Dinas"),
            Some(&short.sign(&key)),
            None,
            None,
            out.path(),
        )
        .unwrap();
        assert!(site.revocations_embedded);
    }
}
