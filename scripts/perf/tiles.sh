#!/usr/bin/env bash
# Vector tiles without the cache, side by side in one run (issue 17): skygrid
# (`serve --tile-cache -1`, one tile of the grid layer and the hotspots:
# /tiles/regions,hotspots/z/x/y.mvt) against tegola (mvt_postgis provider: PostGIS
# writes the tile with ST_AsMVT) on a private PostgreSQL 15 + PostGIS cluster tuned
# for tiles (a role with jit off and no parallel workers), on the same files and the
# same tile buffer: 256 units of 4096 (1/16 of a tile) on both. tegola's query takes
# the features of the tile grown by 1/16 and ST_AsMVTGeom clips them at its default
# buffer of 256: skygrid's buffer given to tegola (its config's own selected only the
# points inside the tile).
#
#   scripts/perf/tiles.sh DATA_DIR [SECONDS=20] [ROUNDS=3]
#
# DATA_DIR holds grids.geojson and points.csv from the perf tools' generator
# (go run ./gen -grids 5000 -points 1000000 -out DATA_DIR, in the issue's perf tools).
# Runs wrk -t2 -c32 (WRK_CONNECTIONS) for SECONDS per run over fixed tile lists
# (tilelist.py: z12 and the shuffled mixed z10-z14), peer and skygrid alternated for
# ROUNDS rounds, and prints each run, the per-round ratios and their medians. Then
# the first tile after an ingest of 1,000 more detections, and skygrid's memory.
# Builds tegola from the source snapshot (TEGOLA_GIT, a git directory) into the
# work directory, never into the project. Work files (cluster, databases, binaries)
# in PERF_WORK (default /tmp/skygrid-perf-tiles), kept between runs (KEEP_PG=1 leaves
# the cluster running). Ports: PERF_PGPORT (55473), PERF_SKYPORT (18473), PERF_TEGPORT (18474).
# Needs: PostgreSQL 15 with PostGIS 3 (postgresql-15-postgis-3), wrk, python3, Go.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DATA="$(realpath "${1:?usage: scripts/perf/tiles.sh DATA_DIR [SECONDS] [ROUNDS]}")"
SECS="${2:-20}"; ROUNDS="${3:-3}"; CONNS="${WRK_CONNECTIONS:-32}"
WORK="${PERF_WORK:-/tmp/skygrid-perf-tiles}"
PGPORT="${PERF_PGPORT:-55473}"; SKYPORT="${PERF_SKYPORT:-18473}"; TEGPORT="${PERF_TEGPORT:-18474}"
TEGOLA_GIT="${TEGOLA_GIT:-/work/.mirror/go-spatial+tegola/repo}"
PGBIN=/usr/lib/postgresql/15/bin
mkdir -p "$WORK"
for f in grids.geojson points.csv; do [ -f "$DATA/$f" ] || { echo "no $DATA/$f (see the usage)"; exit 2; }; done

# ---------------------------------------------------------------- binaries
(cd "$ROOT" && go build -o "$WORK/skygrid" ./cmd/skygrid)
if [ ! -x "$WORK/tegola" ]; then
  rm -rf "$WORK/tegola-src" && mkdir -p "$WORK/tegola-src"
  # Files whose objects the snapshot lacks (large test data, a vendored C file the
  # pure-Go build does not use) are left out.
  missing=$(git --git-dir="$TEGOLA_GIT" ls-tree -r HEAD | while read -r _ _ o p; do
    git --git-dir="$TEGOLA_GIT" cat-file -e "$o" 2>/dev/null || printf ":(exclude)%s\n" "$p"; done)
  # shellcheck disable=SC2086
  git --git-dir="$TEGOLA_GIT" archive HEAD -- . $missing | tar -x -C "$WORK/tegola-src"
  (cd "$WORK/tegola-src" && CGO_ENABLED=0 go build -o "$WORK/tegola" ./cmd/tegola)
fi

