#!/usr/bin/env bash
# Builds the trainer if needed, then runs it: ./run.sh [COMMAND] [OPTIONS]
#   ./run.sh                  train; on ./mnist if it exists, else a quick demo on the bundled test-data/
#   ./run.sh train --help     options of a command (train, generate, bench)
#   ./run.sh --epochs 5 ...   options alone mean 'train'
# Needs Java 17+; ./mvnw fetches Maven on first use. Extra JVM flags can be given in JAVA_OPTS.
set -euo pipefail
cd "$(dirname "$0")"

command -v java >/dev/null || { echo "run.sh: java not found; install a JDK 17 or newer" >&2; exit 1; }
jar=target/dcgan-java-0.1.0-SNAPSHOT.jar
if [ ! -f "$jar" ] || [ -n "$(find src pom.xml -newer "$jar" -print -quit)" ]; then
  echo "run.sh: building (./mvnw package, tests skipped)..." >&2
  ./mvnw -q -B -DskipTests package >&2
fi

if [ $# -eq 0 ]; then
  if [ -d mnist ]; then
    set -- train
  else
    echo "run.sh: ./mnist not found (it should hold train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,"
    echo "        t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz); running a short demo instead:"
    echo "        3 epochs over the 10,000 bundled digits in test-data/ at batch 64 (a few minutes on 2 cores)."
    set -- train --data-dir test-data --batch-size 64 --epochs 3
  fi
elif [[ "$1" == -* && "$1" != "-h" && "$1" != "--help" ]]; then
  set -- train "$@"
fi

# shellcheck disable=SC2086
exec java ${JAVA_OPTS:-} -cp "$jar:target/lib/*" dcgan.cli.Main "$@"
