package dcgan.backend.gpu;

import dcgan.backend.gpu.ConvAlgorithmRanking.Candidate;
import dcgan.backend.gpu.CudnnConvolution.Choice;
import dcgan.backend.gpu.CudnnConvolution.Direction;
import jcuda.jcudnn.cudnnMathType;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * gpu-check's line per convolution direction, on made-up choices: what cuDNN offered, what was chosen and
 * how, with workspace sizes. No GPU needed.
 */
class ConvAlgorithmReportTest {

    private static final int DET = 1;
    private static final int NONDET = 0;
    private static final int FMA = cudnnMathType.CUDNN_FMA_MATH;
    private static final int TENSOR_OP = cudnnMathType.CUDNN_TENSOR_OP_MATH;
    private static final IntFunction<String> STATUS = s -> s == 3000 ? "CUDNN_STATUS_NOT_SUPPORTED" : "CUDNN_STATUS_?";

    private static final Candidate PRECOMP = new Candidate(1, 0, -1f, 4096, DET, FMA);
    private static final Candidate IMPLICIT = new Candidate(0, 0, -1f, 0, DET, FMA);

    @Test
    void aHeuristicChoiceListsTheHeuristicsAndTheChosenEntry() {
        Choice c = new Choice(Direction.FORWARD, null, null, List.of(PRECOMP, IMPLICIT), PRECOMP, FMA, 4096);
        assertEquals("forward (cuDNN forward): heuristics offered 1:IMPLICIT_PRECOMP_GEMM det ws 4.0 KiB, "
                     + "0:IMPLICIT_GEMM det ws 0 B; chose 1:IMPLICIT_PRECOMP_GEMM (heuristic), FMA_MATH, workspace 4.0 KiB",
                ConvAlgorithmReport.describe(c, "forward", STATUS));
    }

    @Test
    void aSearchedChoiceListsTheMeasuredTimesAndFailedEntries() {
        Candidate tensorOps = new Candidate(1, 0, 0.3f, 3L << 20, DET, TENSOR_OP);
        Candidate nondet = new Candidate(0, 0, 0.4126f, 0, NONDET, FMA);
        Candidate fft = new Candidate(2, 3000, -1f, 0, DET, FMA);
        Choice c = new Choice(Direction.BACKWARD_DATA, List.of(tensorOps, nondet, fft), null, null, tensorOps,
                TENSOR_OP, 3L << 20);
        assertEquals("forward (cuDNN backward-data): search measured 1:ALGO_1 0.300 ms det tensor-op ws 3.0 MiB, "
                     + "0:ALGO_0 0.413 ms nondet ws 0 B, 2:FFT CUDNN_STATUS_NOT_SUPPORTED (3000); "
                     + "chose 1:ALGO_1 (searched), TENSOR_OP_MATH, workspace 3.0 MiB",
                ConvAlgorithmReport.describe(c, "forward", STATUS));
    }

    @Test
    void aFailedSearchSaysWhyAndThatTheHeuristicsDecided() {
        Choice failed = new Choice(Direction.BACKWARD_FILTER, List.of(), "cudnnFindConvolutionBackwardFilterAlgorithm "
                + "for ... failed: CUDNN_STATUS_INTERNAL_ERROR (4000)", List.of(IMPLICIT), IMPLICIT, FMA, 0);
        assertEquals("weight gradient (cuDNN backward-filter): search FAILED: cudnnFindConvolutionBackwardFilterAlgorithm "
                     + "for ... failed: CUDNN_STATUS_INTERNAL_ERROR (4000); heuristics offered 0:ALGO_0 det ws 0 B; "
                     + "chose 0:ALGO_0 (heuristic, as the search chose nothing), FMA_MATH, workspace 0 B",
                ConvAlgorithmReport.describe(failed, "weight gradient", STATUS));

        Candidate unusable = new Candidate(5, 3000, -1f, 0, DET, FMA);
        Choice nothingUsable = new Choice(Direction.FORWARD, List.of(unusable), "none of the 1 measured algorithms "
                + "is usable here", List.of(IMPLICIT), IMPLICIT, FMA, 0);
        assertEquals("input gradient (cuDNN forward): search measured 5:FFT_TILING CUDNN_STATUS_NOT_SUPPORTED (3000); "
                     + "but none of the 1 measured algorithms is usable here; heuristics offered 0:IMPLICIT_GEMM det "
                     + "ws 0 B; chose 0:IMPLICIT_GEMM (heuristic, as the search chose nothing), FMA_MATH, workspace 0 B",
                ConvAlgorithmReport.describe(nothingUsable, "input gradient", STATUS));
    }

    @Test
    void numbersTheBindingsDoNotKnowStayNumbersAndSizesReadEasily() {
        assertEquals("42", ConvAlgorithmReport.algorithm(Direction.FORWARD, 42));
        assertEquals("6:WINOGRAD", ConvAlgorithmReport.algorithm(Direction.FORWARD, 6));
        assertEquals("3:ALGO_3", ConvAlgorithmReport.algorithm(Direction.BACKWARD_FILTER, 3));
        assertEquals("math type 9", ConvAlgorithmReport.mathName(9));
        assertEquals("0 B", ConvAlgorithmReport.bytes(0));
        assertEquals("1023 B", ConvAlgorithmReport.bytes(1023));
        assertEquals("1.0 KiB", ConvAlgorithmReport.bytes(1024));
        assertEquals("1.5 MiB", ConvAlgorithmReport.bytes(3L << 19));
        assertEquals("2.00 GiB", ConvAlgorithmReport.bytes(2L << 30));
    }

    @Test
    void thePtxIsaIsItsVersionAndTargetDirectives() {
        assertEquals(".version 8.0 .target sm_75",
                Kernels.isaOf("// .version 9.0 in a comment\n.version 8.0\n.target sm_75\n.address_size 64\n\0"));
        for (String module : KernelPtxTest.ENTRIES.keySet()) {
            String isa = Kernels.isaOf(new String(Kernels.ptx(module), java.nio.charset.StandardCharsets.US_ASCII));
            assertEquals(".version 8.0 .target sm_75", isa, module);
        }
    }
}
