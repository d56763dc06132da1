// Formatting and time-zone helpers. All times are shown in Asia/Shanghai (UTC+8, no DST).
import { getLang, locale, t, type Lang } from './i18n';
import { latestDetection, now as serverNow } from './clock';
import { monthText } from './airrank';

export const TZ = 'Asia/Shanghai';
const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;

const fmtCache = new Map<string, Intl.DateTimeFormat>();
function dtf(l: Lang, withDate: boolean, withTime: boolean): Intl.DateTimeFormat {
  const key = `${l}|${withDate}|${withTime}`;
  let f = fmtCache.get(key);
  if (!f) {
    const o: Intl.DateTimeFormatOptions = { timeZone: TZ, hourCycle: 'h23' };
    if (withDate) Object.assign(o, { year: 'numeric', month: '2-digit', day: '2-digit' });
    if (withTime) Object.assign(o, { hour: '2-digit', minute: '2-digit' });
    f = new Intl.DateTimeFormat(locale(l), o);
    fmtCache.set(key, f);
  }
  return f;
}

function toDate(v: string | number | Date | null | undefined): Date | null {
  if (v === null || v === undefined || v === '') return null;
  const d = v instanceof Date ? v : new Date(v);
  if (isNaN(d.getTime()) || d.getTime() <= 0 || d.getUTCFullYear() <= 1) return null;
  return d;
}

/** Date parts of an instant as seen in Shanghai. */
export function shanghaiParts(v: string | number | Date): { y: number; m: number; d: number; hh: number; mm: number } {
  const d = new Date(new Date(v).getTime() + SHANGHAI_OFFSET_MS);
  return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate(), hh: d.getUTCHours(), mm: d.getUTCMinutes() };
}

const p2 = (n: number) => String(n).padStart(2, '0');

/** formatDateTime: "2023-10-05 14:30" in Shanghai time, locale-independent digits; '' for no time. */
export function formatDateTime(v: string | number | Date | null | undefined): string {
  const d = toDate(v);
  if (!d) return '';
  const p = shanghaiParts(d);
  return `${p.y}-${p2(p.m)}-${p2(p.d)} ${p2(p.hh)}:${p2(p.mm)}`;
}

/** formatDate: "2023-10-05" in Shanghai time. */
export function formatDate(v: string | number | Date | null | undefined): string {
  const d = toDate(v);
  if (!d) return '';
  const p = shanghaiParts(d);
  return `${p.y}-${p2(p.m)}-${p2(p.d)}`;
}

/** formatLocal: the locale's own rendering (Intl) of an instant in Shanghai time. */
export function formatLocal(v: string | number | Date | null | undefined, l: Lang = getLang()): string {
  const d = toDate(v);
  return d ? dtf(l, true, true).format(d) : '';
}

/** shanghaiDayRange: RFC 3339 since/until covering one calendar day (YYYY-MM-DD) in Shanghai. */
export function shanghaiDayRange(day: string): { since: string; until: string } {
  return { since: `${day}T00:00:00+08:00`, until: nextDay(day) + 'T00:00:00+08:00' };
}

/** shanghaiRange: from the start of day `from` to the end of day `to` (inclusive), Shanghai. */
export function shanghaiRange(from: string, to: string): { since: string; until: string } {
  if (to < from) [from, to] = [to, from];
  return { since: `${from}T00:00:00+08:00`, until: nextDay(to) + 'T00:00:00+08:00' };
}

export function nextDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  const n = new Date(Date.UTC(y, m - 1, d + 1));
  return `${n.getUTCFullYear()}-${p2(n.getUTCMonth() + 1)}-${p2(n.getUTCDate())}`;
}

/** dataDay: the Shanghai day ("YYYY-MM-DD") the map's time window and the
 * statistics open on: that of the server's latest detection at or before
 * its now, else the server's today. A city's server opens on its own
 * season; the demo's, whose clock stands at the end of October 2023, on
 * October 2023. */
export function dataDay(latest: number | null = latestDetection(), at: number = serverNow()): string {
  return formatDate(latest !== null && latest <= at ? latest : at);
}