# ---------------------------------------------------------------- PostgreSQL + PostGIS
PGROOT="$WORK/pg"
asuser() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
Q() { psql -X -h 127.0.0.1 -p "$PGPORT" -U postgres -d "${DB:-perf}" -v ON_ERROR_STOP=1 -q "$@"; }
if [ ! -d "$PGROOT/data" ]; then
  mkdir -p "$PGROOT/run"; [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$PGROOT"
  asuser "$PGBIN/initdb" -D "$PGROOT/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  cat >> "$PGROOT/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$PGROOT/run'
shared_buffers = 1GB
work_mem = 64MB
maintenance_work_mem = 512MB
effective_cache_size = 4GB
random_page_cost = 1.1
max_connections = 100
CONF
fi
asuser "$PGBIN/pg_ctl" -D "$PGROOT/data" status >/dev/null 2>&1 || asuser "$PGBIN/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/server.log" -w start >/dev/null
cleanup() {
  for p in ${SKYPID:-} ${TEGPID:-}; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  [ "${KEEP_PG:-0}" = 1 ] || asuser "$PGBIN/pg_ctl" -D "$PGROOT/data" -m fast -w stop >/dev/null 2>&1 || true
}
trap cleanup EXIT
if [ "$(DB=postgres Q -Atc "SELECT count(*) FROM pg_database WHERE datname = 'perf'")" = 0 ]; then
  DB=postgres Q -c "CREATE DATABASE perf"
  Q -c "CREATE EXTENSION postgis"
  # As the perf tools' baseline_postgis.sh loads them.
  Q -c "CREATE TABLE grids (gid serial PRIMARY KEY, grid_id text NOT NULL, township text, supervisor text, geom geometry(Polygon,4326) NOT NULL)"
  Q -c "INSERT INTO grids (grid_id, township, supervisor, geom)
    SELECT f->'properties'->>'grid_id', f->'properties'->>'township', f->'properties'->>'supervisor',
           ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 4326)
    FROM jsonb_array_elements(pg_read_file('$DATA/grids.geojson')::jsonb->'features') f"
  Q -c "CREATE TABLE pts (id bigserial, latitude float8, longitude float8, bright_ti4 real, scan real, track real,
    acq_date date, acq_time text, satellite text, instrument text, confidence text, version text, bright_ti5 real, frp real, daynight text,
    geom geometry(Point,4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(longitude, latitude), 4326)) STORED)"
  Q -c "COPY pts (latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight) FROM '$DATA/points.csv' (FORMAT csv, HEADER true)"
  Q -c "ALTER TABLE pts ADD PRIMARY KEY (id)" -c "CREATE INDEX ON grids USING gist (geom)" -c "CREATE INDEX ON pts USING gist (geom)"
  Q -c "VACUUM ANALYZE grids" -c "VACUUM ANALYZE pts"
  # Tuned for tiles (the perf tools' README): small queries start no workers, no JIT.
  Q -c "CREATE ROLE tiles LOGIN" -c "ALTER ROLE tiles SET jit = off" -c "ALTER ROLE tiles SET max_parallel_workers_per_gather = 0" \
    -c "GRANT SELECT ON grids, pts TO tiles"
fi
NG=$(Q -Atc "SELECT count(*) FROM grids"); NP=$(Q -Atc "SELECT count(*) FROM pts")

# ---------------------------------------------------------------- skygrid's database
SKYDB="$WORK/skygrid.db"
if [ ! -f "$WORK/token" ]; then
  rm -f "$SKYDB"*
  "$WORK/skygrid" import regions "$DATA/grids.geojson" --level grid --id-prop grid_id --name-prop grid_id --db "$SKYDB" >/dev/null
  /usr/bin/time -f "skygrid ingest of $NP points: %e s, %M KiB peak" "$WORK/skygrid" ingest "$DATA/points.csv" --db "$SKYDB" >/dev/null
  printf 'perf tiles password\n' > "$WORK/pw"
  "$WORK/skygrid" user add --name perf --role admin --password-file "$WORK/pw" --db "$SKYDB" >/dev/null
  "$WORK/skygrid" token create --user perf --name perf --db "$SKYDB" > "$WORK/token"
fi
export WRK_TOKEN; WRK_TOKEN=$(cat "$WORK/token")

# ---------------------------------------------------------------- servers
sed -e "s|^port = .*|port = \"127.0.0.1:$TEGPORT\"|" \
    -e "s|^uri = .*|uri = \"postgres://tiles@127.0.0.1:$PGPORT/perf?sslmode=disable\"|" \
    -e 's|WHERE geom \&\& !BBOX!|WHERE geom \&\& ST_Expand(!BBOX!, (ST_XMax(!BBOX!) - ST_XMin(!BBOX!)) / 16)|' \
    "$HERE/tegola_mvt_postgis.toml" > "$WORK/tegola.toml"
env -u PGHOST -u PGPORT -u PGDATABASE -u PGUSER -u PGPASSWORD -u PGOPTIONS \
  "$WORK/tegola" serve --config "$WORK/tegola.toml" > "$WORK/tegola.log" 2>&1 &
TEGPID=$!
"$WORK/skygrid" serve --db "$SKYDB" --addr "127.0.0.1:$SKYPORT" --tile-cache -1 > "$WORK/skygrid.log" 2>&1 &
SKYPID=$!
for _ in $(seq 1 120); do
  curl -sf -o /dev/null "http://127.0.0.1:$TEGPORT/capabilities" && curl -sf -o /dev/null "http://127.0.0.1:$SKYPORT/healthz" && break
  sleep 0.5
done
TEG="http://127.0.0.1:$TEGPORT /maps/datong/ .pbf"
SKY="http://127.0.0.1:$SKYPORT /tiles/regions,hotspots/ .mvt"

python3 "$HERE/tilelist.py" 12 12 500 7 > "$WORK/tiles_z12.txt"
python3 "$HERE/tilelist.py" 10 14 500 7 shuffle > "$WORK/tiles_mixed.txt"

