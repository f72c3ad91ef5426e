#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests (internal/browsertest) when
# it is missing: as root directly, otherwise with sudo when sudo needs no
# password. Without either it says so and exits 0: the browser tests then skip
# with that reason, except under CI (CI set), where they fail.
set -euo pipefail

for p in "${LEERPAD_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome; do
  if [ -n "$p" ] && [ -x "$p" ]; then
    exit 0
  fi
done

if [ "$(id -u)" -eq 0 ]; then
  run=()
elif command -v sudo > /dev/null && sudo -n true 2> /dev/null; then
  run=(sudo -n)
else
  echo "install-chromium: chromium is missing and this user can neither install packages nor use sudo without a password;" >&2
  echo "install-chromium: install it (apt-get install chromium) to run the browser tests, which skip without it." >&2
  exit 0
fi
if ! command -v apt-get > /dev/null; then
  echo "install-chromium: no apt-get here; install Chromium and set LEERPAD_CHROMIUM to its path." >&2
  exit 0
fi

echo "install-chromium: apt-get install chromium (for the browser tests)" >&2
export DEBIAN_FRONTEND=noninteractive
"${run[@]}" apt-get update -qq
"${run[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core > /dev/null
