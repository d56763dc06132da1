// Industrial heat in words: why the pipeline called a detection static
// heat (hotspots' status_reason, written in English by detect), and a
// known heat source's name and kind in Chinese where the data has them.
import { t, type Lang, getLang } from './i18n';

/**
 * heatReason turns a hotspot's status_reason into the user's language:
 * "FIRMS type 2 (static land source)", "within 1000 m of known heat source
 * NAME", "persistent heat: 6 detections on 4 days within 400 m in 30 days".
 * An unknown reason is shown as it is.
 */
export function heatReason(reason: string, l: Lang = getLang()): string {
  const r = (reason ?? '').trim();
  if (!r) return '';
  if (/^FIRMS type 2\b/i.test(r)) return t('heat.type2', undefined, l);
  let m = r.match(/^within (\d+(?:\.\d+)?) m of known heat source (.+)$/i);
  if (m) return t('heat.near', { m: m[1], name: m[2] }, l);
  m = r.match(/^persistent heat: (\d+) detections on (\d+) days within (\d+(?:\.\d+)?) m/i);
  if (m) return t('heat.persistent', { n: m[1], days: m[2], m: m[3] }, l);
  return t('heat.other', { why: r }, l);
}

/** heatReasons: the distinct reasons of an event's hotspots, in words, most frequent first. */
export function heatReasons(reasons: (string | undefined)[], l: Lang = getLang()): string[] {
  const n = new Map<string, number>();
  for (const r of reasons) {
    const s = heatReason(r ?? '', l);
    if (s) n.set(s, (n.get(s) ?? 0) + 1);
  }
  return [...n.entries()].sort((a, b) => b[1] - a[1]).map(([s]) => s);
}

/**
 * heatSourceName is a heat source's name to show: its Chinese name when
 * the data has one (GEM's steel plants), else the name as given, with
 * english set when that is an English name (WRI's power plants).
 */
export function heatSourceName(p: { name?: string; props?: Record<string, string> }): { name: string; english: boolean } {
  const zh = p.props?.name_zh?.trim();
  if (zh) return { name: zh, english: false };
  const name = (p.name ?? '').trim();
  return { name, english: name !== '' && !/[\u3400-\u9fff]/.test(name) };
}

/** fuelName is the kind of plant in the user's language: 燃煤电厂, 钢铁厂… */
export function fuelName(fuel: string | undefined, l: Lang = getLang()): string {
  const f = (fuel ?? '').toLowerCase();
  if (!f) return '';
  for (const k of ['steel', 'coal', 'gas', 'oil', 'biomass', 'waste', 'cogeneration']) {
    if (f.includes(k)) return t('fuel.' + k, undefined, l);
  }
  return t('fuel.other', { fuel: fuel! }, l);
}
