#!/usr/bin/env bash
# `npm test`: everything the suite needs is installed and started here, idempotently, so a fresh
# clone on a fresh machine passes the same way (CI runs exactly this through .ci/run).
set -uo pipefail
cd "$(dirname "$0")/.."

node scripts/prepare.mjs deps || exit 1
bash scripts/install-test-deps.sh || exit 1
node scripts/prepare.mjs build || exit 1

mkdir -p test-results
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@"
status=$?
node scripts/summarize-tests.mjs test-results/vitest.json || true
exit $status
