// Pure helpers of the reviewers' task list (reviewlist.ts): the filter <->
// the URL hash and the API's query, the page text, a task's deadline in
// words, and what a bulk close did. No DOM here (tested with Vitest).
import { formatCountdown, formatDateTime, nextDay } from './format';
import { t, tOr } from './i18n';

export const PAGE_SIZE = 50;
export const SORTS = ['deadline', 'created', 'first_seen', 'state', 'place'] as const;
export type Sort = (typeof SORTS)[number];
/** The state filter: open (not closed, the default), all, or one state. */
export const STATE_CHOICES = ['open', 'all', 'dispatched', 'acknowledged', 'reported', 'closed'] as const;
export type StateChoice = (typeof STATE_CHOICES)[number];
export type View = 'list' | 'map';

/** ListFilter is what the list shows; it lives in the URL hash (#/tasks?…). */
export interface ListFilter {
  city: string; // a province's city: its counties' tasks
  county: string;
  township: string;
  grid: string;
  cls: string; // an event class
  state: StateChoice;
  overdue: boolean;
  from: string; // YYYY-MM-DD, the first Beijing day the fire was first seen on
  to: string; // YYYY-MM-DD, the last one (included)
  q: string; // a task id (#123 or 123) or a place's name or id
  sort: Sort;
  order: 'asc' | 'desc';
  page: number; // from 1
  view: View;
}

/** defaultOrder: newest first for times, else ascending. */
export const defaultOrder = (s: Sort): 'asc' | 'desc' => (s === 'created' || s === 'first_seen' ? 'desc' : 'asc');

export const DEFAULT_FILTER: ListFilter = {
  city: '', county: '', township: '', grid: '', cls: '', state: 'open', overdue: false, from: '', to: '', q: '', sort: 'deadline', order: 'asc', page: 1, view: 'list',
};

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const oneOf = <T extends string>(v: string | null, all: readonly T[], def: T): T => (v !== null && (all as readonly string[]).includes(v) ? (v as T) : def);

/** parseListQuery reads the hash's query ("state=reported&page=2"); what is not understood is the default. */
export function parseListQuery(query: string): ListFilter {
  const p = new URLSearchParams(query);
  const str = (k: string) => (p.get(k) ?? '').trim();
  const sort = oneOf(p.get('sort'), SORTS, DEFAULT_FILTER.sort);
  const page = Number(p.get('page'));
  return {
    city: str('city'), county: str('county'), township: str('township'), grid: str('grid'), cls: str('class'),
    state: oneOf(p.get('state'), STATE_CHOICES, 'open'),
    overdue: p.get('overdue') === '1' || p.get('overdue') === 'true',
    from: DAY.test(str('from')) ? str('from') : '', to: DAY.test(str('to')) ? str('to') : '',
    q: str('q').slice(0, 100), sort, order: oneOf(p.get('order'), ['asc', 'desc'] as const, defaultOrder(sort)),
    page: Number.isInteger(page) && page > 0 ? page : 1,
    view: oneOf(p.get('view'), ['list', 'map'] as const, 'list'),
  };
}

/** listQuery is the hash's query for a filter: only what differs from the defaults, in a fixed order. */
export function listQuery(f: ListFilter): string {
  const p = new URLSearchParams();
  const set = (k: string, v: string, def = '') => { if (v !== def) p.set(k, v); };
  set('city', f.city); set('county', f.county); set('township', f.township); set('grid', f.grid); set('class', f.cls);
  set('state', f.state, 'open');
  if (f.overdue) p.set('overdue', '1');
  set('from', f.from); set('to', f.to); set('q', f.q.trim());
  set('sort', f.sort, DEFAULT_FILTER.sort); set('order', f.order, defaultOrder(f.sort));
  if (f.page > 1) p.set('page', String(f.page));
  set('view', f.view, 'list');
  return p.toString();
}

/** listHash is the page's address for a filter. */
export const listHash = (f: ListFilter): string => { const q = listQuery(f); return '#/tasks' + (q ? '?' + q : ''); };

