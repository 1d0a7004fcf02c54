#!/usr/bin/env bash
# Install plexnav into a local virtual environment and assess a bundled example case.
# Usage: ./run.sh [plexnav arguments...]   (default: assess the bundled L5 example)
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
# the locked versions (requirements/runtime.txt), then plexnav itself: scripts/install.sh
PYTHON="$PYTHON" bash scripts/install.sh runtime
if [ "$#" -eq 0 ]; then
  example=$(.venv/bin/python -c "from plexnav.examples import example_path; print(example_path('l5-radiculopathy'))")
  exec .venv/bin/plexnav assess "$example"
fi
exec .venv/bin/plexnav "$@"
