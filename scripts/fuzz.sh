#!/usr/bin/env bash
# Runs the cargo-fuzz targets in fuzz/ (one, or all in turn), each for SECONDS, then prints the
# executions per target. Needs the nightly toolchain and cargo-fuzz
# (`cargo install cargo-fuzz --locked`).
#
#   scripts/fuzz.sh                  # every target, 120 s each
#   scripts/fuzz.sh purl 600         # one target, 10 minutes
#   scripts/fuzz.sh all 1800         # every target, 30 minutes each
#
# The seed corpus (fuzz/corpus/<target>, git-ignored) is built from the real-data kit by
# scripts/fuzz-seeds.sh when it is missing. Crashes and timeouts land in
# fuzz/artifacts/<target>/; the full libFuzzer log of each run in fuzz/target/logs/<target>.log.
# Runs at `nice -n 19`, one process at a time. Environment:
#   FUZZ_SANITIZER   none (default: the code under test is safe Rust) | address
#   FUZZ_ARGS        extra libFuzzer flags, e.g. "-max_len=4096"
set -euo pipefail
cd "$(dirname "$0")/.."

target="${1:-all}"
seconds="${2:-120}"
sanitizer="${FUZZ_SANITIZER:-none}"

mapfile -t all < <(sed -n 's/^name = "\([a-z0-9_]*\)"$/\1/p' fuzz/Cargo.toml | grep -v '^cyres-fuzz$')
if [ "$target" = all ]; then
  targets=("${all[@]}")
elif printf '%s\n' "${all[@]}" | grep -qx -- "$target"; then
  targets=("$target")
else
  echo "error: unknown fuzz target $target; targets: ${all[*]}" >&2
  exit 2
fi

# -a: debug assertions and overflow checks on, so arithmetic overflow is a finding too.
build=(cargo +nightly fuzz build --fuzz-dir fuzz -s "$sanitizer" -a)
echo "== ${build[*]}"
nice -n 19 "${build[@]}"

for t in "${targets[@]}"; do
  if [ ! -d "fuzz/corpus/$t" ]; then
    bash scripts/fuzz-seeds.sh
    break
  fi
done

mkdir -p fuzz/target/logs
summary=()
failed=0
for t in "${targets[@]}"; do
  log="fuzz/target/logs/$t.log"
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  echo "== $t ($seconds s)"
  start=$(date +%s)
  status=ok
  # shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
  if ! nice -n 19 cargo +nightly fuzz run --fuzz-dir fuzz -s "$sanitizer" -a "$t" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    ${FUZZ_ARGS:-} >"$log" 2>&1; then
    status=FAILED
    failed=1
  fi
  elapsed=$(($(date +%s) - start))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
  line=$(printf '%-22s %12s execs %6s s  %s' "$t" "${execs:-?}" "$elapsed" "$status${artifact:+ $artifact}")
  echo "$line"
  summary+=("$line")
done

echo
echo "== executions per target"
printf '%s\n' "${summary[@]}"
exit "$failed"
