#!/bin/sh
# Installs the Switchyard agent on a GPU box. Served by the Switchyard server at /agent/install.sh,
# which fills in its own address, the SHA-256 of the agent file it serves, and (over HTTPS) its
# certificate's fingerprint and public-key pin. The dashboard's "Add a GPU box" shows the command:
#
#   curl -fsSL http://SERVER:3000/agent/install.sh | sudo sh -s -- --token JOIN_TOKEN [--name NODE]
#
# It checks root and Node.js 20+; downloads the one-file agent from the same server and checks its
# SHA-256; installs it as /opt/switchyard-agent/switchyard-agent.mjs; keeps the token in
# /etc/switchyard-agent/agent.env (root only, 0600; never in the unit file or a command line); makes
# the agent's state directory /var/lib/switchyard-agent (0700) where it keeps its credential; writes
# and starts the systemd unit switchyard-agent.service (without systemd: starts the agent in the
# background and says how to keep it running). Run it again to upgrade: options not given are kept.
# `--help` lists the options; `--uninstall` removes it all.
set -eu

# Filled in by the server that served this script.
SERVED_BY='@@SERVER_URL@@'
BUNDLE_SHA256='@@BUNDLE_SHA256@@'
SERVER_FINGERPRINT='@@FINGERPRINT@@'
SERVER_CURL_PIN='@@CURL_PIN@@'

INSTALL_DIR=/opt/switchyard-agent
BUNDLE="$INSTALL_DIR/switchyard-agent.mjs"
CONFIG_DIR=/etc/switchyard-agent
ENV_FILE="$CONFIG_DIR/agent.env"
SETTINGS_FILE="$CONFIG_DIR/settings"
STATE_DIR=/var/lib/switchyard-agent
UNIT_NAME=switchyard-agent.service
UNIT_FILE="/etc/systemd/system/$UNIT_NAME"
LOG_FILE=/var/log/switchyard-agent.log
PID_FILE=/run/switchyard-agent.pid
MIN_NODE_MAJOR=20

say() { printf 'switchyard-agent install: %s\n' "$*"; }
die() { printf 'switchyard-agent install: ERROR: %s\n' "$*" >&2; exit 1; }

