// Satellite passes in words (卫星过境), shared by the map's panel, the task
// page and the public page: no DOM, no i18n table (the public page loads
// neither: so not even format.ts), Beijing time.

export interface PassLike { satellite: string; peak: string; night: boolean }
export interface PassListLike { tle_source: string; tle_age_days: number; tle_epoch: string }

const p2 = (n: number) => String(n).padStart(2, '0');

/** passWhen: "12月5日 13:42" in Beijing time (UTC+8, no summer time). */
export function passWhen(iso: string): string {
  const d = new Date(new Date(iso).getTime() + 8 * 3600_000);
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}`;
}

/** passLabel: "NOAA-20 12月5日 13:42 过境", as a fire task names the pass that saw it. */
export function passLabel(p: PassLike): string {
  return `${p.satellite} ${passWhen(p.peak)} 过境`;
}

/** dayNight: 夜间 or 白天 (the night passes see fires best). */
export function dayNight(p: PassLike): string {
  return p.night ? '夜间' : '白天';
}

/** ageNote: the orbital elements' age when they are the embedded ones ('' when fetched). */
export function ageNote(l: PassListLike): string {
  if (l.tle_source !== 'embedded') return '';
  return `轨道根数为内置数据，已有${Math.max(0, l.tle_age_days)}天未更新`;
}

/**
 * publicAgeNote: the same for the public page, without the jargon (轨道根数):
 * how old the orbit data the times come from, and that they are a guide.
 */
export function publicAgeNote(l: PassListLike): string {
  if (l.tle_source !== 'embedded') return '';
  return `过境时间按${Math.max(0, l.tle_age_days)}天前的卫星轨道数据推算，仅供参考。`;
}

/** NOT_SEEN: what the coverage map means. */
export const NOT_SEEN = '无火点不等于未观测：图中为最近一次过境覆盖范围';
