#!/usr/bin/env bash
# Install plexnav into a local virtual environment and assess a bundled example case.
# Usage: ./run.sh [plexnav arguments...]   (default: assess the bundled L5 example)
#
# pip runs only when the environment is new or pyproject.toml (the package and its
# dependencies) changed since the last successful install: a stamp in .venv records the
# file's hash.  Later calls start at once and work offline (the install is editable, so
# source changes need no reinstall).
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
STAMP=.venv/.plexnav-installed
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
if command -v sha256sum >/dev/null; then hash=(sha256sum); else hash=(shasum -a 256); fi
wanted="$("${hash[@]}" pyproject.toml | cut -d' ' -f1)"
if [ ! -x .venv/bin/plexnav ] || [ "$(cat "$STAMP" 2>/dev/null || true)" != "$wanted" ]; then
  echo "run.sh: installing plexnav into .venv (pyproject.toml is new or changed)" >&2
  .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
  .venv/bin/python -m pip install --quiet -e . >/dev/null
  echo "$wanted" > "$STAMP"
fi
if [ "$#" -eq 0 ]; then
  exec .venv/bin/plexnav assess "$PWD/src/plexnav/examples/l5-radiculopathy.json"
fi
exec .venv/bin/plexnav "$@"
