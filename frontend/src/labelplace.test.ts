import { describe, expect, it } from 'vitest';
import { boxOf, labelShown, labelText, metresPerPixel, placeLabels, regionPixels, type LabelBox } from './labelplace';

describe('metresPerPixel and regionPixels', () => {
  it('match Web Mercator at Datong', () => {
    // 156543 m at zoom 0 on the equator, halved per zoom, times cos(lat).
    expect(metresPerPixel(0, 0)).toBeCloseTo(156543.03, 1);
    expect(metresPerPixel(12, 40)).toBeCloseTo(29.28, 1);
    // A 3 km grid cell (9 km²) is about 102 px wide at zoom 12, 51 at 11.
    expect(regionPixels(9, 12, 40)).toBeCloseTo(102.5, 0);
    expect(regionPixels(9, 11, 40)).toBeCloseTo(51.2, 0);
  });
});

describe('labelShown', () => {
  const cell = (z: number) => regionPixels(9, z, 40);
  it.each([
    // level, zoom, region px, text px, shown
    ['city', 7, 120, 60, true], // a province's city at the province's zoom
    ['city', 8.75, 400, 60, true],
    ['city', 9, 500, 60, false], // its counties' names from 9
    ['city', 7, 40, 60, false],
    ['county', 9, 200, 60, true],
    ['county', 11.25, 800, 60, true],
    ['county', 12, 1600, 60, false],
    ['county', 8, 40, 60, false], // smaller than its name
    ['township', 9, 100, 50, false],
    ['township', 11, 300, 50, true],
    ['township', 14, 2000, 50, false],
    ['grid', 11, cell(11), 50, false], // 51 px: no room for "6行10列"
    ['grid', 12, cell(12), 50, true], // 102 px
    ['grid', 10, 500, 50, false], // never at city zooms
    ['grid', 15, cell(15), 50, true],
  ] as const)('%s at zoom %d (%d px, name %d px): %s', (level, z, px, text, want) => {
    expect(labelShown(level, z, px, text)).toBe(want);
  });
});

describe('labelText', () => {
  it('drops the county or township a grid name repeats', () => {
    expect(labelText('浑源县 6行10列', ['浑源县'])).toBe('6行10列');
    expect(labelText('永安镇 1号网格', ['永安镇', '浑源县'])).toBe('1号网格');
    expect(labelText('浑源县', ['大同市'])).toBe('浑源县');
    expect(labelText('浑源县', ['浑源县'])).toBe('浑源县');
    expect(labelText(' 平城区 ', [])).toBe('平城区');
  });
});

describe('placeLabels', () => {
  const box = (id: string, x: number, y: number, rank = 1, w = 60, h = 18): LabelBox => ({ id, x, y, w, h, rank });
  it('keeps labels that are apart', () => {
    expect(placeLabels([box('a', 100, 100), box('b', 200, 100), box('c', 100, 200)], 400, 300).sort()).toEqual(['a', 'b', 'c']);
  });
  it('drops the lower-ranked of two that overlap', () => {
    expect(placeLabels([box('grid', 110, 105, 1), box('county', 100, 100, 3)], 400, 300)).toEqual(['county']);
  });
  it('keeps a pad between labels', () => {
    // 60 px wide, centres 62 px apart: 2 px between them, less than the 4 px pad.
    expect(placeLabels([box('a', 100, 100, 2), box('b', 162, 100, 1)], 400, 300)).toEqual(['a']);
    expect(placeLabels([box('a', 100, 100, 2), box('b', 165, 100, 1)], 400, 300)).toEqual(['a', 'b']);
  });
  it('drops labels that would stick out of the view', () => {
    expect(placeLabels([box('left', 20, 100), box('bottom', 200, 295), box('in', 200, 150)], 400, 300)).toEqual(['in']);
  });
  it('keeps clear of what covers the map (the layers panel)', () => {
    const panel = boxOf('panel', 300, 0, 100, 300); // the right quarter
    expect(placeLabels([box('under', 340, 100), box('beside', 250, 100), box('edge', 280, 200)], 400, 300, 4, 2, [panel])).toEqual(['beside']);
  });
  it('never keeps two overlapping boxes, whatever the input', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const boxes = Array.from({ length: 300 }, (_, i) => box('b' + i, rnd() * 375, rnd() * 700, Math.floor(rnd() * 3), 30 + rnd() * 60, 16));
    const kept = placeLabels(boxes, 375, 700);
    const byId = new Map(boxes.map((b) => [b.id, b]));
    expect(kept.length).toBeGreaterThan(10);
    for (let i = 0; i < kept.length; i++) {
      for (let j = i + 1; j < kept.length; j++) {
        const a = byId.get(kept[i])!, b = byId.get(kept[j])!;
        const overlap = Math.abs(a.x - b.x) * 2 < a.w + b.w && Math.abs(a.y - b.y) * 2 < a.h + b.h;
        expect(overlap, `${a.id} and ${b.id}`).toBe(false);
      }
    }
  });
});
