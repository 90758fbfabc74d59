package dcgan.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dcgan.backend.Tensor;
import java.util.Arrays;
import java.util.Random;
import java.util.function.DoubleSupplier;

/**
 * Shared helpers of the CPU operation tests: random inputs, tensors placed inside guard bands, error
 * measures, finiteness checks and central finite differences.
 *
 * <p>Every tensor handed to an operation starts at a non-zero offset into a larger block of off-heap memory
 * whose other elements are NaN. An operation that reads outside its operand then produces NaN (caught by the
 * finiteness checks), and one that writes outside it breaks the guard band (caught by
 * {@link #assertGuardsIntact}).
 */
final class OpTestSupport {

    private OpTestSupport() {
    }

    // ------------------------------------------------------------------ random inputs

    /** n values from N(0, scale^2), rounded to float so that the double reference sees exactly the op's inputs. */
    static double[] gaussian(Random rnd, int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rnd.nextGaussian() * scale);
        }
        return v;
    }

    /** n values uniform in [lo, hi), rounded to float. */
    static double[] uniform(Random rnd, int n, double lo, double hi) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        }
        return v;
    }

    static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    // ------------------------------------------------------------------ guarded tensors

    /** A tensor holding values, as a view inside a NaN guard band. */
    static CpuTensor tensor(double[] values, int... shape) {
        return tensor(toFloat(values), shape);
    }

    /** A tensor holding values, as a view inside a NaN guard band. */
    static CpuTensor tensor(float[] values, int... shape) {
        assertEquals(Tensor.sizeOf(shape), values.length, "test bug: values do not match the shape");
        int pre = 3 + values.length % 5;
        int post = 5;
        float[] store = new float[pre + values.length + post];
        Arrays.fill(store, Float.NaN);
        System.arraycopy(values, 0, store, pre, values.length);
        OffHeapFloats memory = new OffHeapFloats(store.length);
        memory.floats().put(0, store);
        return CpuTensor.owning(memory, pre, shape);
    }

    /** An output tensor pre-filled with NaN, so that an operation must overwrite every element. */
    static CpuTensor garbage(int... shape) {
        float[] v = new float[Tensor.sizeOf(shape)];
        Arrays.fill(v, Float.NaN);
        return tensor(v, shape);
    }

    /** A tensor filled with one value. */
    static CpuTensor filled(float value, int... shape) {
        float[] v = new float[Tensor.sizeOf(shape)];
        Arrays.fill(v, value);
        return tensor(v, shape);
    }

    /** The elements of t. */
    static float[] read(Tensor t) {
        return CpuOps.toArray(CpuTensor.of(t));
    }

    static double[] readDouble(Tensor t) {
        return toDouble(read(t));
    }

    /** Fails if anything outside t's own elements in its storage is no longer NaN. */
    static void assertGuardsIntact(Tensor... ts) {
        for (Tensor t : ts) {
            CpuTensor c = CpuTensor.of(t);
            for (int i = 0; i < c.storageSize(); i++) {
                if (i >= c.offset && i < c.offset + c.size()) {
                    continue;
                }
                if (!Float.isNaN(c.floats().get(i))) {
                    fail("operation wrote outside " + c + " at storage index " + i + " (view at " + c.offset + ")");
                }
            }
        }
    }

    // ------------------------------------------------------------------ checks

    static void assertFinite(float[] a, String what) {
        for (int i = 0; i < a.length; i++) {
            if (!Float.isFinite(a[i])) {
                fail(what + ": element " + i + " is " + a[i]);
            }
        }
    }

    static void assertFinite(double[] a, String what) {
        for (int i = 0; i < a.length; i++) {
            if (!Double.isFinite(a[i])) {
                fail(what + ": element " + i + " is " + a[i]);
            }
        }
    }

    /** max |a - b| / max |expected|, infinite if any actual value is not finite. */
    static double relativeError(double[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, "length");
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < expected.length; i++) {
            if (!Float.isFinite(actual[i])) {
                return Double.POSITIVE_INFINITY;
            }
            maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
        }
        return maxRef == 0 ? maxDiff : maxDiff / maxRef;
    }

    /**
     * Asserts that actual matches expected to a relative error (max |a - b| / max |b|) below tol; every actual
     * value must be finite, and the reference must not be all zeros (a vacuous comparison).
     */
    static void assertClose(double[] expected, float[] actual, double tol, String what) {
        assertFinite(actual, what);
        assertFinite(expected, what + " (reference)");
        assertEquals(expected.length, actual.length, what + ": length");
        double maxRef = 0;
        double maxDiff = 0;
        int worst = -1;
        for (int i = 0; i < expected.length; i++) {
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
            double d = Math.abs(actual[i] - expected[i]);
            if (d > maxDiff) {
                maxDiff = d;
                worst = i;
            }
        }
        assertTrue(maxRef > 0, what + ": reference is all zeros, the comparison would prove nothing");
        double rel = maxDiff / maxRef;
        if (!(rel < tol)) {
            fail(String.format("%s: relative error %.3g >= %.3g (worst element %d: expected %.9g, got %.9g, max |ref| %.4g)",
                    what, rel, tol, worst, expected[worst], actual[worst], maxRef));
        }
    }

    /** Exact equality, element for element, of finite values (two NaNs do not pass as equal). */
    static void assertBitIdentical(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        assertFinite(actual, what);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(what + ": element " + i + " differs: " + expected[i] + " vs " + actual[i]);
            }
        }
    }

    static double[] plus(double[] a, double[] b) {
        double[] s = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            s[i] = a[i] + b[i];
        }
        return s;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    // ------------------------------------------------------------------ finite differences

    /**
     * Central differences of loss with respect to every element of p (which loss reads), in double:
     * {@code (L(p + h e_i) - L(p - h e_i)) / 2h}. p is restored afterwards.
     */
    static double[] numericGradient(double[] p, DoubleSupplier loss, double h) {
        double[] g = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            double saved = p[i];
            p[i] = saved + h;
            double up = loss.getAsDouble();
            p[i] = saved - h;
            double down = loss.getAsDouble();
            p[i] = saved;
            g[i] = (up - down) / (2 * h);
        }
        return g;
    }
}
