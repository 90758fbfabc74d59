#!/usr/bin/env bash
# Host check of the kernels (no GPU needed): compiles the unmodified kernels/*.cu with g++ through
# kernels/check/cuda_host_shim.h, runs every kernel on the CPU for many inputs and grid shapes
# (host_check.cpp), and compares all outputs bit for bit with the Java CPU reference
# (HostCheck.java, run against target/classes). Needs g++ >= 11 (C++20 std::barrier) and a JDK 17.
#
# What it proves: operation order and rounding steps, index/grid-stride/tail logic, the Philox
# rounds and counter layout, and the shared-memory reduction, as written in the .cu sources.
# What it cannot: the PTX nvcc makes from them, and CUDA's own double exp/log1p (glibc's stand in).
set -euo pipefail
cd "$(dirname "$0")/../.."
CXX=${CXX:-g++}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# -ffp-contract=off and no -march: one IEEE instruction per operation, never an FMA (as in Java).
"$CXX" -std=c++20 -O2 -ffp-contract=off -pthread -Wall -Wextra -Wno-unknown-pragmas \
    -o "$tmp/host_check" kernels/check/host_check.cpp
"$tmp/host_check" "$tmp/cases.bin"
./mvnw -q -B -DskipTests compile
java -cp target/classes kernels/check/HostCheck.java "$tmp/cases.bin"
