#!/usr/bin/env bash
# Installs what callqa needs to build and test, when missing: libsndfile and SQLite
# headers (Debian packages); curl (`callqa watch` posts alerts to webhooks with it, and its
# test checks that); for the workspace's browser test, Debian's chromium and
# chromium-driver and Selenium 4.38.0 from PyPI (4.38.0: newer ones need a certifi the
# registry does not serve here); for transcripts, cmake and g++ (Debian) and then
# scripts/whisper/setup-whisper.sh: whisper.cpp and the speech models, built and converted
# once per machine (it does nothing when its stamps match). Swift itself must be on PATH
# (see README).
set -euo pipefail
sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
need=()
for pkg in libsndfile1-dev libsqlite3-dev libssl-dev pkg-config curl chromium chromium-driver cmake g++ make; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
python3 -m pip --version >/dev/null 2>&1 || need+=(python3-pip)
if [ ${#need[@]} -gt 0 ]; then
    echo "setup: installing ${need[*]}"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}" >/dev/null
fi
if ! python3 -c 'import sys, selenium; sys.exit(selenium.__version__ != "4.38.0")' 2>/dev/null; then
    echo "setup: installing selenium 4.38.0 (PyPI)"
    # Debian's own python3 refuses pip installs outside a venv (PEP 668) unless told.
    python3 -m pip install -q --disable-pip-version-check "selenium==4.38.0" 2>/dev/null \
        || python3 -m pip install -q --disable-pip-version-check --break-system-packages "selenium==4.38.0"
fi
command -v swift >/dev/null || { echo "setup: swift not found on PATH (install Swift 6.1+ from swift.org)" >&2; exit 2; }
bash "$(dirname "$0")/whisper/setup-whisper.sh"
