package dcgan.train;

import dcgan.model.Layer;
import dcgan.model.ModelSpec;
import dcgan.random.CounterRng;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dcgan.backend.cpu.NaiveOps.batchNormTrainingGrads;
import static dcgan.backend.cpu.NaiveOps.channelMean;
import static dcgan.backend.cpu.NaiveOps.channelSquaredDeviations;
import static dcgan.backend.cpu.NaiveOps.channelSums;
import static dcgan.backend.cpu.NaiveOps.conv;
import static dcgan.backend.cpu.NaiveOps.convInputGrad;
import static dcgan.backend.cpu.NaiveOps.convTo1x1;
import static dcgan.backend.cpu.NaiveOps.convTo1x1InputGrad;
import static dcgan.backend.cpu.NaiveOps.convTo1x1WeightGrad;
import static dcgan.backend.cpu.NaiveOps.convTranspose;
import static dcgan.backend.cpu.NaiveOps.convTransposeFrom1x1;
import static dcgan.backend.cpu.NaiveOps.convTransposeFrom1x1InputGrad;
import static dcgan.backend.cpu.NaiveOps.convTransposeFrom1x1WeightGrad;
import static dcgan.backend.cpu.NaiveOps.convTransposeInputGrad;
import static dcgan.backend.cpu.NaiveOps.convTransposeWeightGrad;
import static dcgan.backend.cpu.NaiveOps.convWeightGrad;
import static dcgan.backend.cpu.NaiveOps.linear;
import static dcgan.backend.cpu.NaiveOps.linearInputGrad;
import static dcgan.backend.cpu.NaiveOps.linearWeightGrad;
import static dcgan.backend.cpu.NaiveOps.normalise;

/**
 * docs/model.md's one training iteration in double precision, for either model family, composed from the
 * direct-loop ops of {@link dcgan.backend.cpu.NaiveOps}, for any batch size. D and G are built by walking the
 * model's layer lists ({@link ModelSpec#discriminator()}, {@link ModelSpec#generator()}), so one reference serves
 * the notebook's model and PyTorch's example's DCGAN; what differs between the families beyond their layers is
 * written out here rather than taken from the code under test: the noise, U(-1, 1) or N(0, 1); G's learning rate,
 * five times D's or equal to it; and whether the G update runs G again (the notebook) or reuses the images G drew
 * for the D update (PyTorch's example). {@link FullIterationReferenceTest} checks the trainer's wiring against it; the
 * GPU's whole-iteration test uses it to measure how far FP32 can legitimately be from the exact result for its
 * (random) inputs.
 */
public final class IterationReference {

    /** The notebook's noise dimension. */
    public static final int Z_DIM = 100;

    // docs/model.md's constants, written out here rather than taken from the code under test.
    static final double LEAKY_SLOPE = 0.2;
    static final double BN_EPS = 1e-5;
    static final double BN_DECAY = 0.9;
    public static final double D_LR = 2e-4;
    /** The notebook's G learning rate, five times D's. */
    public static final double G_LR = 5 * D_LR;
    public static final double BETA1 = 0.5;
    public static final double BETA2 = 0.999;
    public static final double ADAM_EPS = 1e-8;

    private IterationReference() {
    }

    /** G's learning rate in a model family: five times D's in the notebook, the same as D's in PyTorch's example. */
    public static double generatorLr(ModelSpec.Family family) {
        return family == ModelSpec.Family.NOTEBOOK ? G_LR : D_LR;
    }

