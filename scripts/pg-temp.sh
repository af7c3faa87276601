#!/usr/bin/env bash
# Throw-away PostgreSQL 15 + PostGIS cluster for tests and benchmarks.
#
#   scripts/pg-temp.sh start DIR   initdb into DIR/data, start on a free loopback port,
#                                  create database `ruimte` with PostGIS, write the
#                                  connection string to DIR/conninfo and print it
#   scripts/pg-temp.sh stop DIR    fast shutdown and remove DIR
#   scripts/pg-temp.sh status DIR  exit 0 when DIR holds a running cluster
#
# Trap-friendly: `stop` succeeds when DIR is missing, half-initialised or already stopped,
# so callers can do
#   d=$(mktemp -d); trap 'scripts/pg-temp.sh stop "$d"' EXIT
#   conn=$(scripts/pg-temp.sh start "$d")
# (mktemp -d gives an empty DIR; `start` accepts an empty DIR but nothing else.)
#
# Run as root, the server runs as the `postgres` system user (PostgreSQL refuses to run as
# root) via runuser, and DIR is chowned to it; every parent of DIR must then be searchable
# by `postgres` (e.g. not under /root). Run as any other user, everything runs directly.
# Authentication is `trust`, which is acceptable only because the server listens on
# 127.0.0.1 and a socket inside DIR, and lives only for one test or benchmark.
#
# Exit status: 0 ok, 1 failure (message on stderr), 2 usage.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
MARKER=.pg-temp # written into DIR by `start`; `stop` removes only directories that carry it

die() { echo "pg-temp: $*" >&2; exit 1; }
usage() { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

# as_pg CMD...: run CMD as the cluster owner.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

is_running() { # DIR
  [ -f "$1/data/PG_VERSION" ] && as_pg "$PGBIN/pg_ctl" -D "$1/data" status >/dev/null 2>&1
}

# free_port: a TCP port on 127.0.0.1 that nobody listens on right now (the kernel's choice
# for port 0). Another process may take it before the server binds; start() retries.
free_port() {
  /usr/bin/python3 - <<'EOF'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

cmd_start() {
  local dir=$1
  [ -x "$PGBIN/initdb" ] || die "no PostgreSQL binaries in $PGBIN (install postgresql-15)"
  if [ -e "$dir" ]; then
    [ -d "$dir" ] || die "$dir exists and is not a directory"
    if is_running "$dir"; then
      die "$dir already holds a running cluster ($(cat "$dir/conninfo" 2>/dev/null || echo 'no conninfo')); run '$0 stop $dir' first"
    fi
    if [ -n "$(ls -A "$dir")" ]; then
      die "$dir is not empty (a stopped cluster or other files); run '$0 stop $dir' or choose an empty or new directory"
    fi
  fi
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd) # absolute: the socket directory and pg_ctl -D must not depend on cwd
  touch "$dir/$MARKER"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$dir"
    runuser -u postgres -- test -w "$dir" -a -x "$dir" \
      || die "user postgres cannot write $dir (is a parent directory private to root?)"
  fi

  # The superuser is called `postgres` whoever runs initdb, so the conninfo is the same
  # in both modes. C.UTF-8: byte-order collation, the same as SQLite and Python sorting.
  as_pg "$PGBIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }

  # Settings for a throw-away cluster on a 2-core, ~24 GB benchmark box. Durability is
  # worthless here (the data is regenerated every run), so every fsync-related cost is off;
  # memory is generous so timings measure GEOS work, not I/O.
  cat >>"$dir/data/postgresql.conf" <<EOF

# --- pg-temp.sh ---
listen_addresses = '127.0.0.1'        # loopback only: trust auth must never face a network
unix_socket_directories = '$dir'      # private socket, no clash with a system cluster
shared_buffers = 512MB                # the 10k workload (~30 MB) and the national one fit
work_mem = 64MB                       # per sort/hash node: GROUP BY and hash joins stay in memory
maintenance_work_mem = 256MB          # faster GiST index builds while loading
effective_cache_size = 4GB            # the OS cache holds all data; favours index scans
random_page_cost = 1.1                # data is in RAM, random reads are as cheap as sequential
fsync = off                           # throw-away data: never wait for the disk
synchronous_commit = off
full_page_writes = off
wal_level = minimal                   # no replication; lets COPY into new tables skip WAL
max_wal_senders = 0
max_wal_size = 2GB                    # avoid checkpoints in the middle of a load
max_worker_processes = 4
max_parallel_workers = 2              # 2 cores: at most 2 workers at a time ...
max_parallel_workers_per_gather = 2   # ... and one query may use both (the per-layer branches of
                                      # a UNION ALL run side by side in a Parallel Append), as a
                                      # multi-threaded engine may; more would only oversubscribe
max_parallel_maintenance_workers = 2
jit = off                             # the cost is in GEOS calls, JIT would only add compile time
autovacuum = off                      # no background VACUUM/ANALYZE competing for the 2 cores
                                      # during timings; loaders run VACUUM ANALYZE themselves
logging_collector = off
log_min_messages = warning
EOF

  local port
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    sed -i "/^port = /d" "$dir/data/postgresql.conf"
    echo "port = $port" >>"$dir/data/postgresql.conf"
    rm -f "$dir/server.log" # so the bind check below sees this attempt only
    if as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null 2>&1; then
      break
    fi
    port=
    grep -q "could not bind\|Address already in use" "$dir/server.log" 2>/dev/null \
      || { tail -n 20 "$dir/server.log" >&2 2>/dev/null; die "server did not start; log: $dir/server.log"; }
  done
  [ -n "$port" ] || die "no free port after 5 attempts; log: $dir/server.log"

  # From here on the server runs: stop it again if setting up the database fails, so a
  # caller without a trap leaks no postgres process.
  local conninfo="host=127.0.0.1 port=$port dbname=ruimte user=postgres"
  if ! {
    "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "host=127.0.0.1 port=$port dbname=postgres user=postgres" \
      -c "CREATE DATABASE ruimte" &&
      "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$conninfo" -c "CREATE EXTENSION postgis"
  } >"$dir/setup.log" 2>&1; then
    cat "$dir/setup.log" >&2
    as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    die "creating database ruimte with PostGIS failed (install postgresql-15-postgis-3?)"
  fi
  echo "$conninfo" >"$dir/conninfo"
  echo "$conninfo"
}

cmd_stop() {
  local dir=$1
  [ -e "$dir" ] || return 0
  [ -d "$dir" ] || die "$dir is not a directory"
  if [ ! -e "$dir/$MARKER" ]; then
    # Not made by `start`: never rm -rf a directory we did not create.
    die "$dir was not created by pg-temp.sh (no $MARKER); not touching it"
  fi
  if is_running "$dir"; then
    as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null \
      || as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null \
      || die "could not stop the cluster in $dir; see $dir/server.log"
  fi
  rm -rf -- "$dir"
}

cmd_status() {
  local dir=$1
  if is_running "$dir"; then
    cat "$dir/conninfo" 2>/dev/null || echo "running (no conninfo yet)"
  else
    echo "not running" >&2
    return 1
  fi
}

[ $# -eq 2 ] || usage
[ -n "$2" ] || usage
case $1 in
  start) cmd_start "$2" ;;
  stop) cmd_stop "$2" ;;
  status) cmd_status "$2" ;;
  *) usage ;;
esac
