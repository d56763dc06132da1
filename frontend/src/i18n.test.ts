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
