#!/usr/bin/env bash
# `make bench-watch`: `callqa watch` latency from a recording's completion to its score in
# the database at 3 calls a second (scripts/bench-watch.py says how). CALLQA_BIN skips the build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${CALLQA_BIN:-}" ]; then
    swift build -c release --product callqa
    export CALLQA_BIN="$PWD/.build/release/callqa"
fi
python3 scripts/bench-watch.py
