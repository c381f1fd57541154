#!/usr/bin/env bash
# Transcript accuracy (`make accuracy-transcripts`, part of `make accuracy`): scripted calls
# with known words through callqa ingest, transcribe and score (scripts/accuracy/transcripts.py),
# once per model.
#   CALLQA_BIN=path            use this binary (skips the build)
#   MODELS="a.bin b.bin"       model files in $CALLQA_MODEL_DIR (default: base and tiny.en q8_0)
#   TRANSCRIPT_CALLS=n         calls per real-voice language and espeak pair (default 4)
#   PHRASE_CALLS=n             English calls with phrase criteria (default 40)
set -euo pipefail
cd "$(dirname "$0")/../.."
sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd=sudo
need=()
for pkg in espeak-ng sox libsox-fmt-all flite asterisk-core-sounds-en-wav asterisk-core-sounds-es-wav \
           asterisk-core-sounds-fr-wav asterisk-core-sounds-it-wav asterisk-core-sounds-ru-wav; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "accuracy: installing ${need[*]}"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [ -n "${CALLQA_BIN:-}" ]; then
    bin=$CALLQA_BIN
else
    bash scripts/setup.sh
    swift build -c release --product callqa >/dev/null
    bin=.build/release/callqa
fi
models_dir=${CALLQA_MODEL_DIR:-/usr/local/share/callqa/models}
out=${ACCURACY_DIR:-accuracy-out}/transcripts
mkdir -p "$out"
args=(--calls-per-group "${TRANSCRIPT_CALLS:-4}" --phrase-calls "${PHRASE_CALLS:-40}")
for m in ${MODELS:-ggml-base-q8_0.bin ggml-tiny.en-q8_0.bin}; do
    python3 scripts/accuracy/transcripts.py "$out" --bin "$bin" --model "$models_dir/$m" "${args[@]}"
done
# Each call's language given (per queue) instead of detected: what a contact center whose
# lines are per language would set.
python3 scripts/accuracy/transcripts.py "$out" --bin "$bin" --model "$models_dir/ggml-base-q8_0.bin" --language-set "${args[@]}"
