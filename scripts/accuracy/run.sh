#!/usr/bin/env bash
# Accuracy harness: generates synthetic two-party calls with exact truth (espeak-ng voices
# and the real voices of Debian's asterisk-core-sounds), at clean/20/10/5 dB SNR, as PCM16,
# µ-law, A-law, MP3 and mono GSM 6.10; runs callqa and webrtcvad (modes 0-3) on them and
# prints frame precision/recall/F1 and metric errors per SNR band, codec and voice set.
set -euo pipefail
cd "$(dirname "$0")/../.."
sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd=sudo
need=()
for pkg in espeak-ng sox libsox-fmt-all lame asterisk-core-sounds-en-wav asterisk-core-sounds-es-wav \
           asterisk-core-sounds-fr-wav asterisk-moh-opsound-wav python3-numpy python3-scipy; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
[ ${#need[@]} -gt 0 ] && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}" >/dev/null
python3 -c "import webrtcvad" 2>/dev/null || python3 -m pip install -q webrtcvad-wheels
bash scripts/setup.sh
swift build -c release --product callqa >/dev/null
out=${ACCURACY_DIR:-accuracy-out}
# Regenerated when the generator, the seed or the size changed since the last run.
stamp="$(sha1sum scripts/accuracy/gencalls.py | cut -c1-12) seed=${SEED:-7} calls=${CALLS:-4}"
if [ "$(cat "$out/.done" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$out"
    python3 scripts/accuracy/gencalls.py "$out" --calls-per-condition ${CALLS:-4} --seed ${SEED:-7}
    echo "$stamp" > "$out/.done"
fi
python3 scripts/accuracy/evaluate.py "$out" --callqa .build/release/callqa --json "$out/report.json"