/** daysIn: how many days the month "YYYY-MM" has. */
export function daysIn(month: string): number {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** monthName: "2023-10" as 2023年10月, or October 2023 in English. */
export function monthName(month: string, l: Lang = getLang()): string {
  const [y, m] = month.split('-').map(Number);
  if (l === 'zh' || !y || !m) return monthText(month);
  return new Date(Date.UTC(y, m - 1, 1)).toLocaleDateString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
}

/** monthDay: "YYYY-MM-DD" for day d of the month "YYYY-MM" (kept within it). */
export function monthDay(month: string, d: number): string {
  return `${month}-${p2(Math.min(daysIn(month), Math.max(1, Math.round(d))))}`;
}

/** lastHours: the window ending at `now` and starting `hours` earlier, as RFC 3339 UTC. */
export function lastHours(hours: number, now: Date = new Date(serverNow())): { since: string; until: string } {
  const until = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const since = new Date(until.getTime() - hours * 3600 * 1000);
  return { since: rfc3339(since), until: rfc3339(until) };
}

export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** withTimeParams adds since/until to a tile or API URL template. */
export function withTimeParams(url: string, win: { since?: string; until?: string } | null): string {
  if (!win || (!win.since && !win.until)) return url;
  const q: string[] = [];
  if (win.since) q.push('since=' + encodeURIComponent(win.since));
  if (win.until) q.push('until=' + encodeURIComponent(win.until));
  return url + (url.includes('?') ? '&' : '?') + q.join('&');
}

/** formatCountdown: "2天3小时", "3小时5分", "45分" (or overdue prefix) for ms until a deadline. */
export function formatCountdown(ms: number, l: Lang = getLang()): string {
  const over = ms < 0;
  let m = Math.floor(Math.abs(ms) / 60000);
  const d = Math.floor(m / 1440);
  m -= d * 1440;
  const h = Math.floor(m / 60);
  m -= h * 60;
  const sep = l === 'zh' ? '' : ' ';
  const parts: string[] = [];
  if (d) parts.push(`${d}${sep}${t('unit.d', undefined, l)}`);
  if (h || d) parts.push(`${h}${sep}${t('unit.h', undefined, l)}`);
  if (!d) parts.push(`${m}${sep}${t('unit.m', undefined, l)}`);
  const body = parts.join(l === 'zh' ? '' : ' ');
  return over ? `${t('tasks.overdue', undefined, l)} ${body}` : body;
}

/**
 * formatArea: an area in one unit everywhere, whole square metres with
 * thousands separators ("9,437 m²", "243,902,536 m²"): a registry column
 * that mixed m² and 公顷 could not be compared at a glance, and the rules
 * (5,000 m²) are in m².
 */
export function formatArea(m2: number | null | undefined, l: Lang = getLang()): string {
  if (m2 === null || m2 === undefined || !isFinite(m2)) return '';
  return `${formatNumber(Math.round(m2), l)} m²`;
}

export function formatNumber(n: number, l: Lang = getLang()): string {
  return new Intl.NumberFormat(locale(l)).format(n);
}

/** bboxAround: "W,S,E,N" of a small box (half-size deg) around a point. */
export function bboxAround(lat: number, lng: number, half: number): string {
  const r = (x: number) => Math.round(x * 1e6) / 1e6;
  return [r(lng - half), r(lat - half), r(lng + half), r(lat + half)].join(',');
}

/**
 * tapHalfDegrees is half the side, in degrees, of the box a tap on the map
 * looks in for events and sites: at least px pixels each way (a 44 px
 * target by default, what a thumb hits on a phone), and never less than
 * minDeg (about 130 m: a satellite fire pixel is 375 m wide).
 */
export function tapHalfDegrees(zoom: number, px = 22, minDeg = 0.0015): number {
  return Math.max(minDeg, (px * 360) / (256 * Math.pow(2, zoom)));
}

/** deadlineOf: the deadline that matters now for a task (ack for dispatched, report for acknowledged). */
export function deadlineOf(task: { state: string; ack_due?: string; report_due?: string }): number | null {
  const v = task.state === 'dispatched' ? task.ack_due : task.state === 'acknowledged' ? task.report_due : null;
  const d = toDate(v ?? null);
  return d ? d.getTime() : null;
}

/** escapeHtml for text put into innerHTML. */
export function escapeHtml(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** formatAgo: "刚刚", "25分钟前", "3小时前", "2天前" for how long ago an instant was. */
export function formatAgo(v: string | number | Date | null | undefined, at: number = serverNow(), l: Lang = getLang()): string {
  const d = toDate(v);
  if (!d) return '';
  const m = Math.floor((at - d.getTime()) / 60000);
  if (m < 1) return t('ago.now', undefined, l);
  if (m < 60) return t('ago.m', { n: m }, l);
  if (m < 48 * 60) return t('ago.h', { n: Math.floor(m / 60) }, l);
  return t('ago.d', { n: Math.floor(m / 1440) }, l);
}

/** formatShort: "10月31日 14:05" (English "Oct 31 14:05") in Shanghai time; the year when not this one. */
export function formatShort(v: string | number | Date | null | undefined, at: number = serverNow(), l: Lang = getLang()): string {
  const d = toDate(v);
  if (!d) return '';
  const p = shanghaiParts(d);
  const year = shanghaiParts(at).y === p.y ? '' : l === 'zh' ? `${p.y}年` : `${p.y} `;
  const hm = `${p2(p.hh)}:${p2(p.mm)}`;
  if (l === 'zh') return `${year}${p.m}月${p.d}日 ${hm}`;
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][p.m - 1];
  return `${year}${mon} ${p.d} ${hm}`;
}
