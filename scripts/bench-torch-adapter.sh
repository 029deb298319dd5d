#!/usr/bin/env bash
# scripts/bench-torch-adapter.sh — TorchAdapterBench (JMH): the PyTorch adapter against calling
# diffhmm directly on the same storage, B = 32, T = 500, N = 64, float32, CPU. The benchmark jar
# leaves libtorch's natives out (they are ~100 MB); this adds them from the local Maven repository.
# Runs twice: with libtorch's threading defaults, then with its OpenMP and OpenBLAS workers told not
# to spin-wait on the cores diffhmm's threads need (OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=1).
#   scripts/bench-torch-adapter.sh [JMH options]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
[[ -f bench/target/benchmarks.jar ]] || mvn -B -q install -DskipTests
cp="$(mktemp)"; trap 'rm -f "$cp"' EXIT
mvn -B -q -pl bench dependency:build-classpath -Dmdep.outputFile="$cp" >/dev/null
natives="$(tr ':' '\n' < "$cp" | grep -E '/(pytorch|openblas)-[^/]*-linux-x86_64\.jar$' | paste -sd: -)"
run() { java -cp "bench/target/benchmarks.jar:$natives" org.openjdk.jmh.Main TorchAdapterBench "$@"; }
echo "== libtorch threading defaults"
run "$@"
echo "== OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=1"
OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=1 run "$@"
