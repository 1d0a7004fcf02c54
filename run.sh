#!/usr/bin/env bash
# Install plexnav into a local virtual environment and assess a bundled example case.
# Usage: ./run.sh [plexnav arguments...]   (default: assess the bundled L5 example)
#
# The install is the locked one: scripts/install.sh runtime installs every package pinned,
# with its hashes, in requirements/runtime.txt, then plexnav itself (editable).  It runs
# only when the environment is new or what it installs changed since the last successful
# install (pyproject.toml, the lock file, the install script): a stamp in .venv records
# their hash.  Later calls start at once and work offline (the install is editable, so
# source changes need no reinstall).
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-}  # empty: scripts/install.sh chooses (the distribution's CPython 3.11 first)
STAMP=.venv/.plexnav-installed
INPUTS=(pyproject.toml requirements/runtime.txt scripts/install.sh)
if command -v sha256sum >/dev/null; then hash=(sha256sum); else hash=(shasum -a 256); fi
wanted="$(cat "${INPUTS[@]}" | "${hash[@]}" | cut -d' ' -f1)"
if [ ! -x .venv/bin/plexnav ] || [ "$(cat "$STAMP" 2>/dev/null || true)" != "$wanted" ]; then
  echo "run.sh: installing plexnav into .venv from requirements/runtime.txt (new, or ${INPUTS[*]} changed)" >&2
  PYTHON="$PYTHON" bash scripts/install.sh runtime
  echo "$wanted" > "$STAMP"
fi
if [ "$#" -eq 0 ]; then
  exec .venv/bin/plexnav assess "$PWD/src/plexnav/examples/l5-radiculopathy.json"
fi
exec .venv/bin/plexnav "$@"
