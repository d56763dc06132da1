#!/usr/bin/env python3
"""Copied from the perf tools of issue 17 (../shared/tools/perf/tools/tilelist.py), unchanged.

Deterministic list of XYZ tiles covering the Datong bbox.

usage: tilelist.py ZMIN ZMAX [MAX_PER_ZOOM=500] [SEED=7] [shuffle]
Prints "z/x/y" lines. Zoom levels with more than MAX_PER_ZOOM tiles are sampled
(seeded random sample, sorted), others are listed completely.  With "shuffle" the
whole list is shuffled (seeded) so that any prefix is a representative zoom mix.
"""
import math, random, sys

BBOX = (112.55, 39.05, 114.55, 40.75)  # lon/lat WGS84


def tile_x(lon, z):
    return int((lon + 180.0) / 360.0 * (1 << z))


def tile_y(lat, z):
    r = math.radians(lat)
    return int((1.0 - math.asinh(math.tan(r)) / math.pi) / 2.0 * (1 << z))


def tiles(z):
    x0, x1 = tile_x(BBOX[0], z), tile_x(BBOX[2], z)
    y0, y1 = tile_y(BBOX[3], z), tile_y(BBOX[1], z)
    return [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]


def main():
    zmin, zmax = int(sys.argv[1]), int(sys.argv[2])
    cap = int(sys.argv[3]) if len(sys.argv) > 3 else 500
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 7
    shuffle = len(sys.argv) > 5 and sys.argv[5] == "shuffle"
    rnd = random.Random(seed)
    out = []
    for z in range(zmin, zmax + 1):
        t = tiles(z)
        if len(t) > cap:
            t = sorted(rnd.sample(t, cap))
        out += t
    if shuffle:
        random.Random(seed + 1).shuffle(out)
    for z_, x, y in out:
        print(f"{z_}/{x}/{y}")


if __name__ == "__main__":
    main()
