#!/usr/bin/env bash
# Debian packages plexnav's reports and tests need, installed only when missing:
#   libpango / libpangoft2 / libharfbuzz (+ subsetter), fontconfig, shared-mime-info
#                 - WeasyPrint (HTML -> PDF reports) loads them at import time
#   fonts-dejavu-core, fonts-liberation - real glyphs in PDFs and page screenshots
#   poppler-utils - pdftotext / pdfinfo / pdftoppm read generated PDFs back in the tests
#   chromium      - the browser the end-to-end tests drive (Playwright, /usr/bin/chromium)
#   postgresql    - scripts/start-test-postgres.sh starts a throwaway cluster with it
#
# Idempotent: with everything present it makes no change and touches no network.
# Needs root (or sudo) and apt only when something is missing.
set -euo pipefail

PACKAGES=(
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fontconfig
  shared-mime-info fonts-dejavu-core fonts-liberation poppler-utils
  chromium postgresql
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  if [ "$status" != "installed" ]; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "system dependencies: all present"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "system dependencies missing (${missing[*]}) and apt-get is not available; install them with your package manager" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "system dependencies missing (${missing[*]}); run this script as root" >&2
    exit 1
  fi
fi

echo "system dependencies: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Wait for another apt/dpkg run instead of failing on its lock.
APT=($SUDO apt-get -o DPkg::Lock::Timeout=600)
# Install straight away when the package lists already know the packages; refresh them otherwise.
if ! "${APT[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
  "${APT[@]}" update -qq
  "${APT[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "system dependencies: installed"
