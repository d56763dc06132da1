#!/bin/bash
# users-page.sh BIN DEMO_DB [N]: a copy of a demo database given N
# (default 50,000) SYNTHETIC supervisors, one to a grid in turn, served by
# BIN; prints GET /api/users's time and bytes, with and without a page,
# and how long the admin page takes in Chromium to draw its users' table
# (docs/PERFORMANCE.md, "A province's users on the admin page"). Needs
# sqlite3, curl, node and e2e/node_modules (playwright-core).
set -euo pipefail
bin=$1 src=$2 n=${3:-50000} port=${PORT:-18120}
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
pid=0
sqlite3 "$src" ".backup '$dir/u.db'"
sqlite3 "$dir/u.db" "
WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < $n)
INSERT INTO users (name, phone, role, password_hash, created_at, updated_at)
SELECT 'syn' || i, '', 'supervisor', (SELECT password_hash FROM users WHERE name = 'admin'), '2023-10-01T00:00:00Z', '2023-10-01T00:00:00Z' FROM k;
WITH g AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM regions WHERE level = 'grid'),
c AS (SELECT COUNT(*) AS n FROM g)
INSERT INTO user_regions (user_id, region_id) SELECT u.id, g.id FROM users u, c JOIN g ON g.k = u.id % c.n WHERE u.name LIKE 'syn%';"
"$bin" serve --db "$dir/u.db" --addr "127.0.0.1:$port" >"$dir/serve.log" 2>&1 &
pid=$!
until curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"; do sleep 0.2; done
curl -s -c "$dir/cj" -H 'Content-Type: application/json' -d '{"name":"admin","password":"skygrid-demo"}' \
	"http://127.0.0.1:$port/api/login" -o /dev/null
for q in '' '?limit=100' '?limit=100&q=%E6%B5%91%E6%BA%90' '?limit=100&q=syn4999'; do
	curl -s -b "$dir/cj" -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port/api/users$q" -o /dev/null \
		-w "GET /api/users$q: %{http_code} %{time_total} s %{size_download} B\n"
done
URL="http://127.0.0.1:$port" node "$(dirname "$0")/users-page.mjs"
