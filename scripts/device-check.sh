#!/usr/bin/env bash
# The GPU checks of this project as one script for the GPU test machine, which has no Java or Maven of
# its own (see shared/device/README.md of the workplace):
#
#   ../shared/device/prepare.sh                       # here: packs classes, jars and a JRE into .device/
#   # then one device call, carrying .device:
#   source .device/env.sh && scripts/device-check.sh
#
# It runs the gpu-tagged tests, the GPU benchmark (whole iterations, then each operation), and a
# 5-epoch training run on the bundled digits, and leaves their outputs (7 files) under $OUT.
set -uo pipefail
out="${OUT:-/tmp/device-check}"
mkdir -p "$out"
: "${JAVA:?source .device/env.sh first}" "${CP:?}" "${JUNIT:?}"

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv > "$out/gpu.txt" 2>&1
cat "$out/gpu.txt"

echo "== gpu-tagged tests"
# shellcheck disable=SC2086
$JUNIT --scan-class-path .device/test-classes --include-tag gpu --details=tree --disable-banner --disable-ansi-colors \
  > "$out/gpu-tests.txt" 2>&1
echo "junit exit status $?"
tail -n 25 "$out/gpu-tests.txt"

echo "== bench"
"$JAVA" -cp "$CP" dcgan.cli.Main bench --device gpu --batch-size 256 2>&1 | tee "$out/bench.txt"

echo "== per-operation timings"
"$JAVA" -cp "$CP" dcgan.cli.Main bench --ops --device gpu --batch-size 256 --iterations 50 > "$out/ops.txt" 2>&1
cat "$out/ops.txt"

echo "== 5 epochs on the bundled digits"
"$JAVA" -cp "$CP" dcgan.cli.Main train --device gpu --data-dir test-data --batch-size 64 --epochs 5 \
  --out "$out/run" > "$out/train.txt" 2>&1
echo "train exit status $?"
tail -n 8 "$out/train.txt"
# Keep the last grid and the metrics; drop the rest of the run directory (the tool returns 8 files).
cp "$out/run/samples-epoch-005.png" "$out/" 2>/dev/null
cp "$out/run/metrics.csv" "$out/" 2>/dev/null
rm -rf "$out/run"
