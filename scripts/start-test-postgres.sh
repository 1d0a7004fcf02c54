#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for plexnav's storage tests and print its URL.
#
#   export PLEXNAV_TEST_POSTGRES_URL=$(scripts/start-test-postgres.sh)
#   .venv/bin/python -m pytest tests/store tests/api
#   scripts/start-test-postgres.sh --stop "$PLEXNAV_TEST_POSTGRES_URL"   # or leave it: it lives in a temp dir
#
# Installs Debian's postgresql package if it is missing (needs root), creates a new cluster
# in a temporary directory owned by the `postgres` user (via runuser), listening only on
# 127.0.0.1 on a free port, with a database `plexnav_test`. Prints the URL on standard
# output and nothing else there; progress goes to standard error.
set -euo pipefail

log() { echo "start-test-postgres: $*" >&2; }

if [ "${1:-}" = "--stop" ]; then
  url=${2:?usage: $0 --stop URL}
  port=$(printf '%s' "$url" | sed -E 's#.*:([0-9]+)/.*#\1#')
  dir_file="/tmp/plexnav-pg-$port.dir"
  [ -f "$dir_file" ] || { log "no server recorded for port $port"; exit 1; }
  dir=$(cat "$dir_file")
  bindir=$(cat "$dir/bindir")
  runuser -u postgres -- "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >&2
  rm -rf "$dir" "$dir_file"
  log "stopped and removed $dir"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  log "run as root: the cluster is created as the postgres user with runuser"
  exit 1
fi

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  log "installing Debian postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >/dev/null
fi
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
dir=$(mktemp -d /tmp/plexnav-pg.XXXXXX)
chmod 755 "$dir"
mkdir "$dir/data" "$dir/socket"
chown postgres:postgres "$dir/data" "$dir/socket"
echo "$bindir" > "$dir/bindir"

runuser -u postgres -- "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-instructions >/dev/null
runuser -u postgres -- "$bindir/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/socket -c fsync=on -c max_connections=200" start >&2
runuser -u postgres -- "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres plexnav_test
echo "$dir" > "/tmp/plexnav-pg-$port.dir"
log "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, data in $dir"
echo "postgresql+psycopg://postgres@127.0.0.1:$port/plexnav_test"
