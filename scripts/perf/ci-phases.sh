#!/usr/bin/env bash
# ci-phases.sh: the parts of `make test` one after the other, each alone
# in a cgroup v1 cpuacct group of its own, with its wall time and the CPU
# seconds of every process it started (the throwaway PostgreSQL clusters
# and Chromium included): where CI's time goes (docs/PERFORMANCE.md, "CI
# time on a fresh machine"). Needs root and /sys/fs/cgroup/cpuacct; run
# it with nothing else busy. The first phase compiles with an empty Go
# build cache of its own, as on CI's fresh machine; the later ones use
# the usual cache.
#
#   scripts/perf/ci-phases.sh [PHASE...]   (compile sqlite e2e postgres; default all)
set -uo pipefail
cd "$(dirname "$0")/../.."
acct=/sys/fs/cgroup/cpuacct
[ -w "$acct" ] || { echo "ci-phases: needs a writable $acct (root, cgroup v1)" >&2; exit 1; }
export TMPDIR="${TMPDIR:-$(scripts/testtmp.sh)}" CGO_ENABLED=1 CI=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 SKYGRID_E2E_SCREENSHOTS=off
# make test's own package list (the Makefile's TESTPKGS), in its order
pkgs=$(make -s --no-print-directory --eval 'ci-phases-pkgs: ; @echo $(TESTPKGS)' ci-phases-pkgs)
logs=$(mktemp -d)

# phase LABEL CMD...: runs CMD in a new cpuacct group; prints wall and CPU seconds.
phase() {
	local label=$1 g="$acct/skygrid-ci-phase-$$" start end
	shift
	mkdir "$g" || return 1
	start=$(date +%s.%N)
	bash -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$g" "$@" >"$logs/$label.log" 2>&1
	local rc=$?
	end=$(date +%s.%N)
	sleep 1 # a stopped cluster's last processes
	awk -v l="$label" -v rc="$rc" -v s="$start" -v e="$end" '{ printf "%-9s exit %d, wall %4.0f s, CPU %5.0f s\n", l, rc, e - s, $1 / 1e9 }' "$g/cpuacct.usage"
	kill $(cat "$g/cgroup.procs") 2>/dev/null
	sleep 1
	rmdir "$g" 2>/dev/null
}

phases=("$@")
[ ${#phases[@]} -gt 0 ] || phases=(compile sqlite e2e postgres)
for p in "${phases[@]}"; do
	case $p in
	compile)
		cache=$(mktemp -d)
		phase compile env GOCACHE="$cache" bash -c "go vet ./... && go test -count=1 -run '^\$' $pkgs"
		rm -rf "$cache"
		;;
	sqlite) phase sqlite go test -count=1 $pkgs ;;
	e2e) phase e2e make --no-print-directory e2e ;;
	postgres) phase postgres make --no-print-directory test-postgres ;;
	*) echo "ci-phases: no phase $p (compile sqlite e2e postgres)" >&2 ;;
	esac
done
echo "logs in $logs"
