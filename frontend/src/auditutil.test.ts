import { describe, expect, it } from 'vitest';
import {
  actionKey, defaultFields, auditQuery, mostHours, worstCapture, change, yearAgoText, fieldsOf, histogram, isMonth, isoWeek, parseAuditQuery, periodOf, quantile, rankBars, stackDaily, weekMonday,
  type PeriodFields,
} from './auditutil';

const DEMO = defaultFields('2023-10-31');
const f = (o: Partial<PeriodFields>): PeriodFields => ({ ...DEMO, ...o });

describe('period filter', () => {
  it('writes the API period of each kind', () => {
    expect(periodOf(f({ kind: 'month', month: '2023-10' }))).toBe('2023-10');
    expect(periodOf(f({ kind: 'day', day: '2023-10-24' }))).toBe('2023-10-24');
    expect(periodOf(f({ kind: 'week', day: '2023-10-24' }))).toBe('2023-W43');
    expect(periodOf(f({ kind: 'year', year: '2023' }))).toBe('2023');
    expect(periodOf(f({ kind: 'key', year: '2023', key: 'spring' }))).toBe('2023-spring');
    // The range's end day is included: the API's until is the day after.
    expect(periodOf(f({ kind: 'range', from: '2023-10-01', to: '2023-10-31' }))).toBe('2023-10-01..2023-11-01');
    expect(periodOf(f({ kind: 'range', from: '2023-12-31', to: '2023-12-01' }))).toBe('2023-12-01..2024-01-01');
    expect(periodOf(f({ kind: 'day', day: '2023-02-30' }))).toBe('');
    expect(periodOf(f({ kind: 'month', month: '' }))).toBe('');
  });
  it('reads an API period back into the form', () => {
    for (const p of ['2023-10', '2023-10-24', '2023-W43', '2023', '2023-autumn', '2023-spring', '2023-10-01..2023-11-01', '2024-W01']) {
      expect(periodOf(fieldsOf(p, DEMO))).toBe(p);
    }
    expect(fieldsOf('2023-10-01..2023-11-01', DEMO)).toMatchObject({ kind: 'range', from: '2023-10-01', to: '2023-10-31' });
    expect(fieldsOf('nonsense', DEMO)).toEqual(DEMO);
  });
  it('opens on the month of the latest detection', () => {
    expect(defaultFields('2023-10-31')).toEqual({ kind: 'month', day: '2023-10-31', month: '2023-10', from: '2023-10-01', to: '2023-10-31', year: '2023', key: 'autumn' });
    expect(defaultFields('2026-03-05')).toMatchObject({ month: '2026-03', from: '2026-03-01', to: '2026-03-05', year: '2026', key: 'spring' });
    expect(periodOf(defaultFields('2026-12-06'))).toBe('2026-12');
  });
  it('numbers ISO weeks across year ends', () => {
    expect(isoWeek('2023-01-01')).toBe('2022-W52'); // a Sunday
    expect(isoWeek('2023-01-02')).toBe('2023-W01');
    expect(isoWeek('2024-12-30')).toBe('2025-W01');
    expect(isoWeek('2020-12-31')).toBe('2020-W53');
    expect(weekMonday('2023-W43')).toBe('2023-10-23');
    expect(weekMonday('2025-W01')).toBe('2024-12-30');
  });
  it('keeps the filter in the hash', () => {
    const q = auditQuery({ period: '2023-10-01..2023-11-01', by: 'township', region: '140225' });
    expect(parseAuditQuery(q, '2023-10')).toEqual({ period: '2023-10-01..2023-11-01', by: 'township', region: '140225' });
    expect(parseAuditQuery('?period=2023-W43&by=nonsense', '2023-10')).toEqual({ period: '2023-W43', by: 'county', region: '' });
    expect(parseAuditQuery('', '2023-10')).toEqual({ period: '2023-10', by: 'county', region: '' });
    // A city's server in December 2026 opens on its own month.
    expect(parseAuditQuery('', '2026-12')).toEqual({ period: '2026-12', by: 'county', region: '' });
    expect(isMonth('2023-10')).toBe(true);
    expect(isMonth('2023-W43')).toBe(false);
  });
});

