package dcgan.backend.gpu;

import java.util.Objects;

/**
 * How the GPU backend may compute, beyond what every backend must do. The defaults ({@link #DEFAULT}) are
 * the parity settings: plain FP32 arithmetic and cuDNN's heuristic algorithm choice, deterministic where
 * cuDNN allows, so that a GPU run agrees with the CPU reference to FP32 rounding. Batch norm and our own
 * kernels are FP32 whatever these say.
 *
 * @param math       the arithmetic of convolutions (cuDNN) and linear layers (cuBLAS)
 * @param algorithms how each convolution direction's cuDNN algorithm is chosen when a layer is built
 */
public record GpuSettings(MathMode math, AlgorithmChoice algorithms) {

    /** FP32 arithmetic, heuristic algorithm choice: the behaviour the GPU tests hold to the CPU. */
    public static final GpuSettings DEFAULT = new GpuSettings(MathMode.FP32, AlgorithmChoice.HEURISTIC);

    public GpuSettings {
        Objects.requireNonNull(math, "math");
        Objects.requireNonNull(algorithms, "algorithms");
    }

    /** The arithmetic of convolutions and GEMMs. */
    public enum MathMode {
        /** Plain FP32 multiply-adds (cuDNN FMA_MATH, cuBLAS PEDANTIC_MATH): no tensor cores. */
        FP32,
        /**
         * TF32 tensor cores allowed (cuDNN DEFAULT_MATH or TENSOR_OP_MATH, cuBLAS TF32_TENSOR_OP_MATH) on
         * GPUs that have them (compute capability 8.0+): inputs are rounded to 10 mantissa bits, sums stay
         * FP32, so results differ from FP32 by about 1e-3 relative. Older GPUs compute as for FP32.
         */
        TF32
    }

    /** How each convolution direction's algorithm is chosen. */
    public enum AlgorithmChoice {
        /** cuDNN's heuristic ranking (cudnnGet*Algorithm_v7), a deterministic algorithm first where one exists. */
        HEURISTIC,
        /**
         * cuDNN times the candidates (cudnnFind*Algorithm) once per layer and the fastest usable one wins,
         * deterministic or not: gradients may then differ in the last bits from run to run.
         */
        SEARCH
    }

    /** The non-default settings in words, e.g. ", TF32, searched conv algorithms"; empty for the defaults. */
    String describeNonDefault() {
        StringBuilder s = new StringBuilder();
        if (math == MathMode.TF32) {
            s.append(", TF32");
        }
        if (algorithms == AlgorithmChoice.SEARCH) {
            s.append(", searched conv algorithms");
        }
        return s.toString();
    }
}
