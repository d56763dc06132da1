// Heavy-pollution warnings (重污染天气预警) in words and colours, and the
// emergency inspection's checklist: pure functions, shared by the
// warnings page, the banner, the phone's checklist and the review.
import { t } from './i18n';
import { formatDateTime } from './format';
import type { ChecklistItem, Measure, Warning } from './api/types.gen';

/** skygrid.Warning, skygrid.Measure and skygrid.ChecklistItem (generated: make types). */
export type { ChecklistItem, Measure, Warning } from './api/types.gen';

/** The levels, mildest first (skygrid.WarningLevels). */
export const LEVELS = ['blue', 'yellow', 'orange', 'red'];

/** The level colours (report.WarningLevelColors keeps the same four). */
export const LEVEL_COLORS: Record<string, string> = { blue: '#1e6fd9', yellow: '#f5c400', orange: '#ff7e00', red: '#e0201b' };

/** levelInk: the text colour that reads on the level's colour (black on yellow). */
export function levelInk(level: string): string {
  return level === 'yellow' ? '#212529' : '#ffffff';
}

/** levelName: "橙色预警". */
export function levelName(level: string): string {
  return t('warn.level.' + level);
}

/** areaText: the counties' names (a whole city of a province's by its name), or 全市 for the whole city. */
export function areaText(w: { county_ids?: string[] | null; county_names?: string[] | null; area_names?: string[] | null }): string {
  const names = w.area_names?.length ? w.area_names : w.county_names?.length ? w.county_names : w.county_ids ?? [];
  return names.length ? names.join('、') : t('warn.city');
}

/**
 * inForce: not lifted, and started (the server says active, or the start
 * has come by the page's clock). The server's word wins: the page's clock
 * may be a moment behind the server's, which lifted it at its own now.
 */
export function inForce(w: Pick<Warning, 'start' | 'lifted_at' | 'state'>, at: number): boolean {
  if (w.lifted_at || w.state === 'lifted') return false;
  return w.state === 'active' || Date.parse(w.start) <= at;
}

/** withdrawn: lifted before it began (never in force; no report to read). */
export function withdrawn(w: Pick<Warning, 'start' | 'lifted_at' | 'state'>): boolean {
  return w.state === 'lifted' && Date.parse(w.lifted_at ?? '') <= Date.parse(w.start);
}

/**
 * pastEnd: in force beyond its expected end (nothing lifts a warning but
 * an official): the page asks them to lift or extend it.
 */
export function pastEnd(w: Pick<Warning, 'start' | 'lifted_at' | 'state' | 'expected_end'>, at: number): boolean {
  return inForce(w, at) && Date.parse(w.expected_end) <= at;
}

/** bannerText: "橙色预警 · 云州区、平城区 · 预计 12-08 08:00 结束". */
export function bannerText(w: Warning): string {
  return t('warn.banner', { level: levelName(w.level), area: areaText(w), end: formatDateTime(w.expected_end).slice(5) });
}

/** strongest: the most severe of the warnings in force (the banner's), or null. */
export function strongest(ws: Warning[], at: number): Warning | null {
  const live = ws.filter((w) => inForce(w, at));
  live.sort((a, b) => LEVELS.indexOf(b.level) - LEVELS.indexOf(a.level) || Date.parse(b.start) - Date.parse(a.start));
  return live[0] ?? null;
}

/** measureText: a measure in the list's words: 停止土石方作业, 限产30%. */
export function measureText(m: Measure): string {
  if (!m.code) return m.text;
  const name = t('measure.' + m.code);
  if (name === 'measure.' + m.code) return m.text;
  return m.code === 'limit_output' && m.percent ? `${name}${m.percent}%` : name;
}

/** unanswered: the measures not yet marked 已落实 or 未落实 (their indexes). */
export function unanswered(items: Pick<ChecklistItem, 'in_place'>[]): number[] {
  return items.flatMap((x, i) => (x.in_place === true || x.in_place === false ? [] : [i]));
}

/**
 * checklistPayload: the report's checklist and its photos in upload order:
 * each measure's photos are appended after those of the general report
 * (the first `general` files) and named by their index (photo_index).
 */
export function checklistPayload<F>(items: ChecklistItem[], photos: F[][], general: number):
  { checklist: ChecklistItem[]; files: F[] } {
  const files: F[] = [];
  const checklist = items.map((x, i) => {
    const mine = photos[i] ?? [];
    const index = mine.map((_, j) => general + files.length + j);
    files.push(...mine);
    const out: ChecklistItem = { measure: x.measure, in_place: x.in_place };
    if (x.note?.trim()) out.note = x.note.trim();
    if (index.length) out.photo_index = index;
    return out;
  });
  return { checklist, files };
}

/** checklistSummary: "2/3 项已落实". */
export function checklistSummary(items: Pick<ChecklistItem, 'in_place'>[]): string {
  return t('check.summary', { n: items.filter((x) => x.in_place === true).length, of: items.length });
}

/** toBeijingInput: an instant as a datetime-local value in Beijing time ("2026-12-05T08:00"). */
export function toBeijingInput(v: string | number | Date): string {
  return formatDateTime(v).replace(' ', 'T');
}

/** fromBeijingInput: a datetime-local value read in Beijing time, as RFC 3339 UTC; '' when not a time. */
export function fromBeijingInput(s: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(s.trim());
  if (!m) return '';
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4] - 8, +m[5]);
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
