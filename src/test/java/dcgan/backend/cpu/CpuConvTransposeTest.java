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
import static dcgan.backend.cpu.OpTestSupport.readDouble;
import static dcgan.backend.cpu.OpTestSupport.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dcgan.backend.ConvGeometry;
import dcgan.backend.ConvOp;
import dcgan.backend.ConvTransposeOp;
import dcgan.backend.Tensor;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/**
 * {@link CpuConvTranspose} against a direct double-precision scatter ({@link NaiveOps#convTranspose}), its
 * gradients against central finite differences and, at the model's real shapes, the direct double formulas;
 * plus the adjoint identity {@code <conv(u, W), v> = <u, conv_transpose(v, W)>} tying it to {@link CpuConv}.
 *
 * <p>The geometry g is that of the convolution being transposed: this op maps g.outShape() (g.outChannels
 * channels) to g.inShape() (g.inChannels channels), with weight [g.outChannels, g.inChannels, 4, 4].
 */
class CpuConvTransposeTest extends CpuBackendFixture {

    private static final double FORWARD_TOL = 1e-5;
    private static final double GRAD_TOL = 1e-4;
    private static final double FD_STEP = 1e-3;


    private static int[] biasShape(ConvGeometry g) {
        return new int[] {g.inChannels()};
    }

    /** Random inputs: x of the op's input shape (g.outShape), w [in', out', 4, 4], b [out'], r of the op's output shape. */
    private record Case(ConvGeometry g, double[] x, double[] w, double[] b, double[] r) {
        static Case random(ConvGeometry g, long seed) {
            Random rnd = new Random(seed);
            return new Case(g,
                    gaussian(rnd, g.batch() * g.outImageSize(), 1.0),
                    gaussian(rnd, g.outChannels() * g.patchSize(), 0.5),
                    gaussian(rnd, g.inChannels(), 1.0),
                    gaussian(rnd, g.batch() * g.inImageSize(), 1.0));
        }

        // The transposed conv reads an outChannels x outHeight x outWidth image and writes inChannels x inHeight x inWidth.
        double[] reference() {
            return NaiveOps.convTranspose(x, w, b, g.batch(), g.outChannels(), g.outHeight(), g.outWidth(), g.inChannels());
        }

        double[] referenceDx() {
            return NaiveOps.convTransposeInputGrad(r, w, g.batch(), g.outChannels(), g.outHeight(), g.outWidth(), g.inChannels());
        }

        double[] referenceDw() {
            return NaiveOps.convTransposeWeightGrad(x, r, g.batch(), g.outChannels(), g.outHeight(), g.outWidth(), g.inChannels());
        }

        double[] referenceDb() {
            return NaiveOps.channelSums(r, g.batch(), g.inChannels(), g.inHeight() * g.inWidth());
        }

        /** The same inputs for a layer without a bias. */
        Case withoutBias() {
            return new Case(g, x, w, null, r);
        }
    }

    private record Result(float[] y, float[] dx, float[] dw, float[] db) {
    }

    private static Result run(CpuBackend cpu, Case c) {
        ConvGeometry g = c.g();
        try (ConvTransposeOp op = cpu.convTranspose(g)) {
            Tensor x = tensor(c.x(), g.outShape());
            Tensor w = tensor(c.w(), g.weightShape());
            Tensor b = c.b() == null ? null : tensor(c.b(), biasShape(g));
            Tensor y = garbage(g.inShape());
            op.forward(x, w, b, y);
            Tensor dy = tensor(c.r(), g.inShape());
            Tensor dx = garbage(g.outShape());
            Tensor dw = garbage(g.weightShape());
            Tensor db = b == null ? null : garbage(biasShape(g));
            op.backward(x, w, dy, dx, dw, db, false);
            assertGuardsIntact(x, w, y, dy, dx, dw);
            if (b != null) {
                assertGuardsIntact(b, db);
            }
            return new Result(read(y), read(dx), read(dw), db == null ? null : read(db));
        }
    }

    // ------------------------------------------------------------------ small shapes

    /** Transposes Conv2d(3 -> 5) at 8x8: maps [2, 5, 4, 4] to [2, 3, 8, 8]. */
    private static final ConvGeometry SMALL = new ConvGeometry(2, 3, 8, 8, 5);

    @Test
    void forwardMatchesDirectScatter() {
        for (ConvGeometry g : new ConvGeometry[] {SMALL, new ConvGeometry(3, 4, 6, 10, 2), new ConvGeometry(1, 1, 2, 2, 1)}) {
            Case c = Case.random(g, 21);
            Result r1 = run(cpu1, c);
            assertClose(c.reference(), r1.y(), FORWARD_TOL, "transposed conv forward " + g);
            assertBitIdentical(r1.y(), run(cpu3, c).y(), "transposed conv forward, 1 vs 3 threads " + g);
        }
    }

