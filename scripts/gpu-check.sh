#!/usr/bin/env bash
# scripts/gpu-check.sh — everything a GPU machine checks, in one command. Needs CMake and nvcc, not
# Java or Maven. It:
#   1. builds the native library, tests and benchmark for sm_80/sm_90 (build/gpu);
#   2. runs the native tests (the CUDA ones included) with CTest;
#   3. runs compute-sanitizer memcheck and racecheck on the CUDA tests;
#   4. runs the Java GPU tests if scripts/gpu-carry.sh prepared .carry/ (a JRE and the jars);
#   5. runs the native benchmark of the published shape (B = 8, N = 50, L = 100..3000, float32 dense)
#      and the large-batch shape (B = 1024, N = 64, L = 1000) on the GPU, and the CPU beside it;
#   6. writes bench/results/gpu-<device>-<date>.md (device, driver, commit) and prints a summary last.
# Usage: scripts/gpu-check.sh [--quick]     (quick: shorter benchmark)
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
quick=0; [[ "${1:-}" == "--quick" ]] && quick=1
out="${OUT:-$root/build/gpu-check}"; mkdir -p "$out"
build="$root/build/gpu"
declare -A verdict

step() { echo; echo "=== $*"; }

step "1. build"
cmake -S native -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDIFFHMM_CUDA=ON >"$out/cmake.log" 2>&1 \
  || cmake -S native -B "$build" -DCMAKE_BUILD_TYPE=Release -DDIFFHMM_CUDA=ON >"$out/cmake.log" 2>&1
if cmake --build "$build" -j "$(nproc)" >"$out/build.log" 2>&1; then verdict[build]=ok; else verdict[build]=FAILED; tail -40 "$out/build.log"; fi

step "2. native tests"
if (cd "$build" && ctest --output-on-failure 2>&1 | tee "$out/ctest.log" | tail -25); then :; fi
grep -q "100% tests passed" "$out/ctest.log" && verdict[native_tests]=ok || verdict[native_tests]=FAILED
grep -q "Skipped" "$out/ctest.log" && verdict[native_tests]="${verdict[native_tests]} (some SKIPPED: no device?)"

step "3. compute-sanitizer"
for tool in memcheck racecheck; do
  if command -v compute-sanitizer >/dev/null; then
    for t in cuda_matches_reference cuda_device_pointers_and_errors cuda_sample_matches_posterior_path_probabilities cuda_kbest_matches_cpu; do
      compute-sanitizer --tool "$tool" --error-exitcode 9 "$build/diffhmm_tests" "$t" >"$out/sanitizer-$tool-$t.log" 2>&1
      rc=$?
      [[ $rc -eq 0 ]] && verdict["$tool:$t"]=ok || { verdict["$tool:$t"]="FAILED (rc $rc)"; tail -20 "$out/sanitizer-$tool-$t.log"; }
    done
  else
    verdict[$tool]="not run: compute-sanitizer not found"
  fi
done

step "4. Java GPU tests"
if [[ -x .carry/jre/bin/java ]]; then
  cp_list="$(ls .carry/lib/*.jar | tr '\n' ':').carry/test-classes"
  .carry/jre/bin/java -jar .carry/junit-platform-console-standalone-*.jar execute --class-path "$cp_list" \
      --select-class org.diffhmm.CudaBackendTest --select-class org.diffhmm.CudaInteropTest \
      --select-class org.diffhmm.CpuBackendTest --select-class org.diffhmm.BadInputTest \
      --details summary 2>&1 | tee "$out/java-gpu.log" | tail -25
  grep -qE "[1-9][0-9]* tests failed" "$out/java-gpu.log" && verdict[java_gpu]=FAILED || verdict[java_gpu]=ok
  grep -qE " 0 tests successful" "$out/java-gpu.log" && verdict[java_gpu]="FAILED (nothing ran)"
  grep -qE "[1-9][0-9]* tests aborted" "$out/java-gpu.log" && verdict[java_gpu]="${verdict[java_gpu]} (some tests SKIPPED: no device?)"
else
  verdict[java_gpu]="not run: no .carry/ (run scripts/gpu-carry.sh on the build machine and carry .carry)"
fi

step "5. benchmarks"
lengths="100,500,1000,2000,3000"; reps=20
[[ $quick -eq 1 ]] && { lengths="100,1000,3000"; reps=5; }
"$build/diffhmm_bench" --backend cuda --lengths "$lengths" --reps "$reps" | tee "$out/bench-cuda.md"
"$build/diffhmm_bench" --backend cuda --batch 1024 --states 64 --lengths 1000 --reps 5 | tee "$out/bench-cuda-large.md"
"$build/diffhmm_bench" --backend cpu --lengths "100,1000,3000" --reps 3 | tee "$out/bench-cpu.md"

step "6. results"
device="$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1 | tr ' ' '-' )"
driver="$(nvidia-smi --query-gpu=driver_version --format=csv,noheader 2>/dev/null | head -1)"
commit="$(git rev-parse --short HEAD 2>/dev/null || cat .carry/commit 2>/dev/null || echo unknown)"
mkdir -p bench/results
report="bench/results/gpu-${device:-unknown}-$(date +%Y-%m-%d).md"
{
  echo "# GPU check: ${device:-unknown device}"
  echo
  echo "driver ${driver:-?}, commit ${commit}, $(date -u +%Y-%m-%dT%H:%MZ), nvcc $(nvcc --version | tail -1)"
  echo
  echo "## Checks"; echo
  for k in "${!verdict[@]}"; do echo "- $k: ${verdict[$k]}"; done | sort
  echo; echo "## Published shape (B = 8, N = 50, float32 dense), CUDA"; echo; cat "$out/bench-cuda.md"
  echo; echo "## Large batch (B = 1024, N = 64, L = 1000), CUDA"; echo; cat "$out/bench-cuda-large.md"
  echo; echo "## Same machine, CPU backend"; echo; cat "$out/bench-cpu.md"
} >"$report"
cp "$report" "$out/" 2>/dev/null || true
echo "wrote $report"
echo
echo "summary:"
for k in "${!verdict[@]}"; do printf '  %-45s %s\n' "$k" "${verdict[$k]}"; done | sort
grep -E "^\| 3000 " "$out/bench-cuda.md" | awk -F'|' '{printf "  L=3000 forward %s ms, forward+backward %s ms (targets: 1 ms, 2 ms)\n", $3, $4}'
