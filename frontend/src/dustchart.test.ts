import { describe, expect, it } from 'vitest';
import { legendHeight } from './dustchart';

describe('legendHeight', () => {
  it('gives one row to a short legend and more as the entries wrap', () => {
    expect(legendHeight(['PM10', 'PM2.5', 'TSP'], 1000, false)).toBe(22);
    // two monitors' series with their names, the limit and the ambient at 950 px: three rows (the site page of two monitors)
    const names = ['PM10 · 示例扬尘监测仪 示例工地06', 'PM2.5 · 示例扬尘监测仪 示例工地06', 'TSP · 示例扬尘监测仪 示例工地06',
      'PM10 · 示例扬尘监测仪 E2EDUST0', 'PM2.5 · 示例扬尘监测仪 E2EDUST0', 'TSP · 示例扬尘监测仪 E2EDUST0',
      '标记数据（不计入判定）· 示例扬尘监测仪 E2EDUST0', '限值：PM10 高于区县环境均值 80', '区县环境 PM10（本区县国控/省控站均值）'];
    expect(legendHeight(names, 950, false)).toBeGreaterThanOrEqual(3 * 22);
    expect(legendHeight(names, 360, true)).toBeGreaterThan(legendHeight(names, 950, true));
  });
});
