//! The studio's HTTP server: the page, and the API it calls.

use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use crate::auth;
use crate::event::{self, EventForm, FieldError};

/// How the studio is started.
#[derive(Debug, Clone)]
pub struct Options {
    /// The event folder: piagam.toml, roster, templates, key, register.
    pub folder: PathBuf,
    /// 0: any free port.
    pub port: u16,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StudioError {
    #[error("{0} is not a folder")]
    NotAFolder(PathBuf),
    #[error("could not listen on 127.0.0.1:{port}: {source}")]
    Listen {
        port: u16,
        #[source]
        source: std::io::Error,
    },
    /// Another studio holds this folder; `address` is where it answers.
    #[error("a studio is already open for this folder{}", address.as_deref().map(|a| format!(": {a}")).unwrap_or_default())]
    AlreadyOpen { address: Option<String> },
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Held while a studio serves the folder: one studio per event.
const LOCK_FILE: &str = ".piagam-studio.lock";
/// Where the studio that holds the folder answers, for a second one to say.
const ADDRESS_FILE: &str = ".piagam-studio-address";

fn hold(folder: &std::path::Path) -> Result<piagam::lock::PidLock, StudioError> {
    match piagam::lock::PidLock::take(&folder.join(LOCK_FILE)) {
        Ok(lock) => Ok(lock),
        Err(piagam::lock::LockError::Busy { .. }) => Err(StudioError::AlreadyOpen {
            address: std::fs::read_to_string(folder.join(ADDRESS_FILE))
                .ok()
                .map(|a| a.trim().to_owned())
                .filter(|a| a.starts_with("http://127.0.0.1:")),
        }),
        Err(e) => Err(std::io::Error::other(e.to_string()).into()),
    }
}

/// The address, readable by this user only: it holds the token.
fn note_address(folder: &std::path::Path, address: &str) -> std::io::Result<()> {
    let path = folder.join(ADDRESS_FILE);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    std::io::Write::write_all(&mut options.open(path)?, format!("{address}\n").as_bytes())
}

struct Studio {
    folder: PathBuf,
    token: String,
    /// Sent with every request that changes something (see `auth`).
    csrf: String,
    port: u16,
    /// The run under way or last finished: one at a time.
    run: std::sync::Mutex<Option<Arc<crate::issue::Run>>>,
}

type Shared = Arc<Studio>;

/// Serves the studio on 127.0.0.1 until the process ends. `ready` is told
/// the address to open, with its one-time token, once the port is bound.
pub fn run(options: Options, ready: impl FnOnce(&str)) -> Result<(), StudioError> {
    let folder = std::path::absolute(&options.folder)?;
    std::fs::create_dir_all(&folder)?;
    if !folder.is_dir() {
        return Err(StudioError::NotAFolder(folder));
    }
    let lock = hold(&folder)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", options.port))
            .await
            .map_err(|source| StudioError::Listen {
                port: options.port,
                source,
            })?;
        let port = listener.local_addr()?.port();
        let token = auth::new_token()?;
        let address = format!("http://127.0.0.1:{port}/?token={token}");
        note_address(&folder, &address)?;
        ready(&address);
        let studio = Arc::new(Studio {
            folder,
            token,
            csrf: auth::new_token()?,
            port,
            run: std::sync::Mutex::new(None),
        });
        axum::serve(listener, router(studio)).await?;
        drop(lock);
        Ok(())
    })
}

