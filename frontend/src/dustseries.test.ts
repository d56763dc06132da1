import { describe, expect, it } from 'vitest';
import { dustChartData, nearestWind, windText } from './dustseries';
import type { SiteDust } from './api/types.gen';

const H = '2023-11-01T0';
function siteDust(over: Partial<SiteDust> = {}): SiteDust {
  return {
    site_id: 1, site_name: '示例工地', range: '24h', res: 'minute', from: '2023-10-31T04:00:00Z', to: '2023-11-01T04:00:00Z',
    monitors: [{
      monitor: { id: 7, mn: 'DEMOC01', name: '示例监测仪', kind: 'dust', lon: 113.3, lat: 40.1, lenient: {}, level: 4, colour: '#ff0000' },
      points: [
        { at: H + '0:00:00Z', kind: 'minute', values: { pm10: 200, pm25: 90, ws: 2.5, wd: 270 } },
        { at: H + '0:01:00Z', kind: 'minute', values: { pm10: 9999, pm25: 95 }, flags: { pm10: 'D' } },
        { at: H + '0:02:00Z', kind: 'minute', values: { pm10: 210, tsp: 400 }, flags: { pm10: 'N' } },
      ],
    }],
    ambient: [{ hour: H + '0:00:00Z', pm10: 50, source: 'county', stations: [] }, { hour: H + '1:00:00Z', pm10: 60, source: 'county', stations: [] }],
    limits: [{ rule: 'datong_default', factor: 'pm10', window_minutes: 60, limit: 80, over_ambient: true, allowed_per_day: 2,
      points: [{ at: H + '0:00:00Z', value: 130 }, { at: H + '1:00:00Z', value: 140 }] }],
    alarms: [],
    ...over,
  };
}

describe('dustChartData', () => {
  const cases: { name: string; d: SiteDust; want: Record<string, number[]>; flagged: number }[] = [
    { name: 'flagged values leave the line for their own points', d: siteDust(), flagged: 1,
      want: { '7-pm10': [200, 210], '7-pm25': [90, 95], '7-tsp': [400], '7-flagged': [9999], 'limit-datong_default': [130, 130, 140, 140], ambient: [50, 50, 60, 60] } },
    { name: 'an absolute limit spans the range', flagged: 1,
      d: siteDust({ ambient: [], limits: [{ rule: 'shaanxi_tsp_structure', factor: 'tsp', window_minutes: 60, limit: 700, over_ambient: false, allowed_per_day: 0 }] }),
      want: { 'limit-shaanxi_tsp_structure': [700, 700] } },
    { name: 'no monitors: only the limit and ambient lines', d: siteDust({ monitors: [] }), flagged: 0,
      want: { 'limit-datong_default': [130, 130, 140, 140], ambient: [50, 50, 60, 60] } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = dustChartData(c.d);
      expect(got.flagged).toBe(c.flagged);
      for (const [id, ys] of Object.entries(c.want)) {
        expect(got.lines.find((l) => l.id === id)?.data.map((p) => p[1]), id).toEqual(ys);
      }
      if (c.name.startsWith('no monitors')) expect(got.lines.map((l) => l.kind)).toEqual(['limit', 'ambient']);
    });
  }
  it('the limit line steps over each hour', () => {
    const l = dustChartData(siteDust()).lines.find((x) => x.kind === 'limit')!;
    expect(l.data[1][0] - l.data[0][0]).toBe(3600e3);
    expect(l.name).toBe('限值：PM10 高于区县环境均值 80');
  });
});

describe('several monitors at a site', () => {
  it('draws each monitor\'s factor in a shade of its own, named by monitor', () => {
    const one = siteDust().monitors[0];
    const other = { monitor: { ...one.monitor, id: 8, mn: 'DEMOC02', name: '示例监测仪二' }, points: one.points };
    const third = { monitor: { ...one.monitor, id: 9, mn: 'DEMOC03', name: '示例监测仪三' }, points: one.points };
    const lines = dustChartData(siteDust({ monitors: [one, other, third] })).lines;
    for (const f of ['pm10', 'pm25']) {
      const mine = lines.filter((l) => l.kind === 'factor' && l.factor === f);
      expect(mine.map((l) => l.name.split(' · ')[1]), f).toEqual(['示例监测仪', '示例监测仪二', '示例监测仪三']);
      expect(new Set(mine.map((l) => l.colour)).size, `${f}: ${mine.map((l) => l.colour)}`).toBe(3);
    }
    // One monitor keeps the factor's own colour.
    expect(dustChartData(siteDust()).lines.find((l) => l.id === '7-pm10')?.colour).toBe('#1c7ed6');
  });
});

describe('wind', () => {
  const cases: [string, { ws?: number; wd?: number } | undefined, string][] = [
    ['from the west', { ws: 2.5, wd: 270 }, '西风 2.5 m/s'],
    ['north at 350°', { ws: 0, wd: 350 }, '北风 0.0 m/s'],
    ['speed only', { ws: 4 }, '4.0 m/s'],
    ['none', undefined, ''],
  ];
  for (const [name, w, want] of cases) it(name, () => expect(windText(w)).toBe(want));
  it('the nearest time within 90 minutes', () => {
    const wind = dustChartData(siteDust()).wind;
    expect(nearestWind(wind, Date.parse(H + '0:30:00Z'))).toEqual({ ws: 2.5, wd: 270 });
    expect(nearestWind(wind, Date.parse(H + '3:00:00Z'))).toBeUndefined();
  });
});
