package dcgan.backend.cpu;

import static dcgan.backend.cpu.OpTestSupport.assertBitIdentical;
import static dcgan.backend.cpu.OpTestSupport.assertClose;
import static dcgan.backend.cpu.OpTestSupport.assertGuardsIntact;
import static dcgan.backend.cpu.OpTestSupport.dot;
import static dcgan.backend.cpu.OpTestSupport.filled;
import static dcgan.backend.cpu.OpTestSupport.garbage;
import static dcgan.backend.cpu.OpTestSupport.gaussian;
import static dcgan.backend.cpu.OpTestSupport.numericGradient;
import static dcgan.backend.cpu.OpTestSupport.plus;
import static dcgan.backend.cpu.OpTestSupport.read;
import static dcgan.backend.cpu.OpTestSupport.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dcgan.backend.ConvGeometry;
import dcgan.backend.ConvOp;
import dcgan.backend.Tensor;
import java.util.Arrays;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/**
 * {@link CpuConv} against a direct double-precision convolution ({@link NaiveOps#conv}); its gradients
 * against central finite differences of {@code L = sum(r * conv(x, w, b))} on small shapes, and against
 * the direct double formulas at the model's real shapes.
 */
class CpuConvTest extends CpuBackendFixture {

    private static final double FORWARD_TOL = 1e-5;
    private static final double GRAD_TOL = 1e-4;
    private static final double FD_STEP = 1e-3;


    /** Random inputs for one geometry, all float-exact. */
    private record Case(ConvGeometry g, double[] x, double[] w, double[] b, double[] r) {
        static Case random(ConvGeometry g, long seed) {
            Random rnd = new Random(seed);
            return new Case(g,
                    gaussian(rnd, g.batch() * g.inImageSize(), 1.0),
                    gaussian(rnd, g.outChannels() * g.patchSize(), 0.5),
                    gaussian(rnd, g.outChannels(), 1.0),
                    gaussian(rnd, g.batch() * g.outImageSize(), 1.0));
        }

        double[] reference() {
            return NaiveOps.conv(x, w, b, g.batch(), g.inChannels(), g.inHeight(), g.inWidth(), g.outChannels());
        }

        double[] referenceDx() {
            return NaiveOps.convInputGrad(r, w, g.batch(), g.inChannels(), g.inHeight(), g.inWidth(), g.outChannels());
        }

        double[] referenceDw() {
            return NaiveOps.convWeightGrad(x, r, g.batch(), g.inChannels(), g.inHeight(), g.inWidth(), g.outChannels());
        }

        double[] referenceDb() {
            return NaiveOps.channelSums(r, g.batch(), g.outChannels(), g.outHeight() * g.outWidth());
        }

        /** The same inputs for a layer without a bias. */
        Case withoutBias() {
            return new Case(g, x, w, null, r);
        }
    }

    /** What the op produced: forward output and (dy = r) gradients, all written into NaN-filled tensors (db null without a bias). */
    private record Result(float[] y, float[] dx, float[] dw, float[] db) {
    }

    private static Result run(CpuBackend cpu, Case c) {
        ConvGeometry g = c.g();
        try (ConvOp op = cpu.conv(g)) {
            Tensor x = tensor(c.x(), g.inShape());
            Tensor w = tensor(c.w(), g.weightShape());
            Tensor b = c.b() == null ? null : tensor(c.b(), g.outChannels());
            Tensor y = garbage(g.outShape());
            op.forward(x, w, b, y);
            Tensor dy = tensor(c.r(), g.outShape());
            Tensor dx = garbage(g.inShape());
            Tensor dw = garbage(g.weightShape());
            Tensor db = b == null ? null : garbage(g.outChannels());
            op.backward(x, w, dy, dx, dw, db, false);
            assertGuardsIntact(x, w, y, dy, dx, dw);
            if (b != null) {
                assertGuardsIntact(b, db);
            }
            return new Result(read(y), read(dx), read(dw), db == null ? null : read(db));
        }
    }

    // ------------------------------------------------------------------ small shapes

    private static final ConvGeometry SMALL = new ConvGeometry(2, 3, 8, 8, 5);

