#!/usr/bin/env bash
# Every GPU check of this project in one script, for a machine with a GPU. It fails fast: stage 0 runs
# first and, if it fails, the script stops there and says what failed. The parts, in this order, with what
# each is expected to cost on an H100/H200 when all goes well (estimates: nothing here has run on a GPU yet)
# and its limit:
#
#   part    what                                                                expected   limit
#   stage0  ./run.sh gpu-check for the notebook's model (batch 256) and the      ~45 s      120 s
#           64x64 DCGAN (batch 64): versions, PTX, cuDNN's algorithms per layer
#           and direction (72 cuDNN searches: 4 + 8 layers, 3 directions, 2 math
#           modes), a step per math mode beside the CPU's, CUDA graph capture
#   tests   the gpu-tagged JUnit classes, fastest first, one JVM and timeout     ~4 min     330 s, and
#           each (18 JVM starts; the CPU references dominate: GpuTrainingTest               150 s a class
#           and GpuFastTrainingTest ~70 s each, the other 16 under a minute)
#   bench   bench: the notebook's model at batch 256 in five modes, the 64x64     ~2 min     45 s a mode,
#           DCGAN at batch 64 in three (fp32; fp32, graphs and search; tf32,                150 s PyTorch
#           graphs and search), ~8-10 s each; then PyTorch's timing of both
#           (scripts/pytorch-reference.py, ~45 s) in the same call, and the ratios
#   long    100 epochs on 70,000 images (scripts/repeat-mnist.sh 7: 27,300       ~2.5 min   300 s
#           steps at batch 256), every speed option and TF32: 3-5 ms a step if
#           CUDA graphs take away the host's ~100 launches x 9-14 us a step
#           (PyTorch on an H100: 6.9 ms eager FP32, 2.8 ms TF32 graph)
#   ops     bench --ops: each operation, 50 calls each, of the notebook's model  ~20 s      60 s a model
#           at batch 256 and of the 64x64 DCGAN at batch 64
#   short   5 epochs of the bundled 10,000 digits at batch 64, default mode:     ~45 s      90 s a run
#           780 steps, a 160 MB checkpoint per epoch; then the 64x64 DCGAN on
#           the 329 bundled emoji (test-data/emoji-noto-64), 10 epochs at batch
#           64, default mode: 50 steps, a 76 MB checkpoint per epoch
#
# All parts together are about 10 minutes, too long for one device call's 600 s: split them over two calls,
# as below. The script ends within DEVICE_CHECK_BUDGET_S seconds (default 580), cutting each part's limit to
# what is left and reporting a part it could not run or had to cut short; a command cut short first gets
# SIGQUIT, on which the JVM prints every thread's stack into the part's log (where a CUDA call hung), then
# SIGKILL 10 s later.
#
# On a GPU machine without Java or Maven, prepared with the workplace's prepare tool (it packs the classes,
# test classes, jars, the JUnit console launcher and a Java runtime into the git-ignored .device/ and writes
# .device/env.sh, which this script sources), two device calls, each carrying .device:
#
#   command "DEVICE_CHECK_PARTS=stage0,tests scripts/device-check.sh", carry [".device"], timeout_s 600
#   command "DEVICE_CHECK_PARTS=bench,long,ops,short scripts/device-check.sh", carry [".device"], timeout_s 600
#
# (about 5 and 6 minutes; with machine start-up, about 12 of a session's 15 device minutes). A rerun after a
# fix names only the parts that failed, e.g. command "DEVICE_CHECK_PARTS=tests scripts/device-check.sh"; any
# subset of stage0,tests,bench,long,ops,short runs in that order. Set DEVICE_CHECK_BUDGET_S to at most
# timeout_s - 20.
#
# Without .device/ it runs from the project's own build instead:
#   ./mvnw -B -Pdevice-check -DskipTests package     # target/classes, test-classes, lib/ and test-lib/
#
# Output goes to $OUT (default /tmp/device-check), at most 8 files, as the device tool returns: summary.txt
# (every part's verdict and key figures, written as each part ends, so it survives a part that hangs;
# read it first), the logs stage0.txt, tests.txt, bench.txt, train-long.txt, ops.txt and train-short.txt
# (ops.txt and train-short.txt hold both models' runs, one after the other), samples.png (the last sample
# grid of the long run, else of the short run on the digits) and samples-emoji64.png (the last grid of the
# DCGAN's short run). That last one is left out, as summary.txt says at its top, when a call runs all six
# parts: it would be a ninth file; the two calls above keep it. Each call rewrites the files of the parts it
# runs and summary.txt.
#
# DEVICE_CHECK_SMOKE=1 runs every part tiny (batch 2, a few steps, two fast test classes, the DCGAN at
# ngf = ndf = 8 after stage 0), to check the script itself, e.g. against dev/fake-cuda
# (dev/fake-cuda/device-check-smoke.sh, which CI runs).
set -uo pipefail
cd "$(dirname "$0")/.."

