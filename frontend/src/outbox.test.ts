import { describe, expect, it } from 'vitest';
import { ApiError, NetworkError } from './api';
import { failureAction, rejectionKey } from './outbox';
import { dictionaries } from './i18n';

describe('failureAction', () => {
  it('keeps a report when the network, the session or the server is the trouble', () => {
    expect(failureAction(new NetworkError('offline'))).toBe('keep');
    for (const status of [401, 408, 429, 500, 502, 503]) expect(failureAction(new ApiError(status, 'x', 'y')), String(status)).toBe('keep');
    expect(failureAction(new Error('odd'))).toBe('keep');
  });
  it('sets aside a report the server refused', () => {
    for (const status of [400, 403, 404, 409, 413]) expect(failureAction(new ApiError(status, 'x', 'y')), String(status)).toBe('reject');
  });
});

describe('rejectionKey', () => {
  it('explains each refusal in both languages', () => {
    for (const status of [400, 403, 404, 409, 413, 418]) {
      const k = rejectionKey(status);
      expect(dictionaries.zh[k], k).toBeTruthy();
      expect(dictionaries.en[k], k).toBeTruthy();
    }
    expect(rejectionKey(409)).toBe('rejected.409');
    expect(rejectionKey(403)).toBe('rejected.403');
    expect(rejectionKey(418)).toBe('rejected.other');
  });
});

describe('rejectionKey with the server\'s message', () => {
  it('tells more where the message does', () => {
    const cases: [number, string, string][] = [
      [409, 'task 12 is reported (待审核); report needs it acknowledged', 'rejected.409.done'],
      [409, 'task 12 is closed (已办结); report needs it acknowledged', 'rejected.409.done'],
      [409, 'task 12 changed since you loaded it (version 3, now 4: acknowledged); load it again', 'rejected.409'],
      [400, 'photo 1: not a JPEG or PNG image', 'rejected.400.photo'],
      [400, 'a report needs 1 to 5 photos, got 0', 'rejected.400.photo'],
      [400, 'the report is larger than 76 MiB (at most 5 photos of 15 MiB)', 'rejected.413'],
      [400, 'finding "burnt": want one of straw_burning, …', 'rejected.400.finding'],
      [400, 'position 500, 40 out of range', 'rejected.400'],
      [413, '', 'rejected.413'],
    ];
    for (const [status, message, key] of cases) {
      expect(rejectionKey(status, message), message).toBe(key);
      expect(dictionaries.zh[key], key).toBeTruthy();
      expect(dictionaries.en[key], key).toBeTruthy();
    }
  });
});
