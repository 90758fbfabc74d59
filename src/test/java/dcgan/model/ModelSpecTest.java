package dcgan.model;

import dcgan.backend.cpu.CpuBackend;
import dcgan.data.PixelRange;
import dcgan.random.CounterRng;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two model families: PyTorch's example's DCGAN has its {@code state_dict} names, shapes and sizes at 64x64
 * and 32x32, its initial values, noise and range; the notebook's model keeps its own; each model's batch limit
 * and cost follow from its layers.
 */
class ModelSpecTest {

    private static final ModelSpec DCGAN64 = ModelSpec.dcgan(64, 3, 100, 64, 64);
    private static final ModelSpec DCGAN32 = ModelSpec.dcgan(32, 1, 100, 64, 64);

    /** Name to shape of every tensor of a layout, parameters then buffers. */
    private static Map<String, List<Integer>> shapes(NetworkLayout layout) {
        Map<String, List<Integer>> m = new LinkedHashMap<>();
        for (ParameterLayout p : List.of(layout.params(), layout.buffers())) {
            for (ParameterLayout.Entry e : p.entries()) {
                m.put(e.name(), java.util.Arrays.stream(e.shape()).boxed().toList());
            }
        }
        return m;
    }

    /** The tensors of PyTorch's BatchNorm2d(c) called {@code name}, but for num_batches_tracked. */
    private static void batchNorm(Map<String, List<Integer>> m, String name, int c) {
        for (String t : List.of("weight", "bias", "running_mean", "running_var")) {
            m.put(name + "." + t, List.of(c));
        }
    }

    /** As PyTorch 2.13 prints {@code netG.state_dict()} of the example at 64x64, nc 3, under "G.". */
    @Test
    void theGeneratorAt64HasTheExamplesNamesAndShapes() {
        Map<String, List<Integer>> expected = new LinkedHashMap<>();
        expected.put("G.main.0.weight", List.of(100, 512, 4, 4));
        expected.put("G.main.3.weight", List.of(512, 256, 4, 4));
        expected.put("G.main.6.weight", List.of(256, 128, 4, 4));
        expected.put("G.main.9.weight", List.of(128, 64, 4, 4));
        expected.put("G.main.12.weight", List.of(64, 3, 4, 4));
        Map<String, List<Integer>> bn = new LinkedHashMap<>();
        batchNorm(bn, "G.main.1", 512);
        batchNorm(bn, "G.main.4", 256);
        batchNorm(bn, "G.main.7", 128);
        batchNorm(bn, "G.main.10", 64);
        expected.putAll(bn);
        Map<String, List<Integer>> actual = shapes(Generator.layout(DCGAN64));
        assertEquals(new java.util.TreeMap<>(expected), new java.util.TreeMap<>(actual));
        // PyTorch counts the trainable parameters of the example's netG and netD at 64x64x3 as these.
        assertEquals(3_576_704, Generator.layout(DCGAN64).params().size());
        assertEquals(2_765_568, Discriminator.layout(DCGAN64).params().size());
    }

    @Test
    void theDiscriminatorAt64HasTheExamplesNamesAndShapes() {
        Map<String, List<Integer>> expected = new LinkedHashMap<>();
        expected.put("D.main.0.weight", List.of(64, 3, 4, 4));
        expected.put("D.main.2.weight", List.of(128, 64, 4, 4));
        expected.put("D.main.5.weight", List.of(256, 128, 4, 4));
        expected.put("D.main.8.weight", List.of(512, 256, 4, 4));
        expected.put("D.main.11.weight", List.of(1, 512, 4, 4));
        batchNorm(expected, "D.main.3", 128);
        batchNorm(expected, "D.main.6", 256);
        batchNorm(expected, "D.main.9", 512);
        assertEquals(new java.util.TreeMap<>(expected), new java.util.TreeMap<>(shapes(Discriminator.layout(DCGAN64))));
    }

