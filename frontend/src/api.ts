// Same-origin JSON API with cookie sessions and the CSRF header on POSTs.
// The answers' types are generated from the Go types (api/types.gen.ts).
import type { ErrorResponse } from './api/types.gen';
import { getLang } from './i18n';

export interface User { id: number; name: string; role: string; regions?: string[]; phone?: string }
export interface Session { user: User; csrf: string; role_name?: string; now?: string; latest_detection?: string; area?: number[] }

export class ApiError extends Error {
  /** retryAfter: the seconds the server asks to wait (Retry-After), if it said. */
  retryAfter?: number;
  /** body is the answer's error object, with what else it holds (a bulk action's refused tasks). */
  constructor(public status: number, public code: string, message: string, public body: ErrorResponse['error'] | null = null) {
    super(message);
  }
}
/** NetworkError: fetch itself failed (offline). */
export class NetworkError extends Error {}

let csrf = '';
const savedListeners: ((at: string) => void)[] = [];
/** onSavedCopy: the service worker answered from its saved copy (no network). */
export function onSavedCopy(f: (at: string) => void): void { savedListeners.push(f); }

/** forgetSavedCopies deletes the service worker's saved answers (another user's data). */
export async function forgetSavedCopies(): Promise<void> {
  try { if (typeof caches !== 'undefined') await caches.delete('skygrid-data'); } catch { /* no Cache API */ }
}
let onUnauthorized: () => void = () => {};

export function setCsrf(v: string): void { csrf = v; }
export function setUnauthorizedHandler(f: () => void): void { onUnauthorized = f; }

async function request<T>(method: string, url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body: payload, credentials: 'same-origin' });
  } catch (e) {
    throw new NetworkError(String(e));
  }
  const saved = res.headers.get('X-Skygrid-Saved-At');
  if (saved) savedListeners.forEach((f) => f(saved));
  const text = await res.text();
  let data: unknown = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!res.ok) {
    const body = (data as Partial<ErrorResponse> | null)?.error ?? null;
    const err: Partial<ErrorResponse['error']> = body ?? {};
    if (res.status === 401 && !url.endsWith('/api/login')) onUnauthorized();
    const e = new ApiError(res.status, err.code ?? String(res.status), err.message ?? res.statusText, body);
    const wait = Number(res.headers.get('Retry-After'));
    if (res.headers.get('Retry-After') && Number.isFinite(wait) && wait >= 0) e.retryAfter = wait;
    throw e;
  }
  return data as T;
}

export const api = {
  get: <T = unknown>(url: string) => request<T>('GET', url),
  post: <T = unknown>(url: string, body?: unknown) => request<T>('POST', url, body ?? {}),
};

export function qs(params: Record<string, string | number | boolean | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? '?' + s : '';
}

/** errorText says in the user's language what went wrong: the server's
 * own words where they are specific (a refused file's rows), a plain
 * sentence for the codes every page meets. */
export function errorText(e: unknown, t: (key: string) => string): string {
  if (e instanceof NetworkError) return t('err.network');
  if (e instanceof ApiError) {
    const plain: Record<number, string> = { 401: 'err.unauthorized', 403: 'err.forbidden', 404: 'err.notfound', 429: 'err.throttled' };
    if (plain[e.status]) return `${t(plain[e.status])}（${e.message}）`;
    if (e.status >= 500) return `${t('err.server')}（${e.message}）`;
    return getLang() === 'zh' ? chineseOnly(e.message) : e.message;
  }
  return (e as Error)?.message ?? String(e);
}

/**
 * chineseOnly: a server's refusal said in Chinese and then in English in
 * brackets ("该预警已于 … 解除 (warning 2 was lifted at …)"), its Chinese
 * alone; any other message as it is.
 */
export function chineseOnly(msg: string): string {
  const m = /^([\s\S]*[\u4e00-\u9fff][\s\S]*?)\s+\(([^()]*[A-Za-z]{3,}[^()]*)\)$/.exec(msg);
  return m ? m[1] : msg;
}

/**
 * loginErrorText says why a log-in failed, in the user's language: a
 * wrong name or password, an account an admin has stopped, too many
 * attempts (and when to try again, from the server's Retry-After, in
 * Beijing time), no network, the server's trouble. The server's own
 * words are the detail, for the curious.
 */
export function loginErrorText(e: unknown, t: (key: string, vars?: Record<string, string | number>) => string, now: Date = new Date()):
  { text: string; detail: string } {
  if (e instanceof NetworkError) return { text: t('login.network'), detail: '' };
  if (!(e instanceof ApiError)) return { text: t('login.refused'), detail: String((e as Error)?.message ?? e) };
  const detail = `HTTP ${e.status}: ${e.message}`;
  if (e.status === 401) return { text: t('login.wrong'), detail };
  if (e.status === 403) return { text: t('login.disabled'), detail };
  if (e.status === 429) {
    if (e.retryAfter === undefined) return { text: t('login.throttled.later'), detail };
    const at = new Date(now.getTime() + e.retryAfter * 1000 + 8 * 3600 * 1000); // Beijing, UTC+8
    const hhmm = `${String(at.getUTCHours()).padStart(2, '0')}:${String(at.getUTCMinutes()).padStart(2, '0')}`;
    return { text: t('login.throttled', { at: hhmm, min: Math.max(1, Math.ceil(e.retryAfter / 60)) }), detail };
  }
  if (e.status >= 500) return { text: t('login.server'), detail };
  // The server refuses what cannot be a user name before counting it.
  if (e.status === 400 && /^(user name:|a user needs a name|the log-in is larger)/.test(e.message)) return { text: t('login.badname'), detail };
  return { text: t('login.refused'), detail };
}

/**
 * newestOnly counts a view's requests: each call starts one and returns a
 * test of whether it is still the newest. On a slow network an answer for
 * a filter left behind can arrive after the one asked for since; a view
 * draws an answer only while its test holds.
 */
export function newestOnly(): () => () => boolean {
  let asked = 0;
  return () => {
    const mine = ++asked;
    return () => mine === asked;
  };
}