usage() {
  cat <<'USAGE'
Usage: curl -fsSL SERVER/agent/install.sh | sudo sh -s -- [options]
  --token T          the join token from the dashboard's "Add a GPU box" (or SWITCHYARD_AGENT_TOKEN)
  --token-file F     read the token from a file instead
  --fingerprint FP   the server's certificate fingerprint (https:// servers with their own certificate)
  --name NODE        node name in the dashboard (default: this machine's hostname)
  --server URL       the address the agent uses, when it is not the one this script came from
  --node PATH        the Node.js 20+ binary to run the agent with (default: node on PATH)
  --uninstall        stop the agent and remove everything this script installed
USAGE
}

# Everything runs from main, called on the last line: `curl | sh` then runs nothing of a
# download cut short, and no command below can swallow the rest of the script from stdin.
main() {
  token="${SWITCHYARD_AGENT_TOKEN:-}"
  token_file=""
  fingerprint=""
  name=""
  server=""
  node=""
  uninstall=0
  while [ $# -gt 0 ]; do
    case "$1" in
      --token) [ $# -ge 2 ] || die "--token needs a value"; token="$2"; shift 2 ;;
      --token=*) token="${1#*=}"; shift ;;
      --token-file) [ $# -ge 2 ] || die "--token-file needs a path"; token_file="$2"; shift 2 ;;
      --fingerprint) [ $# -ge 2 ] || die "--fingerprint needs a value"; fingerprint="$2"; shift 2 ;;
      --fingerprint=*) fingerprint="${1#*=}"; shift ;;
      --name) [ $# -ge 2 ] || die "--name needs a value"; name="$2"; shift 2 ;;
      --name=*) name="${1#*=}"; shift ;;
      --server) [ $# -ge 2 ] || die "--server needs a value"; server="$2"; shift 2 ;;
      --server=*) server="${1#*=}"; shift ;;
      --node) [ $# -ge 2 ] || die "--node needs a path"; node="$2"; shift 2 ;;
      --uninstall) uninstall=1; shift ;;
      -h|--help) usage; exit 0 ;;
      *) die "unknown option '$1' (see the top of this script, or --help)" ;;
    esac
  done

  [ "$(id -u)" = 0 ] || die "run it as root: curl -fsSL .../agent/install.sh | sudo sh -s -- ..."

  if [ "$uninstall" = 1 ]; then
    uninstall_agent
    return 0
  fi

  node=$(find_node "$node")
  check_node "$node"

  # Settings of an earlier install, kept for an upgrade run without them.
  old_fingerprint="" old_name=""
  if [ -f "$SETTINGS_FILE" ]; then
    old_fingerprint=$(setting fingerprint) old_name=$(setting name)
  fi
  server="${server:-$SERVED_BY}"
  server="${server%/}"
  check_url "$server"
  [ -n "$name" ] || name="$old_name"
  if [ -n "$fingerprint" ]; then
    fingerprint=$(normalize_fingerprint "$fingerprint")
  else
    case "$server" in https://*) fingerprint="$old_fingerprint" ;; esac
  fi

  [ -z "$name" ] || printf '%s' "$name" | grep -Eq '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' \
    || die "--name '$name' must be letters, digits, '.', '_' or '-' (at most 128)"
  case "$server" in
    https://*) ;;
    *) [ -z "$fingerprint" ] || die "--fingerprint pins a TLS certificate, but $server is not https://" ;;
  esac
  # This script came from the server with SERVER_FINGERPRINT: the agent must pin the same one.
  if [ -n "$fingerprint" ] && [ -n "$SERVER_FINGERPRINT" ] && [ "$server" = "$SERVED_BY" ] && [ "$fingerprint" != "$SERVER_FINGERPRINT" ]; then
    die "the server at $SERVED_BY has the certificate $SERVER_FINGERPRINT, not $fingerprint: check the fingerprint in the dashboard (or someone on the network is impersonating the server)"
  fi

  if [ -n "$token_file" ]; then
    [ -r "$token_file" ] || die "cannot read --token-file $token_file"
    token=$(head -n 1 "$token_file" | tr -d '\r\n')
  fi
  if [ -z "$token" ] && [ -f "$ENV_FILE" ]; then
    token=$(sed -n 's/^SWITCHYARD_AGENT_TOKEN=//p' "$ENV_FILE" | head -n 1)
  fi
  [ -n "$token" ] || die "--token is required: copy the command from 'Add a GPU box' in the dashboard"
  printf '%s' "$token" | grep -Eq '^[A-Za-z0-9._+/=-]{8,512}$' \
    || die "that token has characters a Switchyard token never has: copy it again from the dashboard"

  download_bundle "$node"
  install_files "$node" "$token" "$server" "$fingerprint" "$name"
  stop_background
  if systemd_running; then
    start_systemd
  else
    start_background
  fi
  report_connection
}

setting() { sed -n "s/^$1=//p" "$SETTINGS_FILE" | head -n 1; }

find_node() {
  if [ -n "$1" ]; then
    if [ ! -f "$1" ] || [ ! -x "$1" ]; then die "--node $1 is not an executable file"; fi
    printf '%s' "$1" | grep -Eq '^/[A-Za-z0-9._/+-]+$' || die "--node must be an absolute path without spaces or quotes"
    printf '%s' "$1"
    return
  fi
  # sudo's PATH can miss where Node was installed: look in the usual places too.
  for candidate in "$(command -v node 2>/dev/null || true)" /usr/local/bin/node /usr/bin/node /opt/node/bin/node; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then printf '%s' "$candidate"; return; fi
  done
  die "Node.js $MIN_NODE_MAJOR or newer is needed and 'node' is not installed (not on root's PATH).
  Install it, then run this again: Debian 13 and Ubuntu 24.10 or newer: apt-get install nodejs;
  others: the Node.js $MIN_NODE_MAJOR+ packages at https://nodejs.org/en/download (or NodeSource).
  Node elsewhere (nvm, a tarball)? Pass its path: ... | sudo sh -s -- --node /path/to/node ..."
}

