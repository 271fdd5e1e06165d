#!/usr/bin/env bash
# Run by `npm test` before the tests: the browser tests need Debian's Chromium (or CHROMIUM_PATH).
# As root with apt-get (CI, containers) it installs the package once; otherwise it stops the test
# command with one line naming what fixes it, rather than failing later inside a browser test.
set -euo pipefail
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$chromium" ] && exit 0
if [ -n "${CHROMIUM_PATH:-}" ]; then
  echo "logbook: NO_CHROMIUM: CHROMIUM_PATH ($chromium) is not an executable; point it at Chromium or unset it" >&2
  exit 1
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "logbook: installing Debian's chromium for the browser tests: apt-get install -y chromium" >&2
  if apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2 && [ -x "$chromium" ]; then
    exit 0
  fi
  echo "logbook: NO_CHROMIUM: apt-get could not install chromium; run: apt-get update && apt-get install -y chromium" >&2
  exit 1
fi
echo "logbook: NO_CHROMIUM: the browser tests need Chromium at $chromium; run: sudo apt-get install -y chromium" >&2
exit 1