    @Test
    void forwardMatchesDirectConvolution() {
        for (ConvGeometry g : new ConvGeometry[] {SMALL, new ConvGeometry(3, 2, 10, 6, 4), new ConvGeometry(1, 1, 2, 2, 1)}) {
            Case c = Case.random(g, 11);
            Result r1 = run(cpu1, c);
            assertClose(c.reference(), r1.y(), FORWARD_TOL, "conv forward " + g);
            assertBitIdentical(r1.y(), run(cpu3, c).y(), "conv forward, 1 vs 3 threads " + g);
        }
    }

    @Test
    void weightLayoutIsConv2d() {
        // One input pixel x[0, c=1, 2, 3] = 1 and one weight w[o=2, c=1, kh=1, kw=2] = 1, everything else 0:
        // y[0, 2, oy, ox] = x[0, 1, 2 oy - 1 + 1, 2 ox - 1 + 2], which is 1 only at oy = 1, ox = 1.
        ConvGeometry g = new ConvGeometry(1, 2, 4, 6, 3);
        double[] x = new double[g.inImageSize()];
        x[(1 * 4 + 2) * 6 + 3] = 1;
        double[] w = new double[g.outChannels() * g.patchSize()];
        w[((2 * 2 + 1) * 4 + 1) * 4 + 2] = 1;
        double[] b = {0, 0, 0.5};
        Result r = run(cpu1, new Case(g, x, w, b, new double[g.outImageSize()]));
        float[] expected = new float[g.outImageSize()];
        Arrays.fill(expected, 2 * 6, 3 * 6, 0.5f);   // bias of output channel 2 (a 2x3 plane)
        expected[2 * 6 + 1 * 3 + 1] = 1.5f;
        assertArrayEquals(expected, r.y());
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        for (ConvGeometry g : new ConvGeometry[] {SMALL, new ConvGeometry(1, 2, 6, 4, 3)}) {
            Case c = Case.random(g, 12);
            // L(x, w, b) = sum(r * conv(x, w, b)) in double; the op's backward with dy = r is dL/d(x, w, b).
            DoubleSupplier loss = () -> dot(c.r(), c.reference());
            double[] fdX = numericGradient(c.x(), loss, FD_STEP);
            double[] fdW = numericGradient(c.w(), loss, FD_STEP);
            double[] fdB = numericGradient(c.b(), loss, FD_STEP);
            // Sanity of the test itself: the direct formulas agree with the finite differences.
            assertClose(fdX, OpTestSupport.toFloat(c.referenceDx()), 1e-6, "reference dx vs FD");
            assertClose(fdW, OpTestSupport.toFloat(c.referenceDw()), 1e-6, "reference dw vs FD");

            Result res = run(cpu3, c);
            assertClose(fdX, res.dx(), GRAD_TOL, "conv dx vs FD " + g);
            assertClose(fdW, res.dw(), GRAD_TOL, "conv dw vs FD " + g);
            assertClose(fdB, res.db(), GRAD_TOL, "conv db vs FD " + g);
        }
    }

    @Test
    void accumulateAddsToWeightAndBiasGradients() {
        ConvGeometry g = SMALL;
        Case c = Case.random(g, 13);
        Random rnd = new Random(14);
        double[] dw0 = gaussian(rnd, g.outChannels() * g.patchSize(), 3.0);
        double[] db0 = gaussian(rnd, g.outChannels(), 3.0);
        try (ConvOp op = cpu3.conv(g)) {
            Tensor x = tensor(c.x(), g.inShape());
            Tensor w = tensor(c.w(), g.weightShape());
            op.forward(x, w, tensor(c.b(), g.outChannels()), garbage(g.outShape()));
            Tensor dw = tensor(dw0, g.weightShape());
            Tensor db = tensor(db0, g.outChannels());
            Tensor dx = garbage(g.inShape());
            op.backward(x, w, tensor(c.r(), g.outShape()), dx, dw, db, true);
            assertClose(plus(dw0, c.referenceDw()), read(dw), GRAD_TOL, "accumulated dw");
            assertClose(plus(db0, c.referenceDb()), read(db), GRAD_TOL, "accumulated db");
            // dx is overwritten even when accumulating into the parameter gradients.
            assertClose(c.referenceDx(), read(dx), GRAD_TOL, "dx with accumulate");
            assertGuardsIntact(dw, db, dx);
        }
    }