    /**
     * The noise of step 1 for a batch, as the trainer draws it (STREAM_NOISE, step 1 of the seed's counter-based
     * generator): U(-1, 1) for the notebook's model (docs/model.md), N(0, 1) for PyTorch's example's.
     */
    public static float[] noiseOfStep1(ModelSpec model, long seed, int batch) {
        int n = batch * model.zDim();
        return model.family() == ModelSpec.Family.NOTEBOOK
                ? new CounterRng(seed).uniform(n, -1f, 1f, CounterRng.STREAM_NOISE, 1)
                : new CounterRng(seed).normal(n, CounterRng.STREAM_NOISE, 1);
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
     * One training iteration of {@code model} (docs/model.md's "one training iteration", with the DCGAN's
     * differences above), step by step, in double.
     *
     * <p>The G step runs through the trainer's own updated D ({@code dParamsAfterDStep}, downloaded after the
     * iteration: the G step leaves D's parameters alone), not through the reference's. Adam's first step
     * is {@code lr * g / (|g| + eps / sqrt(1 - beta2))}: about {@code lr * sign(g)} for gradients well
     * above 3e-7, but for gradients near that size, float rounding decides it. Some of D's
     * gradients are that small: the biases that feed batch norm are zero in exact arithmetic and get
     * +-lr steps out of rounding noise (they shift the G step's batch means, so D's moving means,
     * by 0.25%), and at the notebook test's seed one D.c2.weight gradient is 9e-7 in double and -1.3e-7 in
     * float (an error of 7e-6 of the tensor's largest), so it steps -0.73 lr in one and +0.29 lr in the
     * other. On the fake batch that weight's output channel has the smallest spread, which batch norm divides
     * by, so that one weight moves G's gradient by up to 6%. Taking D from the trainer keeps this out of the
     * G step's comparison; D's update is checked on its own against the reference's gradients (see
     * {@code FullIterationReferenceTest}).
     */
    public static Expected iteration(ModelSpec model, int batch, Map<String, float[]> dParams,
                                     Map<String, float[]> dBuffers, Map<String, float[]> gParams,
                                     Map<String, float[]> gBuffers, float[] images, float[] noise,
                                     Map<String, float[]> dParamsAfterDStep) {
        double[] x = toDouble(images);
        double[] z = toDouble(noise);
        Network dNet = new Network(toDouble(dParams), toDouble(dBuffers), batch);
        Network gNet = new Network(toDouble(gParams), toDouble(gBuffers), batch);
        Layers g = new Layers(model.generator(), gNet);
        Adam dAdam = new Adam(D_LR);
        Adam gAdam = new Adam(generatorLr(model.family()));

        // 2. D step. G's output is a constant input to D here (G's moving averages are updated once).
        Layers d = new Layers(model.discriminator(), dNet);
        double[] fake = g.forward(z);
        Map<String, double[]> dGrads = zerosLike(dNet.p);
        double[] realLogits = d.forward(x);
        double dRealLoss = crossEntropy(realLogits, 1);
        d.backward(crossEntropyGrad(realLogits, 1), dGrads);
        double[] fakeLogits = d.forward(fake);
        double dFakeLoss = crossEntropy(fakeLogits, 0);
        d.backward(crossEntropyGrad(fakeLogits, 0), dGrads); // adds the fake half to the real half
        dAdam.step(dNet.p, dGrads);

        // 3. G step with the same z. The notebook runs G(z) again (G's moving averages updated a second time);
        //    PyTorch's example reuses the D step's images, which are the same images (G has not changed), and G's
        //    backward goes through that one forward. Then the updated D in training mode (D's moving averages
        //    updated a third time); G_loss backpropagated through D, whose parameter gradients are not wanted,
        //    into G.
        Network dForGStep = new Network(toDouble(dParamsAfterDStep), dNet.buf, batch);
        d = new Layers(model.discriminator(), dForGStep);
        if (model.family() == ModelSpec.Family.NOTEBOOK) {
            fake = g.forward(z);
        }
        double[] logits = d.forward(fake);
        double gLoss = crossEntropy(logits, 1);
        double[] dFake = d.backward(crossEntropyGrad(logits, 1), null);
        Map<String, double[]> gGrads = zerosLike(gNet.p);
        g.backward(dFake, gGrads);
        gAdam.step(gNet.p, gGrads);

        return new Expected(dNet, gNet, dAdam, gAdam, dRealLoss, dFakeLoss, gLoss);
    }

    // ---------------------------------------------------------------------- D(x) and G(z), from their layers

    /**
     * A network as its layer list declares it, in double, each {@link Layer} record computed from its own
     * fields with the ops of NaiveOps: a training-mode forward that keeps every layer's input and output (as
     * the production model keeps its activations), and the backward of that latest forward. Activations take
     * docs/model.md's leaky ReLU slope, not the layer's.
     */
    private static final class Layers {
        private final List<Layer> layers;
        private final Network n;
        private final double[][] inputs;
        private final double[][] outputs;

        Layers(List<Layer> layers, Network n) {
            this.layers = layers;
            this.n = n;
            this.inputs = new double[layers.size()][];
            this.outputs = new double[layers.size()][];
        }

        double[] forward(double[] x) {
            for (int i = 0; i < layers.size(); i++) {
                inputs[i] = x;
                x = forward(layers.get(i), x);
                outputs[i] = x;
            }
            return x;
        }

        /** Adds the parameter gradients of the latest forward to grads (unless null) and returns dL/d(input). */
        double[] backward(double[] dy, Map<String, double[]> grads) {
            for (int i = layers.size() - 1; i >= 0; i--) {
                dy = backward(layers.get(i), inputs[i], outputs[i], dy, grads);
            }
            return dy;
        }

        private double[] forward(Layer layer, double[] x) {
            int b = n.b();
            if (layer instanceof Layer.Conv c) {
                // 4x4, stride 2, padding 1: size x size -> size/2 x size/2
                return conv(x, weight(c.name()), bias(c.name(), c.bias()), b, c.in(), c.size(), c.size(), c.out());
            } else if (layer instanceof Layer.ConvTranspose t) {
                // 4x4, stride 2, padding 1: size x size -> 2size x 2size
                return convTranspose(x, weight(t.name()), bias(t.name(), t.bias()), b, t.in(), t.size(), t.size(),
                        t.out());
            } else if (layer instanceof Layer.Linear l) {
                // a flattened input is the NCHW array as it is
                return linear(x, weight(l.name()), bias(l.name(), l.bias()), b, l.in(), l.out());
            } else if (layer instanceof Layer.ConvTransposeFrom1x1To4x4 t) {
                return convTransposeFrom1x1(x, weight(t.name()), b, t.in(), t.outChannels());
            } else if (layer instanceof Layer.ConvFrom4x4To1x1 c) {
                return convTo1x1(x, weight(c.name()), b, c.inChannels(), c.out());
            } else if (layer instanceof Layer.BatchNorm bn) {
                return n.batchNorm(bn.name(), x, bn.channels(), bn.spatial());
            } else if (layer instanceof Layer.Activation a) {
                return switch (a.kind()) {
                    case LEAKY_RELU -> leakyRelu(x);
                    case RELU -> relu(x);
                    case SIGMOID -> sigmoid(x);
                    case TANH -> tanh(x);
                };
            }
            throw new IllegalArgumentException("no reference for layer " + layer);
        }

        /** dL/d(input) of one layer from dL/d(output) dy, its input x and its output y; adds its parameter gradients. */
        private double[] backward(Layer layer, double[] x, double[] y, double[] dy, Map<String, double[]> grads) {
            int b = n.b();
            if (layer instanceof Layer.Conv c) {
                String name = c.name();
                add(grads, name + ".weight", convWeightGrad(x, dy, b, c.in(), c.size(), c.size(), c.out()));
                if (c.bias() == Layer.Bias.WITH_BIAS) {
                    add(grads, name + ".bias", channelSums(dy, b, c.out(), (c.size() / 2) * (c.size() / 2)));
                }
                return convInputGrad(dy, weight(name), b, c.in(), c.size(), c.size(), c.out());
            } else if (layer instanceof Layer.ConvTranspose t) {
                String name = t.name();
                add(grads, name + ".weight", convTransposeWeightGrad(x, dy, b, t.in(), t.size(), t.size(), t.out()));
                if (t.bias() == Layer.Bias.WITH_BIAS) {
                    add(grads, name + ".bias", channelSums(dy, b, t.out(), 4 * t.size() * t.size()));
                }
                return convTransposeInputGrad(dy, weight(name), b, t.in(), t.size(), t.size(), t.out());
            } else if (layer instanceof Layer.Linear l) {
                String name = l.name();
                add(grads, name + ".weight", linearWeightGrad(x, dy, b, l.in(), l.out()));
                if (l.bias() == Layer.Bias.WITH_BIAS) {
                    add(grads, name + ".bias", channelSums(dy, b, l.out(), 1));
                }
                return linearInputGrad(dy, weight(name), b, l.in(), l.out());
            } else if (layer instanceof Layer.ConvTransposeFrom1x1To4x4 t) {
                add(grads, t.name() + ".weight", convTransposeFrom1x1WeightGrad(x, dy, b, t.in(), t.outChannels()));
                return convTransposeFrom1x1InputGrad(dy, weight(t.name()), b, t.in(), t.outChannels());
            } else if (layer instanceof Layer.ConvFrom4x4To1x1 c) {
                add(grads, c.name() + ".weight", convTo1x1WeightGrad(x, dy, b, c.inChannels(), c.out()));
                return convTo1x1InputGrad(dy, weight(c.name()), b, c.inChannels(), c.out());
            } else if (layer instanceof Layer.BatchNorm bn) {
                // the batch statistics depend on x: the backward of the training-mode forward of x
                return n.batchNormBackward(bn.name(), x, dy, bn.channels(), bn.spatial(), grads);
            } else if (layer instanceof Layer.Activation a) {
                return switch (a.kind()) {
                    case LEAKY_RELU -> leakyReluGrad(x, dy);
                    case RELU -> reluGrad(x, dy);
                    case SIGMOID -> sigmoidGrad(y, dy);
                    case TANH -> tanhGrad(y, dy);
                };
            }
            throw new IllegalArgumentException("no reference for layer " + layer);
        }

        private double[] weight(String layer) {
            return n.p(layer + ".weight");
        }

        private double[] bias(String layer, Layer.Bias bias) {
            return bias == Layer.Bias.WITH_BIAS ? n.p(layer + ".bias") : null;
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

    /** dL/dx of the sigmoid from its output y: dy y (1 - y). */
    private static double[] sigmoidGrad(double[] y, double[] dy) {
        double[] dx = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            dx[i] = dy[i] * y[i] * (1 - y[i]);
        }
        return dx;
    }

    private static double[] tanh(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.tanh(x[i]);
        }
        return y;
    }

    /** dL/dx of tanh from its output y: dy (1 - y^2). */
    private static double[] tanhGrad(double[] y, double[] dy) {
        double[] dx = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            dx[i] = dy[i] * (1 - y[i] * y[i]);
        }
        return dx;
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