fn router(studio: Shared) -> Router {
    Router::new()
        .route("/", get(crate::page::index))
        .route("/{asset}", get(crate::page::asset))
        .route("/api/session", get(get_session))
        .route("/api/event", get(get_event).put(put_event))
        .route("/api/key", post(post_key))
        .route("/api/mark", get(get_mark).put(put_mark))
        .route("/api/key/import", axum::routing::put(put_key))
        .route("/api/roster", get(get_roster).put(put_roster))
        .route("/api/roster/choices", axum::routing::put(put_choices))
        .route("/api/design", get(get_design).put(put_design))
        .route("/api/preview", get(get_preview))
        .route("/api/background", axum::routing::put(put_background))
        .route("/api/layout", get(get_layout).put(put_layout))
        .route("/api/layout/problems", get(get_layout_problems))
        .route("/api/check", post(post_check))
        .route("/api/generate", post(post_generate))
        .route("/api/cancel", post(post_cancel))
        .route("/api/progress", get(get_progress))
        .route("/files/{name}", get(get_file))
        .route("/api/register", get(get_register))
        .route("/api/revoke", post(post_revoke))
        .route("/api/publish", post(post_publish))
        .route("/api/verify", post(post_verify))
        .layer(axum::extract::DefaultBodyLimit::max(
            piagam::roster::MAX_ROSTER_BYTES as usize,
        ))
        .layer(axum::middleware::from_fn_with_state(
            studio.clone(),
            only_the_page_changes,
        ))
        .with_state(studio)
}

/// Every request that may change something must come from the studio's
/// own page, with the session's CSRF token; anything else is refused
/// before it reaches a handler.
async fn only_the_page_changes(
    State(studio): State<Shared>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    match auth::may_change(
        request.method(),
        request.headers(),
        &studio.csrf,
        studio.port,
    ) {
        Ok(()) => next.run(request).await,
        Err(status) => refused(status),
    }
}

/// The session's CSRF token, for the page that holds the token.
async fn get_session(State(studio): State<Shared>, headers: HeaderMap) -> Response {
    if let Err(status) = auth::allowed(&headers, &studio.token, studio.port) {
        return refused(status);
    }
    answer(StatusCode::OK, serde_json::json!({ "csrf": studio.csrf }))
}

/// An answer the page reads: JSON, with the status saying how it went.
fn answer(status: StatusCode, body: serde_json::Value) -> Response {
    (status, Json(body)).into_response()
}

fn refused(status: StatusCode) -> Response {
    answer(status, serde_json::json!({ "error": "not-allowed" }))
}

fn field_errors(errors: &[FieldError]) -> Response {
    answer(
        StatusCode::UNPROCESSABLE_ENTITY,
        serde_json::json!({ "errors": errors }),
    )
}

async fn get_event(State(studio): State<Shared>, headers: HeaderMap) -> Response {
    if let Err(status) = auth::allowed(&headers, &studio.token, studio.port) {
        return refused(status);
    }
    match event::read(&studio.folder) {
        Ok((form, exists)) => answer(
            StatusCode::OK,
            serde_json::json!({
                "folder": studio.folder.display().to_string(),
                "exists": exists,
                "event": form,
                "key": event::key_status(&studio.folder),
                "marks": {
                    "signature": crate::images::kept(&studio.folder, crate::images::Mark::Signature).is_some(),
                    "stamp": crate::images::kept(&studio.folder, crate::images::Mark::Stamp).is_some(),
                },
            }),
        ),
        Err(e) => field_errors(&[e]),
    }
}

async fn put_event(
    State(studio): State<Shared>,
    headers: HeaderMap,
    Json(form): Json<EventForm>,
) -> Response {
    if let Err(status) = auth::allowed(&headers, &studio.token, studio.port) {
        return refused(status);
    }
    match event::write(&studio.folder, &form) {
        Ok(()) => answer(StatusCode::OK, serde_json::json!({ "saved": true })),
        Err(errors) => field_errors(&errors),
    }
}

async fn get_roster(State(studio): State<Shared>, headers: HeaderMap) -> Response {
    if let Err(status) = auth::allowed(&headers, &studio.token, studio.port) {
        return refused(status);
    }
    match crate::roster::inspect(&studio.folder) {
        Ok(shown) => answer(StatusCode::OK, serde_json::json!({ "roster": shown })),
        Err(e) => field_errors(&[e]),
    }
}

#[derive(Deserialize)]
struct Upload {
    name: String,
}

/// The spreadsheet's bytes as the body, its file name in the query.
async fn put_roster(
    State(studio): State<Shared>,
    headers: HeaderMap,
    axum::extract::Query(upload): axum::extract::Query<Upload>,
    body: axum::body::Bytes,
) -> Response {
    if let Err(status) = auth::allowed(&headers, &studio.token, studio.port) {
        return refused(status);
    }
    if let Err(e) = crate::roster::save(&studio.folder, &upload.name, &body) {
        return field_errors(&[e]);
    }
    get_roster(State(studio), headers).await
}

