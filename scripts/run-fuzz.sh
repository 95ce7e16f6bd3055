#!/usr/bin/env bash
# Runs libFuzzer targets of one build for a while each, from the seeds in
# tests/fuzz/seeds (the growing corpus stays in the build directory).
# Usage: scripts/run-fuzz.sh BUILD_DIR SECONDS TIMEOUT TARGET...
# TIMEOUT: an input that runs longer (seconds) is a finding (a hang).
# Exits non-zero on the first finding, after the end of its log.
set -euo pipefail
build=$1 seconds=$2 timeout=$3
shift 3
for t in "$@"; do
  name=${t%_fuzz}
  corpus="$build/corpus-$t"
  mkdir -p "$corpus"
  extra=()
  if [ -f "tests/fuzz/$name.dict" ]; then extra=(-dict="tests/fuzz/$name.dict"); fi
  echo "== $t ($build) for ${seconds}s"
  status=0
  "$build/bin/$t" -max_total_time="$seconds" -max_len=8192 -timeout="$timeout" "${extra[@]}" \
    -print_final_stats=1 -artifact_prefix="$build/" "$corpus" "tests/fuzz/seeds/$name" \
    >"$build/$t.log" 2>&1 || status=$?
  grep -E 'stat::number_of_executed_units|DONE' "$build/$t.log" || true
  if [ "$status" -ne 0 ]; then
    tail -n 60 "$build/$t.log"
    exit "$status"
  fi
done
