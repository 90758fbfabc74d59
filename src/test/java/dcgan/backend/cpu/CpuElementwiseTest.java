package dcgan.backend.cpu;

import static dcgan.backend.cpu.OpTestSupport.assertBitIdentical;
import static dcgan.backend.cpu.OpTestSupport.assertClose;
import static dcgan.backend.cpu.OpTestSupport.assertFinite;
import static dcgan.backend.cpu.OpTestSupport.assertGuardsIntact;
import static dcgan.backend.cpu.OpTestSupport.filled;
import static dcgan.backend.cpu.OpTestSupport.garbage;
import static dcgan.backend.cpu.OpTestSupport.gaussian;
import static dcgan.backend.cpu.OpTestSupport.numericGradient;
import static dcgan.backend.cpu.OpTestSupport.read;
import static dcgan.backend.cpu.OpTestSupport.tensor;
import static dcgan.backend.cpu.OpTestSupport.toFloat;
import static dcgan.backend.cpu.OpTestSupport.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dcgan.backend.Tensor;
import dcgan.random.CounterRng;
import java.util.Arrays;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/**
 * The elementwise operations of {@link CpuBackend}: leaky ReLU, ReLU, sigmoid, tanh, the fused sigmoid
 * cross-entropy loss and Adam, against double references, finite differences and hand-computed values; and
 * its noise against {@link CounterRng}.
 */
class CpuElementwiseTest extends CpuBackendFixture {

    private static final float ALPHA = 0.2f;
    private static final double FD_STEP = 1e-4;


