#!/usr/bin/env bash
# scripts/sanitize.sh — the native tests in a Debug build with AddressSanitizer and
# UndefinedBehaviorSanitizer (CPU backend; CUDA is not compiled). Release builds inline away whole
# classes of bugs (an ODR violation between the per-ISA kernels once failed only in Debug), so CI
# runs this too. Usage: scripts/sanitize.sh [ctest arguments, e.g. -R ladder]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build/sanitize"
cmake -S "$root/native" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DDIFFHMM_CUDA=OFF -DDIFFHMM_BUILD_BENCH=OFF \
      -DDIFFHMM_SANITIZE="address;undefined" >/dev/null
cmake --build "$build" -j "$(nproc)" >/dev/null
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
cd "$build" && ctest --output-on-failure "$@"
