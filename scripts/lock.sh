#!/usr/bin/env bash
# Refresh the lock files from pyproject.toml, every pin with its hashes:
#   requirements/runtime.txt  what ./run.sh installs (the [project] dependencies)
#   requirements/test.txt     what ./test.sh and CI install (those plus the test extra)
# Pins already in the files are kept unless pyproject.toml no longer allows them; pass
# --upgrade (or --upgrade-package NAME) to move to newer releases.
# Usage: scripts/lock.sh [uv pip compile options...]
set -euo pipefail
cd "$(dirname "$0")/.."
UV=${UV:-.venv/bin/uv}
mkdir -p requirements
common=(--universal --python-version 3.11 --generate-hashes --quiet
        --custom-compile-command "scripts/lock.sh" "$@")
"$UV" pip compile pyproject.toml "${common[@]}" -o requirements/runtime.txt
"$UV" pip compile pyproject.toml --extra test "${common[@]}" -o requirements/test.txt