out="${OUT:-/tmp/device-check}"
mkdir -p "$out"
summary="$out/summary.txt"
: > "$summary"
smoke="${DEVICE_CHECK_SMOKE:-}"
parts="${DEVICE_CHECK_PARTS:-stage0,tests,bench,long,ops,short}"
started=$(date +%s)
deadline=$((started + ${DEVICE_CHECK_BUDGET_S:-580}))

for p in ${parts//,/ }; do
  case "$p" in
    stage0 | tests | bench | long | ops | short) ;;
    *) echo "device-check: unknown part '$p' in DEVICE_CHECK_PARTS (parts: stage0,tests,bench,long,ops,short)" >&2; exit 2 ;;
  esac
done
wants() { [[ ",$parts," == *",$1,"* ]]; }

# ---- the summary: one line per part as it ends, details indented below it --------------------------------
say() { printf '%s\n' "$*" | tee -a "$summary"; }
detail() { printf '%s\n' "$@" | grep -v '^$' | sed 's/^/          /' | tee -a "$summary"; }
current=
part_start() {
  current=$1
  part_t0=$(date +%s.%N)
  say "$(printf '%-7s started at %s UTC' "$1" "$(date -u +%H:%M:%S)")"
}
# part_end VERDICT TEXT...: VERDICT is ok, FAILED, CUT-SHORT or SKIPPED; TEXT's words are joined by spaces.
part_end() {
  local v=$1
  shift
  say "$(awk -v p="$current" -v v="$v" -v t0="$part_t0" -v t1="$(date +%s.%N)" -v text="$*" \
    'BEGIN { printf "%-7s %-9s %6.1f s  %s", p, v, t1 - t0, text }')"
  current=
}
# verdict STATUS: the verdict of a command's exit status (timeout: 124, or 137 when it had to kill).
verdict() {
  case "$1" in 0) echo ok ;; 124 | 137) echo CUT-SHORT ;; *) echo FAILED ;; esac
}
finish() {
  trap - EXIT
  if [ -n "$current" ]; then
    part_end CUT-SHORT "the script was stopped during this part"
  fi
  for p in ${parts//,/ }; do
    grep -q "^$p  *\(ok\|FAILED\|CUT-SHORT\|SKIPPED\) " "$summary" || say "$(printf '%-7s %-9s %6s    %s' "$p" NOT-RUN - "$1")"
  done
  say "end     $(date -u '+%Y-%m-%d %H:%M UTC'), $(($(date +%s) - started)) s in all"
  exit "$2"
}
trap 'finish "the script ended early" 1' EXIT
trap 'exit 143' TERM INT

# limit SECONDS: SECONDS, or what is left of the budget if that is less (keeping 25 s: 10 for a command to die
# after its limit, the rest to write the summary).
limit() {
  local left=$((deadline - $(date +%s) - 25))
  echo $((left < $1 ? left : $1))
}
# run_limited SECONDS LOG COMMAND...: the command under a timeout, its output appended to LOG; its status. At
# the limit the command gets SIGQUIT, on which a JVM prints every thread's stack (so a hung CUDA call shows in
# the log), and SIGKILL 10 s later.
run_limited() {
  local seconds=$1 log=$2
  shift 2
  if ((seconds < 5)); then
    echo "device-check: no time left in the budget for this command" >> "$log"
    return 124
  fi
  timeout -s QUIT -k 10 "$seconds" "$@" >> "$log" 2>&1
  local status=$?
  if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    echo "device-check: cut short after its limit of $seconds s" >> "$log"
  fi
  return "$status"
}

# ---- Java, the classpath, the test classes and the JUnit console launcher --------------------------------
if [ -z "${JAVA:-}" ] && [ -f .device/env.sh ]; then
  # shellcheck disable=SC1091
  source .device/env.sh
fi
if [ -n "${JAVA:-}" ] && [[ "${CP:-}" == *"/.device/classes"* ]]; then
  build=.device
else
  build=target
  JAVA="${JAVA:-java}"
  if [ -z "${CP:-}" ]; then
    if [ ! -d target/classes ] || ! ls target/lib/*.jar > /dev/null 2>&1; then
      say "device-check: no .device/env.sh and no project build; build it: ./mvnw -B -Pdevice-check -DskipTests package"
      trap - EXIT
      exit 2
    fi
    CP="target/classes:$(ls target/lib/*.jar | tr '\n' ':')"
  fi
fi
# The tests' classpath: the classes, the test classes and the JUnit console launcher with what it needs.
if [ "$build" = .device ]; then
  launcher=$(ls .device/junit/junit-platform-console-standalone-*.jar 2> /dev/null | head -n 1)
  test_cp="$CP:.device/test-classes${launcher:+:$launcher}"
else
  launcher=$(ls target/test-lib/junit-platform-console-[0-9]*.jar 2> /dev/null | head -n 1)
  test_cp="$CP:target/test-classes:$(ls target/test-lib/*.jar 2> /dev/null | tr '\n' ':')"
fi
dcgan=("$JAVA" -cp "$CP" dcgan.cli.Main)

if [ -n "$smoke" ]; then
  check_args=(--batch-size 2)
  test_classes_order="GpuBackendBasicsTest SigmoidKernelTest"
  test_props=(-Ddcgan.gpuTests.seed=20261202)
  bench_size=(--batch-size 2 --iterations 2 --warmup 1)
  torch_args=(--iterations 3)
  repeat=1
  long_run=(--batch-size 2 --epochs 1 --max-steps 2)
  ops_size=(--batch-size 2 --iterations 2)
  short_run=(--batch-size 2 --epochs 1 --max-steps 2)
  # PyTorch's example's DCGAN at 64x64 in colour, narrowed to ngf = ndf = 8 (gpu-check runs it at full width).
  dcgan64=(--image-size 64 --channels 3 --ngf 8 --ndf 8)
  dcgan64_bench=(--batch-size 2 --iterations 2 --warmup 1)
  dcgan64_ops=(--batch-size 2 --iterations 2)
  dcgan64_short=(--ngf 8 --ndf 8 --batch-size 2 --epochs 1 --max-steps 2)
else
  check_args=()
  # Fastest first, as they ran against dev/fake-cuda and with the CPU standing in for the GPU
  # (-Ddcgan.gpuTests.substituteCpu=true); GpuConvSearchFailureTest runs only against the fake.
  test_classes_order="GpuBackendBasicsTest SigmoidKernelTest SigmoidCrossEntropyKernelTest PhiloxUniformKernelTest
    PhiloxNormalKernelTest TanhKernelTest
    ReluKernelTest LeakyReluKernelTest AdamKernelTest GpuBatchNormTest GpuCudaGraphTest GpuLinearTest GpuConvTest
    GpuConvSearchTest GpuConvTransposeTest GpuTf32Test GpuFastTrainingTest GpuTrainingTest"
  test_props=()
  bench_size=(--batch-size 256)
  torch_args=()
  repeat=7
  long_run=(--epochs 100)
  ops_size=(--batch-size 256 --iterations 50)
  short_run=(--batch-size 64 --epochs 5)
  # PyTorch's example's DCGAN at 64x64 in colour (ngf = ndf = 64), at its default batch.
  dcgan64=(--image-size 64 --channels 3)
  dcgan64_bench=(--batch-size 64)
  dcgan64_ops=(--batch-size 64 --iterations 50)
  dcgan64_short=(--batch-size 64 --epochs 10)
fi

say "device-check $(date -u '+%Y-%m-%d %H:%M UTC'): parts $parts${smoke:+ (smoke run: everything tiny)}, budget $((deadline - started)) s, classes from $build/"

# The files of this call: summary.txt, each part's log, samples.png with the long or the short run, and
# samples-emoji64.png (the DCGAN's last grid) with the short run where the device tool's 8 files leave room.
files=1
for p in ${parts//,/ }; do files=$((files + 1)); done
if wants long || wants short; then files=$((files + 1)); fi
emoji_grid=
if wants short; then
  if ((files < 8)); then
    emoji_grid=samples-emoji64.png
  else
    say "device-check: samples-emoji64.png (the DCGAN's last grid) is left out: it would be file $((files + 1)) of" \
      "this call, and the device tool returns 8; the two calls in this script's header keep it"
  fi
fi

# worse STATUS STATUS: of two exit statuses, the one with the worse verdict (FAILED, then CUT-SHORT, then ok).
severity() { case "$1" in 0) echo 0 ;; 124 | 137) echo 1 ;; *) echo 2 ;; esac; }
worse() {
  if (($(severity "$2") > $(severity "$1"))); then echo "$2"; else echo "$1"; fi
}
# next_line LOG: the number of the line that a command appending to LOG writes first.
next_line() { echo $(($(wc -l < "$1") + 1)); }

# ---- stage 0 ------------------------------------------------------------------------------------------------
if wants stage0; then
  part_start stage0
  log="$out/stage0.txt"
  if command -v nvidia-smi > /dev/null; then
    smi=$(timeout 20 nvidia-smi --query-gpu=name,driver_version,memory.total,memory.used,clocks.max.sm --format=csv,noheader 2>&1)
  else
    smi="not found"
  fi
  printf '%s\nnvidia-smi (name, driver, memory total, used, max SM clock): %s\n$ run.sh gpu-check %s\n' \
    "$(date -u '+%Y-%m-%d %H:%M:%S UTC')" "$smi" "${check_args[*]}" > "$log"
  run_limited "$(limit 120)" "$log" "${dcgan[@]}" gpu-check "${check_args[@]}"
  status=$?
  v=$(verdict $status)
  last=$(grep -E '^gpu-check: (OK|FAILED)' "$log" | tail -n 1)
  if [ "$v" = CUT-SHORT ]; then
    last="gpu-check was stopped at its limit; the last line it printed: $(grep -vE '^(\[fake-cuda\]|device-check:)' "$log" | tail -n 1 | cut -c 1-300)"
  fi
  part_end "$v" "${last:-gpu-check exit status $status, no verdict line (see stage0.txt)}"
  detail "nvidia-smi: $smi"
  detail "$(grep -E '^(info|WARNING|FAILED) ' "$log")"
  detail "$(grep -E '^ok +(open|kernels|step|graph) ' "$log" | sed 's/^ok *//')"
  # The algorithms chosen, one line per mode, model, choice and layer: "fp32 heuristic D.c1: forward
  # 1:IMPLICIT_GEMM ...", "fp32 dcgan64x3 heuristic D.main.0: ..." (the first model's checks carry no label).
  detail "$(awk '/^(ok|WARNING) +algo / {
      i = $4 ~ /^(heuristic|search)$/ ? 4 : 5
      layer = $(i + 1); sub(/:$/, "", layer)
      key = $3 (i == 5 ? " " $4 : "") " " $i " " layer
      role = $0; sub(/ \(cuDNN.*/, "", role); sub(/^.*->[0-9x]+ /, "", role)
      chose = $0; sub(/.*; chose /, "", chose); sub(/ \[[0-9.]+ s\]$/, "", chose)
      sub(/ \((searched|heuristic)[^)]*\)/, "", chose); sub(/, workspace /, " ws ", chose); gsub(/, /, " ", chose)
      if (key in line) line[key] = line[key] " | "; else order[n++] = key
      line[key] = line[key] role " " chose
    }
    END { for (i = 0; i < n; i++) print order[i] ": " line[order[i]] }' "$log")"
  if [ "$v" != ok ]; then
    finish "stage 0 did not pass (see above and stage0.txt): fix that first, then rerun" 1
  fi