describe('charts data', () => {
  it('stacks days by class, straw burning first, unknown classes last', () => {
    const s = stackDaily([
      { day: '2023-10-01', by_class: { open_burning: 2, straw_burning: 1 } },
      { day: '2023-10-02', by_class: { zeta: 1 } },
      { day: '2023-10-03', by_class: {} },
    ]);
    expect(s.days).toEqual(['2023-10-01', '2023-10-02', '2023-10-03']);
    expect(s.series).toEqual([
      { cls: 'straw_burning', data: [1, 0, 0] },
      { cls: 'open_burning', data: [2, 0, 0] },
      { cls: 'zeta', data: [0, 1, 0] },
    ]);
  });
  it('bins response minutes in minutes, and in hours when long', () => {
    const m = histogram([0, 4, 5, 9, 10, 44, 59.9, 60, -3, NaN]);
    expect(m.unit).toBe('min');
    expect(m.bins[0]).toEqual({ from: 0, to: 5, count: 2 });
    expect(m.bins.reduce((a, b) => a + b.count, 0)).toBe(8);
    expect(m.bins.length).toBeLessThanOrEqual(13);
    expect(m.bins[m.bins.length - 1]).toEqual({ from: 60, to: 65, count: 1 });
    const h = histogram([30, 90, 600, 1440]);
    expect(h.unit).toBe('h');
    expect(h.bins[0]).toEqual({ from: 0, to: 2, count: 2 }); // 0.5 h and 1.5 h
    expect(h.bins[h.bins.length - 1].count).toBe(1); // 24 h
    expect(h.bins.reduce((a, b) => a + b.count, 0)).toBe(4);
    expect(histogram([])).toEqual({ unit: 'min', bins: [] });
    expect(histogram([0, 0])).toEqual({ unit: 'min', bins: [{ from: 0, to: 1, count: 2 }] });
  });
  it('ranks quantiles as the server does', () => {
    expect(quantile([5, 1, 3, 2, 4], 0.5)).toBe(3);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(quantile([], 0.5)).toBeNull();
  });
  it('writes the change against a year ago', () => {
    expect(change(5, 4)).toBe('+1 (+25%)');
    expect(change(2, 4)).toBe('−2 (−50%)');
    expect(change(3, 0)).toBe('+3');
    expect(change(3, 3)).toBe('±0');
    expect(change(3, undefined)).toBe('');
  });
});

describe('ranking bars', () => {
  it('draws the score, or the unverified tasks when every score is 0', () => {
    expect(rankBars([
      { region_name: 'A', score: 1.5, stats: { cropland_ha: 100, unverified: 3 } },
      { region_name: 'B', score: 0, stats: { unverified: 9 } },
    ])).toEqual([{ name: 'A', value: 1.5, by: 'per_ha' }, { name: 'B', value: 0, by: 'count' }]);
    expect(rankBars([
      { region_name: 'A', score: 0, stats: { unverified: 9 } },
      { region_name: 'B', score: 0, stats: null },
    ])).toEqual([{ name: 'A', value: 9, by: 'unverified' }, { name: 'B', value: 0, by: 'unverified' }]);
  });
});

describe('yearAgoText', () => {
  it('says the change against a year ago in words where a number would mislead', () => {
    expect(yearAgoText(5, 4, false, 'zh')).toBe('同比 +1 (+25%)');
    expect(yearAgoText(455, 0, true, 'zh')).toBe('去年无数据');
    expect(yearAgoText(0, 0, true, 'zh')).toBe('去年无数据');
    expect(yearAgoText(455, 0, false, 'zh')).toBe('去年同期为 0');
    expect(yearAgoText(0, 0, false, 'zh')).toBe('同比 ±0');
    expect(yearAgoText(3, undefined, false, 'zh')).toBe('');
    expect(yearAgoText(455, 0, true, 'en')).toBe('no data a year ago');
  });
});

describe('a province\'s long lists', () => {
  it('keeps the monitors with the lowest capture, those without a rate last', () => {
    const m = (mn: string, capture_rate: number | null, offline_hours = 0) => ({ mn, capture_rate, offline_hours });
    const ms = [m('A', 0.9), m('B', null, 99), m('C', 0.2), m('D', 0.2, 5), m('E', 1)];
    expect(worstCapture(ms, 3).map((x) => x.mn)).toEqual(['D', 'C', 'A']);
    expect(worstCapture(ms, 9).map((x) => x.mn)).toEqual(['D', 'C', 'A', 'E', 'B']);
    expect(ms.map((x) => x.mn).join('')).toBe('ABCDE'); // the list itself is left as it was
  });
  it('charts the counties with most hours once there are too many', () => {
    const rows = [{ name: 'a', hours: 1 }, { name: 'b', hours: 5 }, { name: 'c', hours: 3 }];
    expect(mostHours(rows, 3)).toBe(rows);
    expect(mostHours(rows, 2).map((r) => r.name)).toEqual(['b', 'c']);
  });
});

// Only a fire's event is a 火情: an inspection's or an alarm's line says what it opened.
describe('actionKey', () => {
  it.each([
    ['task.close', '', 'action.task.close'],
    ['event.create', 'class=straw_burning grid=140225-005-009', 'action.event.create'],
    ['event.create', 'class=emergency_inspection grid= listed="示例工地02：停止土石方作业"', 'action.event.create.emergency'],
    ['event.create', 'class=dust_exceedance grid=1', 'action.event.create.dust'],
    ['event.create', 'class=site_inspection grid=1', 'action.event.create.site'],
    ['event.create', 'class=public_report grid=1', 'action.event.create.public'],
    ['event.reclassify', 'class=dust_exceedance', 'action.event.reclassify'],
  ])('%s %s', (action, after, want) => expect(actionKey(action, after)).toBe(want));
});
