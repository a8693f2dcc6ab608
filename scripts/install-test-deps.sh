#!/usr/bin/env bash
# System components the tests drive for real, installed and started when missing (a fresh CI
# machine gets all of them; a warm one skips in well under a second). Each step is its own script
# in scripts/test-deps/. Skip switches for quick local runs:
#   SWITCHYARD_TEST_NO_BROWSER=1  no Chromium
#   SWITCHYARD_TEST_NO_DOCKER=1   no Docker Engine, no llama.cpp image (the chroot root fs stays), no Debian box
#   SWITCHYARD_TEST_NO_LLAMA=1    no llama.cpp root filesystem or image
#   SWITCHYARD_TEST_NO_POSTGRES=1 no PostgreSQL (its dialect's tests are skipped)
set -euo pipefail
dir="$(dirname "$0")/test-deps"
bash "$dir/chromium.sh"
bash "$dir/postgres.sh"
bash "$dir/docker.sh"
bash "$dir/llama-image.sh"
bash "$dir/engine-standin.sh"
bash "$dir/debian-box.sh"
bash "$dir/nginx.sh"
