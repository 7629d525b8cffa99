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

/// Calls the API; resolves to { status, body } (body parsed from JSON, or
/// null), and rejects only when the studio cannot be reached.
export async function call(method, path, body, token = takeToken()) {
  const response = await fetch(path, {
    method,
    headers: {
      "x-piagam-token": token || "",
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
  });
  let parsed = null;
  try {
    parsed = await response.json();
  } catch {
    parsed = null;
  }
  return { status: response.status, body: parsed };
}

/// Sends a file's bytes as the body; resolves as `call` does.
export async function send(path, bytes, token = takeToken()) {
  const response = await fetch(path, {
    method: "PUT",
    headers: { "x-piagam-token": token || "", "content-type": "application/octet-stream" },
    body: bytes,
    cache: "no-store",
  });
  let parsed = null;
  try {
    parsed = await response.json();
  } catch {
    parsed = null;
  }
  return { status: response.status, body: parsed };
}
