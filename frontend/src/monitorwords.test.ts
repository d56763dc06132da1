import { describe, expect, it } from 'vitest';
import { monitorPopup, monitorState, noAlarmWords, pm10Text, stateText, unjudgedWords } from './monitorwords';
import type { MonitorItem } from './api/types.gen';

const base: MonitorItem = { id: 1, mn: 'DT0001SG000001', name: '一号工地扬尘监测（示例）', kind: 'dust', lon: 113.3, lat: 40.08,
  lenient: {}, level: 0, colour: '#9ca3af' };

describe('monitors', () => {
  it('says the latest hourly PM10 with its HJ 633 level, or that there is none recent', () => {
    expect(pm10Text({ ...base, pm10: 85.4, level: 2, colour: '#ffff00' })).toBe('85 µg/m³ · 良');
    expect(pm10Text({ ...base, pm10: 85.4, level: 0 })).toBe('近 2 小时无数据');
    expect(pm10Text(base)).toBe('近 2 小时无数据');
  });
  it('pops up the device number, site, PM10 and its time, escaped', () => {
    const html = monitorPopup({ ...base, site_name: '<工地>', pm10: 300, level: 4, colour: '#ff0000', last_at: '2026-11-05T06:03:00Z' });
    expect(html).toContain('DT0001SG000001');
    expect(html).toContain('&lt;工地&gt;');
    expect(html).toContain('300 µg/m³ · 中度污染');
    expect(html).toContain('14:03');
  });
});

// 本时段无超标 only when the rules judged the whole range: hours without the
// county's ambient and hours before the minute readings kept are said
// (an official read 无超标 beside a PM10 of 300 the rules could not judge).
describe('what the dust rules could not judge', () => {
  it('says no exceedance only when all was judged', () => {
    expect(noAlarmWords({})).toEqual(['本时段无超标']);
    expect(unjudgedWords({})).toEqual([]);
  });
  it('names the hours without ambient and the start of the minutes', () => {
    const d = { unjudged: { no_ambient_hours: 5, minutes_from: '2023-10-29T16:00:00Z' } };
    expect(noAlarmWords(d)).toEqual(['能判定的时段内无超标', '5 小时缺少区县环境空气数据（空气站未报），“高于环境浓度”的超标无法判定',
      '超标按分钟数据判定：2023-10-30 00:00 以前只存小时均值，未判定']);
    expect(unjudgedWords({ unjudged: { no_ambient_hours: 2 } })).toEqual(['2 小时缺少区县环境空气数据（空气站未报），“高于环境浓度”的超标无法判定']);
    expect(noAlarmWords({ unjudged: { no_ambient_hours: 25, none_judged: true } })[0]).toBe('本时段未能判定是否超标');
  });
});

// A silent monitor says so, and since when: its last PM10 stood as if current for 2 hours.
// (Whether it is silent is the server's: api's TestMonitorSilent, by the silence rule's time.)
describe('monitorState', () => {
  it.each([
    ['a dust monitor heard 5 minutes ago', { silent: false, last_at: '2023-10-31T10:18:00Z' }, '在线'],
    ['a dust monitor silent since 17:50', { silent: true, last_at: '2023-10-31T09:50:00Z' }, '离线（10-31 17:50 起无数据）'],
    ['a station heard an hour ago (it may send hourly)', { silent: false, last_at: '2023-10-31T09:23:00Z' }, '在线'],
    ['a station silent for 3 hours', { silent: true, last_at: '2023-10-31T07:23:00Z' }, '离线（10-31 15:23 起无数据）'],
    ['a monitor never heard', { last_at: undefined }, '未接入（无数据）'],
  ])('%s', (_name, m, want) => expect(stateText(monitorState(m))).toBe(want));
});
