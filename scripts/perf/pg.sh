#!/usr/bin/env bash
# A private PostgreSQL 15 + PostGIS cluster for the side-by-side benchmarks
# (not the system service), 127.0.0.1 only, database "perf".
#   scripts/perf/pg.sh init | start | stop | status | psql [args...]
# Copied from the issue-17 perf tools (tools/perf/pg.sh), with the cluster
# kept outside the project ($SKYGRID_PERF_PG, default $TMPDIR/skygrid-perf-pg)
# and its own port ($PGPORT_PERF, default 55442, not the shared tools' 55432).
# Needs Debian's postgresql-15-postgis-3; run as root (initdb runs as postgres).
set -euo pipefail
PGBIN=/usr/lib/postgresql/15/bin
PGROOT="${SKYGRID_PERF_PG:-${TMPDIR:-/tmp}/skygrid-perf-pg}"
DATA="$PGROOT/data"
PORT="${PGPORT_PERF:-55442}"
asuser() { runuser -u postgres -- "$@"; }
psql_() { psql -X -h 127.0.0.1 -p "$PORT" -U postgres "$@"; }

case "${1:-}" in
init)
  if [ -d "$DATA" ]; then echo "cluster exists at $DATA"; exit 0; fi
  mkdir -p "$PGROOT/run"
  chown -R postgres:postgres "$PGROOT"
  asuser "$PGBIN/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  cat >> "$DATA/postgresql.conf" <<CONF
# --- perf baseline settings (2 cores / 24 GiB box), as the shared tools' pg.sh ---
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$PGROOT/run'
shared_buffers = 2GB
work_mem = 64MB
maintenance_work_mem = 1GB
effective_cache_size = 8GB
max_wal_size = 8GB
random_page_cost = 1.1
max_parallel_workers_per_gather = 2
max_connections = 200
CONF
  "$0" start
  psql_ -q -c "CREATE DATABASE perf"
  psql_ -q -d perf -c "CREATE EXTENSION postgis"
  psql_ -d perf -Atc "SELECT version(); SELECT postgis_full_version();"
  ;;
start)
  asuser "$PGBIN/pg_ctl" -D "$DATA" -l "$PGROOT/server.log" -w start >/dev/null
  echo "postgres started (pid $(head -1 "$DATA/postmaster.pid")) on 127.0.0.1:$PORT"
  ;;
stop)
  asuser "$PGBIN/pg_ctl" -D "$DATA" -m fast -w stop
  ;;
status)
  asuser "$PGBIN/pg_ctl" -D "$DATA" status
  ;;
psql)
  shift; psql_ -d perf "$@"
  ;;
*) echo "usage: $0 init|start|stop|status|psql"; exit 1;;
esac
