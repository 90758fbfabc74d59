package dcgan.model;

import dcgan.model.ModelSpec;
import dcgan.backend.cpu.CpuBackend;
import dcgan.random.CounterRng;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tensor names and shapes are those of the equivalent PyTorch modules; initial values follow docs/model.md. */
class NetworkLayoutTest {

    private static Map<String, List<Integer>> shapes(ParameterLayout layout) {
        Map<String, List<Integer>> m = new LinkedHashMap<>();
        for (ParameterLayout.Entry e : layout.entries()) {
            m.put(e.name(), java.util.Arrays.stream(e.shape()).boxed().toList());
        }
        return m;
    }

    @Test
    void discriminatorTensorsHavePyTorchNamesAndShapes() {
        NetworkLayout d = Discriminator.layout(ModelSpec.MNIST);
        Map<String, List<Integer>> expected = new LinkedHashMap<>();
        expected.put("D.c1.weight", List.of(64, 1, 4, 4));
        expected.put("D.c1.bias", List.of(64));
        expected.put("D.c2.weight", List.of(128, 64, 4, 4));
        expected.put("D.c2.bias", List.of(128));
        expected.put("D.bn2.weight", List.of(128));
        expected.put("D.bn2.bias", List.of(128));
        expected.put("D.l3.weight", List.of(1024, 6272));
        expected.put("D.l3.bias", List.of(1024));
        expected.put("D.bn3.weight", List.of(1024));
        expected.put("D.bn3.bias", List.of(1024));
        expected.put("D.l4.weight", List.of(1, 1024));
        expected.put("D.l4.bias", List.of(1));
        assertEquals(expected, shapes(d.params()));
        assertEquals(List.of("D.bn2.running_mean", "D.bn2.running_var", "D.bn3.running_mean", "D.bn3.running_var"),
                List.copyOf(shapes(d.buffers()).keySet()));
        assertEquals(1024 + 64 + 131072 + 128 + 256 + 6422528 + 1024 + 2048 + 1024 + 1, d.params().size());
    }

    @Test
    void generatorTensorsHavePyTorchNamesAndShapes() {
        NetworkLayout g = Generator.layout(ModelSpec.MNIST);
        Map<String, List<Integer>> expected = new LinkedHashMap<>();
        expected.put("G.l1.weight", List.of(1024, 100));
        expected.put("G.l1.bias", List.of(1024));
        expected.put("G.bn1.weight", List.of(1024));
        expected.put("G.bn1.bias", List.of(1024));
        expected.put("G.l2.weight", List.of(6272, 1024));
        expected.put("G.l2.bias", List.of(6272));
        expected.put("G.bn2.weight", List.of(6272));
        expected.put("G.bn2.bias", List.of(6272));
        expected.put("G.d3.weight", List.of(128, 64, 4, 4)); // ConvTranspose2d: [in, out, kh, kw]
        expected.put("G.d3.bias", List.of(64));
        expected.put("G.bn3.weight", List.of(64));
        expected.put("G.bn3.bias", List.of(64));
        expected.put("G.d4.weight", List.of(64, 1, 4, 4));
        expected.put("G.d4.bias", List.of(1));
        assertEquals(expected, shapes(g.params()));
        assertEquals(6, g.buffers().entries().size());
    }

    @Test
    void initialValuesFollowTheSpec() {
        try (CpuBackend cpu = new CpuBackend(1);
             NetworkState s = new NetworkState(cpu, Discriminator.layout(ModelSpec.MNIST), CounterRng.STREAM_INIT_BASE)) {
            s.initialise(new CounterRng(42));
            float[] w = cpu.download(s.param("D.l3.weight"));
            double sum = 0;
            double sq = 0;
            for (float v : w) {
                assertTrue(Math.abs(v) <= 0.04f, "truncated at 2 stddev: " + v);
                sum += v;
                sq += (double) v * v;
            }
            double mean = sum / w.length;
            double std = Math.sqrt(sq / w.length - mean * mean);
            assertEquals(0, mean, 1e-4);
            assertEquals(0.02 * 0.8796, std, 2e-4, "std of a normal truncated at 2 sigma");
            for (String zero : List.of("D.c1.bias", "D.l3.bias", "D.l4.bias", "D.bn2.bias")) {
                for (float v : cpu.download(s.param(zero))) {
                    assertEquals(0f, v, zero);
                }
            }
            for (float v : cpu.download(s.param("D.bn3.weight"))) {
                assertEquals(1f, v);
            }
            for (float v : cpu.download(s.buffer("D.bn2.running_var"))) {
                assertEquals(1f, v);
            }
            for (float v : cpu.download(s.buffer("D.bn2.running_mean"))) {
                assertEquals(0f, v);
            }
            // Different tensors draw from different streams: c1 and c2 do not start alike.
            float[] c1 = cpu.download(s.param("D.c1.weight"));
            float[] c2 = cpu.download(s.param("D.c2.weight"));
            assertTrue(c1[0] != c2[0] || c1[1] != c2[1]);
            // The same seed gives the same network.
            float[] again = NetworkState.initialValues(Discriminator.layout(ModelSpec.MNIST).params(), new CounterRng(42),
                    CounterRng.STREAM_INIT_BASE);
            assertArrayEquals(cpu.download(s.params()), again);
        }
    }
}
