#!/usr/bin/env bash
# `make check-html`: renders every HTML report of the sample day with headless Chromium
# (Debian package `chromium`) into check-html-out/*.png, to look at. Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
command -v chromium >/dev/null || { sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd=sudo; $sudo_cmd apt-get install -y -qq chromium >/dev/null; }
swift build -c release --product callqa >/dev/null
out=check-html-out
rm -rf "$out" && mkdir -p "$out"
db="$out/check.sqlite"
.build/release/callqa run SampleAudio --db "$db" --out "$out/report" >/dev/null || true
.build/release/callqa report call c-003 --db "$db" --format html --out "$out/report/call-c-003.html"
.build/release/callqa report agent a2 --db "$db" --format html --out "$out/report/agent-a2.html"
.build/release/callqa report agents --db "$db" --split-dir "$out/split" >/dev/null
for page in agents kpi nps call-c-003 agent-a2; do
    chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1100,1600 \
        --screenshot="$PWD/$out/$page.png" "file://$PWD/$out/report/$page.html" 2>/dev/null
    echo "$out/$page.png"
done
# Self-contained: no network references, no scripts.
if grep -lE '<script|src="https?:|href="https?:|@import|url\(' "$out"/report/*.html "$out"/split/*.html; then
    echo "check-html: external reference or script found" >&2
    exit 1
fi
echo "check-html: $(ls "$out"/report/*.html "$out"/split/*.html | wc -l) pages self-contained; look at the PNGs above"
