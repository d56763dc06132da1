import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The whole-zoom fix in leaflet.ts holds only for pages that take Leaflet
// from there (the browser suite e2e/suites/blankmap.mjs checks the result).
describe('Leaflet imports', () => {
  it('go through ./leaflet', () => {
    const dir = join(__dirname);
    const direct = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && f !== 'leaflet.ts' && !f.endsWith('.test.ts'))
      .filter((f) => /from\s+['"]leaflet['"]/.test(readFileSync(join(dir, f), 'utf8')));
    expect(direct).toEqual([]);
  });
});
