import { describe, expect, it } from 'vitest';
import { dictionaries, getLang, locale, setLang, t, tOr } from './i18n';

describe('i18n', () => {
  it('is Chinese by default', () => {
    expect(getLang()).toBe('zh');
    expect(t('logout')).toBe('退出');
    expect(locale()).toBe('zh-CN');
  });
  it('switches to English and back', () => {
    setLang('en');
    expect(t('logout')).toBe('Log out');
    setLang('zh');
    expect(t('nav.map')).toBe('地图');
  });
  it('fills variables', () => {
    expect(t('pending.n', { n: 3 })).toBe('待发送 3 条');
    expect(t('pending.n', { n: 2 }, 'en')).toBe('2 waiting to send');
  });
  it('falls back to the key and to codes', () => {
    expect(t('no.such.key')).toBe('no.such.key');
    expect(tOr('state', 'dispatched')).toBe('待签收');
    expect(tOr('class', 'mystery')).toBe('mystery');
    expect(tOr('class', undefined)).toBe('');
  });
  it('has the same keys in both languages', () => {
    expect(Object.keys(dictionaries.en).sort()).toEqual(Object.keys(dictionaries.zh).sort());
  });
});

describe('errorText', () => {
  it('says the common refusals in Chinese, with the server words kept', async () => {
    const { ApiError, NetworkError, errorText } = await import('./api');
    expect(errorText(new ApiError(403, 'forbidden', 'task 280 is not in your area'), t)).toBe('无权查看：不在您的管辖区域或权限之内（task 280 is not in your area）');
    expect(errorText(new NetworkError('x'), t)).toBe('网络不可用，请稍后再试');
    expect(errorText(new ApiError(400, 'invalid', 'a.csv: line 2: field lon: not a number'), t)).toBe('a.csv: line 2: field lon: not a number');
    // Said in Chinese, then English in brackets: the Chinese alone on a Chinese page.
    expect(errorText(new ApiError(409, 'conflict', '该预警已于 2023-10-31 17:33 解除 (warning 2 was lifted at 2023-10-31T09:33:00Z)'), t)).toBe('该预警已于 2023-10-31 17:33 解除');
    expect(errorText(new ApiError(400, 'invalid', 'readings.csv: line 1: the header needs columns mn (设备编号) and time (时间)'), t))
      .toBe('readings.csv: line 1: the header needs columns mn (设备编号) and time (时间)');
  });
});
