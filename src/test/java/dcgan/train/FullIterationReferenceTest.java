package dcgan.train;

import dcgan.backend.Backend;
import dcgan.backend.cpu.CpuBackend;
import dcgan.data.BundledEmoji;
import dcgan.data.MnistLoader;
import dcgan.data.PixelRange;
import dcgan.data.TestImages;
import dcgan.model.ModelSpec;
import dcgan.model.NetworkState;
import dcgan.model.ParameterLayout;
import dcgan.model.PreBatchNormBiases;
import dcgan.random.CounterRng;
import dcgan.train.IterationReference.Adam;
import dcgan.train.IterationReference.Expected;
import dcgan.train.IterationReference.Network;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
import static dcgan.train.IterationReference.ADAM_EPS;
import static dcgan.train.IterationReference.BETA1;
import static dcgan.train.IterationReference.BETA2;
import static dcgan.train.IterationReference.D_LR;
import static dcgan.train.IterationReference.Z_DIM;
import static dcgan.train.IterationReference.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks the wiring of one whole training iteration of {@link GanTrainer} against an independent
 * double-precision implementation of docs/model.md, composed here from the direct-loop ops of
 * {@link dcgan.backend.cpu.NaiveOps} (which the op tests check against the CPU kernels one by one), for both
 * model families: the notebook's model on MNIST's digits, and PyTorch's example's DCGAN at 64x64 in colour on
 * the bundled emoji and at 32x32 in grey.
 *
 * <p>The op tests already show that each kernel is right; what only a whole iteration shows is how they
 * are put together: the D step before the G step, each optimiser touching only its own network, D's
 * gradient being the sum of its real and fake halves, the G step going through the just-updated D
 * (whose parameters stay as they are) into G, batch norm moving averages updated on every training-mode
 * forward (D's three times per iteration; G's twice in the notebook, whose G step runs G again, once in the
 * DCGAN, whose G step reuses the D step's images), the three losses, the noise (U(-1, 1) or N(0, 1)), and Adam
 * in TensorFlow's form with a step counter per network and G's learning rate five times D's (notebook) or
 * equal to it (DCGAN).
 *
 * <p>The reference, {@link IterationReference}, reads top to bottom like docs/model.md and walks the model's
 * layer lists; for the DCGAN the test first pins those lists to PyTorch's example (for the notebook, the weight
 * shapes), so that the reference computes that model and not merely whatever the lists say. It takes from the
 * code under test the initial parameters (downloaded, then sliced by the layouts' names and offsets), the noise
 * z (the counter-based generator's documented output for (seed, STREAM_NOISE, step 1), in the family's
 * distribution), and, for the G step only, D's parameters as the trainer's D step left them, which are
 * themselves checked against the reference's D step; {@link IterationReference#iteration} says why. The
 * trainer gets the family's default constants ({@link Hyperparameters#defaults}, what {@code train} starts from)
 * with this batch.
 *
 * <p>Batch 8 of the bundled MNIST digits: at batch 4, batch norm over 4 samples amplifies float rounding
 * ten times more, to errors near the tolerances below. It runs in about 6 seconds; the DCGAN's, with ngf and ndf
 * of 8, in about one each.
 *
 * <p>Mutations of GanTrainer, BatchNorm and CpuBatchNorm that this test was seen to catch: G step through
 * the pre-update D; D's fake-half gradient overwriting or dropping the real half; the G step reusing the
 * D step's G(z) (G's moving averages updated once); D's moving averages updated twice; G's lr equal to
 * D's; one Adam step counter for both networks; either network's forward in inference mode during
 * training; the wrong label for D_fake or G_loss; fresh noise in the G step; Adam also applied to D in
 * the G step; G's Adam step before G's gradients; biased moving variance; decay 0.99. In the DCGAN's: the G
 * step running G again (G's moving averages updated twice); uniform noise instead of normal; G's lr five times
 * D's; the 1x1-to-4x4 layer's weight read as [out, in]; tanh's gradient taken as the sigmoid's; a leaky ReLU
 * slope of 0.1 (by the layer lists). D's last layer read as [in, out] is not a mutation here: with one output
 * the two layouts are the same array.
 */
class FullIterationReferenceTest {

    private static final int B = 8;
    private static final long SEED = 20_240_611L;
    /** The DCGAN's widths here: PyTorch's example's are 64; 8 keeps the double-precision reference fast. */
    private static final int WIDTH = 8;

    // Tolerances: max |actual - expected| / max |expected| per named tensor (see Report.compare). The
    // trainer computes in float, the reference in double; wiring mistakes give errors of 1e-2 and more. The same
    // for both families: the DCGAN's figures below are for ngf = ndf = 8 at batch 8, at this test's seed and over
    // seeds 1 to 40 (64x64 colour on the emoji, 32x32 grey on random images).
    /**
     * Losses and moving averages: values of order 1 after a few layers of float sums (measured <= 7e-7; the
     * DCGAN's <= 4.3e-7).
     */
    private static final double TOL_VALUES = 1e-5;
    /**
     * Adam's moments m = (1 - b1) g and v = (1 - b2) g^2 after one step, i.e. the gradients: measured up
     * to 5e-5 at B = 8 (at B = 4 it is 4e-4: batch norm over 4 samples amplifies the float rounding of
     * the long sums more). A 4x margin, so that reordering a kernel's sums does not trip a wiring test.
     * Also covers b2 = 0.999f not being exactly 0.999 (1.3e-5 in 1 - b2).
     *
     * <p>The DCGAN: m within 1.1e-6 and v within 1.4e-5 (the 0.999f) at this seed; within 5e-5 and 7e-5 over the
     * seeds, except where float rounding puts a (leaky) ReLU's input on the other side of 0 than exact arithmetic
     * does. Then that element's slope is 1 in one and 0.2 (or 0) in the other, a difference no tolerance for
     * rounding can cover: at 64x64 on the emoji, 3 seeds of 40 (9, 29, 34) have such an input, within 1e-7 of its
     * tensor's largest, and one flip moves G's moments by up to 2.2e-2 (seed 9, where the double-precision fake
     * of dev/fake-cuda, rounding otherwise, stays within 2e-7) or D.main.0's by 9e-3. This seed has none.
     */
    private static final double TOL_MOMENTS = 2e-4;
    /**
     * What is left of a gradient that is zero in exact arithmetic, relative to the gradient of the batch
     * norm shift that follows the bias (a sum of the same terms): measured up to 6e-5. (The DCGAN has no
     * biases.)
     */
    private static final double TOL_ZERO_GRADIENT = 1e-3;
    /**
     * The parameter change, relative to the network's learning rate (the size of Adam's first step): the
     * float subtraction p - step rounds to half an ulp of p, 6e-8 for batch norm scales near 1, which is
     * 3e-4 of D's lr (measured 3.0e-4; the DCGAN's 3.04e-4, its G's lr being D's).
     */
    private static final double TOL_CHANGE = 1e-3;

    @Test
    void oneIterationMatchesAnIndependentDoublePrecisionReference() throws Exception {
        float[] images = MnistLoader.load(Path.of("test-data")).firstN(B).images();
        ModelSpec model = ModelSpec.MNIST;
        Report report = oneIteration(model, images, SEED, (d, g) -> {
            // The weight layouts the reference indexes by: conv [out, in, 4, 4], transposed conv [in, out, 4, 4],
            // linear [out, in].
            assertArrayEquals(new int[] {64, 1, 4, 4}, d.entry("D.c1.weight").shape());
            assertArrayEquals(new int[] {128, 64, 4, 4}, d.entry("D.c2.weight").shape());
            assertArrayEquals(new int[] {1024, 128 * 7 * 7}, d.entry("D.l3.weight").shape());
            assertArrayEquals(new int[] {1, 1024}, d.entry("D.l4.weight").shape());
            assertArrayEquals(new int[] {1024, Z_DIM}, g.entry("G.l1.weight").shape());
            assertArrayEquals(new int[] {128 * 7 * 7, 1024}, g.entry("G.l2.weight").shape());
            assertArrayEquals(new int[] {128, 64, 4, 4}, g.entry("G.d3.weight").shape());
            assertArrayEquals(new int[] {64, 1, 4, 4}, g.entry("G.d4.weight").shape());
        });
        assertTrue(report.failures.isEmpty(), String.join("\n", report.failures));
    }

    /** PyTorch's example at 64x64 (nc = 3, nz = 100, ngf = ndf = 8) on 8 of the bundled emoji, from across their categories. */
    @Test
    void oneDcganIterationAt64x64InColourOnRealImagesMatchesTheReference() {
        ModelSpec model = ModelSpec.dcgan(64, 3, 100, WIDTH, WIDTH);
        assertEquals(List.of(
                convTransposeFrom1x1To4x4("G.main.0", 100, 64, NORMAL), batchNorm("G.main.1", 64, 16, NORMAL_MEAN_ONE),
                relu(),
                convTranspose("G.main.3", 64, 32, 4, NO_BIAS, NORMAL), batchNorm("G.main.4", 32, 64, NORMAL_MEAN_ONE),
                relu(),
                convTranspose("G.main.6", 32, 16, 8, NO_BIAS, NORMAL), batchNorm("G.main.7", 16, 256, NORMAL_MEAN_ONE),
                relu(),
                convTranspose("G.main.9", 16, 8, 16, NO_BIAS, NORMAL), batchNorm("G.main.10", 8, 1024, NORMAL_MEAN_ONE),
                relu(),
                convTranspose("G.main.12", 8, 3, 32, NO_BIAS, NORMAL), tanh()), model.generator());
        assertEquals(List.of(
                conv("D.main.0", 3, 8, 64, NO_BIAS, NORMAL), leakyRelu(0.2f),
                conv("D.main.2", 8, 16, 32, NO_BIAS, NORMAL), batchNorm("D.main.3", 16, 256, NORMAL_MEAN_ONE),
                leakyRelu(0.2f),
                conv("D.main.5", 16, 32, 16, NO_BIAS, NORMAL), batchNorm("D.main.6", 32, 64, NORMAL_MEAN_ONE),
                leakyRelu(0.2f),
                conv("D.main.8", 32, 64, 8, NO_BIAS, NORMAL), batchNorm("D.main.9", 64, 16, NORMAL_MEAN_ONE),
                leakyRelu(0.2f),
                convFrom4x4To1x1("D.main.11", 64, 1, NORMAL)), model.discriminator());
        float[] images = BundledEmoji.batch(B, PixelRange.SYMMETRIC);
        assertImagesVary(images);
        Report report = oneIteration(model, images, SEED, (d, g) -> { });
        assertTrue(report.failures.isEmpty(), String.join("\n", report.failures));
    }

    /**
     * The DCGAN at 32x32 in grey (the 64x64 model less G's last hidden layer, of ngf channels, and D's first, of
     * ndf), on random images in [-1, 1].
     */
    @Test
    void oneDcganIterationAt32x32InGreyMatchesTheReference() {
        ModelSpec model = ModelSpec.dcgan(32, 1, 100, WIDTH, WIDTH);
        assertEquals(List.of(
                convTransposeFrom1x1To4x4("G.main.0", 100, 64, NORMAL), batchNorm("G.main.1", 64, 16, NORMAL_MEAN_ONE),
                relu(),
                convTranspose("G.main.3", 64, 32, 4, NO_BIAS, NORMAL), batchNorm("G.main.4", 32, 64, NORMAL_MEAN_ONE),
                relu(),
                convTranspose("G.main.6", 32, 16, 8, NO_BIAS, NORMAL), batchNorm("G.main.7", 16, 256, NORMAL_MEAN_ONE),
                relu(),
                convTranspose("G.main.9", 16, 1, 16, NO_BIAS, NORMAL), tanh()), model.generator());
        assertEquals(List.of(
                conv("D.main.0", 1, 16, 32, NO_BIAS, NORMAL), leakyRelu(0.2f),
                conv("D.main.2", 16, 32, 16, NO_BIAS, NORMAL), batchNorm("D.main.3", 32, 64, NORMAL_MEAN_ONE),
                leakyRelu(0.2f),
                conv("D.main.5", 32, 64, 8, NO_BIAS, NORMAL), batchNorm("D.main.6", 64, 16, NORMAL_MEAN_ONE),
                leakyRelu(0.2f),
                convFrom4x4To1x1("D.main.8", 64, 1, NORMAL)), model.discriminator());
        float[] images = new float[B * model.pixelsPerImage()];
        TestImages.random(SEED, B, 1, 32).copyImages(0, B, PixelRange.SYMMETRIC, images, 0);
        Report report = oneIteration(model, images, SEED, (d, g) -> { });
        assertTrue(report.failures.isEmpty(), String.join("\n", report.failures));
    }

    /** What a test asserts of the two networks' parameter layouts before the iteration. */
    private interface LayoutCheck {
        void check(ParameterLayout d, ParameterLayout g);
    }

    /**
     * One iteration of {@code model} on the CPU from {@code seed}'s initial state on {@code images} (a batch in the
     * model's range), compared with the reference; prints the worst error of each group and returns the report.
     */
    private static Report oneIteration(ModelSpec model, float[] images, long seed, LayoutCheck layouts) {
        Hyperparameters hp = Hyperparameters.defaults(model.family()).with(B, (float) D_LR, (float) BETA1);
        try (CpuBackend cpu = new CpuBackend(2); GanTrainer trainer = new GanTrainer(cpu, hp, model, new CounterRng(seed));
             HostBatches batches = new HostBatches(cpu, trainer, B, model)) {
            NetworkState dState = trainer.discriminatorState();
            NetworkState gState = trainer.generatorState();
            layouts.check(dState.paramLayout(), gState.paramLayout());
            Snapshot d0 = Snapshot.of(cpu, dState);
            Snapshot g0 = Snapshot.of(cpu, gState);
            float[] z = IterationReference.noiseOfStep1(model, seed, B);

            StepLosses losses = batches.step(images, 0);
            Snapshot d1 = Snapshot.of(cpu, dState);
            Snapshot g1 = Snapshot.of(cpu, gState);

            Expected want = IterationReference.iteration(model, B, d0.params, d0.buffers, g0.params, g0.buffers, images,
                    z, d1.params);

            Report report = new Report();
            report.compare("losses", "D_real_loss", new float[] {losses.dReal()}, new double[] {want.dRealLoss()}, TOL_VALUES);
            report.compare("losses", "D_fake_loss", new float[] {losses.dFake()}, new double[] {want.dFakeLoss()}, TOL_VALUES);
            report.compare("losses", "G_loss", new float[] {losses.g()}, new double[] {want.gLoss()}, TOL_VALUES);
            compareNetwork(report, "D", d0, d1, want.d(), want.dAdam(), D_LR);
            compareNetwork(report, "G", g0, g1, want.g(), want.gAdam(), IterationReference.generatorLr(model.family()));
            System.out.println(model.describe() + ", seed " + seed + ":");
            report.print();
            return report;
        }
    }

    /** Real images that are not all one value (a batch of blank images would hide D's first layer). */
    private static void assertImagesVary(float[] images) {
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (float v : images) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertTrue(min < -0.9 && max == 1.0, "images from " + min + " to " + max);
    }

    /**
     * Every parameter tensor and every moving average of one network. A parameter's update is checked in
     * three parts that together say "the trainer did docs/model.md's Adam step on the reference's gradient":
     * <ol>
     *   <li>the trainer's Adam moments against the reference's (after one step m = (1 - b1) g and
     *       v = (1 - b2) g^2: the gradients, which is where the wiring shows);</li>
     *   <li>the trainer's parameter change against docs/model.md's Adam step computed from the trainer's own
     *       moments, for every element (learning rate, t = 1 for each network, G's lr 5 x D's);</li>
     *   <li>the parameter change against the reference's, on the elements whose gradient is at least
     *       1% of the tensor's largest. Elsewhere Adam's first step, lr * g / (|g| + 3.2e-7), can depend
     *       steeply on the last digits of g (see {@link IterationReference#iteration}), so float and double
     *       legitimately disagree there by up to 2 lr. The biases before batch norm, whose gradient is
     *       only rounding noise, get the first two checks alone.</li>
     * </ol>
     */
    private static void compareNetwork(Report report, String net, Snapshot before, Snapshot after, Network want,
                                       Adam adam, double lr) {
        for (String name : before.params.keySet()) {
            float[] m = after.adamM.get(name);
            float[] v = after.adamV.get(name);
            float[] change = difference(after.params.get(name), before.params.get(name));
            report.compare(net + " change from trainer's m, v", name, change, adamFirstStep(lr, m, v), lr, TOL_CHANGE);
            if (PreBatchNormBiases.NAMES.contains(name)) {
                // Zero in exact arithmetic: the trainer's gradient must be rounding noise, tiny next to the
                // gradient of the batch norm shift right after it (a sum of the same kind of terms).
                String beta = PreBatchNormBiases.followingShift(name);
                report.compare(net + " m of pre-BN biases, vs BN shift's", name, m, adam.m.get(name),
                        maxAbs(adam.m.get(beta)), TOL_ZERO_GRADIENT);
                continue;
            }
            double[] wantM = adam.m.get(name);
            report.compare(net + " Adam m", name, m, wantM, TOL_MOMENTS);
            report.compare(net + " Adam v", name, v, adam.v.get(name), TOL_MOMENTS);
            double[] wantChange = subtract(want.p().get(name), toDouble(before.params.get(name)));
            boolean[] clear = new boolean[wantM.length];
            double threshold = 0.01 * maxAbs(wantM);
            for (int i = 0; i < clear.length; i++) {
                clear[i] = Math.abs(wantM[i]) >= threshold;
            }
            report.compare(net + " change, where |g| >= 1% max", name, mask(change, clear), mask(wantChange, clear),
                    lr, TOL_CHANGE);
        }
        for (String name : before.buffers.keySet()) {
            report.compare(net + " moving averages", name, after.buffers.get(name), want.buf().get(name), TOL_VALUES);
        }
    }

    /** docs/model.md's Adam step at t = 1 from given moments: -lr sqrt(1 - b2) / (1 - b1) * m / (sqrt(v) + eps). */
    private static double[] adamFirstStep(double lr, float[] m, float[] v) {
        double lrT = lr * Math.sqrt(1 - BETA2) / (1 - BETA1);
        double[] step = new double[m.length];
        for (int i = 0; i < m.length; i++) {
            step[i] = -lrT * m[i] / (Math.sqrt(v[i]) + ADAM_EPS);
        }
        return step;
    }


    // ====================================================================== the trainer's state, by name

    /** A network's flat buffers downloaded and cut into named tensors by its layouts (names, offsets, shapes). */
    private record Snapshot(Map<String, float[]> params, Map<String, float[]> adamM, Map<String, float[]> adamV,
                            Map<String, float[]> buffers) {

        static Snapshot of(Backend backend, NetworkState s) {
            return new Snapshot(slice(backend.download(s.params()), s.paramLayout()),
                    slice(backend.download(s.adamM()), s.paramLayout()),
                    slice(backend.download(s.adamV()), s.paramLayout()),
                    slice(backend.download(s.buffers()), s.bufferLayout()));
        }

        private static Map<String, float[]> slice(float[] flat, ParameterLayout layout) {
            Map<String, float[]> out = new LinkedHashMap<>();
            for (ParameterLayout.Entry e : layout.entries()) {
                out.put(e.name(), Arrays.copyOfRange(flat, e.offset(), e.offset() + e.size()));
            }
            return out;
        }
    }

    // ====================================================================== comparing

    /** Collects every comparison, so that one run shows all that differ, and the worst error per group. */
    private static final class Report {
        final List<String> failures = new ArrayList<>();
        final Map<String, double[]> worst = new LinkedHashMap<>(); // group -> {max error, tolerance, values}

        /** max |actual - expected| / max |expected|; NaN or infinity in actual never passes. */
        void compare(String group, String name, float[] actual, double[] expected, double tol) {
            compare(group, name, actual, expected, maxAbs(expected), tol);
        }

        void compare(String group, String name, float[] actual, double[] expected, double scale, double tol) {
            if (actual.length != expected.length) {
                failures.add(group + " " + name + ": " + actual.length + " values, expected " + expected.length);
                return;
            }
            double maxDiff = 0;
            for (int i = 0; i < actual.length; i++) {
                double diff = Math.abs(actual[i] - expected[i]);
                maxDiff = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : Math.max(maxDiff, diff);
            }
            double err = maxDiff / scale;
            record(group, err, tol, actual.length);
            if (!(err <= tol)) {
                failures.add(String.format("%s %s: relative error %.3g > %.1g (max |diff| %.3g, scale %.3g)",
                        group, name, err, tol, maxDiff, scale));
            }
        }

        private void record(String group, double err, double tol, int values) {
            double[] w = worst.computeIfAbsent(group, k -> new double[] {0, tol, 0});
            w[0] = Double.isNaN(err) ? Double.POSITIVE_INFINITY : Math.max(w[0], err);
            w[2] += values;
        }

        void print() {
            worst.forEach((group, w) -> System.out.printf("  %-36s max error %.2e (tolerance %.0e) over %,d values%n",
                    group, w[0], w[1], (long) w[2]));
        }
    }

    // ====================================================================== small helpers


    private static float[] difference(float[] after, float[] before) {
        float[] d = new float[after.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = after[i] - before[i];
        }
        return d;
    }

    /** The elements where keep is true (the others dropped). */
    private static float[] mask(float[] a, boolean[] keep) {
        float[] out = new float[a.length];
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            if (keep[i]) {
                out[n++] = a[i];
            }
        }
        return Arrays.copyOf(out, n);
    }

    private static double[] mask(double[] a, boolean[] keep) {
        double[] out = new double[a.length];
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            if (keep[i]) {
                out[n++] = a[i];
            }
        }
        return Arrays.copyOf(out, n);
    }

    private static double[] subtract(double[] a, double[] b) {
        double[] d = new double[a.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = a[i] - b[i];
        }
        return d;
    }

    private static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
