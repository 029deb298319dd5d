#!/usr/bin/env bash
# scripts/bench.sh — reproduces the published forward/backward table (B = 8, N = 50, float32 dense)
# on every backend available here, with the PyTorch peers measured in the same run when PyTorch is
# installed (Debian: apt-get install python3-torch), and writes bench/results/<machine>-<date>.md
# (machine, commit, JVM, threads, the published numbers beside ours, ratios) plus a PNG plot.
#   scripts/bench.sh            quick: L = 100, 1000, 3000; short JMH runs; PyTorch published loop up to L = 100
#   scripts/bench.sh --full     L = 100, 500, 1000, 2000, 3000; PyTorch published loop up to L = 1000
# On a machine without Maven (the GPU machine) it runs from jars carried in .carry/ (scripts/gpu-carry.sh)
# with the JRE of .carry/jre.tar.xz, and keeps the raw JSON in bench/results/<name>.{jmh,torch}.json; render the report
# on a build machine with: java -cp bench/target/benchmarks.jar org.diffhmm.cli.BenchReport --jmh … --torch … --out …
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
full=0; [[ "${1:-}" == "--full" ]] && full=1
if [[ $full -eq 1 ]]; then
  lengths="100,500,1000,2000,3000"; jmh=(-wi 2 -i 5 -w 1 -r 1); reps=3; loop_max=1000
else
  lengths="100,1000,3000"; jmh=(-wi 1 -i 3 -w 1 -r 1); reps=1; loop_max=100
fi

java=java
jar=bench/target/benchmarks.jar
if command -v mvn >/dev/null; then
  mvn -B -q install -DskipTests
else
  jar=.carry/benchmarks.jar
  if [[ -f .carry/jre.tar.xz && ! -x build/jre/bin/java ]]; then mkdir -p build && tar -C build -xJf .carry/jre.tar.xz; fi
  [[ -x build/jre/bin/java ]] && java=build/jre/bin/java
  [[ -x .carry/jre/bin/java ]] && java=.carry/jre/bin/java
  [[ -f "$jar" ]] || { echo "no Maven and no $jar: run scripts/gpu-carry.sh on a build machine and carry .carry" >&2; exit 2; }
fi
backends="cpu"
if "$java" -cp "$jar" org.diffhmm.bench.Probe cuda >/dev/null 2>&1; then backends="cpu,cuda"; fi

cpu="$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)"
gpu="$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1 || true)"
host="$( [[ -n "$gpu" ]] && echo "$gpu" | cut -d, -f1 | tr ' ' '-' || echo "cpu-$(nproc)core" )"
name="${host}-$(date +%Y-%m-%d)"
work="$(mktemp -d)"
commit="$(git rev-parse --short HEAD 2>/dev/null || cat .carry/commit 2>/dev/null || echo unknown)"
machine="Machine: ${cpu}, $(nproc) cores$( [[ -n "$gpu" ]] && echo ", GPU ${gpu}" ). $("$java" -version 2>&1 | head -1).
diffhmm ${commit}, $(date -u +%Y-%m-%dT%H:%MZ), CPU backend threads: $("$java" -cp "$jar" org.diffhmm.bench.Probe threads)."

echo "diffhmm: DenseBench on $backends, L = $lengths"
"$java" -jar "$jar" DenseBench -p backend="$backends" -p length="$lengths" "${jmh[@]}" -rf json -rff "$work/jmh.json"
echo "diffhmm: FactorizedBench (N = 50 and 256; large batch B = 1024, N = 64, L = 1000)"
"$java" -jar "$jar" FactorizedBench -p backend="$backends" "${jmh[@]}" -rf json -rff "$work/jmh-factorized.json"
"$java" -jar "$jar" FactorizedBench -p backend="$backends" -p batch=1024 -p states=64 -p length=1000 "${jmh[@]}" \
    -rf json -rff "$work/jmh-large.json"

if python3 -c 'import torch' 2>/dev/null || /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  py=python3; python3 -c 'import torch' 2>/dev/null || py=/usr/bin/python3
  echo "PyTorch peers (same machine, same run)"
  "$py" bench/python/torch_peers.py --lengths "$lengths" --threads "$(nproc)" --reps "$reps" \
      --published-max-length "$loop_max" --json "$work/torch.json"
  torch=(--torch "$work/torch.json")
else
  echo "PyTorch not installed: peers skipped"
  torch=()
fi

mkdir -p bench/results
cp "$work/jmh.json" "bench/results/$name.jmh.json"
cp "$work/jmh-factorized.json" "bench/results/$name.jmh-factorized.json"
cp "$work/jmh-large.json" "bench/results/$name.jmh-large.json"
[[ -f "$work/torch.json" ]] && cp "$work/torch.json" "bench/results/$name.torch.json"
echo "$machine" >"bench/results/$name.machine.txt"
if "$java" -cp "$jar" org.diffhmm.cli.BenchReport --jmh "$work/jmh.json,$work/jmh-factorized.json,$work/jmh-large.json" \
    "${torch[@]}" --machine "$machine" \
    --out "bench/results/$name"; then
  cat "bench/results/$name.md"
else
  echo "report not rendered here (no java.desktop in this JRE?): raw results are in bench/results/$name.*.json" >&2
fi