    @Test
    void nullGradientsAreSkipped() {
        ConvGeometry g = SMALL;
        Case c = Case.random(g, 15);
        Result full = run(cpu1, c);
        try (ConvOp op = cpu1.conv(g)) {
            Tensor x = tensor(c.x(), g.inShape());
            Tensor w = tensor(c.w(), g.weightShape());
            Tensor dy = tensor(c.r(), g.outShape());
            op.forward(x, w, tensor(c.b(), g.outChannels()), garbage(g.outShape()));
            // dx null: only the parameter gradients.
            Tensor dw = garbage(g.weightShape());
            Tensor db = garbage(g.outChannels());
            op.backward(x, w, dy, null, dw, db, false);
            assertBitIdentical(full.dw(), read(dw), "dw without dx");
            assertBitIdentical(full.db(), read(db), "db without dx");
            // dw and db null: only dx.
            Tensor dx = garbage(g.inShape());
            op.backward(x, w, dy, dx, null, null, false);
            assertBitIdentical(full.dx(), read(dx), "dx without dw, db");
            assertGuardsIntact(dw, db, dx);
        }
    }

    @Test
    void backwardFollowsTheLatestForward() {
        // One op used for two inputs in turn, as a layer is across training steps: each backward must use
        // the x of its own forward, and an equal x in another tensor object gives the same gradients.
        ConvGeometry g = SMALL;
        Case a = Case.random(g, 16);
        Case b = new Case(g, gaussian(new Random(17), a.x().length, 1.0), a.w(), a.b(), a.r());
        try (ConvOp op = cpu3.conv(g)) {
            Tensor w = tensor(a.w(), g.weightShape());
            Tensor bias = tensor(a.b(), g.outChannels());
            Tensor dy = tensor(a.r(), g.outShape());
            for (Case c : new Case[] {a, b, a}) {
                Tensor x = tensor(c.x(), g.inShape());
                Tensor y = garbage(g.outShape());
                op.forward(x, w, bias, y);
                assertClose(c.reference(), read(y), FORWARD_TOL, "forward");
                Tensor dw = garbage(g.weightShape());
                Tensor db = garbage(g.outChannels());
                op.backward(x, w, dy, garbage(g.inShape()), dw, db, false);
                assertClose(c.referenceDw(), read(dw), GRAD_TOL, "dw after forward");
                // The same values in a different tensor object.
                Tensor xCopy = tensor(c.x(), g.inShape());
                Tensor dw2 = garbage(g.weightShape());
                op.backward(xCopy, w, dy, null, dw2, garbage(g.outChannels()), false);
                assertBitIdentical(read(dw), read(dw2), "dw from an equal x in another tensor");
            }
        }
    }

    @Test
    void wrongSizesAreRejected() {
        ConvGeometry g = SMALL;
        try (ConvOp op = cpu1.conv(g)) {
            Tensor x = filled(0f, g.inShape());
            Tensor w = filled(0f, g.weightShape());
            Tensor b = filled(0f, g.outChannels());
            assertThrows(IllegalArgumentException.class, () -> op.forward(x, w, b, filled(0f, 2, 5, 4, 3)));
            assertThrows(IllegalArgumentException.class, () -> op.forward(x, filled(0f, 5, 3, 3, 3), b, filled(0f, g.outShape())));
            assertThrows(IllegalArgumentException.class, () -> op.forward(filled(0f, 2, 3, 8, 7), w, b, filled(0f, g.outShape())));
        }
    }

    // ------------------------------------------------------------------ the model's real shapes

    @Test
    void realShapesMatchDirectFormulas() {
        // The discriminator's convolutions at batch 4: 1 -> 64 at 28x28, 64 -> 128 at 14x14.
        for (ConvGeometry g : new ConvGeometry[] {new ConvGeometry(4, 1, 28, 28, 64), new ConvGeometry(4, 64, 14, 14, 128)}) {
            Case c = Case.random(g, 18 + g.inChannels());
            Result r3 = run(cpu3, c);
            assertClose(c.reference(), r3.y(), FORWARD_TOL, "conv forward " + g);
            assertClose(c.referenceDx(), r3.dx(), 1e-5, "conv dx " + g);
            assertClose(c.referenceDw(), r3.dw(), 1e-5, "conv dw " + g);
            assertClose(c.referenceDb(), r3.db(), 1e-5, "conv db " + g);
            Result r1 = run(cpu1, c);
            assertBitIdentical(r1.y(), r3.y(), "y, 1 vs 3 threads");
            assertBitIdentical(r1.dx(), r3.dx(), "dx, 1 vs 3 threads");
            assertBitIdentical(r1.dw(), r3.dw(), "dw, 1 vs 3 threads");
            assertBitIdentical(r1.db(), r3.db(), "db, 1 vs 3 threads");
        }
    }

