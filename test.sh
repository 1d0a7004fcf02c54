#!/usr/bin/env bash
# Install plexnav with its test extras into .venv (from the lock), run the static checks, then
# the whole test suite.
# As root it also installs the Debian packages the reports and browser tests need and
# starts a throwaway PostgreSQL so the storage tests run on SQLite and PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-}  # empty: scripts/install.sh chooses (the distribution's CPython 3.11 first)

bash scripts/install-system-deps.sh
# the locked versions (requirements/test.txt), then plexnav itself: scripts/install.sh
PYTHON="$PYTHON" bash scripts/install.sh test
# ruff (lint and format), mypy and the import contracts before pytest: scripts/check.sh
bash scripts/check.sh
# FHIR.js (npm) for the test that validates the FHIR export of every shared case
bash scripts/install-fhirjs.sh

if [ -z "${PLEXNAV_TEST_POSTGRES_URL:-}" ] && [ "$(id -u)" -eq 0 ]; then
  if PLEXNAV_TEST_POSTGRES_URL=$(bash scripts/start-test-postgres.sh); then
    export PLEXNAV_TEST_POSTGRES_URL
    trap 'bash scripts/start-test-postgres.sh --stop "$PLEXNAV_TEST_POSTGRES_URL" >/dev/null 2>&1 || true' EXIT
  else
    echo "could not start a test PostgreSQL: storage tests run on SQLite only" >&2
  fi
fi

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
