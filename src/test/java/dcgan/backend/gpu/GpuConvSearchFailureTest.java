package dcgan.backend.gpu;

import dcgan.backend.ConvGeometry;
import dcgan.backend.gpu.ConvAlgorithmRanking.Candidate;
import dcgan.backend.gpu.CudnnConvolution.Choice;
import dcgan.backend.gpu.GpuSettings.AlgorithmChoice;
import dcgan.backend.gpu.GpuSettings.MathMode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code --conv-algo search} when cuDNN's search fails: every direction falls back to the heuristic choice,
 * and the layers still compute what the CPU computes. A failed search reaches Java in an awkward way: the
 * JCudnn binding copies the returned algorithm count back, and that many entries, even when the call failed,
 * and with a count above the entries passed it throws ArrayIndexOutOfBoundsException instead of returning
 * the status.
 *
 * <p>Runs only against dev/fake-cuda with {@code FAKE_CUDNN_FIND_FAIL=1}, which makes every
 * {@code cudnnFind*Algorithm} call fail and leave a count of 2^30; {@code dev/fake-cuda/run-gpu-tests.sh} runs
 * this class a second time with it set. Otherwise each test skips, saying so.
 */
@Tag("gpu")
class GpuConvSearchFailureTest extends WeightedOpFixture {

    @BeforeAll
    static void openSearching() {
        reopenGpu(new GpuSettings(MathMode.FP32, AlgorithmChoice.SEARCH));
    }

    @BeforeEach
    void requireFailingSearches() {
        assumeTrue("1".equals(System.getenv("FAKE_CUDNN_FIND_FAIL")) && gpu != null
                   && gpu.describe().contains("Fake CUDA device"),
                "needs dev/fake-cuda with FAKE_CUDNN_FIND_FAIL=1 (dev/fake-cuda/run-gpu-tests.sh runs it so)");
    }

    private static final List<ConvGeometry> SHAPES = List.of(new ConvGeometry(3, 5, 6, 10, 7),
            new ConvGeometry(4, 64, 14, 14, 128));

    /** Small shapes: the arithmetic is GpuConvTest's; what matters here is that the layers build and run. */
    @Override
    Stream<Shapes> cases() {
        return Stream.of(conv("odd shape", SHAPES.get(0)), convTranspose("transposed, odd shape", SHAPES.get(0)));
    }

    @Test
    void everyDirectionAskedTheSearchSawItFailAndTookTheHeuristicChoice() {
        GpuBackend g = (GpuBackend) gpu;
        for (ConvGeometry shape : SHAPES) {
            try (CudnnConvolution searched = g.convolution(shape, AlgorithmChoice.SEARCH);
                 CudnnConvolution heuristic = g.convolution(shape, AlgorithmChoice.HEURISTIC)) {
                List<Choice> s = searched.choices();
                List<Choice> h = heuristic.choices();
                assertEquals(3, s.size());
                for (int i = 0; i < 3; i++) {
                    Choice c = s.get(i);
                    String what = shape + ", " + c.direction().label + ": " + c;
                    assertEquals(List.of(), c.measured(), what + ": the search was asked and listed nothing");
                    assertNotNull(c.searchFailure(), what);
                    assertTrue(c.searchFailure().startsWith(c.direction().listCall(true) + " for "), what);
                    assertTrue(c.searchFailure().contains("ArrayIndexOutOfBoundsException"),
                            what + ": the garbage count came back through the binding");
                    assertNotNull(c.ranked(), what + ": the heuristics decided");
                    assertEquals(h.get(i).direction(), c.direction());
                    assertEquals(h.get(i).chosen(), c.chosen(), what);
                    assertEquals(h.get(i).mathType(), c.mathType(), what);
                    assertEquals(h.get(i).workspaceBytes(), c.workspaceBytes(), what);
                    assertNull(h.get(i).measured(), "a heuristic layer never searches");
                }
                // Against the fake, the search's fastest backward algorithms are non-deterministic ones, which
                // the heuristic choice never takes first: the fallback is visible in the choice itself.
                for (Choice c : s.subList(1, 3)) {
                    Candidate chosen = c.chosen();
                    assertTrue(chosen.deterministic(), c.direction().label + ": " + chosen);
                }
            }
        }
    }
}
