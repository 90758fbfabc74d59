#!/usr/bin/env bash
# Runs the gpu-tagged tests and a short bench/train on the GPU code path against the FAKE NVIDIA
# libraries (CPU stand-ins, dev/fake-cuda/README.md). Builds the fake first when needed.
#   dev/fake-cuda/run-gpu-tests.sh [--tests-only | --e2e-only] [extra Maven args, e.g. -Dtest=GpuLinearTest]
# A development and CI tool (.ci/run runs --tests-only): the fake must never be on LD_LIBRARY_PATH otherwise.
set -euo pipefail
cd "$(dirname "$0")/../.."
fake="$PWD/dev/fake-cuda/build"
if [ ! -f "$fake/libcudnn.so.9" ] || [ -n "$(find dev/fake-cuda/src dev/fake-cuda/build.sh kernels -newer "$fake/libcudnn.so.9" -print -quit)" ]; then
  ./mvnw -q -B -DskipTests package >/dev/null  # fetches the JCuda natives the build reads
  dev/fake-cuda/build.sh
fi
mode=all
case "${1:-}" in --tests-only) mode=tests; shift ;; --e2e-only) mode=e2e; shift ;; esac
export LD_LIBRARY_PATH="$fake${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
status=0
if [ "$mode" != e2e ]; then
  echo "== gpu-tagged tests against the fake"
  ./mvnw -q -B test -Dgroups=gpu -Dsurefire.failIfNoSpecifiedTests=false "$@" || status=$?
  if [[ " $* " != *" -Dtest="* ]]; then
    # GpuConvSearchFailureTest skips above; here every cudnnFind*Algorithm call fails, as it asks.
    echo "== the conv algorithm search failing: GpuConvSearchFailureTest with FAKE_CUDNN_FIND_FAIL=1"
    FAKE_CUDNN_FIND_FAIL=1 ./mvnw -q -B test -Dgroups=gpu -Dtest=GpuConvSearchFailureTest "$@" || status=$?
  fi
  for f in target/surefire-reports/TEST-dcgan.backend.gpu.*.xml; do
    [ -f "$f" ] || continue
    sed -n 's/.*<testsuite[^>]* name="\([^"]*\)"[^>]* tests="\([0-9]*\)"[^>]* errors="\([0-9]*\)"[^>]* skipped="\([0-9]*\)"[^>]* failures="\([0-9]*\)".*/\1 run=\2 errors=\3 skipped=\4 failures=\5/p' "$f"
  done
fi
if [ "$mode" != tests ]; then
  echo "== bench on the fake"
  ./run.sh bench --device gpu --batch-size 64 --iterations 3 --warmup 1 || status=$?
  echo "== train on the fake"
  rm -rf /tmp/fake-run
  ./run.sh train --device gpu --data-dir test-data --batch-size 64 --max-steps 20 --out /tmp/fake-run || status=$?
  echo "== train on the fake with every speed option"
  rm -rf /tmp/fake-run-fast
  ./run.sh train --device gpu --data-dir test-data --batch-size 64 --max-steps 20 --out /tmp/fake-run-fast \
    --math tf32 --conv-algo search --cuda-graphs --data-on-device --async-losses || status=$?
fi
exit $status
