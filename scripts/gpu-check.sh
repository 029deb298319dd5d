#!/usr/bin/env bash
# scripts/gpu-check.sh — everything a GPU machine checks, in one command that cannot lose a run. Needs
# CMake and nvcc (not Java, Maven, git history or a network). Stages, each under its own time limit,
# each verdict written to the results file the moment it is known (a run killed half-way keeps what
# it did):
#   build     the native library, tests and benchmark for sm_80/sm_90 (build/gpu; Ninja when present)
#   test      the native tests, the CUDA ones included (CTest)
#   sanitize  compute-sanitizer memcheck, racecheck, synccheck and initcheck on the CUDA tests
#   java      the Java GPU tests, if scripts/gpu-carry.sh prepared .carry/ (a JRE and the jars); they
#             load the native library built here (java.library.path first), not the jar's
#   bench     the published shape (B = 8, N = 50, L = 100..3000, float32 dense) and the large batch
#             (B = 1024, N = 64, L = 1000) on the GPU, the CPU beside it
# Results: $OUT (or build/gpu-check)/gpu-<device>-<date>.md as the run goes (device, driver, commit,
# every verdict, the tables), copied to bench/results/ at the end.
# The whole run keeps within --budget seconds (default 560, under the device tool's 10-minute limit
# per command): every stage's limit is cut to what is left, and a stage with too little left is
# skipped with a verdict that says so — rerun it with --only (the build directory is kept).
# --quick: fewer lengths and repetitions, and the sanitizers on the small CUDA tests only.
# Usage: scripts/gpu-check.sh [--quick] [--budget SECONDS] [--only build,test,sanitize,java,bench]
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="${CUDA_HOME:-/usr/local/cuda}/bin:$PATH"
quick=0; only="build,test,sanitize,java,bench"; budget=560; started=$(date +%s)
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1 ;;
    --only) only="$2"; shift ;;
    --budget) budget="$2"; shift ;;
    *) echo "usage: scripts/gpu-check.sh [--quick] [--budget SECONDS] [--only build,test,sanitize,java,bench]" >&2; exit 2 ;;
  esac
  shift
done
wants() { [[ ",$only," == *",$1,"* ]]; }
out="${OUT:-$root/build/gpu-check}"; mkdir -p "$out" bench/results
build="$root/build/gpu"
device="$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1 | tr ' ' '-')"
driver="$(nvidia-smi --query-gpu=driver_version --format=csv,noheader 2>/dev/null | head -1)"
memory_mib="$(nvidia-smi --query-gpu=memory.total --format=csv,noheader,nounits 2>/dev/null | head -1)"
commit="$(git rev-parse --short HEAD 2>/dev/null || cat .carry/commit 2>/dev/null || echo unknown)"
report="$out/gpu-${device:-unknown}-$(date +%Y-%m-%d).md"
{
  echo "# GPU check: ${device:-unknown device}"
  echo
  echo "driver ${driver:-?}, ${memory_mib:-?} MiB, commit ${commit}, started $(date -u +%Y-%m-%dT%H:%MZ)," \
       "$(nvcc --version 2>/dev/null | tail -1 || echo 'nvcc not found'); stages: $only"
  echo
  echo "## Verdicts (in the order they were reached)"
  echo
} >"$report"
verdict() {  # verdict NAME TEXT — printed and appended to the report at once
  printf '  %-55s %s\n' "$1" "$2"
  echo "- $1: $2" >>"$report"
}
step() { echo; echo "=== $*"; }
run_limited() {  # run_limited SECONDS LOG COMMAND... — the command's exit code, 124 on timeout,
  # 125 when the budget has too little left to start it (the limit is cut to what is left)
  local limit="$1" log="$2"; shift 2
  local left=$(( started + budget - $(date +%s) - 20 ))
  if (( left < 15 )); then
    echo "skipped: the time budget (--budget $budget) is spent" >"$log"
    return 125
  fi
  (( limit > left )) && limit=$left
  timeout --kill-after=10 "$limit" "$@" >"$log" 2>&1
}
failed() {  # failed RC — the verdict text of a stage that did not pass
  case "$1" in
    125) echo "skipped: time budget spent (rerun with --only)" ;;
    124|137) echo "TIMED OUT" ;;
    *) echo "FAILED (rc $1)" ;;
  esac
}

if wants build; then
  step "build"
  generator=(); command -v ninja >/dev/null && generator=(-G Ninja)
  rm -f "$build/CMakeCache.txt"  # a cache from another generator would make CMake refuse this one
  if run_limited 120 "$out/cmake.log" cmake -S native -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DDIFFHMM_CUDA=ON &&
     run_limited 480 "$out/build.log" cmake --build "$build" -j "$(nproc)"; then
    verdict build ok
  else
    verdict build "FAILED (see $out/cmake.log, build.log)"; tail -30 "$out/build.log" "$out/cmake.log" 2>/dev/null
  fi
