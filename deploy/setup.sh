#!/usr/bin/env bash
# Installs what Zhengshe needs on a Debian or Ubuntu machine: PostgreSQL's server and client
# tools (initdb/pg_ctl for the embedded database, psql/pg_dump/pgbench for operations and the
# benchmark), libpq-dev, wrk (the benchmark's HTTP load), and what the printable reports are checked
# with: headless Chromium, poppler-utils (pdftotext, pdftoppm) and the Noto CJK fonts; and schemathesis
# (PyPI) for the fault suite. Does nothing when they are already there. Needs root or sudo to install
# the system's packages.
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
    && [ "$(fc-list 2>/dev/null | grep -c "Noto Sans CJK")" -gt 0 ] \
    && python_for_venv >/dev/null
}

# Schemathesis, for the fault suite's contract fuzzing: a virtual environment of its own under the
# user's cache, on the newest Python 3 found that can make one — 3.12 or later where there is one
# (under 3.11 its coverage phase fails, and the test leaves that phase out). No root needed.
schemathesis_version="4.32.5"
venv="${XDG_CACHE_HOME:-$HOME/.cache}/zhengshe/venv"
python_for_venv() {
  local candidate minimum
  # (A pyenv shim may exist for a version that is not selected: each candidate must run, and make
  # a virtual environment: Debian's python3 needs python3-venv for that.)
  for minimum in 12 9; do
    for candidate in $(command -v python3.13 python3.12 2>/dev/null) \
      $(command -v pyenv >/dev/null 2>&1 && ls -d "$(pyenv root)"/versions/3.1[2-9]*/bin/python3 2>/dev/null) \
      $(command -v python3 2>/dev/null); do
      if "$candidate" -c "import sys, venv, ensurepip; sys.exit(0 if sys.version_info >= (3, $minimum) else 1)" >/dev/null 2>&1; then
        echo "$candidate"; return 0
      fi
    done
  done
  return 1
}
install_schemathesis() {
  if [ -x "$venv/bin/st" ] && "$venv/bin/st" --version 2>/dev/null | grep -q "$schemathesis_version"; then
    return 0
  fi
  local python
  if ! python=$(python_for_venv); then
    echo "deploy/setup.sh: no Python 3 that can make a virtual environment, so no schemathesis; the fault suite's fuzzing test will say so" >&2
    return 0
  fi
  echo "Installing schemathesis $schemathesis_version in $venv (with $python)..." >&2
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  if ! { "$python" -m venv "$venv" && "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$schemathesis_version"; }; then
    echo "deploy/setup.sh: schemathesis did not install; the fault suite's fuzzing test will say so" >&2
    rm -rf "$venv"
  fi
}

if have_all; then
  install_schemathesis
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

echo "Installing PostgreSQL server and client tools, libpq-dev, wrk, Chromium, poppler-utils, fonts-noto-cjk and python3-venv..." >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# postgresql-common would create and start a system cluster on install; Zhengshe runs its own.
$sudo mkdir -p /etc/postgresql-common/createcluster.d
echo "create_main_cluster = false" | $sudo tee /etc/postgresql-common/createcluster.d/zhengshe.conf >/dev/null
$sudo apt-get install -y -qq --no-install-recommends postgresql postgresql-client postgresql-contrib libpq-dev wrk \
  chromium poppler-utils fonts-noto-cjk fontconfig python3 python3-venv >/dev/null
have_all || { echo "deploy/setup.sh: PostgreSQL, Chromium, poppler-utils, the CJK fonts or Python's venv did not install completely" >&2; exit 1; }
install_schemathesis
