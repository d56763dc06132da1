#!/usr/bin/env bash
# store-packages.sh [PACKAGES...]: of PACKAGES (default ./...), in their
# order, the packages whose tests reach the store, the ones the Go suite's
# PostgreSQL pass runs (make test-postgres gives it the Makefile's
# TESTPKGS, longest first). A package is one when its test binary imports
# skygrid/store, internal/storetest or internal/pgtest, directly or not,
# or one of its files names SKYGRID_TEST_STORE.
# The others (geo, detect, firms, tiles...) have no store to differ by;
# they ran in the SQLite pass, and running them again tested nothing new.
set -euo pipefail
cd "$(dirname "$0")/.."
go="${GO:-go}"
[ $# -gt 0 ] || set -- ./...
# The packages that read the variable themselves, whatever they import.
readers=$({ grep -rl --include='*.go' --exclude-dir=node_modules SKYGRID_TEST_STORE . || true; } |
	xargs -r -n1 dirname | sed 's|^\.|skygrid|' | sort -u | tr '\n' ' ')
# go list keeps the order of its arguments; each test binary is "P.test".
found=$("$go" list -test -f '{{if not .ForTest}}{{.ImportPath}} {{join .Deps " "}}{{end}}' "$@" |
	awk -v readers="$readers" '
		BEGIN { n = split(readers, r, " "); for (i = 1; i <= n; i++) reads[r[i]] = 1 }
		$1 ~ /\.test$/ {
			p = $1; sub(/\.test$/, "", p)
			ok = (p in reads)
			for (i = 2; i <= NF && !ok; i++) if ($i ~ /^skygrid\/(store|internal\/storetest|internal\/pgtest)$/) ok = 1
			if (ok) print p
		}')
if [ -z "$found" ]; then
	echo "store-packages: no package's tests reach the store (go list failed?)" >&2
	exit 1
fi
echo $found