async fn put_choices(
    State(studio): State<Shared>,
    headers: HeaderMap,
    Json(choices): Json<crate::roster::Choices>,
) -> Response {
    if let Err(status) = auth::allowed(&headers, &studio.token, studio.port) {
        return refused(status);
    }
    if let Err(e) = crate::roster::choose(&studio.folder, &choices) {
        return field_errors(&[e]);
    }
    get_roster(State(studio), headers).await
}

async fn get_design(State(studio): State<Shared>, headers: HeaderMap) -> Response {
    if let Err(status) = auth::allowed(&headers, &studio.token, studio.port) {
        return refused(status);
    }
    answer(
        StatusCode::OK,
        serde_json::json!({
            "bundled": crate::design::BUNDLED,
            "chosen": crate::design::chosen(&studio.folder),
        }),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Documents {
    documents: Vec<String>,
}

async fn put_design(
    State(studio): State<Shared>,
    headers: HeaderMap,
    Json(chosen): Json<Documents>,
) -> Response {
    if let Err(status) = auth::allowed(&headers, &studio.token, studio.port) {
        return refused(status);
    }
    // A design chosen now prints the signature and stamp given before.
    let chosen = crate::design::choose(&studio.folder, &chosen.documents)
        .and_then(|chosen| crate::images::apply_kept(&studio.folder).map(|()| chosen));
    match chosen {
        Ok(chosen) => answer(StatusCode::OK, serde_json::json!({ "chosen": chosen })),
        Err(e) => field_errors(&[e]),
    }
}

#[derive(Deserialize)]
struct BackgroundQuery {
    #[serde(default)]
    document: usize,
    name: String,
}

/// The designer's PDF or image as the body, for one document's template.
async fn put_background(
    State(studio): State<Shared>,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<BackgroundQuery>,
    body: axum::body::Bytes,
) -> Response {
    if let Err(status) = auth::allowed(&headers, &studio.token, studio.port) {
        return refused(status);
    }
    let folder = studio.folder.clone();
    let set = tokio::task::spawn_blocking(move || {
        crate::design::set_background(&folder, query.document, &query.name, &body)
    })
    .await;
    match set {
        Ok(Ok(())) => answer(StatusCode::OK, serde_json::json!({ "background": true })),
        Ok(Err(e)) => field_errors(&[e]),
        Err(e) => field_errors(&[FieldError::new("background", "refused", e.to_string())]),
    }
}

#[derive(Deserialize)]
struct DocumentQuery {
    #[serde(default)]
    document: usize,
}

/// Runs `work` off the async thread: the engine reads files and lays out.
async fn blocking<T: Send + 'static>(
    field: &'static str,
    work: impl FnOnce() -> Result<T, FieldError> + Send + 'static,
) -> Result<T, FieldError> {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|e| Err(FieldError::new(field, "refused", e.to_string())))
}

/// The boxes of one document's template, in millimetres on its page.
async fn get_layout(
    State(studio): State<Shared>,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<DocumentQuery>,
) -> Response {
    if let Err(status) = auth::allowed(&headers, &studio.token, studio.port) {
        return refused(status);
    }
    let folder = studio.folder.clone();
    match blocking("layout", move || {
        crate::layout::read(&folder, query.document)
    })
    .await
    {
        Ok(layout) => answer(StatusCode::OK, serde_json::json!({ "layout": layout })),
        Err(e) => field_errors(&[e]),
    }
}

/// One box moved, resized or restyled; the template as it now is.
async fn put_layout(
    State(studio): State<Shared>,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<DocumentQuery>,
    Json(change): Json<crate::layout::BoxChange>,
) -> Response {
    if let Err(status) = auth::allowed(&headers, &studio.token, studio.port) {
        return refused(status);
    }
    let folder = studio.folder.clone();
    let changed = blocking("layout", move || {
        crate::layout::change(&folder, query.document, &change)
    });
    match changed.await {
        Ok(layout) => answer(StatusCode::OK, serde_json::json!({ "layout": layout })),
        Err(e) => field_errors(&[e]),
    }
}

