#!/usr/bin/env bash
# The grid join side by side, skygrid and PostGIS, in one run on the same
# data: perfgen's 5,000 irregular grids over Datong and 1,000,000 FIRMS
# points (go run ./cmd/perfgen, written to a temp dir; skygrid's
# BenchmarkJoin makes the same data in memory from the same generator and
# seed). Rounds interleave the two (PostGIS, skygrid, PostGIS, skygrid ...)
# because the machine is shared; the last lines are medians and ratios.
#   scripts/perf/join.sh [ROUNDS=3]
# Measured: index build (PostGIS: CREATE INDEX ... USING gist on the grids;
# skygrid: every grid added to geo.Index and its raster built) and the join
# (PostGIS: CREATE TABLE AS the point-grid pairs, the cluster's default plan
# and the tuned one of the shared tools' baseline_postgis.sh, whose SQL this
# follows; skygrid: geo.Index.Locate of every point on every core). Both
# are checked against the generator's brute-force expected_assign.csv.
# Needs the private cluster of scripts/perf/pg.sh (initialised and started
# here when missing). Run from the project's root, as root.
set -euo pipefail
ROUNDS="${1:-3}"
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PORT="${PGPORT_PERF:-55442}"
DIR="$(mktemp -d "${TMPDIR:-/tmp}/skygrid-join-XXXXXX")"
chmod 755 "$DIR"
trap 'rm -rf "$DIR"' EXIT
cd "$ROOT"
go run ./cmd/perfgen -out "$DIR" 2> "$DIR/gen.log" || { cat "$DIR/gen.log"; exit 1; }
"$HERE/pg.sh" status >/dev/null 2>&1 || { "$HERE/pg.sh" init >/dev/null; "$HERE/pg.sh" status >/dev/null 2>&1 || "$HERE/pg.sh" start; }
go test -c -o "$DIR/geo.test" ./geo

P() { PGOPTIONS="-c client_min_messages=warning ${JOPTS:-}" psql -X -h 127.0.0.1 -p "$PORT" -U postgres -d perf -v ON_ERROR_STOP=1 -q "$@"; }
t() { P -c '\timing on' -c "$1" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1 | awk '{printf "%.3f", $1/1000}'; }

# Load once (not timed here: both sides generate or load before they build).
P -c "DROP TABLE IF EXISTS assigned, pts, grids"
P -c "CREATE TABLE grids (gid serial PRIMARY KEY, grid_id text NOT NULL, geom geometry(Polygon,4326) NOT NULL)"
P -c "INSERT INTO grids (grid_id, geom) SELECT f->'properties'->>'grid_id', ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 4326)
      FROM jsonb_array_elements(pg_read_file('$DIR/grids.geojson')::jsonb->'features') f"
P -c "CREATE TABLE pts (id bigserial PRIMARY KEY, latitude float8, longitude float8, bright_ti4 real, scan real, track real,
  acq_date date, acq_time text, satellite text, instrument text, confidence text, version text, bright_ti5 real, frp real, daynight text,
  geom geometry(Point,4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(longitude, latitude), 4326)) STORED)"
P -c "COPY pts (latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight) FROM '$DIR/points.csv' (FORMAT csv, HEADER true)"
P -c "CREATE INDEX pts_geom_gix ON pts USING gist (geom)"
P -c "VACUUM ANALYZE pts"
NPTS=$(P -Atc "SELECT count(*) FROM pts")
JOIN="FROM pts p JOIN grids g ON ST_Intersects(g.geom, p.geom)"

pg_round() { # -> "gist_s default_s tuned_s"
  P -c "DROP INDEX IF EXISTS grids_geom_gix" >/dev/null
  local gix; gix=$(t "CREATE INDEX grids_geom_gix ON grids USING gist (geom)")
  P -c "VACUUM ANALYZE grids" >/dev/null
  local out="$gix" prof
  for prof in default tuned; do
    if [ "$prof" = tuned ]; then export JOPTS="-c jit=off -c min_parallel_table_scan_size=0"; else export JOPTS=""; fi
    P -c "DROP TABLE IF EXISTS assigned" >/dev/null
    out="$out $(t "CREATE TABLE assigned AS SELECT p.id, g.grid_id $JOIN")"
    # every point in exactly the grid brute force found (untimed)
    P -c "\copy (SELECT id, grid_id FROM assigned ORDER BY id) TO '$DIR/pg_assign.csv' CSV HEADER" >/dev/null
    cmp -s "$DIR/pg_assign.csv" "$DIR/expected_assign.csv" || { echo "PostGIS ($prof) differs from expected_assign.csv" >&2; exit 1; }
  done
  unset JOPTS
  echo "$out"
}

sky_round() { # -> "build_s points_per_s"
  "$DIR/geo.test" -test.run XXX -test.bench '^BenchmarkJoin$' -test.benchtime 5x |
    awk '/^BenchmarkJoin/ { for (i = 1; i < NF; i++) { if ($(i+1) == "build-s") b = $i; if ($(i+1) == "points/s") p = $i } print b, p }'
}

echo "== join side by side: $(grep -c '"type":"Feature"' "$DIR/grids.geojson") grids, $NPTS points, $ROUNDS rounds, $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-5s | %-9s %-10s %-10s %-11s %-11s | %-9s %-11s | %-12s %-14s %-14s\n' round pg_gist_s pg_join_s pg_tuned_s pg_pts/s pg_tuned/s sky_build sky_pts/s "build pg/sky" "join sky/pg" "join sky/tuned"
rows=()
for r in $(seq 1 "$ROUNDS"); do
  read -r gix jd jt < <(pg_round)
  read -r sb sp < <(sky_round)
  row=$(python3 -c "
n=$NPTS; gix,jd,jt,sb,sp=$gix,$jd,$jt,$sb,$sp
print('%-5d | %-9.3f %-10.3f %-10.3f %-11.0f %-11.0f | %-9.3f %-11.0f | %-12.2f %-14.1f %-14.1f' % ($r,gix,jd,jt,n/jd,n/jt,sb,sp,gix/sb,sp/(n/jd),sp/(n/jt)))")
  echo "$row"; rows+=("$row")
done
printf '%s\n' "${rows[@]}" | python3 -c "
import sys, statistics as s
cols = list(zip(*[[float(x) for x in l.replace('|',' ').split()[1:]] for l in sys.stdin]))
m = [s.median(c) for c in cols]
print('%-5s | %-9.3f %-10.3f %-10.3f %-11.0f %-11.0f | %-9.3f %-11.0f | %-12.2f %-14.1f %-14.1f' % ('med', *m))"
