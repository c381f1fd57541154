#!/usr/bin/env bash
# Regenerates SampleAudio/ from espeak-ng voices with scripts/accuracy/gencalls.py:
# four 30 s synthetic calls at 20 dB SNR (µ-law, A-law, PCM16 stereo; GSM 6.10 mono),
# each with its exact truth (*.truth.json: speech frames per party, events).
set -euo pipefail
cd "$(dirname "$0")/.."
for pkg in espeak-ng sox libsox-fmt-all python3-numpy python3-scipy; do
    dpkg -s "$pkg" >/dev/null 2>&1 || { sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd=sudo; $sudo_cmd apt-get install -y -qq "$pkg"; }
done
rm -rf SampleAudio/*.wav SampleAudio/*.truth.json
python3 scripts/accuracy/gencalls.py SampleAudio --voices synthetic --snrs 20 --codecs ulaw,alaw,pcm16,gsm \
    --calls-per-condition 1 --duration 30 --seed 3
rm -rf SampleAudio/.cache