check_node() {
  version=$("$1" --version </dev/null 2>/dev/null || true)
  major=$(printf '%s' "$version" | sed -n 's/^v\([0-9][0-9]*\)\..*/\1/p')
  [ -n "$major" ] || die "$1 --version did not answer like Node.js ('$version'): install Node.js $MIN_NODE_MAJOR+ or pass --node PATH"
  [ "$major" -ge "$MIN_NODE_MAJOR" ] || die "Node.js $MIN_NODE_MAJOR or newer is needed; $1 is $version.
  Upgrade it (https://nodejs.org/en/download, or NodeSource), or pass another with --node PATH, then run this again."
}

check_url() {
  printf '%s' "$1" | grep -Eq '^https?://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?/?$' \
    || die "'$1' is not a server address like http://192.168.1.10:3000 or https://gpu-server:3000"
}

normalize_fingerprint() {
  hex=$(printf '%s' "$1" | sed -e 's/^[Ss][Hh][Aa]-\{0,1\}256\( *[Ff]ingerprint\)\{0,1\} *[:=]\{0,1\} *//' | tr -d ':' | tr 'A-F' 'a-f')
  printf '%s' "$hex" | grep -Eq '^[0-9a-f]{64}$' \
    || die "'$1' is not a certificate fingerprint: sha256: and 64 hex digits, as the dashboard shows it"
  printf 'sha256:%s' "$hex"
}

sha256_of() {
  "$1" -e 'const c=require("crypto"),f=require("fs");process.stdout.write(c.createHash("sha256").update(f.readFileSync(process.argv[1])).digest("hex"))' "$2" </dev/null
}

# The file's SHA-256 is in this script, so what arrives is what the server built, whatever the
# network did to the download; the pin keeps the download itself on the same server.
download_bundle() {
  node_bin="$1"
  mkdir -p "$INSTALL_DIR"
  chmod 0755 "$INSTALL_DIR"
  tmp="$INSTALL_DIR/.download.$$.mjs"
  trap 'rm -f "$tmp"' EXIT
  url="$SERVED_BY/agent/switchyard-agent.mjs"
  if command -v curl >/dev/null 2>&1; then
    set -- curl -fsS --retry 2 -o "$tmp"
    case "$url" in https://*) [ -z "$SERVER_CURL_PIN" ] || set -- "$@" --insecure --pinnedpubkey "$SERVER_CURL_PIN" ;; esac
    "$@" "$url" </dev/null || die "could not download $url"
  elif command -v wget >/dev/null 2>&1; then
    # wget cannot pin; the SHA-256 check below still refuses anything but the server's file.
    set -- wget -q -O "$tmp"
    case "$url" in https://*) [ -z "$SERVER_CURL_PIN" ] || set -- "$@" --no-check-certificate ;; esac
    "$@" "$url" </dev/null || die "could not download $url"
  else
    die "neither curl nor wget is installed: install curl and run this again"
  fi
  got=$(sha256_of "$node_bin" "$tmp")
  [ "$got" = "$BUNDLE_SHA256" ] || die "the downloaded agent has SHA-256 $got, not $BUNDLE_SHA256 as the server said: refusing to install it (run the command again; if it persists, something between you and the server alters downloads)"
  "$node_bin" "$tmp" --help </dev/null >/dev/null 2>&1 || {
    "$node_bin" "$tmp" --help </dev/null >&2 || true
    die "the downloaded agent does not run with $node_bin"
  }
}

install_files() {
  node="$1" token="$2" server="$3" fingerprint="$4" name="$5"
  umask 077
  chmod 0644 "$tmp"
  mv -f "$tmp" "$BUNDLE"
  trap - EXIT
  mkdir -p "$CONFIG_DIR" "$STATE_DIR"
  chmod 0700 "$CONFIG_DIR" "$STATE_DIR"
  # The agent keeps its credential here: anything already there stays root's alone.
  find "$STATE_DIR" -type f -exec chmod 0600 {} + 2>/dev/null || true
  write_file "$ENV_FILE" "SWITCHYARD_AGENT_TOKEN=$token
SWITCHYARD_AGENT_STATE=$STATE_DIR"
  write_file "$SETTINGS_FILE" "server=$server
fingerprint=$fingerprint
name=$name
node=$node"
  args="--server $server"
  [ -z "$fingerprint" ] || args="$args --fingerprint $fingerprint"
  [ -z "$name" ] || args="$args --name $name"
  AGENT_COMMAND="$node $BUNDLE $args"
  say "installed $BUNDLE (agent for $server${name:+, node $name})"
}

# 0600 from the first byte (umask 077), replaced whole.
write_file() {
  printf '%s\n' "$2" >"$1.new"
  chmod 0600 "$1.new"
  mv -f "$1.new" "$1"
}

systemd_running() { [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; }

start_systemd() {
  umask 022
  cat >"$UNIT_FILE.new" <<UNIT
# Written by the Switchyard agent installer; run it again to change, or with --uninstall to remove.
[Unit]
Description=Switchyard agent (GPU telemetry and deploys for the Switchyard server)
Wants=network-online.target
After=network-online.target docker.service

[Service]
# The token is in this root-only file, not here: unit files are readable by every user.
EnvironmentFile=$ENV_FILE
ExecStart=$AGENT_COMMAND
Restart=always
RestartSec=5
UMask=0077

[Install]
WantedBy=multi-user.target
UNIT
  mv -f "$UNIT_FILE.new" "$UNIT_FILE"
  systemctl daemon-reload
  systemctl enable "$UNIT_NAME" >/dev/null 2>&1 || die "systemctl enable $UNIT_NAME failed"
  since=$(date '+%Y-%m-%d %H:%M:%S')
  systemctl restart "$UNIT_NAME" || die "systemctl restart $UNIT_NAME failed: see journalctl -u $UNIT_NAME"
  LOG_HINT="journalctl -u $UNIT_NAME"
  say "started $UNIT_NAME (systemd; starts at boot; logs: $LOG_HINT)"
}

# No systemd (a container, another init): run it in the background now, and say how to keep it.
start_background() {
  cat >"$INSTALL_DIR/run.sh.new" <<RUN
#!/bin/sh
# Starts the Switchyard agent with its token from $ENV_FILE (root only). Written by the installer.
set -a
. $ENV_FILE
set +a
exec $AGENT_COMMAND
RUN
  chmod 0755 "$INSTALL_DIR/run.sh.new"
  mv -f "$INSTALL_DIR/run.sh.new" "$INSTALL_DIR/run.sh"
  : >>"$LOG_FILE"
  chmod 0600 "$LOG_FILE"
  log_offset=$(wc -c <"$LOG_FILE")
  if command -v setsid >/dev/null 2>&1; then
    setsid "$INSTALL_DIR/run.sh" </dev/null >>"$LOG_FILE" 2>&1 &
  else
    nohup "$INSTALL_DIR/run.sh" </dev/null >>"$LOG_FILE" 2>&1 &
  fi
  echo $! >"$PID_FILE"
  LOG_HINT="$LOG_FILE"
  say "systemd is not running here (a container?): started the agent in the background (pid $!, log $LOG_FILE)."
  say "It does not start again after a reboot: have your init system run $INSTALL_DIR/run.sh."
}

# Only a process that runs our agent file is stopped: a stale pid file may name another program.
stop_background() {
  [ -f "$PID_FILE" ] || return 0
  pid=$(cat "$PID_FILE")
  if [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$BUNDLE"; then
    kill "$pid" 2>/dev/null || true
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE"
}

# A minute at most (SWITCHYARD_INSTALL_WAIT_S) to see the agent's "connected" line or its refusal,
# so the user knows now.
report_connection() {
  wait_s="${SWITCHYARD_INSTALL_WAIT_S:-60}"
  case "$wait_s" in ''|*[!0-9]*) wait_s=60 ;; esac
  i=0
  while [ $i -lt "$wait_s" ]; do
    lines=$(recent_log)
    if printf '%s' "$lines" | grep -q '"msg":"connected"'; then
      say "the agent is connected: the node shows in the dashboard."
      return 0
    fi
    refusal=$(printf '%s\n' "$lines" | grep -E '"level":(50|60)' | tail -n 1 | sed -n 's/.*"msg":"\([^"]*\)".*/\1/p')
    if [ -n "$refusal" ]; then
      say "the agent is running but not connected: $refusal"
      say "logs: $LOG_HINT"
      return 0
    fi
    sleep 1
    i=$((i + 1))
  done
  say "the agent is running but has not connected yet: see $LOG_HINT"
}

# What the agent logged since this run started it.
recent_log() {
  if systemd_running; then
    journalctl -u "$UNIT_NAME" --since "$since" -o cat --no-pager 2>/dev/null | tail -n 50 || true
  else
    tail -c +"$((log_offset + 1))" "$LOG_FILE" 2>/dev/null | tail -n 50 || true
  fi
}

uninstall_agent() {
  if systemd_running && [ -f "$UNIT_FILE" ]; then
    systemctl disable --now "$UNIT_NAME" >/dev/null 2>&1 || true
    rm -f "$UNIT_FILE"
    systemctl daemon-reload
  fi
  stop_background
  rm -f "$UNIT_FILE" "$LOG_FILE"
  rm -rf "$INSTALL_DIR" "$CONFIG_DIR" "$STATE_DIR"
  say "removed the agent, its token and its credential from this box."
  say "The node stays listed (offline) until you remove it in the dashboard, which also revokes its credential."
}

main "$@"
