#!/usr/bin/env bash
# The season load benchmark of docs/PERFORMANCE.md ("A season's data under
# load"): builds skygrid, builds the season's database (1,000,000
# SYNTHETIC detections ingested through the pipeline into Datong's
# counties with 7,102 grids of 1.5 km: see scripts/loadlists.go), serves it
# with `skygrid serve` and runs a 32-connection mix of tiles and lists as
# an admin and as an official for SECONDS: first idle, then while
# `skygrid ingest` adds 200,000-row files with new timestamps to the same
# database file in a loop. Besides the mix, a log-in every 5 s (log-ins
# write). It prints the figures of each run and of each ingest.
#
# Usage: scripts/seasonload.sh [SECONDS, default 60]
# SEASON_DIR keeps the built database (season.db.orig) and its tokens
# between runs (default: a new temporary folder, removed afterwards);
# REBUILD=1 builds it again. Building takes 5-10 minutes; each run copies
# it first, so every run starts from the same data.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
keep=${SEASON_DIR:-}
dir=${SEASON_DIR:-$(mktemp -d)}
mkdir -p "$dir"
port=${PORT:-18791}
if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
	echo "port $port is taken: set PORT" >&2
	exit 2
fi
cleanup() {
	kill $(jobs -p) 2>/dev/null || true
	wait 2>/dev/null || true
	[ -n "$keep" ] || rm -rf "$dir"
}
trap cleanup EXIT
go build -o "$dir/skygrid" ./cmd/skygrid
go build -o "$dir/loadlists" scripts/loadlists.go
cd "$dir"
echo "== $(date -u +%FT%TZ) on $(nproc) cores; load average: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ ! -f season.db.orig ] || [ "${REBUILD:-}" = 1 ]; then
	rm -f season.db.orig* season.csv tokens
	echo "== building the season's database"
	./loadlists -gen 1000000 -out season.csv -end "$(date -u -d '-1 hour' +%FT%TZ)" -days 365 -seed 1
	./loadlists -build season.db.orig -points season.csv
	echo "load-test-password-1" >pw
	./skygrid user add --db season.db.orig --name loadadmin --role admin --password-file pw >/dev/null
	./skygrid user add --db season.db.orig --name loadofficial --role official --region 140225 --password-file pw >/dev/null
	echo "$(./skygrid token create --db season.db.orig --user loadadmin) $(./skygrid token create --db season.db.orig --user loadofficial)" >tokens
	rm -f season.csv
fi
read -r admin official <tokens
for i in $(seq "${INGESTS:-10}"); do
	./loadlists -gen 200000 -out "ingest$i.csv" -end "$(date -u +%FT%TZ)" -days 2 -seed $((1000 + i)) >/dev/null
done
rm -f season.db season.db-wal season.db-shm
cp season.db.orig season.db
sqlite3 season.db "SELECT 'season: ' || (SELECT COUNT(*) FROM hotspots) || ' hotspots, ' || (SELECT COUNT(*) FROM events) || ' events, ' ||
	(SELECT COUNT(*) FROM tasks) || ' tasks, ' || (SELECT COUNT(*) FROM regions WHERE level = 'grid') || ' grids'" 2>/dev/null || true

./skygrid serve --db season.db --addr 127.0.0.1:$port >serve.log 2>&1 &
server=$!
for i in $(seq 600); do
	curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
	if [ "$i" = 600 ] || ! kill -0 $server 2>/dev/null; then
		cat serve.log
		exit 1
	fi
	sleep 0.1
done
load() {
	echo "== $1"
	shift
	./loadlists -url "http://127.0.0.1:$port" -admin "$admin" -official "$official" -c 32 -d "${secs}s" \
		-login loadadmin:load-test-password-1 "$@" || status=1
}
status=0
# The idle run starts with a warm-up pass: every distinct request of the
# mix once (a server in use has its tiles drawn and its counts made).
load "idle: 32 connections, ${secs} s, tiles and lists as an admin and an official" -warm

# The ingest loop: 200,000-row files with new positions and timestamps
# (the two days before now), made before the runs so that making them
# takes nothing from the server while it is measured, ingested one after
# another into the same database file until the run ends.
ingest_loop() {
	local i=1
	while [ ! -f stop ] && [ -f "ingest$i.csv" ]; do
		local t0=$(date +%s%N)
		${INGEST_CMD:-} ./skygrid ingest --db season.db --set dispatch.max_age=9000h "ingest$i.csv" >"ingest$i.log" 2>&1 || echo "ingest $i FAILED: $(cat ingest$i.log)"
		echo "ingest $i: $((($(date +%s%N) - t0) / 1000000)) ms: $(tr '\n' ' ' <ingest$i.log | cut -c1-400)"
		rm -f "ingest$i.csv"
		i=$((i + 1))
	done
}
rm -f stop
ingest_loop >ingest.log 2>&1 &
loop=$!
sleep 2
load "during an ingest loop (skygrid ingest of 200,000-row files into the same database file): 32 connections, ${secs} s"
touch stop
wait $loop || true
cat ingest.log
if grep -qi "database is locked\|error" serve.log; then
	echo "== the server logged errors:"
	grep -i "database is locked\|error" serve.log | head -20
	status=1
fi
kill $server
wait $server 2>/dev/null || true
exit $status