    @Test
    void weightLayoutIsConvTranspose2d() {
        // One input pixel x[0, i=1, 1, 1] = 1 and one weight w[i=1, o=2, kh=0, kw=3] = 1, everything else 0:
        // the output is 1 exactly at y[0, o=2, 2*1 - 1 + 0, 2*1 - 1 + 3] = y[0, 2, 1, 4].
        ConvGeometry g = new ConvGeometry(1, 3, 8, 8, 2);   // transposed: 2 -> 3 channels, 4x4 -> 8x8
        double[] x = new double[g.outImageSize()];
        x[(1 * 4 + 1) * 4 + 1] = 1;
        double[] w = new double[g.outChannels() * g.patchSize()];
        w[((1 * 3 + 2) * 4 + 0) * 4 + 3] = 1;
        Result r = run(cpu1, new Case(g, x, w, new double[3], new double[g.inImageSize()]));
        float[] expected = new float[g.inImageSize()];
        expected[(2 * 8 + 1) * 8 + 4] = 1f;
        assertArrayEquals(expected, r.y());
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        for (ConvGeometry g : new ConvGeometry[] {SMALL, new ConvGeometry(1, 2, 4, 6, 3)}) {
            Case c = Case.random(g, 22);
            DoubleSupplier loss = () -> dot(c.r(), c.reference());
            double[] fdX = numericGradient(c.x(), loss, FD_STEP);
            double[] fdW = numericGradient(c.w(), loss, FD_STEP);
            double[] fdB = numericGradient(c.b(), loss, FD_STEP);
            assertClose(fdX, OpTestSupport.toFloat(c.referenceDx()), 1e-6, "reference dx vs FD");
            assertClose(fdW, OpTestSupport.toFloat(c.referenceDw()), 1e-6, "reference dw vs FD");

            Result res = run(cpu3, c);
            assertClose(fdX, res.dx(), GRAD_TOL, "transposed conv dx vs FD " + g);
            assertClose(fdW, res.dw(), GRAD_TOL, "transposed conv dw vs FD " + g);
            assertClose(fdB, res.db(), GRAD_TOL, "transposed conv db vs FD " + g);
        }
    }

    @Test
    void isTheAdjointOfConvolution() {
        // <conv(u, W), v> = <u, conv_transpose(v, W)> for the same W and zero biases.
        for (ConvGeometry g : new ConvGeometry[] {SMALL, new ConvGeometry(2, 4, 10, 6, 3), new ConvGeometry(2, 8, 14, 14, 16)}) {
            Random rnd = new Random(23 + g.inChannels());
            double[] u = gaussian(rnd, g.batch() * g.inImageSize(), 1.0);
            double[] v = gaussian(rnd, g.batch() * g.outImageSize(), 1.0);
            double[] w = gaussian(rnd, g.outChannels() * g.patchSize(), 1.0);
            double[] convU;
            double[] convTv;
            try (ConvOp conv = cpu3.conv(g); ConvTransposeOp convT = cpu3.convTranspose(g)) {
                Tensor wT = tensor(w, g.weightShape());
                Tensor y = garbage(g.outShape());
                conv.forward(tensor(u, g.inShape()), wT, filled(0f, g.outChannels()), y);
                Tensor z = garbage(g.inShape());
                convT.forward(tensor(v, g.outShape()), wT, filled(0f, g.inChannels()), z);
                convU = readDouble(y);
                convTv = readDouble(z);
            }
            assertFinite(convU, "conv(u)");
            assertFinite(convTv, "convT(v)");
            double lhs = dot(convU, v);
            double rhs = dot(u, convTv);
            // Scale of the sums: sum of |terms|, against which float rounding is measured.
            double scale = 0;
            for (int i = 0; i < v.length; i++) {
                scale += Math.abs(convU[i] * v[i]);
            }
            assertTrue(scale > 1, "test bug: vacuous inner products");
            assertEquals(lhs, rhs, 1e-5 * scale, "adjoint identity for " + g);
            // The same identity holds exactly (to double rounding) for the references, proving them consistent.
            double refL = dot(NaiveOps.conv(u, w, null, g.batch(), g.inChannels(), g.inHeight(), g.inWidth(), g.outChannels()), v);
            double refR = dot(u, NaiveOps.convTranspose(v, w, null, g.batch(), g.outChannels(), g.outHeight(), g.outWidth(), g.inChannels()));
            assertEquals(refL, refR, 1e-10 * scale, "adjoint identity of the references");
        }
    }

