package dcgan.backend.cpu;

import static dcgan.backend.cpu.OpTestSupport.assertBitIdentical;
import static dcgan.backend.cpu.OpTestSupport.assertClose;
import static dcgan.backend.cpu.OpTestSupport.assertFinite;
import static dcgan.backend.cpu.OpTestSupport.assertGuardsIntact;
import static dcgan.backend.cpu.OpTestSupport.dot;
import static dcgan.backend.cpu.OpTestSupport.filled;
import static dcgan.backend.cpu.OpTestSupport.garbage;
import static dcgan.backend.cpu.OpTestSupport.gaussian;
import static dcgan.backend.cpu.OpTestSupport.numericGradient;
import static dcgan.backend.cpu.OpTestSupport.plus;
import static dcgan.backend.cpu.OpTestSupport.read;
import static dcgan.backend.cpu.OpTestSupport.tensor;
import static dcgan.backend.cpu.OpTestSupport.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dcgan.backend.BatchNormOp;
import dcgan.backend.Tensor;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/**
 * {@link CpuBatchNorm} over [batch, channels, spatial] against a double-precision reference: training
 * forward with the batch mean and biased variance, the moving averages (momentum, unbiased variance),
 * inference with the moving statistics, and the backward pass against central finite differences of the
 * training-mode forward (whose batch statistics depend on x).
 */
class CpuBatchNormTest extends CpuBackendFixture {

    private static final double EPS = 1e-5;        // BatchNormOp.EPSILON
    private static final float MOMENTUM = 0.9f;
    private static final double FORWARD_TOL = 1e-5;
    private static final double GRAD_TOL = 1e-4;
    private static final double FD_STEP = 1e-4;


    private record Case(int batch, int channels, int spatial, double[] x, double[] gamma, double[] beta,
                        double[] movingMean, double[] movingVar, double[] r) {
        /** x with a different mean and spread per channel (offsets up to 3, spreads 0.5 to 2). */
        static Case random(int batch, int channels, int spatial, long seed) {
            Random rnd = new Random(seed);
            double[] x = new double[batch * channels * spatial];
            double[] offset = uniform(rnd, channels, -3, 3);
            double[] spread = uniform(rnd, channels, 0.5, 2);
            for (int b = 0; b < batch; b++) {
                for (int c = 0; c < channels; c++) {
                    for (int s = 0; s < spatial; s++) {
                        x[(b * channels + c) * spatial + s] = (float) (offset[c] + spread[c] * rnd.nextGaussian());
                    }
                }
            }
            return new Case(batch, channels, spatial, x,
                    uniform(rnd, channels, 0.5, 1.5),
                    gaussian(rnd, channels, 1.0),
                    gaussian(rnd, channels, 1.0),
                    uniform(rnd, channels, 0.2, 3),
                    gaussian(rnd, x.length, 1.0));
        }

        int[] shape() {
            return new int[] {batch, channels, spatial};
        }

        double[] reference() {
            return NaiveOps.batchNormTraining(x, gamma, beta, EPS, batch, channels, spatial);
        }

        double[][] referenceGrads() {
            return NaiveOps.batchNormTrainingGrads(x, gamma, r, EPS, batch, channels, spatial);
        }
    }

    /** Training forward then backward (dy = r) into NaN-filled outputs. */
    private record Result(float[] y, float[] movingMean, float[] movingVar, float[] dx, float[] dGamma, float[] dBeta) {
    }

