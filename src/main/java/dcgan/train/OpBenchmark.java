package dcgan.train;

import dcgan.backend.Backend;
import dcgan.backend.BatchNormOp;
import dcgan.backend.ConvGeometry;
import dcgan.backend.Tensor;
import dcgan.backend.WeightedOp;
import dcgan.model.Discriminator;
import dcgan.model.Generator;
import dcgan.random.CounterRng;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Times each backend operation at the shapes the model uses (batch B), one line per operation: the
 * per-kernel timing harness behind {@code bench --ops}. Where an iteration's time goes, on either
 * backend, is the starting point of any speed work. Every call is followed by a synchronize, so GPU
 * figures include one launch and one wait each (what a stream of such calls costs without graphs).
 */
public final class OpBenchmark {

    private final Backend backend;
    private final int batch;
    private final int reps;
    private final PrintStream out;
    private final List<Tensor> tensors = new ArrayList<>();
    private final CounterRng rng = new CounterRng(11);
    private int stream = 100;

    private OpBenchmark(Backend backend, int batch, int reps, PrintStream out) {
        this.backend = backend;
        this.batch = batch;
        this.reps = reps;
        this.out = out;
    }

    /** Times every operation {@code reps} times after one untimed call, printing the median of each. */
    public static void run(Backend backend, int batch, int zDim, int reps, PrintStream out) {
        OpBenchmark b = new OpBenchmark(backend, batch, reps, out);
        try {
            b.all(zDim);
        } finally {
            for (Tensor t : b.tensors) {
                t.close();
            }
        }
    }

    private Tensor random(int... shape) {
        Tensor t = backend.allocate(shape);
        tensors.add(t);
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
        out.printf(Locale.ROOT, "  %-46s %9.3f ms%n", name, ms[reps / 2]);
    }

    private void all(int zDim) {
        int b = batch;
        out.printf(Locale.ROOT, "ops: %s, batch %d, median of %d calls each%n", backend.describe(), b, reps);
        Tensor h = random(b, 64, 14, 14);
        Tensor dh = random(b, 64, 14, 14);
        time("leaky ReLU forward [B,64,14,14]", () -> backend.leakyRelu(h, h, Discriminator.LEAKY_SLOPE));
        time("leaky ReLU backward [B,64,14,14]", () -> backend.leakyReluBackward(h, dh, dh, Discriminator.LEAKY_SLOPE));
        Tensor g = random(b, 6272);
        Tensor dg = random(b, 6272);
        time("ReLU forward [B,6272]", () -> backend.relu(g, g));
        time("ReLU backward [B,6272]", () -> backend.reluBackward(g, dg, dg));
        Tensor img = random(b, 784);
        Tensor dimg = random(b, 784);
        time("sigmoid forward [B,784]", () -> backend.sigmoid(img, img));
        time("sigmoid backward [B,784]", () -> backend.sigmoidBackward(img, dimg, dimg));
        Tensor logits = random(b, 1);
        Tensor dLogits = random(b, 1);
        Tensor loss = random(3);
        time("sigmoid cross-entropy [B,1]", () -> backend.sigmoidCrossEntropy(logits, 1f, dLogits, loss, 0));
        Tensor z = random(b, zDim);
        time("Philox uniform [B," + zDim + "]", () -> backend.uniform(z, rng, CounterRng.STREAM_NOISE, 1, -1f, 1f));
        adam("Adam over D's parameters", Discriminator.layout().params().size());
        adam("Adam over G's parameters", Generator.layout(zDim).params().size());

        weighted("D.c1 conv 1->64, 28->14", backend.conv(new ConvGeometry(b, 1, 28, 28, 64)),
                new int[] {b, 1, 28, 28}, new int[] {64, 1, 4, 4}, 64, new int[] {b, 64, 14, 14});
        weighted("D.c2 conv 64->128, 14->7", backend.conv(new ConvGeometry(b, 64, 14, 14, 128)),
                new int[] {b, 64, 14, 14}, new int[] {128, 64, 4, 4}, 128, new int[] {b, 128, 7, 7});
        weighted("D.l3 linear 6272->1024", backend.linear(b, 6272, 1024),
                new int[] {b, 6272}, new int[] {1024, 6272}, 1024, new int[] {b, 1024});
        weighted("D.l4 linear 1024->1", backend.linear(b, 1024, 1),
                new int[] {b, 1024}, new int[] {1, 1024}, 1, new int[] {b, 1});
        weighted("G.l1 linear " + zDim + "->1024", backend.linear(b, zDim, 1024),
                new int[] {b, zDim}, new int[] {1024, zDim}, 1024, new int[] {b, 1024});
        weighted("G.l2 linear 1024->6272", backend.linear(b, 1024, 6272),
                new int[] {b, 1024}, new int[] {6272, 1024}, 6272, new int[] {b, 6272});
        weighted("G.d3 transposed conv 128->64, 7->14", backend.convTranspose(new ConvGeometry(b, 64, 14, 14, 128)),
                new int[] {b, 128, 7, 7}, new int[] {128, 64, 4, 4}, 64, new int[] {b, 64, 14, 14});
        weighted("G.d4 transposed conv 64->1, 14->28", backend.convTranspose(new ConvGeometry(b, 1, 28, 28, 64)),
                new int[] {b, 64, 14, 14}, new int[] {64, 1, 4, 4}, 1, new int[] {b, 1, 28, 28});

        batchNorm("D.bn2 batch norm [B,128,49]", 128, 49);
        batchNorm("D.bn3/G.bn1 batch norm [B,1024,1]", 1024, 1);
        batchNorm("G.bn2 batch norm [B,6272,1]", 6272, 1);
        batchNorm("G.bn3 batch norm [B,64,196]", 64, 196);
    }

    private void adam(String name, int n) {
        Tensor p = random(n);
        Tensor gr = random(n);
        Tensor m = random(n);
        Tensor v = random(n);
        backend.fill(v, 1e-4f);
        time(name + " (" + n + ")", () -> backend.adam(p, gr, m, v, 1e-4f, 0.5f, 0.999f, 1e-8f));
    }

    private void weighted(String name, WeightedOp op, int[] xShape, int[] wShape, int biasSize, int[] yShape) {
        try (op) {
            Tensor x = random(xShape);
            Tensor w = random(wShape);
            Tensor bias = random(biasSize);
            Tensor y = random(yShape);
            Tensor dy = random(yShape);
            Tensor dx = random(xShape);
            Tensor dw = random(wShape);
            Tensor db = random(biasSize);
            time(name + " forward", () -> op.forward(x, w, bias, y));
            time(name + " backward", () -> op.backward(x, w, dy, dx, dw, db, false));
        }
    }

    private void batchNorm(String name, int channels, int spatial) {
        try (BatchNormOp op = backend.batchNorm(batch, channels, spatial)) {
            Tensor x = random(batch, channels * spatial);
            Tensor y = random(batch, channels * spatial);
            Tensor dy = random(batch, channels * spatial);
            Tensor dx = random(batch, channels * spatial);
            Tensor gamma = random(channels);
            Tensor beta = random(channels);
            Tensor mean = random(channels);
            Tensor var = random(channels);
            backend.fill(var, 1f);
            Tensor dGamma = random(channels);
            Tensor dBeta = random(channels);
            time(name + " forward", () -> op.forwardTraining(x, gamma, beta, mean, var, 0.9f, true, y));
            time(name + " backward", () -> op.backward(x, gamma, dy, dx, dGamma, dBeta, false));
        }
    }
}
