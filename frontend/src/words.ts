// Codes the server stores, in words: where an ingest batch came from, a
// file's format, a live feed's FIRMS product, who did an audited action.
// Pure (tested with Vitest); unknown codes are shown as they are.
import { getLang, t, type Lang } from './i18n';

const known = (key: string, code: string, l?: Lang): string => {
  const s = t(key, undefined, l);
  return s === key ? code : s;
};

/** originName: cli → 命令行导入, feed → 自动拉取, watch → 目录监视, upload → 网页上传. */
export function originName(code: string | null | undefined, l?: Lang): string {
  return code ? known('origin.' + code, code, l) : '';
}

/** formatName: firms-viirs → FIRMS VIIRS, himawari-wlf → 葵花 WLF. */
export function formatName(code: string | null | undefined, l?: Lang): string {
  return code ? known('format.' + code, code, l) : '';
}

const SATELLITES: Record<string, string> = { NOAA20: 'NOAA-20', NOAA21: 'NOAA-21', SNPP: 'Suomi NPP' };

/**
 * feedSourceName: a FIRMS product in words, "VIIRS_NOAA20_NRT" → "FIRMS
 * NOAA-20 VIIRS（近实时）", "MODIS_SP" → "FIRMS MODIS（标准产品）".
 */
export function feedSourceName(code: string | null | undefined, l?: Lang): string {
  if (code === 'tle') return t('feedsrc.tle', undefined, l ?? getLang());
  const m = /^(VIIRS|MODIS|LANDSAT)(?:_(NOAA20|NOAA21|SNPP))?_(NRT|SP)$/.exec(code ?? '');
  if (!m) return code ?? '';
  const sat = m[2] ? SATELLITES[m[2]] + ' ' : '';
  const lang = l ?? getLang();
  const kind = t(m[3] === 'NRT' ? 'feedsrc.nrt' : 'feedsrc.sp', undefined, lang);
  return lang === 'en' ? `FIRMS ${sat}${m[1]} (${kind})` : `FIRMS ${sat}${m[1]}（${kind}）`;
}

/** actorName: the system's own actors in words (cli, escalation, feed); user names as they are. */
export function actorName(name: string | null | undefined, l?: Lang): string {
  return name ? known('actor.' + name, name, l) : '';
}