    @Test
    void accumulateAddsToWeightAndBiasGradients() {
        ConvGeometry g = SMALL;
        Case c = Case.random(g, 24);
        Random rnd = new Random(25);
        double[] dw0 = gaussian(rnd, g.outChannels() * g.patchSize(), 3.0);
        double[] db0 = gaussian(rnd, g.inChannels(), 3.0);
        try (ConvTransposeOp op = cpu3.convTranspose(g)) {
            Tensor x = tensor(c.x(), g.outShape());
            Tensor w = tensor(c.w(), g.weightShape());
            op.forward(x, w, tensor(c.b(), biasShape(g)), garbage(g.inShape()));
            Tensor dw = tensor(dw0, g.weightShape());
            Tensor db = tensor(db0, biasShape(g));
            Tensor dx = garbage(g.outShape());
            op.backward(x, w, tensor(c.r(), g.inShape()), dx, dw, db, true);
            assertClose(plus(dw0, c.referenceDw()), read(dw), GRAD_TOL, "accumulated dw");
            assertClose(plus(db0, c.referenceDb()), read(db), GRAD_TOL, "accumulated db");
            assertClose(c.referenceDx(), read(dx), GRAD_TOL, "dx with accumulate");
            assertGuardsIntact(dw, db, dx);
        }
    }

    @Test
    void nullGradientsAreSkipped() {
        ConvGeometry g = SMALL;
        Case c = Case.random(g, 26);
        Result full = run(cpu1, c);
        try (ConvTransposeOp op = cpu1.convTranspose(g)) {
            Tensor x = tensor(c.x(), g.outShape());
            Tensor w = tensor(c.w(), g.weightShape());
            Tensor dy = tensor(c.r(), g.inShape());
            op.forward(x, w, tensor(c.b(), biasShape(g)), garbage(g.inShape()));
            Tensor dw = garbage(g.weightShape());
            Tensor db = garbage(biasShape(g));
            op.backward(x, w, dy, null, dw, db, false);
            assertBitIdentical(full.dw(), read(dw), "dw without dx");
            assertBitIdentical(full.db(), read(db), "db without dx");
            Tensor dx = garbage(g.outShape());
            op.backward(x, w, dy, dx, null, null, false);
            assertBitIdentical(full.dx(), read(dx), "dx without dw, db");
            assertGuardsIntact(dw, db, dx);
        }
    }

    @Test
    void backwardFollowsTheLatestForward() {
        ConvGeometry g = SMALL;
        Case a = Case.random(g, 27);
        Case b = new Case(g, gaussian(new Random(28), a.x().length, 1.0), a.w(), a.b(), a.r());
        try (ConvTransposeOp op = cpu3.convTranspose(g)) {
            Tensor w = tensor(a.w(), g.weightShape());
            Tensor bias = tensor(a.b(), biasShape(g));
            Tensor dy = tensor(a.r(), g.inShape());
            for (Case c : new Case[] {a, b, a}) {
                Tensor x = tensor(c.x(), g.outShape());
                Tensor y = garbage(g.inShape());
                op.forward(x, w, bias, y);
                assertClose(c.reference(), read(y), FORWARD_TOL, "forward");
                Tensor dw = garbage(g.weightShape());
                op.backward(x, w, dy, garbage(g.outShape()), dw, garbage(biasShape(g)), false);
                assertClose(c.referenceDw(), read(dw), GRAD_TOL, "dw after forward");
                Tensor dw2 = garbage(g.weightShape());
                op.backward(tensor(c.x(), g.outShape()), w, dy, null, dw2, garbage(biasShape(g)), false);
                assertBitIdentical(read(dw), read(dw2), "dw from an equal x in another tensor");
            }
        }
    }

    @Test
    void wrongSizesAreRejected() {
        ConvGeometry g = SMALL;
        try (ConvTransposeOp op = cpu1.convTranspose(g)) {
            Tensor x = filled(0f, g.outShape());
            Tensor w = filled(0f, g.weightShape());
            Tensor b = filled(0f, biasShape(g));
            // The output has the convolution's input shape; its output shape is refused.
            assertThrows(IllegalArgumentException.class, () -> op.forward(x, w, b, filled(0f, g.outShape())));
            // The bias has one value per output channel (g.inChannels), not per input channel.
            assertThrows(IllegalArgumentException.class, () -> op.forward(x, w, filled(0f, g.outChannels()), filled(0f, g.inShape())));
        }
    }

    // ------------------------------------------------------------------ the model's real shapes

