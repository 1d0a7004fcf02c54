#!/usr/bin/env bash
# System libraries that plexnav's PDF reports need, installed only when missing.
#
#   WeasyPrint (HTML -> PDF) loads pango, pangoft2 and harfbuzz (including the
#   harfbuzz subsetter, for font embedding) at import time; it needs at least one font
#   (DejaVu); fontconfig finds it.  The report tests read the PDFs back with
#   pdftotext / pdfinfo / pdftoppm from poppler-utils.
#
# Idempotent: with everything present it makes no change and touches no network.
# Needs root (or sudo) and Debian/Ubuntu apt only when something is missing.
set -euo pipefail

PACKAGES=(
  libpango-1.0-0
  libpangoft2-1.0-0
  libharfbuzz0b
  libharfbuzz-subset0
  fontconfig
  fonts-dejavu-core
  shared-mime-info
  poppler-utils
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  if [ "$status" != "installed" ]; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "report dependencies: all present"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "report dependencies missing (${missing[*]}) and apt-get is not available; install them with your package manager" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "report dependencies missing (${missing[*]}); run this script as root" >&2
    exit 1
  fi
fi

echo "report dependencies: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Wait for another apt/dpkg run (e.g. another install script) instead of failing on its lock.
APT=($SUDO apt-get -o DPkg::Lock::Timeout=600)
# Install straight away when the package lists already know the packages; refresh them otherwise.
if ! "${APT[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
  "${APT[@]}" update -qq
  "${APT[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "report dependencies: installed"
