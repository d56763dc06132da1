// The area a deployment serves ([server] area_name, written into the
// pages' meta skygrid-area) and the word for the whole of it: 大同市 全市,
// 山西省 全省. No other import: the public page uses it too.

const KINDS_EN: Record<string, string> = { 省: 'province', 市: 'city', 区: 'region', 县: 'county', 州: 'prefecture', 盟: 'league', 旗: 'banner' };

/** wholeOf names the whole of an area by its kind (全市, 全省; 全域 when
 * the name ends in no kind); in English "whole city", "whole province". */
export function wholeOf(area: string, lang: 'zh' | 'en' = 'zh'): string {
  const kind = area.trim().slice(-1);
  const known = kind !== '' && kind in KINDS_EN;
  if (lang === 'en') return 'whole ' + (known ? KINDS_EN[kind] : 'area');
  return known ? '全' + kind : '全域';
}

/** pageArea is the page's area (its meta skygrid-area), 大同市 without one. */
export function pageArea(): string {
  return document.querySelector<HTMLMetaElement>('meta[name=skygrid-area]')?.content || '大同市';
}
