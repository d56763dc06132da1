#!/usr/bin/env bash
# The photo load test of docs/PERFORMANCE.md (issue 13): builds skygrid and
# scripts/photoload.go, makes the demo database and the test photos
# (SYNTHETIC: a 50 MP JPEG of 15 MiB, the costliest PNG accepted, the 16-bit
# 10,950 x 10,950 PNG of the issue), then, each time on a fresh `skygrid
# serve`:
#   - N parallel reports (default 20), one photo each, by one supervisor:
#     the answers, the times and the server's peak memory (VmHWM);
#   - the issue's PNG: the answer, its time and the peak memory;
#   - kill -9 during an upload: only staged files are left; they are made
#     two days old and the next start-up's sweep removes them, and nothing
#     a report holds.
# Usage: scripts/photoload.sh [N] [scenario...]
# Scenarios: jpeg png issue kill (default: all).
# SKYGRID_BIN=path/to/skygrid runs another build (an older commit's) instead.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20}
shift || true
scenarios=${*:-jpeg png issue kill}
tmp=$(mktemp -d)
pid=
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
if [ -n "${SKYGRID_BIN:-}" ]; then cp "$SKYGRID_BIN" "$tmp/skygrid"; else go build -o "$tmp/skygrid" ./cmd/skygrid; fi
go build -o "$tmp/photoload" scripts/photoload.go
"$tmp/photoload" -gen "$tmp/photos"
"$tmp/skygrid" demo --no-serve --db "$tmp/demo.db" >/dev/null
data="$tmp/demo.db.data"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
port=18766
url=http://127.0.0.1:$port

serve() { # start skygrid serve and wait for it
	"$tmp/skygrid" serve --db "$tmp/demo.db" --addr 127.0.0.1:$port >>"$tmp/serve.log" 2>&1 &
	pid=$!
	for _ in $(seq 300); do
		curl -fsS "$url/healthz" >/dev/null 2>&1 && return
		sleep 0.1
	done
	cat "$tmp/serve.log"
	exit 1
}
stop() { kill "$pid" && wait "$pid" 2>/dev/null || true; }
mem() { awk -v k="$1:" '$1 == k { printf "%.0f MiB", $2 / 1024 }' "/proc/$pid/status"; }

for s in $scenarios; do
	case $s in
	jpeg) photo=50mp.jpg ;;
	png) photo=worst.png ;;
	*) continue ;;
	esac
	read -r token tasks < <("$tmp/photoload" -setup -db "$tmp/demo.db" -n "$n")
	serve
	echo "== $n parallel reports by one supervisor, each with $photo ($(stat -c %s "$tmp/photos/$photo") bytes); server at start: $(mem VmRSS)"
	"$tmp/photoload" -url "$url" -token "$token" -tasks "$tasks" -photo "$tmp/photos/$photo" >"$tmp/upload.log"
	grep '^task' "$tmp/upload.log" | grep -v ': 200 in' | head -n 3 || true
	tail -n 1 "$tmp/upload.log"
	echo "server peak memory (VmHWM): $(mem VmHWM)"
	stop
done

case " $scenarios " in *" issue "*)
	read -r token tasks < <("$tmp/photoload" -setup -db "$tmp/demo.db" -n 1)
	serve
	echo "== the 16-bit PNG of issue 13 ($(stat -c %s "$tmp/photos/issue13-16bit.png") bytes)"
	"$tmp/photoload" -url "$url" -token "$token" -tasks "$tasks" -photo "$tmp/photos/issue13-16bit.png" >"$tmp/upload.log"
	head -n 1 "$tmp/upload.log"
	echo "server peak memory (VmHWM): $(mem VmHWM)"
	stop
	;;
esac

case " $scenarios " in *" kill "*) ;; *) exit 0 ;; esac
echo "== kill -9 during an upload"
read -r token tasks < <("$tmp/photoload" -setup -db "$tmp/demo.db" -n 1)
(cd "$data" && find photos -type f | sort) >"$tmp/before"
serve
"$tmp/photoload" -url "$url" -token "$token" -tasks "$tasks" -photo "$tmp/photos/50mp.jpg" -slow 4000000 >/dev/null 2>&1 &
sleep 2
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
(cd "$data" && find photos -type f | sort) >"$tmp/after"
comm -13 "$tmp/before" "$tmp/after" >"$tmp/left"
echo "left by the killed upload: $(grep -c . "$tmp/left" || true) files, $(grep . "$tmp/left" | grep -vc '^photos/staging/' || true) outside photos/staging/"
if [ -d "$data/photos/staging" ]; then find "$data/photos/staging" -exec touch -d '2 days ago' {} +; fi
serve
sleep 1
stop
(cd "$data" && find photos -type f | sort) >"$tmp/swept"
echo "after the start-up sweep: $(comm -13 "$tmp/before" "$tmp/swept" | grep -c . || true) files left of them; $(comm -23 "$tmp/before" "$tmp/swept" | grep -c . || true) of the $(grep -c . "$tmp/before") stored before removed"
