#!/usr/bin/env bash
# The GPU checks of this project as one script for the GPU test machine, which has no Java or Maven of
# its own (see shared/device/README.md of the workplace):
#
#   ../shared/device/prepare.sh                       # here: packs classes, jars and a JRE into .device/
#   # then one device call, carrying .device (about 6 minutes expected, 590 s at most; give it timeout_s 600):
#   source .device/env.sh && scripts/device-check.sh
#
# In order of importance, each part time-limited so that the later ones still run within the device
# tool's 600 s (a part cut short still leaves its output):
#   1. the benchmark of whole iterations at batch 256 in five modes, from the default path to every
#      speed option with TF32, then PyTorch's timings of the same model (shared/device/pytorch-reference.py,
#      when present) in the same call, and the ratios;
#   2. the 100-epoch run on 70,000 images (the bundled digits 7 times over) with every speed option;
#   3. the gpu-tagged tests (GPU against the CPU reference);
#   4. per-operation timings;
#   5. a 5-epoch run on the bundled digits in the default mode.
# The last sample grid of each run comes back too.
# Outputs (8 files at most, as the device tool returns) go to $OUT.
#
# DEVICE_CHECK_SMOKE=1 runs every part tiny (batch 16, a few steps, no tests, no PyTorch), to check the
# script itself before spending device time, e.g. here against dev/fake-cuda:
#   ../shared/device/prepare.sh && source .device/env.sh \
#     && LD_LIBRARY_PATH=$PWD/dev/fake-cuda/build:$LD_LIBRARY_PATH DEVICE_CHECK_SMOKE=1 scripts/device-check.sh
set -uo pipefail
out="${OUT:-/tmp/device-check}"
mkdir -p "$out"
: "${JAVA:?source .device/env.sh first}" "${CP:?}" "${JUNIT:?}"
if [ -n "${DEVICE_CHECK_SMOKE:-}" ]; then
  bench_size="--batch-size 16 --iterations 3 --warmup 2"; ops_size="--batch-size 16 --iterations 2"
  long_run="--epochs 2 --max-steps 3"; short_run="--epochs 1 --max-steps 2"
else
  bench_size="--batch-size 256"; ops_size="--batch-size 256 --iterations 50"
  long_run="--epochs 100"; short_run="--epochs 5"
fi

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv > "$out/gpu.txt" 2>&1
date -u '+%Y-%m-%d %H:%M UTC' >> "$out/gpu.txt"
cat "$out/gpu.txt"

echo "== bench: $bench_size"
bench=$out/bench.txt
: > "$bench"
while read -r label flags; do
  echo "-- $label: bench $flags" | tee -a "$bench"
  # shellcheck disable=SC2086
  timeout 45 "$JAVA" -cp "$CP" dcgan.cli.Main bench --device gpu $bench_size $flags 2>&1 | grep -v '^warm-up' | tee -a "$bench"
done <<'MODES'
fp32-default
fp32-graphs --cuda-graphs --data-on-device --async-losses
fp32-graphs-search --cuda-graphs --data-on-device --async-losses --conv-algo search
tf32-default --math tf32
tf32-graphs-search --math tf32 --cuda-graphs --data-on-device --async-losses --conv-algo search
MODES
torch_script=../shared/device/pytorch-reference.py
if [ -f "$torch_script" ] && [ -z "${DEVICE_CHECK_SMOKE:-}" ]; then
  echo "-- PyTorch, same GPU, same call" | tee -a "$bench"
  timeout 100 python3 "$torch_script" 2>&1 | tee -a "$bench"
fi
echo "-- ratios (PyTorch ms / ours ms; above 1 means ours is faster)" | tee -a "$bench"
awk '
  /^-- / && !/PyTorch/ && !/ratios/ { mode = $2; sub(":", "", mode) }
  /^bench: .* ms\/iteration/ { for (i = 1; i <= NF; i++) if ($i ~ /^ms\/iteration/) ours[mode] = $(i - 1) }
  /^TORCH / { torch[$2] = $4 }
  END {
    split("fp32-default:fp32_eager fp32-graphs:fp32_eager fp32-graphs:fp32_graph fp32-graphs-search:fp32_graph tf32-graphs-search:tf32_graph tf32-default:tf32_eager", pairs, " ")
    for (p in pairs) {
      split(pairs[p], ab, ":")
      if ((ab[1] in ours) && (ab[2] in torch))
        printf "%-20s %8.3f ms   PyTorch %-11s %8.3f ms   ratio %.2f\n", ab[1], ours[ab[1]], ab[2], torch[ab[2]], torch[ab[2]] / ours[ab[1]]
    }
  }' "$bench" | sort | tee -a "$bench"

echo "== 100 epochs on 70,000 images, every speed option, TF32"
data70k=$(mktemp -d)
scripts/repeat-mnist.sh 7 test-data/mnist10k "$data70k" > /dev/null
start=$(date +%s.%N)
# shellcheck disable=SC2086
timeout 170 "$JAVA" -cp "$CP" dcgan.cli.Main train --device gpu --data-dir "$data70k" $long_run \
  --math tf32 --cuda-graphs --data-on-device --async-losses --conv-algo search --save-every 100 --out "$data70k/run" \
  > "$out/train-70k.txt" 2>&1
status=$?
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" -v st="$status" 'BEGIN { printf "wall time %.1f s (JVM start-up included), exit status %d\n", e - s, st }' \
  | tee -a "$out/train-70k.txt"
grep -E '^(device|training|steps|warning|trained|done)' "$out/train-70k.txt"
cp "$(ls "$data70k"/run/samples-epoch-*.png 2>/dev/null | tail -n 1)" "$out/samples-70k-last-epoch.png" 2>/dev/null
rm -rf "$data70k"

echo "== gpu-tagged tests"
if [ -n "${DEVICE_CHECK_SMOKE:-}" ]; then
  echo "(smoke run: tests skipped)" > "$out/gpu-tests.txt"
else
  # shellcheck disable=SC2086
  timeout 150 $JUNIT --scan-class-path .device/test-classes --include-tag gpu --details=tree --disable-banner \
    --disable-ansi-colors > "$out/gpu-tests.txt" 2>&1
  echo "junit exit status $?"
fi
tail -n 25 "$out/gpu-tests.txt"

echo "== per-operation timings"
# shellcheck disable=SC2086
timeout 40 "$JAVA" -cp "$CP" dcgan.cli.Main bench --ops --device gpu $ops_size > "$out/ops.txt" 2>&1
tail -n 40 "$out/ops.txt"

echo "== 5 epochs on the bundled digits, default mode"
# shellcheck disable=SC2086
timeout 40 "$JAVA" -cp "$CP" dcgan.cli.Main train --device gpu --data-dir test-data --batch-size 64 $short_run \
  --out "$out/run" > "$out/train.txt" 2>&1
echo "train exit status $?"
tail -n 8 "$out/train.txt"
cp "$(ls "$out"/run/samples-epoch-*.png 2>/dev/null | tail -n 1)" "$out/samples-digits-last-epoch.png" 2>/dev/null
rm -rf "$out/run"
