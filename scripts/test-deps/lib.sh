# Shared by the scripts in this folder (sourced, not run). Each step prints one line when it had
# something to do, with how long it took, and stays silent when everything was already in place.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE_DIR="${SWITCHYARD_CACHE_DIR:-$ROOT/.cache}"
# tests/helpers/docker.ts and llama.ts read the same variables with the same defaults.
LLAMA_IMAGE="${SWITCHYARD_LLAMA_IMAGE:-switchyard/llama-cpp:test}"
# STAND-IN for the vLLM and SGLang images (engine-standin.sh); tests/helpers/docker.ts reads it too.
STANDIN_IMAGE="${SWITCHYARD_STANDIN_IMAGE:-switchyard/engine-standin:test}"
LLAMA_ROOTFS="${SWITCHYARD_LLAMA_ROOTFS:-$CACHE_DIR/llama-rootfs}"
# A clean Debian box for the agent installer test (debian-box.sh); tests/helpers/debian-box.ts reads it too.
DEBIAN_BOX_IMAGE="${SWITCHYARD_DEBIAN_BOX_IMAGE:-switchyard/debian-box:test}"

say() { echo "test-deps: $*"; }
die() { echo "test-deps: ERROR: $*" >&2; exit 1; }

# Seconds since $1 (a value of $SECONDS-like epoch with ms), as "1.2 s".
now_ms() { date +%s%3N; }
took() { local ms=$(( $(now_ms) - $1 )); printf '%d.%d s' $((ms / 1000)) $(((ms % 1000) / 100)); }

# apt-get update only when something is actually missing, and at most once an hour across the
# scripts of one run (a fresh machine's package lists may be too old to install from).
apt_install() {
  local stamp="$CACHE_DIR/apt-updated"
  if [ -z "$(find "$stamp" -mmin -60 2>/dev/null)" ]; then
    apt-get update -qq || die "apt-get update failed"
    mkdir -p "$CACHE_DIR"; touch "$stamp"
  fi
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null || die "apt-get install $* failed"
}