    /** At 32x32 the 64-channel layers are left out, as a 32x32 build of the example's classes does. */
    @Test
    void at32TheWidestLayersStayAndTheLastLevelGoes() {
        Map<String, List<Integer>> g = shapes(Generator.layout(DCGAN32));
        assertEquals(List.of(100, 512, 4, 4), g.get("G.main.0.weight"));
        assertEquals(List.of(128, 1, 4, 4), g.get("G.main.9.weight"));
        assertFalse(g.containsKey("G.main.12.weight"));
        Map<String, List<Integer>> d = shapes(Discriminator.layout(DCGAN32));
        assertEquals(List.of(128, 1, 4, 4), d.get("D.main.0.weight"));
        assertEquals(List.of(1, 512, 4, 4), d.get("D.main.8.weight"));
        assertEquals(3_444_480, Generator.layout(DCGAN32).params().size());
        assertEquals(2_633_216, Discriminator.layout(DCGAN32).params().size());
    }

    /** Network sizes chain: G puts out C x S x S, D takes it and puts out one logit. */
    @Test
    void theNetworksChainFromNoiseToImageToLogit() {
        for (ModelSpec m : List.of(DCGAN64, DCGAN32, ModelSpec.dcgan(64, 1, 7, 5, 3), ModelSpec.notebook(3, 100),
                ModelSpec.MNIST)) {
            int size = m.zDim();
            for (Layer l : m.generator()) {
                size = l.outSize(l.inSize() == Layer.ANY ? size : l.inSize());
            }
            assertEquals(m.pixelsPerImage(), size, m.describe());
            for (Layer l : m.discriminator()) {
                size = l.outSize(l.inSize() == Layer.ANY ? size : l.inSize());
            }
            assertEquals(1, size, m.describe());
        }
    }

    /**
     * Weights from N(0, 0.02), batch-norm scales from N(1, 0.02), shifts 0 and no biases: the example's
     * weights_init; the notebook's model keeps its truncated normal and biases.
     */
    @Test
    void initialValuesAreTheExamples() {
        try (CpuBackend cpu = new CpuBackend(1);
             NetworkState g = new NetworkState(cpu, Generator.layout(DCGAN32), CounterRng.STREAM_INIT_BASE)) {
            g.initialise(new CounterRng(3));
            float[] values = cpu.download(g.params());
            for (ParameterLayout.Entry e : g.paramLayout().entries()) {
                double sum = 0;
                double squares = 0;
                for (int i = 0; i < e.size(); i++) {
                    sum += values[e.offset() + i];
                    squares += values[e.offset() + i] * (double) values[e.offset() + i];
                }
                double mean = sum / e.size();
                double std = Math.sqrt(squares / e.size() - mean * mean);
                String what = e.name() + ": mean " + mean + ", std " + std;
                boolean bnShift = e.name().endsWith(".bias");
                boolean bnScale = e.name().endsWith(".weight") && e.shape().length == 1;
                assertFalse(bnShift && !e.name().matches("G\\.main\\.\\d+\\.bias"), "only batch norms have biases");
                if (bnShift) {
                    assertEquals(0, std, what);
                    assertEquals(0, mean, what);
                } else {
                    assertEquals(bnScale ? 1 : 0, mean, 0.01, what);
                    assertEquals(0.02, std, e.size() > 1000 ? 0.001 : 0.006, what);
                }
            }
            // A plain normal has tails a truncated one has not.
            float largest = 0;
            for (float v : values) {
                largest = Math.max(largest, Math.abs(v - (Math.abs(v - 1) < 0.2 ? 1 : 0)));
            }
            assertTrue(largest > 0.08, "draws beyond 4 standard deviations: " + largest);
        }
    }

