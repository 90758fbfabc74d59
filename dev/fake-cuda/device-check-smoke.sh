#!/usr/bin/env bash
# scripts/device-check.sh run against dev/fake-cuda, so that the script cannot rot while no GPU is at hand
# (CI runs this: .ci/run). It checks the script and its plumbing, never a GPU:
#   1. DEVICE_CHECK_SMOKE=1, in the two calls the script's header gives: stage0,tests, then bench,long,ops,short;
#      every part must end ok, with its files, the figures of both models (the notebook's and the 64x64 DCGAN)
#      in the summary, and the ratios to PyTorch's timings (a stand-in python3 prints fixed ones here);
#   2. stage 0 failing, twice (a PTX the fake refuses: .version 9.0 in kernels/adam.ptx; a device too small:
#      FAKE_CUDA_MEM_LIMIT=64M): the script must stop within seconds, exit 1, name the failing call in the
#      summary and run no other part; with all six parts asked for, it says the DCGAN's grid is left out;
#   3. a part with no time left in the budget is reported cut short.
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

# png_is FILE WIDTH COLOUR_TYPE: FILE is a PNG image WIDTH pixels wide of that colour type (0 grey, 2 RGB).
png_is() {
  local b
  read -ra b <<< "$(od -An -tu1 -N26 "$1" | tr '\n' ' ')"
  [ "${b[*]:0:8}" = "137 80 78 71 13 10 26 10" ] &&
    [ $(((b[16] << 24) + (b[17] << 16) + (b[18] << 8) + b[19])) -eq "$2" ] && [ "${b[25]}" -eq "$3" ]
}
# in_part SUMMARY PART: the summary's lines of PART, its verdict line and the details under it.
in_part() { awk -v p="$2" '/^[a-z0-9]/ { on = $1 == p } on' "$1"; }
# count PATTERN: how many lines of stdin match the extended regular expression.
count() { grep -cE "$1" || true; }

# A python3 for the bench part that can import torch, and whose scripts/pytorch-reference.py prints fixed
# timings (ms: 11 to 14 for the notebook's model, 21 to 24 for the DCGAN), so that the ratios can be checked.
mkdir -p "$work/bin"
cat > "$work/bin/python3" << 'STUB'
#!/usr/bin/env bash
case "$*" in
  "-c import torch") exit 0 ;;
  scripts/pytorch-reference.py*)
    for m in fp32_eager:11 tf32_eager:12 fp32_graph:13 tf32_graph:14; do
      echo "TORCH ${m%:*} ms/iter ${m#*:}.000 img/s 1 epoch70k_s 1.00"
    done
    for m in fp32_eager:21 tf32_eager:22 fp32_graph:23 tf32_graph:24; do
      echo "TORCH dcgan64_${m%:*} ms/iter ${m#*:}.000 img/s 1 batch 64"
    done ;;
  *) echo "python3 stand-in: unexpected arguments: $*" >&2; exit 2 ;;
esac
STUB
chmod +x "$work/bin/python3"

run smoke-1 DEVICE_CHECK_PARTS=stage0,tests
s="$work/smoke-1/summary.txt"
expect "stage0,tests: exit status 0" test "$status" -eq 0
for part in stage0 tests; do
  expect "stage0,tests: part $part ended ok" has "$s" "^$part +ok "
done
expect "stage0,tests: nothing else ran" lacks "$s" '^(bench|long|ops|short) '
expect "stage0,tests: the tests ran" has "$s" '^tests +ok +[0-9.]+ s  2 classes: 2 passed'
expect "stage0,tests: it wrote summary.txt, stage0.txt and tests.txt alone" test \
  "$(cd "$work/smoke-1" && find . -type f | sort | tr '\n' ' ')" = "./stage0.txt ./summary.txt ./tests.txt "
expect "stage 0 names the chosen algorithms of the notebook's model: 4 layers x 3 directions x 2 choices x 2 math modes" test \
  "$(count '^ +(fp32|tf32) (heuristic|search) [DG]\.[a-z0-9]+: forward .* \| input gradient .* \| weight gradient ' < "$s")" -eq 16
expect "stage 0 names the chosen algorithms of the DCGAN: 8 layers x 3 directions x 2 choices x 2 math modes" test \
  "$(count '^ +(fp32|tf32) dcgan64x3 (heuristic|search) [DG]\.main\.[0-9]+: forward .* \| input gradient .* \| weight gradient ' < "$s")" -eq 32
# The notebook's model's checks carry no label, the DCGAN's carry dcgan64x3.
for label in "" " dcgan64x3"; do
  name="the notebook's model"
  if [ -n "$label" ]; then name="the DCGAN"; fi
  expect "stage 0 compares a step with the CPU's in both math modes: $name" test \
    "$(count "^ +step (fp32|tf32)$label: .* \| CPU D " < "$s")" -eq 2
  expect "stage 0 captures steps as graphs in both math modes: $name" test \
    "$(count "^ +graph (fp32|tf32)$label: steps 2-3 captured" < "$s")" -eq 2
