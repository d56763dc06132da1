import { describe, expect, it } from 'vitest';
import { bearing, compass, distanceWords, metres } from './distance';

const datong = { lat: 40.0768, lon: 113.3001 };
describe('metres', () => {
  it('measures a degree of latitude as about 111 km', () => {
    expect(metres(datong, { lat: 41.0768, lon: 113.3001 })).toBeCloseTo(111195, -2);
  });
  it('is zero at the same place', () => { expect(metres(datong, datong)).toBe(0); });
});
describe('bearing and compass', () => {
  it.each([
    [{ lat: 40.2, lon: 113.3001 }, 0, '北'],
    [{ lat: 40.0768, lon: 113.5 }, 90, '东'],
    [{ lat: 39.9, lon: 113.1 }, 220, '西南'],
    [{ lat: 40.2, lon: 113.45 }, 44, '东北'],
  ])('to %o', (to, deg, word) => {
    expect(Math.abs(bearing(datong, to) - deg)).toBeLessThan(8);
    expect(compass(bearing(datong, to))).toBe(word);
  });
  it('wraps around north', () => {
    expect(compass(359)).toBe('北');
    expect(compass(-10, 'en')).toBe('north');
  });
});
describe('distanceWords', () => {
  it.each([[3, '10 米'], [234, '230 米'], [999, '1.0 公里'], [994, '990 米'], [2345, '2.3 公里'], [18400, '18 公里']])('%d m', (m, w) => {
    expect(distanceWords(m)).toBe(w);
  });
  it('speaks English', () => { expect(distanceWords(2345, 'en')).toBe('2.3 km'); });
});
