#!/usr/bin/env bash
# scripts/check-artifacts.sh — what a user's build gets from the installed library artifacts (run
# after `mvn install`; .ci/run does). Fails when diffhmm-core, diffhmm-models, diffhmm-spark,
# diffhmm-pytorch or diffhmm-djl, as published, would put anything on a user's runtime classpath
# beyond diffhmm itself, JavaCPP and slf4j-api (Spark, the PyTorch presets and DJL are `provided`:
# the user brings them).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
evaluate() { (cd "$root" && mvn -B -q help:evaluate -Dexpression="$1" -DforceStdout | sed 's/\x1b\[[0-9;]*m//g'); }
version="$(evaluate project.version)"
repo="$(evaluate settings.localRepository)"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
allowed='^(org\.diffhmm:diffhmm-(core|models)|org\.bytedeco:javacpp|org\.slf4j:slf4j-api):'
status=0
for artifact in diffhmm-core diffhmm-models diffhmm-spark diffhmm-pytorch diffhmm-djl; do
  pom="$repo/org/diffhmm/$artifact/$version/$artifact-$version.pom"
  [[ -f "$pom" ]] || { echo "check-artifacts: $pom is missing: run mvn install first" >&2; exit 2; }
  mkdir -p "$work/$artifact" && cp "$pom" "$work/$artifact/pom.xml"   # the POM as published, not the reactor's
  (cd "$work/$artifact" && mvn -B -q dependency:list -DincludeScope=runtime -DoutputFile="$work/$artifact.txt" >/dev/null)
  deps="$(grep -E '^\s+[^ ]+:[^ ]+:' "$work/$artifact.txt" | sed -E 's/^\s+//' | sort)"
  echo "$artifact $version, runtime dependencies as published:"; sed 's/^/  /' <<<"$deps"
  extra="$(grep -vE "$allowed" <<<"$deps" || true)"
  if [[ -n "$extra" ]]; then echo "  NOT ALLOWED on a user's classpath:"; sed 's/^/    /' <<<"$extra"; status=1; fi
done
exit $status
