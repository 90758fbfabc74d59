#!/usr/bin/env bash
# Writes an MNIST-format image/label pair holding the images of another pair N times over, e.g. 70,000
# images from the bundled 10,000 for a full-size timing run (the 100-epoch target of the README's
# performance section) where the real 60,000-image set cannot be downloaded:
#
#   scripts/repeat-mnist.sh 7 test-data/mnist10k /tmp/mnist70k
#   ./run.sh train --data-dir /tmp/mnist70k ...
#
# SOURCE is the common prefix of SOURCE-images-idx3-ubyte.gz and SOURCE-labels-idx1-ubyte.gz; the output
# directory gets repeated-images-idx3-ubyte.gz and repeated-labels-idx1-ubyte.gz. Only for timing: the
# copies are identical images, so it is not more data to learn from.
set -euo pipefail
if [ $# -ne 3 ] || ! [[ $1 =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 TIMES SOURCE_PREFIX OUT_DIR   (e.g. $0 7 test-data/mnist10k /tmp/mnist70k)" >&2
  exit 2
fi
times=$1 src=$2 dir=$3
for f in "$src-images-idx3-ubyte.gz" "$src-labels-idx1-ubyte.gz"; do
  [ -f "$f" ] || { echo "$0: $f not found" >&2; exit 1; }
done
mkdir -p "$dir"

# be32 N: N as 4 big-endian bytes, as IDX headers store counts.
be32() { printf "\\$(printf %03o $(($1 >> 24 & 255)))\\$(printf %03o $(($1 >> 16 & 255)))\\$(printf %03o $(($1 >> 8 & 255)))\\$(printf %03o $(($1 & 255)))"; }

# repeat IN OUT HEADER_BYTES: the first 4 header bytes (magic) kept, the count multiplied, the rest of
# the header (dimensions) kept, then the body TIMES over.
repeat() {
  local in=$1 out=$2 header=$3 count tmp
  set +o pipefail # head closing the pipe early makes gunzip fail with SIGPIPE, which is expected here
  count=$(gunzip -c "$in" | head -c 8 | tail -c 4 | od -An -tu1 | awk '{print $1*16777216 + $2*65536 + $3*256 + $4}')
  tmp="$out.tmp"
  {
    gunzip -c "$in" | head -c 4
    be32 $((count * times))
    gunzip -c "$in" | head -c "$header" | tail -c +9
    for _ in $(seq "$times"); do gunzip -c "$in" | tail -c +$((header + 1)); done
  } | gzip -1 > "$tmp"
  set -o pipefail
  [ "$(gunzip -c "$tmp" | wc -c)" -eq $((header + (count * times) * ($(gunzip -c "$in" | wc -c) - header) / count)) ] \
    || { echo "$0: $tmp came out the wrong size" >&2; rm -f "$tmp"; exit 1; }
  mv "$tmp" "$out"
  echo "$out: $((count * times)) items"
}
repeat "$src-images-idx3-ubyte.gz" "$dir/repeated-images-idx3-ubyte.gz" 16
repeat "$src-labels-idx1-ubyte.gz" "$dir/repeated-labels-idx1-ubyte.gz" 8
