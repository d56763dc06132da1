import { describe, expect, it } from 'vitest';
import { monitorPopup, pm10Text } from './monitorwords';
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
