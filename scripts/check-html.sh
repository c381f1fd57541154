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
# One more call, with tones (six DTMF keys from the customer at 2 s, a ring-back tone on the
# agent's line from 5 to 7 s), so the timeline's tones lane has something to show.
python3 - "$out/day" <<'PY'
import math, random, struct, sys, wave
day, rate = sys.argv[1], 8000
random.seed(7)
left = [random.gauss(0, 0.001) for _ in range(10 * rate)]
right = [random.gauss(0, 0.001) for _ in range(10 * rate)]
rows, cols = [697, 770, 852, 941], [1209, 1336, 1477, 1633]
for d in range(6):
    for i in range(800):
        t = i / rate
        right[16000 + d * 1600 + i] += 0.03 * (math.sin(2 * math.pi * rows[d % 4] * t) + math.sin(2 * math.pi * cols[d * 3 % 4] * t))
for i in range(40000, 56000):
    t = i / rate
    left[i] += 0.05 * (math.sin(2 * math.pi * 440 * t) + math.sin(2 * math.pi * 480 * t))
with wave.open(f"{day}/c-012-tones.wav", "wb") as w:
    w.setnchannels(2); w.setsampwidth(2); w.setframerate(rate)
    w.writeframes(b"".join(struct.pack("<hh", int(l * 32767), int(r * 32767)) for l, r in zip(left, right)))
with open(f"{day}/manifest.csv", "a") as m:
    m.write("c-012,c-012-tones.wav,a2,Ben Okafor,Blue,orders,inbound,2026-11-24T15:00:00+01:00,4,true,10,0,10,+49 30 5550199,0800 111 222,\n")
PY
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