    /** n values at least 0.05 away from zero (finite differences must not straddle a kink), both signs, float-exact. */
    private static double[] awayFromZero(Random rnd, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            double mag = 0.05 + 3 * rnd.nextDouble();
            v[i] = (float) (rnd.nextBoolean() ? mag : -mag);
        }
        return v;
    }

    private static double leaky(double x) {
        return x > 0 ? x : (double) ALPHA * x;
    }

    private static double relu(double x) {
        return x > 0 ? x : 0;
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    // ------------------------------------------------------------------ leaky ReLU and ReLU

    @Test
    void leakyReluForwardAndBackward() {
        Random rnd = new Random(71);
        int n = 1000;
        double[] x = awayFromZero(rnd, n);
        x[0] = 0;          // y = 0 at 0
        x[1] = -0.0;
        double[] r = gaussian(rnd, n, 1.0);
        double[] expected = new double[n];
        for (int i = 0; i < n; i++) {
            expected[i] = leaky(x[i]);
        }
        Tensor xT = tensor(x, n);
        Tensor y = garbage(n);
        cpu3.leakyRelu(xT, y, ALPHA);
        assertClose(expected, read(y), 1e-6, "leaky ReLU forward");
        assertEquals(0f, read(y)[0]);

        // dx = dL/dx of L = sum(r * leaky(x)), away from the kink at 0.
        double[] xFd = Arrays.copyOfRange(x, 2, n);
        double[] rFd = Arrays.copyOfRange(r, 2, n);
        double[] fd = numericGradient(xFd, () -> {
            double s = 0;
            for (int i = 0; i < xFd.length; i++) {
                s += rFd[i] * leaky(xFd[i]);
            }
            return s;
        }, FD_STEP);
        Tensor dx = garbage(n);
        cpu3.leakyReluBackward(y, tensor(r, n), dx, ALPHA);
        float[] dxv = read(dx);
        assertClose(fd, Arrays.copyOfRange(dxv, 2, n), 1e-6, "leaky ReLU backward vs FD");
        // At 0 the forward output is 0 (not > 0): the gradient takes the alpha branch.
        assertEquals(ALPHA * (float) r[0], dxv[0]);
        assertGuardsIntact(xT, y, dx);
    }

    /** Zeros of both signs, infinities, NaNs of both signs, subnormals, extremes, and random bit patterns. */
    private static float[] specialAndRandomFloats(Random rnd, int randomCount) {
        float[] special = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, -Float.MIN_NORMAL,
                           Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                           Float.NaN, Float.intBitsToFloat(0x7F800001), Float.intBitsToFloat(0x7FFFFFFF),
                           Float.intBitsToFloat(0xFFC00000), Float.intBitsToFloat(0xFF800001), 1f, -1f};
        float[] v = Arrays.copyOf(special, special.length + randomCount);
        for (int i = special.length; i < v.length; i++) {
            v[i] = Float.intBitsToFloat(rnd.nextInt());
        }
        return v;
    }

    @Test
    void greaterThanZeroMaskAgreesWithTheComparison() {
        Random rnd = new Random(73);
        for (float f : specialAndRandomFloats(rnd, 1_000_000)) {
            int bits = Float.floatToRawIntBits(f);
            assertEquals(f > 0 ? -1 : 0, CpuOps.greaterThanZero(bits), "mask of " + f + " (0x" + Integer.toHexString(bits) + ")");
        }
        for (int bits = 0x7F7FFFF0; bits != 0x7F800010; bits++) { // around +infinity, into the NaNs
            assertEquals(Float.intBitsToFloat(bits) > 0 ? -1 : 0, CpuOps.greaterThanZero(bits), Integer.toHexString(bits));
        }
    }

    @Test
    void theReLUsSelectExactlyAsTheComparisonsDo() {
        // The kernels select with masks; they must give the bits of y = x > 0 ? x : 0 and friends, for any input.
        float[] x = specialAndRandomFloats(new Random(74), 5000);
        float[] g = specialAndRandomFloats(new Random(75), 5000);
        int n = x.length;
        float[] relu = new float[n];
        float[] leaky = new float[n];
        float[] reluGrad = new float[n];
        float[] leakyGrad = new float[n];
        for (int i = 0; i < n; i++) {
            relu[i] = x[i] > 0 ? x[i] : 0f;
            leaky[i] = x[i] > 0 ? x[i] : ALPHA * x[i];
            reluGrad[i] = x[i] > 0 ? g[i] : 0f;
            leakyGrad[i] = x[i] > 0 ? g[i] : ALPHA * g[i];
        }
        Tensor xT = tensor(x, n);
        Tensor gT = tensor(g, n);
        Tensor out = garbage(n);
        cpu3.relu(xT, out);
        assertSameBits(relu, read(out), "ReLU");
        cpu3.leakyRelu(xT, out, ALPHA);
        assertSameBits(leaky, read(out), "leaky ReLU");
        cpu3.reluBackward(xT, gT, out);
        assertSameBits(reluGrad, read(out), "ReLU backward");
        cpu3.leakyReluBackward(xT, gT, out, ALPHA);
        assertSameBits(leakyGrad, read(out), "leaky ReLU backward");
        assertGuardsIntact(xT, gT, out);
    }

    /** Equal bit patterns, except that any NaN matches any NaN. */
    private static void assertSameBits(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            boolean same = Float.isNaN(expected[i]) ? Float.isNaN(actual[i])
                    : Float.floatToRawIntBits(expected[i]) == Float.floatToRawIntBits(actual[i]);
            if (!same) {
                throw new AssertionError(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i]);
            }
        }
    }

    @Test
    void reluForwardAndBackward() {
        Random rnd = new Random(72);
        int n = 1000;
        double[] x = awayFromZero(rnd, n);
        x[0] = 0;
        double[] r = gaussian(rnd, n, 1.0);
        double[] expected = new double[n];
        for (int i = 0; i < n; i++) {
            expected[i] = relu(x[i]);
        }
        Tensor y = garbage(n);
        cpu3.relu(tensor(x, n), y);
        // ReLU is exact: max(x, 0) of a float is that float.
        assertArrayEquals(toFloat(expected), read(y));

        double[] xFd = Arrays.copyOfRange(x, 1, n);
        double[] rFd = Arrays.copyOfRange(r, 1, n);
        double[] fd = numericGradient(xFd, () -> {
            double s = 0;
            for (int i = 0; i < xFd.length; i++) {
                s += rFd[i] * relu(xFd[i]);
            }
            return s;
        }, FD_STEP);
        Tensor dx = garbage(n);
        cpu3.reluBackward(y, tensor(r, n), dx);
        float[] dxv = read(dx);
        assertClose(fd, Arrays.copyOfRange(dxv, 1, n), 1e-6, "ReLU backward vs FD");
        assertEquals(0f, dxv[0], "ReLU gradient at 0");
        assertGuardsIntact(y, dx);
    }

    @Test
    void activationsWorkInPlace() {
        Random rnd = new Random(73);
        int n = 777;
        double[] x = gaussian(rnd, n, 3.0);
        double[] r = gaussian(rnd, n, 1.0);
        // Out of place first, then each op with its output aliasing each input in turn.
        Tensor yLeaky = garbage(n);
        cpu3.leakyRelu(tensor(x, n), yLeaky, ALPHA);
        Tensor dLeaky = garbage(n);
        cpu3.leakyReluBackward(yLeaky, tensor(r, n), dLeaky, ALPHA);
        Tensor yRelu = garbage(n);
        cpu3.relu(tensor(x, n), yRelu);
        Tensor dRelu = garbage(n);
        cpu3.reluBackward(yRelu, tensor(r, n), dRelu);
        Tensor ySig = garbage(n);
        cpu3.sigmoid(tensor(x, n), ySig);
        Tensor dSig = garbage(n);
        cpu3.sigmoidBackward(ySig, tensor(r, n), dSig);

        Tensor t = tensor(x, n);
        cpu3.leakyRelu(t, t, ALPHA);
        assertBitIdentical(read(yLeaky), read(t), "leaky ReLU in place");
        t = tensor(x, n);
        cpu3.relu(t, t);
        assertBitIdentical(read(yRelu), read(t), "ReLU in place");
        t = tensor(x, n);
        cpu3.sigmoid(t, t);
        assertBitIdentical(read(ySig), read(t), "sigmoid in place");

        // Backward with dx == dy.
        Tensor g = tensor(r, n);
        cpu3.leakyReluBackward(yLeaky, g, g, ALPHA);
        assertBitIdentical(read(dLeaky), read(g), "leaky ReLU backward, dx == dy");
        g = tensor(r, n);
        cpu3.reluBackward(yRelu, g, g);
        assertBitIdentical(read(dRelu), read(g), "ReLU backward, dx == dy");
        g = tensor(r, n);
        cpu3.sigmoidBackward(ySig, g, g);
        assertBitIdentical(read(dSig), read(g), "sigmoid backward, dx == dy");

        // Backward with dx == y (the forward output is no longer needed afterwards).
        Tensor yy = tensor(read(yLeaky), n);
        cpu3.leakyReluBackward(yy, tensor(r, n), yy, ALPHA);
        assertBitIdentical(read(dLeaky), read(yy), "leaky ReLU backward, dx == y");
        yy = tensor(read(yRelu), n);
        cpu3.reluBackward(yy, tensor(r, n), yy);
        assertBitIdentical(read(dRelu), read(yy), "ReLU backward, dx == y");
        yy = tensor(read(ySig), n);
        cpu3.sigmoidBackward(yy, tensor(r, n), yy);
        assertBitIdentical(read(dSig), read(yy), "sigmoid backward, dx == y");
    }

    // ------------------------------------------------------------------ sigmoid

    @Test
    void sigmoidForwardAndBackward() {
        Random rnd = new Random(74);
        int n = 500;
        double[] x = uniform(rnd, n, -20, 20);
        Tensor y = garbage(n);
        cpu3.sigmoid(tensor(x, n), y);
        float[] yv = read(y);
        assertFinite(yv, "sigmoid");
        for (int i = 0; i < n; i++) {
            double want = sigmoid(x[i]);
            // Elementwise relative error: values reach down to 2e-9.
            if (Math.abs(yv[i] - want) > 1e-6 * want) {
                fail("sigmoid(" + x[i] + ") = " + yv[i] + ", expected " + want);
            }
        }
        assertEquals(0.5f, read(sigmoidOf(0f))[0]);

        // Backward vs FD on a range where the float output still resolves 1 - s.
        double[] xs = uniform(rnd, n, -6, 6);
        double[] r = gaussian(rnd, n, 1.0);
        double[] fd = numericGradient(xs, () -> {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += r[i] * sigmoid(xs[i]);
            }
            return s;
        }, FD_STEP);
        Tensor ys = garbage(n);
        cpu3.sigmoid(tensor(xs, n), ys);
        Tensor dx = garbage(n);
        cpu3.sigmoidBackward(ys, tensor(r, n), dx);
        assertClose(fd, read(dx), 1e-5, "sigmoid backward vs FD");
        assertGuardsIntact(y, ys, dx);
    }

    private Tensor sigmoidOf(float... x) {
        Tensor y = garbage(x.length);
        cpu1.sigmoid(tensor(x, x.length), y);
        return y;
    }

    @Test
    void sigmoidIsStableAtLargeMagnitudes() {
        float[] y = read(sigmoidOf(100f, -100f, 1000f, -1000f, Float.MAX_VALUE, -Float.MAX_VALUE));
        assertFinite(y, "sigmoid at large |x|");
        assertEquals(1f, y[0]);
        assertEquals(1f, y[2]);
        assertEquals(1f, y[4]);
        // sigmoid(-100) = 3.7e-44: a float subnormal or zero, never negative or NaN.
        assertTrue(y[1] >= 0 && y[1] < 1e-40, "sigmoid(-100) = " + y[1]);
        assertEquals(0f, y[3]);
        assertEquals(0f, y[5]);
        Tensor dx = garbage(6);
        cpu1.sigmoidBackward(tensor(y, 6), filled(1f, 6), dx);
        float[] d = read(dx);
        assertFinite(d, "sigmoid gradient at large |x|");
        for (float v : d) {
            assertTrue(v >= 0 && v < 1e-40, "sigmoid gradient at large |x| is " + v);
        }
    }

    // ------------------------------------------------------------------ tanh

    @Test
    void tanhForwardIsTheNearestFloatToTheExactValue() {
        Random rnd = new Random(75);
        int n = 200_000;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            // Every scale: tiny (tanh x = x), the bend, both sides of the saturation at 10, and beyond.
            x[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(9) - 6));
        }
        Tensor y = garbage(n);
        cpu3.tanh(tensor(x, n), y);
        float[] yv = read(y);
        int notNearest = 0;
        for (int i = 0; i < n; i++) {
            double exact = StrictMath.tanh(x[i]);
            if (yv[i] != (float) exact) {
                notNearest++;
                // StrictMath.tanh is within 2.5 double ulps: a float one ulp off is only possible next to a midpoint.
                if (Math.abs(yv[i] - exact) > Math.ulp((float) exact)) {
                    fail("tanh(" + x[i] + ") = " + yv[i] + ", expected " + exact);
                }
            }
        }
        assertTrue(notNearest <= n / 100_000, notNearest + " of " + n + " values are not the nearest float");
        assertGuardsIntact(y);
    }

    @Test
    void tanhSpecialValues() {
        float[] x = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, 1e-30f, 10f, -10f, Math.nextDown(10f), 1e4f,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 1f, -0.5f};
        Tensor y = garbage(x.length);
        cpu1.tanh(tensor(x, x.length), y);
        float[] v = read(y);
        assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(v[0]), "tanh(+0) is +0");
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(v[1]), "tanh(-0) is -0");
        assertEquals(Float.MIN_VALUE, v[2], "tanh of the smallest subnormal");
        assertEquals(-Float.MIN_VALUE, v[3]);
        assertEquals(1e-30f, v[4]);
        assertEquals(1f, v[5]);
        assertEquals(-1f, v[6]);
        assertEquals(1f, v[7], "just below the saturation, tanh already rounds to 1");
        assertEquals(1f, v[8]);
        assertEquals(1f, v[9]);
        assertEquals(-1f, v[10]);
        assertTrue(Float.isNaN(v[11]), "tanh(NaN) = " + v[11]);
        assertEquals((float) StrictMath.tanh(1), v[12]);
        assertEquals((float) StrictMath.tanh(-0.5), v[13]);
    }

    @Test
    void tanhExpm1IsWithinAFewUlpsOfStrictMath() {
        Random rnd = new Random(76);
        double worst = 0;
        for (int i = 0; i < 1_000_000; i++) {
            double y = i % 2 == 0 ? -20 * rnd.nextDouble() : -Math.scalb(1 + rnd.nextDouble(), -rnd.nextInt(60));
            double want = StrictMath.expm1(y);
            worst = Math.max(worst, Math.abs(Tanh.expm1(y) - want) / Math.ulp(want));
        }
        // StrictMath.expm1 itself is within 1 ulp.
        assertTrue(worst <= 3, "expm1 is " + worst + " ulps from StrictMath.expm1");
    }

    @Test
    void tanhBackwardMatchesFiniteDifferences() {
        Random rnd = new Random(77);
        int n = 500;
        // A range where the float output still resolves 1 - y^2.
        double[] xs = uniform(rnd, n, -4, 4);
        double[] r = gaussian(rnd, n, 1.0);
        double[] fd = numericGradient(xs, () -> {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += r[i] * Math.tanh(xs[i]);
            }
            return s;
        }, FD_STEP);
        Tensor ys = garbage(n);
        cpu3.tanh(tensor(xs, n), ys);
        Tensor dx = garbage(n);
        cpu3.tanhBackward(ys, tensor(r, n), dx);
        assertClose(fd, read(dx), 1e-5, "tanh backward vs FD");
        // And its float formula exactly: dy * (1 - y * y), y * y first.
        float[] y = read(ys);
        float[] d = read(dx);
        for (int i = 0; i < n; i++) {
            float want = (float) r[i] * (1f - y[i] * y[i]);
            assertEquals(want, d[i], 0f, "tanh backward element " + i);
        }
        assertGuardsIntact(ys, dx);
    }

    @Test
    void tanhWorksInPlace() {
        Random rnd = new Random(78);
        int n = 777;
        double[] x = gaussian(rnd, n, 3.0);
        double[] r = gaussian(rnd, n, 1.0);
        Tensor y = garbage(n);
        cpu3.tanh(tensor(x, n), y);
        Tensor d = garbage(n);
        cpu3.tanhBackward(y, tensor(r, n), d);
        Tensor t = tensor(x, n);
        cpu3.tanh(t, t);
        assertBitIdentical(read(y), read(t), "tanh in place");
        Tensor g = tensor(r, n);
        cpu3.tanhBackward(y, g, g);
        assertBitIdentical(read(d), read(g), "tanh backward, dx == dy");
        Tensor yy = tensor(read(y), n);
        cpu3.tanhBackward(yy, tensor(r, n), yy);
        assertBitIdentical(read(d), read(yy), "tanh backward, dx == y");
        // One thread and three split the work differently: the same bits.
        Tensor y1 = garbage(n);
        cpu1.tanh(tensor(x, n), y1);
        assertBitIdentical(read(y), read(y1), "tanh, 1 vs 3 threads");
    }

    // ------------------------------------------------------------------ sigmoid cross-entropy

    @Test
    void crossEntropyMatchesHandComputedValues() {
        // Logits {0, 2, -3}. Per element max(x, 0) - x*label + log(1 + exp(-|x|)):
        //   label 1 (that is -log sigmoid(x) = log(1 + exp(-x))):
        //     x =  0: 0 - 0 + log(2)                       = 0.6931471806
        //     x =  2: 2 - 2 + log(1 + e^-2) = log(1.1353352832) = 0.1269280110
        //     x = -3: 0 + 3 + log(1 + e^-3) = 3 + log(1.0497870684) = 3.0485873516
        //     mean = (0.6931471806 + 0.1269280110 + 3.0485873516) / 3 = 3.8686625432 / 3 = 1.2895541811
        //   label 0 (that is log(1 + exp(x))):
        //     x =  0: log(2)                       = 0.6931471806
        //     x =  2: 2 + log(1 + e^-2)             = 2.1269280110
        //     x = -3: log(1 + e^-3)                 = 0.0485873516
        //     mean = 2.8686625432 / 3 = 0.9562208477
        // Gradient (sigmoid(x) - label) / 3 with sigmoid(0) = 0.5, sigmoid(2) = 0.8807970780, sigmoid(-3) = 0.0474258732:
        //   label 1: {-0.5/3, -0.1192029220/3, -0.9525741268/3} = {-0.1666666667, -0.0397343073, -0.3175247089}
        //   label 0: { 0.5/3,  0.8807970780/3,  0.0474258732/3} = { 0.1666666667,  0.2935990260,  0.0158086244}
        float[] logits = {0f, 2f, -3f};
        Tensor loss = garbage(4);
        Tensor x = tensor(logits, 3);
        Tensor d1 = garbage(3);
        cpu3.sigmoidCrossEntropy(x, 1f, d1, loss, 1);
        Tensor d0 = garbage(3);
        cpu3.sigmoidCrossEntropy(x, 0f, d0, loss, 3);
        float[] l = read(loss);
        assertEquals(1.2895541811, l[1], 1e-6, "mean loss, label 1");
        assertEquals(0.9562208477, l[3], 1e-6, "mean loss, label 0");
        assertTrue(Float.isNaN(l[0]) && Float.isNaN(l[2]), "only loss[lossIndex] is written");
        assertClose(new double[] {-0.1666666667, -0.0397343073, -0.3175247089}, read(d1), 1e-6, "gradient, label 1");
        assertClose(new double[] {0.1666666667, 0.2935990260, 0.0158086244}, read(d0), 1e-6, "gradient, label 0");
        assertArrayEquals(logits, read(x), "logits unchanged");
        assertGuardsIntact(loss, x, d1, d0);
    }

    @Test
    void crossEntropyIsStableAtLargeLogits() {
        // One element each, so the mean is the element's loss.
        //   x =  100, label 0: 100 - 0 + log(1 + e^-100) = 100
        //   x = -100, label 1: 0 + 100 + log(1 + e^-100) = 100
        //   x =  100, label 1: 100 - 100 + log(1 + e^-100) = 3.7e-44 ~ 0
        //   x = -100, label 0: 0 - 0 + log(1 + e^-100) ~ 0
        float[][] cases = {{100f, 0f, 100f}, {-100f, 1f, 100f}, {100f, 1f, 0f}, {-100f, 0f, 0f}};
        for (float[] c : cases) {
            Tensor loss = garbage(1);
            Tensor d = garbage(1);
            cpu1.sigmoidCrossEntropy(tensor(new float[] {c[0]}, 1), c[1], d, loss, 0);
            float l = read(loss)[0];
            float g = read(d)[0];
            assertTrue(Float.isFinite(l) && Float.isFinite(g), "loss " + l + ", gradient " + g + " at " + c[0]);
            assertEquals(c[2], l, 1e-6f, "loss at x = " + c[0] + ", label " + c[1]);
            // gradient sigmoid(x) - label: +-1 when confidently wrong, 0 when confidently right
            assertEquals((c[0] > 0 ? 1f : 0f) - c[1], g, 1e-6f, "gradient at x = " + c[0] + ", label " + c[1]);
        }
        // Much larger magnitudes must not overflow either.
        Tensor loss = garbage(1);
        Tensor d = garbage(4);
        cpu1.sigmoidCrossEntropy(tensor(new float[] {1e30f, -1e30f, 88.8f, -88.8f}, 4), 0.5f, d, loss, 0);
        assertFinite(read(loss), "loss at huge logits");
        assertFinite(read(d), "gradient at huge logits");
    }

    @Test
    void crossEntropyGradientMatchesFiniteDifferences() {
        Random rnd = new Random(75);
        int n = 64;
        for (float label : new float[] {0f, 1f, 0.9f}) {
            double[] x = gaussian(rnd, n, 4.0);
            DoubleSupplier loss = () -> {
                double s = 0;
                for (double v : x) {
                    s += Math.max(v, 0) - v * label + Math.log1p(Math.exp(-Math.abs(v)));
                }
                return s / n;
            };
            double expectedLoss = loss.getAsDouble();
            double[] fd = numericGradient(x, loss, FD_STEP);
            Tensor lossT = garbage(2);
            Tensor d = garbage(n);
            cpu3.sigmoidCrossEntropy(tensor(x, n), label, d, lossT, 0);
            assertEquals(expectedLoss, read(lossT)[0], 1e-6 * expectedLoss, "loss, label " + label);
            assertClose(fd, read(d), 1e-5, "loss gradient vs FD, label " + label);
        }
    }

    @Test
    void crossEntropyRejectsBadArguments() {
        Tensor x = tensor(new float[] {1f, 2f}, 2);
        Tensor loss = garbage(2);
        assertThrows(IllegalArgumentException.class, () -> cpu1.sigmoidCrossEntropy(x, 1f, x, loss, 0), "dLogits == logits");
        assertThrows(IllegalArgumentException.class, () -> cpu1.sigmoidCrossEntropy(x, 1f, garbage(2), loss, 2));
        assertThrows(IllegalArgumentException.class, () -> cpu1.sigmoidCrossEntropy(x, 1f, garbage(2), loss, -1));
        assertThrows(IllegalArgumentException.class, () -> cpu1.sigmoidCrossEntropy(x, 1f, garbage(3), loss, 0));
    }

    // ------------------------------------------------------------------ Adam

    @Test
    void adamMatchesHandComputedSteps() {
        // lr = 2e-4, beta1 = 0.5, beta2 = 0.999, eps = 1e-8; p = {0.01, -0.02}, m = v = 0.
        float lr = 2e-4f, b1 = 0.5f, b2 = 0.999f, eps = 1e-8f;
        Tensor p = tensor(new float[] {0.01f, -0.02f}, 2);
        Tensor m = filled(0f, 2);
        Tensor v = filled(0f, 2);

        // Step 1, g = {0.1, -0.2}:
        //   m = 0.5 * 0 + 0.5 * g         = {0.05, -0.1}
        //   v = 0.999 * 0 + 0.001 * g^2   = {1e-5, 4e-5}
        //   lrT = 2e-4 * sqrt(1 - 0.999) / (1 - 0.5) = 2e-4 * 0.0316227766 / 0.5 = 1.2649110641e-5
        //   update = lrT * m / (sqrt(v) + 1e-8):
        //     1.2649110641e-5 *  0.05 / (3.1622776602e-3 + 1e-8) =  1.9999936755e-4
        //     1.2649110641e-5 * -0.1  / (6.3245553203e-3 + 1e-8) = -1.9999968377e-4
        //   (at step 1 Adam moves each parameter by lr * sign(g), less a hair for eps)
        //   p = {0.01 - 1.9999936755e-4, -0.02 + 1.9999968377e-4} = {0.009800000632, -0.019800000316}
        cpu3.adam(p, tensor(new float[] {0.1f, -0.2f}, 2), m, v, lrT(lr, b1, b2, 1), b1, b2, eps);
        assertArrayEquals(new float[] {0.05f, -0.1f}, read(m), 5e-8f, "m after step 1");
        // 0.999f is 0.99900001287, so 1 - beta2 is 9.9998713e-4 in float: v is off by 1.3e-5 relative.
        assertArrayEquals(new float[] {1e-5f, 4e-5f}, read(v), 4e-5f * 2e-5f, "v after step 1");
        assertArrayEquals(new float[] {0.009800000632f, -0.019800000316f}, read(p), 3e-9f, "p after step 1");

        // Step 2, g = {0.3, 0.05}:
        //   m = 0.5 * {0.05, -0.1} + 0.5 * {0.3, 0.05}                  = {0.175, -0.025}
        //   v = 0.999 * {1e-5, 4e-5} + 0.001 * {0.09, 0.0025}
        //     = {9.99e-6 + 9e-5, 3.996e-5 + 2.5e-6}                     = {9.999e-5, 4.246e-5}
        //   lrT = 2e-4 * sqrt(1 - 0.999^2) / (1 - 0.5^2) = 2e-4 * sqrt(0.001999) / 0.75
        //       = 2e-4 * 0.0447101778 / 0.75 = 1.1922714083e-5
        //   update:  1.1922714083e-5 *  0.175 / (9.9994999875e-3 + 1e-8) =  2.0865772095e-4
        //            1.1922714083e-5 * -0.025 / (6.5161338231e-3 + 1e-8) = -4.5742982380e-5
        //   p = {0.009800000632 - 2.0865772095e-4, -0.019800000316 + 4.5742982380e-5}
        //     = {0.009591342912, -0.019754257334}
        cpu3.adam(p, tensor(new float[] {0.3f, 0.05f}, 2), m, v, lrT(lr, b1, b2, 2), b1, b2, eps);
        assertArrayEquals(new float[] {0.175f, -0.025f}, read(m), 5e-8f, "m after step 2");
        assertArrayEquals(new float[] {9.999e-5f, 4.246e-5f}, read(v), 1e-4f * 2e-5f, "v after step 2");
        assertArrayEquals(new float[] {0.009591342912f, -0.019754257334f}, read(p), 3e-9f, "p after step 2");
        assertGuardsIntact(p, m, v);
    }

    /** The caller's bias-corrected step size, lr * sqrt(1 - b2^t) / (1 - b1^t). */
    private static float lrT(float lr, float b1, float b2, int t) {
        return (float) (lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t)));
    }

    @Test
    void adamOverALargeBufferMatchesDoubleReference() {
        Random rnd = new Random(76);
        int n = 10_007;
        float lr = 2e-4f, b1 = 0.5f, b2 = 0.999f, eps = 1e-8f;
        double[] p = gaussian(rnd, n, 0.02);
        double[] m = new double[n];
        double[] v = new double[n];
        Tensor pT = tensor(p, n);
        Tensor mT = filled(0f, n);
        Tensor vT = filled(0f, n);
        for (int t = 1; t <= 3; t++) {
            double[] g = gaussian(rnd, n, 0.01 * t);
            float step = lrT(lr, b1, b2, t);
            double[] before = p.clone();
            for (int i = 0; i < n; i++) {
                m[i] = b1 * m[i] + (1 - (double) b1) * g[i];
                v[i] = b2 * v[i] + (1 - (double) b2) * g[i] * g[i];
                p[i] -= step * m[i] / (Math.sqrt(v[i]) + eps);
            }
            float[] pBefore = read(pT);
            cpu3.adam(pT, tensor(g, n), mT, vT, step, b1, b2, eps);
            assertClose(m, read(mT), 1e-6, "m at step " + t);
            assertClose(v, read(vT), 1e-6, "v at step " + t);
            // Compare the updates themselves (p moves by ~2e-4 against values of ~0.02).
            double[] wantUpdate = new double[n];
            float[] gotUpdate = new float[n];
            float[] pAfter = read(pT);
            for (int i = 0; i < n; i++) {
                wantUpdate[i] = before[i] - p[i];
                gotUpdate[i] = (float) ((double) pBefore[i] - pAfter[i]);
            }
            assertClose(wantUpdate, gotUpdate, 1e-4, "update at step " + t);
            // Keep the reference on the op's parameters so rounding does not drift apart over steps.
            p = OpTestSupport.toDouble(pAfter);
        }
    }

    // ------------------------------------------------------------------ noise

    @Test
    void uniformMatchesCounterRng() {
        CounterRng rng = new CounterRng(1234);
        Tensor t = garbage(1000);
        cpu3.uniform(t, rng, CounterRng.STREAM_NOISE, 17, -1f, 1f);
        assertArrayEquals(rng.uniform(1000, -1f, 1f, CounterRng.STREAM_NOISE, 17), read(t));
        assertGuardsIntact(t);
    }

    @Test
    void normalMatchesCounterRng() {
        CounterRng rng = new CounterRng(1234);
        Tensor t = garbage(1001);
        cpu3.normal(t, rng, CounterRng.STREAM_NOISE, 17);
        assertArrayEquals(rng.normal(1001, CounterRng.STREAM_NOISE, 17), read(t));
        assertGuardsIntact(t);
    }

    @Test
    void describesItself() {
        assertEquals("cpu (1 thread, " + cpu1.gemmName() + " SGEMM)", cpu1.describe());
        assertEquals("cpu (3 threads, " + cpu3.gemmName() + " SGEMM)", cpu3.describe());
    }
}
