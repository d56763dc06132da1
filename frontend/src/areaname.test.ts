import { describe, expect, it } from 'vitest';
import { wholeOf } from './areaname';
import { setAreaWords, t } from './i18n';

describe('wholeOf names the whole area by its kind', () => {
  it.each([
    ['大同市', '全市', 'whole city'], ['山西省', '全省', 'whole province'], ['内蒙古自治区', '全区', 'whole region'],
    ['阳高县', '全县', 'whole county'], ['锡林郭勒盟', '全盟', 'whole league'], ['示例', '全域', 'whole area'], ['', '全域', 'whole area'],
  ])('%s', (area, zh, en) => {
    expect(wholeOf(area)).toBe(zh);
    expect(wholeOf(area, 'en')).toBe(en);
  });
});

describe('setAreaWords', () => {
  it('writes a province into the words that name the whole area', () => {
    setAreaWords(wholeOf('山西省'), wholeOf('山西省', 'en'));
    expect(t('warn.city', undefined, 'zh')).toBe('全省');
    expect(t('warn.city', undefined, 'en')).toBe('Whole province');
    expect(t('warn.need.county', undefined, 'zh')).toBe('请选择区县，或勾选“全省”');
    expect(t('ambient.src.city', undefined, 'zh')).toBe('全省均值');
    expect(t('ambient.src.city', undefined, 'en')).toBe('province mean');
    expect(t('chg.citywide', undefined, 'zh')).toBe('全省');
    setAreaWords(wholeOf('大同市'), wholeOf('大同市', 'en'));
    expect(t('warn.city', undefined, 'zh')).toBe('全市');
    expect(t('warn.need.county', undefined, 'en')).toBe('Choose counties, or the whole city');
  });
});
