package dcgan.train;

import java.util.LinkedHashMap;
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

/**
 * docs/model.md's one training iteration in double precision, composed from the direct-loop ops of
 * {@link dcgan.backend.cpu.NaiveOps}, for any batch size. {@link FullIterationReferenceTest} checks the
 * trainer's wiring against it; the GPU's whole-iteration test uses it to measure how far FP32 can
 * legitimately be from the exact result for its (random) inputs.
 */
public final class IterationReference {

    public static final int Z_DIM = 100;

    // docs/model.md's constants, written out here rather than taken from the code under test.
    static final double LEAKY_SLOPE = 0.2;
    static final double BN_EPS = 1e-5;
    static final double BN_DECAY = 0.9;
    public static final double D_LR = 2e-4;
    public static final double G_LR = 5 * D_LR;
    public static final double BETA1 = 0.5;
    public static final double BETA2 = 0.999;
    public static final double ADAM_EPS = 1e-8;

    private IterationReference() {
    }

    // ====================================================================== the reference iteration

    /**
     * What one iteration should produce: D as the reference's own Adam step leaves it, G after the G step,
     * both networks' moving averages and Adam moments, and the losses.
     */
    public record Expected(Network d, Network g, Adam dAdam, Adam gAdam, double dRealLoss, double dFakeLoss,
                            double gLoss) {
    }

