import { describe, expect, it } from 'vitest';
import { gridLabel, placeName, searchBounds } from './place';

describe('placeName', () => {
  it('names the county and the grid without repeating the county', () => {
    expect(placeName({ county_id: '140225', county_name: '浑源县', grid_id: '140225-005-009', grid_name: '浑源县 6行10列' })).toBe('浑源县 · 6行10列');
  });
  it('puts the township between', () => {
    expect(placeName({ county_name: '浑源县', township_name: '永安镇', grid_name: '永安镇 1号网格', grid_id: 'x' })).toBe('浑源县 · 永安镇 · 1号网格');
  });
  it('falls back to the ids', () => {
    expect(placeName({ county_id: '140225', grid_id: '140225-005-009' })).toBe('140225-005-009');
    expect(placeName({ county_id: '140225' })).toBe('140225');
    expect(placeName({ county_name: '浑源县', grid_id: '140225-005-009' })).toBe('浑源县 · 140225-005-009');
    expect(placeName({})).toBe('');
  });
  it('keeps a grid name that is only the county name', () => {
    expect(placeName({ county_name: '浑源县', grid_name: '浑源县' })).toBe('浑源县 · 浑源县');
  });
});

describe('gridLabel', () => {
  it('shows the id with the name', () => {
    expect(gridLabel({ grid_id: '140225-005-009', grid_name: '浑源县 6行10列' })).toBe('140225-005-009（浑源县 6行10列）');
    expect(gridLabel({ grid_id: '140225-005-009' })).toBe('140225-005-009');
    expect(gridLabel({})).toBe('');
  });
});

describe('searchBounds', () => {
  it('swaps to Leaflet order', () => {
    expect(searchBounds([113.5, 39.4, 114.2, 39.9])).toEqual([[39.4, 113.5], [39.9, 114.2]]);
  });
  it('widens a point to about 300 m', () => {
    const b = searchBounds([113.3, 40.08, 113.3, 40.08])!;
    const heightM = (b[1][0] - b[0][0]) * 111320;
    const widthM = (b[1][1] - b[0][1]) * 111320 * Math.cos(40.08 * Math.PI / 180);
    expect(heightM).toBeCloseTo(300, 0);
    expect(widthM).toBeCloseTo(300, 0);
    expect((b[0][1] + b[1][1]) / 2).toBeCloseTo(113.3, 9);
  });
  it('refuses what is not a box', () => {
    expect(searchBounds(undefined)).toBeNull();
    expect(searchBounds([1, 2, 3])).toBeNull();
    expect(searchBounds([114, 39, 113, 40])).toBeNull();
    expect(searchBounds([NaN, 39, 113, 40])).toBeNull();
  });
});