    private static Result run(CpuBackend cpu, Case c) {
        try (BatchNormOp op = cpu.batchNorm(c.batch(), c.channels(), c.spatial())) {
            Tensor x = tensor(c.x(), c.shape());
            Tensor gamma = tensor(c.gamma(), c.channels());
            Tensor beta = tensor(c.beta(), c.channels());
            Tensor mm = tensor(c.movingMean(), c.channels());
            Tensor mv = tensor(c.movingVar(), c.channels());
            Tensor y = garbage(c.shape());
            op.forwardTraining(x, gamma, beta, mm, mv, MOMENTUM, true, y);
            Tensor dy = tensor(c.r(), c.shape());
            Tensor dx = garbage(c.shape());
            Tensor dGamma = garbage(c.channels());
            Tensor dBeta = garbage(c.channels());
            op.backward(x, gamma, dy, dx, dGamma, dBeta, false);
            assertGuardsIntact(x, gamma, beta, mm, mv, y, dy, dx, dGamma, dBeta);
            return new Result(read(y), read(mm), read(mv), read(dx), read(dGamma), read(dBeta));
        }
    }

    // ------------------------------------------------------------------ forward

    @Test
    void trainingForwardUsesBatchMeanAndBiasedVariance() {
        // spatial 1: after a linear layer (each feature its own channel); spatial 49: after a 7x7 convolution.
        for (int[] s : new int[][] {{8, 6, 1}, {4, 5, 49}, {2, 3, 1}, {3, 130, 4}}) {
            Case c = Case.random(s[0], s[1], s[2], 51);
            Result r1 = run(cpu1, c);
            assertClose(c.reference(), r1.y(), FORWARD_TOL, "training forward " + s[0] + "x" + s[1] + "x" + s[2]);
            assertBitIdentical(r1.y(), run(cpu3, c).y(), "training forward, 1 vs 3 threads");
        }
    }

    @Test
    void movingAveragesTakeMomentumAndUnbiasedVariance() {
        for (int[] s : new int[][] {{8, 6, 1}, {4, 5, 49}}) {
            Case c = Case.random(s[0], s[1], s[2], 52);
            int n = c.batch() * c.spatial();
            double[] mean = NaiveOps.channelMean(c.x(), c.batch(), c.channels(), c.spatial());
            double[] sq = NaiveOps.channelSquaredDeviations(c.x(), mean, c.batch(), c.channels(), c.spatial());
            double[] wantMean = new double[c.channels()];
            double[] wantVar = new double[c.channels()];
            for (int ch = 0; ch < c.channels(); ch++) {
                // moving = 0.9 moving + 0.1 batch, the variance divided by n - 1 (unbiased)
                wantMean[ch] = 0.9 * c.movingMean()[ch] + 0.1 * mean[ch];
                wantVar[ch] = 0.9 * c.movingVar()[ch] + 0.1 * sq[ch] / (n - 1);
            }
            Result r = run(cpu3, c);
            assertClose(wantMean, r.movingMean(), 1e-6, "moving mean");
            assertClose(wantVar, r.movingVar(), 1e-6, "moving variance");
            // The biased variance would be visibly different (n / (n - 1) = 8 / 7 for batch 8, spatial 1).
            double[] biased = new double[c.channels()];
            for (int ch = 0; ch < c.channels(); ch++) {
                biased[ch] = 0.9 * c.movingVar()[ch] + 0.1 * sq[ch] / n;
            }
            assertFalse(OpTestSupport.relativeError(biased, r.movingVar()) < 1e-4,
                    "moving variance must use the unbiased batch variance");
        }
    }

    @Test
    void movingAveragesUntouchedWhenNotUpdating() {
        Case c = Case.random(4, 5, 49, 53);
        try (BatchNormOp op = cpu3.batchNorm(c.batch(), c.channels(), c.spatial())) {
            Tensor mm = tensor(c.movingMean(), c.channels());
            Tensor mv = tensor(c.movingVar(), c.channels());
            float[] mm0 = read(mm);
            float[] mv0 = read(mv);
            Tensor y = garbage(c.shape());
            op.forwardTraining(tensor(c.x(), c.shape()), tensor(c.gamma(), c.channels()), tensor(c.beta(), c.channels()),
                    mm, mv, MOMENTUM, false, y);
            assertBitIdentical(mm0, read(mm), "moving mean");
            assertBitIdentical(mv0, read(mv), "moving variance");
            assertClose(c.reference(), read(y), FORWARD_TOL, "training forward without the update");
            assertGuardsIntact(mm, mv, y);
        }
    }

