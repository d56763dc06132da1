import { describe, expect, it } from 'vitest';
import { mapBox, project } from './firemap';

describe('the public fire map projection', () => {
  const square: Array<Array<Array<[number, number]>>> = [[[[113, 40], [114, 40], [114, 41], [113, 41], [113, 40]]]];
  const b = mapBox([square]);
  it('puts the outlines 600 units wide inside a 10-unit margin, north up', () => {
    const [x0, y0] = project(b, [113, 41]);
    expect(x0).toBeCloseTo(10, 6);
    expect(y0).toBeCloseTo(10, 6);
    const [x, y] = project(b, [114, 40]);
    expect(x).toBeCloseTo(610, 6);
    expect(y).toBeCloseTo(b.height - 10, 6);
    expect(b.width).toBe(620);
  });
  it('shrinks longitude by the cosine of the middle latitude', () => {
    // One degree of latitude is 1/cos(40.5°) times as tall as a degree of longitude is wide.
    expect((b.height - 20) / 600).toBeCloseTo(1 / Math.cos(40.5 * Math.PI / 180), 6);
  });
  it('has a box without outlines (no counties imported)', () => {
    const e = mapBox([]);
    expect(e.width).toBe(620);
    expect(e.height).toBeGreaterThan(0);
  });
});
