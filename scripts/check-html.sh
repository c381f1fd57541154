#!/usr/bin/env bash
# `make check-html`: runs the sample day into check-html-out/ and renders every HTML page of
# its report folder (agents, KPIs, NPS, calls, each agent's and each call's page), the
# --split-dir pages and single `report` files with headless Chromium (Debian package
# `chromium`) into check-html-out/png/*.png, to look at. Not part of CI.
# Fails when a page loads anything from the network, has an inline script, or loads a
# script other than the callqa-report.js written beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
command -v chromium >/dev/null || { sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd=sudo; $sudo_cmd apt-get install -y -qq chromium >/dev/null; }
bin=${CALLQA_BIN:-}
if [ -z "$bin" ]; then swift build -c release --product callqa >/dev/null; bin=.build/release/callqa; fi
out=check-html-out
rm -rf "$out" && mkdir -p "$out/png"
cp -r SampleAudio "$out/day" && rm -rf "$out/day/callqa-report"
db="$out/check.sqlite"
"$bin" run "$out/day" --db "$db" --scorecards Scorecards >/dev/null || true
"$bin" report call c-003 --db "$db" --format html --out "$out/single-call-c-003.html"
"$bin" report agent a2 --db "$db" --format html --out "$out/single-agent-a2.html"
"$bin" report agents --db "$db" --split-dir "$out/split" >/dev/null
pages=$(cd "$out" && find day/callqa-report split single-*.html -name '*.html' | sort)
for page in $pages; do
    png="$out/png/$(echo "${page%.html}" | tr '/' '_').png"
    timeout 60 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1100,1600 \
        --screenshot="$PWD/$png" "file://$PWD/$out/$page" >/dev/null 2>&1
    echo "$png"
done
fail=0
for page in $pages; do
    f="$out/$page"
    if grep -qE 'src="https?:|href="https?:|src="//|href="//|@import|url\(' "$f"; then echo "check-html: $page references the network" >&2; fail=1; fi
    if grep -qE '<script(>| [^s])' "$f"; then echo "check-html: $page has an inline script" >&2; fail=1; fi
    if grep -oE '<script src="[^"]*"' "$f" | grep -vqE '<script src="callqa-report\.js"'; then
        echo "check-html: $page loads another script" >&2; fail=1
    fi
done
[ "$fail" -eq 0 ] || exit 1
echo "check-html: $(echo "$pages" | wc -l) pages checked, screenshots in $out/png; look at them"
