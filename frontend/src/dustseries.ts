// The dust chart's data from GET /api/sites/:id/dust, kept apart from
// ECharts so that unit tests run it: a line per monitor and factor (valid
// values only), the flagged values as points of their own, the limit line
// of each rule and the county's ambient PM10 (hour steps), and the wind at
// each time for the tooltip.
import { t, tOr } from './i18n';
import type { SiteDust } from './api/types.gen';

export const DUST_FACTORS = ['pm10', 'pm25', 'tsp'] as const;
export const FACTOR_COLOURS: Record<string, string> = { pm10: '#1c7ed6', pm25: '#2f9e44', tsp: '#e67700' };
/** Each factor's shades for a site's second, third… monitor (the first has the factor's colour): dark, then light, in turn. */
const FACTOR_SHADES: Record<string, string[]> = {
  pm10: [FACTOR_COLOURS.pm10, '#0b3d91', '#74c0fc', '#1864ab'], pm25: [FACTOR_COLOURS.pm25, '#1b5e20', '#8ce99a', '#2b8a3e'],
  tsp: [FACTOR_COLOURS.tsp, '#a04c00', '#ffc078', '#d9480f'],
};

/** factorColour: the colour of monitor i's line of factor f at a site. */
export function factorColour(f: string, i: number): string {
  const shades = FACTOR_SHADES[f] ?? [FACTOR_COLOURS[f]];
  return shades[i % shades.length];
}
export const LIMIT_COLOUR = '#e03131';
export const AMBIENT_COLOUR = '#868e96';
export const FLAGGED_COLOUR = '#7048e8';

export type XY = [number, number];
export interface Line { id: string; name: string; kind: 'factor' | 'flagged' | 'limit' | 'ambient'; factor?: string; colour: string; data: XY[] }
export interface Wind { ws?: number; wd?: number }
export interface DustChartData { lines: Line[]; wind: Map<number, Wind>; flagged: number; from: number; to: number }

const HOUR = 3600e3;

/** valid: a data flag that counts (HJ 212: only N, or none). */
export function validFlag(f: string | undefined): boolean {
  return f === undefined || f === '' || f === 'N';
}

/** steps: one value an hour drawn as a flat step over its hour. */
function steps(points: { at: number; v: number }[]): XY[] {
  const out: XY[] = [];
  for (const p of points) out.push([p.at, p.v], [p.at + HOUR, p.v]);
  return out;
}

/** limitName: "限值 环境均值+80" or "限值 800" with the rule's window. */
export function limitName(l: SiteDust['limits'][number]): string {
  const f = tOr('factor', l.factor);
  return l.over_ambient ? t('dust.limit.over', { f, n: l.limit }) : t('dust.limit.abs', { f, n: l.limit });
}

/** dustChartData: the lines of the chart, the wind by time and how many values are flagged. */
export function dustChartData(d: SiteDust): DustChartData {
  const from = Date.parse(d.from), to = Date.parse(d.to);
  const lines: Line[] = [];
  const wind = new Map<number, Wind>();
  let flagged = 0;
  const several = d.monitors.length > 1;
  for (const [i, { monitor: m, points }] of d.monitors.entries()) {
    const suffix = several ? ` · ${m.name}` : '';
    const bad: XY[] = [];
    for (const f of DUST_FACTORS) {
      const data: XY[] = [];
      for (const p of points) {
        const v = p.values[f];
        if (v === undefined) continue;
        const at = Date.parse(p.at);
        if (validFlag(p.flags?.[f])) data.push([at, v]);
        else { bad.push([at, v]); flagged++; }
      }
      if (data.length) lines.push({ id: `${m.id}-${f}`, name: tOr('factor', f) + suffix, kind: 'factor', factor: f, colour: factorColour(f, i), data });
    }
    if (bad.length) lines.push({ id: `${m.id}-flagged`, name: t('dust.flagged') + suffix, kind: 'flagged', colour: FLAGGED_COLOUR, data: bad });
    for (const p of points) {
      const ws = p.values.ws, wd = p.values.wd;
      if (ws !== undefined || wd !== undefined) wind.set(Date.parse(p.at), { ws, wd });
    }
  }
  for (const l of d.limits) {
    const data = l.over_ambient ? steps((l.points ?? []).map((p) => ({ at: Date.parse(p.at), v: p.value }))) : [[from, l.limit], [to, l.limit]] as XY[];
    if (data.length) lines.push({ id: 'limit-' + l.rule, name: limitName(l), kind: 'limit', factor: l.factor, colour: LIMIT_COLOUR, data });
  }
  if (d.ambient.length) {
    const src = d.ambient[d.ambient.length - 1].source;
    lines.push({ id: 'ambient', name: t('dust.ambient', { src: tOr('ambient.src', src) }), kind: 'ambient', factor: 'pm10', colour: AMBIENT_COLOUR,
      data: steps(d.ambient.map((a) => ({ at: Date.parse(a.hour), v: a.pm10 }))) });
  }
  return { lines, wind, flagged, from, to };
}

const DIRS = ['北', '东北', '东', '东南', '南', '西南', '西', '西北'];
const DIRS_EN = ['N', 'NE', 'E', 'SE', 'S', 'SW', 'W', 'NW'];

/** windText: "西风 2.5 m/s" (the direction the wind comes from), "" without wind. */
export function windText(w: Wind | undefined, lang: 'zh' | 'en' = 'zh'): string {
  if (!w || (w.ws === undefined && w.wd === undefined)) return '';
  const parts: string[] = [];
  if (w.wd !== undefined) {
    const i = Math.round((((w.wd % 360) + 360) % 360) / 45) % 8;
    parts.push(lang === 'zh' ? DIRS[i] + '风' : DIRS_EN[i] + ' wind');
  }
  if (w.ws !== undefined) parts.push(`${w.ws.toFixed(1)} m/s`);
  return parts.join(' ');
}

/** nearestWind: the wind at the time closest to at (within 90 minutes), for the tooltip. */
export function nearestWind(wind: Map<number, Wind>, at: number): Wind | undefined {
  let best: Wind | undefined, gap = 90 * 60e3;
  for (const [k, w] of wind) {
    const g = Math.abs(k - at);
    if (g <= gap) { gap = g; best = w; }
  }
  return best;
}
