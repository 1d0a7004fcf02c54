#!/usr/bin/env bash
# Install plexnav into a local virtual environment and assess a bundled example case.
# Usage: ./run.sh [plexnav arguments...]   (default: assess the bundled L5 example)
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
.venv/bin/python -m pip install --quiet -e . >/dev/null
if [ "$#" -eq 0 ]; then
  example=$(.venv/bin/python -c "from plexnav.examples import example_path; print(example_path('l5-radiculopathy'))")
  exec .venv/bin/plexnav assess "$example"
fi
exec .venv/bin/plexnav "$@"
