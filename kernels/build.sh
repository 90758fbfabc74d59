#!/usr/bin/env bash
# Regenerates kernels/NAME.ptx from every kernels/NAME.cu. The .ptx files are committed: they are
# what the Java GPU backend loads from the classpath (kernels/NAME.ptx), so users without nvcc never
# run this. Run it after editing any .cu (KernelPtxTest fails on a stale .ptx).
#
# What it does, per kernels/NAME.cu:
#   1. nvcc -ptx -arch=compute_75 -O3 (no --use_fast_math: IEEE division and sqrt, denormals kept).
#      compute_75 is the oldest architecture CUDA 13 still targets; the driver JIT-compiles the PTX
#      for whatever GPU it finds (sm_75 and newer).
#   2. Lowers the `.version` line (PTX ISA) to $PTX_ISA, default 8.0. nvcc 13 writes .version 9.0,
#      which only CUDA 13 drivers accept; ISA 8.0 is CUDA 12.0's, so every CUDA 12 or 13 driver (all
#      that JCuda 12.6 runs on) loads it. These kernels use nothing newer than ISA 6.3, but see 4.
#   3. Prepends comment lines recording the SHA-256 of the .cu (KernelPtxTest compares it with the
#      current source), the nvcc version and the ISA rewrite.
#   4. Validates the final file by assembling it with ptxas for sm_75 and sm_90 (warnings are
#      errors). ptxas rejects any instruction, modifier or directive that needs a newer PTX ISA than
#      the declared .version (checked below by a self-test on a deliberately too-new instruction),
#      so a successful assembly proves the lowered .version is legal for this code.
#   5. Replaces kernels/NAME.ptx only if the content changed (the script is idempotent), and
#      deletes kernels/*.ptx files whose .cu no longer exists.
# Any failure stops the script with a message and leaves the committed .ptx files untouched.
#
# Usage: kernels/build.sh            (from anywhere; needs nvcc and ptxas on PATH, or NVCC/PTXAS set)
#        PTX_ISA=7.8 kernels/build.sh   (another ISA; KernelPtxTest requires <= 8.0)
set -euo pipefail

cd "$(dirname "$0")/.."          # project root: the headers name sources as kernels/NAME.cu
NVCC=${NVCC:-nvcc}
PTXAS=${PTXAS:-ptxas}
PTX_ISA=${PTX_ISA:-8.0}
VIRTUAL_ARCH=compute_75
VALIDATE_ARCHS=(sm_75 sm_90)
NVCC_FLAGS=(-ptx "-arch=$VIRTUAL_ARCH" -O3)
VALIDATED=$(printf -- '-arch=%s and ' "${VALIDATE_ARCHS[@]}"); VALIDATED=${VALIDATED% and }

die() { echo "kernels/build.sh: ERROR: $*" >&2; exit 1; }

command -v "$NVCC" >/dev/null || die "nvcc not found (set NVCC=/path/to/nvcc)"
command -v "$PTXAS" >/dev/null || die "ptxas not found (set PTXAS=/path/to/ptxas)"
[[ $PTX_ISA =~ ^[0-9]+\.[0-9]+$ ]] || die "PTX_ISA must look like 8.0, got '$PTX_ISA'"

sha256() {
    if command -v sha256sum >/dev/null; then sha256sum "$1" | cut -d' ' -f1
    else shasum -a 256 "$1" | cut -d' ' -f1; fi
}
# version_gt A B: true when PTX ISA version A is newer than B
version_gt() { [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -n 1)" = "$1" ]; }

NVCC_VERSION=$("$NVCC" --version | grep -o 'release [0-9.]*, V[0-9.]*' | head -n 1)
[ -n "$NVCC_VERSION" ] || die "cannot read the nvcc version from '$NVCC --version'"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Self-test of the validator: ld.global.L2::128B needs PTX ISA 7.4, so ptxas must refuse it under
# .version 7.3. If it does not, ptxas does not check ISA versions and step 4 would prove nothing.
cat > "$tmp/selftest.ptx" <<'PTX'
.version 7.3
.target sm_75
.address_size 64
.visible .entry selftest(.param .u64 p)
{
	.reg .b64 %rd<3>;
	.reg .f32 %f<2>;
	ld.param.u64 %rd1, [p];
	cvta.to.global.u64 %rd2, %rd1;
	ld.global.L2::128B.f32 %f1, [%rd2];
	st.global.f32 [%rd2+4], %f1;
	ret;
}
PTX
if "$PTXAS" -arch=sm_75 "$tmp/selftest.ptx" -o /dev/null 2>/dev/null; then
    die "ptxas accepted an ISA 7.4 instruction under .version 7.3; it cannot validate the ISA downgrade"
fi

shopt -s nullglob
sources=(kernels/*.cu)
[ ${#sources[@]} -gt 0 ] || die "no kernels/*.cu found"

for src in "${sources[@]}"; do
    name=$(basename "$src" .cu)
    raw="$tmp/$name.raw.ptx"
    out="$tmp/$name.ptx"
    "$NVCC" "${NVCC_FLAGS[@]}" -o "$raw" "$src" || die "nvcc failed on $src"

    [ "$(grep -c '^\.version ' "$raw")" = 1 ] || die "$src: expected one .version line in nvcc's PTX"
    grep -q "^\.target sm_75\$" "$raw" || die "$src: expected '.target sm_75' in nvcc's PTX"
    emitted=$(sed -n 's/^\.version \([0-9]*\.[0-9]*\)$/\1/p' "$raw")
    [ -n "$emitted" ] || die "$src: cannot parse the .version line"

    if version_gt "$emitted" "$PTX_ISA"; then
        note=".version lowered from $emitted (as emitted) to $PTX_ISA"
        sed "s/^\.version $emitted\$/.version $PTX_ISA/" "$raw" > "$raw.isa"
    else
        note=".version $emitted as emitted (not above $PTX_ISA)"
        cp "$raw" "$raw.isa"
    fi
    {
        echo "// source-sha256: $(sha256 "$src") $src"
        echo "// nvcc: $NVCC_VERSION; nvcc ${NVCC_FLAGS[*]}"
        echo "// ptx-isa: $note by kernels/build.sh; validated with ptxas $VALIDATED"
        echo "// GENERATED FILE: edit $src and run kernels/build.sh"
        cat "$raw.isa"
    } > "$out"

    for arch in "${VALIDATE_ARCHS[@]}"; do
        "$PTXAS" --warning-as-error "-arch=$arch" "$out" -o "$tmp/$name.$arch.cubin" \
            || die "ptxas -arch=$arch rejected $name.ptx at .version $PTX_ISA (raise PTX_ISA or change $src)"
    done

    if cmp -s "$out" "kernels/$name.ptx"; then
        echo "kernels/$name.ptx: unchanged"
    else
        cp "$out" "kernels/$name.ptx"
        echo "kernels/$name.ptx: written ($note)"
    fi
done

for ptx in kernels/*.ptx; do
    if [ ! -e "kernels/$(basename "$ptx" .ptx).cu" ]; then
        rm -- "$ptx"
        echo "$ptx: removed (no matching .cu)"
    fi
done
