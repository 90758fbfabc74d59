package dcgan.train;

import dcgan.backend.Backend;
import dcgan.backend.Tensor;
import dcgan.model.Discriminator;
import dcgan.model.Generator;
import dcgan.model.Gradients;
import dcgan.model.Layer;
import dcgan.model.Mode;
import dcgan.model.ModelSpec;
import dcgan.model.Network;
import dcgan.model.NetworkLayout;
import dcgan.model.NetworkState;
import dcgan.random.CounterRng;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Times each layer of a model's D and G at batch B, forward and backward (weights and input), and the other
 * operations of a step (the noise, the loss, Adam), one line each: the per-operation timing harness behind
 * {@code bench --ops}. Where an iteration's time goes, on either backend, is the starting point of any speed
 * work. Every call is followed by a synchronize, so GPU figures include one launch and one wait each (what a
 * stream of such calls costs without graphs).
 */
public final class OpBenchmark {

    private final Backend backend;
    private final int batch;
    private final int reps;
    private final PrintStream out;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final CounterRng rng = new CounterRng(11);
    private int stream = 100;

    private OpBenchmark(Backend backend, int batch, int reps, PrintStream out) {
        this.backend = backend;
        this.batch = batch;
        this.reps = reps;
        this.out = out;
    }

    /** Times every operation of {@code model} {@code reps} times after one untimed call, printing the median of each. */
    public static void run(Backend backend, ModelSpec model, int batch, int reps, PrintStream out) {
        OpBenchmark b = new OpBenchmark(backend, batch, reps, out);
        try {
            b.all(model);
        } finally {
            for (int i = b.owned.size() - 1; i >= 0; i--) {
                try {
                    b.owned.get(i).close();
                } catch (Exception e) {
                    throw new IllegalStateException("closing " + b.owned.get(i), e);
                }
            }
        }
    }

    private <T extends AutoCloseable> T own(T resource) {
        owned.add(resource);
        return resource;
    }

    private Tensor random(int... shape) {
        Tensor t = own(backend.allocate(shape));
        backend.uniform(t, rng, stream++, 0, -1f, 1f);
        return t;
    }

    private void time(String name, Runnable op) {
        op.run();
        backend.synchronize();
        double[] ms = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            op.run();
            backend.synchronize();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        out.printf(Locale.ROOT, "  %-52s %9.3f ms%n", name, ms[reps / 2]);
    }

    private void all(ModelSpec model) {
        int b = batch;
        out.printf(Locale.ROOT, "ops: %s, %s, batch %d, median of %d calls each%n", backend.describe(),
                model.describe(), b, reps);
        layers(model.discriminator());
        layers(model.generator());
        Tensor logits = random(b, 1);
        Tensor dLogits = random(b, 1);
        Tensor loss = random(3);
        time("sigmoid cross-entropy [B,1]", () -> backend.sigmoidCrossEntropy(logits, 1f, dLogits, loss, 0));
        Tensor z = random(b, model.zDim());
        if (model.noise() == ModelSpec.Noise.UNIFORM) {
            time("Philox uniform [B," + model.zDim() + "]",
                    () -> backend.uniform(z, rng, CounterRng.STREAM_NOISE, 1, -1f, 1f));
        } else {
            time("Philox normal [B," + model.zDim() + "]", () -> backend.normal(z, rng, CounterRng.STREAM_NOISE, 1));
        }
        adam("Adam over D's parameters", Discriminator.layout(model).params().size());
        adam("Adam over G's parameters", Generator.layout(model).params().size());
    }

    /** Each layer of a network, at the input size the layers before it give it. */
    private void layers(List<Layer> layers) {
        int size = layers.get(0).inSize();
        for (Layer l : layers) {
            int in = size;
            if (l instanceof Layer.Activation a) {
                activation(a, in);
            } else {
                NetworkState state = own(new NetworkState(backend, NetworkLayout.of(List.of(l)), stream++));
                state.initialise(rng);
                Network net = own(Network.of(backend, state, List.of(l), batch));
                Tensor x = random(batch, in);
                Tensor dy = random(batch, l.outSize(in));
                Tensor dx = random(batch, in);
                String name = describe(l);
                time(name + " forward", () -> net.forward(x, Mode.TRAINING));
                time(name + " backward", () -> net.backward(dy, dx, Gradients.WRITE));
            }
            size = l.outSize(in);
        }
    }

    private void activation(Layer.Activation a, int in) {
        Tensor y = random(batch, in);
        Tensor dy = random(batch, in);
        String shape = " [B," + in + "]";
        switch (a.kind()) {
            case LEAKY_RELU -> {
                time("leaky ReLU forward" + shape, () -> backend.leakyRelu(y, y, a.slope()));
                time("leaky ReLU backward" + shape, () -> backend.leakyReluBackward(y, dy, dy, a.slope()));
            }
            case RELU -> {
                time("ReLU forward" + shape, () -> backend.relu(y, y));
                time("ReLU backward" + shape, () -> backend.reluBackward(y, dy, dy));
            }
            case SIGMOID -> {
                time("sigmoid forward" + shape, () -> backend.sigmoid(y, y));
                time("sigmoid backward" + shape, () -> backend.sigmoidBackward(y, dy, dy));
            }
            case TANH -> {
                time("tanh forward" + shape, () -> backend.tanh(y, y));
                time("tanh backward" + shape, () -> backend.tanhBackward(y, dy, dy));
            }
        }
    }

    /** e.g. "D.c2 conv 64->128, 14x14->7x7". */
    private static String describe(Layer l) {
        if (l instanceof Layer.Conv c) {
            return String.format(Locale.ROOT, "%s conv %d->%d, %dx%d->%dx%d", c.name(), c.in(), c.out(), c.size(),
                    c.size(), c.size() / 2, c.size() / 2);
        }
        if (l instanceof Layer.ConvTranspose c) {
            return String.format(Locale.ROOT, "%s transposed conv %d->%d, %dx%d->%dx%d", c.name(), c.in(), c.out(),
                    c.size(), c.size(), 2 * c.size(), 2 * c.size());
        }
        if (l instanceof Layer.Linear c) {
            return String.format(Locale.ROOT, "%s linear %d->%d", c.name(), c.in(), c.out());
        }
        if (l instanceof Layer.ConvTransposeFrom1x1To4x4 c) {
            return String.format(Locale.ROOT, "%s transposed conv %d->%d, 1x1->4x4", c.name(), c.in(), c.outChannels());
        }
        if (l instanceof Layer.ConvFrom4x4To1x1 c) {
            return String.format(Locale.ROOT, "%s conv %d->%d, 4x4->1x1", c.name(), c.inChannels(), c.out());
        }
        if (l instanceof Layer.BatchNorm n) {
            return String.format(Locale.ROOT, "%s batch norm [B,%d,%d]", n.name(), n.channels(), n.spatial());
        }
        return l.toString();
    }

    private void adam(String name, int n) {
        Tensor p = random(n);
        Tensor gr = random(n);
        Tensor m = random(n);
        Tensor v = random(n);
        backend.fill(v, 1e-4f);
        time(name + " (" + n + ")", () -> backend.adam(p, gr, m, v, 1e-4f, 0.5f, 0.999f, 1e-8f));
    }
}
