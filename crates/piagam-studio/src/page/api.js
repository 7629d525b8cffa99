// Talking to the studio: every request carries the one-time token the
// studio printed in its address. The token is taken from the address once
// and kept for this tab only, and the address is cleaned, so it is not
// left in the history or a bookmark.

const KEY = "piagam-studio-token";

export function takeToken(loc = window.location, store = window.sessionStorage, hist = window.history) {
  const params = new URLSearchParams(loc.search);
  const token = params.get("token");
  if (token && /^[0-9a-f]{64}$/.test(token)) {
    store.setItem(KEY, token);
    params.delete("token");
    const rest = params.toString();
    hist.replaceState(null, "", loc.pathname + (rest ? "?" + rest : "") + loc.hash);
  }
  return store.getItem(KEY);
}

/// { status, body }: the body parsed from JSON, or null.
async function answered(response) {
  let parsed = null;
  try {
    parsed = await response.json();
  } catch {
    parsed = null;
  }
  return { status: response.status, body: parsed };
}

// The session's CSRF token, asked for once with the token: every request
// that changes something carries it.
let csrf = null;
async function csrfHeader(method, token) {
  if (method === "GET" || method === "HEAD") return {};
  if (!csrf) {
    const response = await fetch("/api/session", { headers: { "x-piagam-token": token || "" }, cache: "no-store" });
    const answer = await answered(response);
    if (answer.status !== 200 || !answer.body || typeof answer.body.csrf !== "string") return {};
    csrf = answer.body.csrf;
  }
  return { "x-piagam-csrf": csrf };
}

/// Calls the API; resolves to { status, body }, and rejects only when the
/// studio cannot be reached.
export async function call(method, path, body, token = takeToken()) {
  const response = await fetch(path, {
    method,
    headers: {
      "x-piagam-token": token || "",
      ...(await csrfHeader(method, token)),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
  });
  return answered(response);
}

/// Sends a file's bytes as the body (PUT: it is kept; POST: it is only
/// looked at); resolves as `call` does.
export async function send(path, bytes, method = "PUT", token = takeToken()) {
  const response = await fetch(path, {
    method,
    headers: { "x-piagam-token": token || "", ...(await csrfHeader(method, token)), "content-type": "application/octet-stream" },
    body: bytes,
    cache: "no-store",
  });
  return answered(response);
}

/// Reads server-sent events from `path` (with the token, which
/// EventSource cannot send), calling `onEvent` with each one's JSON, until
/// the stream ends.
export async function follow(path, onEvent, token = takeToken()) {
  const response = await fetch(path, { headers: { "x-piagam-token": token || "" }, cache: "no-store" });
  if (!response.ok || !response.body) return false;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split("\n")
        .filter((l) => l.startsWith("data:"))
        .map((l) => l.slice(5).trimStart())
        .join("\n");
      if (data) {
        try {
          onEvent(JSON.parse(data));
        } catch {
          // A keep-alive or a line that is not JSON: nothing to show.
        }
      }
    }
  }
  return true;
}
