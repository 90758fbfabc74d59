package dcgan.backend.gpu;

import dcgan.backend.gpu.ConvAlgorithmRanking.Candidate;
import dcgan.backend.gpu.GpuSettings.MathMode;
import jcuda.jcudnn.cudnnMathType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The choice among cuDNN's listed convolution algorithms, on made-up perf entries: no GPU needed, so it
 * runs in CI. What a real cuDNN lists cannot be tested here; that the layers run what is chosen is the
 * gpu-tagged tests' part.
 */
class ConvAlgorithmRankingTest {

    private static final int OK = 0;
    private static final int FAILED = 3000;
    private static final int DET = 1;
    private static final int NONDET = 0;
    private static final int DEFAULT = cudnnMathType.CUDNN_DEFAULT_MATH;
    private static final int TENSOR_OP = cudnnMathType.CUDNN_TENSOR_OP_MATH;
    private static final int CONVERSION = cudnnMathType.CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
    private static final int FMA = cudnnMathType.CUDNN_FMA_MATH;

    /** A measured list as cuDNN's Find orders it: fastest first, the failure last. */
    private static final List<Candidate> MEASURED = List.of(
            new Candidate(1, OK, 0.2f, 0, DET, TENSOR_OP),
            new Candidate(0, OK, 0.4f, 0, NONDET, DEFAULT),
            new Candidate(1, OK, 0.7f, 0, DET, DEFAULT),
            new Candidate(2, FAILED, -1f, 0, DET, DEFAULT));

    private static List<Integer> algos(List<Candidate> cs) {
        return cs.stream().map(Candidate::algo).toList();
    }

    @Test
    void heuristicPrefersDeterministicAlgorithmsAndOtherwiseKeepsCudnnsOrder() {
        List<Candidate> ranked = List.of(
                new Candidate(0, OK, -1f, 0, NONDET, FMA),
                new Candidate(3, OK, -1f, 0, NONDET, FMA),
                new Candidate(1, OK, -1f, 0, DET, FMA),
                new Candidate(5, OK, -1f, 0, DET, FMA));
        assertEquals(List.of(1, 5, 0, 3), algos(ConvAlgorithmRanking.preferred(ranked, MathMode.FP32, false)));
        assertEquals(List.of(1, 5, 0, 3), algos(ConvAlgorithmRanking.preferred(ranked, MathMode.TF32, false)));
    }

    @Test
    void searchTakesTheFastestEvenWhenItIsNotDeterministic() {
        List<Candidate> unsorted = List.of(MEASURED.get(2), MEASURED.get(3), MEASURED.get(1));
        assertEquals(List.of(0, 1), algos(ConvAlgorithmRanking.preferred(unsorted, MathMode.FP32, true)));
    }

    @Test
    void fp32NeverTriesATensorOpAlgorithmAndTf32Does() {
        List<Candidate> fp32 = ConvAlgorithmRanking.preferred(MEASURED, MathMode.FP32, true);
        assertEquals(List.of(0, 1), algos(fp32));
        assertEquals(List.of(DEFAULT, DEFAULT), fp32.stream().map(Candidate::mathType).toList());

        List<Candidate> tf32 = ConvAlgorithmRanking.preferred(MEASURED, MathMode.TF32, true);
        assertEquals(List.of(1, 0, 1), algos(tf32));
        assertEquals(TENSOR_OP, tf32.get(0).mathType());

        List<Candidate> heuristic = List.of(
                new Candidate(1, OK, -1f, 0, DET, CONVERSION),
                new Candidate(0, OK, -1f, 0, DET, DEFAULT));
        assertEquals(List.of(0), algos(ConvAlgorithmRanking.preferred(heuristic, MathMode.FP32, false)));
        assertEquals(List.of(1, 0), algos(ConvAlgorithmRanking.preferred(heuristic, MathMode.TF32, false)));
    }

    @Test
    void failedEntriesAreNeverTried() {
        List<Candidate> allFailed = List.of(new Candidate(2, FAILED, -1f, 0, DET, DEFAULT));
        for (MathMode math : MathMode.values()) {
            for (boolean measured : new boolean[] {true, false}) {
                assertEquals(List.of(), ConvAlgorithmRanking.preferred(allFailed, math, measured));
            }
        }
        assertEquals(List.of(), ConvAlgorithmRanking.preferred(List.of(), MathMode.TF32, true));
    }

    @Test
    void theDescriptorGetsFmaUnderFp32AndTheEntrysTensorOpTypeUnderTf32() {
        Candidate tensorOps = MEASURED.get(0);
        Candidate plain = MEASURED.get(1);
        assertEquals(FMA, ConvAlgorithmRanking.baseMathType(MathMode.FP32));
        assertEquals(DEFAULT, ConvAlgorithmRanking.baseMathType(MathMode.TF32));
        assertEquals(FMA, ConvAlgorithmRanking.descriptorMathType(plain, MathMode.FP32));
        assertEquals(DEFAULT, ConvAlgorithmRanking.descriptorMathType(plain, MathMode.TF32));
        assertEquals(TENSOR_OP, ConvAlgorithmRanking.descriptorMathType(tensorOps, MathMode.TF32));
        assertEquals(CONVERSION, ConvAlgorithmRanking.descriptorMathType(
                new Candidate(1, OK, 0f, 0, DET, CONVERSION), MathMode.TF32));
    }

    @Test
    void settingsDescribeOnlyWhatDiffersFromTheDefaults() {
        assertEquals("", GpuSettings.DEFAULT.describeNonDefault());
        assertEquals(", TF32", new GpuSettings(MathMode.TF32, GpuSettings.AlgorithmChoice.HEURISTIC).describeNonDefault());
        assertEquals(", TF32, searched conv algorithms",
                new GpuSettings(MathMode.TF32, GpuSettings.AlgorithmChoice.SEARCH).describeNonDefault());
        assertEquals(", searched conv algorithms",
                new GpuSettings(MathMode.FP32, GpuSettings.AlgorithmChoice.SEARCH).describeNonDefault());
    }
}