    @Test
    void eachFamilyHasItsNoiseRangeAndRecipe() {
        assertEquals(ModelSpec.Noise.UNIFORM, ModelSpec.MNIST.noise());
        assertEquals(PixelRange.UNIT, ModelSpec.MNIST.range());
        assertFalse(ModelSpec.MNIST.reusesGeneratedImages());
        assertEquals(ModelSpec.Noise.NORMAL, DCGAN64.noise());
        assertEquals(PixelRange.SYMMETRIC, DCGAN64.range());
        assertTrue(DCGAN64.reusesGeneratedImages());
        assertEquals(Layer.Activation.Kind.TANH,
                ((Layer.Activation) DCGAN64.generator().get(DCGAN64.generator().size() - 1)).kind());
        assertEquals(Layer.Activation.Kind.SIGMOID,
                ((Layer.Activation) ModelSpec.MNIST.generator().get(ModelSpec.MNIST.generator().size() - 1)).kind());
        assertEquals(ModelSpec.MNIST, ModelSpec.forImages(28, 1, 100, 5, 5));
        assertEquals(DCGAN64, ModelSpec.forImages(64, 3, 100, 64, 64));
    }

    @Test
    void modelsThatCannotBeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.dcgan(28, 3, 100, 64, 64));
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.dcgan(48, 3, 100, 64, 64));
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.dcgan(64, 2, 100, 64, 64));
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.dcgan(64, 3, 100, 0, 64));
        assertThrows(IllegalArgumentException.class, () -> new ModelSpec(ModelSpec.Family.NOTEBOOK, 32, 1, 100, 0, 0));
    }

    /**
     * The cost of an iteration, from the layers: the notebook's 156 M multiply-adds per image (docs/model.md);
     * the DCGAN at 64x64, with G run once, about 1.14 G: G's forward about 105 M, D's about 104 M.
     */
    @Test
    void anIterationsCostFollowsFromTheLayers() {
        assertEquals(156e6, ModelSpec.MNIST.multiplyAddsPerIteration(), 0.5e6);
        long g = DCGAN64.generator().stream().mapToLong(Layer::multiplyAdds).sum();
        long d = DCGAN64.discriminator().stream().mapToLong(Layer::multiplyAdds).sum();
        assertEquals(100L * 512 * 16 + 3 * 33_554_432L + 64L * 3 * 16 * 32 * 32, g);
        assertEquals(64L * 3 * 16 * 32 * 32 + 3 * 33_554_432L + 512L * 16, d);
        // One G forward, three D forwards; D's two weight-and-input backward passes but for the images' gradient,
        // one through D to the images, and G's weights and inputs but for z's.
        long first = 64L * 3 * 16 * 32 * 32;
        assertEquals(g + 3 * d + 2 * (2 * d - first) + d + (2 * g - 100L * 512 * 16),
                (long) DCGAN64.multiplyAddsPerIteration());
    }

    /**
     * The batch limit follows from the largest buffer: at 64x64 D.main.2's and G.main.9's patch matrices, 256
     * rows of 1,024 per image.
     */
    @Test
    void theBatchLimitFollowsFromTheLargestBuffer() {
        assertEquals(2047, DCGAN64.maxBatchSize());
        assertTrue(DCGAN64.largestBuffer(2048).what().contains("im2col patch matrix [524288, 1024]"),
                DCGAN64.largestBuffer(2048).what());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DCGAN64.requireFits(2048));
        assertTrue(e.getMessage().startsWith("--batch-size 2048 is too large: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("at most 2047 images per batch for DCGAN 64x64 (3 channels, ngf 64, ndf 64)"),
                e.getMessage());
        DCGAN64.requireFits(2047);
        List<Integer> limits = new ArrayList<>();
        for (int ngf : new int[] {16, 64, 128}) {
            limits.add(ModelSpec.dcgan(64, 3, 100, ngf, ngf).maxBatchSize());
        }
        assertTrue(limits.get(0) > limits.get(1) && limits.get(1) > limits.get(2), limits.toString());
    }
}
