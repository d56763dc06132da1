// The area filters' regions (the audit page's 区域, the task list's 区县):
// a province's counties under their cities, each city first as a whole.
import { api, qs } from './api';
import { h } from './dom';
import { t } from './i18n';
import type { RegionCollection } from './api/types.gen';

/** A region as the filters list it. */
export interface AreaRegion { id: string; name: string; parent_id: string }

/** areaRegions are the regions of GET /api/regions (without outlines) for params. */
export async function areaRegions(params: Record<string, string>): Promise<AreaRegion[]> {
  const fc = await api.get<RegionCollection>('/api/regions' + qs({ ...params, geometry: 'false' }));
  return (fc?.features ?? []).map((x) => ({ id: x.properties?.id ?? String(x.id), name: x.properties?.name ?? String(x.id), parent_id: x.properties?.parent_id ?? '' }));
}

/**
 * countyOptions are a filter's county options: under their cities when
 * there are several (a province), each city first as a whole
 * ({city}（全市）, data-city="1"), in the counties' order; alone
 * otherwise. The option of cur is selected.
 */
export function countyOptions(counties: AreaRegion[], cities: AreaRegion[], cur: string): HTMLElement[] {
  const opt = (id: string, name: string) => h('option', { value: id, selected: id === cur }, name);
  const cityNames = new Map(cities.length > 1 ? cities.map((c) => [c.id, c.name]) : []);
  const groups = new Map<string, HTMLElement>();
  const out: HTMLElement[] = [];
  for (const c of counties) {
    const city = cityNames.get(c.parent_id);
    if (!city) { out.push(opt(c.id, c.name)); continue; }
    let group = groups.get(c.parent_id);
    if (!group) {
      const whole = opt(c.parent_id, t('audit.region.city', { city }));
      whole.dataset.city = '1';
      group = h('optgroup', { label: city }, whole);
      groups.set(c.parent_id, group);
      out.push(group);
    }
    group.append(opt(c.id, c.name));
  }
  return out;
}