    @Test
    void inferenceUsesMovingStatistics() {
        Case c = Case.random(4, 6, 9, 54);
        // Some moving variances near or at zero, where eps = 1e-5 decides the scale.
        double[] mv = c.movingVar().clone();
        mv[0] = 0;
        mv[1] = 1e-5;
        mv[2] = 3e-4;
        double[] expected = NaiveOps.normalise(c.x(), c.gamma(), c.beta(), c.movingMean(), mv, EPS,
                c.batch(), c.channels(), c.spatial());
        try (BatchNormOp op = cpu3.batchNorm(c.batch(), c.channels(), c.spatial())) {
            Tensor mmT = tensor(c.movingMean(), c.channels());
            Tensor mvT = tensor(mv, c.channels());
            Tensor x = tensor(c.x(), c.shape());
            Tensor y = garbage(c.shape());
            op.forwardInference(x, tensor(c.gamma(), c.channels()), tensor(c.beta(), c.channels()), mmT, mvT, y);
            assertClose(expected, read(y), FORWARD_TOL, "inference forward");
            assertBitIdentical(OpTestSupport.toFloat(c.movingMean()), read(mmT), "moving mean unchanged");
            assertBitIdentical(OpTestSupport.toFloat(mv), read(mvT), "moving variance unchanged");
            // In place (y == x) works too.
            op.forwardInference(x, tensor(c.gamma(), c.channels()), tensor(c.beta(), c.channels()), mmT, mvT, x);
            assertBitIdentical(read(y), read(x), "inference in place");
            assertGuardsIntact(mmT, mvT, x, y);
        }
    }

    @Test
    void constantAndNearlyConstantChannelsStayFinite() {
        // Channel 0 constant (variance 0: xhat = 0, y = beta, dx = 0); channel 1 with variance ~1e-6, below eps.
        int batch = 4, channels = 2, spatial = 3;
        Random rnd = new Random(55);
        double[] x = new double[batch * channels * spatial];
        for (int b = 0; b < batch; b++) {
            for (int s = 0; s < spatial; s++) {
                x[(b * channels) * spatial + s] = 2.5;
                x[(b * channels + 1) * spatial + s] = (float) (1e-3 * rnd.nextGaussian());
            }
        }
        Case c = new Case(batch, channels, spatial, x, new double[] {1.5, 0.75}, new double[] {0.1, -1},
                new double[] {0, 0}, new double[] {1, 1}, gaussian(rnd, x.length, 1.0));
        Result r = run(cpu3, c);
        assertFinite(r.y(), "y");
        assertFinite(r.dx(), "dx");
        assertFinite(r.movingVar(), "moving variance");
        // The op subtracts the mean before scaling (scale = gamma / sqrt(var + eps) = 474 here), so a constant
        // channel gives exactly beta; folding the mean into a shift would leave ~ulp(1186) of rounding.
        assertClose(c.reference(), r.y(), 1e-5, "forward with tiny variances");
        for (int b = 0; b < batch; b++) {
            for (int s = 0; s < spatial; s++) {
                assertEquals(0.1f, r.y()[(b * channels) * spatial + s], 1e-6f, "constant channel gives beta");
            }
        }
        double[][] g = c.referenceGrads();
        assertClose(g[0], r.dx(), GRAD_TOL, "dx with tiny variances");
        assertClose(g[1], r.dGamma(), GRAD_TOL, "dGamma with tiny variances");
    }

    // ------------------------------------------------------------------ backward