fi

# ---- the gpu tests: one JVM and one timeout per class, so that each result is kept ---------------------------
if wants tests; then
  part_start tests
  log="$out/tests.txt"
  : > "$log"
  if [ -z "$launcher" ] || [ ! -d "$build/test-classes" ]; then
    part_end FAILED "no JUnit console launcher or test classes in $build/ (build: ./mvnw -B -Pdevice-check -DskipTests package)"
  else
    if [ -z "$smoke" ]; then
      # A gpu test class added since this list was written runs last.
      for f in "$build"/test-classes/dcgan/backend/gpu/*Test.class; do
        c=$(basename "$f" .class)
        # shellcheck disable=SC2086
        case " $(echo $test_classes_order) ConvAlgorithmRankingTest ConvAlgorithmReportTest KernelPtxTest GpuConvSearchFailureTest " in
          *" $c "*) ;;
          *) test_classes_order="$test_classes_order $c" ;;
        esac
      done
    fi
    passed=0 failed=0 cut=0 notrun=0
    lines=()
    tests_end=$(($(date +%s) + 330))
    for cls in $test_classes_order; do
      echo "== $cls" >> "$log"
      t0=$(date +%s)
      class_limit=$(limit 150)
      ((class_limit > tests_end - t0)) && class_limit=$((tests_end - t0))
      run_limited "$class_limit" "$log" "$JAVA" -Xss8m -Xmx4g "${test_props[@]}" -cp "$test_cp" \
        org.junit.platform.console.ConsoleLauncher execute --select-class "dcgan.backend.gpu.$cls" --include-tag gpu \
        --details=tree --details-theme=ascii --disable-banner --disable-ansi-colors
      status=$?
      section=$(awk -v c="== $cls" '$0 == c { on = 1; next } /^== / { on = 0 } on' "$log")
      count() { echo "$section" | sed -n "s/^\[ *\([0-9]*\) tests $1 *\]$/\1/p" | tail -n 1; }
      figures="$(count successful) passed, $(count failed) failed, $(count skipped) skipped"
      case $(verdict $status) in
        ok) passed=$((passed + 1)); lines+=("$(printf '%-30s ok         %4d s  %s' "$cls" $(($(date +%s) - t0)) "$figures")") ;;
        CUT-SHORT)
          if grep -q "^device-check: no time left" <<< "$section"; then
            notrun=$((notrun + 1)); lines+=("$(printf '%-30s NOT-RUN    no time left in the budget' "$cls")")
          else
            cut=$((cut + 1)); lines+=("$(printf '%-30s CUT-SHORT  %4d s' "$cls" $(($(date +%s) - t0)))")
          fi ;;
        *)
          failed=$((failed + 1))
          lines+=("$(printf '%-30s FAILED     %4d s  %s (exit status %d)' "$cls" $(($(date +%s) - t0)) "$figures" "$status")")
          while IFS= read -r l; do lines+=("    $l"); done < <(echo "$section" | grep -E '\[X\]' | head -n 5 | cut -c 1-300) ;;
      esac
    done
    total=$((passed + failed + cut + notrun))
    v=ok
    ((cut + notrun > 0)) && v=CUT-SHORT
    ((failed > 0)) && v=FAILED
    part_end "$v" "$total classes: $passed passed, $failed failed, $cut cut short, $notrun not run"
    detail "${lines[@]}"
  fi
fi

# ---- bench beside PyTorch ---------------------------------------------------------------------------------------
if wants bench; then
  part_start bench
  log="$out/bench.txt"
  : > "$log"
  worst=0
  # A label that starts with dcgan64- is the 64x64 DCGAN at its batch; the others are the notebook's model.
  while read -r label flags; do
    size=("${bench_size[@]}")
    [[ "$label" == dcgan64-* ]] && size=("${dcgan64[@]}" "${dcgan64_bench[@]}")
    echo "-- $label: bench --device gpu ${size[*]} $flags" >> "$log"
    # shellcheck disable=SC2086
    run_limited "$(limit 45)" "$log" "${dcgan[@]}" bench --device gpu "${size[@]}" $flags
    status=$?
    [ "$status" -ne 0 ] && { worst=$(worse "$worst" "$status"); echo "-- $label: exit status $status" >> "$log"; }
  done << 'MODES'
fp32-default
fp32-graphs --cuda-graphs --data-on-device --async-losses
fp32-graphs-search --cuda-graphs --data-on-device --async-losses --conv-algo search
tf32-default --math tf32
tf32-graphs-search --math tf32 --cuda-graphs --data-on-device --async-losses --conv-algo search
dcgan64-fp32-default
dcgan64-fp32-graphs-search --cuda-graphs --data-on-device --async-losses --conv-algo search
dcgan64-tf32-graphs-search --math tf32 --cuda-graphs --data-on-device --async-losses --conv-algo search
MODES
  if python3 -c 'import torch' > /dev/null 2>&1; then
    echo "-- PyTorch, same GPU, same call: scripts/pytorch-reference.py ${torch_args[*]}" >> "$log"
    run_limited "$(limit 150)" "$log" python3 scripts/pytorch-reference.py "${torch_args[@]}"
    torch_status=$?
    [ "$torch_status" -ne 0 ] && echo "-- PyTorch: exit status $torch_status" >> "$log"
  else
    echo "-- PyTorch: not run (python3 cannot import torch here)" >> "$log"
  fi
  echo "-- ratios (PyTorch ms / ours ms; above 1 means ours is faster)" >> "$log"
  awk '
    /^-- / && !/PyTorch/ && !/ratios/ { mode = $2; sub(":", "", mode) }
    /^bench: .* ms\/iteration/ { for (i = 1; i <= NF; i++) if ($i ~ /^ms\/iteration/) ours[mode] = $(i - 1) }
    /^TORCH [a-z0-9_]+ ms\/iter / { torch[$2] = $4 }
    END {
      n = split("fp32-default:fp32_eager fp32-graphs:fp32_graph fp32-graphs-search:fp32_graph tf32-default:tf32_eager " \
                "tf32-graphs-search:tf32_graph dcgan64-fp32-default:dcgan64_fp32_eager " \
                "dcgan64-fp32-graphs-search:dcgan64_fp32_graph dcgan64-tf32-graphs-search:dcgan64_tf32_graph", pairs, " ")
      for (p = 1; p <= n; p++) {
        split(pairs[p], ab, ":")
        if ((ab[1] in ours) && (ab[2] in torch))
          printf "%-26s %8.3f ms   PyTorch %-18s %8.3f ms   ratio %.2f\n", ab[1], ours[ab[1]], ab[2], torch[ab[2]], torch[ab[2]] / ours[ab[1]]
      }
    }' "$log" > "$out/.ratios"
  cat "$out/.ratios" >> "$log"
  part_end "$(verdict "$worst")" "the notebook's model in five modes at ${bench_size[*]}, the 64x64 DCGAN in three at" \
    "${dcgan64_bench[*]}; PyTorch: $(grep -c '^TORCH .* ms/iter ' "$log") timings"
  detail "$(awk '/^-- / && !/PyTorch/ && !/ratios/ { mode = $2; sub(":", "", mode) }
      /^bench: .* ms\/iteration/ { sub(/^bench: .*, batch [0-9]+: /, ""); printf "%-26s %s\n", mode, $0 }
      /^-- .*: exit status/ || /^warning:/ || /^error:/ { print }' "$log")"
  detail "$(grep -E '^(TORCH |-- PyTorch: not run)' "$log")"
  detail "$(cat "$out/.ratios")"
  rm -f "$out/.ratios"
fi

# summarise_train LOG [FIRST [LAST]]: the key lines of a train run's log, in its lines FIRST to LAST (default: all).
summarise_train() {
  local run
  run=$(sed -n "${2:-1},${3:-\$}p" "$1")
  grep -E '^(training on|model:|steps:|warning|error|trained|done|stopped)' <<< "$run"
  echo "last progress: $(grep -E '^epoch [0-9]+/' <<< "$run" | tail -n 1)"
}

# ---- the 100-epoch run ------------------------------------------------------------------------------------------
if wants long; then
  part_start long
  log="$out/train-long.txt"
  data=$(mktemp -d)
  scripts/repeat-mnist.sh "$repeat" test-data/mnist10k "$data" > "$log" 2>&1
  echo "\$ run.sh train --device gpu --data-dir DIR ${long_run[*]} --math tf32 --cuda-graphs --data-on-device --async-losses --conv-algo search --save-every 100" >> "$log"
  t0=$(date +%s)
  run_limited "$(limit 300)" "$log" "${dcgan[@]}" train --device gpu --data-dir "$data" "${long_run[@]}" \
    --math tf32 --cuda-graphs --data-on-device --async-losses --conv-algo search --save-every 100 --out "$data/run"
  status=$?
  grid=$(ls "$data"/run/samples-epoch-*.png 2> /dev/null | tail -n 1)
  [ -n "$grid" ] && cp "$grid" "$out/samples.png"
  part_end "$(verdict $status)" "$((repeat * 10000)) images, ${long_run[*]}: exit status $status after $(($(date +%s) - t0)) s (JVM start and data loading included)"
  detail "$(summarise_train "$log")"
  rm -rf "$data"
fi

# ---- per-operation timings, each model's in its section of ops.txt ---------------------------------------------------
if wants ops; then
  part_start ops
  log="$out/ops.txt"
  : > "$log"
  echo "== the notebook's model: bench --ops --device gpu ${ops_size[*]}" >> "$log"
  first_notebook=$(next_line "$log")
  run_limited "$(limit 60)" "$log" "${dcgan[@]}" bench --ops --device gpu "${ops_size[@]}"
  status=$?
  echo "== the 64x64 DCGAN: bench --ops --device gpu ${dcgan64[*]} ${dcgan64_ops[*]}" >> "$log"
  first_dcgan=$(next_line "$log")
  run_limited "$(limit 60)" "$log" "${dcgan[@]}" bench --ops --device gpu "${dcgan64[@]}" "${dcgan64_ops[@]}"
  status_dcgan=$?
  part_end "$(verdict "$(worse $status $status_dcgan)")" "the notebook's model at ${ops_size[*]}: exit status $status;" \
    "the 64x64 DCGAN at ${dcgan64_ops[*]}: exit status $status_dcgan; the five slowest of each:"
  # slowest FIRST: the five slowest operations of the section of ops.txt that starts at line FIRST.
  slowest() {
    sed -n "$1,\$p" "$log" | sed '/^== /,$d' | grep -E ' ms$' | awk '{ print $(NF - 1), $0 }' | sort -rn | head -n 5 |
      cut -d' ' -f2- | sed 's/^ */  /'
  }
  detail "the notebook's model:" "$(slowest "$first_notebook")"
  detail "the 64x64 DCGAN:" "$(slowest "$first_dcgan")"