fi

cuda_tests="cuda_matches_reference cuda_sweep_kernels_match_reference cuda_large_batch_matches_cpu cuda_device_pointers_and_errors cuda_sample_matches_posterior_path_probabilities cuda_kbest_matches_cpu cuda_chunked_scan_recomputes_underflow cuda_viterbi_pipelined_equals_sequential_bit_for_bit"
if wants test; then
  step "native tests"
  run_limited 300 "$out/ctest.log" ctest --test-dir "$build" --output-on-failure; rc=$?
  tail -25 "$out/ctest.log"
  if [[ $rc -eq 0 ]] && grep -q "100% tests passed" "$out/ctest.log"; then
    grep -qE "cuda_.*(Skipped|SKIP)" "$out/ctest.log" && verdict native_tests "FAILED: CUDA tests skipped (no device?)" \
      || verdict native_tests ok
  else
    verdict native_tests "$(failed $rc) (see $out/ctest.log)"
  fi
fi

if wants sanitize; then
  step "compute-sanitizer"
  if command -v compute-sanitizer >/dev/null; then
    sanitized="$cuda_tests"
    [[ $quick -eq 1 ]] && sanitized="cuda_matches_reference cuda_device_pointers_and_errors cuda_chunked_scan_recomputes_underflow"
    for tool in memcheck racecheck synccheck initcheck; do
      for t in $sanitized; do
        run_limited 240 "$out/sanitizer-$tool-$t.log" compute-sanitizer --tool "$tool" --error-exitcode 9 "$build/diffhmm_tests" "$t"
        rc=$?
        if [[ $rc -eq 0 ]]; then verdict "$tool:$t" ok; else verdict "$tool:$t" "$(failed $rc)"; tail -15 "$out/sanitizer-$tool-$t.log"; fi
      done
    done
  else
    verdict sanitize "not run: compute-sanitizer not found"
  fi
fi

if wants java; then
  step "Java GPU tests"
  if [[ -f .carry/jre.tar.xz && ! -x "$out/jre/bin/java" ]]; then tar -C "$out" -xJf .carry/jre.tar.xz; fi
  java_bin="$out/jre/bin/java"; [[ -x .carry/jre/bin/java ]] && java_bin=.carry/jre/bin/java
  if [[ -x "$java_bin" ]]; then
    cp_list="$(ls .carry/lib/*.jar | tr '\n' ':').carry/test-classes"
    # The native library built here first on the path: it replaces the one the jar would extract.
    run_limited 300 "$out/java-gpu.log" "$java_bin" -Djava.library.path="$build" -Dorg.bytedeco.javacpp.pathsFirst=true \
        -Dorg.bytedeco.javacpp.cachedir="$out/javacpp-cache" \
        -jar .carry/junit-platform-console-standalone-*.jar execute --class-path "$cp_list" \
        --select-class org.diffhmm.CudaBackendTest --select-class org.diffhmm.CudaInteropTest \
        --select-class org.diffhmm.CpuBackendTest --select-class org.diffhmm.BadInputTest --select-class org.diffhmm.KBestTest \
        --details summary; rc=$?
    tail -25 "$out/java-gpu.log"
    if grep -qE "[1-9][0-9]* tests failed" "$out/java-gpu.log" || [[ $rc -ne 0 && $rc -ne 1 ]]; then
      verdict java_gpu "$(failed $rc) (see $out/java-gpu.log)"
    elif grep -qE " 0 tests successful" "$out/java-gpu.log"; then
      verdict java_gpu "FAILED (nothing ran)"
    elif grep -qE "[1-9][0-9]* tests (aborted|skipped)" "$out/java-gpu.log"; then
      verdict java_gpu "incomplete: some tests skipped or aborted (no device?)"
    else
      verdict java_gpu ok
    fi
  else
    verdict java_gpu "not run: no .carry/ (run scripts/gpu-carry.sh on the build machine and carry .carry)"
  fi
fi

