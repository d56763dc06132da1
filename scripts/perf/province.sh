#!/usr/bin/env bash
# Issue 17's benchmarks side by side in one run, on the same data, as ratios:
#   - the grid join: skygrid beside PostGIS (join.sh: index build, join/s);
#   - tiles without the cache: skygrid beside tegola on PostGIS tuned for
#     tiles, same files and tile buffer (tiles.sh: z12 and mixed z10-z14 at 32
#     connections, p99, the first tile after an ingest);
#   - the province's grid index (geo BenchmarkProvinceIndex: 50,000 grids,
#     2,000,000 points);
#   - a 1,000,000-row FIRMS ingest on SQLite and on PostgreSQL, on the
#     benchmark's file and on one where most rows open their own event;
#   - a province's monthly statistics (store BenchmarkProvinceMonth) on SQLite
#     and on PostgreSQL.
# Everything is SYNTHETIC (cmd/perfgen, internal/shanxi). It wants the 2-core
# machine to itself: 11.5 minutes with 3 rounds (PERF_ROUNDS, default 3; 2:
# 9 minutes) once tiles.sh's work directory holds its cluster and databases
# (the first run also builds tegola, loads PostGIS and ingests the points:
# some minutes more). The figures go to OUT_DIR (default a temp dir) and the
# last lines print each one, then the ratios (PostgreSQL beside SQLite).
#   scripts/perf/province.sh [OUT_DIR]
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="${1:-$(mktemp -d "${TMPDIR:-/tmp}/skygrid-province-XXXXXX")}"
ROUNDS="${PERF_ROUNDS:-3}"
mkdir -p "$OUT/data"
cd "$ROOT"
go run ./cmd/perfgen -out "$OUT/data"
echo "== issue 17 side by side, $ROUNDS rounds, from $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg), $(git log -1 --format=%h)" | tee "$OUT/start.txt"
"$HERE/join.sh" "$ROUNDS" | tee "$OUT/join.txt"
"$HERE/tiles.sh" "$OUT/data" 20 "$ROUNDS" | tee "$OUT/tiles.txt"
go test ./geo -run XXX -bench 'ProvinceIndex' -benchtime 1x -timeout 30m | tee "$OUT/index.txt"
for store in sqlite postgres; do
	SKYGRID_TEST_STORE=$store go test ./dispatch -run XXX -bench 'Ingest1M/area=none' -benchtime 1x -count "$ROUNDS" -timeout 60m | tee "$OUT/ingest-$store.txt"
	SKYGRID_TEST_STORE=$store go test ./store -run XXX -bench 'ProvinceMonth' -benchtime "${ROUNDS}x" -timeout 60m | tee "$OUT/month-$store.txt"
done
echo
echo "== issue 17 side by side ($OUT)"
tail -n 6 "$OUT/join.txt"
tail -n 12 "$OUT/tiles.txt"
grep -h '^Benchmark' "$OUT"/index.txt "$OUT"/ingest-*.txt "$OUT"/month-*.txt
python3 "$HERE/stores.py" "$OUT"/ingest-sqlite.txt "$OUT"/ingest-postgres.txt "$OUT"/month-sqlite.txt "$OUT"/month-postgres.txt
echo "ended $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
