import { describe, expect, it } from 'vitest';
import { beijing } from './warning';

describe('the public warning says its times in Beijing time', () => {
  it.each([
    ['2026-12-05T00:00:00Z', '12月5日 08:00'],
    ['2026-12-31T16:30:00Z', '1月1日 00:30'],
  ])('%s', (iso, want) => { expect(beijing(iso)).toBe(want); });
});
