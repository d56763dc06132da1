// Pure helpers of the audit pages: the period filter <-> the API's period
// string and the URL hash, the daily chart's series, the response-time
// histogram, audit actions. No DOM here (tested with Vitest).
import { t, type Lang } from './i18n';

export type PeriodKind = 'day' | 'week' | 'month' | 'range' | 'key' | 'year';
export const PERIOD_KINDS: PeriodKind[] = ['month', 'week', 'day', 'range', 'key', 'year'];

/** The period form's fields; only those of the kind are used. */
export interface PeriodFields {
  kind: PeriodKind;
  day: string; // YYYY-MM-DD (day, and the day a week is picked by)
  month: string; // YYYY-MM
  from: string; // YYYY-MM-DD, range start
  to: string; // YYYY-MM-DD, range end, included
  year: string; // YYYY (year and key period)
  key: 'spring' | 'autumn';
}

/** defaultFields: the form opened on the month of day ("YYYY-MM-DD", the
 * day of the latest detection: format's dataDay), the other kinds on that
 * day, its month so far, its year and its half's key period. */
export function defaultFields(day: string): PeriodFields {
  const month = day.slice(0, 7);
  return { kind: 'month', day, month, from: month + '-01', to: day, year: day.slice(0, 4), key: Number(day.slice(5, 7)) <= 6 ? 'spring' : 'autumn' };
}

const p2 = (n: number) => String(n).padStart(2, '0');
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function utcDay(s: string): Date | null {
  const m = DAY.exec(s);
  if (!m) return null;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3] ? d : null;
}
const dayStr = (d: Date) => `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}`;

export function addDays(day: string, n: number): string {
  const d = utcDay(day);
  if (!d) return day;
  d.setUTCDate(d.getUTCDate() + n);
  return dayStr(d);
}

/** isoWeek: the ISO week ("2023-W43") holding a day. */
export function isoWeek(day: string): string {
  const d = utcDay(day);
  if (!d) return '';
  const dow = (d.getUTCDay() + 6) % 7; // Monday 0
  const thu = new Date(d.getTime() + (3 - dow) * 86400000); // the week's Thursday decides its year
  const y = thu.getUTCFullYear();
  const jan4 = new Date(Date.UTC(y, 0, 4));
  const week1 = new Date(jan4.getTime() - ((jan4.getUTCDay() + 6) % 7) * 86400000);
  return `${y}-W${p2(Math.floor((thu.getTime() - week1.getTime()) / (7 * 86400000)) + 1)}`;
}

/** weekMonday: the Monday ("YYYY-MM-DD") of an ISO week ("2023-W43"). */
export function weekMonday(week: string): string {
  const m = /^(\d{4})-W(\d{1,2})$/.exec(week);
  if (!m) return '';
  const jan4 = new Date(Date.UTC(+m[1], 0, 4));
  const mon = new Date(jan4.getTime() - ((jan4.getUTCDay() + 6) % 7) * 86400000 + (+m[2] - 1) * 7 * 86400000);
  return dayStr(mon);
}

/** periodOf: the API's period string of the form's fields ('' when incomplete). */
export function periodOf(f: PeriodFields): string {
  switch (f.kind) {
    case 'day': return utcDay(f.day) ? f.day : '';
    case 'week': return isoWeek(f.day);
    case 'month': return /^\d{4}-\d{2}$/.test(f.month) ? f.month : '';
    case 'year': return /^\d{4}$/.test(f.year) ? f.year : '';
    case 'key': return /^\d{4}$/.test(f.year) ? `${f.year}-${f.key}` : '';
    case 'range': {
      if (!utcDay(f.from) || !utcDay(f.to)) return '';
      const [a, b] = f.to < f.from ? [f.to, f.from] : [f.from, f.to];
      return `${a}..${addDays(b, 1)}`; // the API's until is excluded
    }
  }
}

