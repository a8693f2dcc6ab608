#!/usr/bin/env bash
# A real llama.cpp server for the deploy, fit and gateway tests. No registry is reachable, so it is
# built from Debian's archive: a minimal sid root filesystem with llama.cpp-tools (llama-server,
# llama-quantize), kept on disk for tests that run it with chroot, and imported as a Docker image.
# RECIPE is stamped on both; bump it when the recipe changes so existing machines rebuild.
# Env: SWITCHYARD_TEST_NO_LLAMA=1 skips all of it; SWITCHYARD_TEST_NO_DOCKER=1 skips the image only.
source "$(dirname "$0")/lib.sh"
[ "${SWITCHYARD_TEST_NO_LLAMA:-}" = 1 ] && exit 0
RECIPE=1
stamp="$LLAMA_ROOTFS/.switchyard-recipe"

if [ "$(cat "$stamp" 2>/dev/null)" != "$RECIPE" ]; then
  t=$(now_ms)
  command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap
  # Build beside the final path and rename at the end: an interrupted run never leaves a
  # half-built tree that looks finished.
  partial="$LLAMA_ROOTFS.partial"
  rm -rf "$partial"
  mkdir -p "$(dirname "$LLAMA_ROOTFS")"
  if ! debootstrap --variant=minbase --include=llama.cpp-tools sid "$partial" \
      http://deb.debian.org/debian >"$CACHE_DIR/debootstrap.log" 2>&1; then
    tail -n 20 "$CACHE_DIR/debootstrap.log" >&2
    die "debootstrap of the llama.cpp root filesystem failed (log: $CACHE_DIR/debootstrap.log)"
  fi
  # The downloaded .debs are 40 MB the image does not need.
  rm -f "$partial"/var/cache/apt/archives/*.deb
  chroot "$partial" llama-server --version >/dev/null 2>&1 || die "llama-server does not run in $partial"
  echo "$RECIPE" >"$partial/.switchyard-recipe"
  rm -rf "$LLAMA_ROOTFS"
  mv "$partial" "$LLAMA_ROOTFS"
  version=$(chroot "$LLAMA_ROOTFS" llama-server --version 2>&1 | head -n 1)
  say "built llama.cpp root filesystem at $LLAMA_ROOTFS, llama-server $version ($(took "$t"))"
fi

[ "${SWITCHYARD_TEST_NO_DOCKER:-}" = 1 ] && exit 0
label=$(docker image inspect -f '{{index .Config.Labels "switchyard.recipe"}}' "$LLAMA_IMAGE" 2>/dev/null || true)
if [ "$label" != "$RECIPE" ]; then
  t=$(now_ms)
  # Exclude the models folder the chroot helper copies test models into.
  tar -C "$LLAMA_ROOTFS" --exclude=./switchyard-models -c . \
    | docker import -c 'ENTRYPOINT ["/usr/bin/llama-server"]' -c "LABEL switchyard.recipe=$RECIPE" \
        - "$LLAMA_IMAGE" >/dev/null || die "docker import of $LLAMA_IMAGE failed"
  say "imported $LLAMA_IMAGE ($(took "$t"))"
fi
