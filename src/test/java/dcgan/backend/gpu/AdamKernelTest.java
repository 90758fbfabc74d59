package dcgan.backend.gpu;

import dcgan.model.ModelSpec;
import dcgan.model.Discriminator;
import dcgan.model.Generator;
import dcgan.train.AdamSchedule;

import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * kernels/adam.cu against the CPU over each network's whole flat parameter buffer, with the trainer's
 * hyperparameters. The kernel is written to reproduce Java's float arithmetic exactly, so m and v must
 * be bit-identical; p is held to 1e-5 and its largest difference in ulps is reported.
 */
@Tag("gpu")
class AdamKernelTest extends CpuVsGpuFixture {

    private static final double TOL = 1e-5;
    private static final float LR = 2e-4f;
    private static final float BETA1 = 0.5f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-8f;

    static Stream<Arguments> networks() {
        return Stream.of(
                arguments("D", Discriminator.layout(ModelSpec.MNIST).params().size()),
                arguments("G", Generator.layout(ModelSpec.MNIST).params().size()),
                arguments("odd size", 1001));
    }

    @ParameterizedTest(name = "{0}: {1} parameters")
    @MethodSource("networks")
    void stepMatchesCpu(String network, int n, TestReporter reporter) {
        Inputs in = Inputs.fresh();
        // A step size from the trainer's schedule at a random step t: its bias correction included.
        int t = 1 + in.nextInt(3000);
        AdamSchedule schedule = new AdamSchedule(LR, BETA1, BETA2);
        for (int i = 1; i < t; i++) {
            schedule.nextStepSize();
        }
        float lrT = schedule.nextStepSize();
        String what = in.label("Adam over " + network + " (" + n + " parameters), t " + t + ", lrT " + lrT);

        // Weights of the init's scale and gradients, moments of one scale, so that m / sqrt(v) is O(1) and
        // the step is a visible part of p (a kernel that skipped or mis-signed it fails the 1e-5 on p).
        float[] p = in.gaussian(n, 0.02);
        float[] g = in.gaussian(n, 1e-2);
        float[] m = in.gaussian(n, 1e-2);
        float[] v = in.uniform(n, 0, 2e-4);
        // Elements with nothing to learn: m = v = g = 0, where only epsilon keeps 0 / 0 from giving NaN.
        for (int i = 0; i < n; i += 97) {
            g[i] = 0f;
            m[i] = 0f;
            v[i] = 0f;
        }
        Twin pT = twin(p, n);
        Twin gT = twin(g, n);
        Twin mT = twin(m, n);
        Twin vT = twin(v, n);
        onBoth(b -> b.adam(pT.on(b), gT.on(b), mT.on(b), vT.on(b), lrT, BETA1, BETA2, EPSILON));

        assertTwinIdentical(what + ": m", mT);
        assertTwinIdentical(what + ": v", vT);
        float[] expectedP = pT.expected();
        float[] actualP = pT.actual();
        long ulps = maxUlps(expectedP, actualP);
        reporter.publishEntry("Adam " + network + ": p max ulp difference", Long.toString(ulps));
        GpuTestSupport.assertClose(what + ": p (max ulp difference " + ulps + ")", expectedP, actualP, TOL);
        assertUntouched(what + ": g", gT, g);
    }

    /** The largest distance in units in the last place between corresponding finite floats. */
    private static long maxUlps(float[] a, float[] b) {
        long max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(ordered(a[i]) - ordered(b[i])));
        }
        return max;
    }

    /** Float bits mapped to a line on which adjacent floats differ by one (-0 and +0 both map to 0). */
    private static long ordered(float f) {
        int bits = Float.floatToRawIntBits(f);
        return bits >= 0 ? bits : -(long) (bits & 0x7fff_ffff);
    }
}