    /**
     * docs/model.md's "one training iteration", step by step, in double.
     *
     * <p>The G step runs through the trainer's own updated D ({@code dParamsAfterDStep}, downloaded after the
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
     * {@code FullIterationReferenceTest}).
     */
    public static Expected iteration(int batch, Map<String, float[]> dParams, Map<String, float[]> dBuffers,
                                     Map<String, float[]> gParams, Map<String, float[]> gBuffers, float[] images,
                                     float[] noise, Map<String, float[]> dParamsAfterDStep) {
        double[] x = toDouble(images);
        double[] z = toDouble(noise);
        Network dNet = new Network(toDouble(dParams), toDouble(dBuffers), batch);
        Network gNet = new Network(toDouble(gParams), toDouble(gBuffers), batch);
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
        Network dForGStep = new Network(toDouble(dParamsAfterDStep), dNet.buf, batch);
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
     * D(x), x: b x 1 x 28 x 28. Keeps the activations of its latest forward for {@link #backward}, like the
     * production model; pre-activations are kept because the activation derivatives need their sign.
     */
    private static final class Discriminator {
        private final Network n;
        private final int b;
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
            this.b = n.b();
        }

        double[] forward(double[] input) {
            x = input;
            // 1. conv 4x4/2, 1 -> 64, + bias; leaky ReLU -> 64 x 14 x 14
            z1 = conv(x, n.p("D.c1.weight"), n.p("D.c1.bias"), b, 1, 28, 28, 64);
            h1 = leakyRelu(z1);
            // 2. conv 64 -> 128, + bias; batch norm per channel; leaky ReLU -> 128 x 7 x 7
            z2 = conv(h1, n.p("D.c2.weight"), n.p("D.c2.bias"), b, 64, 14, 14, 128);
            y2 = n.batchNorm("D.bn2", z2, 128, 7 * 7);
            h2 = leakyRelu(y2);
            // 3. flatten (NCHW order: the array as it is) -> linear 1024 + bias; batch norm per feature; leaky ReLU
            z3 = linear(h2, n.p("D.l3.weight"), n.p("D.l3.bias"), b, 128 * 7 * 7, 1024);
            y3 = n.batchNorm("D.bn3", z3, 1024, 1);
            h3 = leakyRelu(y3);
            // 4. linear 1 + bias -> logit
            return linear(h3, n.p("D.l4.weight"), n.p("D.l4.bias"), b, 1024, 1);
        }

        /** Adds D's parameter gradients to grads (unless null) and returns dL/dx. */
        double[] backward(double[] dLogits, Map<String, double[]> grads) {
            double[] dh3 = linearInputGrad(dLogits, n.p("D.l4.weight"), b, 1024, 1);
            add(grads, "D.l4.weight", linearWeightGrad(h3, dLogits, b, 1024, 1));
            add(grads, "D.l4.bias", channelSums(dLogits, b, 1, 1));

            double[] dz3 = n.batchNormBackward("D.bn3", z3, leakyReluGrad(y3, dh3), 1024, 1, grads);
            double[] dh2 = linearInputGrad(dz3, n.p("D.l3.weight"), b, 128 * 7 * 7, 1024);
            add(grads, "D.l3.weight", linearWeightGrad(h2, dz3, b, 128 * 7 * 7, 1024));
            add(grads, "D.l3.bias", channelSums(dz3, b, 1024, 1));

            double[] dz2 = n.batchNormBackward("D.bn2", z2, leakyReluGrad(y2, dh2), 128, 7 * 7, grads);
            double[] dh1 = convInputGrad(dz2, n.p("D.c2.weight"), b, 64, 14, 14, 128);
            add(grads, "D.c2.weight", convWeightGrad(h1, dz2, b, 64, 14, 14, 128));
            add(grads, "D.c2.bias", channelSums(dz2, b, 128, 7 * 7));

            double[] dz1 = leakyReluGrad(z1, dh1);
            add(grads, "D.c1.weight", convWeightGrad(x, dz1, b, 1, 28, 28, 64));
            add(grads, "D.c1.bias", channelSums(dz1, b, 64, 14 * 14));
            return convInputGrad(dz1, n.p("D.c1.weight"), b, 1, 28, 28, 64);
        }
    }

    // ---------------------------------------------------------------------- G(z)

    /** G(z), z: b x zDim in (-1, 1), to b x 1 x 28 x 28 in (0, 1); keeps its latest forward's activations. */
    private static final class Generator {
        private final Network n;
        private final int b;
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
            this.b = n.b();
        }

        double[] forward(double[] input) {
            z = input;
            // 1. linear zDim -> 1024 + bias; batch norm; ReLU
            a1 = linear(z, n.p("G.l1.weight"), n.p("G.l1.bias"), b, Z_DIM, 1024);
            y1 = n.batchNorm("G.bn1", a1, 1024, 1);
            h1 = relu(y1);
            // 2. linear 1024 -> 6272 + bias; batch norm per feature; ReLU; viewed as 128 x 7 x 7 (NCHW)
            a2 = linear(h1, n.p("G.l2.weight"), n.p("G.l2.bias"), b, 1024, 128 * 7 * 7);
            y2 = n.batchNorm("G.bn2", a2, 128 * 7 * 7, 1);
            h2 = relu(y2);
            // 3. transposed conv 128 -> 64, 7x7 -> 14x14, + bias; batch norm per channel; ReLU
            a3 = convTranspose(h2, n.p("G.d3.weight"), n.p("G.d3.bias"), b, 128, 7, 7, 64);
            y3 = n.batchNorm("G.bn3", a3, 64, 14 * 14);
            h3 = relu(y3);
            // 4. transposed conv 64 -> 1, 14x14 -> 28x28, + bias; sigmoid
            images = sigmoid(convTranspose(h3, n.p("G.d4.weight"), n.p("G.d4.bias"), b, 64, 14, 14, 1));
            return images;
        }

        /** Adds G's parameter gradients for dL/dImages to grads. */
        void backward(double[] dImages, Map<String, double[]> grads) {
            double[] da4 = new double[images.length];
            for (int i = 0; i < da4.length; i++) {
                da4[i] = dImages[i] * images[i] * (1 - images[i]);
            }
            double[] dh3 = convTransposeInputGrad(da4, n.p("G.d4.weight"), b, 64, 14, 14, 1);
            add(grads, "G.d4.weight", convTransposeWeightGrad(h3, da4, b, 64, 14, 14, 1));
            add(grads, "G.d4.bias", channelSums(da4, b, 1, 28 * 28));

            double[] da3 = n.batchNormBackward("G.bn3", a3, reluGrad(y3, dh3), 64, 14 * 14, grads);
            double[] dh2 = convTransposeInputGrad(da3, n.p("G.d3.weight"), b, 128, 7, 7, 64);
            add(grads, "G.d3.weight", convTransposeWeightGrad(h2, da3, b, 128, 7, 7, 64));
            add(grads, "G.d3.bias", channelSums(da3, b, 64, 14 * 14));

            double[] da2 = n.batchNormBackward("G.bn2", a2, reluGrad(y2, dh2), 128 * 7 * 7, 1, grads);
            double[] dh1 = linearInputGrad(da2, n.p("G.l2.weight"), b, 1024, 128 * 7 * 7);
            add(grads, "G.l2.weight", linearWeightGrad(h1, da2, b, 1024, 128 * 7 * 7));
            add(grads, "G.l2.bias", channelSums(da2, b, 128 * 7 * 7, 1));

            double[] da1 = n.batchNormBackward("G.bn1", a1, reluGrad(y1, dh1), 1024, 1, grads);
            add(grads, "G.l1.weight", linearWeightGrad(z, da1, b, Z_DIM, 1024));
            add(grads, "G.l1.bias", channelSums(da1, b, 1024, 1));
        }
    }

