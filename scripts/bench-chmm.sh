#!/usr/bin/env bash
# scripts/bench-chmm.sh — the clone-structured HMM's soft-EM iteration in one run on this machine:
# diffhmm through the Java API under JMH (CloneHmmRoomsBench: rooms 3x3, 3x9, 9x9 with a clone per
# cell, and 7x10 with 70 clones per colour; one walk of 10,000 steps each), both CPU paths for the
# factorized calls (probability space, the default, and DIFFHMM_CPU_FACTORIZED=log), and a numba peer
# (bench/python/chmm_peers.py, single-threaded, checked against diffhmm on the same problems first).
# Writes bench/results/cpu-chmm-<date>.md with the machine and the commit. numba is optional
# (Debian: apt-get install python3-numba).
#   scripts/bench-chmm.sh [--quick]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
jmh=(-wi 3 -i 5 -w 1 -r 1)
[[ "${1:-}" == "--quick" ]] && jmh=(-wi 1 -i 3 -w 1 -r 1)
jar=bench/target/benchmarks.jar
[[ -f "$jar" ]] || mvn -B -q install -DskipTests
rooms=(3x3 3x9 9x9 7x10c70)
work="$(mktemp -d)"
out="bench/results/cpu-chmm-$(date +%Y-%m-%d).md"
{
  echo "# Clone-structured HMM soft EM on the CPU, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Machine: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1), $(nproc) cores; $(java -version 2>&1 | head -1); diffhmm $(git rev-parse --short HEAD)."
  echo "diffhmm: JMH, CPU backend, all cores; numba: one thread. One walk of 10,000 steps per room; ms per iteration."
  echo
  echo "## diffhmm (the default: small-state path for blocks of up to 32 clones, probability space above)"
  echo
  java -jar "$jar" CloneHmmRoomsBench "${jmh[@]}" 2>/dev/null | grep -E "^(Benchmark|CloneHmmRoomsBench)"
  echo
  echo "## diffhmm (DIFFHMM_CPU_FACTORIZED=log)"
  echo
  DIFFHMM_CPU_FACTORIZED=log java -jar "$jar" CloneHmmRoomsBench "${jmh[@]}" 2>/dev/null | grep -E "^(Benchmark|CloneHmmRoomsBench)"
  echo
  echo "## numba peer"
  echo
  py=""
  for p in python3 /usr/bin/python3; do "$p" -c 'import numba' 2>/dev/null && { py="$p"; break; }; done
  if [[ -n "$py" ]]; then
    files=()
    for r in "${rooms[@]}"; do
      java -cp "$jar" org.diffhmm.bench.CloneHmmData "$r" "$work/$r.txt"
      files+=("$work/$r.txt")
    done
    "$py" bench/python/chmm_peers.py "${files[@]}" --reps 5
  else
    echo "numba is not installed here: no peer."
  fi
} | tee "$out"
rm -rf "$work"
echo "wrote $out"
