#!/usr/bin/env bash
# Installs what callqa needs to build and test, when missing: libsndfile and SQLite
# headers (Debian packages). Swift itself must be on PATH (see README).
set -euo pipefail
need=()
for pkg in libsndfile1-dev libsqlite3-dev libssl-dev pkg-config; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "setup: installing ${need[*]}"
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "setup: swift not found on PATH (install Swift 6.1+ from swift.org)" >&2; exit 2; }
