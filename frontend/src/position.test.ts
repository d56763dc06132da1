import { describe, expect, it } from 'vitest';
import { bearingDegrees, compass8, distanceMetres, distanceWords, fireDirection } from './position';

// 浑源县城 and points a known way from it (1° of latitude is 111.2 km on
// the mean sphere; a degree of longitude at 39.7° N is cos(39.7°) of that).
const town = { lat: 39.7, lon: 113.7 };
const kmLat = 1 / 111.195;
const kmLon = kmLat / Math.cos((39.7 * Math.PI) / 180);

describe('distanceMetres', () => {
  it.each([
    ['the same point', town, 0],
    ['1 km north', { lat: 39.7 + kmLat, lon: 113.7 }, 1000],
    ['2 km east', { lat: 39.7, lon: 113.7 + 2 * kmLon }, 2000],
    ['3-4-5 km', { lat: 39.7 + 3 * kmLat, lon: 113.7 + 4 * kmLon }, 5000],
  ])('%s', (_name, p, want) => {
    expect(Math.abs(distanceMetres(town, p) - want)).toBeLessThan(want * 0.002 + 0.5);
  });
});

describe('bearingDegrees and compass8', () => {
  it.each([
    ['north', { lat: 39.71, lon: 113.7 }, 0, 'n'],
    ['east', { lat: 39.7, lon: 113.72 }, 90, 'e'],
    ['south', { lat: 39.69, lon: 113.7 }, 180, 's'],
    ['west', { lat: 39.7, lon: 113.68 }, 270, 'w'],
    ['north-east (as many km north as east)', { lat: 39.7 + 2 * kmLat, lon: 113.7 + 2 * kmLon }, 45, 'ne'],
    ['south-west', { lat: 39.7 - kmLat, lon: 113.7 - kmLon }, 225, 'sw'],
  ])('%s', (_name, p, deg, dir) => {
    const b = bearingDegrees(town, p);
    expect(Math.abs(b - deg)).toBeLessThan(0.5);
    expect(compass8(b)).toBe(dir);
  });
  it('rounds to the nearest of eight points', () => {
    expect(compass8(22.4)).toBe('n');
    expect(compass8(22.6)).toBe('ne');
    expect(compass8(337.6)).toBe('n');
    expect(compass8(-90)).toBe('w');
    expect(compass8(359.9)).toBe('n');
  });
});

describe('distanceWords', () => {
  it.each([
    [4, '约 10 米'],
    [847, '约 850 米'],
    [999, '约 1000 米'],
    [1000, '约 1.0 公里'],
    [2340, '约 2.3 公里'],
    [9949, '约 9.9 公里'],
    [14380, '约 14 公里'],
  ])('%d m', (m, want) => {
    expect(distanceWords(m, 'zh')).toBe(want);
  });
  it('in English', () => {
    expect(distanceWords(2340, 'en')).toBe('about 2.3 km');
  });
});

describe('fireDirection', () => {
  const fire = { lat: 39.7 + 1.63 * kmLat, lon: 113.7 + 1.63 * kmLon }; // 2.3 km north-east
  it('says how far and which way the fire is from the user', () => {
    expect(fireDirection(town, fire, 15, 'zh')).toBe('距火点约 2.3 公里，在您的东北方向');
    expect(fireDirection(town, fire, 15, 'en')).toBe('The fire is about 2.3 km away, to your north-east');
  });
  it('turns with the user: from the other side the fire is south-west', () => {
    const beyond = { lat: 39.7 + 3.26 * kmLat, lon: 113.7 + 3.26 * kmLon };
    expect(fireDirection(beyond, fire, 10, 'zh')).toBe('距火点约 2.3 公里，在您的西南方向');
  });
  it('names a registered place instead of a fire', () => {
    expect(fireDirection(town, fire, 15, 'zh', 'place')).toBe('距该地点约 2.3 公里，在您的东北方向');
  });
  it('says when the user is at the fire', () => {
    expect(fireDirection(town, { lat: 39.7 + 0.03 * kmLat, lon: 113.7 }, 8, 'zh')).toBe('您已在火点附近（约 30 米）');
  });
  it('says when the position is too rough for the distance', () => {
    expect(fireDirection(town, fire, 1500, 'zh')).toBe('距火点约 2.3 公里，在您的东北方向（定位误差约 1.5 公里）');
    expect(fireDirection(town, fire, 200, 'zh')).not.toContain('误差');
  });
});
