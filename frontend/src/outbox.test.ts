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