    // ------------------------------------------------------------------ without a bias

    @Test
    void withoutBiasTheOtherResultsAreThoseOfTheLayerWithOne() {
        for (ConvGeometry g : new ConvGeometry[] {SMALL, new ConvGeometry(3, 1, 8, 6, 4)}) {
            Case withBias = Case.random(g, 31);
            Case c = withBias.withoutBias();
            Result free = run(cpu3, c);
            assertClose(c.reference(), free.y(), FORWARD_TOL, "conv forward without bias " + g);
            Result biased = run(cpu3, withBias);
            assertBitIdentical(biased.dx(), free.dx(), "conv dx without bias " + g);
            assertBitIdentical(biased.dw(), free.dw(), "conv dw without bias " + g);
            assertBitIdentical(free.y(), run(cpu1, c).y(), "conv forward without bias, 1 vs 3 threads " + g);
        }
    }

    @Test
    void withoutBiasGradientsMatchFiniteDifferencesAndAccumulate() {
        ConvGeometry g = new ConvGeometry(1, 3, 6, 4, 2);
        Case c = Case.random(g, 32).withoutBias();
        DoubleSupplier loss = () -> dot(c.r(), c.reference());
        Result res = run(cpu1, c);
        assertClose(numericGradient(c.x(), loss, FD_STEP), res.dx(), GRAD_TOL, "conv without bias: dx vs FD");
        assertClose(numericGradient(c.w(), loss, FD_STEP), res.dw(), GRAD_TOL, "conv without bias: dw vs FD");
        double[] dw0 = gaussian(new Random(33), g.outChannels() * g.patchSize(), 3.0);
        try (ConvOp op = cpu3.conv(g)) {
            Tensor x = tensor(c.x(), g.inShape());
            Tensor w = tensor(c.w(), g.weightShape());
            op.forward(x, w, null, garbage(g.outShape()));
            Tensor dw = tensor(dw0, g.weightShape());
            op.backward(x, w, tensor(c.r(), g.outShape()), null, dw, null, true);
            assertClose(plus(dw0, c.referenceDw()), read(dw), GRAD_TOL, "conv without bias: accumulated dw");
            assertGuardsIntact(dw);
        }
    }

    // ------------------------------------------------------------------ PyTorch's DCGAN at 64x64 and 32x32

    @Test
    void pytorchDcganShapesMatchDirectFormulas() {
        // Its discriminator's convolutions (no bias) at batch 2, ndf 64: colour and grey input at 64x64 and
        // 32x32, then each doubling of the channels down to a 4x4 output; and ndf 5, nothing a power of two.
        ConvGeometry[] shapes = {
                new ConvGeometry(2, 3, 64, 64, 64), new ConvGeometry(2, 1, 64, 64, 64),
                new ConvGeometry(2, 3, 32, 32, 64), new ConvGeometry(2, 1, 32, 32, 64),
                new ConvGeometry(2, 64, 32, 32, 128), new ConvGeometry(2, 128, 16, 16, 256),
                new ConvGeometry(2, 256, 8, 8, 512), new ConvGeometry(2, 3, 16, 16, 5)};
        for (ConvGeometry g : shapes) {
            Case c = Case.random(g, 34 + g.inChannels()).withoutBias();
            Result r3 = run(cpu3, c);
            assertClose(c.reference(), r3.y(), FORWARD_TOL, "conv forward " + g);
            assertClose(c.referenceDx(), r3.dx(), 1e-5, "conv dx " + g);
            assertClose(c.referenceDw(), r3.dw(), 1e-5, "conv dw " + g);
            Result r1 = run(cpu1, c);
            assertBitIdentical(r1.y(), r3.y(), "y, 1 vs 3 threads " + g);
            assertBitIdentical(r1.dx(), r3.dx(), "dx, 1 vs 3 threads " + g);
            assertBitIdentical(r1.dw(), r3.dw(), "dw, 1 vs 3 threads " + g);
        }
    }
}
