//! Who may talk to the studio: requests that carry its token, addressed to
//! its own host and port (a page on another site that resolves its name
//! to 127.0.0.1 still sends its own Host, and is refused). A request that
//! changes anything must also come from the studio's own page (its
//! `Origin`) and carry the session's CSRF token, which the page asks for
//! with the token.

use axum::http::{HeaderMap, Method, StatusCode};

/// The header the page sends its token in. A custom header also makes the
/// browser ask before sending a request from another origin, which the
/// studio never allows.
pub const TOKEN_HEADER: &str = "x-piagam-token";

/// The header a request that changes anything carries the CSRF token in.
pub const CSRF_HEADER: &str = "x-piagam-csrf";

/// 32 random bytes, as hex.
pub fn new_token() -> std::io::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Whether a request may be answered: the right token, in constant time,
/// and this studio's own host and port.
pub fn allowed(headers: &HeaderMap, token: &str, port: u16) -> Result<(), StatusCode> {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if host != format!("127.0.0.1:{port}") && host != format!("localhost:{port}") {
        return Err(StatusCode::FORBIDDEN);
    }
    let given = headers
        .get(TOKEN_HEADER)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !same(given.as_bytes(), token.as_bytes()) {
        return Err(StatusCode::FORBIDDEN);
    }
    Ok(())
}

/// Whether a request that may change something comes from the studio's
/// own page: an `Origin` of this host and port, and the session's CSRF
/// token. Reading (GET, HEAD) needs neither.
pub fn may_change(
    method: &Method,
    headers: &HeaderMap,
    csrf: &str,
    port: u16,
) -> Result<(), StatusCode> {
    if method == Method::GET || method == Method::HEAD {
        return Ok(());
    }
    let origin = headers
        .get(axum::http::header::ORIGIN)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if origin != format!("http://127.0.0.1:{port}") && origin != format!("http://localhost:{port}")
    {
        return Err(StatusCode::FORBIDDEN);
    }
    let given = headers
        .get(CSRF_HEADER)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !same(given.as_bytes(), csrf.as_bytes()) {
        return Err(StatusCode::FORBIDDEN);
    }
    Ok(())
}

fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(host: &str, token: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(axum::http::header::HOST, host.parse().unwrap());
        if let Some(t) = token {
            h.insert(TOKEN_HEADER, t.parse().unwrap());
        }
        h
    }

    #[test]
    fn only_the_token_on_this_host_and_port_is_let_in() {
        let t = new_token().unwrap();
        assert_eq!(t.len(), 64);
        assert_ne!(t, new_token().unwrap());
        assert_eq!(
            allowed(&headers("127.0.0.1:8080", Some(&t)), &t, 8080),
            Ok(())
        );
        assert_eq!(
            allowed(&headers("localhost:8080", Some(&t)), &t, 8080),
            Ok(())
        );
        assert_eq!(
            allowed(&headers("127.0.0.1:8080", None), &t, 8080),
            Err(StatusCode::FORBIDDEN)
        );
        let wrong = format!("{}0", &t[..63]);
        assert_eq!(
            allowed(&headers("127.0.0.1:8080", Some(&wrong)), &t, 8080),
            Err(StatusCode::FORBIDDEN)
        );
        // A rebound name, or another port, is not this studio.
        assert_eq!(
            allowed(&headers("evil.example:8080", Some(&t)), &t, 8080),
            Err(StatusCode::FORBIDDEN)
        );
        assert_eq!(
            allowed(&headers("127.0.0.1:9090", Some(&t)), &t, 8080),
            Err(StatusCode::FORBIDDEN)
        );
    }

    #[test]
    fn a_change_comes_from_the_page_itself_with_the_csrf_token() {
        let csrf = new_token().unwrap();
        let with = |origin: Option<&str>, token: Option<&str>| {
            let mut h = HeaderMap::new();
            if let Some(o) = origin {
                h.insert(axum::http::header::ORIGIN, o.parse().unwrap());
            }
            if let Some(t) = token {
                h.insert(CSRF_HEADER, t.parse().unwrap());
            }
            h
        };
        let page = Some("http://127.0.0.1:8080");
        assert_eq!(
            may_change(&Method::PUT, &with(page, Some(&csrf)), &csrf, 8080),
            Ok(())
        );
        assert_eq!(
            may_change(
                &Method::POST,
                &with(Some("http://localhost:8080"), Some(&csrf)),
                &csrf,
                8080
            ),
            Ok(())
        );
        // Reading needs neither.
        assert_eq!(
            may_change(&Method::GET, &with(None, None), &csrf, 8080),
            Ok(())
        );
        for (origin, token) in [
            (None, Some(csrf.as_str())),
            (Some("http://evil.example"), Some(csrf.as_str())),
            (Some("http://127.0.0.1:9090"), Some(csrf.as_str())),
            (Some("null"), Some(csrf.as_str())),
            (page, None),
            (page, Some("0")),
        ] {
            assert_eq!(
                may_change(&Method::PUT, &with(origin, token), &csrf, 8080),
                Err(StatusCode::FORBIDDEN),
                "{origin:?} {token:?}"
            );
        }
    }
}