/// What does not fit, per box, over every roster row.
async fn get_layout_problems(
    State(studio): State<Shared>,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<DocumentQuery>,
) -> Response {
    if let Err(status) = auth::allowed(&headers, &studio.token, studio.port) {
        return refused(status);
    }
    let folder = studio.folder.clone();
    match blocking("layout", move || {
        crate::layout::problems(&folder, query.document)
    })
    .await
    {
        Ok(problems) => answer(StatusCode::OK, serde_json::json!({ "problems": problems })),
        Err(e) => field_errors(&[e]),
    }
}

#[derive(Deserialize)]
struct PreviewQuery {
    row: Option<usize>,
    #[serde(default)]
    document: usize,
}

/// A roster row's page as a PNG, drawn by the engine off the async thread.
async fn get_preview(
    State(studio): State<Shared>,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<PreviewQuery>,
) -> Response {
    if let Err(status) = auth::allowed(&headers, &studio.token, studio.port) {
        return refused(status);
    }
    let Some(roster) = crate::roster::roster_file(&studio.folder) else {
        return field_errors(&[FieldError::new("preview", "no-roster", "")]);
    };
    let folder = studio.folder.clone();
    let drawn = tokio::task::spawn_blocking(move || {
        crate::design::preview(&folder, roster, query.row, query.document)
    })
    .await;
    match drawn {
        Ok(Ok(png)) => (
            StatusCode::OK,
            [(axum::http::header::CONTENT_TYPE, "image/png")],
            png,
        )
            .into_response(),
        Ok(Err(e)) => field_errors(&[e]),
        Err(e) => field_errors(&[FieldError::new("preview", "cannot-preview", e.to_string())]),
    }
}

async fn post_check(
    State(studio): State<Shared>,
    headers: HeaderMap,
    request: Option<Json<crate::issue::Request>>,
) -> Response {
    if let Err(status) = auth::allowed(&headers, &studio.token, studio.port) {
        return refused(status);
    }
    let folder = studio.folder.clone();
    let request = request.map(|Json(r)| r).unwrap_or_default();
    match tokio::task::spawn_blocking(move || crate::issue::check(&folder, &request)).await {
        Ok(Ok(checked)) => answer(StatusCode::OK, serde_json::json!({ "checked": checked })),
        Ok(Err(e)) => field_errors(&[e]),
        Err(e) => field_errors(&[FieldError::new("issue", "cannot-issue", e.to_string())]),
    }
}

async fn post_generate(
    State(studio): State<Shared>,
    headers: HeaderMap,
    request: Option<Json<crate::issue::Request>>,
) -> Response {
    let request = request.map(|Json(r)| r).unwrap_or_default();
    if let Err(status) = auth::allowed(&headers, &studio.token, studio.port) {
        return refused(status);
    }
    let Ok(mut slot) = studio.run.lock() else {
        return refused(StatusCode::INTERNAL_SERVER_ERROR);
    };
    if slot.as_ref().is_some_and(|run| !run.finished()) {
        return field_errors(&[FieldError::new("issue", "busy", "")]);
    }
    match crate::issue::start(&studio.folder, &request) {
        Ok(run) => {
            *slot = Some(run);
            answer(StatusCode::ACCEPTED, serde_json::json!({ "started": true }))
        }
        Err(e) => field_errors(&[e]),
    }
}

async fn post_cancel(State(studio): State<Shared>, headers: HeaderMap) -> Response {
    if let Err(status) = auth::allowed(&headers, &studio.token, studio.port) {
        return refused(status);
    }
    if let Some(run) = studio.run.lock().ok().and_then(|r| r.clone()) {
        run.cancel();
    }
    answer(StatusCode::OK, serde_json::json!({ "cancelled": true }))
}

