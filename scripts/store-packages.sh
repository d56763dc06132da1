#!/usr/bin/env bash
# store-packages.sh: the packages whose tests reach the store, the ones
# the Go suite's PostgreSQL pass runs (make test-postgres). A package is one
# when its test binary imports skygrid/store, internal/storetest or
# internal/pgtest, directly or not, or one of its files names
# SKYGRID_TEST_STORE.
# The others (geo, detect, firms, tiles...) have no store to differ by;
# they ran in the SQLite pass, and running them again tested nothing new.
# The longest come first, as in the Makefile's TESTPKGS (go test starts
# packages in the order given, two at a time on two cores).
set -euo pipefail
cd "$(dirname "$0")/.."
go="${GO:-go}"
first="skygrid/cmd/skygrid skygrid/api skygrid/store skygrid/dispatch"
found=$("$go" list -test -f '{{if not .ForTest}}{{.ImportPath}} {{join .Deps " "}}{{end}}' ./... |
	awk '$1 ~ /\.test$/ { for (i = 2; i <= NF; i++) if ($i ~ /^skygrid\/(store|internal\/storetest|internal\/pgtest)$/) { sub(/\.test$/, "", $1); print $1; break } }')
# And any package that reads the variable itself, whatever it imports.
found=$(
	echo "$found"
	{ grep -rl --include='*.go' SKYGRID_TEST_STORE . || true; } | xargs -r -n1 dirname | sed 's|^\.|skygrid|' | sort -u
)
found=$(echo "$found" | awk 'NF && !seen[$0]++')
if [ -z "$found" ]; then
	echo "store-packages: no package's tests reach the store (go list failed?)" >&2
	exit 1
fi
out=""
for p in $first; do
	if grep -qx "$p" <<<"$found"; then out="$out $p"; fi
done
for p in $found; do
	case " $first " in *" $p "*) ;; *) out="$out $p" ;; esac
done
echo "${out# }"