    @Test
    void gradientsMatchFiniteDifferences() {
        for (int[] s : new int[][] {{4, 3, 5}, {8, 4, 1}, {2, 3, 49}}) {
            Case c = Case.random(s[0], s[1], s[2], 56);
            String what = " " + s[0] + "x" + s[1] + "x" + s[2];
            // L(x, gamma, beta) = sum(r * bn_train(x, gamma, beta)) with the batch statistics recomputed from x.
            DoubleSupplier loss = () -> dot(c.r(), c.reference());
            double[] fdX = numericGradient(c.x(), loss, FD_STEP);
            double[] fdGamma = numericGradient(c.gamma(), loss, FD_STEP);
            double[] fdBeta = numericGradient(c.beta(), loss, FD_STEP);
            // The analytic double formulas (used at larger shapes below) agree with the finite differences.
            double[][] g = c.referenceGrads();
            assertClose(fdX, OpTestSupport.toFloat(g[0]), 1e-5, "reference dx vs FD" + what);
            assertClose(fdGamma, OpTestSupport.toFloat(g[1]), 1e-5, "reference dGamma vs FD" + what);

            Result r = run(cpu3, c);
            assertClose(fdX, r.dx(), GRAD_TOL, "batch norm dx vs FD" + what);
            assertClose(fdGamma, r.dGamma(), GRAD_TOL, "batch norm dGamma vs FD" + what);
            assertClose(fdBeta, r.dBeta(), GRAD_TOL, "batch norm dBeta vs FD" + what);
        }
    }

    @Test
    void accumulateAndNullParameterGradients() {
        Case c = Case.random(4, 5, 7, 57);
        Result full = run(cpu1, c);
        Random rnd = new Random(58);
        double[] dg0 = gaussian(rnd, c.channels(), 3.0);
        double[] db0 = gaussian(rnd, c.channels(), 3.0);
        try (BatchNormOp op = cpu3.batchNorm(c.batch(), c.channels(), c.spatial())) {
            Tensor x = tensor(c.x(), c.shape());
            Tensor gamma = tensor(c.gamma(), c.channels());
            Tensor dy = tensor(c.r(), c.shape());
            op.forwardTraining(x, gamma, tensor(c.beta(), c.channels()), tensor(c.movingMean(), c.channels()),
                    tensor(c.movingVar(), c.channels()), MOMENTUM, true, garbage(c.shape()));

            Tensor dGamma = tensor(dg0, c.channels());
            Tensor dBeta = tensor(db0, c.channels());
            Tensor dx = garbage(c.shape());
            op.backward(x, gamma, dy, dx, dGamma, dBeta, true);
            double[][] g = c.referenceGrads();
            assertClose(plus(dg0, g[1]), read(dGamma), GRAD_TOL, "accumulated dGamma");
            assertClose(plus(db0, g[2]), read(dBeta), GRAD_TOL, "accumulated dBeta");
            assertBitIdentical(full.dx(), read(dx), "dx with accumulate");

            Tensor dx2 = garbage(c.shape());
            op.backward(x, gamma, dy, dx2, null, null, false);
            assertBitIdentical(full.dx(), read(dx2), "dx without parameter gradients");
            assertGuardsIntact(dGamma, dBeta, dx, dx2);
        }
    }

    @Test
    void backwardBelongsToTheLatestTrainingForward() {
        // An inference forward (another x) in between must not disturb the saved batch statistics.
        Case c = Case.random(4, 5, 7, 59);
        Result full = run(cpu1, c);
        try (BatchNormOp op = cpu1.batchNorm(c.batch(), c.channels(), c.spatial())) {
            Tensor x = tensor(c.x(), c.shape());
            Tensor gamma = tensor(c.gamma(), c.channels());
            Tensor beta = tensor(c.beta(), c.channels());
            Tensor mm = tensor(c.movingMean(), c.channels());
            Tensor mv = tensor(c.movingVar(), c.channels());
            op.forwardTraining(x, gamma, beta, mm, mv, MOMENTUM, true, garbage(c.shape()));
            Tensor other = tensor(gaussian(new Random(60), c.x().length, 5.0), c.shape());
            op.forwardInference(other, gamma, beta, mm, mv, garbage(c.shape()));
            Tensor dx = garbage(c.shape());
            Tensor dGamma = garbage(c.channels());
            Tensor dBeta = garbage(c.channels());
            op.backward(x, gamma, tensor(c.r(), c.shape()), dx, dGamma, dBeta, false);
            assertBitIdentical(full.dx(), read(dx), "dx");
            assertBitIdentical(full.dGamma(), read(dGamma), "dGamma");
            assertBitIdentical(full.dBeta(), read(dBeta), "dBeta");
        }
    }

