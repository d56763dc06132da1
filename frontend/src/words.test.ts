import { describe, expect, it } from 'vitest';
import { actorName, feedSourceName, formatName, originName } from './words';

describe('codes in words', () => {
  it('names where a batch came from and its format', () => {
    expect(['cli', 'feed', 'watch', 'upload'].map((o) => originName(o, 'zh'))).toEqual(['命令行导入', '自动拉取', '目录监视', '网页上传']);
    expect(originName('upload', 'en')).toBe('Web upload');
    expect(originName('carrier-pigeon', 'zh')).toBe('carrier-pigeon');
    expect(['firms-viirs', 'firms-modis', 'himawari-wlf'].map((f) => formatName(f, 'zh'))).toEqual(['FIRMS VIIRS', 'FIRMS MODIS', '葵花 WLF']);
  });
  it('names the FIRMS products', () => {
    expect(feedSourceName('VIIRS_NOAA20_NRT', 'zh')).toBe('FIRMS NOAA-20 VIIRS（近实时）');
    expect(feedSourceName('VIIRS_SNPP_SP', 'zh')).toBe('FIRMS Suomi NPP VIIRS（标准产品）');
    expect(feedSourceName('MODIS_NRT', 'en')).toBe('FIRMS MODIS (near real time)');
    expect(feedSourceName('SOMETHING', 'zh')).toBe('SOMETHING');
    expect(feedSourceName('tle', 'zh')).toBe('卫星轨道根数（TLE）');
  });
  it("names the system's own actors, not users", () => {
    expect(actorName('cli', 'zh')).toBe('系统（命令行导入）');
    expect(actorName('escalation', 'zh')).toBe('系统（超时督办）');
    expect(actorName('wangge', 'zh')).toBe('wangge');
  });
});
