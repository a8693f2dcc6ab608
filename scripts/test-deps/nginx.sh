#!/usr/bin/env bash
# nginx (the reference proxy of `npm run bench:gateway`, and the front end of several servers in
# tests/integration/multiserver-nginx.test.ts) and wrk (the bench's load generator).
source "$(dirname "$0")/lib.sh"
missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
[ ${#missing[@]} -eq 0 ] && exit 0
t0=$(now_ms)
apt_install "${missing[@]}"
# Debian starts the packaged nginx on port 80; the bench runs its own instances.
(systemctl stop nginx 2>/dev/null || service nginx stop 2>/dev/null || nginx -s quit 2>/dev/null) >/dev/null 2>&1 || true
say "installed ${missing[*]} ($(took "$t0"))"
