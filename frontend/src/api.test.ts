import { describe, expect, it } from 'vitest';
import { ApiError, NetworkError, loginErrorText, newestOnly } from './api';
import { t } from './i18n';

const zh = (k: string, v?: Record<string, string | number>) => t(k, v, 'zh');
const en = (k: string, v?: Record<string, string | number>) => t(k, v, 'en');

describe('loginErrorText', () => {
  const throttled = (secs?: number) => { const e = new ApiError(429, 'invalid', 'too many failed logins; try again in 10 minutes'); e.retryAfter = secs; return e; };
  const now = new Date('2023-10-29T05:00:30Z'); // 13:00:30 in Beijing
  it('says each failure in Chinese, the server\'s English only as the detail', () => {
    const cases: [unknown, string][] = [
      [new ApiError(401, 'unauthorized', '用户名或密码错误 (wrong name or password)'), '用户名或密码错误'],
      [new ApiError(403, 'forbidden', '账号已停用，请联系管理员 (this account is disabled: ask an admin)'), '账号已停用，请联系管理员'],
      [throttled(601), '登录尝试次数过多，请在 13:10（约 11 分钟后）再试'],
      [throttled(30), '登录尝试次数过多，请在 13:01（约 1 分钟后）再试'],
      [throttled(undefined), '登录尝试次数过多，请稍后再试'],
      [new NetworkError('TypeError: Failed to fetch'), '无法连接服务器，请检查网络后再试'],
      [new ApiError(500, 'internal', 'internal error'), '服务器出错，请稍后再试'],
      [new ApiError(502, '502', 'Bad Gateway'), '服务器出错，请稍后再试'],
      [new ApiError(400, 'invalid', 'want a JSON body'), '登录失败，请重试'],
      [new ApiError(400, 'invalid', 'user name: at most 64 characters, got 65'), '用户名不符合要求：最多 64 个字符，不能含控制字符或不可见字符'],
      [new ApiError(400, 'invalid', 'the log-in is larger than 16 KiB: the user name is at most 64 characters'), '用户名不符合要求：最多 64 个字符，不能含控制字符或不可见字符'],
    ];
    for (const [e, want] of cases) {
      const r = loginErrorText(e, zh, now);
      expect(r.text).toBe(want);
      expect(r.text).not.toMatch(/[A-Za-z]{3,}/);
    }
    expect(loginErrorText(throttled(601), zh, now).detail).toBe('HTTP 429: too many failed logins; try again in 10 minutes');
    expect(loginErrorText(new NetworkError('x'), zh, now).detail).toBe('');
  });
  it('and in English', () => {
    expect(loginErrorText(throttled(601), en, now).text).toBe('Too many attempts: try again at 13:10 (in about 11 min)');
    expect(loginErrorText(new ApiError(401, 'unauthorized', 'x'), en, now).text).toBe('Wrong user name or password');
    expect(loginErrorText(new ApiError(403, 'forbidden', 'x'), en, now).text).toBe('This account is disabled: ask an admin');
  });
});

describe('newestOnly', () => {
  it('holds only for the newest request', () => {
    const ask = newestOnly();
    const first = ask();
    expect(first()).toBe(true);
    const second = ask();
    expect(first()).toBe(false);
    expect(second()).toBe(true);
    const other = newestOnly()();
    expect(other()).toBe(true);
    expect(second()).toBe(true);
  });
});
