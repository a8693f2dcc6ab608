#!/usr/bin/env bash
# Docker Engine for the deploy tests: Debian's docker.io (Engine 20.10, API 1.41), started by hand
# because these machines have no systemd. The docker CLI alone (/usr/local/bin/docker on some
# images) is not enough: what matters is dockerd and a daemon that answers.
# Env: SWITCHYARD_TEST_NO_DOCKER=1 skips; SWITCHYARD_DOCKER_WAIT_S (default 30).
source "$(dirname "$0")/lib.sh"
[ "${SWITCHYARD_TEST_NO_DOCKER:-}" = 1 ] && exit 0

if ! command -v dockerd >/dev/null 2>&1; then
  t=$(now_ms)
  apt_install docker.io
  say "installed docker.io $(dpkg-query -W -f='${Version}' docker.io) ($(took "$t"))"
fi

docker info >/dev/null 2>&1 && exit 0

t=$(now_ms)
log="$CACHE_DIR/dockerd.log"
mkdir -p "$CACHE_DIR"
# A dockerd killed with the machine's previous session leaves its pid file, and a new one refuses
# to start while it exists.
pidfile=/var/run/docker.pid
if [ -f "$pidfile" ] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then rm -f "$pidfile"; fi
# --iptables=false: the recipe tried on these machines (shared/ENVIRONMENT.md); it keeps dockerd off
# the host's firewall, and published ports still work through Docker's userland proxy. setsid +
# nohup: the daemon must outlive this script and not get the Ctrl-C meant for the test run.
setsid nohup dockerd --iptables=false >"$log" 2>&1 < /dev/null &
pid=$!

wait_s="${SWITCHYARD_DOCKER_WAIT_S:-30}"
deadline=$(( $(date +%s) + wait_s ))
until docker info >/dev/null 2>&1; do
  problem=""
  kill -0 "$pid" 2>/dev/null || problem="dockerd exited during start-up"
  [ "$(date +%s)" -ge "$deadline" ] && problem="dockerd did not answer 'docker info' within ${wait_s} s"
  if [ -n "$problem" ]; then
    echo "--- last lines of $log ---" >&2; tail -n 20 "$log" >&2
    die "$problem (log: $log)"
  fi
  sleep 0.2
done
say "started dockerd $(docker version -f '{{.Server.Version}}' 2>/dev/null) ($(took "$t"), log: $log)"
