#!/usr/bin/env bash
# scripts/device-check.sh run against dev/fake-cuda, so that the script cannot rot while no GPU is at hand
# (CI runs this: .ci/run). It checks the script and its plumbing, never a GPU:
#   1. DEVICE_CHECK_SMOKE=1: stage 0 and every part, tiny; every part must end ok, with its files;
#   2. stage 0 failing, twice (a PTX the fake refuses: .version 9.0 in kernels/adam.ptx; a device too small:
#      FAKE_CUDA_MEM_LIMIT=64M): the script must stop within seconds, exit 1, name the failing call in the
#      summary and run no other part;
#   3. DEVICE_CHECK_PARTS=tests: the tests alone;
#   4. a part with no time left in the budget is reported cut short.
# Builds the fake and the project (with the device-check profile) first when needed.
set -euo pipefail
cd "$(dirname "$0")/../.."
fake="$PWD/dev/fake-cuda/build"
if [ ! -f "$fake/libcudnn.so.9" ] || [ -n "$(find dev/fake-cuda/src dev/fake-cuda/build.sh kernels -newer "$fake/libcudnn.so.9" -print -quit)" ]; then
  ./mvnw -q -B -DskipTests package > /dev/null # fetches the JCuda natives the build reads
  dev/fake-cuda/build.sh
fi
./mvnw -q -B -Pdevice-check -DskipTests package > /dev/null
export LD_LIBRARY_PATH="$fake${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

# expect DESCRIPTION CONDITION...: prints the result; a failed condition counts.
expect() {
  local what=$1
  shift
  if "$@"; then
    echo "ok      $what"
  else
    echo "FAILED  $what"
    failures=$((failures + 1))
  fi
}
has() { grep -qE "$2" "$1"; }
lacks() { ! grep -qE "$2" "$1"; }

# run NAME [VAR=VALUE...]: scripts/device-check.sh with DEVICE_CHECK_SMOKE=1, OUT=$work/NAME and the given
# environment; sets status and seconds, and shows the summary.
run() {
  local name=$1
  shift
  local t0
  t0=$(date +%s)
  set +e
  env OUT="$work/$name" DEVICE_CHECK_SMOKE=1 "$@" scripts/device-check.sh > "$work/$name.log" 2>&1
  status=$?
  set -e
  seconds=$(($(date +%s) - t0))
  echo "== $name: exit status $status after $seconds s; its summary:"
  sed 's/^/   | /' "$work/$name/summary.txt"
}

run smoke
s="$work/smoke/summary.txt"
expect "the smoke run exits 0" test "$status" -eq 0
for part in stage0 tests bench long ops short; do
  expect "part $part ended ok" has "$s" "^$part +ok "
done
for f in summary.txt stage0.txt tests.txt bench.txt train-long.txt ops.txt train-short.txt samples.png; do
  expect "it wrote $f" test -s "$work/smoke/$f"
done
expect "it wrote at most 8 files" test "$(find "$work/smoke" -type f | wc -l)" -le 8
expect "stage 0 names the chosen algorithms of 4 layers x 3 directions x 2 choices x 2 math modes" test \
  "$(grep -cE '^ +(fp32|tf32) (heuristic|search) [DG]\.[a-z0-9]+: forward .* \| input gradient .* \| weight gradient ' "$s")" -eq 16
expect "stage 0 compares a step with the CPU's in both math modes" test "$(grep -cE '^ +step (fp32|tf32): .* \| CPU D ' "$s")" -eq 2
expect "stage 0 captures steps as graphs in both math modes" test "$(grep -cE '^ +graph (fp32|tf32): steps 2-3 captured' "$s")" -eq 2

ptx="$work/ptx-classes"
mkdir -p "$ptx/kernels"
sed 's/^\.version 8\.0$/.version 9.0/' target/classes/kernels/adam.ptx > "$ptx/kernels/adam.ptx"
run bad-ptx "CP=$ptx:target/classes:$(ls target/lib/*.jar | tr '\n' ':')"
s="$work/bad-ptx/summary.txt"
expect "a PTX the driver refuses: exit status 1" test "$status" -eq 1
expect "a PTX the driver refuses: stopped within 20 s" test "$seconds" -le 20
expect "a PTX the driver refuses: the summary names the call" has "$s" '^stage0 +FAILED .*cuModuleLoadData\(kernels/adam\.ptx\) failed: CUDA_ERROR_UNSUPPORTED_PTX_VERSION'
expect "a PTX the driver refuses: the other parts are reported not run" has "$s" '^tests +NOT-RUN .*stage 0 did not pass'
expect "a PTX the driver refuses: no other part ran" lacks "$s" '^(tests|bench|long|ops|short) +started'

run small-device FAKE_CUDA_MEM_LIMIT=64M
s="$work/small-device/summary.txt"
expect "a device too small: exit status 1" test "$status" -eq 1
expect "a device too small: stopped within 20 s" test "$seconds" -le 20
expect "a device too small: the summary names the call" has "$s" '^stage0 +FAILED .*cuMemAlloc\([0-9]+ bytes.*CUDA_ERROR_OUT_OF_MEMORY'
expect "a device too small: no other part ran" lacks "$s" '^(tests|bench|long|ops|short) +started'

run tests-only DEVICE_CHECK_PARTS=tests
s="$work/tests-only/summary.txt"
expect "DEVICE_CHECK_PARTS=tests: exit status 0" test "$status" -eq 0
expect "DEVICE_CHECK_PARTS=tests: the tests ran" has "$s" '^tests +ok +[0-9.]+ s  2 classes: 2 passed'
expect "DEVICE_CHECK_PARTS=tests: nothing else ran" lacks "$s" '^(stage0|bench|long|ops|short) '

run no-time DEVICE_CHECK_PARTS=ops DEVICE_CHECK_BUDGET_S=12
s="$work/no-time/summary.txt"
expect "no time left: exit status 1" test "$status" -eq 1
expect "no time left: the part is reported cut short" has "$s" '^ops +CUT-SHORT '

if [ "$failures" -gt 0 ]; then
  echo "device-check smoke: $failures check(s) FAILED (logs in $work kept)"
  trap - EXIT
  exit 1
fi
echo "device-check smoke: every check passed (against dev/fake-cuda: the script's plumbing, not a GPU)"
