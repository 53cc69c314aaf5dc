#!/usr/bin/env bash
# Installs the web app's packages from the committed lockfile (once per lockfile change);
# with --browser also Debian's chromium for the browser tests, when it is missing (never a
# downloaded browser). `make dev` needs no browser; `make test` does.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=web/node_modules/.lockfile-installed
if ! { [ -f "$stamp" ] && cmp -s web/package-lock.json "$stamp"; }; then
  echo "web-setup: npm ci"
  (cd web && NEXT_TELEMETRY_DISABLED=1 npm ci --no-audit --no-fund --loglevel=error)
  cp web/package-lock.json "$stamp"
fi

if [ "${1:-}" = "--browser" ] && ! command -v chromium >/dev/null 2>&1; then
  echo "web-setup: installing Debian's chromium"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