run_wrk() { # "URL PREFIX SUFFIX" list seconds -> "rps p50 p99 avg_bytes errors"
  # shellcheck disable=SC2086
  set -- $1 "$2" "$3"
  wrk -t2 -c"$CONNS" -d"$5"s --timeout 120s --latency -s "$HERE/tiles.lua" "$1" -- "$4" "$2" "$3" 2>&1 | sed -n 's/^WRKJSON //p' |
    python3 -c 'import json,sys
j=json.load(sys.stdin); n=max(j["requests"],1)
print("%.1f %.1f %.1f %.0f %d" % (j["rps"], j["lat_p50_ms"], j["lat_p99_ms"], j["bytes"]/n, j["errors_connect"]+j["errors_read"]+j["errors_timeout"]+j["non200"]))'
}

echo "== tiles without the cache: $NG grids, $NP points; wrk -t2 -c$CONNS ${SECS}s per run, $ROUNDS rounds, tegola and skygrid alternated ($(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg))"
run_wrk "$TEG" "$WORK/tiles_mixed.txt" 3 >/dev/null; run_wrk "$SKY" "$WORK/tiles_mixed.txt" 3 >/dev/null # warm-up
RESULTS="$WORK/results.txt"; : > "$RESULTS"
for r in $(seq 1 "$ROUNDS"); do
  for list in z12 mixed; do
    T=$(run_wrk "$TEG" "$WORK/tiles_$list.txt" "$SECS"); S=$(run_wrk "$SKY" "$WORK/tiles_$list.txt" "$SECS")
    echo "$r $list $T $S" >> "$RESULTS"
    printf 'round %s %-5s tegola %8s req/s p50 %6s p99 %7s ms %7s B/tile err %s | skygrid %8s req/s p50 %6s p99 %7s ms %7s B/tile err %s\n' "$r" "$list" $T $S
  done
done
python3 - "$RESULTS" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
for lst in ("z12", "mixed"):
    rs = [r for r in rows if r[1] == lst]
    ratio = [float(r[7]) / float(r[2]) for r in rs]
    p99 = [float(r[9]) for r in rs]
    tp99 = [float(r[4]) for r in rs]
    print("RATIO %-5s skygrid/tegola req/s per round %s, median %.2f; skygrid p99 median %.1f ms (tegola %.1f ms); bytes/tile %s vs %s"
          % (lst, " ".join("%.2f" % x for x in ratio), statistics.median(ratio), statistics.median(p99), statistics.median(tp99), rs[0][10], rs[0][5]))
PY

# ---------------------------------------------------------------- the first tile after an ingest
# 1,000 detections of the file again, dated after the file's last day (as a live
# feed brings them: new ids above every stored one; N days after it on the Nth run
# over the same work directory), ingested while serve runs; then the tile under the
# first of them, asked until it shows them: how long the hotspots take to be brought
# up to date from the rows added, and the time of each request.
DAYS=$(( $(cat "$WORK/runs" 2>/dev/null || echo 0) + 1 )); echo "$DAYS" > "$WORK/runs"
LAST=$(awk -F, 'NR > 1 && $6 > m { m = $6 } END { print m }' "$DATA/points.csv")
DAY=$(date -u -d "$LAST +$DAYS day" +%F)
awk -F, -v day="$DAY" 'NR == 1 { print; next } NR <= 1001 { $6 = day; print }' OFS=, "$DATA/points.csv" > "$WORK/more.csv"
read -r LAT LON < <(awk -F, 'NR == 2 { print $1, $2 }' "$WORK/more.csv")
TILE=$(python3 -c "import math,sys; lat,lon=float(sys.argv[1]),float(sys.argv[2]); z=12; n=1<<z; r=math.radians(lat)
print('%d/%d/%d' % (z, int((lon+180)/360*n), int((1-math.asinh(math.tan(r))/math.pi)/2*n)))" "$LAT" "$LON")
URL="http://127.0.0.1:$SKYPORT/tiles/hotspots/$TILE.mvt"
tile() { curl -s -o /dev/null -w "%{http_code} %{size_download} %header{etag} %{time_total}\n" -H "Authorization: Bearer $WRK_TOKEN" "$URL"; }
read -r _ _ BEFORE _ < <(tile)
"$WORK/skygrid" ingest "$WORK/more.csv" --db "$SKYDB" | sed -n 1p
T0=$(date +%s.%N)
for i in $(seq 1 50); do
  read -r CODE SIZE TAG SECS_ < <(tile)
  echo "first tile after the ingest, request $i: $CODE, $SIZE B in $SECS_ s, $(python3 -c "import sys; print('%.3f' % (float(sys.argv[1]) - float(sys.argv[2])))" "$(date +%s.%N)" "$T0") s after the ingest ended, $([ "$TAG" != "$BEFORE" ] && echo "with the new detections" || echo "as before")"
  [ "$TAG" != "$BEFORE" ] && break
done
grep -E 'VmRSS|VmHWM' "/proc/$SKYPID/status" | tr -s ' \t' ' ' | sed 's/^/skygrid serve /'
