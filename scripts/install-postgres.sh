#!/usr/bin/env bash
# Installs the PostgreSQL server from the distribution's packages when it is missing: the engine tests
# run a throwaway one on loopback as Pulumi's shared `postgres://` state backend. Prints nothing when
# it is already there. Needs root, or sudo, and apt (Debian, Ubuntu); elsewhere, install PostgreSQL
# yourself (its `initdb` under /usr/lib/postgresql/<version>/bin or on PATH).
set -euo pipefail
if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null; then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "install-postgres: no PostgreSQL server and no apt-get; install PostgreSQL (initdb, pg_ctl)" >&2
  exit 1
fi
sudo=()
if [ "$(id -u)" != 0 ]; then sudo=(sudo); fi
echo "install-postgres: installing the PostgreSQL server (apt-get install postgresql)" >&2
"${sudo[@]}" apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq postgresql >&2
