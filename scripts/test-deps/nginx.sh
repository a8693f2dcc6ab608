#!/usr/bin/env bash
# nginx (the reference proxy) and wrk (the load generator) for `npm run bench:gateway`. Not part of
# `npm test`: the bench calls this itself when either is missing.
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
