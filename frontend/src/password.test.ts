import { describe, expect, it } from 'vitest';
import { pwErrorText, pwProblem } from './password';
import { ApiError } from './api';

describe('pwProblem', () => {
  it('wants 8 characters (not bytes) and the same password twice', () => {
    expect(pwProblem('1234567', '1234567')).toBe('pw.short');
    expect(pwProblem('天网格火点监管', '天网格火点监管')).toBe('pw.short'); // 7 characters, 21 bytes
    expect(pwProblem('天网格火点监管系', '天网格火点监管系')).toBe('');
    expect(pwProblem('correct horse', 'correct house')).toBe('pw.mismatch');
    expect(pwProblem('correct horse', 'correct horse')).toBe('');
  });
});

describe('pwErrorText', () => {
  it('says a wrong current password in words, else what the server said', () => {
    expect(pwErrorText(new ApiError(400, 'invalid', 'current_password: 当前密码不正确 (the current password is wrong)'))).toBe('当前密码不正确');
    expect(pwErrorText(new ApiError(400, 'invalid', 'a password is at most 72 bytes'))).toBe('a password is at most 72 bytes');
    expect(pwErrorText(new ApiError(429, 'invalid', 'too many'))).toBe('尝试次数过多，请稍后再试（too many）');
  });
});
