#!/usr/bin/env bash
# Builds the trainer if needed, then runs it: ./run.sh [COMMAND] [OPTIONS]
#   ./run.sh                  train; on ./mnist if it exists, else a quick demo on the bundled test-data/
#   ./run.sh train --help     options of a command (train, generate, bench)
#   ./run.sh --epochs 5 ...   options alone mean 'train' (and the demo's data when ./mnist is missing)
# Paths on the command line mean what they mean in your shell: run.sh may be called from any directory.
# Needs Java 17+; ./mvnw fetches Maven on first use. Extra JVM flags can be given in JAVA_OPTS.
# DCGAN_CLASSPATH, when set, is used as the classpath instead of building (e.g. target/classes:target/lib/*).
# Computes on the GPU when one works (--device auto), else on the CPU; native-libs.md lists the NVIDIA
# libraries the GPU path needs.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

command -v java >/dev/null || { echo "run.sh: java not found; install a JDK 17 or newer" >&2; exit 1; }
if [ -n "${DCGAN_CLASSPATH:-}" ]; then
  classpath="$DCGAN_CLASSPATH"
else
  jar="$here/target/dcgan-java-0.1.0-SNAPSHOT.jar"
  if [ ! -f "$jar" ] || [ -n "$(cd "$here" && find src kernels pom.xml -newer "$jar" -print -quit)" ]; then
    echo "run.sh: building (./mvnw package, tests skipped)..." >&2
    (cd "$here" && ./mvnw -q -B -DskipTests package >&2)
  fi
  classpath="$jar:$here/target/lib/*"
fi

# given OPTION ARGS...: whether OPTION is among ARGS (as "--x v" or "--x=v").
given() {
  local option="$1"; shift
  for a in "$@"; do
    case "$a" in "$option"|"$option"=*) return 0 ;; esac
  done
  return 1
}

if [ $# -eq 0 ] || [[ "$1" == -* && "$1" != "-h" && "$1" != "--help" ]]; then
  # No command: train. Without ./mnist and without a data directory, the demo on the bundled digits.
  if [ ! -d mnist ] && ! given --data-dir "$@" && ! given --resume "$@"; then
    demo=(--data-dir "$here/test-data")
    given --batch-size "$@" || demo+=(--batch-size 64)
    given --epochs "$@" || demo+=(--epochs 3)
    if [ -L mnist ] && [ ! -e mnist ]; then
      what="is a symbolic link to $(readlink mnist), which leads nowhere"
    elif [ -f mnist ]; then
      what="is a file, not a directory"
    elif [ -e mnist ]; then
      what="is not a directory"
    else
      what="not found"
    fi
    echo "run.sh: ./mnist $what (it should be a directory holding"
    echo "        train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and"
    echo "        t10k-labels-idx1-ubyte.gz); running the demo instead: the 10,000 bundled digits in"
    echo "        $here/test-data, batch 64 and 3 epochs unless given (seconds on a GPU, a few minutes on"
    echo "        2 CPU cores)."
    set -- train "${demo[@]}" "$@"
  else
    set -- train "$@"
  fi
fi

# evaluate --npy without a data directory compares with ./mnist, as train's default; without one, with the
# bundled digits, as the demo trains on them.
if [ "${1:-}" = evaluate ] && [ ! -d mnist ] && ! given --data-dir "$@" && ! given --checkpoint "$@" \
   && ! given --help "$@" && ! given -h "$@"; then
  echo "run.sh: ./mnist is not a directory; evaluate compares with the bundled digits in $here/test-data"
  echo "        (give --data-dir for other images)"
  set -- "$@" --data-dir "$here/test-data"
fi

# cuBLAS and cuDNN installed as NVIDIA's pip wheels (native-libs.md, option B) are found without any
# LD_LIBRARY_PATH setup: their directories are added when the wheels are there.
if command -v python3 >/dev/null; then
  nv=$(python3 -c 'import nvidia; print(list(nvidia.__path__)[0])' 2>/dev/null || true)
  for d in "$nv/cublas/lib" "$nv/cudnn/lib"; do
    if [ -n "$nv" ] && [ -d "$d" ]; then
      export LD_LIBRARY_PATH="$d${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    fi
  done
fi

# shellcheck disable=SC2086
exec java ${JAVA_OPTS:-} -cp "$classpath" dcgan.cli.Main "$@"
