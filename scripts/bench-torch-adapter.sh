#!/usr/bin/env bash
# scripts/bench-torch-adapter.sh — TorchAdapterBench and DjlAdapterBench (JMH): the PyTorch and DJL
# adapters against calling diffhmm directly on the same storage, B = 32, T = 500, N = 64, float32,
# CPU, by JMH and then as paired ratios (AdapterPairs). The benchmark jar leaves both libtorch builds
# out (~100 MB each); this adds them from the local Maven repository (each benchmark runs in its own
# JVM, so the two never meet).
# Runs three times: with libtorch's threading defaults; with its OpenMP and OpenBLAS workers told not
# to spin-wait on the cores diffhmm's threads need (OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=1);
# and with libtorch single-threaded (OMP_NUM_THREADS=1), diffhmm still on all cores.
#   scripts/bench-torch-adapter.sh [JMH options]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
[[ -f bench/target/benchmarks.jar ]] || mvn -B -q install -DskipTests
cp="$(mktemp)"; trap 'rm -f "$cp"' EXIT
mvn -B -q -pl bench dependency:build-classpath -Dmdep.outputFile="$cp" >/dev/null
natives="$(tr ':' '\n' < "$cp" | grep -E '/(pytorch|openblas|pytorch-native-cpu)-[^/]*-linux-x86_64\.jar$' | paste -sd: -)"
run() {
  java -cp "bench/target/benchmarks.jar:$natives" org.openjdk.jmh.Main 'TorchAdapterBench|DjlAdapterBench' "$@"
  # The same variants as paired ratios (alternating rounds in one JVM; see AdapterPairs), one JVM per stack.
  for stack in torch djl; do
    java -Dai.djl.offline=true -cp "bench/target/benchmarks.jar:$natives" org.diffhmm.bench.AdapterPairs "$stack" 40 20 \
      2>&1 | grep -v -e ' WARN ' -e ' INFO '
  done
}
echo "== libtorch threading defaults"
run "$@"
echo "== OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=1"
OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=1 run "$@"
echo "== OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 (libtorch single-threaded; diffhmm keeps its threads)"
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 run "$@"