/** apiQuery is GET /api/tasks's parameters for a filter and page size. Dates bound the fire's first sight, in Beijing days. */
export function apiQuery(f: ListFilter, size = PAGE_SIZE): Record<string, string | number> {
  const q: Record<string, string | number> = {};
  const put = (k: string, v: string) => { if (v) q[k] = v; };
  put('city', f.city); put('county', f.county); put('township', f.township); put('grid', f.grid); put('class', f.cls);
  if (f.state !== 'all') q.state = f.state;
  if (f.overdue) q.overdue = 'true';
  if (f.from || f.to) {
    const [a, b] = f.from && f.to && f.to < f.from ? [f.to, f.from] : [f.from, f.to];
    q.date = 'first_seen';
    if (a) q.since = `${a}T00:00:00+08:00`;
    if (b) q.until = `${nextDay(b)}T00:00:00+08:00`;
  }
  put('q', f.q.trim());
  q.sort = f.sort;
  q.order = f.order;
  q.limit = size;
  q.offset = (Math.max(1, f.page) - 1) * size;
  return q;
}

/** pageCount: how many pages the total takes (at least one). */
export const pageCount = (total: number, size = PAGE_SIZE): number => Math.max(1, Math.ceil(total / size));

/** pageText: "第 2/7 页，共 312 条". */
export function pageText(page: number, total: number, size = PAGE_SIZE): string {
  return t('rl.pagetext', { page, pages: pageCount(total, size), total });
}

/** A listed task, as GET /api/tasks gives it. */
export interface ListedTask {
  id: number; version: number; state: string; overdue?: boolean;
  ack_due?: string; report_due?: string; reported_at?: string; closed_at?: string;
  first_seen?: string; event_class?: string; supervisor_name?: string;
  county_id?: string; county_name?: string; township_id?: string; township_name?: string; grid_id?: string; grid_name?: string;
  lon?: number; lat?: number; escalation?: number; finding?: string; notes?: string;
  /** An emergency inspection's listed site or enterprise. */
  listed_name?: string;
}

/**
 * deadlineText says a task's deadline in words: which deadline, when, and
 * the time left or how late (by the server's clock, `now`); for a reported
 * task that it waits for review, for a closed one when it was closed.
 */
export function deadlineText(x: ListedTask, now: number): { text: string; when: string; over: boolean } {
  if (x.state === 'reported') return { text: t('rl.waiting'), when: x.reported_at ? t('rl.reportedat', { at: formatDateTime(x.reported_at) }) : '', over: false };
  if (x.state === 'closed') return { text: t('rl.closedat', { at: formatDateTime(x.closed_at) }), when: '', over: false };
  const due = x.state === 'dispatched' ? x.ack_due : x.report_due;
  const d = due ? Date.parse(due) : NaN;
  if (isNaN(d)) return { text: '', when: '', over: false };
  const over = x.overdue ?? d < now;
  const label = x.state === 'dispatched' ? t('task.ackdue') : t('task.reportdue');
  return { text: over ? formatCountdown(Math.min(d - now, 0)) : t('rl.left', { t: formatCountdown(d - now) }), when: `${label} ${formatDateTime(d)}`, over };
}

/** A task of a refused bulk close (the API's error.tasks). */
export interface Refusal { id: number; code: string; version?: number; state?: string; message?: string }

/** closeResultText says what a bulk close did: how many closed, or which tasks stopped it (then none was closed). */
export function closeResultText(r: { closed: number } | { status: number; refused: Refusal[]; message?: string }): string {
  if ('closed' in r) return t('rl.closed.n', { n: r.closed });
  const named = (code: string) => r.refused.filter((x) => x.code === code);
  const list = (xs: Refusal[], withState: boolean) => xs.map((x) => (withState && x.state ? t('rl.now', { id: x.id, state: tOr('state', x.state) }) : `#${x.id}`)).join('、');
  if (r.status === 403 && named('forbidden').length) return t('rl.refused.area', { list: list(named('forbidden'), false) });
  if (r.status === 404 && named('not_found').length) return t('rl.refused.gone', { list: list(named('not_found'), false) });
  if (r.status === 409 && named('conflict').length) return t('rl.refused.changed', { n: named('conflict').length, list: list(named('conflict'), true) });
  return t('rl.refused.other', { why: r.message ?? String(r.status) });
}
