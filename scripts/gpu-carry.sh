#!/usr/bin/env bash
# scripts/gpu-carry.sh — run on the build machine (JDK + Maven) to prepare what scripts/gpu-check.sh
# needs for the Java GPU tests on a GPU machine that has no Java or Maven: a jlink'd JRE, the library
# core jar (diffhmm-core) with its bundled native code, the test classes, and the test dependencies, all under .carry/
# (ignored by git; under 40 MiB — the benchmark jar, 14 MB more, only with --with-bench). Pass .carry
# to the device tool's `carry`. On the GPU machine the Java tests load the native library built there.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mvn -B -q install -DskipTests
mvn -B -q -pl java/core test-compile
rm -rf .carry && mkdir -p .carry/lib
# The JRE travels as one xz archive (gpu-check.sh unpacks it): 35 MiB of runtime become ~15.
jre="$(mktemp -d)/jre"
jlink --add-modules java.base,jdk.unsupported,java.logging \
      --strip-debug --no-header-files --no-man-pages --compress=2 --output "$jre"
strip --strip-unneeded "$jre/lib/server/libjvm.so" 2>/dev/null || true
tar -C "$(dirname "$jre")" -cJf .carry/jre.tar.xz jre
rm -rf "$(dirname "$jre")"
cp java/core/target/diffhmm-core-*-SNAPSHOT.jar .carry/lib/
[[ "${1:-}" == "--with-bench" ]] && cp bench/target/benchmarks.jar .carry/   # for scripts/bench.sh without Maven
git rev-parse --short HEAD > .carry/commit            # the GPU machine's copy has no git history
cp -r java/core/target/test-classes .carry/test-classes
mvn -B -q -pl java/core dependency:copy-dependencies -DincludeScope=test -DexcludeGroupIds=org.junit.jupiter,org.junit.platform,org.opentest4j,org.apiguardian,net.jqwik \
    -DoutputDirectory="$root/.carry/lib"
mvn -B -q dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:1.11.4 \
      -DoutputDirectory="$root/.carry"
du -sh .carry