if wants bench; then
  step "benchmarks"
  lengths="100,500,1000,2000,3000"; reps=20
  [[ $quick -eq 1 ]] && { lengths="100,1000,3000"; reps=5; }
  run_limited 240 "$out/bench-cuda.md" "$build/diffhmm_bench" --backend cuda --lengths "$lengths" --reps "$reps" \
    && verdict bench_published ok || verdict bench_published "$(failed $?)"
  # Every sweep side by side on the published shape (the plans' choice is the line above), then the
  # chunked scan at fixed chunk counts: the cost model's crossover and best C (docs/cuda.md §3–§4).
  for kernel in sequential pipelined chunked; do
    DIFFHMM_CUDA_SWEEP=$kernel run_limited 120 "$out/bench-cuda-$kernel.md" "$build/diffhmm_bench" --backend cuda \
      --lengths "100,3000" --reps "$reps" && verdict "bench_alpha_$kernel" ok || verdict "bench_alpha_$kernel" "$(failed $?)"
  done
  for chunks in 8 16 32 64 128; do
    DIFFHMM_CUDA_SWEEP=chunked DIFFHMM_CUDA_CHUNKS=$chunks run_limited 60 "$out/bench-cuda-chunks-$chunks.md" \
      "$build/diffhmm_bench" --backend cuda --lengths "3000" --reps "$reps" \
      && verdict "bench_chunks_$chunks" ok || verdict "bench_chunks_$chunks" "$(failed $?)"
  done
  # The large batch needs ~3 inputs of 1024·1000·64² float32 (1 GiB each): skip on cards under 16 GiB.
  if [[ -n "$memory_mib" && "$memory_mib" -lt 16000 ]]; then
    echo "skipped: ${memory_mib} MiB is too little for the large batch" >"$out/bench-cuda-large.md"
    verdict bench_large "skipped (${memory_mib} MiB)"
  else
    run_limited 240 "$out/bench-cuda-large.md" "$build/diffhmm_bench" --backend cuda --batch 1024 --states 64 --lengths 1000 --reps 5 \
      && verdict bench_large ok || verdict bench_large "$(failed $?)"
    # The large-batch kernels side by side (the plan picks batch here; docs/cuda.md §3): dense (batch α,
    # sequential β) and factorized, the neural-HMM shape (batch α and β).
    for kernel in sequential batch; do
      DIFFHMM_CUDA_SWEEP=$kernel run_limited 120 "$out/bench-cuda-large-$kernel.md" "$build/diffhmm_bench" --backend cuda \
        --batch 1024 --states 64 --lengths 1000 --reps 3 \
        && verdict "bench_large_$kernel" ok || verdict "bench_large_$kernel" "$(failed $?)"
      DIFFHMM_CUDA_SWEEP=$kernel run_limited 120 "$out/bench-cuda-large-factorized-$kernel.md" "$build/diffhmm_bench" \
        --backend cuda --form factorized --batch 1024 --states 64 --lengths 1000 --reps 3 \
        && verdict "bench_large_factorized_$kernel" ok || verdict "bench_large_factorized_$kernel" "$(failed $?)"
    done
  fi
  run_limited 240 "$out/bench-cpu.md" "$build/diffhmm_bench" --backend cpu --lengths "100,1000,3000" --reps 3 \
    && verdict bench_cpu ok || verdict bench_cpu "$(failed $?)"
  {
    echo; echo "## Published shape (B = 8, N = 50, float32 dense), CUDA"; echo; cat "$out/bench-cuda.md"
    for kernel in sequential pipelined chunked; do
      echo; echo "## Published shape, sweep kernels forced: DIFFHMM_CUDA_SWEEP=$kernel"; echo; cat "$out/bench-cuda-$kernel.md"
    done
    for chunks in 8 16 32 64 128; do
      echo; echo "## Published shape, chunked scan with DIFFHMM_CUDA_CHUNKS=$chunks"; echo; cat "$out/bench-cuda-chunks-$chunks.md"
    done
    echo; echo "## Large batch (B = 1024, N = 64, L = 1000), CUDA"; echo; cat "$out/bench-cuda-large.md"
    for kernel in sequential batch; do
      echo; echo "## Large batch, kernels forced: DIFFHMM_CUDA_SWEEP=$kernel"; echo
      cat "$out/bench-cuda-large-$kernel.md" 2>/dev/null || echo "not run"
      echo; echo "## Large batch, factorized, kernels forced: DIFFHMM_CUDA_SWEEP=$kernel"; echo
      cat "$out/bench-cuda-large-factorized-$kernel.md" 2>/dev/null || echo "not run"
    done
    echo; echo "## Same machine, CPU backend"; echo; cat "$out/bench-cpu.md"
  } >>"$report"
  grep -E "^\| 3000 " "$out/bench-cuda.md" | awk -F'|' '{printf "  L=3000 forward %s ms, forward+backward %s ms (targets: 1 ms, 2 ms)\n", $3, $4}'
fi

echo "finished $(date -u +%Y-%m-%dT%H:%MZ), $(( $(date +%s) - started )) s of the ${budget} s budget" >>"$report"
cp "$report" bench/results/ 2>/dev/null || true
echo; echo "wrote $report"
