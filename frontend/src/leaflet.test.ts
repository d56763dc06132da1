import { describe, expect, it } from 'vitest';

// The whole-zoom fix in leaflet.ts holds only for pages that take Leaflet
// from there (the browser suite e2e/suites/blankmap.mjs checks the result).
const sources = import.meta.glob<string>(['./*.ts', '!./*.test.ts', '!./leaflet.ts'], { query: '?raw', import: 'default', eager: true });

describe('Leaflet imports', () => {
  it('go through ./leaflet', () => {
    expect(Object.keys(sources).length).toBeGreaterThan(10);
    const direct = Object.entries(sources).filter(([, src]) => /from\s+['"]leaflet['"]/.test(src)).map(([f]) => f);
    expect(direct).toEqual([]);
  });
});
