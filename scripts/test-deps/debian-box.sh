#!/usr/bin/env bash
# A clean Debian 12 box for the agent installer test (tests/integration/agent-install.test.ts): a
# minimal root filesystem with curl, ca-certificates and sudo (what a user's fresh box has before the
# one-liner) and systemd's tools (not running: containers here cannot boot it), imported as a Docker image.
# No Node.js: the test bind-mounts this machine's node binary where a case needs it. No registry is
# reachable, so debootstrap builds it from Debian's archive; RECIPE is stamped on the image, bump it
# when the recipe changes. Env: SWITCHYARD_TEST_NO_DOCKER=1 skips it; SWITCHYARD_DEBIAN_BOX_IMAGE names it.
source "$(dirname "$0")/lib.sh"
[ "${SWITCHYARD_TEST_NO_DOCKER:-}" = 1 ] && exit 0
RECIPE=2

label=$(docker image inspect -f '{{index .Config.Labels "switchyard.recipe"}}' "$DEBIAN_BOX_IMAGE" 2>/dev/null || true)
[ "$label" = "$RECIPE" ] && exit 0

t=$(now_ms)
command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap
mkdir -p "$CACHE_DIR"
rootfs=$(mktemp -d "$CACHE_DIR/debian-box.XXXXXX")
trap 'rm -rf "$rootfs"' EXIT
# bookworm: the release this machine runs, so its node binary finds the C libraries it was built for.
if ! debootstrap --variant=minbase --include=curl,ca-certificates,sudo,systemd,systemd-sysv,procps bookworm "$rootfs" \
    http://deb.debian.org/debian >"$CACHE_DIR/debian-box.log" 2>&1; then
  tail -n 20 "$CACHE_DIR/debian-box.log" >&2
  die "debootstrap of the Debian test box failed (log: $CACHE_DIR/debian-box.log)"
fi
rm -f "$rootfs"/var/cache/apt/archives/*.deb
[ ! -e "$rootfs/usr/bin/node" ] || die "the Debian test box must not have Node.js of its own"
tar -C "$rootfs" -c . \
  | docker import -c 'CMD ["sleep", "infinity"]' -c "LABEL switchyard.recipe=$RECIPE" - "$DEBIAN_BOX_IMAGE" >/dev/null \
  || die "docker import of $DEBIAN_BOX_IMAGE failed"
say "built $DEBIAN_BOX_IMAGE (Debian 12 with curl, no Node.js) ($(took "$t"))"