    // ---------------------------------------------------------------------- batch norm, activations, loss

    /** One network's named tensors in double: parameters p (Adam's) and moving averages buf (not Adam's). */
    public record Network(Map<String, double[]> p, Map<String, double[]> buf, int b) {

        double[] p(String name) {
            double[] t = p.get(name);
            if (t == null) {
                throw new IllegalArgumentException("no parameter " + name);
            }
            return t;
        }

        /**
         * Training-mode batch norm of x [b, channels, spatial] per channel: batch mean and biased variance,
         * epsilon 1e-5, gamma NAME.weight, beta NAME.bias. Every call also updates the moving averages:
         * moving = 0.9 moving + 0.1 batch, the variance taking the unbiased batch variance.
         */
        double[] batchNorm(String name, double[] x, int channels, int spatial) {
            int count = b * spatial;
            double[] mean = channelMean(x, b, channels, spatial);
            double[] squares = channelSquaredDeviations(x, mean, b, channels, spatial);
            double[] var = new double[channels];
            double[] movingMean = buf.get(name + ".running_mean");
            double[] movingVar = buf.get(name + ".running_var");
            for (int c = 0; c < channels; c++) {
                var[c] = squares[c] / count;
                movingMean[c] = BN_DECAY * movingMean[c] + (1 - BN_DECAY) * mean[c];
                movingVar[c] = BN_DECAY * movingVar[c] + (1 - BN_DECAY) * squares[c] / (count - 1);
            }
            return normalise(x, p(name + ".weight"), p(name + ".bias"), mean, var, BN_EPS, b, channels, spatial);
        }

        /** Batch norm's backward for the forward of x (the batch statistics depend on x); adds dGamma, dBeta. */
        double[] batchNormBackward(String name, double[] x, double[] dy, int channels, int spatial,
                                   Map<String, double[]> grads) {
            double[][] g = batchNormTrainingGrads(x, p(name + ".weight"), dy, BN_EPS, b, channels, spatial);
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

    /** Sigmoid cross-entropy with logits against a constant label, averaged over the batch (docs/model.md's stable form). */
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
    public static final class Adam {
        final double lr;
        public final Map<String, double[]> m = new LinkedHashMap<>();
        public final Map<String, double[]> v = new LinkedHashMap<>();
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

    static Map<String, double[]> toDouble(Map<String, float[]> tensors) {
        Map<String, double[]> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> out.put(k, toDouble(v)));
        return out;
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }
}
