#!/usr/bin/env bash
# The Spark benchmark (java/spark/src/test/java/org/diffhmm/spark/SparkBench.java): decode throughput
# and EM iteration time of the clone-structured HMM on the single-JVM loop, local[1] and local[2], in
# one run. Needs `mvn install` first. Usage: scripts/bench-spark.sh [walks] [steps] [repeats]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cd java/spark
mvn -B -q test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >/dev/null
exec java -Xmx4g -Dorg.bytedeco.javacpp.cachedir=target/javacpp-cache \
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED \
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED \
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" org.diffhmm.spark.SparkBench "$@"
