#!/usr/bin/env bash
# The static checks ./test.sh runs before pytest, so CI fails on a regression:
#   ruff check (lint), ruff format --check, mypy (pydantic plugin; strict for the engine and
#   its contract), and the import contracts (tests/test_import_direction.py).
# Every check runs even when one before it failed, so one run lists all the problems.
# Usage: scripts/check.sh   (after scripts/install.sh test)
set -uo pipefail
cd "$(dirname "$0")/.."
PATHS=(src tests scripts benchmarks)
failed=()
run() {
  local name=$1
  shift
  echo "== $name" >&2
  "$@" || failed+=("$name")
}
run "ruff check" .venv/bin/ruff check --quiet "${PATHS[@]}"
run "ruff format --check" .venv/bin/ruff format --check --quiet "${PATHS[@]}"
run "mypy" .venv/bin/mypy src/plexnav
run "import contracts" .venv/bin/python -m pytest -q -p no:cacheprovider tests/test_import_direction.py
if [ "${#failed[@]}" -gt 0 ]; then
  printf 'static checks failed: %s\n' "$(IFS=,; echo "${failed[*]}")" >&2
  exit 1
fi
