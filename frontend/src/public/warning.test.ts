import { describe, expect, it } from 'vitest';
import { advice, beijing } from './warning';
import { wholeOf } from './util';

describe('the public warning says its times in Beijing time', () => {
  it.each([
    ['2026-12-05T00:00:00Z', '12月5日 08:00'],
    ['2026-12-31T16:30:00Z', '1月1日 00:30'],
  ])('%s', (iso, want) => { expect(beijing(iso)).toBe(want); });
});

describe('the whole area is named by its kind', () => {
  it.each([
    ['大同市', '全市'], ['山西省', '全省'], ['内蒙古自治区', '全区'], ['阳高县', '全县'], ['锡林郭勒盟', '全盟'], ['示例', '全域'], ['', '全域'],
  ])('%s', (area, want) => { expect(wholeOf(area)).toBe(want); });
});

// With no advice written by the bureau, the public is told the level's usual one (it was told nothing).
describe('advice', () => {
  it('is the bureau\'s when given', () => expect(advice({ level: 'orange', public_advice: ' 减少户外活动 ' })).toBe('减少户外活动'));
  it.each(['blue', 'yellow', 'orange', 'red'])('else the usual one of %s', (level) => expect(advice({ level, public_advice: '' })).toMatch(/^儿童、老年人.*户外活动.*。$/));
});
