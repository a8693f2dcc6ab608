#!/usr/bin/env bash
# STAND-IN image for vLLM and SGLang (tests only; see engine-standin/README.md): the llama.cpp test
# image plus scripts that take those engines' command lines and mimic their start-up health
# behaviour. Made with create/cp/commit rather than `docker build`: no builder needed.
# RECIPE is stamped on the image; bump it when the scripts change.
source "$(dirname "$0")/lib.sh"
[ "${SWITCHYARD_TEST_NO_LLAMA:-}" = 1 ] && exit 0
[ "${SWITCHYARD_TEST_NO_DOCKER:-}" = 1 ] && exit 0
RECIPE=2
here="$(cd "$(dirname "$0")/engine-standin" && pwd)"
# The scripts' own content counts too, so an edited script rebuilds without a RECIPE bump.
want="$RECIPE-$(cat "$here"/vllm "$here"/python3 "$here"/common.sh "$here"/starting.pl "$here"/sleep-front.pl | sha1sum | cut -c1-12)"
have=$(docker image inspect -f '{{index .Config.Labels "switchyard.recipe"}}' "$STANDIN_IMAGE" 2>/dev/null || true)
[ "$have" = "$want" ] && exit 0

t=$(now_ms)
docker image inspect "$LLAMA_IMAGE" >/dev/null 2>&1 || die "$LLAMA_IMAGE is missing (llama-image.sh builds it first)"
cid=$(docker create "$LLAMA_IMAGE")
trap 'docker rm -f "$cid" >/dev/null 2>&1' EXIT
staging=$(mktemp -d)
mkdir -p "$staging/bin" "$staging/lib/standin"
install -m 0755 "$here/vllm" "$here/python3" "$staging/bin/"
install -m 0644 "$here/common.sh" "$here/starting.pl" "$here/sleep-front.pl" "$staging/lib/standin/"
docker cp "$staging/bin/." "$cid:/usr/local/bin/"
docker cp "$staging/lib/." "$cid:/usr/local/lib/"
rm -rf "$staging"
# The profiles set the entrypoint (`vllm serve`, `python3 -m sglang.launch_server`) themselves.
docker commit -c "LABEL switchyard.recipe=$want" -c "LABEL switchyard.standin=vllm,sglang" \
  "$cid" "$STANDIN_IMAGE" >/dev/null || die "docker commit of $STANDIN_IMAGE failed"
say "built the vLLM/SGLang stand-in image $STANDIN_IMAGE ($(took "$t"))"
