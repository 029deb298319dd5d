#!/usr/bin/env bash
# scripts/bench-factorized.sh — the factorized form on the CPU (shared init and transitions,
# emissions [B][L][N], float32: what neural-HMM training runs), all in one run on this machine:
#   1. the native timer on both CPU paths — probability space (the default) and log space
#      (DIFFHMM_CPU_FACTORIZED=log) — at B = 1024, L = 1000, N = 16, 64, 256;
#   2. the PyTorch peers (bench/python/factorized_peers.py: matmul in probability space, logspace),
#      each checked against diffhmm first, diffhmm timed again in the same process and threads;
#   3. the dense memory floors (read, read + copy of the same arrays) beside the dense timings.
# Writes bench/results/cpu-factorized-<date>.md with the machine and the commit. PyTorch is optional
# (Debian: apt-get install python3-torch; libopenblas0-pthread gives it a real BLAS). That package puts
# a libtorch 1.13 on the system library path, which diffhmm-pytorch's tests must not load (README,
# "Inside a JVM training pipeline"): remove it again before running the Java tests on that machine.
#   scripts/bench-factorized.sh [--reps 3] [--threads 2]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
reps=3; threads="$(nproc)"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --reps) reps="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    *) echo "usage: scripts/bench-factorized.sh [--reps n] [--threads n]" >&2; exit 2 ;;
  esac
done
build=java/core/target/cmake
if [[ ! -x "$build/diffhmm_bench" ]]; then mvn -B -q install -pl java/core -DskipTests; fi
out="bench/results/cpu-factorized-$(date +%Y-%m-%d).md"
{
  echo "# Factorized form on the CPU, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Machine: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1), $(nproc) cores; diffhmm $(git rev-parse --short HEAD); $threads threads everywhere."
  echo
  echo "## diffhmm, both CPU paths (native timer, medians of $reps)"
  for n in 16 64 256; do
    echo
    "$build/diffhmm_bench" --form factorized --batch 1024 --states "$n" --lengths 1000 --reps "$reps" --threads "$threads"
  done
  echo
  echo "## PyTorch peers, same process and threads"
  py=""
  for p in python3 /usr/bin/python3; do "$p" -c 'import torch' 2>/dev/null && { py="$p"; break; }; done
  if [[ -n "$py" ]]; then
    for n in 16 64 256; do
      echo
      "$py" bench/python/factorized_peers.py --lib "$build/libdiffhmm.so" --threads "$threads" --batch 1024 \
          --states "$n" --lengths 1000 --reps "$reps"
    done
  else
    echo
    echo "PyTorch is not installed here: no peers."
  fi
  echo
  echo "## Dense form against its memory floor (B = 8, N = 50)"
  echo
  "$build/diffhmm_bench" --lengths 1000,3000 --reps "$reps" --threads "$threads"
} | tee "$out"
echo "wrote $out"