    @Test
    void realShapesMatchDirectFormulas() {
        // The generator's transposed convolutions at batch 4: 128 -> 64 from 7x7 to 14x14 (transposing
        // Conv2d(64 -> 128) at 14x14) and 64 -> 1 from 14x14 to 28x28 (transposing Conv2d(1 -> 64) at 28x28).
        for (ConvGeometry g : new ConvGeometry[] {new ConvGeometry(4, 64, 14, 14, 128), new ConvGeometry(4, 1, 28, 28, 64)}) {
            Case c = Case.random(g, 29 + g.inChannels());
            Result r3 = run(cpu3, c);
            assertClose(c.reference(), r3.y(), FORWARD_TOL, "transposed conv forward " + g);
            assertClose(c.referenceDx(), r3.dx(), 1e-5, "transposed conv dx " + g);
            assertClose(c.referenceDw(), r3.dw(), 1e-5, "transposed conv dw " + g);
            assertClose(c.referenceDb(), r3.db(), 1e-5, "transposed conv db " + g);
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
            Case withBias = Case.random(g, 41);
            Case c = withBias.withoutBias();
            Result free = run(cpu3, c);
            assertClose(c.reference(), free.y(), FORWARD_TOL, "transposed conv forward without bias " + g);
            Result biased = run(cpu3, withBias);
            assertBitIdentical(biased.dx(), free.dx(), "transposed conv dx without bias " + g);
            assertBitIdentical(biased.dw(), free.dw(), "transposed conv dw without bias " + g);
            assertBitIdentical(free.y(), run(cpu1, c).y(), "transposed conv forward without bias, 1 vs 3 threads " + g);
        }
    }

    @Test
    void withoutBiasGradientsMatchFiniteDifferencesAndAccumulate() {
        ConvGeometry g = new ConvGeometry(1, 3, 6, 4, 2);
        Case c = Case.random(g, 42).withoutBias();
        DoubleSupplier loss = () -> dot(c.r(), c.reference());
        Result res = run(cpu1, c);
        assertClose(numericGradient(c.x(), loss, FD_STEP), res.dx(), GRAD_TOL, "transposed conv without bias: dx vs FD");
        assertClose(numericGradient(c.w(), loss, FD_STEP), res.dw(), GRAD_TOL, "transposed conv without bias: dw vs FD");
        double[] dw0 = gaussian(new Random(43), g.outChannels() * g.patchSize(), 3.0);
        try (ConvTransposeOp op = cpu3.convTranspose(g)) {
            Tensor x = tensor(c.x(), g.outShape());
            Tensor w = tensor(c.w(), g.weightShape());
            op.forward(x, w, null, garbage(g.inShape()));
            Tensor dw = tensor(dw0, g.weightShape());
            op.backward(x, w, tensor(c.r(), g.inShape()), null, dw, null, true);
            assertClose(plus(dw0, c.referenceDw()), read(dw), GRAD_TOL, "transposed conv without bias: accumulated dw");
            assertGuardsIntact(dw);
        }
    }

    // ------------------------------------------------------------------ PyTorch's DCGAN at 64x64 and 32x32

    @Test
    void pytorchDcganShapesMatchDirectFormulas() {
        // Its generator's transposed convolutions (no bias) at batch 2, ngf 64, each named by the convolution it
        // transposes: 512 -> 256 from 4x4 to 8x8, ... 128 -> 64 from 16x16 to 32x32, then to colour or grey
        // at 64x64 or 32x32; and ngf 5, nothing a power of two.
        ConvGeometry[] shapes = {
                new ConvGeometry(2, 256, 8, 8, 512), new ConvGeometry(2, 128, 16, 16, 256),
                new ConvGeometry(2, 64, 32, 32, 128), new ConvGeometry(2, 3, 64, 64, 64),
                new ConvGeometry(2, 1, 64, 64, 64), new ConvGeometry(2, 3, 32, 32, 64),
                new ConvGeometry(2, 1, 32, 32, 64), new ConvGeometry(2, 3, 16, 16, 5)};
        for (ConvGeometry g : shapes) {
            Case c = Case.random(g, 44 + g.inChannels()).withoutBias();
            Result r3 = run(cpu3, c);
            assertClose(c.reference(), r3.y(), FORWARD_TOL, "transposed conv forward " + g);
            assertClose(c.referenceDx(), r3.dx(), 1e-5, "transposed conv dx " + g);
            assertClose(c.referenceDw(), r3.dw(), 1e-5, "transposed conv dw " + g);
            Result r1 = run(cpu1, c);
            assertBitIdentical(r1.y(), r3.y(), "y, 1 vs 3 threads " + g);
            assertBitIdentical(r1.dx(), r3.dx(), "dx, 1 vs 3 threads " + g);
            assertBitIdentical(r1.dw(), r3.dw(), "dw, 1 vs 3 threads " + g);
        }
    }
}