done

run smoke-2 DEVICE_CHECK_PARTS=bench,long,ops,short "PATH=$work/bin:$PATH"
s="$work/smoke-2/summary.txt"
expect "bench,long,ops,short: exit status 0" test "$status" -eq 0
for part in bench long ops short; do
  expect "bench,long,ops,short: part $part ended ok" has "$s" "^$part +ok "
done
expect "bench,long,ops,short: nothing else ran" lacks "$s" '^(stage0|tests) '
for f in summary.txt bench.txt train-long.txt ops.txt train-short.txt samples.png samples-emoji64.png; do
  expect "bench,long,ops,short: it wrote $f" test -s "$work/smoke-2/$f"
done
expect "bench,long,ops,short: it wrote 7 files" test "$(find "$work/smoke-2" -type f | wc -l)" -eq 7
expect "bench: the notebook's model timed in five modes" test \
  "$(in_part "$s" bench | count '^ +(fp32|tf32)-[a-z-]+ +[0-9.]+ ms/iteration ')" -eq 5
expect "bench: the DCGAN timed in three modes" test \
  "$(in_part "$s" bench | count '^ +dcgan64-(fp32|tf32)-[a-z-]+ +[0-9.]+ ms/iteration ')" -eq 3
expect "bench: the DCGAN's modes ran the 64x64 DCGAN" test \
  "$(count '^bench: .*; DCGAN 64x64 \(3 channels' < "$work/smoke-2/bench.txt")" -eq 3
expect "bench: PyTorch's eight timings reached the summary" has "$s" '^bench +ok .*PyTorch: 8 timings'
# Each of our modes beside PyTorch's mode of the same model and math, with the ratio of the two.
expect "bench: eight ratios, each mode beside its PyTorch mode" awk '
  BEGIN {
    n = split("fp32-default:fp32_eager:11 fp32-graphs:fp32_graph:13 fp32-graphs-search:fp32_graph:13 " \
              "tf32-default:tf32_eager:12 tf32-graphs-search:tf32_graph:14 dcgan64-fp32-default:dcgan64_fp32_eager:21 " \
              "dcgan64-fp32-graphs-search:dcgan64_fp32_graph:23 dcgan64-tf32-graphs-search:dcgan64_tf32_graph:24", e, " ")
    for (i = 1; i <= n; i++) { split(e[i], f, ":"); mode[f[1]] = f[2]; ms[f[1]] = f[3] }
  }
  $3 == "ms" && $4 == "PyTorch" {
    seen++
    if (!($1 in mode) || $5 != mode[$1] || $6 != ms[$1] || $8 != "ratio" || ($9 - ms[$1] / $2) ^ 2 > 1e-4) bad++
  }
  END { exit !(seen == n && bad == 0) }' "$s"
expect "ops: each model's operations" test "$(count '^ops: .*(the notebook.s 28x28 model|DCGAN 64x64 \(3 channels)' < "$work/smoke-2/ops.txt")" -eq 2
expect "ops: the five slowest of each model in the summary" test "$(in_part "$s" ops | count '^ {12}.* [0-9.]+ ms$')" -eq 10
expect "short: two runs trained" test "$(in_part "$s" short | count '^ +trained 2 steps ')" -eq 2
expect "short: the second is the 64x64 DCGAN on the emoji" has "$work/smoke-2/train-short.txt" '^training on test-data/emoji-noto-64 \(329 images'
expect "short: the summary names the emoji run's grid" has "$s" '^ +the emoji \(its last grid: samples-emoji64\.png\):'
expect "samples.png is the digits' grid: grey, 466 pixels wide" png_is "$work/smoke-2/samples.png" 466 0
expect "samples-emoji64.png is the DCGAN's grid: RGB, 8 x (64 + 2) + 2 pixels wide" png_is "$work/smoke-2/samples-emoji64.png" 530 2

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
expect "all six parts asked for: the summary says the DCGAN's grid is left out" has "$s" '^device-check: samples-emoji64\.png .* is left out: it would be file 9 of this call'

run small-device FAKE_CUDA_MEM_LIMIT=64M
s="$work/small-device/summary.txt"
expect "a device too small: exit status 1" test "$status" -eq 1
expect "a device too small: stopped within 20 s" test "$seconds" -le 20
expect "a device too small: the summary names the call" has "$s" '^stage0 +FAILED .*cuMemAlloc\([0-9]+ bytes.*CUDA_ERROR_OUT_OF_MEMORY'
expect "a device too small: no other part ran" lacks "$s" '^(tests|bench|long|ops|short) +started'

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
