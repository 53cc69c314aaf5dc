#!/usr/bin/env bash
# Installs the local tooling into ignored folders of the repo (.venv/<name>), once per
# requirements change. Needs only python3 and access to PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."

for name in ministack localstripe tools fuzz scan; do
  req="infra/requirements-$name.txt"
  venv=".venv/$name"
  stamp="$venv/.requirements"
  if [ -f "$stamp" ] && cmp -s "$req" "$stamp"; then
    continue
  fi
  echo "setup: installing $name into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
  cp "$req" "$stamp"
done
