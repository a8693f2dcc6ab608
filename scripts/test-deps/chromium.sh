#!/usr/bin/env bash
# Debian's Chromium for the browser tests: Playwright cannot download its own browsers here.
source "$(dirname "$0")/lib.sh"
[ "${SWITCHYARD_TEST_NO_BROWSER:-}" = 1 ] && exit 0
command -v chromium >/dev/null 2>&1 && exit 0

t=$(now_ms)
apt_install chromium
say "installed Chromium ($(took "$t"))"
