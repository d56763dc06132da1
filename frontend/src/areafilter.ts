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

/** A county alone, or a city with its counties (cityGroups). */
export type CountyGroup = { county: AreaRegion } | { city: AreaRegion; counties: AreaRegion[] };

/**
 * cityGroups are the counties under their cities when there are several
 * (a province), each group where its first county stands; a county under
 * no city, or every county of a deployment of one city, alone.
 */
export function cityGroups(counties: AreaRegion[], cities: AreaRegion[]): CountyGroup[] {
  const byId = new Map(cities.length > 1 ? cities.map((c) => [c.id, c]) : []);
  const groups = new Map<string, { city: AreaRegion; counties: AreaRegion[] }>();
  const out: CountyGroup[] = [];
  for (const c of counties) {
    const city = byId.get(c.parent_id);
    if (!city) { out.push({ county: c }); continue; }
    let g = groups.get(city.id);
    if (!g) {
      g = { city, counties: [] };
      groups.set(city.id, g);
      out.push(g);
    }
    g.counties.push(c);
  }
  return out;
}

/**
 * countyOptions are a filter's county options: under their cities when
 * there are several (a province), each city first as a whole
 * ({city}（全市）, data-city="1"), in the counties' order; alone
 * otherwise. The option of cur is selected.
 */
export function countyOptions(counties: AreaRegion[], cities: AreaRegion[], cur: string): HTMLElement[] {
  const opt = (id: string, name: string) => h('option', { value: id, selected: id === cur }, name);
  return cityGroups(counties, cities).map((g) => {
    if ('county' in g) return opt(g.county.id, g.county.name);
    const whole = opt(g.city.id, t('audit.region.city', { city: g.city.name }));
    whole.dataset.city = '1';
    return h('optgroup', { label: g.city.name }, whole, ...g.counties.map((c) => opt(c.id, c.name)));
  });
}