    @Test
    void modelSizedShapesMatchDoubleFormulas() {
        // After the generator's linear layer (1024 features at batch 8) and its first transposed conv (64 x 14x14);
        // in PyTorch's DCGAN (ngf 64), after G's first layer (512 channels x 4x4) and at 32x32 (64 x 32x32).
        for (int[] s : new int[][] {{8, 1024, 1}, {4, 64, 196}, {4, 512, 16}, {2, 64, 1024}}) {
            Case c = Case.random(s[0], s[1], s[2], 61);
            String what = " " + s[0] + "x" + s[1] + "x" + s[2];
            Result r3 = run(cpu3, c);
            double[][] g = c.referenceGrads();
            assertClose(c.reference(), r3.y(), FORWARD_TOL, "forward" + what);
            assertClose(g[0], r3.dx(), 1e-5, "dx" + what);
            assertClose(g[1], r3.dGamma(), 1e-5, "dGamma" + what);
            assertClose(g[2], r3.dBeta(), 1e-5, "dBeta" + what);
            Result r1 = run(cpu1, c);
            assertBitIdentical(r1.y(), r3.y(), "y, 1 vs 3 threads");
            assertBitIdentical(r1.movingMean(), r3.movingMean(), "moving mean, 1 vs 3 threads");
            assertBitIdentical(r1.movingVar(), r3.movingVar(), "moving variance, 1 vs 3 threads");
            assertBitIdentical(r1.dx(), r3.dx(), "dx, 1 vs 3 threads");
            assertBitIdentical(r1.dGamma(), r3.dGamma(), "dGamma, 1 vs 3 threads");
            assertBitIdentical(r1.dBeta(), r3.dBeta(), "dBeta, 1 vs 3 threads");
        }
    }

    @Test
    void invalidShapesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> cpu1.batchNorm(0, 3, 1));
        assertThrows(IllegalArgumentException.class, () -> cpu1.batchNorm(2, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> cpu1.batchNorm(2, 3, 0));
        // One value per channel has no batch variance: fine for inference (one sample), refused in training.
        try (BatchNormOp single = cpu1.batchNorm(1, 3, 1)) {
            assertThrows(IllegalArgumentException.class, () -> single.forwardTraining(filled(0f, 1, 3), filled(1f, 3),
                    filled(0f, 3), filled(0f, 3), filled(1f, 3), MOMENTUM, true, filled(0f, 1, 3)));
            float[] y = new float[3];
            Tensor out = cpu1.allocate(1, 3);
            single.forwardInference(filled(2f, 1, 3), filled(1f, 3), filled(0f, 3), filled(0f, 3), filled(1f, 3), out);
            cpu1.download(out, y, 0);
            assertEquals(2f / (float) Math.sqrt(1 + 1e-5), y[0], 1e-6f);
        }
        try (BatchNormOp op = cpu1.batchNorm(2, 3, 4)) {
            assertEquals(2, op.batch());
            assertEquals(3, op.channels());
            assertEquals(4, op.spatial());
            assertThrows(IllegalArgumentException.class, () -> op.forwardTraining(filled(0f, 2, 3, 5), filled(1f, 3),
                    filled(0f, 3), filled(0f, 3), filled(1f, 3), MOMENTUM, true, filled(0f, 2, 3, 5)));
        }
    }
}
