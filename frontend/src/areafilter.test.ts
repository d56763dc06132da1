import { describe, expect, it } from 'vitest';
import { cityGroups, type AreaRegion } from './areafilter';

const r = (id: string, parent_id = ''): AreaRegion => ({ id, name: id, parent_id });
const text = (gs: ReturnType<typeof cityGroups>) => gs.map((g) => ('county' in g ? g.county.id : `${g.city.id}:${g.counties.map((c) => c.id).join('/')}`)).join(' ');

describe('cityGroups', () => {
  it('puts a province\'s counties under their cities, where the first county stands', () => {
    const counties = [r('A1', 'A'), r('X'), r('B1', 'B'), r('A2', 'A')];
    expect(text(cityGroups(counties, [r('B'), r('A')]))).toBe('A:A1/A2 X B:B1');
  });
  it('leaves a city\'s own counties alone (one city)', () => {
    expect(text(cityGroups([r('A1', 'A'), r('A2', 'A')], [r('A')]))).toBe('A1 A2');
  });
});
