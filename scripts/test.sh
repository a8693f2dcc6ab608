#!/usr/bin/env bash
# `npm test`: everything the suite needs is installed and started here, idempotently, so a fresh
# clone on a fresh machine passes the same way (CI runs exactly this through .ci/run).
set -uo pipefail
cd "$(dirname "$0")/.."

node scripts/prepare.mjs deps || exit 1
bash scripts/install-test-deps.sh || exit 1
node scripts/prepare.mjs build || exit 1

mkdir -p test-results
# The whole project type-checks under strict mode. Checked here, not as a test, so that tsc's own
# output is what a failing run shows; a run narrowed to some test files (arguments) skips it.
typecheck=0
if [ "$#" -eq 0 ]; then
  echo "typecheck: tsc --noEmit"
  if ! node node_modules/typescript/bin/tsc --noEmit; then
    typecheck=1
    echo "typecheck: FAILED (tsc's errors above)"
  fi
fi

npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@"
status=$?
node scripts/summarize-tests.mjs test-results/vitest.json || true
if [ "$typecheck" -ne 0 ]; then
  echo "typecheck: failed"
  [ "$status" -eq 0 ] && status=1
fi
exit $status
