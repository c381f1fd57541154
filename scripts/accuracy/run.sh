#!/usr/bin/env bash
# Accuracy harness: generates two-party calls with exact truth under the conditions of real
# contact-center recordings (cross-channel bleed, babble, floor ambience, real music on
# hold, line noise at clean/20/10/5 dB, telephone codecs, ADPCM, Ogg Vorbis and Opus, tones, 16 kHz, float and FLAC
# files, quiet customers, keyboard clicks), as a tuning split and a held-out split (disjoint
# seeds, babble voices and hold music), and scores callqa, webrtcvad (modes 0-3) and
# silero-vad (ONNX) on them per condition.
#
# Environment:
#   ACCURACY_SPLIT=both|tuning|heldout   which splits to generate and evaluate (both)
#   CALLQA_BIN=path                      score this binary; skips the swift build
#   ACCURACY_DIR=dir                     output root (accuracy-out): dir/tuning, dir/heldout
#   CALLS=n                              calls per scenario variant (2: 116 calls per split)
# The soundtracks of hyperrogue-music, singularity-music, drascula-music and asc-music are
# installed for gencalls.py --music-bank extra|both (tuning only; the splits here use opsound).
set -euo pipefail
cd "$(dirname "$0")/../.."
sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd=sudo
split=${ACCURACY_SPLIT:-both}
case "$split" in both) splits="tuning heldout";; tuning|heldout) splits=$split;;
    *) echo "ACCURACY_SPLIT must be both, tuning or heldout" >&2; exit 2;; esac

need=()
for pkg in espeak-ng sox libsox-fmt-all lame flite asterisk-core-sounds-en-wav asterisk-core-sounds-es-wav \
           asterisk-core-sounds-fr-wav asterisk-core-sounds-it-wav asterisk-core-sounds-ru-wav \
           asterisk-moh-opsound-wav hyperrogue-music singularity-music drascula-music asc-music \
           python3-numpy python3-scipy python3-pip; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "accuracy: installing ${need[*]}"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}" >/dev/null
fi
# python3 may be Debian's (PEP 668: --break-system-packages) or another interpreter on PATH.
pip_install() {
    python3 -m pip install -q "$@" 2>/dev/null || python3 -m pip install -q --break-system-packages "$@"
}
python3 -c "import numpy, scipy" 2>/dev/null || pip_install numpy scipy
python3 -c "import webrtcvad" 2>/dev/null || pip_install webrtcvad-wheels
python3 -c "import onnxruntime" 2>/dev/null || pip_install onnxruntime
# silero-vad only for the ONNX model inside its wheel: --no-deps keeps torch out.
python3 -c "import importlib.util as u; s = u.find_spec('silero_vad'); assert s" 2>/dev/null \
    || pip_install --no-deps silero-vad

if [ -n "${CALLQA_BIN:-}" ]; then
    bin=$CALLQA_BIN
else
    bash scripts/setup.sh
    swift build -c release --product callqa >/dev/null
    bin=.build/release/callqa
fi

root=${ACCURACY_DIR:-accuracy-out}
calls=${CALLS:-2}
for s in $splits; do
    out=$root/$s
    # Regenerated when the generator or the size changed since the last run.
    stamp="$(sha1sum scripts/accuracy/gencalls.py | cut -c1-12) split=$s calls=$calls"
    if [ "$(cat "$out/.done" 2>/dev/null)" != "$stamp" ]; then
        rm -rf "$out"
        python3 scripts/accuracy/gencalls.py "$out" --split "$s" --calls-per-condition "$calls"
        echo "$stamp" > "$out/.done"
    fi
done
for s in $splits; do
    echo
    echo "=== split: $s ($root/$s) ==="
    python3 scripts/accuracy/evaluate.py "$root/$s" --callqa "$bin" --json "$root/$s/report.json"
done
