package dcgan.backend.gpu;

import dcgan.backend.gpu.GpuSettings.MathMode;
import jcuda.jcudnn.cudnnDeterminism;
import jcuda.jcudnn.cudnnMathType;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which of cuDNN's listed algorithms for one convolution direction a layer tries, in which order, and
 * with which math type on its descriptor. Plain logic over the perf entries, so that it is tested without
 * a GPU ({@code ConvAlgorithmRankingTest}); {@link CudnnConvolution} makes the cuDNN calls.
 */
final class ConvAlgorithmRanking {

    private ConvAlgorithmRanking() {
    }

    /**
     * One entry of cuDNN's algorithm list (a {@code cudnnConvolution*AlgoPerf_t}), whichever direction: time in
     * milliseconds as a search measured it (a heuristic list has no measured time), memory its workspace in bytes.
     */
    record Candidate(int algo, int status, float time, long memory, int determinism, int mathType) {

        boolean succeeded() {
            return status == 0;
        }

        boolean deterministic() {
            return determinism == cudnnDeterminism.CUDNN_DETERMINISTIC;
        }

        /** Runs on tensor cores: for FP32 data that means TF32 inputs. */
        boolean tensorOps() {
            return mathType == cudnnMathType.CUDNN_TENSOR_OP_MATH
                   || mathType == cudnnMathType.CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
        }
    }

    /**
     * The candidates worth trying, best first. Failed entries never; tensor-op ones only under TF32 (under
     * FP32 the FMA_MATH descriptor already keeps cuDNN from offering them, this is the second guard).
     * A heuristic list keeps cuDNN's order but puts the deterministic algorithms first, so that a run
     * repeats exactly where cuDNN allows it; a measured list (cudnnFind*) is ordered by time alone, since
     * the point of searching is speed, and a non-deterministic algorithm may win.
     */
    static List<Candidate> preferred(List<Candidate> listed, MathMode math, boolean measured) {
        List<Candidate> usable = new ArrayList<>();
        for (Candidate c : listed) {
            if (c.succeeded() && (math == MathMode.TF32 || !c.tensorOps())) {
                usable.add(c);
            }
        }
        // Both sorts are stable: ties keep cuDNN's order.
        if (measured) {
            usable.sort(Comparator.comparingDouble(Candidate::time));
        } else {
            usable.sort(Comparator.comparing(c -> !c.deterministic()));
        }
        return usable;
    }

    /** The math type a direction's descriptor starts with, before any algorithm is chosen. */
    static int baseMathType(MathMode math) {
        // DEFAULT_MATH lets cuDNN 8+ run FP32 convolutions with TF32 on Ampere and later.
        return math == MathMode.TF32 ? cudnnMathType.CUDNN_DEFAULT_MATH : cudnnMathType.CUDNN_FMA_MATH;
    }

    /**
     * The math type to run candidate c with: the tensor-op type its entry reports (cuDNN measured or
     * ranked it that way), else the base type. An entry that reports no tensor ops may still be a TF32
     * one under TF32: the JCudnn natives report mathType reliably for backward filter only (0, the
     * default, for the other directions), and DEFAULT_MATH permits TF32 anyway.
     */
    static int descriptorMathType(Candidate c, MathMode math) {
        return math == MathMode.TF32 && c.tensorOps() ? c.mathType() : baseMathType(math);
    }
}
