package dcgan.train;

import dcgan.backend.Backend;
import dcgan.backend.cpu.CpuBackend;
import dcgan.data.MnistLoader;
import dcgan.model.NetworkState;
import dcgan.model.ParameterLayout;
import dcgan.model.PreBatchNormBiases;
import dcgan.random.CounterRng;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dcgan.backend.cpu.NaiveOps.batchNormTrainingGrads;
import static dcgan.backend.cpu.NaiveOps.channelMean;
import static dcgan.backend.cpu.NaiveOps.channelSquaredDeviations;
import static dcgan.backend.cpu.NaiveOps.channelSums;
import static dcgan.backend.cpu.NaiveOps.conv;
import static dcgan.backend.cpu.NaiveOps.convInputGrad;
import static dcgan.backend.cpu.NaiveOps.convTranspose;
import static dcgan.backend.cpu.NaiveOps.convTransposeInputGrad;
import static dcgan.backend.cpu.NaiveOps.convTransposeWeightGrad;
import static dcgan.backend.cpu.NaiveOps.convWeightGrad;
import static dcgan.backend.cpu.NaiveOps.linear;
import static dcgan.backend.cpu.NaiveOps.linearInputGrad;
import static dcgan.backend.cpu.NaiveOps.linearWeightGrad;
import static dcgan.backend.cpu.NaiveOps.normalise;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks the wiring of one whole training iteration of {@link GanTrainer} against an independent
 * double-precision implementation of SPEC.md, composed here from the direct-loop ops of
 * {@link dcgan.backend.cpu.NaiveOps} (which the op tests check against the CPU kernels one by one).
 *
 * <p>The op tests already show that each kernel is right; what only a whole iteration shows is how they
 * are put together: the D step before the G step, each optimiser touching only its own network, D's
 * gradient being the sum of its real and fake halves, the G step going through the just-updated D
 * (whose parameters stay as they are) into G, batch norm moving averages updated on every training-mode
 * forward (D's three times per iteration, G's twice), the three losses, and Adam in TensorFlow's form
 * with a step counter per network and G's learning rate five times D's.
 *
 * <p>The reference below reads top to bottom like SPEC.md. It takes from the code under test the initial
 * parameters (downloaded, then sliced by the layouts' names and offsets), the noise z (the counter-based
 * generator's documented output for (seed, STREAM_NOISE, step 1)), and, for the G step only, D's
 * parameters as the trainer's D step left them, which are themselves checked against the reference's
 * D step; {@link #referenceIteration} says why.
 *
 * <p>Batch 8 of the bundled MNIST digits: at batch 4, batch norm over 4 samples amplifies float rounding
 * ten times more, to errors near the tolerances below. It runs in about 6 seconds.
 *
 * <p>Mutations of GanTrainer, BatchNorm and CpuBatchNorm that this test was seen to catch: G step through
 * the pre-update D; D's fake-half gradient overwriting or dropping the real half; the G step reusing the
 * D step's G(z) (G's moving averages updated once); D's moving averages updated twice; G's lr equal to
 * D's; one Adam step counter for both networks; either network's forward in inference mode during
 * training; the wrong label for D_fake or G_loss; fresh noise in the G step; Adam also applied to D in
 * the G step; G's Adam step before G's gradients; biased moving variance; decay 0.99.
 */
class FullIterationReferenceTest {

    private static final int B = 8;
    private static final int Z_DIM = 100;
    private static final long SEED = 20_240_611L;

    // SPEC.md's constants, written out here rather than taken from the code under test.
    private static final double LEAKY_SLOPE = 0.2;
    private static final double BN_EPS = 1e-5;
    private static final double BN_DECAY = 0.9;
    private static final double D_LR = 2e-4;
    private static final double G_LR = 5 * D_LR;
    private static final double BETA1 = 0.5;
    private static final double BETA2 = 0.999;
    private static final double ADAM_EPS = 1e-8;

    // Tolerances: max |actual - expected| / max |expected| per named tensor (see Report.compare). The
    // trainer computes in float, the reference in double; wiring mistakes give errors of 1e-2 and more.
    /** Losses and moving averages: values of order 1 after a few layers of float sums (measured <= 7e-7). */
    private static final double TOL_VALUES = 1e-5;
    /**
     * Adam's moments m = (1 - b1) g and v = (1 - b2) g^2 after one step, i.e. the gradients: measured up
     * to 5e-5 at B = 8 (at B = 4 it is 4e-4: batch norm over 4 samples amplifies the float rounding of
     * the long sums more). A 4x margin, so that reordering a kernel's sums does not trip a wiring test.
     * Also covers b2 = 0.999f not being exactly 0.999 (1.3e-5 in 1 - b2).
     */
    private static final double TOL_MOMENTS = 2e-4;
    /**
     * What is left of a gradient that is zero in exact arithmetic, relative to the gradient of the batch
     * norm shift that follows the bias (a sum of the same terms): measured up to 6e-5.
     */
    private static final double TOL_ZERO_GRADIENT = 1e-3;
    /**
     * The parameter change, relative to the network's learning rate (the size of Adam's first step): the
     * float subtraction p - step rounds to half an ulp of p, 6e-8 for batch norm scales near 1, which is
     * 3e-4 of D's lr (measured 3.0e-4).
     */
    private static final double TOL_CHANGE = 1e-3;

    @Test
    void oneIterationMatchesAnIndependentDoublePrecisionReference() throws Exception {
        float[] images = MnistLoader.load(Path.of("test-data")).firstN(B).images();
        Hyperparameters hp = Hyperparameters.of(B, Z_DIM, (float) D_LR, (float) BETA1);
        try (CpuBackend cpu = new CpuBackend(2); GanTrainer trainer = new GanTrainer(cpu, hp, new CounterRng(SEED))) {
            NetworkState dState = trainer.discriminatorState();
            NetworkState gState = trainer.generatorState();
            assertLayoutsAreTheReferences(dState.paramLayout(), gState.paramLayout());
            Snapshot d0 = Snapshot.of(cpu, dState);
            Snapshot g0 = Snapshot.of(cpu, gState);
            // The noise of step 1, as the trainer draws it (GanTrainer.step: STREAM_NOISE, step = 1).
            float[] z = new CounterRng(SEED).uniform(B * Z_DIM, -1f, 1f, CounterRng.STREAM_NOISE, 1);

            StepLosses losses = trainer.step(images, 0);
            Snapshot d1 = Snapshot.of(cpu, dState);
            Snapshot g1 = Snapshot.of(cpu, gState);

            Expected want = referenceIteration(d0, g0, toDouble(images), toDouble(z), d1);

            Report report = new Report();
            report.compare("losses", "D_real_loss", new float[] {losses.dReal()}, new double[] {want.dRealLoss}, TOL_VALUES);
            report.compare("losses", "D_fake_loss", new float[] {losses.dFake()}, new double[] {want.dFakeLoss}, TOL_VALUES);
            report.compare("losses", "G_loss", new float[] {losses.g()}, new double[] {want.gLoss}, TOL_VALUES);
            compareNetwork(report, "D", d0, d1, want.d, want.dAdam, D_LR);
            compareNetwork(report, "G", g0, g1, want.g, want.gAdam, G_LR);
            report.print();
            assertTrue(report.failures.isEmpty(), String.join("\n", report.failures));
        }
    }

    /**
     * Every parameter tensor and every moving average of one network. A parameter's update is checked in
     * three parts that together say "the trainer did SPEC.md's Adam step on the reference's gradient":
     * <ol>
     *   <li>the trainer's Adam moments against the reference's (after one step m = (1 - b1) g and
     *       v = (1 - b2) g^2: the gradients, which is where the wiring shows);</li>
     *   <li>the trainer's parameter change against SPEC.md's Adam step computed from the trainer's own
     *       moments, for every element (learning rate, t = 1 for each network, G's lr 5 x D's);</li>
     *   <li>the parameter change against the reference's, on the elements whose gradient is at least
     *       1% of the tensor's largest. Elsewhere Adam's first step, lr * g / (|g| + 3.2e-7), can depend
     *       steeply on the last digits of g (see {@link #referenceIteration}), so float and double
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
            double[] wantChange = subtract(want.p.get(name), toDouble(before.params.get(name)));
            boolean[] clear = new boolean[wantM.length];
            double threshold = 0.01 * maxAbs(wantM);
            for (int i = 0; i < clear.length; i++) {
                clear[i] = Math.abs(wantM[i]) >= threshold;
            }
            report.compare(net + " change, where |g| >= 1% max", name, mask(change, clear), mask(wantChange, clear),
                    lr, TOL_CHANGE);
        }
        for (String name : before.buffers.keySet()) {
            report.compare(net + " moving averages", name, after.buffers.get(name), want.buf.get(name), TOL_VALUES);
        }
    }

    /** SPEC.md's Adam step at t = 1 from given moments: -lr sqrt(1 - b2) / (1 - b1) * m / (sqrt(v) + eps). */
    private static double[] adamFirstStep(double lr, float[] m, float[] v) {
        double lrT = lr * Math.sqrt(1 - BETA2) / (1 - BETA1);
        double[] step = new double[m.length];
        for (int i = 0; i < m.length; i++) {
            step[i] = -lrT * m[i] / (Math.sqrt(v[i]) + ADAM_EPS);
        }
        return step;
    }


    // ====================================================================== the reference iteration

    /**
     * What one iteration should produce: D as the reference's own Adam step leaves it, G after the G step,
     * both networks' moving averages and Adam moments, and the losses.
     */
    private record Expected(Network d, Network g, Adam dAdam, Adam gAdam, double dRealLoss, double dFakeLoss,
                            double gLoss) {
    }

    /**
     * SPEC.md's "one training iteration", step by step, in double.
     *
     * <p>The G step runs through the trainer's own updated D ({@code dUpdated}, downloaded after the
     * iteration: the G step leaves D's parameters alone), not through the reference's. Adam's first step
     * is {@code lr * g / (|g| + eps / sqrt(1 - beta2))}: about {@code lr * sign(g)} for gradients well
     * above 3e-7, but for gradients near that size, float rounding decides it. Some of D's
     * gradients are that small: the biases that feed batch norm are zero in exact arithmetic and get
     * +-lr steps out of rounding noise (they shift the G step's batch means, so D's moving means,
     * by 0.25%), and at this seed one D.c2.weight gradient is 9e-7 in double and -1.3e-7 in float (an
     * error of 7e-6 of the tensor's largest), so it steps -0.73 lr in one and +0.29 lr in the other. On
     * the fake batch that weight's output channel has the smallest spread, which batch norm divides by,
     * so that one weight moves G's gradient by up to 6%. Taking D from the trainer keeps this out of the
     * G step's comparison; D's update is checked on its own against the reference's gradients (see
     * {@link #compareNetwork}).
     */
    private static Expected referenceIteration(Snapshot d0, Snapshot g0, double[] x, double[] z, Snapshot dUpdated) {
        Network dNet = Network.of(d0);
        Network gNet = Network.of(g0);
        Generator g = new Generator(gNet);
        Adam dAdam = new Adam(D_LR);
        Adam gAdam = new Adam(G_LR);

        // 2. D step. G's output is a constant input to D here (G's moving averages are updated once).
        Discriminator d = new Discriminator(dNet);
        double[] fake = g.forward(z);
        Map<String, double[]> dGrads = zerosLike(dNet.p);
        double[] realLogits = d.forward(x);
        double dRealLoss = crossEntropy(realLogits, 1);
        d.backward(crossEntropyGrad(realLogits, 1), dGrads);
        double[] fakeLogits = d.forward(fake);
        double dFakeLoss = crossEntropy(fakeLogits, 0);
        d.backward(crossEntropyGrad(fakeLogits, 0), dGrads); // adds the fake half to the real half
        dAdam.step(dNet.p, dGrads);

        // 3. G step: same z, G(z) again (G's moving averages updated a second time), then the updated D
        //    in training mode (D's moving averages updated a third time); G_loss backpropagated through
        //    D, whose parameter gradients are not wanted, into G.
        Network dForGStep = new Network(toDouble(dUpdated.params), dNet.buf);
        d = new Discriminator(dForGStep);
        fake = g.forward(z);
        double[] logits = d.forward(fake);
        double gLoss = crossEntropy(logits, 1);
        double[] dFake = d.backward(crossEntropyGrad(logits, 1), null);
        Map<String, double[]> gGrads = zerosLike(gNet.p);
        g.backward(dFake, gGrads);
        gAdam.step(gNet.p, gGrads);

        return new Expected(dNet, gNet, dAdam, gAdam, dRealLoss, dFakeLoss, gLoss);
    }

    // ---------------------------------------------------------------------- D(x)

    /**
     * D(x), x: B x 1 x 28 x 28. Keeps the activations of its latest forward for {@link #backward}, like the
     * production model; pre-activations are kept because the activation derivatives need their sign.
     */
    private static final class Discriminator {
        private final Network n;
        private double[] x;
        private double[] z1;
        private double[] h1;
        private double[] z2;
        private double[] y2;
        private double[] h2;
        private double[] z3;
        private double[] y3;
        private double[] h3;

        Discriminator(Network n) {
            this.n = n;
        }

        double[] forward(double[] input) {
            x = input;
            // 1. conv 4x4/2, 1 -> 64, + bias; leaky ReLU -> 64 x 14 x 14
            z1 = conv(x, n.p("D.c1.weight"), n.p("D.c1.bias"), B, 1, 28, 28, 64);
            h1 = leakyRelu(z1);
            // 2. conv 64 -> 128, + bias; batch norm per channel; leaky ReLU -> 128 x 7 x 7
            z2 = conv(h1, n.p("D.c2.weight"), n.p("D.c2.bias"), B, 64, 14, 14, 128);
            y2 = n.batchNorm("D.bn2", z2, 128, 7 * 7);
            h2 = leakyRelu(y2);
            // 3. flatten (NCHW order: the array as it is) -> linear 1024 + bias; batch norm per feature; leaky ReLU
            z3 = linear(h2, n.p("D.l3.weight"), n.p("D.l3.bias"), B, 128 * 7 * 7, 1024);
            y3 = n.batchNorm("D.bn3", z3, 1024, 1);
            h3 = leakyRelu(y3);
            // 4. linear 1 + bias -> logit
            return linear(h3, n.p("D.l4.weight"), n.p("D.l4.bias"), B, 1024, 1);
        }

        /** Adds D's parameter gradients to grads (unless null) and returns dL/dx. */
        double[] backward(double[] dLogits, Map<String, double[]> grads) {
            double[] dh3 = linearInputGrad(dLogits, n.p("D.l4.weight"), B, 1024, 1);
            add(grads, "D.l4.weight", linearWeightGrad(h3, dLogits, B, 1024, 1));
            add(grads, "D.l4.bias", channelSums(dLogits, B, 1, 1));

            double[] dz3 = n.batchNormBackward("D.bn3", z3, leakyReluGrad(y3, dh3), 1024, 1, grads);
            double[] dh2 = linearInputGrad(dz3, n.p("D.l3.weight"), B, 128 * 7 * 7, 1024);
            add(grads, "D.l3.weight", linearWeightGrad(h2, dz3, B, 128 * 7 * 7, 1024));
            add(grads, "D.l3.bias", channelSums(dz3, B, 1024, 1));

            double[] dz2 = n.batchNormBackward("D.bn2", z2, leakyReluGrad(y2, dh2), 128, 7 * 7, grads);
            double[] dh1 = convInputGrad(dz2, n.p("D.c2.weight"), B, 64, 14, 14, 128);
            add(grads, "D.c2.weight", convWeightGrad(h1, dz2, B, 64, 14, 14, 128));
            add(grads, "D.c2.bias", channelSums(dz2, B, 128, 7 * 7));

            double[] dz1 = leakyReluGrad(z1, dh1);
            add(grads, "D.c1.weight", convWeightGrad(x, dz1, B, 1, 28, 28, 64));
            add(grads, "D.c1.bias", channelSums(dz1, B, 64, 14 * 14));
            return convInputGrad(dz1, n.p("D.c1.weight"), B, 1, 28, 28, 64);
        }
    }

    // ---------------------------------------------------------------------- G(z)

    /** G(z), z: B x zDim in (-1, 1), to B x 1 x 28 x 28 in (0, 1); keeps its latest forward's activations. */
    private static final class Generator {
        private final Network n;
        private double[] z;
        private double[] a1;
        private double[] h1;
        private double[] a2;
        private double[] y2;
        private double[] h2;
        private double[] a3;
        private double[] y3;
        private double[] h3;
        private double[] images;
        private double[] y1;

        Generator(Network n) {
            this.n = n;
        }

        double[] forward(double[] input) {
            z = input;
            // 1. linear zDim -> 1024 + bias; batch norm; ReLU
            a1 = linear(z, n.p("G.l1.weight"), n.p("G.l1.bias"), B, Z_DIM, 1024);
            y1 = n.batchNorm("G.bn1", a1, 1024, 1);
            h1 = relu(y1);
            // 2. linear 1024 -> 6272 + bias; batch norm per feature; ReLU; viewed as 128 x 7 x 7 (NCHW)
            a2 = linear(h1, n.p("G.l2.weight"), n.p("G.l2.bias"), B, 1024, 128 * 7 * 7);
            y2 = n.batchNorm("G.bn2", a2, 128 * 7 * 7, 1);
            h2 = relu(y2);
            // 3. transposed conv 128 -> 64, 7x7 -> 14x14, + bias; batch norm per channel; ReLU
            a3 = convTranspose(h2, n.p("G.d3.weight"), n.p("G.d3.bias"), B, 128, 7, 7, 64);
            y3 = n.batchNorm("G.bn3", a3, 64, 14 * 14);
            h3 = relu(y3);
            // 4. transposed conv 64 -> 1, 14x14 -> 28x28, + bias; sigmoid
            images = sigmoid(convTranspose(h3, n.p("G.d4.weight"), n.p("G.d4.bias"), B, 64, 14, 14, 1));
            return images;
        }

        /** Adds G's parameter gradients for dL/dImages to grads. */
        void backward(double[] dImages, Map<String, double[]> grads) {
            double[] da4 = new double[images.length];
            for (int i = 0; i < da4.length; i++) {
                da4[i] = dImages[i] * images[i] * (1 - images[i]);
            }
            double[] dh3 = convTransposeInputGrad(da4, n.p("G.d4.weight"), B, 64, 14, 14, 1);
            add(grads, "G.d4.weight", convTransposeWeightGrad(h3, da4, B, 64, 14, 14, 1));
            add(grads, "G.d4.bias", channelSums(da4, B, 1, 28 * 28));

            double[] da3 = n.batchNormBackward("G.bn3", a3, reluGrad(y3, dh3), 64, 14 * 14, grads);
            double[] dh2 = convTransposeInputGrad(da3, n.p("G.d3.weight"), B, 128, 7, 7, 64);
            add(grads, "G.d3.weight", convTransposeWeightGrad(h2, da3, B, 128, 7, 7, 64));
            add(grads, "G.d3.bias", channelSums(da3, B, 64, 14 * 14));

            double[] da2 = n.batchNormBackward("G.bn2", a2, reluGrad(y2, dh2), 128 * 7 * 7, 1, grads);
            double[] dh1 = linearInputGrad(da2, n.p("G.l2.weight"), B, 1024, 128 * 7 * 7);
            add(grads, "G.l2.weight", linearWeightGrad(h1, da2, B, 1024, 128 * 7 * 7));
            add(grads, "G.l2.bias", channelSums(da2, B, 128 * 7 * 7, 1));

            double[] da1 = n.batchNormBackward("G.bn1", a1, reluGrad(y1, dh1), 1024, 1, grads);
            add(grads, "G.l1.weight", linearWeightGrad(z, da1, B, Z_DIM, 1024));
            add(grads, "G.l1.bias", channelSums(da1, B, 1024, 1));
        }
    }

    // ---------------------------------------------------------------------- batch norm, activations, loss

    /** One network's named tensors in double: parameters p (Adam's) and moving averages buf (not Adam's). */
    private record Network(Map<String, double[]> p, Map<String, double[]> buf) {

        static Network of(Snapshot s) {
            return new Network(toDouble(s.params), toDouble(s.buffers));
        }

        double[] p(String name) {
            double[] t = p.get(name);
            if (t == null) {
                throw new IllegalArgumentException("no parameter " + name);
            }
            return t;
        }

        /**
         * Training-mode batch norm of x [B, channels, spatial] per channel: batch mean and biased variance,
         * epsilon 1e-5, gamma NAME.weight, beta NAME.bias. Every call also updates the moving averages:
         * moving = 0.9 moving + 0.1 batch, the variance taking the unbiased batch variance.
         */
        double[] batchNorm(String name, double[] x, int channels, int spatial) {
            int count = B * spatial;
            double[] mean = channelMean(x, B, channels, spatial);
            double[] squares = channelSquaredDeviations(x, mean, B, channels, spatial);
            double[] var = new double[channels];
            double[] movingMean = buf.get(name + ".running_mean");
            double[] movingVar = buf.get(name + ".running_var");
            for (int c = 0; c < channels; c++) {
                var[c] = squares[c] / count;
                movingMean[c] = BN_DECAY * movingMean[c] + (1 - BN_DECAY) * mean[c];
                movingVar[c] = BN_DECAY * movingVar[c] + (1 - BN_DECAY) * squares[c] / (count - 1);
            }
            return normalise(x, p(name + ".weight"), p(name + ".bias"), mean, var, BN_EPS, B, channels, spatial);
        }

        /** Batch norm's backward for the forward of x (the batch statistics depend on x); adds dGamma, dBeta. */
        double[] batchNormBackward(String name, double[] x, double[] dy, int channels, int spatial,
                                   Map<String, double[]> grads) {
            double[][] g = batchNormTrainingGrads(x, p(name + ".weight"), dy, BN_EPS, B, channels, spatial);
            add(grads, name + ".weight", g[1]);
            add(grads, name + ".bias", g[2]);
            return g[0];
        }
    }

    private static double[] leakyRelu(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] > 0 ? x[i] : LEAKY_SLOPE * x[i];
        }
        return y;
    }

    /** dL/dx of leaky ReLU at pre-activation x. */
    private static double[] leakyReluGrad(double[] x, double[] dy) {
        double[] dx = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            dx[i] = x[i] > 0 ? dy[i] : LEAKY_SLOPE * dy[i];
        }
        return dx;
    }

    private static double[] relu(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.max(x[i], 0);
        }
        return y;
    }

    private static double[] reluGrad(double[] x, double[] dy) {
        double[] dx = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            dx[i] = x[i] > 0 ? dy[i] : 0;
        }
        return dx;
    }

    private static double[] sigmoid(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = 1 / (1 + Math.exp(-x[i]));
        }
        return y;
    }

    /** Sigmoid cross-entropy with logits against a constant label, averaged over the batch (SPEC.md's stable form). */
    private static double crossEntropy(double[] logits, double label) {
        double sum = 0;
        for (double x : logits) {
            sum += Math.max(x, 0) - x * label + Math.log1p(Math.exp(-Math.abs(x)));
        }
        return sum / logits.length;
    }

    /** d(mean CE)/d(logit) = (sigmoid(logit) - label) / batch. */
    private static double[] crossEntropyGrad(double[] logits, double label) {
        double[] s = sigmoid(logits);
        double[] d = new double[logits.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = (s[i] - label) / logits.length;
        }
        return d;
    }

    // ---------------------------------------------------------------------- Adam

    /**
     * Adam in TensorFlow's form, one instance (and so one step counter) per network:
     * lr_t = lr sqrt(1 - b2^t) / (1 - b1^t); m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
     * p -= lr_t m / (sqrt(v) + eps).
     */
    private static final class Adam {
        final double lr;
        final Map<String, double[]> m = new LinkedHashMap<>();
        final Map<String, double[]> v = new LinkedHashMap<>();
        int t;

        Adam(double lr) {
            this.lr = lr;
        }

        void step(Map<String, double[]> params, Map<String, double[]> grads) {
            t++;
            double lrT = lr * Math.sqrt(1 - Math.pow(BETA2, t)) / (1 - Math.pow(BETA1, t));
            for (Map.Entry<String, double[]> e : params.entrySet()) {
                double[] p = e.getValue();
                double[] g = grads.get(e.getKey());
                double[] mt = m.computeIfAbsent(e.getKey(), k -> new double[p.length]);
                double[] vt = v.computeIfAbsent(e.getKey(), k -> new double[p.length]);
                for (int i = 0; i < p.length; i++) {
                    mt[i] = BETA1 * mt[i] + (1 - BETA1) * g[i];
                    vt[i] = BETA2 * vt[i] + (1 - BETA2) * g[i] * g[i];
                    p[i] -= lrT * mt[i] / (Math.sqrt(vt[i]) + ADAM_EPS);
                }
            }
        }
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

    /** The weight layouts the reference indexes by: conv [out, in, 4, 4], transposed conv [in, out, 4, 4], linear [out, in]. */
    private static void assertLayoutsAreTheReferences(ParameterLayout d, ParameterLayout g) {
        assertArrayEquals(new int[] {64, 1, 4, 4}, d.entry("D.c1.weight").shape());
        assertArrayEquals(new int[] {128, 64, 4, 4}, d.entry("D.c2.weight").shape());
        assertArrayEquals(new int[] {1024, 128 * 7 * 7}, d.entry("D.l3.weight").shape());
        assertArrayEquals(new int[] {1, 1024}, d.entry("D.l4.weight").shape());
        assertArrayEquals(new int[] {1024, Z_DIM}, g.entry("G.l1.weight").shape());
        assertArrayEquals(new int[] {128 * 7 * 7, 1024}, g.entry("G.l2.weight").shape());
        assertArrayEquals(new int[] {128, 64, 4, 4}, g.entry("G.d3.weight").shape());
        assertArrayEquals(new int[] {64, 1, 4, 4}, g.entry("G.d4.weight").shape());
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

    private static void add(Map<String, double[]> grads, String name, double[] g) {
        if (grads == null) {
            return;
        }
        double[] sum = grads.get(name);
        if (sum == null || sum.length != g.length) {
            throw new IllegalArgumentException("gradient " + name + " of " + g.length + " values does not fit");
        }
        for (int i = 0; i < g.length; i++) {
            sum[i] += g[i];
        }
    }

    private static Map<String, double[]> zerosLike(Map<String, double[]> tensors) {
        Map<String, double[]> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> out.put(k, new double[v.length]));
        return out;
    }

    private static Map<String, double[]> toDouble(Map<String, float[]> tensors) {
        Map<String, double[]> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> out.put(k, toDouble(v)));
        return out;
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

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
