//! The page: plain HTML, CSS and JS, embedded in the binary (no CDN, no
//! framework; it works offline). It holds no data of its own: everything
//! comes from the API, with the token.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

const INDEX: &str = include_str!("page/index.html");

/// Each asset by name, with its type.
const ASSETS: &[(&str, &str, &str)] = &[
    ("style.css", CSS, include_str!("page/style.css")),
    ("labels.js", JS, include_str!("page/labels.js")),
    ("api.js", JS, include_str!("page/api.js")),
    ("marks.js", JS, include_str!("page/marks.js")),
    ("event.js", JS, include_str!("page/event.js")),
    ("roster.js", JS, include_str!("page/roster.js")),
    ("snap.js", JS, include_str!("page/snap.js")),
    ("history.js", JS, include_str!("page/history.js")),
    ("editor.js", JS, include_str!("page/editor.js")),
    ("design.js", JS, include_str!("page/design.js")),
    ("issue.js", JS, include_str!("page/issue.js")),
    ("register.js", JS, include_str!("page/register.js")),
    ("verify.js", JS, include_str!("page/verify.js")),
    ("app.js", JS, include_str!("page/app.js")),
];
const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

/// Scripts and styles only from the studio itself; the token in the
/// address is never sent on as a referrer.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

fn page(kind: &str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

pub async fn index() -> Response {
    page("text/html; charset=utf-8", INDEX)
}

pub async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, kind, body)) => page(kind, body),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file the page loads (the HTML's scripts and styles, and each
    /// module's imports) is served.
    #[test]
    fn every_file_the_page_loads_is_served() {
        let served = |name: &str| ASSETS.iter().any(|(n, _, _)| *n == name);
        let mut wanted = Vec::new();
        for attr in ["src=\"", "href=\""] {
            for part in INDEX.split(attr).skip(1) {
                let name = part.split('"').next().unwrap_or("");
                if !name.starts_with("data:") {
                    wanted.push(name.to_owned());
                }
            }
        }
        for (_, _, body) in ASSETS {
            for part in body.split("from \"./").skip(1) {
                wanted.push(part.split('"').next().unwrap_or("").to_owned());
            }
        }
        assert!(wanted.len() >= 6, "{wanted:?}");
        for name in wanted {
            assert!(served(&name), "{name} is loaded but not served");
        }
    }
}
