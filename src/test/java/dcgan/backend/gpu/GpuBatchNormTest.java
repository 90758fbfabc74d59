package dcgan.backend.gpu;

import static org.junit.jupiter.params.provider.Arguments.arguments;

import dcgan.backend.BatchNormOp;

import java.util.Arrays;
import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * cuDNN batch norm (GpuBatchNorm: spatial mode after a convolution, per-activation mode after a linear
 * layer) against the CPU at every batch norm of the model, and two small odd shapes. Inputs have a
 * different mean and spread per channel, so that a mean or variance taken over the wrong axis, or a
 * mean left in, shows.
 */
@Tag("gpu")
class GpuBatchNormTest extends CpuVsGpuFixture {

    /** The bound for batch norm. */
    private static final double TOL = 1e-4;
    /** The model's moving-average decay (BatchNorm.MOVING_AVERAGE_DECAY). */
    private static final float MOMENTUM = 0.9f;

    record Shape(String name, int batch, int channels, int spatial) {
        int size() {
            return batch * channels * spatial;
        }

        int[] data() {
            return new int[] {batch, channels, spatial};
        }

        @Override
        public String toString() {
            return name + " [" + batch + ", " + channels + ", " + spatial + "]";
        }
    }

    static Stream<Shape> shapes() {
        return Stream.of(
                new Shape("D.bn2", 256, 128, 7 * 7),
                new Shape("D.bn3", 256, 1024, 1),
                new Shape("G.bn1", 256, 1024, 1),
                // The generator normalises l2's 6272 outputs as features, before viewing them as 128x7x7.
                new Shape("G.bn2", 256, 128 * 7 * 7, 1),
                new Shape("G.bn3", 256, 64, 14 * 14),
                // PyTorch's DCGAN (ngf 64): after G's first layer (8 ngf channels x 4x4), and 64 channels at 32x32.
                new Shape("DCGAN G.main.1", 64, 512, 4 * 4),
                new Shape("DCGAN 64 x 32x32", 16, 64, 32 * 32),
                new Shape("odd, spatial", 3, 5, 7),
                new Shape("odd, per feature", 3, 7, 1));
    }

    /** One batch norm on both backends with fresh operands; the moving statistics start random. */
    private static final class Setup {
        final Inputs in = Inputs.fresh();
        final Shape s;
        final Both<BatchNormOp> op;
        final float[] x;
        final float[] movingMean;
        final float[] movingVar;
        final Twin xT;
        final Twin gamma;
        final Twin beta;
        final Twin meanT;
        final Twin varT;

        Setup(Shape s) {
            this.s = s;
            op = both(b -> b.batchNorm(s.batch(), s.channels(), s.spatial()));
            x = channelShifted(s);
            xT = twin(x, s.data());
            gamma = twin(in.uniform(s.channels(), 0.5, 1.5), s.channels());
            beta = twin(in.gaussian(s.channels(), 0.5), s.channels());
            movingMean = in.gaussian(s.channels(), 1);
            movingVar = in.uniform(s.channels(), 0.5, 2);
            meanT = twin(movingMean, s.channels());
            varT = twin(movingVar, s.channels());
        }

        /** x[b, c, p] = offset_c + spread_c * N(0, 1), with offsets up to 3 and spreads from 0.3 to 3. */
        private float[] channelShifted(Shape s) {
            float[] offset = in.uniform(s.channels(), -3, 3);
            float[] spread = in.uniform(s.channels(), 0.3, 3);
            float[] v = in.gaussian(s.size(), 1);
            for (int i = 0; i < v.length; i++) {
                int c = i / s.spatial() % s.channels();
                v[i] = offset[c] + spread[c] * v[i];
            }
            return v;
        }

        String label(String what) {
            return in.label(s + " " + what);
        }

        Twin forwardTraining(boolean updateMovingAverages) {
            Twin y = nanTwin(s.data());
            onBoth(b -> op.on(b).forwardTraining(xT.on(b), gamma.on(b), beta.on(b), meanT.on(b), varT.on(b), MOMENTUM,
                    updateMovingAverages, y.on(b)));
            return y;
        }
    }

