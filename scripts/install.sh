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
# The interpreter: $PYTHON if set, else the distribution's CPython 3.11 when the machine has
# it with venv (Debian and Ubuntu build it with profile-guided and link-time optimisation
# and link it statically: plexnav's engine, mostly Python, ran 20-25% faster on it than on a
# default source build such as pyenv's), else python3 from PATH.
if [ -z "${PYTHON:-}" ]; then
  PYTHON=python3
  for candidate in /usr/bin/python3.11 /usr/bin/python3; do
    if [ -x "$candidate" ] && "$candidate" -c 'import sys, ensurepip, venv; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      PYTHON=$candidate
      break
    fi
  done
fi
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
