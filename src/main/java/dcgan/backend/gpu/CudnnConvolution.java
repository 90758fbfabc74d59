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
import jcuda.jcudnn.cudnnHandle;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Supplier;

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
    private final List<Choice> choices = new ArrayList<>(); // forward, backward data, backward filter

    CudnnConvolution(Cudnn cudnn, Workspace workspace, ConvGeometry g, GpuSettings settings) {
        this.cudnn = cudnn;
        this.workspace = workspace;
        this.math = settings.math();
        this.choice = settings.algorithms();
        try {
            input = new Cudnn.TensorDesc(g.batch(), g.inChannels(), g.inHeight(), g.inWidth());
            output = new Cudnn.TensorDesc(g.batch(), g.outChannels(), g.outHeight(), g.outWidth());
            filter = new Cudnn.FilterDesc(g.outChannels(), g.inChannels(), ConvGeometry.KERNEL, ConvGeometry.KERNEL);
            String shape = " for " + g;
            forwardConv = newDescriptor();
            forwardAlgo = choose(Direction.FORWARD, forwardConv, shape);
            backwardDataConv = newDescriptor();
            backwardDataAlgo = choose(Direction.BACKWARD_DATA, backwardDataConv, shape);
            backwardFilterConv = newDescriptor();
            backwardFilterAlgo = choose(Direction.BACKWARD_FILTER, backwardFilterConv, shape);
        } catch (RuntimeException e) {
            Cleanup.afterFailure(e, this); // what was made so far; close() skips the rest
            throw e;
        }
    }

    private Cudnn.ConvolutionDesc newDescriptor() {
        return new Cudnn.ConvolutionDesc(ConvGeometry.PAD, ConvGeometry.STRIDE, ConvAlgorithmRanking.baseMathType(math));
    }

    /** The three directions of a convolution, named as cuDNN names their calls. */
    enum Direction {
        FORWARD("forward", "Forward"),
        BACKWARD_DATA("backward-data", "BackwardData"),
        BACKWARD_FILTER("backward-filter", "BackwardFilter");

        final String label;
        private final String call;

        Direction(String label, String call) {
            this.label = label;
            this.call = call;
        }

        /** The cuDNN call that lists this direction's algorithms, measured (Find) or ranked (Get..._v7). */
        String listCall(boolean measured) {
            return measured ? "cudnnFindConvolution" + call + "Algorithm" : "cudnnGetConvolution" + call + "Algorithm_v7";
        }
    }

    /**
     * What choosing one direction's algorithm saw and did, kept for diagnostics ({@code gpu-check}).
     *
     * @param measured       the search's list (cudnnFind*), fastest first; null when no search was asked for,
     *                       empty when it failed
     * @param searchFailure  why the search chose nothing (its failed call, or no usable entry), which made the
     *                       heuristic list decide; null when the search chose or none was asked for
     * @param ranked         the heuristics' list (cudnnGet*_v7) in cuDNN's order; null when the search chose
     * @param chosen         the entry chosen, from the search's list when {@code ranked} is null
     * @param mathType       the math type set on the direction's descriptor for it
     * @param workspaceBytes the workspace cuDNN sized for it, reserved in the shared workspace
     */
    record Choice(Direction direction, List<Candidate> measured, String searchFailure, List<Candidate> ranked,
                  Candidate chosen, int mathType, long workspaceBytes) {
    }

    /** The choices made for forward, backward data and backward filter, in that order. */
    List<Choice> choices() {
        return List.copyOf(choices);
    }

    /** A candidate that can run here: its math type is set on the descriptor and its workspace reserved. */
    private record Usable(Candidate candidate, int mathType, long workspaceBytes) {
    }

    /**
     * The algorithm for one direction, its math type set on conv and its workspace reserved. Searching
     * falls back to the heuristic list when cuDNN's measurement fails or leaves nothing usable (a layer
     * that can run should not fail to build because timing it did); only when neither list has a usable
     * algorithm is that an error.
     */
    private int choose(Direction direction, Cudnn.ConvolutionDesc conv, String shape) {
        List<Candidate> measured = null;
        String searchFailure = null;
        if (choice == AlgorithmChoice.SEARCH) {
            try {
                conv.mathType(ConvAlgorithmRanking.baseMathType(math));
                measured = candidates(direction, conv.desc, true, shape);
            } catch (CudaException e) {
                measured = List.of();
                searchFailure = e.getMessage();
            }
            Usable found = firstUsable(direction, ConvAlgorithmRanking.preferred(measured, math, true), conv);
            if (found != null) {
                return chose(new Choice(direction, measured, null, null, found.candidate(), found.mathType(),
                        found.workspaceBytes()));
            }
            if (searchFailure == null) {
                searchFailure = "none of the " + measured.size() + " measured algorithms is usable here";
            }
        }
        conv.mathType(ConvAlgorithmRanking.baseMathType(math)); // a failed search may have left another
        List<Candidate> ranked = candidates(direction, conv.desc, false, shape);
        Usable found = firstUsable(direction, ConvAlgorithmRanking.preferred(ranked, math, false), conv);
        if (found == null) {
            throw new IllegalStateException("cuDNN offers no " + (math == MathMode.TF32 ? "FP32 or TF32 " : "FP32 ")
                                            + direction.label + " convolution algorithm" + shape);
        }
        return chose(new Choice(direction, measured, searchFailure, ranked, found.candidate(), found.mathType(),
                found.workspaceBytes()));
    }

    private int chose(Choice c) {
        choices.add(c);
        return c.chosen().algo();
    }

    /**
     * The first candidate whose workspace can be sized with its math type set on conv (cuDNN sizes it for
     * the descriptor as it is), with that workspace reserved; null when none can.
     */
    private Usable firstUsable(Direction direction, List<Candidate> preferred, Cudnn.ConvolutionDesc conv) {
        for (Candidate c : preferred) {
            int mathType = ConvAlgorithmRanking.descriptorMathType(c, math);
            conv.mathType(mathType);
            long[] bytes = new long[1];
            if (workspaceBytes(direction, conv.desc, c.algo(), bytes) != 0) {
                continue; // cannot be sized here after all: take the next one
            }
            workspace.reserve(bytes[0]);
            return new Usable(c, mathType, bytes[0]);
        }
        return null;
    }

    /** cuDNN's workspace size for one direction and algorithm, into {@code bytes[0]}; returns the cuDNN status. */
    private int workspaceBytes(Direction direction, cudnnConvolutionDescriptor conv, int algo, long[] bytes) {
        cudnnHandle h = cudnn.handle();
        return switch (direction) {
            case FORWARD -> JCudnn.cudnnGetConvolutionForwardWorkspaceSize(h, input.desc, filter.desc, conv,
                    output.desc, algo, bytes);
            case BACKWARD_DATA -> JCudnn.cudnnGetConvolutionBackwardDataWorkspaceSize(h, filter.desc, output.desc,
                    conv, input.desc, algo, bytes);
            case BACKWARD_FILTER -> JCudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize(h, input.desc, output.desc,
                    conv, filter.desc, algo, bytes);
        };
    }

    /**
     * cuDNN's algorithm list for one direction: measured ({@code cudnnFind*}) or ranked by its heuristics
     * ({@code cudnnGet*_v7}). The three directions differ only in their perf struct and argument order.
     */
    private List<Candidate> candidates(Direction direction, cudnnConvolutionDescriptor conv, boolean measured,
                                       String shape) {
        List<Candidate> listed = new ArrayList<>();
        int status;
        try {
            status = list(direction, conv, measured, listed);
        } catch (ArrayIndexOutOfBoundsException e) {
            // The JCudnn binding copies the returned count back, and that many entries, even when the call
            // failed and left the count garbage; a count above the entries passed makes it throw this instead
            // of returning the status. So the call failed, and its status is lost.
            throw new CudaException(direction.listCall(measured) + shape, "an error status that the JCudnn binding "
                    + "lost (it threw " + e + " copying back the result of the failed call)", false, null);
        }
        CudaStatus.cudnn(status, direction.listCall(measured) + shape);
        return listed;
    }

    /** One direction's list call, its entries added to {@code listed}; returns cuDNN's status. */
    private int list(Direction direction, cudnnConvolutionDescriptor conv, boolean measured, List<Candidate> listed) {
        cudnnHandle h = cudnn.handle();
        int n = REQUESTED_ALGOS;
        int[] count = new int[1];
        return switch (direction) {
            case FORWARD -> {
                var perf = perfs(cudnnConvolutionFwdAlgoPerf[]::new, cudnnConvolutionFwdAlgoPerf::new);
                int s = measured
                        ? JCudnn.cudnnFindConvolutionForwardAlgorithm(h, input.desc, filter.desc, conv, output.desc, n, count, perf)
                        : JCudnn.cudnnGetConvolutionForwardAlgorithm_v7(h, input.desc, filter.desc, conv, output.desc, n, count, perf);
                yield collect(s, count, perf, p -> new Candidate(p.algo, p.status, p.time, p.memory, p.determinism, p.mathType), listed);
            }
            case BACKWARD_DATA -> {
                var perf = perfs(cudnnConvolutionBwdDataAlgoPerf[]::new, cudnnConvolutionBwdDataAlgoPerf::new);
                int s = measured
                        ? JCudnn.cudnnFindConvolutionBackwardDataAlgorithm(h, filter.desc, output.desc, conv, input.desc, n, count, perf)
                        : JCudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7(h, filter.desc, output.desc, conv, input.desc, n, count, perf);
                yield collect(s, count, perf, p -> new Candidate(p.algo, p.status, p.time, p.memory, p.determinism, p.mathType), listed);
            }
            case BACKWARD_FILTER -> {
                var perf = perfs(cudnnConvolutionBwdFilterAlgoPerf[]::new, cudnnConvolutionBwdFilterAlgoPerf::new);
                int s = measured
                        ? JCudnn.cudnnFindConvolutionBackwardFilterAlgorithm(h, input.desc, output.desc, conv, filter.desc, n, count, perf)
                        : JCudnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7(h, input.desc, output.desc, conv, filter.desc, n, count, perf);
                yield collect(s, count, perf, p -> new Candidate(p.algo, p.status, p.time, p.memory, p.determinism, p.mathType), listed);
            }
        };
    }

    /**
     * Adds the entries cuDNN filled to {@code listed}, and returns its status. The count is read only after a
     * success: the JCudnn binding copies it back even when the call failed, uninitialised then. It is never
     * taken to be more than the entries passed.
     */
    private static <P> int collect(int status, int[] count, P[] perf, Function<P, Candidate> entry, List<Candidate> listed) {
        if (status == 0) {
            for (int i = 0; i < Math.min(count[0], perf.length); i++) {
                listed.add(entry.apply(perf[i]));
            }
        }
        return status;
    }

    private static <P> P[] perfs(IntFunction<P[]> array, Supplier<P> entry) {
        P[] perf = array.apply(REQUESTED_ALGOS);
        for (int i = 0; i < perf.length; i++) {
            perf[i] = entry.get();
        }
        return perf;
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
