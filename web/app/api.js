// The API client: the session (token in localStorage, never in a URL),
// JSON calls with the bearer token, and problem+json errors as ApiError.
const KEY = 'casereel.session';
/** The localStorage key of the session (other tabs watch it). */
export const SESSION_KEY = KEY;

export class ApiError extends Error {
  /** `detail` (the server's English sentence) is the message; `type` is the
   *  problem's slug ("bad-credentials" from "/problems/bad-credentials"). */
  constructor(status, detail, field, type, errors) {
    super(detail);
    this.status = status;
    this.field = field;
    this.type = type;
    this.errors = errors; // a CSV import's bad rows: [{line, field, detail}]
  }
}

/** The ApiError for a failed answer with status `status` and parsed body `body`. */
export function problemError(status, body) {
  const type = typeof body?.type === 'string' ? body.type.split('/').pop() : undefined;
  return new ApiError(status, body?.detail || body?.title || `HTTP ${status}`, body?.field, type,
    Array.isArray(body?.errors) ? body.errors : undefined);
}

export function session() {
  try { return JSON.parse(localStorage.getItem(KEY)) || null; } catch { return null; }
}
export function saveSession(s) { localStorage.setItem(KEY, JSON.stringify(s)); }
export function clearSession() { localStorage.removeItem(KEY); }
export const token = () => session()?.token || '';

// called on a 401 (an expired or revoked session); resolves true once the
// user has logged in again, and the request is then sent once more
let onUnauthorized = async () => false;
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }
/** For a 401 met outside api() (an upload): asks to log in again; resolves
 * true once the user has, with the new token in the session. */
export const loginAgain = () => onUnauthorized();
// called when the server answers that this user must choose a new password first
let onPasswordChange = () => {};
export function setPasswordChangeHandler(fn) { onPasswordChange = fn; }

/** A fresh key for one user action (tips, check-in, orders). */
export function idempotencyKey() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** One API call with a JSON body `json` or a raw `body` (its Content-Type in
 *  `headers`); resolves with parsed JSON (or null), rejects with ApiError.
 *  A 401 waits for the user to log in again and is then sent once more. */
export async function api(method, path, { json, body: raw, headers = {}, idem, again = false } = {}) {
  const h = { ...headers };
  const t = token();
  if (t) h.Authorization = `Bearer ${t}`;
  if (json !== undefined) h['Content-Type'] = 'application/json';
  if (idem) h['Idempotency-Key'] = idem;
  let res;
  try {
    res = await fetch(path, { method, headers: h, body: json === undefined ? raw : JSON.stringify(json) });
  } catch {
    throw new ApiError(0, 'network');
  }
  const text = await res.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = null; }
  if (!res.ok) {
    if (res.status === 401 && !again && !/\/auth\/log(in|out)$/.test(path) && await onUnauthorized())
      return api(method, path, { json, body: raw, headers, idem, again: true });
    const err = problemError(res.status, body);
    if (err.type === 'password-change-required') onPasswordChange();
    throw err;
  }
  return body;
}

export const get = (path) => api('GET', path);

/** Every item of a list that pages with `next_cursor` (500 a page), up to
 *  `max`: resolves with {items}. */
export async function getAll(path, max = 5000) {
  const items = [];
  let cursor = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page = await get(`${path}${sep}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < max);
  return { items };
}
export const post = (path, json, opts = {}) => api('POST', path, { json, ...opts });
export const patch = (path, json) => api('PATCH', path, { json });
export const put = (path, json) => api('PUT', path, { json });
export const del = (path) => api('DELETE', path);

/** Fetches `path` (a CSV export, `format=csv` in its query) with the bearer
 *  token and saves it as `filename`; rejects with ApiError (a body that
 *  breaks off is a network error, and nothing is saved). */
export async function downloadCsv(path, filename) {
  let res;
  try {
    res = await fetch(path, { headers: { Authorization: `Bearer ${token()}` } });
  } catch {
    throw new ApiError(0, 'network');
  }
  if (!res.ok) {
    let body = null;
    try { body = await res.json(); } catch { body = null; }
    throw problemError(res.status, body);
  }
  // an export the server cut (a limit, a restart) breaks off: no short file is saved
  let blob;
  try {
    blob = await res.blob();
  } catch {
    throw new ApiError(0, 'network');
  }
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
