// whisper.cpp's C API. The library is static (libcallqa_whisper.a, built and installed by
// scripts/whisper/setup-whisper.sh) and found through pkg-config as `callqa-whisper`.
#include <whisper.h>
