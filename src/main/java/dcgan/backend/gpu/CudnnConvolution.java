package dcgan.backend.gpu;

import dcgan.backend.ConvGeometry;
import jcuda.Pointer;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionBwdFilterAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnConvolutionFwdAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionMode;
import jcuda.jcudnn.cudnnDataType;
import jcuda.jcudnn.cudnnDeterminism;
import jcuda.jcudnn.cudnnMathType;

import java.util.ArrayList;
import java.util.List;

/**
 * The three cuDNN directions of one 4x4/stride-2/pad-1 convolution (forward, backward data, backward
 * filter) with their descriptors and chosen algorithms. {@link GpuConv} uses them as they are;
 * {@link GpuConvTranspose} uses backward data as its forward and forward as its backward data.
 *
 * <p>Algorithms come from cuDNN's heuristics once, when the layer is built, restricted to plain FP32
 * arithmetic ({@code CUDNN_FMA_MATH}: no TF32 tensor cores), so results agree with the CPU reference
 * to FP32 rounding, and to deterministic ones where cuDNN has them (no atomics in the backward passes).
 */
final class CudnnConvolution implements AutoCloseable {

    private static final int REQUESTED_ALGOS = 16; // more than cuDNN has in any direction

    private final Cudnn cudnn;
    private final Workspace workspace;
    final Cudnn.TensorDesc input;   // [B, inC, H, W]
    final Cudnn.TensorDesc output;  // [B, outC, H/2, W/2]
    final Cudnn.FilterDesc filter;  // [outC, inC, 4, 4]
    private final cudnnConvolutionDescriptor conv = new cudnnConvolutionDescriptor();
    private boolean convOpen;
    private final int forwardAlgo;
    private final int backwardDataAlgo;
    private final int backwardFilterAlgo;

    CudnnConvolution(Cudnn cudnn, Workspace workspace, ConvGeometry g) {
        this.cudnn = cudnn;
        this.workspace = workspace;
        try {
            input = new Cudnn.TensorDesc(g.batch(), g.inChannels(), g.inHeight(), g.inWidth());
            output = new Cudnn.TensorDesc(g.batch(), g.outChannels(), g.outHeight(), g.outWidth());
            filter = new Cudnn.FilterDesc(g.outChannels(), g.inChannels(), ConvGeometry.KERNEL, ConvGeometry.KERNEL);
            CudaStatus.cudnn(JCudnn.cudnnCreateConvolutionDescriptor(conv), "cudnnCreateConvolutionDescriptor");
            convOpen = true;
            CudaStatus.cudnn(JCudnn.cudnnSetConvolution2dDescriptor(conv, ConvGeometry.PAD, ConvGeometry.PAD,
                    ConvGeometry.STRIDE, ConvGeometry.STRIDE, 1, 1, cudnnConvolutionMode.CUDNN_CROSS_CORRELATION,
                    cudnnDataType.CUDNN_DATA_FLOAT), "cudnnSetConvolution2dDescriptor");
            CudaStatus.cudnn(JCudnn.cudnnSetConvolutionMathType(conv, cudnnMathType.CUDNN_FMA_MATH),
                    "cudnnSetConvolutionMathType(CUDNN_FMA_MATH)");
            String shape = " for " + g;
            forwardAlgo = chooseForward(shape);
            backwardDataAlgo = chooseBackwardData(shape);
            backwardFilterAlgo = chooseBackwardFilter(shape);
        } catch (RuntimeException e) {
            Cleanup.afterFailure(e, this); // what was made so far; close() skips the rest
            throw e;
        }
    }

    /** One entry of cuDNN's ranked algorithm list, whichever direction it is for. */
    private record Candidate(int algo, int status, int determinism, int mathType) {
    }

    /** The workspace size query of one direction, for one algorithm; returns the cuDNN status. */
    private interface WorkspaceQuery {
        int bytes(int algo, long[] result);
    }

    /**
     * The first of cuDNN's ranked algorithms that runs in plain FP32 and whose workspace can be sized,
     * preferring deterministic ones so that a GPU run repeats exactly. The FMA_MATH descriptor already
     * rules out TF32; the math-type check is a second guard (the JCudnn natives report mathType for
     * backward filter only, and 0, the default, for the others).
     */
    private int choose(String direction, List<Candidate> ranked, WorkspaceQuery query, String shape) {
        for (boolean deterministicOnly : new boolean[] {true, false}) {
            for (Candidate c : ranked) {
                boolean tensorOps = c.mathType() == cudnnMathType.CUDNN_TENSOR_OP_MATH
                                    || c.mathType() == cudnnMathType.CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
                if (c.status() != 0 || tensorOps
                    || (deterministicOnly && c.determinism() != cudnnDeterminism.CUDNN_DETERMINISTIC)) {
                    continue;
                }
                long[] bytes = new long[1];
                if (query.bytes(c.algo(), bytes) != 0) {
                    continue; // cannot be sized here after all: take the next one
                }
                workspace.reserve(bytes[0]);
                return c.algo();
            }
        }
        throw new IllegalStateException("cuDNN offers no FP32 " + direction + " convolution algorithm" + shape);
    }

