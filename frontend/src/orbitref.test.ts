/// <reference types="node" />
// Regenerates the SGP4 reference with satellite.js and compares it with the
// committed orbit/testdata/reference.json, which the Go package orbit checks
// its own predictions against (TestSGP4MatchesSatelliteJS): both sides of
// the comparison run in `make test`. ORBITREF_UPDATE=1 rewrites the file.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { reference, type Reference } from './orbitref';

const dir = fileURLToPath(new URL('../../orbit/testdata/', import.meta.url));
const version = JSON.parse(readFileSync(fileURLToPath(new URL('../node_modules/satellite.js/package.json', import.meta.url)), 'utf8')).version;

describe('orbit reference (satellite.js)', () => {
  const got = reference(readFileSync(dir + 'sgp4.tle', 'utf8'), version);
  if (process.env.ORBITREF_UPDATE) writeFileSync(dir + 'reference.json', JSON.stringify(got, null, 1) + '\n');
  const want: Reference = JSON.parse(readFileSync(dir + 'reference.json', 'utf8'));

  it('has every satellite at every time, and passes of each', () => {
    expect(new Set(got.positions.map((p) => p.norad)).size).toBe(5);
    expect(got.positions.length).toBe(5 * 9);
    expect(new Set(got.passes.map((p) => p.norad)).size).toBe(5);
  });

  it('positions equal the committed reference', () => {
    expect(got.positions.length).toBe(want.positions.length);
    got.positions.forEach((p, i) => {
      const w = want.positions[i];
      expect([p.norad, p.time]).toEqual([w.norad, w.time]);
      expect(p.lat).toBeCloseTo(w.lat, 4);
      expect(p.lon).toBeCloseTo(w.lon, 4);
      expect(p.alt).toBeCloseTo(w.alt, 2);
    });
  });

  it('pass peaks over Datong equal the committed reference', () => {
    expect(got.passes).toEqual(want.passes);
    expect(got.place).toEqual(want.place);
  });
});
