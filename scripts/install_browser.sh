#!/usr/bin/env bash
# The browser the HTML page's tests drive (tests/test_browser.py): Debian's chromium and chromium-driver,
# installed with apt-get when they are missing. No browser is downloaded from anywhere else. Where apt-get
# cannot install them (no root, not Debian) this says so and the browser tests skip, saying why.
set -uo pipefail
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
  exit 0
fi
if command -v apt-get >/dev/null && [ "$(id -u)" -eq 0 ]; then
  apt-get update -qq >/dev/null && apt-get install -y -qq chromium chromium-driver >/dev/null && exit 0
fi
echo "install_browser: chromium and chromium-driver are not installed; the browser tests will skip" >&2
exit 0
