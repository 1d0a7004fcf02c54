#!/usr/bin/env bash
# Install plexnav into .venv from the lock file, then the project itself (editable).
# Usage: scripts/install.sh runtime|test   (run.sh: runtime; test.sh and so CI: test)
# The lock (requirements/*.txt, refreshed by scripts/lock.sh) pins every package with its
# hashes.  A dependency added to pyproject.toml after the last refresh is still installed,
# by the second step, at the newest release allowed: the install works, and a warning
# names what the lock lacks.
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-}
case "$kind" in
  runtime) target=. ;;
  test) target='.[test]' ;;
  *) echo "usage: scripts/install.sh runtime|test" >&2; exit 2 ;;
esac
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
pip=(.venv/bin/python -m pip install --quiet --disable-pip-version-check)
"${pip[@]}" --upgrade pip >/dev/null
"${pip[@]}" --require-hashes -r "requirements/$kind.txt" >/dev/null
report=$(mktemp)
trap 'rm -f "$report"' EXIT
"${pip[@]}" --report "$report" -e "$target" >/dev/null
.venv/bin/python - "$report" "$kind" <<'PY'
import json, sys
installed = [f"{i['metadata']['name']}=={i['metadata']['version']}" for i in json.load(open(sys.argv[1]))["install"]
             if i["metadata"]["name"].lower() != "plexnav"]
if installed:
    print(f"warning: requirements/{sys.argv[2]}.txt is stale: pyproject.toml also needed {', '.join(installed)}; "
          "refresh the lock with scripts/lock.sh", file=sys.stderr)
PY
