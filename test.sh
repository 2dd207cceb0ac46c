#!/usr/bin/env bash
# The whole test suite: installs missing Debian packages, builds, and runs every test with CTest.
set -euo pipefail
cd "$(dirname "$0")"
install/debian-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
cd build
ctest --output-on-failure -j"$(nproc)" "$@"
