// The counties' air-quality ranking (HJ 663-2013, GET /api/air/ranking and
// /public/api/ranking) as the pages write it: the audit page's card and the
// public page's section share these (pure: no DOM, no i18n table, so the
// public page loads nothing of the web app).
import type { CountyAir } from './api/types.gen';

export const DASH = '—';

type Num = number | null | undefined;
const missing = (v: Num): v is null | undefined => v === null || v === undefined;

/** fmtIndex: the 综合指数, two decimals as published. */
export const fmtIndex = (v: Num): string => (missing(v) ? DASH : v.toFixed(2));

/** fmtConc: a concentration (µg/m³), whole as published. */
export const fmtConc = (v: Num): string => (missing(v) ? DASH : String(Math.round(v)));

/** fmtShare: the good-day share as a percentage, one decimal at most. */
export const fmtShare = (v: Num): string => (missing(v) ? DASH : `${Math.round(v * 1000) / 10}%`);

/** fmtChange: a relative change of the index, signed (-0.0451 → -4.5%). */
export function fmtChange(v: Num): string {
  if (missing(v)) return DASH;
  const p = Math.round(v * 1000) / 10;
  if (p === 0) return '0%';
  return (p > 0 ? '+' : '') + `${p}%`;
}

/** changeClass: worse (the index went up) or better, for the colour. */
export const changeClass = (v: Num): '' | 'worse' | 'better' => (missing(v) || Math.round(v * 1000) === 0 ? '' : v > 0 ? 'worse' : 'better');

/** rankText: the rank, "—" when not ranked (too few valid days). */
export const rankText = (c: CountyAir): string => (c.rank > 0 ? String(c.rank) : DASH);

/** tied: another county shares c's rank (并列). */
export const tied = (cs: CountyAir[], c: CountyAir): boolean => c.rank > 0 && cs.some((o) => o !== c && o.rank === c.rank);

/** monthText: "2023-10" as 2023年10月. */
export function monthText(m: string): string {
  const [y, mo] = m.split('-');
  return y && mo ? `${y}年${Number(mo)}月` : m;
}

/** notes: the counties' notes in Chinese (estimated from which stations,
 * why a figure is missing), each "区县：…". */
export const notes = (cs: CountyAir[]): string[] => cs.filter((c) => c.note).map((c) => `${c.county_name}：${c.note}`);
