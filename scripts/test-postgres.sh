#!/usr/bin/env bash
# Print the SQLAlchemy URL of a PostgreSQL server for the tests. The machine's own server on
# 127.0.0.1:5432 (trust auth, database `test`) when it answers; otherwise a throwaway server started
# from Debian's binaries under /tmp, owned by the `postgres` user (PostgreSQL refuses to run as root).
set -euo pipefail
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && psql -h 127.0.0.1 -U postgres -d test -c 'select 1' >/dev/null 2>&1; then
  echo "postgresql+psycopg://postgres@127.0.0.1:5432/test"
  exit 0
fi
port=55432
data=/tmp/minsheng-test-pg
bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -n 1)")
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if ! pg_isready -q -h 127.0.0.1 -p "$port" 2>/dev/null; then
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    [ "$(id -u)" -eq 0 ] && chown postgres "$data"
    as_pg "$bin/initdb" -D "$data" --auth=trust --username=postgres >/dev/null
  fi
  as_pg "$bin/pg_ctl" -D "$data" -l "$data/server.log" -o "-p $port -k /tmp -c listen_addresses=127.0.0.1" -w start >/dev/null
fi
psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -tc "select 1 from pg_database where datname='test'" | grep -q 1 \
  || psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc "create database test" >/dev/null
echo "postgresql+psycopg://postgres@127.0.0.1:$port/test"
