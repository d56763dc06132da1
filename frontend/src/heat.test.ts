import { describe, expect, it } from 'vitest';
import { fuelName, heatReason, heatReasons, heatSourceName } from './heat';

describe('heatReason', () => {
  // The reasons as detect.StaticReason writes them.
  it.each([
    ['FIRMS type 2 (static land source)', '卫星数据标为固定热源（FIRMS type 2）'],
    ['within 1000 m of known heat source Datong - Tashan Coal', '距已知热源 1000 米以内：Datong - Tashan Coal'],
    ['persistent heat: 6 detections on 4 days within 400 m in 30 days', '持续热点：4 天内 6 次在同一处（400 米内）被发现'],
    ['something new', '其他原因：something new'],
    ['', ''],
  ])('%s', (reason, want) => {
    expect(heatReason(reason, 'zh')).toBe(want);
  });
  it('in English', () => {
    expect(heatReason('within 1000 m of known heat source X', 'en')).toBe('Within 1000 m of a known heat source: X');
  });
});

describe('heatReasons', () => {
  it('lists each reason once, the most frequent first', () => {
    const near = 'within 1000 m of known heat source A';
    expect(heatReasons([near, 'FIRMS type 2 (static land source)', near, undefined, ''], 'zh')).toEqual([
      '距已知热源 1000 米以内：A', '卫星数据标为固定热源（FIRMS type 2）']);
  });
});

describe('heatSourceName', () => {
  it('takes the Chinese name where the data has one', () => {
    expect(heatSourceName({ name: 'Changzhi Xingbao Steel Co Ltd', props: { name_zh: '长治市兴宝钢铁有限责任公司' } }))
      .toEqual({ name: '长治市兴宝钢铁有限责任公司', english: false });
  });
  it('keeps an English name and says so', () => {
    expect(heatSourceName({ name: 'Datong - Tashan Coal', props: { fuel: 'Coal' } })).toEqual({ name: 'Datong - Tashan Coal', english: true });
  });
  it('a Chinese name given as the name is not English', () => {
    expect(heatSourceName({ name: '示例热电厂' })).toEqual({ name: '示例热电厂', english: false });
  });
});

describe('fuelName', () => {
  it.each([
    ['Coal', '燃煤电厂'], ['Gas', '燃气电厂'], ['steel', '钢铁厂'], ['Biomass', '生物质电厂'], ['Geothermal', 'Geothermal 电厂'], ['', ''],
  ])('%s', (fuel, want) => {
    expect(fuelName(fuel, 'zh')).toBe(want);
  });
});
