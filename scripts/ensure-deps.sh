#!/usr/bin/env bash
# Sourced by demo.sh and test.sh: makes sure the machine has what PgMedic's demo and tests run on.
# As root it installs what is missing from Debian's packages; otherwise it says what to install.

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

pgmedic_missing_packages() {
  local missing=()
  if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    missing+=(postgresql)
  fi
  for extra in "$@"; do
    case "$extra" in
      pgbouncer) command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer) ;;
      chromium) command -v chromium >/dev/null 2>&1 || missing+=(chromium) ;;
      prometheus) command -v promtool >/dev/null 2>&1 || missing+=(prometheus) ;;
      # Tests only: advise --emit sqlalchemy is loaded by Debian's SQLAlchemy (psycopg2 to connect) and --emit hikari by java.util.Properties.
      python3-sqlalchemy) /usr/bin/python3 -c 'import sqlalchemy, psycopg2' >/dev/null 2>&1 || missing+=(python3-sqlalchemy python3-psycopg2) ;;
      # Tests only: logs --follow's live view is checked on a real terminal that tmux provides (capture-pane).
      tmux) command -v tmux >/dev/null 2>&1 || missing+=(tmux) ;;
      java) command -v java >/dev/null 2>&1 || missing+=(default-jre-headless) ;;
      # Tests only: clients/python (pgmedic-sqlalchemy) runs its pytest suite on Debian's Python packages.
      python-client)
        for pair in sqlalchemy:python3-sqlalchemy psycopg2:python3-psycopg2 pytest:python3-pytest \
                    jsonschema:python3-jsonschema flask:python3-flask fastapi:python3-fastapi; do
          /usr/bin/python3 -c "import ${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
        done ;;
      # The native pgmedic: Native AOT links with clang against zlib; serve falls back to the system's SQLite.
      native-aot)
        command -v clang >/dev/null 2>&1 || missing+=(clang)
        [ -e /usr/include/zlib.h ] || missing+=(zlib1g-dev)
        ls /usr/lib/*/libsqlite3.so.0 /lib/*/libsqlite3.so.0 >/dev/null 2>&1 || missing+=(libsqlite3-0)
        ;;
      # Packaging: scripts/package.sh reads the executable's libraries with objdump; the tests check the unit with systemd-analyze.
      binutils) command -v objdump >/dev/null 2>&1 || missing+=(binutils) ;;
      systemd) command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd) ;;
      # Tests only: pgmedic top runs in a real terminal under tmux (send-keys to type, capture-pane to read the screen).
      tmux) command -v tmux >/dev/null 2>&1 || missing+=(tmux) ;;
    esac
  done
  echo "${missing[@]}"
}

pgmedic_ensure_deps() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "pgmedic: the .NET 10 SDK (dotnet) is not on PATH: install it first" >&2
    return 1
  fi
  local missing
  missing=$(pgmedic_missing_packages "$@")
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "pgmedic: missing Debian packages: $missing — install them with: sudo apt-get install -y --no-install-recommends $missing" >&2
    return 1
  fi
  echo "Installing missing Debian packages: $missing"
  export DEBIAN_FRONTEND=noninteractive
  # The packages are wanted for their programs (initdb, pgbouncer, promtool, chromium), never as
  # system services: keep their postinst scripts from starting postgresql, pgbouncer or prometheus.
  local policy_added=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && policy_added=1
  fi
  local status=0
  # shellcheck disable=SC2086
  apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null || status=1
  [ -n "$policy_added" ] && rm -f /usr/sbin/policy-rc.d
  if [ "$status" -ne 0 ]; then
    echo "pgmedic: apt-get could not install: $missing" >&2
    return 1
  fi
}
