import { describe, expect, it } from 'vitest';
import { changeClass, fmtChange, fmtConc, fmtIndex, fmtShare, monthText, notes, rankText, tied } from './airrank';
import type { CountyAir } from './api/types.gen';

const county = (id: string, rank: number, note = ''): CountyAir => ({
  county_id: id, county_name: '县' + id, month: '2023-09-30T16:00:00Z', pm25: null, pm10: null, so2: null, no2: null, co_95: null,
  o3_8h_90: null, valid_days: 0, good_days: 0, good_share: null, index: null, rank, prev_index: null, year_ago_index: null,
  change_prev: null, change_year_ago: null, estimated: note !== '', stations: [], note,
});

describe('air ranking words', () => {
  it.each([
    ['index two decimals', fmtIndex(4.875), '4.88'],
    ['index missing', fmtIndex(null), '—'],
    ['concentration whole', fmtConc(44.4), '44'],
    ['share', fmtShare(0.9), '90%'],
    ['share one decimal', fmtShare(25 / 30), '83.3%'],
    ['share missing', fmtShare(undefined), '—'],
    ['worse', fmtChange(0.0822), '+8.2%'],
    ['better', fmtChange(-0.0451), '-4.5%'],
    ['unchanged', fmtChange(0.0001), '0%'],
    ['no change known', fmtChange(null), '—'],
    ['month', monthText('2023-10'), '2023年10月'],
  ])('%s', (_name, got, want) => expect(got).toBe(want));

  it('colours a change by its direction', () => {
    expect([changeClass(0.05), changeClass(-0.05), changeClass(0.0004), changeClass(null)]).toEqual(['worse', 'better', '', '']);
  });

  it('ranks, ties and the unranked', () => {
    const cs = [county('a', 1), county('b', 1), county('c', 3), county('d', 0, '有效日数25天，少于27天')];
    expect(cs.map(rankText)).toEqual(['1', '1', '3', '—']);
    expect(cs.map((c) => tied(cs, c))).toEqual([true, true, false, false]);
    expect(notes(cs)).toEqual(['县d：有效日数25天，少于27天']);
  });
});