    private int chooseForward(String shape) {
        cudnnConvolutionFwdAlgoPerf[] perf = new cudnnConvolutionFwdAlgoPerf[REQUESTED_ALGOS];
        for (int i = 0; i < perf.length; i++) {
            perf[i] = new cudnnConvolutionFwdAlgoPerf();
        }
        int[] count = new int[1];
        CudaStatus.cudnn(JCudnn.cudnnGetConvolutionForwardAlgorithm_v7(cudnn.handle(), input.desc, filter.desc, conv,
                output.desc, REQUESTED_ALGOS, count, perf), "cudnnGetConvolutionForwardAlgorithm_v7" + shape);
        List<Candidate> ranked = new ArrayList<>();
        for (int i = 0; i < count[0]; i++) {
            ranked.add(new Candidate(perf[i].algo, perf[i].status, perf[i].determinism, perf[i].mathType));
        }
        return choose("forward", ranked, (algo, bytes) -> JCudnn.cudnnGetConvolutionForwardWorkspaceSize(
                cudnn.handle(), input.desc, filter.desc, conv, output.desc, algo, bytes), shape);
    }

    private int chooseBackwardData(String shape) {
        cudnnConvolutionBwdDataAlgoPerf[] perf = new cudnnConvolutionBwdDataAlgoPerf[REQUESTED_ALGOS];
        for (int i = 0; i < perf.length; i++) {
            perf[i] = new cudnnConvolutionBwdDataAlgoPerf();
        }
        int[] count = new int[1];
        CudaStatus.cudnn(JCudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7(cudnn.handle(), filter.desc, output.desc,
                conv, input.desc, REQUESTED_ALGOS, count, perf), "cudnnGetConvolutionBackwardDataAlgorithm_v7" + shape);
        List<Candidate> ranked = new ArrayList<>();
        for (int i = 0; i < count[0]; i++) {
            ranked.add(new Candidate(perf[i].algo, perf[i].status, perf[i].determinism, perf[i].mathType));
        }
        return choose("backward-data", ranked, (algo, bytes) -> JCudnn.cudnnGetConvolutionBackwardDataWorkspaceSize(
                cudnn.handle(), filter.desc, output.desc, conv, input.desc, algo, bytes), shape);
    }

    private int chooseBackwardFilter(String shape) {
        cudnnConvolutionBwdFilterAlgoPerf[] perf = new cudnnConvolutionBwdFilterAlgoPerf[REQUESTED_ALGOS];
        for (int i = 0; i < perf.length; i++) {
            perf[i] = new cudnnConvolutionBwdFilterAlgoPerf();
        }
        int[] count = new int[1];
        CudaStatus.cudnn(JCudnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7(cudnn.handle(), input.desc, output.desc,
                conv, filter.desc, REQUESTED_ALGOS, count, perf), "cudnnGetConvolutionBackwardFilterAlgorithm_v7" + shape);
        List<Candidate> ranked = new ArrayList<>();
        for (int i = 0; i < count[0]; i++) {
            ranked.add(new Candidate(perf[i].algo, perf[i].status, perf[i].determinism, perf[i].mathType));
        }
        return choose("backward-filter", ranked, (algo, bytes) -> JCudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize(
                cudnn.handle(), input.desc, output.desc, conv, filter.desc, algo, bytes), shape);
    }

    /** out = conv(in, w) (+ out when accumulating). */
    void forward(Pointer in, Pointer w, Pointer out, boolean accumulate) {
        CudaStatus.cudnn(JCudnn.cudnnConvolutionForward(cudnn.handle(), Cudnn.ONE, input.desc, in, filter.desc, w, conv,
                forwardAlgo, workspace.pointer(), workspace.size(), Cudnn.scale(accumulate), output.desc, out),
                "cudnnConvolutionForward");
    }

    /** inGrad = conv^T(outGrad, w): the adjoint of {@link #forward} in its input. */
    void backwardData(Pointer w, Pointer outGrad, Pointer inGrad, boolean accumulate) {
        CudaStatus.cudnn(JCudnn.cudnnConvolutionBackwardData(cudnn.handle(), Cudnn.ONE, filter.desc, w, output.desc,
                outGrad, conv, backwardDataAlgo, workspace.pointer(), workspace.size(), Cudnn.scale(accumulate),
                input.desc, inGrad), "cudnnConvolutionBackwardData");
    }

    /** wGrad = the weight gradient of {@link #forward} for this input and output gradient. */
    void backwardFilter(Pointer in, Pointer outGrad, Pointer wGrad, boolean accumulate) {
        CudaStatus.cudnn(JCudnn.cudnnConvolutionBackwardFilter(cudnn.handle(), Cudnn.ONE, input.desc, in, output.desc,
                outGrad, conv, backwardFilterAlgo, workspace.pointer(), workspace.size(), Cudnn.scale(accumulate),
                filter.desc, wGrad), "cudnnConvolutionBackwardFilter");
    }

    @Override
    public void close() {
        if (convOpen) {
            convOpen = false;
            CudaStatus.cudnn(JCudnn.cudnnDestroyConvolutionDescriptor(conv), "cudnnDestroyConvolutionDescriptor");
        }
        // Null when a failing constructor got no further.
        if (filter != null) {
            filter.close();
        }
        if (output != null) {
            output.close();
        }
        if (input != null) {
            input.close();
        }
    }
}
