#!/bin/bash
# startup.sh BIN DB: the seconds from `BIN serve --db DB` to its first
# answer (/healthz 200), then stops it (docs/PERFORMANCE.md, "An idle
# province server's clock"). PORT (default 18094) is where it listens.
set -uo pipefail
bin=$1 db=$2 port=${PORT:-18094}
log=$(mktemp)
t0=$(date +%s.%N)
"$bin" serve --addr "127.0.0.1:$port" --db "$db" --set passes.tle_url=http://127.0.0.1:1/tle >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f "$log"' EXIT
until [ "$(curl -s -o /dev/null -m 300 -w '%{http_code}' "http://127.0.0.1:$port/healthz")" = 200 ]; do
	kill -0 $pid 2>/dev/null || { cat "$log"; exit 1; }
	sleep 0.2
done
t1=$(date +%s.%N)
echo "first answer after $(echo "$t1 - $t0" | bc) s"
