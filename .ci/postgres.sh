#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server on 127.0.0.1 for the store tests and
# prints its URL. Installs Debian's postgresql package when it is missing.
# Usage: url=$(.ci/postgres.sh start DIR PORT); .ci/postgres.sh stop DIR
set -euo pipefail
cmd=${1:?start or stop}; dir=${2:?data folder}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ "$cmd" = stop ]; then
  [ -n "$bin" ] && [ -d "$dir" ] && su postgres -s /bin/sh -c "$bin/pg_ctl -D '$dir' -m fast -w stop" >/dev/null 2>&1 || true
  rm -rf "$dir"
  exit 0
fi
port=${3:-55432}
if [ -z "$bin" ]; then
  echo "installing PostgreSQL from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  (apt-get update -qq && apt-get install -y -qq postgresql >/dev/null) >&2
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
rm -rf "$dir"; mkdir -p "$dir"; chown postgres "$dir"; chmod 700 "$dir"
su postgres -s /bin/sh -c "$bin/initdb -D '$dir' -A trust -U postgres -E UTF8 --locale=C.UTF-8" >/dev/null
su postgres -s /bin/sh -c "$bin/pg_ctl -D '$dir' -l '$dir/server.log' -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c fsync=off\" -w start" >/dev/null
echo "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
