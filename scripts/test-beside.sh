#!/usr/bin/env bash
# test-beside.sh: the Go suite on PostgreSQL (make test-postgres) beside the
# browser suite (make e2e), the PostgreSQL pass in a CPU cgroup of its own
# with a quarter of a normal share ($SKYGRID_PG_SHARES, default 256 of
# 1024): it takes what the browser suite leaves of the two cores, the
# browser suite keeps what it needs. The pass's output follows the browser
# suite's; the script fails when either failed.
#
# Why a cgroup and not nice: every PostgreSQL backend calls setsid(), and
# with the kernel's autogroups (kernel.sched_autogroup_enabled) each
# session is scheduled as a group of its own, whatever its nice value. Run
# plainly beside the browser suite, the pass's dozens of backends outweighed
# Chromium's one group: the browser suite took 19.7 minutes instead of 13.9
# and CI gained nothing (c1de0c0, reverted in 3bdd1bf). A cgroup holds every
# process of the pass, whatever its session.
#
# Without a writable cgroup v1 cpu hierarchy (not root, or cgroup v2 only),
# the two run one after the other, as before.
set -uo pipefail
cd "$(dirname "$0")/.."
make="${MAKE:-make}"
shares="${SKYGRID_PG_SHARES:-256}"
cpu="${SKYGRID_CPU_CGROUP:-/sys/fs/cgroup/cpu}"
group=""
if [ -f "$cpu/cpu.shares" ] && [ -w "$cpu" ]; then
	group="$cpu/skygrid-test-postgres-$$"
	if ! mkdir "$group" 2>/dev/null || ! echo "$shares" >"$group/cpu.shares"; then
		rmdir "$group" 2>/dev/null
		group=""
	fi
fi
if [ -z "$group" ]; then
	echo "test-beside: no writable cpu cgroup here: the Go suite on PostgreSQL, then the browser suite"
	"$make" --no-print-directory test-postgres && "$make" --no-print-directory e2e
	exit
fi

log=$(mktemp)
# Interrupted (Ctrl-C, a CI timeout): stop every process of the pass and
# remove its group (without this the group was left behind).
stop() {
	trap - INT TERM
	kill $(cat "$group/cgroup.procs") 2>/dev/null
	wait
	rm -f "$log"
	rmdir "$group" 2>/dev/null
	exit 130
}
trap stop INT TERM
echo "test-beside: the Go suite on PostgreSQL runs beside the browser suite (cpu.shares $shares); its output follows"
(echo "$BASHPID" >"$group/cgroup.procs" && exec "$make" --no-print-directory test-postgres) >"$log" 2>&1 &
pg=$!
start=$SECONDS
"$make" --no-print-directory e2e
e2e=$?
e2etime=$((SECONDS - start))
wait "$pg"
pgexit=$?
echo "--- the Go suite on PostgreSQL (exit $pgexit):"
cat "$log"
rm -f "$log"
# A stopped cluster's last processes may take a moment to exit.
for _ in $(seq 50); do
	rmdir "$group" 2>/dev/null && break
	sleep 0.2
done
[ -d "$group" ] && echo "test-beside: $group still holds processes: $(tr '\n' ' ' <"$group/cgroup.procs")"
echo "test-beside: browser suite exit $e2e in ${e2etime} s; Go suite on PostgreSQL exit $pgexit, both done in $((SECONDS - start)) s"
[ "$e2e" -eq 0 ] && [ "$pgexit" -eq 0 ]
