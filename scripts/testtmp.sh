#!/bin/sh
# testtmp.sh prints where the tests keep their temporary files: /dev/shm
# when it is a tmpfs with at least $SKYGRID_TESTTMP_MIN_MIB (default 4096)
# MiB free, else nothing (the system's default, /tmp). The Makefile sets
# TMPDIR to it for `make test`, `make test-postgres` and `make e2e`.
#
# Why: the tests write and delete many small files (a SQLite file per test,
# a throwaway PostgreSQL database per test: 17 MB copied from a template
# and dropped again, the browser suite's demo). On this machine's /tmp
# (ext4 on a virtual disk, mounted with `discard`) copying and dropping one
# PostgreSQL test database took 320-420 ms of CPU, mostly the kernel's; on
# tmpfs 112 ms. The files are the same real SQLite files and PostgreSQL
# clusters, kept in memory. A small /dev/shm (a container's 64 MB) is not
# used: the tests and Chromium would run out of it.
min="${SKYGRID_TESTTMP_MIN_MIB:-4096}"
dir=/dev/shm
[ -d "$dir" ] && [ -w "$dir" ] || exit 0
[ "$(stat -f -c %T "$dir" 2>/dev/null)" = tmpfs ] || exit 0
free=$(df -Pm "$dir" 2>/dev/null | awk 'NR == 2 { print $4 }')
[ -n "$free" ] && [ "$free" -ge "$min" ] && echo "$dir"
exit 0
