/**
 * The Api over HTTP: sign-in with the API key, the short-lived browser token (kept fresh), and fetch helpers that
 * turn every failure into an ApiError carrying a plain sentence for the user.
 * The key, user id and token live in sessionStorage only.
 */

const STORE = { key: 'jarvis.apiKey', user: 'jarvis.userId', token: 'jarvis.token', expires: 'jarvis.tokenExpires' };
const RENEW_BEFORE_MS = 60_000;
const RETRY_RENEWAL_MS = 10_000;
const UNREACHABLE = "Jarvis can't be reached. Check your connection; it will keep trying.";

/** Fired with `signedout` (detail: {message}) when the API key is no longer accepted. */
export const auth = new EventTarget();

let renewal = null;
let renewTimer = 0;
// Bumped at sign-out: a token request that was under way then must not store its token or restart the renewals.
let session = 0;

/** An Api failure with a sentence fit to show the user. */
export class ApiError extends Error {
  /**
   * @param {string} message a plain sentence for the user
   * @param {{status?: number, retryAfter?: number | null}} [details] status 0 means the request never got an answer
   */
  constructor(message, { status = 0, retryAfter = null } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

/**
 * The stored session, or null when signed out.
 * @returns {{apiKey: string, userId: string} | null}
 */
export function storedSession() {
  const apiKey = sessionStorage.getItem(STORE.key);
  return apiKey ? { apiKey, userId: sessionStorage.getItem(STORE.user) || 'default' } : null;
}

/** The signed-in user id (`default` when none was given). */
export function userId() {
  return sessionStorage.getItem(STORE.user) || 'default';
}

/**
 * Signs in: asks for a token with the key and, if the key is accepted, stores key, user id and token.
 * @param {string} apiKey
 * @param {string} user the user id; blank means `default`
 * @returns {Promise<void>} rejects with an ApiError (status 401 when the key is refused)
 */
export async function signIn(apiKey, user) {
  await requestToken(apiKey);
  sessionStorage.setItem(STORE.key, apiKey);
  sessionStorage.setItem(STORE.user, user.trim() || 'default');
}

/** Forgets the session (everything in sessionStorage) and stops renewing the token. */
export function signOut() {
  session += 1;
  clearTimeout(renewTimer);
  renewal = null;
  sessionStorage.clear();
}

/**
 * A new token from the key, replacing the stored one (the socket calls this before every connection: a restarted
 * Api no longer accepts the old token).
 * @returns {Promise<string>} the token; rejects with an ApiError, after firing `signedout` if the key was refused
 */
export function renewToken() {
  const apiKey = sessionStorage.getItem(STORE.key);
  if (!apiKey) {
    return Promise.reject(new ApiError('You are signed out.', { status: 401 }));
  }
  if (!renewal) {
    const started = session;
    const current = requestToken(apiKey)
      .catch((error) => {
        if (error.status === 401 && started === session) {
          signOut();
          auth.dispatchEvent(new CustomEvent('signedout', { detail: { message: 'Jarvis no longer accepts your API key. Sign in again.' } }));
        }
        throw error;
      })
      .finally(() => {
        if (renewal === current) {
          renewal = null;
        }
      });
    renewal = current;
  }
  return renewal;
}

/** The stored token while it has more than a minute left, else a renewed one. */
async function currentToken() {
  const token = sessionStorage.getItem(STORE.token);
  const expires = Number(sessionStorage.getItem(STORE.expires));
  return token && expires - Date.now() > RENEW_BEFORE_MS ? token : renewToken();
}

/** POST /api/tokens with the key; stores the token and schedules its renewal. */
async function requestToken(apiKey) {
  const started = session;
  let response;
  try {
    response = await fetch('/api/tokens', { method: 'POST', headers: { 'X-API-Key': apiKey } });
  } catch {
    throw new ApiError(UNREACHABLE);
  }
  if (response.status === 401) {
    throw new ApiError('That API key was refused.', { status: 401 });
  }
  if (!response.ok) {
    throw await problemError(response);
  }
  const { token, expiresAt } = await response.json();
  if (started !== session) {
    throw new ApiError('You are signed out.', { status: 401 });
  }
  // expiresAt is on the server's clock; its Date header says how far ours is from it.
  const serverNow = Date.parse(response.headers.get('Date') ?? '');
  const skew = Number.isNaN(serverNow) ? 0 : serverNow - Date.now();
  const expires = Date.parse(expiresAt) - skew;
  sessionStorage.setItem(STORE.token, token);
  sessionStorage.setItem(STORE.expires, String(expires));
  scheduleRenewal(expires - RENEW_BEFORE_MS - Date.now());
  return token;
}

function scheduleRenewal(delayMs) {
  clearTimeout(renewTimer);
  renewTimer = setTimeout(() => {
    renewToken().catch((error) => {
      if (error.status !== 401) {
        scheduleRenewal(RETRY_RENEWAL_MS);
      }
    });
  }, Math.max(5_000, delayMs));
}

/**
 * Fetches an Api route with the Bearer token; a 401 renews the token once and retries.
 * @param {string} path e.g. `/api/memories?userId=u`
 * @param {RequestInit} [init]
 * @returns {Promise<Response>} an ok response; rejects with an ApiError otherwise
 */
export async function apiFetch(path, init = {}) {
  let response = await send(path, init, await currentToken());
  if (response.status === 401) {
    response = await send(path, init, await renewToken());
  }
  if (!response.ok) {
    throw await problemError(response);
  }
  return response;
}

/**
 * Like apiFetch, with a JSON body in and a JSON body (or null for 204) out.
 * @param {string} path
 * @param {{method?: string, body?: unknown}} [options]
 * @returns {Promise<any>}
 */
export async function apiJson(path, { method = 'GET', body } = {}) {
  const init = { method, headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await apiFetch(path, init);
  return response.status === 204 ? null : response.json();
}

/**
 * Posts browser telemetry with the current token, best effort: no renewal, no retry, failures ignored.
 * @param {Array<object>} events
 * @param {boolean} keepalive true while the page is being hidden
 * @returns {Promise<void>}
 */
export async function postClientEvents(events, keepalive) {
  const token = sessionStorage.getItem(STORE.token);
  if (!token) {
    return;
  }
  try {
    await fetch('/api/client-events', {
      method: 'POST',
      keepalive,
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ events }),
    });
  } catch {
    // Telemetry is best effort: a lost batch is not worth bothering the user.
  }
}

/**
 * A route with the signed-in user's id added as `userId`.
 * @param {string} path
 * @returns {string}
 */
export function forUser(path) {
  return `${path}${path.includes('?') ? '&' : '?'}userId=${encodeURIComponent(userId())}`;
}

async function send(path, init, token) {
  try {
    return await fetch(path, { ...init, headers: { ...init.headers, Authorization: `Bearer ${token}` } });
  } catch {
    throw new ApiError(UNREACHABLE);
  }
}

/** An ApiError from a problem+json (or any other) failed response. */
async function problemError(response) {
  let problem = {};
  try {
    problem = await response.json();
  } catch {
    // Not JSON (a proxy's error page, say): the status alone explains it.
  }
  const detail = typeof problem.detail === 'string' && problem.detail ? problem.detail : '';
  const retryHeader = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
  const retryAfter = Number.isNaN(retryHeader) ? null : retryHeader;
  const { status } = response;
  let message;
  if (status === 429) {
    message = `${detail || 'Too many requests.'}${retryAfter === null ? '' : ` Try again in ${retryAfter} s.`}`;
  } else if (status >= 500) {
    message = `Jarvis ran into a problem (error ${status}).${detail ? ` ${detail}` : ' Try again in a moment.'}`;
  } else {
    message = detail || problem.title || `The request failed (error ${status}).`;
  }
  return new ApiError(message, { status, retryAfter });
}

/** Whether a token is stored (telemetry waits for one). */
export function hasToken() {
  return Boolean(sessionStorage.getItem(STORE.token));
}
