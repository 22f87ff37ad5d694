#!/usr/bin/env bash
# Debian packages the project needs: chromium (browser tests), Pango for WeasyPrint (PDF),
# the PostgreSQL client (test databases). Installs only what is missing; needs root for apt.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v psql >/dev/null || need+=(postgresql-client)
ldconfig -p 2>/dev/null | grep -q libpango-1.0 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${need[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
