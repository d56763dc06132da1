#!/usr/bin/env python3
"""The ratios of province.sh's store benchmarks: each benchmark's median on
SQLite and on PostgreSQL, side by side (rows/s for the ingest, ms for the
month's statistics).
  stores.py INGEST_SQLITE INGEST_PG MONTH_SQLITE MONTH_PG"""
import re
import statistics
import sys


def medians(path, unit):
    """{benchmark name: median of its `unit` metric} of a go test -bench output."""
    runs = {}
    for line in open(path):
        if not line.startswith("Benchmark"):
            continue
        name = re.sub(r"-\d+$", "", line.split()[0])
        m = re.search(r"([0-9.e+]+) " + re.escape(unit) + r"(\s|$)", line)
        if m:
            runs.setdefault(name, []).append(float(m.group(1)))
    return {k: statistics.median(v) for k, v in runs.items()}


def table(title, sqlite, pg, unit, better):
    print(f"== {title}: median {unit}, SQLite and PostgreSQL")
    for name in sorted(set(sqlite) | set(pg)):
        s, p = sqlite.get(name), pg.get(name)
        ratio = f"{p / s:.2f}" if s and p else "-"
        print(f"{name:60s} SQLite {s if s is not None else '-':>12} PostgreSQL {p if p is not None else '-':>12}  PostgreSQL/SQLite {ratio} ({better} is better)")


ing_s, ing_p, mon_s, mon_p = sys.argv[1:5]
table("ingest", medians(ing_s, "rows/s"), medians(ing_p, "rows/s"), "rows/s", "higher")
stats = {**medians(mon_s, "ms/stats"), **medians(mon_s, "ms/dust")}
stats_pg = {**medians(mon_p, "ms/stats"), **medians(mon_p, "ms/dust")}
table("the province's month", stats, stats_pg, "ms", "lower")
