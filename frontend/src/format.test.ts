import { describe, expect, it } from 'vitest';
import {
  bboxAround, deadlineOf, escapeHtml, formatArea, formatCountdown, formatDate, formatDateTime, formatLocal,
  dataDay, daysIn, lastHours, monthDay, monthName, nextDay, shanghaiDayRange, shanghaiRange, tapHalfDegrees, withTimeParams,
} from './format';

describe('time zone', () => {
  it('shows UTC instants in Shanghai time', () => {
    expect(formatDateTime('2023-10-05T16:30:00Z')).toBe('2023-10-06 00:30');
    expect(formatDateTime('2023-10-05T08:00:00+08:00')).toBe('2023-10-05 08:00');
    expect(formatDate('2023-10-31T17:00:00Z')).toBe('2023-11-01');
  });
  it('treats empty and zero times as no time', () => {
    expect(formatDateTime('')).toBe('');
    expect(formatDateTime(null)).toBe('');
    expect(formatDateTime('0001-01-01T00:00:00Z')).toBe('');
    expect(formatDateTime('not a date')).toBe('');
  });
  it('uses Intl with the Shanghai zone', () => {
    expect(formatLocal('2023-10-05T16:30:00Z', 'zh')).toContain('00:30');
    expect(formatLocal('2023-10-05T16:30:00Z', 'en')).toContain('06/10/2023');
  });
  it('builds day ranges in Shanghai', () => {
    expect(shanghaiDayRange('2023-10-31')).toEqual({ since: '2023-10-31T00:00:00+08:00', until: '2023-11-01T00:00:00+08:00' });
    expect(shanghaiRange('2023-10-09', '2023-10-02')).toEqual({ since: '2023-10-02T00:00:00+08:00', until: '2023-10-10T00:00:00+08:00' });
    expect(nextDay('2024-02-28')).toBe('2024-02-29');
    expect(monthDay('2023-10', 1)).toBe('2023-10-01');
    expect(monthDay('2023-10', 40)).toBe('2023-10-31');
    expect(monthDay('2024-02', 31)).toBe('2024-02-29');
    expect(daysIn('2026-12')).toBe(31);
    expect(daysIn('2025-02')).toBe(28);
    expect(monthName('2026-12', 'zh')).toBe('2026年12月');
    expect(monthName('2023-10', 'en')).toBe('October 2023');
  });
  it('opens on the day of the latest detection, else on the server\'s today', () => {
    const demoNow = Date.parse('2023-10-31T09:30:00Z'); // 17:30 in Beijing
    expect(dataDay(Date.parse('2023-10-31T05:12:00Z'), demoNow)).toBe('2023-10-31');
    // The demo left running for days: still its season's last day.
    expect(dataDay(Date.parse('2023-10-31T05:12:00Z'), Date.parse('2023-11-05T00:00:00Z'))).toBe('2023-10-31');
    // A city's server on 2026-12-07 whose latest fire was the evening before (Beijing).
    expect(dataDay(Date.parse('2026-12-06T13:40:00Z'), Date.parse('2026-12-07T01:00:00Z'))).toBe('2026-12-06');
    // No detection yet, or one stamped after the clock: the server's today in Beijing.
    expect(dataDay(null, Date.parse('2026-11-30T17:00:00Z'))).toBe('2026-12-01');
    expect(dataDay(Date.parse('2027-01-01T00:00:00Z'), Date.parse('2026-12-07T01:00:00Z'))).toBe('2026-12-07');
  });
  it('builds the last hours window', () => {
    expect(lastHours(24, new Date('2023-10-15T12:00:00.500Z'))).toEqual({ since: '2023-10-14T12:00:00Z', until: '2023-10-15T12:00:00Z' });
  });
});

describe('formatting', () => {
  it('adds since/until to tile templates', () => {
    const w = { since: '2023-10-01T00:00:00+08:00', until: '2023-10-02T00:00:00+08:00' };
    expect(withTimeParams('/tiles/hotspots/{z}/{x}/{y}.png', w)).toBe('/tiles/hotspots/{z}/{x}/{y}.png?since=2023-10-01T00%3A00%3A00%2B08%3A00&until=2023-10-02T00%3A00%3A00%2B08%3A00');
    expect(withTimeParams('/t/{z}/{x}/{y}.png?v=3', w)).toContain('?v=3&since=');
    expect(withTimeParams('/t.png', null)).toBe('/t.png');
  });
  it('formats countdowns', () => {
    expect(formatCountdown(45 * 60000, 'zh')).toBe('45分');
    expect(formatCountdown((3 * 60 + 5) * 60000, 'zh')).toBe('3小时5分');
    expect(formatCountdown((2 * 1440 + 3 * 60) * 60000, 'zh')).toBe('2天3小时');
    expect(formatCountdown(-90 * 60000, 'zh')).toBe('已超时 1小时30分');
    expect(formatCountdown((3 * 60 + 5) * 60000, 'en')).toBe('3 h 5 min');
    expect(formatCountdown(-5 * 60000, 'en')).toBe('Overdue 5 min');
  });
  it('formats areas', () => {
    expect(formatArea(1234, 'en')).toBe('1,234 m²');
    expect(formatArea(25000, 'zh')).toBe('25,000 m²');
    expect(formatArea(243902536.3, 'zh')).toBe('243,902,536 m²');
    expect(formatArea(9437.08, 'zh')).toBe('9,437 m²');
    expect(formatArea(undefined)).toBe('');
  });
  it('makes a bbox around a point', () => {
    expect(bboxAround(40.1, 113.3, 0.01)).toBe('113.29,40.09,113.31,40.11');
  });
  it('looks at least 22 px each way around a tap, at every zoom', () => {
    for (let z = 5; z <= 18; z += 0.25) {
      const half = tapHalfDegrees(z);
      const pxPerDegree = (256 * Math.pow(2, z)) / 360; // longitude; latitude has more pixels per degree
      expect(half * pxPerDegree, `zoom ${z}`).toBeGreaterThanOrEqual(22 - 1e-9);
      expect(half, `zoom ${z}`).toBeGreaterThanOrEqual(0.0015);
    }
    // Zoomed out, the box grows with the pixels (22 px at zoom 10: 0.03°).
    expect(tapHalfDegrees(10)).toBeCloseTo(0.0302, 4);
    expect(tapHalfDegrees(17)).toBe(0.0015);
  });
  it('picks the deadline by state', () => {
    const x = { ack_due: '2023-10-01T01:00:00Z', report_due: '2023-10-02T01:00:00Z' };
    expect(deadlineOf({ ...x, state: 'dispatched' })).toBe(Date.parse(x.ack_due));
    expect(deadlineOf({ ...x, state: 'acknowledged' })).toBe(Date.parse(x.report_due));
    expect(deadlineOf({ ...x, state: 'closed' })).toBeNull();
  });
  it('escapes HTML', () => {
    expect(escapeHtml('<a href="x">&\'</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;');
  });
});
