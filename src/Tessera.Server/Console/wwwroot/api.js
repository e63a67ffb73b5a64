// Every call to Tessera's API goes through here: it adds the bearer token and turns an error answer (the OpenAI
// error envelope plus the x-request-id header) into an ApiError a person can read.

export const API_BASE = '/v1';

/** What the official SDKs send when the server needs no key; the server accepts any token in open mode. */
export const OPEN_MODE_TOKEN = 'tessera-open';

const KEY_ITEM = 'tessera.apiKey';

let openMode = false;

/** The key lives in this tab's session storage only: never in a URL, never in localStorage. */
export const session = {
  key: () => sessionStorage.getItem(KEY_ITEM),
  signIn: (key) => sessionStorage.setItem(KEY_ITEM, key),
  signOut: () => sessionStorage.removeItem(KEY_ITEM),
  setOpenMode: (open) => { openMode = open; },
  isOpenMode: () => openMode,
};

export function bearer() {
  return `Bearer ${openMode ? OPEN_MODE_TOKEN : (session.key() ?? '')}`;
}

/** An API answer that was not a success, or a request that never reached the server (status 0). */
export class ApiError extends Error {
  constructor(message, { status = 0, type = null, param = null, code = null, requestId = null, retryAfter = null, shouldRetry = null } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.type = type;
    this.param = param;
    this.code = code;
    this.requestId = requestId;
    this.retryAfter = retryAfter;
    /** The server's x-should-retry: true or false when it said, null when it did not. */
    this.shouldRetry = shouldRetry;
  }

  /**
   * Worth trying again: the network failed, or the server said it was busy or briefly unwell. The server's
   * x-should-retry wins when it gives one, as it does for OpenAI's SDKs: a quota reached is a 507 that trying again
   * cannot change.
   */
  get retryable() {
    if (this.status === 0) return true;
    if (this.shouldRetry !== null) return this.shouldRetry;
    return this.status === 429 || this.status >= 500;
  }

  /** E.g. "Could not delete a.csv: No such File object: file-abc (404). Request id: req_3f2c…". */
  describe(action) {
    const status = this.status ? ` (${this.status})` : '';
    const request = this.requestId ? ` Request id: ${this.requestId}` : '';
    const sentence = /[.!?]$/.test(this.message) ? this.message.slice(0, -1) : this.message;
    return `${action ? `${action}: ` : ''}${sentence}${status}.${request}`;
  }
}

/** Reads an error answer's envelope; a body that is not one still gives a readable message. */
export async function errorFrom(response) {
  const requestId = response.headers.get('x-request-id');
  const retryAfter = Number.parseFloat(response.headers.get('retry-after') ?? '');
  const shouldRetry = response.headers.get('x-should-retry');
  let envelope = null;
  try {
    envelope = (await response.json())?.error ?? null;
  } catch {
    // Not JSON: a proxy's page, say. The status speaks for it below.
  }

  const message = envelope?.message || `The server answered ${response.status} ${response.statusText}`.trim();
  return new ApiError(message, {
    status: response.status,
    type: envelope?.type ?? null,
    param: envelope?.param ?? null,
    code: envelope?.code ?? null,
    requestId,
    retryAfter: Number.isFinite(retryAfter) ? retryAfter : null,
    shouldRetry: shouldRetry === 'true' ? true : shouldRetry === 'false' ? false : null,
  });
}

export function unreachable(cause) {
  const error = new ApiError('The server could not be reached; check the connection and try again');
  error.cause = cause;
  return error;
}

/**
 * Sends one request to the API: `json` becomes the body, `headers` are added, `token` replaces the session's bearer
 * (sign-in tries a key before keeping it). Answers the parsed JSON, or the Response itself with `raw`; throws ApiError
 * otherwise.
 */
export async function api(path, { method = 'GET', json, query, signal, token, headers: extra = {}, raw = false } = {}) {
  const url = new URL(API_BASE + path, location.origin);
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, String(value));
  }

  const headers = { ...extra, Authorization: token ? `Bearer ${token}` : bearer() };
  let body;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  }

  let response;
  try {
    response = await fetch(url, { method, headers, body, signal, cache: 'no-store', credentials: 'omit' });
  } catch (error) {
    if (error?.name === 'AbortError') throw error;
    throw unreachable(error);
  }

  if (!response.ok) throw await errorFrom(response);
  return raw ? response : response.json();
}

/** Every page of a list, following has_more. */
export async function* pages(path, query, signal) {
  let after;
  for (;;) {
    const page = await api(path, { query: { ...query, after }, signal });
    yield page;
    if (!page.has_more || !page.last_id) return;
    after = page.last_id;
  }
}
