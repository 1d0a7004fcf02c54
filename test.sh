#!/usr/bin/env bash
# Install plexnav with its test extras into .venv and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
# System libraries the PDF reports need (installed only when missing).
bash scripts/install-report-deps.sh
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
.venv/bin/python -m pip install --quiet -e '.[test]' >/dev/null
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
# pytest exits 5 when it collected no tests: that is a failure of the suite, say so.
if [ "$status" -eq 5 ]; then
  echo "no tests were collected" >&2
  exit 1
fi
exit "$status"
