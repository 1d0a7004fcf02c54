#!/usr/bin/env bash
# FHIR.js (npm package 'fhir', pinned in tests/interop/fhirjs/package-lock.json) for the test that
# validates plexnav's FHIR export of every shared case.  Needs Node.js with npm (Debian: nodejs, npm);
# installs them with apt when missing and run as root.  Idempotent; the npm registry only at install.
set -euo pipefail
cd "$(dirname "$0")/../tests/interop/fhirjs"
if ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get install -y --no-install-recommends nodejs npm >/dev/null
  else
    echo "npm not found: the FHIR.js validation test will fail; install Node.js with npm" >&2
    exit 0
  fi
fi
if [ ! -d node_modules/fhir ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --silent
fi
