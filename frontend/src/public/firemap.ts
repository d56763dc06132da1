// The public fire map's projection: plate carrée with the longitude
// shrunk by the cosine of the middle latitude (true shapes at Datong's
// scale), 600 units wide.

export type Outline = Array<Array<Array<[number, number]>>>;

export interface MapBox { minLon: number; maxLat: number; kx: number; ky: number; width: number; height: number }

const WIDTH = 600;
const PAD = 10;

/** mapBox is the box holding every outline, 600 units wide plus margins. */
export function mapBox(outlines: Outline[]): MapBox {
  let minLon = Infinity, minLat = Infinity, maxLon = -Infinity, maxLat = -Infinity;
  for (const o of outlines) for (const poly of o) for (const ring of poly) for (const [lon, lat] of ring) {
    minLon = Math.min(minLon, lon); maxLon = Math.max(maxLon, lon);
    minLat = Math.min(minLat, lat); maxLat = Math.max(maxLat, lat);
  }
  if (!isFinite(minLon)) { minLon = 113; maxLon = 114; minLat = 39.5; maxLat = 40.5; }
  const cos = Math.cos(((minLat + maxLat) / 2) * Math.PI / 180);
  const k = WIDTH / Math.max((maxLon - minLon) * cos, 1e-6);
  return { minLon: minLon - PAD / (k * cos), maxLat: maxLat + PAD / k, kx: k * cos, ky: k,
    width: WIDTH + 2 * PAD, height: (maxLat - minLat) * k + 2 * PAD };
}

/** project is a point's place in the box's units (y down). */
export function project(b: MapBox, [lon, lat]: [number, number]): [number, number] {
  return [(lon - b.minLon) * b.kx, (b.maxLat - lat) * b.ky];
}
