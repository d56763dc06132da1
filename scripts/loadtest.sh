#!/usr/bin/env bash
# The tile load test of docs/PERFORMANCE.md: builds skygrid, makes the demo
# database (October 2023 FIRMS detections, Datong's grids, the demo sites),
# serves it on 127.0.0.1 and runs scripts/loadtiles.go against it: with the
# tile cache, without it, and with 100,000 and 1,000,000 synthetic points.
# Usage: scripts/loadtest.sh [seconds per run, default 20] [scenario...]
# Scenarios: demo demo-nocache points100k points1m (default: all).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
shift || true
scenarios=${*:-demo demo-nocache points100k points1m}
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/skygrid" ./cmd/skygrid
go build -o "$tmp/loadtiles" scripts/loadtiles.go
"$tmp/skygrid" demo --no-serve --db "$tmp/demo.db" >/dev/null
# The tiles need a signed-in user: the demo's admin, by an API token (the
# copies of the database for the point scenarios keep it).
token=$("$tmp/skygrid" token create --db "$tmp/demo.db" --user admin)
port=18765

serve() { # serve DB [flags...]: start skygrid serve and wait for it
	local db=$1
	shift
	"$tmp/skygrid" serve --db "$db" --addr 127.0.0.1:$port "$@" >"$tmp/serve.log" 2>&1 &
	for _ in $(seq 100); do
		curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return
		sleep 0.1
	done
	cat "$tmp/serve.log"
	exit 1
}
stop() { kill %1 && wait %1 2>/dev/null || true; }
load() { # load TITLE [loadtiles flags...]
	echo "== $1"
	shift
	"$tmp/loadtiles" -url "http://127.0.0.1:$port" -token "$token" -d "${secs}s" "$@"
}

for s in $scenarios; do
	case $s in
	demo)
		serve "$tmp/demo.db"
		load "demo data, tile cache on: z8-z14, every layer, PNG and MVT, 32 connections" -c 32 -zooms 8-14
		stop
		;;
	demo-nocache)
		serve "$tmp/demo.db" --tile-cache -1
		load "demo data, tile cache off (every request draws): z8-z14, every layer" -c 32 -zooms 8-14
		stop
		;;
	points100k | points1m)
		n=100000
		[ "$s" = points1m ] && n=1000000
		cp "$tmp/demo.db" "$tmp/$s.db"
		"$tmp/loadtiles" -gen $n -out "$tmp/SYNTHETIC_$n.csv"
		"$tmp/skygrid" ingest --db "$tmp/$s.db" "$tmp/SYNTHETIC_$n.csv" | tail -2
		serve "$tmp/$s.db" --tile-cache -1
		curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:$port/tiles/hotspots/8/208/96.mvt" >/dev/null # load the points once
		load "$n synthetic points + grid layer, cache off: z12 only, hotspots and regions MVT" -c 32 -zooms 12-12 -layers hotspots,regions -formats mvt -per-zoom 10000 -until ""
		load "$n synthetic points + grid layer, cache off: mixed z10-z14, hotspots and regions MVT" -c 32 -zooms 10-14 -layers hotspots,regions -formats mvt -until ""
		load "$n synthetic points + grid layer, cache off: z12 PNG, hotspots and regions" -c 32 -zooms 12-12 -layers hotspots,regions -formats png -per-zoom 10000 -until ""
		stop
		serve "$tmp/$s.db"
		load "$n synthetic points + grid layer, cache on: mixed z10-z14, hotspots and regions MVT" -c 32 -zooms 10-14 -layers hotspots,regions -formats mvt -until ""
		stop
		;;
	*)
		echo "unknown scenario $s" >&2
		exit 2
		;;
	esac
done
