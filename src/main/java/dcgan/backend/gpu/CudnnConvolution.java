package dcgan.backend.gpu;

import dcgan.backend.ConvGeometry;
import dcgan.backend.gpu.ConvAlgorithmRanking.Candidate;
import dcgan.backend.gpu.GpuSettings.AlgorithmChoice;
import dcgan.backend.gpu.GpuSettings.MathMode;
import jcuda.Pointer;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionBwdFilterAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnConvolutionFwdAlgoPerf;

import java.util.ArrayList;
import java.util.List;

/**
 * The three cuDNN directions of one 4x4/stride-2/pad-1 convolution (forward, backward data, backward
 * filter) with their descriptors and chosen algorithms. {@link GpuConv} uses them as they are;
 * {@link GpuConvTranspose} uses backward data as its forward and forward as its backward data.
 *
 * <p>Algorithms are chosen once, when the layer is built, as {@link GpuSettings} say: from cuDNN's
 * heuristics (deterministic ones first) or by cuDNN timing them (the fastest), in plain FP32
 * ({@code CUDNN_FMA_MATH}: results agree with the CPU reference to FP32 rounding) or with TF32 tensor
 * cores allowed. The chosen algorithm's workspace is reserved in the shared {@link Workspace} then, so
 * that a training step allocates nothing. Each direction has its own convolution descriptor, because
 * under TF32 each takes the math type its own algorithm was measured or ranked with.
 */
final class CudnnConvolution implements AutoCloseable {

    private static final int REQUESTED_ALGOS = 16; // more than cuDNN has in any direction

    private final Cudnn cudnn;
    private final Workspace workspace;
    private final MathMode math;
    private final AlgorithmChoice choice;
    final Cudnn.TensorDesc input;   // [B, inC, H, W]
    final Cudnn.TensorDesc output;  // [B, outC, H/2, W/2]
    final Cudnn.FilterDesc filter;  // [outC, inC, 4, 4]
    private final Cudnn.ConvolutionDesc forwardConv;
    private final Cudnn.ConvolutionDesc backwardDataConv;
    private final Cudnn.ConvolutionDesc backwardFilterConv;
    private final int forwardAlgo;
    private final int backwardDataAlgo;
    private final int backwardFilterAlgo;

    CudnnConvolution(Cudnn cudnn, Workspace workspace, ConvGeometry g, GpuSettings settings) {
        this.cudnn = cudnn;
        this.workspace = workspace;
        this.math = settings.math();
        this.choice = settings.algorithms();
        try {
            input = new Cudnn.TensorDesc(g.batch(), g.inChannels(), g.inHeight(), g.inWidth());
            output = new Cudnn.TensorDesc(g.batch(), g.outChannels(), g.outHeight(), g.outWidth());
            filter = new Cudnn.FilterDesc(g.outChannels(), g.inChannels(), ConvGeometry.KERNEL, ConvGeometry.KERNEL);
            int base = ConvAlgorithmRanking.baseMathType(math);
            String shape = " for " + g;
            forwardConv = new Cudnn.ConvolutionDesc(ConvGeometry.PAD, ConvGeometry.STRIDE, base);
            forwardAlgo = choose("forward", forwardConv, this::forwardCandidates, (conv, algo, bytes) ->
                    JCudnn.cudnnGetConvolutionForwardWorkspaceSize(cudnn.handle(), input.desc, filter.desc, conv,
                            output.desc, algo, bytes), shape);
            backwardDataConv = new Cudnn.ConvolutionDesc(ConvGeometry.PAD, ConvGeometry.STRIDE, base);
            backwardDataAlgo = choose("backward-data", backwardDataConv, this::backwardDataCandidates, (conv, algo, bytes) ->
                    JCudnn.cudnnGetConvolutionBackwardDataWorkspaceSize(cudnn.handle(), filter.desc, output.desc, conv,
                            input.desc, algo, bytes), shape);
            backwardFilterConv = new Cudnn.ConvolutionDesc(ConvGeometry.PAD, ConvGeometry.STRIDE, base);
            backwardFilterAlgo = choose("backward-filter", backwardFilterConv, this::backwardFilterCandidates,
                    (conv, algo, bytes) -> JCudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize(cudnn.handle(),
                            input.desc, output.desc, conv, filter.desc, algo, bytes), shape);
        } catch (RuntimeException e) {
            Cleanup.afterFailure(e, this); // what was made so far; close() skips the rest
            throw e;
        }
    }