fi

# ---- the short runs: the notebook's model on the bundled digits, the 64x64 DCGAN on the bundled emoji --------------
if wants short; then
  part_start short
  log="$out/train-short.txt"
  : > "$log"
  rm -f "$out/samples-emoji64.png"
  run_dir=$(mktemp -d)
  echo "\$ run.sh train --device gpu --data-dir test-data ${short_run[*]}" >> "$log"
  first_digits=$(next_line "$log")
  t0=$(date +%s)
  run_limited "$(limit 90)" "$log" "${dcgan[@]}" train --device gpu --data-dir test-data "${short_run[@]}" --out "$run_dir/digits"
  status=$?
  seconds=$(($(date +%s) - t0))
  grid=$(ls "$run_dir"/digits/samples-epoch-*.png 2> /dev/null | tail -n 1)
  [ -n "$grid" ] && [ ! -f "$out/samples.png" ] && cp "$grid" "$out/samples.png"
  echo "\$ run.sh train --device gpu --data-dir test-data/emoji-noto-64 ${dcgan64_short[*]}" >> "$log"
  first_emoji=$(next_line "$log")
  t0=$(date +%s)
  run_limited "$(limit 90)" "$log" "${dcgan[@]}" train --device gpu --data-dir test-data/emoji-noto-64 "${dcgan64_short[@]}" \
    --out "$run_dir/emoji"
  status_emoji=$?
  grid=$(ls "$run_dir"/emoji/samples-epoch-*.png 2> /dev/null | tail -n 1)
  kept="its last grid not kept (see above)"
  if [ -n "$emoji_grid" ]; then
    kept="no grid written"
    [ -n "$grid" ] && cp "$grid" "$out/$emoji_grid" && kept="its last grid: $emoji_grid"
  fi
  part_end "$(verdict "$(worse $status $status_emoji)")" "the digits: 10000 images, ${short_run[*]}, default mode: exit" \
    "status $status after $seconds s; the emoji: 329 images, the 64x64 DCGAN, ${dcgan64_short[*]}, default mode:" \
    "exit status $status_emoji after $(($(date +%s) - t0)) s"
  detail "the digits:" "$(summarise_train "$log" "$first_digits" $((first_emoji - 2)) | sed 's/^/  /')"
  detail "the emoji ($kept):" "$(summarise_train "$log" "$first_emoji" | sed 's/^/  /')"
  rm -rf "$run_dir"
fi

failed_parts=$(grep -cE '^[a-z0-9]+ +(FAILED|CUT-SHORT) ' "$summary")
finish "not asked for" $((failed_parts > 0 ? 1 : 0))
