import { describe, expect, it } from 'vitest';
import { ageNote, publicAgeNote, dayNight, passLabel, passWhen } from './satpass';

describe('satellite passes in words', () => {
  it.each([
    ['a pass after Beijing midnight is the next day', '2026-12-05T17:31:00Z', '12月6日 01:31'],
    ['afternoon', '2026-12-05T05:42:30Z', '12月5日 13:42'],
    ['new year', '2026-12-31T16:05:00Z', '1月1日 00:05'],
  ])('passWhen: %s', (_name, iso, want) => {
    expect(passWhen(iso)).toBe(want);
  });

  it('passLabel names the satellite and the Beijing time', () => {
    expect(passLabel({ satellite: 'NOAA-20', peak: '2026-12-05T05:42:00Z', night: false })).toBe('NOAA-20 12月5日 13:42 过境');
    expect(dayNight({ satellite: 'Aqua', peak: '', night: true })).toBe('夜间');
  });

  it.each([
    ['embedded', { tle_source: 'embedded', tle_age_days: 62, tle_epoch: '' }, '轨道根数为内置数据，已有62天未更新'],
    ['fetched: nothing to say', { tle_source: 'fetched', tle_age_days: 0, tle_epoch: '' }, ''],
  ])('ageNote: %s', (_name, l, want) => {
    expect(ageNote(l)).toBe(want);
  });

  it.each([
    ['embedded, in plain words', { tle_source: 'embedded', tle_age_days: 62, tle_epoch: '' }, '过境时间按62天前的卫星轨道数据推算，仅供参考。'],
    ['fetched: nothing to say', { tle_source: 'fetched', tle_age_days: 0, tle_epoch: '' }, ''],
  ])('publicAgeNote: %s', (_name, l, want) => {
    expect(publicAgeNote(l)).toBe(want);
  });
});