    /** One direction's algorithm list: measured (cudnnFind*) or heuristic (cudnnGet*_v7). */
    private interface CandidateList {
        List<Candidate> list(cudnnConvolutionDescriptor conv, boolean measured, String shape);
    }

    /** The workspace size query of one direction, for one algorithm; returns the cuDNN status. */
    private interface WorkspaceQuery {
        int bytes(cudnnConvolutionDescriptor conv, int algo, long[] result);
    }

    /**
     * The algorithm for one direction, its math type set on conv and its workspace reserved. Searching
     * falls back to the heuristic list when cuDNN's measurement fails or leaves nothing usable (a layer
     * that can run should not fail to build because timing it did); only when neither list has a usable
     * algorithm is that an error.
     */
    private int choose(String direction, Cudnn.ConvolutionDesc conv, CandidateList candidates, WorkspaceQuery query,
                       String shape) {
        if (choice == AlgorithmChoice.SEARCH) {
            List<Candidate> measured;
            try {
                conv.mathType(ConvAlgorithmRanking.baseMathType(math));
                measured = candidates.list(conv.desc, true, shape);
            } catch (CudaException e) {
                measured = List.of();
            }
            int algo = firstUsable(ConvAlgorithmRanking.preferred(measured, math, true), conv, query);
            if (algo >= 0) {
                return algo;
            }
        }
        conv.mathType(ConvAlgorithmRanking.baseMathType(math)); // a failed search may have left another
        int algo = firstUsable(ConvAlgorithmRanking.preferred(candidates.list(conv.desc, false, shape), math, false),
                conv, query);
        if (algo < 0) {
            throw new IllegalStateException("cuDNN offers no " + (math == MathMode.TF32 ? "FP32 or TF32 " : "FP32 ")
                                            + direction + " convolution algorithm" + shape);
        }
        return algo;
    }

    /**
     * The first candidate whose workspace can be sized with its math type set on conv (cuDNN sizes it for
     * the descriptor as it is), with that workspace reserved; -1 when none can.
     */
    private int firstUsable(List<Candidate> preferred, Cudnn.ConvolutionDesc conv, WorkspaceQuery query) {
        for (Candidate c : preferred) {
            conv.mathType(ConvAlgorithmRanking.descriptorMathType(c, math));
            long[] bytes = new long[1];
            if (query.bytes(conv.desc, c.algo(), bytes) != 0) {
                continue; // cannot be sized here after all: take the next one
            }
            workspace.reserve(bytes[0]);
            return c.algo();
        }
        return -1;
    }

    private List<Candidate> forwardCandidates(cudnnConvolutionDescriptor conv, boolean measured, String shape) {
        cudnnConvolutionFwdAlgoPerf[] perf = new cudnnConvolutionFwdAlgoPerf[REQUESTED_ALGOS];
        for (int i = 0; i < perf.length; i++) {
            perf[i] = new cudnnConvolutionFwdAlgoPerf();
        }
        int[] count = new int[1];
        if (measured) {
            CudaStatus.cudnn(JCudnn.cudnnFindConvolutionForwardAlgorithm(cudnn.handle(), input.desc, filter.desc, conv,
                    output.desc, REQUESTED_ALGOS, count, perf), "cudnnFindConvolutionForwardAlgorithm" + shape);
        } else {
            CudaStatus.cudnn(JCudnn.cudnnGetConvolutionForwardAlgorithm_v7(cudnn.handle(), input.desc, filter.desc, conv,
                    output.desc, REQUESTED_ALGOS, count, perf), "cudnnGetConvolutionForwardAlgorithm_v7" + shape);
        }
        List<Candidate> listed = new ArrayList<>();
        for (int i = 0; i < count[0]; i++) {
            cudnnConvolutionFwdAlgoPerf p = perf[i];
            listed.add(new Candidate(p.algo, p.status, p.time, p.determinism, p.mathType));
        }
        return listed;
    }