/** fieldsOf: the form's fields for an API period string (base's for the rest). */
export function fieldsOf(period: string, base: PeriodFields): PeriodFields {
  const f: PeriodFields = { ...base };
  const s = (period ?? '').trim();
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(s)) && utcDay(m[1]) && utcDay(m[2])) {
    return { ...f, kind: 'range', from: m[1], to: addDays(m[2], -1) };
  }
  if (/^\d{4}-\d{2}$/.test(s)) return { ...f, kind: 'month', month: s };
  if (utcDay(s)) return { ...f, kind: 'day', day: s };
  if ((m = /^(\d{4})-W(\d{1,2})$/.exec(s))) return { ...f, kind: 'week', day: weekMonday(s) };
  if ((m = /^(\d{4})-(spring|autumn)$/.exec(s))) return { ...f, kind: 'key', year: m[1], key: m[2] as 'spring' | 'autumn' };
  if (/^\d{4}$/.test(s)) return { ...f, kind: 'year', year: s };
  return f;
}

export type GroupBy = 'city' | 'county' | 'township' | 'grid';
export interface AuditFilter { period: string; by: GroupBy; region: string }

/** parseAuditQuery reads the hash's query ("period=2023-10&by=county"),
 * the period month by default. */
export function parseAuditQuery(q: string, month: string): AuditFilter {
  const p = new URLSearchParams(q.startsWith('?') ? q.slice(1) : q);
  const by = p.get('by');
  return {
    period: p.get('period') || month,
    by: by === 'township' || by === 'grid' || by === 'city' ? by : 'county',
    region: p.get('region') ?? '',
  };
}

/** auditQuery writes a filter for the hash (and the API). */
export function auditQuery(f: AuditFilter): string {
  const p = new URLSearchParams();
  p.set('period', f.period);
  p.set('by', f.by);
  if (f.region) p.set('region', f.region);
  return p.toString();
}

/** isMonth: the period is one calendar month (the monthly report exists). */
export const isMonth = (period: string): boolean => /^\d{4}-\d{2}$/.test(period);

/** The class stacking order of the daily chart (straw burning at the bottom). */
export const CLASS_ORDER = ['straw_burning', 'open_burning', 'loose_coal_burning', 'construction_site', 'stockpile', 'industrial_heat'];
export const CLASS_COLORS: Record<string, string> = {
  straw_burning: '#e8590c', open_burning: '#fab005', loose_coal_burning: '#495057',
  construction_site: '#1c7ed6', stockpile: '#7048e8', industrial_heat: '#adb5bd',
};

export interface Day { day: string; by_class: Record<string, number> }

/** stackDaily: one series per class present (stacking order first, others by name), a value per day. */
export function stackDaily(days: Day[]): { days: string[]; series: { cls: string; data: number[] }[] } {
  const present = new Set<string>();
  for (const d of days) for (const [c, n] of Object.entries(d.by_class ?? {})) if (n > 0) present.add(c);
  const classes = [...CLASS_ORDER.filter((c) => present.has(c)), ...[...present].filter((c) => !CLASS_ORDER.includes(c)).sort()];
  return {
    days: days.map((d) => d.day),
    series: classes.map((cls) => ({ cls, data: days.map((d) => d.by_class?.[cls] ?? 0) })),
  };
}

export interface Bin { from: number; to: number; count: number }
export interface Histogram { unit: 'min' | 'h'; bins: Bin[] }

/** niceStep: 1, 2 or 5 × 10^k (and 15, 30 for minutes) cutting max into at most n steps. */
export function niceStep(max: number, n: number, steps = [1, 2, 5, 10]): number {
  if (!(max > 0) || n < 1) return 1;
  const raw = max / n;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of steps) if (m * p >= raw) return m * p;
  return 10 * p;
}

/**
 * histogram bins response times (minutes): minute bins while the longest
 * is within 3 hours, hour bins beyond; at most about 12 bins, each [from, to)
 * in the unit, the last holding the maximum. Negative and non-finite
 * values are dropped.
 */
export function histogram(minutes: number[], maxBins = 12): Histogram {
  const vals = minutes.filter((m) => Number.isFinite(m) && m >= 0);
  if (!vals.length) return { unit: 'min', bins: [] };
  const hi = Math.max(...vals);
  const unit: 'min' | 'h' = hi > 180 ? 'h' : 'min';
  const xs = unit === 'h' ? vals.map((v) => v / 60) : vals;
  const top = unit === 'h' ? hi / 60 : hi;
  let width = niceStep(top, maxBins);
  if (unit === 'min') width = Math.max(1, width);
  const n = Math.floor(top / width) + 1;
  const bins: Bin[] = Array.from({ length: n }, (_, i) => ({ from: round(i * width), to: round((i + 1) * width), count: 0 }));
  for (const x of xs) bins[Math.min(Math.floor(x / width), n - 1)].count++;
  return { unit, bins };
}
const round = (x: number) => Math.round(x * 1e6) / 1e6;

