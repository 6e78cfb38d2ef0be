#!/usr/bin/env bash
# Installs what Zhengshe needs on a Debian or Ubuntu machine: PostgreSQL's server and client
# tools (initdb/pg_ctl for the embedded database, psql/pg_dump/pgbench for operations and the
# benchmark), libpq-dev, wrk (the benchmark's HTTP load), and what the printable reports are checked
# with: headless Chromium, poppler-utils (pdftotext, pdftoppm) and the Noto CJK fonts. Does nothing when
# they are already there. Needs root or sudo to install.
set -euo pipefail

have_server() {
  command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && return 0
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1
}
have_all() {
  have_server && command -v psql >/dev/null 2>&1 && command -v pgbench >/dev/null 2>&1 && command -v wrk >/dev/null 2>&1 \
    && [ -e /usr/include/postgresql/libpq-fe.h ] \
    && { command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; } \
    && command -v pdftotext >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 \
    && [ "$(fc-list 2>/dev/null | grep -c "Noto Sans CJK")" -gt 0 ]
}

if have_all; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "deploy/setup.sh: please install PostgreSQL (server, client and libpq headers) with your system's package manager" >&2
  exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "deploy/setup.sh: run as root (or install sudo) to install PostgreSQL" >&2
    exit 1
  fi
fi

echo "Installing PostgreSQL server and client tools, libpq-dev, wrk, Chromium, poppler-utils and fonts-noto-cjk..." >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# postgresql-common would create and start a system cluster on install; Zhengshe runs its own.
$sudo mkdir -p /etc/postgresql-common/createcluster.d
echo "create_main_cluster = false" | $sudo tee /etc/postgresql-common/createcluster.d/zhengshe.conf >/dev/null
$sudo apt-get install -y -qq --no-install-recommends postgresql postgresql-client postgresql-contrib libpq-dev wrk \
  chromium poppler-utils fonts-noto-cjk fontconfig >/dev/null
have_all || { echo "deploy/setup.sh: PostgreSQL, Chromium, poppler-utils or the CJK fonts did not install completely" >&2; exit 1; }