/// The run's progress as server-sent events, four a second, until it ends.
async fn get_progress(State(studio): State<Shared>, headers: HeaderMap) -> Response {
    use axum::response::sse::{Event, KeepAlive, Sse};
    if let Err(status) = auth::allowed(&headers, &studio.token, studio.port) {
        return refused(status);
    }
    let Some(run) = studio.run.lock().ok().and_then(|r| r.clone()) else {
        return field_errors(&[FieldError::new("issue", "no-run", "")]);
    };
    let events = futures_util::stream::unfold((run, false), |(run, ended)| async move {
        if ended {
            return None;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        let finished = run.finished();
        let report = run.report();
        let event = Event::default()
            .json_data(&report)
            .unwrap_or_else(|_| Event::default().data("{}"));
        Some((Ok::<_, std::convert::Infallible>(event), (run, finished)))
    });
    Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response()
}

async fn get_register(
    State(studio): State<Shared>,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<crate::register::Query>,
) -> Response {
    if let Err(status) = auth::allowed(&headers, &studio.token, studio.port) {
        return refused(status);
    }
    match crate::register::list(&studio.folder, &query) {
        Ok(rows) => answer(StatusCode::OK, serde_json::json!({ "entries": rows })),
        Err(e) => field_errors(&[e]),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Revoke {
    serials: Vec<String>,
    reason: String,
}

async fn post_revoke(
    State(studio): State<Shared>,
    headers: HeaderMap,
    Json(revoke): Json<Revoke>,
) -> Response {
    if let Err(status) = auth::allowed(&headers, &studio.token, studio.port) {
        return refused(status);
    }
    if studio
        .run
        .lock()
        .ok()
        .and_then(|r| r.clone())
        .is_some_and(|r| !r.finished())
    {
        return field_errors(&[FieldError::new("issue", "busy", "")]);
    }
    let folder = studio.folder.clone();
    let done = tokio::task::spawn_blocking(move || {
        crate::register::revoke(&folder, &revoke.serials, &revoke.reason)
    })
    .await;
    match done {
        Ok(Ok(revoked)) => answer(StatusCode::OK, serde_json::json!({ "revoked": revoked })),
        Ok(Err(e)) => field_errors(&[e]),
        Err(e) => field_errors(&[FieldError::new("reason", "cannot-revoke", e.to_string())]),
    }
}

async fn post_publish(State(studio): State<Shared>, headers: HeaderMap) -> Response {
    if let Err(status) = auth::allowed(&headers, &studio.token, studio.port) {
        return refused(status);
    }
    match crate::register::publish(&studio.folder) {
        Ok(published) => answer(StatusCode::OK, serde_json::json!(published)),
        Err(e) => field_errors(&[e]),
    }
}

#[derive(Deserialize)]
struct FileQuery {
    token: String,
}

/// A file of the output folder, to open or save: links open in a new tab
/// and cannot send a header, so the token comes in the query.
async fn get_file(
    State(studio): State<Shared>,
    mut headers: HeaderMap,
    axum::extract::Path(name): axum::extract::Path<String>,
    axum::extract::Query(query): axum::extract::Query<FileQuery>,
) -> Response {
    if let Ok(token) = query.token.parse() {
        headers.insert(auth::TOKEN_HEADER, token);
    }
    if let Err(status) = auth::allowed(&headers, &studio.token, studio.port) {
        return refused(status);
    }
    let Some(path) = crate::issue::output_file(&studio.folder, &name) else {
        return refused(StatusCode::NOT_FOUND);
    };
    let kind = match path.extension().and_then(|e| e.to_str()) {
        Some("pdf") => "application/pdf",
        Some("zip") => "application/zip",
        Some("csv") => "text/csv; charset=utf-8",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    };
    match tokio::task::spawn_blocking(move || std::fs::read(path))
        .await
        .map_err(std::io::Error::other)
        .and_then(|r| r)
    {
        Ok(bytes) => (
            StatusCode::OK,
            [
                (axum::http::header::CONTENT_TYPE, kind),
                (axum::http::header::REFERRER_POLICY, "no-referrer"),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => refused(StatusCode::NOT_FOUND),
    }
}

#[derive(Deserialize)]
struct Importing {
    issuer: String,
}

/// The issuer's existing key: the PEM's bytes as the body.
async fn put_key(
    State(studio): State<Shared>,
    headers: HeaderMap,
    axum::extract::Query(importing): axum::extract::Query<Importing>,
    body: axum::body::Bytes,
) -> Response {
    if let Err(status) = auth::allowed(&headers, &studio.token, studio.port) {
        return refused(status);
    }
    match event::import_key(&studio.folder, &importing.issuer, &body) {
        Ok(status) => answer(StatusCode::OK, serde_json::json!({ "key": status })),
        Err(e) => field_errors(&[e]),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewKey {
    issuer: String,
}

async fn post_key(
    State(studio): State<Shared>,
    headers: HeaderMap,
    Json(new): Json<NewKey>,
) -> Response {
    if let Err(status) = auth::allowed(&headers, &studio.token, studio.port) {
        return refused(status);
    }
    match event::make_key(&studio.folder, &new.issuer) {
        Ok(status) => answer(StatusCode::OK, serde_json::json!({ "key": status })),
        Err(e) => field_errors(&[e]),
    }
}

#[derive(Deserialize)]
struct VerifyQuery {
    name: String,
    #[serde(default)]
    lang: Option<String>,
}

/// A PDF or picture as the body: every QR code in it, checked as `piagam
/// verify` checks it, in the page's language.
async fn post_verify(
    State(studio): State<Shared>,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<VerifyQuery>,
    body: axum::body::Bytes,
) -> Response {
    if let Err(status) = auth::allowed(&headers, &studio.token, studio.port) {
        return refused(status);
    }
    let lang = match query
        .lang
        .as_deref()
        .unwrap_or("id")
        .parse::<piagam::locale::Language>()
    {
        Ok(lang) => lang,
        Err(e) => return field_errors(&[FieldError::new("verify", "cannot-verify", e)]),
    };
    let folder = studio.folder.clone();
    let checked = blocking("verify", move || {
        crate::verify::check(&folder, &query.name, body.to_vec(), lang)
    });
    match checked.await {
        Ok(found) => answer(StatusCode::OK, serde_json::json!({ "verified": found })),
        Err(e) => field_errors(&[e]),
    }
}

#[derive(Deserialize)]
struct MarkQuery {
    kind: String,
}

fn mark_of(query: &MarkQuery) -> Result<crate::images::Mark, FieldError> {
    crate::images::Mark::parse(&query.kind)
        .ok_or_else(|| FieldError::new("signature", "unknown-field", query.kind.clone()))
}

/// The signatory's signature or stamp as kept, to show on the page.
async fn get_mark(
    State(studio): State<Shared>,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<MarkQuery>,
) -> Response {
    if let Err(status) = auth::allowed(&headers, &studio.token, studio.port) {
        return refused(status);
    }
    let mark = match mark_of(&query) {
        Ok(mark) => mark,
        Err(e) => return field_errors(&[e]),
    };
    let Some(path) = crate::images::kept(&studio.folder, mark) else {
        return refused(StatusCode::NOT_FOUND);
    };
    let kind = if path.extension().is_some_and(|e| e == "png") {
        "image/png"
    } else {
        "image/jpeg"
    };
    match std::fs::read(&path) {
        Ok(bytes) => (
            StatusCode::OK,
            [
                (axum::http::header::CONTENT_TYPE, kind),
                (axum::http::header::CACHE_CONTROL, "no-store"),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => refused(StatusCode::NOT_FOUND),
    }
}

/// A PNG or JPEG as the body: the signatory's signature or stamp, printed
/// by every chosen design from now on.
async fn put_mark(
    State(studio): State<Shared>,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<MarkQuery>,
    body: axum::body::Bytes,
) -> Response {
    if let Err(status) = auth::allowed(&headers, &studio.token, studio.port) {
        return refused(status);
    }
    let mark = match mark_of(&query) {
        Ok(mark) => mark,
        Err(e) => return field_errors(&[e]),
    };
    let folder = studio.folder.clone();
    match blocking("signature", move || {
        crate::images::keep(&folder, mark, &body)
    })
    .await
    {
        Ok(()) => answer(StatusCode::OK, serde_json::json!({ "kept": true })),
        Err(e) => field_errors(&[e]),
    }
}
