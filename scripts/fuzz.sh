#!/usr/bin/env bash
# Longer fuzzing of the CSV, manifest, Asterisk, queue_log and card parsers than the test suite
# runs: the same seeded mutation tests with CALLQA_FUZZ_ITERATIONS (default 100000), bounded by
# FUZZ_SECONDS (default 600). Prints executions, clean errors and crashes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CALLQA_FUZZ_ITERATIONS=${CALLQA_FUZZ_ITERATIONS:-100000}
timeout "${FUZZ_SECONDS:-600}" swift test --filter 'FuzzTests|CardFuzzTests' 2>&1 | grep -E "fuzz|passed|failed|error"
