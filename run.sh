#!/usr/bin/env bash
# Builds the trainer if needed, then runs it: ./run.sh [COMMAND] [OPTIONS]
#   ./run.sh                  train; on ./mnist if it exists, else a quick demo on the bundled test-data/
#   ./run.sh train --help     options of a command (train, generate, bench)
#   ./run.sh --epochs 5 ...   options alone mean 'train'
# Needs Java 17+; ./mvnw fetches Maven on first use. Extra JVM flags can be given in JAVA_OPTS.
# Computes on the GPU when one works (--device auto), else on the CPU; native-libs.md lists the NVIDIA
# libraries the GPU path needs.
set -euo pipefail
cd "$(dirname "$0")"

command -v java >/dev/null || { echo "run.sh: java not found; install a JDK 17 or newer" >&2; exit 1; }
jar=target/dcgan-java-0.1.0-SNAPSHOT.jar
if [ ! -f "$jar" ] || [ -n "$(find src kernels pom.xml -newer "$jar" -print -quit)" ]; then
  echo "run.sh: building (./mvnw package, tests skipped)..." >&2
  ./mvnw -q -B -DskipTests package >&2
fi

if [ $# -eq 0 ]; then
  if [ -d mnist ]; then
    set -- train
  else
    echo "run.sh: ./mnist not found (it should hold train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,"
    echo "        t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz); running a short demo instead:"
    echo "        3 epochs over the 10,000 bundled digits in test-data/ at batch 64 (seconds on a GPU,"
    echo "        a few minutes on 2 CPU cores)."
    set -- train --data-dir test-data --batch-size 64 --epochs 3
  fi
elif [[ "$1" == -* && "$1" != "-h" && "$1" != "--help" ]]; then
  set -- train "$@"
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
exec java ${JAVA_OPTS:-} -cp "$jar:target/lib/*" dcgan.cli.Main "$@"