    private List<Candidate> backwardDataCandidates(cudnnConvolutionDescriptor conv, boolean measured, String shape) {
        cudnnConvolutionBwdDataAlgoPerf[] perf = new cudnnConvolutionBwdDataAlgoPerf[REQUESTED_ALGOS];
        for (int i = 0; i < perf.length; i++) {
            perf[i] = new cudnnConvolutionBwdDataAlgoPerf();
        }
        int[] count = new int[1];
        if (measured) {
            CudaStatus.cudnn(JCudnn.cudnnFindConvolutionBackwardDataAlgorithm(cudnn.handle(), filter.desc, output.desc,
                    conv, input.desc, REQUESTED_ALGOS, count, perf), "cudnnFindConvolutionBackwardDataAlgorithm" + shape);
        } else {
            CudaStatus.cudnn(JCudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7(cudnn.handle(), filter.desc, output.desc,
                    conv, input.desc, REQUESTED_ALGOS, count, perf), "cudnnGetConvolutionBackwardDataAlgorithm_v7" + shape);
        }
        List<Candidate> listed = new ArrayList<>();
        for (int i = 0; i < count[0]; i++) {
            cudnnConvolutionBwdDataAlgoPerf p = perf[i];
            listed.add(new Candidate(p.algo, p.status, p.time, p.determinism, p.mathType));
        }
        return listed;
    }

    private List<Candidate> backwardFilterCandidates(cudnnConvolutionDescriptor conv, boolean measured, String shape) {
        cudnnConvolutionBwdFilterAlgoPerf[] perf = new cudnnConvolutionBwdFilterAlgoPerf[REQUESTED_ALGOS];
        for (int i = 0; i < perf.length; i++) {
            perf[i] = new cudnnConvolutionBwdFilterAlgoPerf();
        }
        int[] count = new int[1];
        if (measured) {
            CudaStatus.cudnn(JCudnn.cudnnFindConvolutionBackwardFilterAlgorithm(cudnn.handle(), input.desc, output.desc,
                    conv, filter.desc, REQUESTED_ALGOS, count, perf), "cudnnFindConvolutionBackwardFilterAlgorithm" + shape);
        } else {
            CudaStatus.cudnn(JCudnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7(cudnn.handle(), input.desc, output.desc,
                    conv, filter.desc, REQUESTED_ALGOS, count, perf), "cudnnGetConvolutionBackwardFilterAlgorithm_v7" + shape);
        }
        List<Candidate> listed = new ArrayList<>();
        for (int i = 0; i < count[0]; i++) {
            cudnnConvolutionBwdFilterAlgoPerf p = perf[i];
            listed.add(new Candidate(p.algo, p.status, p.time, p.determinism, p.mathType));
        }
        return listed;
    }

    /** out = conv(in, w) (+ out when accumulating). */
    void forward(Pointer in, Pointer w, Pointer out, boolean accumulate) {
        CudaStatus.cudnn(JCudnn.cudnnConvolutionForward(cudnn.handle(), Cudnn.ONE, input.desc, in, filter.desc, w,
                forwardConv.desc, forwardAlgo, workspace.pointer(), workspace.size(), Cudnn.scale(accumulate),
                output.desc, out), "cudnnConvolutionForward");
    }

    /** inGrad = conv^T(outGrad, w): the adjoint of {@link #forward} in its input. */
    void backwardData(Pointer w, Pointer outGrad, Pointer inGrad, boolean accumulate) {
        CudaStatus.cudnn(JCudnn.cudnnConvolutionBackwardData(cudnn.handle(), Cudnn.ONE, filter.desc, w, output.desc,
                outGrad, backwardDataConv.desc, backwardDataAlgo, workspace.pointer(), workspace.size(),
                Cudnn.scale(accumulate), input.desc, inGrad), "cudnnConvolutionBackwardData");
    }

    /** wGrad = the weight gradient of {@link #forward} for this input and output gradient. */
    void backwardFilter(Pointer in, Pointer outGrad, Pointer wGrad, boolean accumulate) {
        CudaStatus.cudnn(JCudnn.cudnnConvolutionBackwardFilter(cudnn.handle(), Cudnn.ONE, input.desc, in, output.desc,
                outGrad, backwardFilterConv.desc, backwardFilterAlgo, workspace.pointer(), workspace.size(),
                Cudnn.scale(accumulate), filter.desc, wGrad), "cudnnConvolutionBackwardFilter");
    }

    @Override
    public void close() {
        // Newest first; null when a failing constructor got no further.
        if (backwardFilterConv != null) {
            backwardFilterConv.close();
        }
        if (backwardDataConv != null) {
            backwardDataConv.close();
        }
        if (forwardConv != null) {
            forwardConv.close();
        }
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