    static Stream<Arguments> trainingCases() {
        return shapes().flatMap(s -> Stream.of(arguments(s, true), arguments(s, false)));
    }

    /** y either way; the moving statistics updated like the CPU's, or left exactly as they were. */
    @ParameterizedTest(name = "{0}, update moving averages {1}")
    @MethodSource("trainingCases")
    void trainingForwardMatchesCpu(Shape s, boolean updateMovingAverages) {
        Setup u = new Setup(s);
        Twin y = u.forwardTraining(updateMovingAverages);
        String what = u.label("training forward, update moving averages " + updateMovingAverages);
        assertTwinClose(what + ": y", y, TOL);
        if (updateMovingAverages) {
            assertTwinClose(what + ": moving mean", u.meanT, TOL);
            assertTwinClose(what + ": moving variance", u.varT, TOL);
        } else {
            assertUntouched(what + ": moving mean", u.meanT, u.movingMean);
            assertUntouched(what + ": moving variance", u.varT, u.movingVar);
        }
        assertUntouched(what + ": x", u.xT, u.x);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void inferenceForwardMatchesCpu(Shape s) {
        Setup u = new Setup(s);
        Twin y = nanTwin(s.data());
        onBoth(b -> u.op.on(b).forwardInference(u.xT.on(b), u.gamma.on(b), u.beta.on(b), u.meanT.on(b), u.varT.on(b),
                y.on(b)));
        String what = u.label("inference forward");
        assertTwinClose(what + ": y", y, TOL);
        assertUntouched(what + ": moving mean", u.meanT, u.movingMean);
        assertUntouched(what + ": moving variance", u.varT, u.movingVar);
    }

    /** What a backward is asked for: dGamma and dBeta overwritten, added to, or not at all. */
    enum ParamGrads {
        OVERWRITE, ACCUMULATE, NONE
    }

    static Stream<Arguments> backwardCases() {
        return shapes().flatMap(s -> Arrays.stream(ParamGrads.values()).map(p -> arguments(s, p)));
    }

    /**
     * A training forward, then the backward on both backends: dx always (NaN-filled: overwritten), dGamma and
     * dBeta NaN-filled or, when accumulating, pre-filled at about their own size (each sums batch * spatial
     * terms) so that overwriting instead of adding is far outside TOL.
     */
    @ParameterizedTest(name = "{0}, dGamma/dBeta {1}")
    @MethodSource("backwardCases")
    void backwardMatchesCpu(Shape s, ParamGrads grads) {
        Setup u = new Setup(s);
        u.forwardTraining(true);
        String what = u.label("backward, dGamma/dBeta " + grads);
        boolean paramGrads = grads != ParamGrads.NONE;
        boolean accumulate = grads == ParamGrads.ACCUMULATE;
        float[] dy = u.in.gaussian(s.size(), 1);
        Twin dyT = twin(dy, s.data());
        Twin dx = nanTwin(s.data());
        double scale = Math.sqrt((double) s.batch() * s.spatial());
        Twin dGamma = !paramGrads ? null
                : accumulate ? twin(u.in.gaussian(s.channels(), scale), s.channels()) : nanTwin(s.channels());
        Twin dBeta = !paramGrads ? null
                : accumulate ? twin(u.in.gaussian(s.channels(), scale), s.channels()) : nanTwin(s.channels());
        onBoth(b -> u.op.on(b).backward(u.xT.on(b), u.gamma.on(b), dyT.on(b), dx.on(b), on(dGamma, b), on(dBeta, b),
                accumulate));
        assertTwinClose(what + ": dx", dx, TOL);
        if (paramGrads) {
            assertTwinClose(what + ": dGamma", dGamma, TOL);
            assertTwinClose(what + ": dBeta", dBeta, TOL);
        }
        assertUntouched(what + ": dy", dyT, dy);
        assertUntouched(what + ": x", u.xT, u.x);
    }
}