/** quantile: nearest rank, as the server's statistics. */
export function quantile(values: number[], q: number): number | null {
  const s = values.filter(Number.isFinite).slice().sort((a, b) => a - b);
  if (!s.length) return null;
  return s[Math.min(Math.max(Math.ceil(q * s.length) - 1, 0), s.length - 1)];
}

export interface RankLike { region_name: string; score: number; stats: { cropland_ha?: number; unverified?: number } | null }
export interface RankBar { name: string; value: number; by: 'per_ha' | 'count' | 'unverified' }

/**
 * rankBars: the ranking chart's bars, worst first, as ranked: the score
 * (straw burning per 1000 ha of cropland, or the count); when every score
 * is 0 the ranking falls to its tie-break, the unverified tasks, and so do
 * the bars.
 */
export function rankBars(ranks: RankLike[]): RankBar[] {
  const byScore = ranks.some((r) => r.score > 0);
  return ranks.map((r) => byScore
    ? { name: r.region_name, value: r.score, by: r.stats?.cropland_ha ? 'per_ha' : 'count' }
    : { name: r.region_name, value: r.stats?.unverified ?? 0, by: 'unverified' });
}

/** The words of an event's creation by its class: only a fire is a 火情. */
const CREATED: Record<string, string> = {
  dust_exceedance: 'dust', monitor_offline: 'dust', site_inspection: 'site', emergency_inspection: 'emergency', public_report: 'public',
};

/**
 * actionKey: the i18n key of an audit action ("task.close" ->
 * "action.task.close"); an event created, by the class its line gives
 * (after: "class=emergency_inspection …" -> "action.event.create.emergency").
 */
export function actionKey(action: string, after = ''): string {
  const cls = action === 'event.create' ? /(?:^| )class=(\w+)/.exec(after)?.[1] : undefined;
  return cls && CREATED[cls] ? `action.event.create.${CREATED[cls]}` : 'action.' + action;
}

/** change: the change of a count against a year ago, as "+3 (+25%)" ('' when no figure). */
export function change(now: number | null | undefined, ago: number | null | undefined): string {
  if (now === null || now === undefined || ago === null || ago === undefined) return '';
  const d = now - ago;
  const sign = d > 0 ? '+' : d < 0 ? '−' : '±';
  let s = `${sign}${Math.abs(Math.round(d * 10) / 10)}`;
  if (ago > 0 && d !== 0) s += ` (${sign}${Math.abs(Math.round((d / ago) * 100))}%)`;
  return s;
}

/**
 * yearAgoText: a figure against the same period a year before, in words:
 * "同比 +3 (+25%)"; "去年无数据" when nothing at all is stored for the year
 * before (its zeros are no data: Stats.no_data); "去年同期为 0" for a count
 * up from 0 (no percentage of 0); '' without a figure.
 */
export function yearAgoText(now: number | null | undefined, ago: number | null | undefined, noData: boolean, l?: Lang): string {
  if (noData) return t('audit.noyear', undefined, l);
  const c = change(now, ago);
  if (!c) return '';
  if (ago === 0 && (now ?? 0) > 0) return t('audit.fromzero', undefined, l);
  return `${t('audit.yearago', undefined, l)} ${c}`;
}

/** worstCapture: the n monitors with the lowest data capture (those with
 * no expected minutes, which have no rate, last; then the longest
 * offline), for a province's thousands of monitors. */
export function worstCapture<M extends { capture_rate: number | null; offline_hours: number; mn: string }>(ms: M[], n: number): M[] {
  const rate = (m: M) => (m.capture_rate === null ? Infinity : m.capture_rate);
  return [...ms].sort((a, b) => rate(a) - rate(b) || b.offline_hours - a.offline_hours || a.mn.localeCompare(b.mn)).slice(0, n);
}

/** mostHours: the rows in their order when there are n or fewer, else the
 * n with the most hours, most first (a chart of a province's 120 counties
 * would be taller than ten screens). */
export function mostHours<R extends { hours: number }>(rows: R[], n: number): R[] {
  return rows.length <= n ? rows : [...rows].sort((a, b) => b.hours - a.hours).slice(0, n);
}
