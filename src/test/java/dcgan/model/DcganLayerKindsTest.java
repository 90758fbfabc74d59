package dcgan.model;

import static dcgan.model.Layer.Bias.NO_BIAS;
import static dcgan.model.Layer.batchNorm;
import static dcgan.model.Layer.conv;
import static dcgan.model.Layer.convFrom4x4To1x1;
import static dcgan.model.Layer.convTranspose;
import static dcgan.model.Layer.convTransposeFrom1x1To4x4;
import static dcgan.model.Layer.leakyRelu;
import static dcgan.model.Layer.relu;
import static dcgan.model.Layer.tanh;
import static dcgan.model.ParameterLayout.Init.NORMAL;
import static dcgan.model.ParameterLayout.Init.NORMAL_MEAN_ONE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dcgan.backend.BatchNormOp;
import dcgan.backend.Tensor;
import dcgan.backend.cpu.CpuBackend;
import dcgan.backend.cpu.NaiveOps;
import dcgan.random.CounterRng;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The layer kinds of PyTorch's DCGAN example, built into small networks: the 4x4 transposed convolution from 1x1
 * and the 4x4 convolution to 1x1 (linear layers with PyTorch's convolution weight shapes), convolutions without
 * a bias, batch norm with gamma drawn around 1, tanh, and the plain normal initial values. Each network's
 * output and every gradient (parameters and input) against a double-precision composition of {@link NaiveOps}
 * and its central finite differences.
 */
class DcganLayerKindsTest {

    private static final int B = 4;
    private static final double FD_STEP = 1e-6;
    private static final double TOL = 1e-4;

    /** A generator: z of 3 -> 4 x 4x4 -> 2 x 8x8, tanh. */
    private static final List<Layer> G = List.of(
            convTransposeFrom1x1To4x4("G.0", 3, 4, NORMAL), batchNorm("G.1", 4, 16, NORMAL_MEAN_ONE), relu(),
            convTranspose("G.3", 4, 2, 4, NO_BIAS, NORMAL), tanh());

    /** A discriminator: 3 x 16x16 -> 2 x 8x8 -> 4 x 4x4 -> one logit. */
    private static final List<Layer> D = List.of(
            conv("D.0", 3, 2, 16, NO_BIAS, NORMAL), leakyRelu(0.2f),
            conv("D.2", 2, 4, 8, NO_BIAS, NORMAL), batchNorm("D.3", 4, 16, NORMAL_MEAN_ONE), leakyRelu(0.2f),
            convFrom4x4To1x1("D.5", 4, 1, NORMAL));

    private static Map<String, List<Integer>> shapes(ParameterLayout layout) {
        Map<String, List<Integer>> m = new LinkedHashMap<>();
        for (ParameterLayout.Entry e : layout.entries()) {
            m.put(e.name(), Arrays.stream(e.shape()).boxed().toList());
        }
        return m;
    }

    @Test
    void layersDeclarePyTorchShapesAndNoBias() {
        Map<String, List<Integer>> g = new LinkedHashMap<>();
        g.put("G.0.weight", List.of(3, 4, 4, 4)); // ConvTranspose2d: [in, out, kh, kw]
        g.put("G.1.weight", List.of(4));
        g.put("G.1.bias", List.of(4));
        g.put("G.3.weight", List.of(4, 2, 4, 4));
        assertEquals(g, shapes(NetworkLayout.of(G).params()));
        assertEquals(List.of("G.1.running_mean", "G.1.running_var"),
                List.copyOf(shapes(NetworkLayout.of(G).buffers()).keySet()));
        Map<String, List<Integer>> d = new LinkedHashMap<>();
        d.put("D.0.weight", List.of(2, 3, 4, 4));
        d.put("D.2.weight", List.of(4, 2, 4, 4));
        d.put("D.3.weight", List.of(4));
        d.put("D.3.bias", List.of(4));
        d.put("D.5.weight", List.of(1, 4, 4, 4)); // Conv2d: [out, in, kh, kw]
        assertEquals(d, shapes(NetworkLayout.of(D).params()));
        assertEquals(3, G.get(0).inSize());
        assertEquals(4 * 16, G.get(0).outSize(3));
        assertEquals(4 * 16, D.get(5).inSize());
        assertEquals(1, D.get(5).outSize(64));
    }

    @Test
    void theNotebooksFactoriesStillDeclareABiasAndATruncatedNormal() {
        NetworkLayout n = NetworkLayout.of(List.of(Layer.conv("c", 1, 2, 4), Layer.convTranspose("t", 2, 1, 2),
                Layer.linear("l", 4, 3), Layer.batchNorm("b", 3)));
        assertEquals(List.of("c.weight", "c.bias", "t.weight", "t.bias", "l.weight", "l.bias", "b.weight", "b.bias"),
                List.copyOf(shapes(n.params()).keySet()));
        for (ParameterLayout.Entry e : n.params().entries()) {
            ParameterLayout.Init want = e.name().equals("b.weight") ? ParameterLayout.Init.ONES
                    : e.name().endsWith(".weight") ? ParameterLayout.Init.TRUNCATED_NORMAL : ParameterLayout.Init.ZEROS;
            assertEquals(want, e.init(), e.name());
        }
    }

    @Test
    void normalInitialValuesAreDrawnAsDocumented() {
        List<Layer> layers = List.of(convTransposeFrom1x1To4x4("G.0", 100, 64, NORMAL),
                batchNorm("G.1", 64, 16, NORMAL_MEAN_ONE));
        NetworkLayout layout = NetworkLayout.of(layers);
        CounterRng rng = new CounterRng(7);
        float[] host = NetworkState.initialValues(layout.params(), rng, CounterRng.STREAM_INIT_BASE);
        ParameterLayout.Entry w = layout.params().entry("G.0.weight");
        ParameterLayout.Entry gamma = layout.params().entry("G.1.weight");
        // Tensor i from stream base + i at step 0, mean and stddev applied in double.
        float[] wantW = new float[w.size()];
        rng.fillNormal(wantW, 0, wantW.length, 0f, 0.02f, CounterRng.STREAM_INIT_BASE, 0);
        assertArrayEquals(wantW, Arrays.copyOfRange(host, w.offset(), w.offset() + w.size()));
        float[] wantGamma = new float[gamma.size()];
        rng.fillNormal(wantGamma, 0, wantGamma.length, 1f, 0.02f, CounterRng.STREAM_INIT_BASE + 1, 0);
        assertArrayEquals(wantGamma, Arrays.copyOfRange(host, gamma.offset(), gamma.offset() + gamma.size()));

        double[] ws = stats(Arrays.copyOfRange(host, w.offset(), w.offset() + w.size()));
        assertEquals(0, ws[0], 5 * 0.02 / Math.sqrt(w.size()), "weight mean");
        assertEquals(0.02, ws[1], 0.02 * 5 / Math.sqrt(2.0 * w.size()), "weight stddev");
        assertTrue(ws[2] > 0.08, "a plain normal is not truncated: largest |w| of " + w.size() + " is " + ws[2]);
        double[] gs = stats(Arrays.copyOfRange(host, gamma.offset(), gamma.offset() + gamma.size()));
        assertEquals(1, gs[0], 5 * 0.02 / Math.sqrt(gamma.size()), "gamma mean");
        assertEquals(0.02, gs[1], 0.02 * 0.5, "gamma stddev");
        for (float v : Arrays.copyOfRange(host, gamma.offset() + gamma.size(), host.length)) {
            assertEquals(0f, v, "batch-norm bias");
        }
        float[] buffers = NetworkState.initialValues(layout.buffers(), rng, CounterRng.STREAM_INIT_BASE);
        assertArrayEquals(new float[] {0, 0, 0, 0}, Arrays.copyOf(buffers, 4), "running mean");
        assertEquals(1f, buffers[buffers.length - 1], "running variance");
    }

    /** mean, stddev and largest magnitude. */
    private static double[] stats(float[] v) {
        double sum = 0;
        double sq = 0;
        double max = 0;
        for (float x : v) {
            sum += x;
            sq += (double) x * x;
            max = Math.max(max, Math.abs(x));
        }
        double mean = sum / v.length;
        return new double[] {mean, Math.sqrt(sq / v.length - mean * mean), max};
    }

    // ------------------------------------------------------------------ forward and backward

    @Test
    void generatorMatchesDoubleReferenceAndFiniteDifferences() {
        check(G, 3, p -> z -> {
            double[] h = NaiveOps.convTransposeFrom1x1(z, p.get("G.0.weight"), B, 3, 4);
            h = NaiveOps.batchNormTraining(h, p.get("G.1.weight"), p.get("G.1.bias"), BatchNormOp.EPSILON, B, 4, 16);
            h = map(h, v -> Math.max(v, 0));
            h = NaiveOps.convTranspose(h, p.get("G.3.weight"), null, B, 4, 4, 4, 2);
            return map(h, Math::tanh);
        });
    }

    @Test
    void discriminatorMatchesDoubleReferenceAndFiniteDifferences() {
        check(D, 3 * 16 * 16, p -> x -> {
            double[] h = NaiveOps.conv(x, p.get("D.0.weight"), null, B, 3, 16, 16, 2);
            h = map(h, v -> v > 0 ? v : 0.2f * v);
            h = NaiveOps.conv(h, p.get("D.2.weight"), null, B, 2, 8, 8, 4);
            h = NaiveOps.batchNormTraining(h, p.get("D.3.weight"), p.get("D.3.bias"), BatchNormOp.EPSILON, B, 4, 16);
            h = map(h, v -> v > 0 ? v : 0.2f * v);
            return NaiveOps.convTo1x1(h, p.get("D.5.weight"), B, 4, 1);
        });
    }

    private static double[] map(double[] v, java.util.function.DoubleUnaryOperator f) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = f.applyAsDouble(v[i]);
        }
        return out;
    }

    /**
     * Runs the network forward (training mode) and backward with dy = r on the CPU backend, with random parameters
     * (large enough that every layer matters) and input, and compares its output with the reference, and the
     * gradients of every parameter and of the input with central differences of {@code sum(r * reference)}.
     */
    private static void check(List<Layer> layers, int inSize,
                              Function<Map<String, double[]>, Function<double[], double[]>> reference) {
        NetworkLayout layout = NetworkLayout.of(layers);
        Random rnd = new Random(91);
        float[] params = new float[layout.params().size()];
        for (int i = 0; i < params.length; i++) {
            params[i] = (float) (rnd.nextGaussian() * 0.5);
        }
        float[] input = new float[B * inSize];
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) rnd.nextGaussian();
        }
        Map<String, double[]> p = new LinkedHashMap<>();
        for (ParameterLayout.Entry e : layout.params().entries()) {
            p.put(e.name(), toDouble(Arrays.copyOfRange(params, e.offset(), e.offset() + e.size())));
        }
        double[] x = toDouble(input);
        double[] want = reference.apply(p).apply(x);
        double[] r = new double[want.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = (float) rnd.nextGaussian();
        }
        try (CpuBackend cpu = new CpuBackend(2);
             NetworkState state = new NetworkState(cpu, layout, CounterRng.STREAM_INIT_BASE);
             Network net = Network.of(cpu, state, layers, B);
             Tensor in = cpu.allocate(B, inSize);
             Tensor dy = cpu.allocate(B, want.length / B);
             Tensor dx = cpu.allocate(B, inSize)) {
            state.initialise(new CounterRng(1));
            cpu.upload(params, 0, state.params());
            cpu.upload(input, 0, in);
            float[] y = cpu.download(net.forward(in, Mode.TRAINING));
            assertClose(want, y, "output");
            cpu.upload(toFloat(r), 0, dy);
            net.backward(dy, dx, Gradients.WRITE);
            float[] grads = cpu.download(state.grads());
            for (ParameterLayout.Entry e : layout.params().entries()) {
                double[] fd = finiteDifferences(p.get(e.name()), () -> dot(r, reference.apply(p).apply(x)));
                assertClose(fd, Arrays.copyOfRange(grads, e.offset(), e.offset() + e.size()), "gradient of " + e.name());
            }
            double[] fdX = finiteDifferences(x, () -> dot(r, reference.apply(p).apply(x)));
            assertClose(fdX, cpu.download(dx), "gradient of the input");
        }
    }

    private static double[] finiteDifferences(double[] v, java.util.function.DoubleSupplier loss) {
        double[] g = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            double saved = v[i];
            v[i] = saved + FD_STEP;
            double up = loss.getAsDouble();
            v[i] = saved - FD_STEP;
            double down = loss.getAsDouble();
            v[i] = saved;
            g[i] = (up - down) / (2 * FD_STEP);
        }
        return g;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** max |actual - expected| / max |expected| below TOL; every value finite, the reference not all zeros. */
    private static void assertClose(double[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double maxErr = 0;
        double maxRef = 0;
        for (int i = 0; i < expected.length; i++) {
            if (!Float.isFinite(actual[i])) {
                fail(what + ": element " + i + " is " + actual[i]);
            }
            maxErr = Math.max(maxErr, Math.abs(actual[i] - expected[i]));
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
        }
        assertTrue(maxRef > 0, what + ": the reference is all zeros");
        assertTrue(maxErr / maxRef < TOL, what + ": relative error " + maxErr / maxRef);
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    private static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }
}
