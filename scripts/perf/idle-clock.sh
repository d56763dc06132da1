#!/bin/bash
# idle-clock.sh DB LABEL: what a skygrid server holding the clock costs
# when nobody uses it (docs/PERFORMANCE.md, "An idle province server's
# clock"). Serves the PostgreSQL database DB alone, waits 90 s for its
# start and first ticks, then reports for 180 s the CPU of the process and
# of every PostgreSQL process (/proc/PID/stat) and the database's
# transactions (pg_stat_database), and the RSS at the end.
# PGHOST/PGPORT (default 127.0.0.1:55432, user postgres) and BIN
# (default bin/skygrid) say where.
set -euo pipefail
db=$1 label=$2
host=${PGHOST:-127.0.0.1} port=${PGPORT:-55432}
bin=${BIN:-bin/skygrid}
log=$(mktemp)
"$bin" serve --addr 127.0.0.1:0 --db "postgres://postgres@$host:$port/$db" \
	--set passes.tle_url=http://127.0.0.1:1/tle >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$log"' EXIT
sleep 90
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
pgcpu() {
	local s=0 v
	for p in $(pgrep -u postgres); do
		v=$(awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null || echo 0)
		s=$((s + v))
	done
	echo "$s"
}
xacts() { psql -h "$host" -p "$port" -U postgres -d "$db" -Atc "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '$db'"; }
a=$(cpu $pid) pa=$(pgcpu) xa=$(xacts)
sleep 180
b=$(cpu $pid) pb=$(pgcpu) xb=$(xacts)
rss=$(awk '/VmRSS/{print $2}' "/proc/$pid/status")
hz=$(getconf CLK_TCK)
echo "$label: skygrid $(( (b - a) * 100 / hz ))/100 CPU-s in 180 s; postgres $(( (pb - pa) * 100 / hz ))/100 CPU-s; transactions $((xb - xa)); rss $rss kB"
