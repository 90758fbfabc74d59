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
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dcgan.backend.LinearOp;
import dcgan.backend.LinearOp.WeightLayout;
import dcgan.backend.Tensor;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/**
 * {@link CpuLinear} against a naive double product and finite differences: weight {@code [out, in]} (y = x W^T + b),
 * weight {@code [in, out]} (y = x W + b, checked against the definition of a transposed convolution from 1x1,
 * {@link NaiveOps#convTransposeFrom1x1}), each with and without a bias.
 */
class CpuLinearTest extends CpuBackendFixture {

    private static final double FORWARD_TOL = 1e-5;
    private static final double GRAD_TOL = 1e-4;
    private static final double FD_STEP = 1e-3;
    private static final WeightLayout OUT_IN = WeightLayout.OUT_IN;
    private static final WeightLayout IN_OUT = WeightLayout.IN_OUT;


    /** Inputs of one layer; w in the op's layout, b null for a layer without a bias. */
    private record Case(WeightLayout layout, int batch, int in, int out, double[] x, double[] w, double[] b,
                        double[] r) {
        static Case random(int batch, int in, int out, long seed) {
            return random(OUT_IN, true, batch, in, out, seed);
        }

        static Case random(WeightLayout layout, boolean bias, int batch, int in, int out, long seed) {
            Random rnd = new Random(seed);
            return new Case(layout, batch, in, out,
                    gaussian(rnd, batch * in, 1.0),
                    gaussian(rnd, out * in, 0.5),
                    bias ? gaussian(rnd, out, 1.0) : null,
                    gaussian(rnd, batch * out, 1.0));
        }

        /** The same inputs without the bias. */
        Case withoutBias() {
            return new Case(layout, batch, in, out, x, w, null, r);
        }

        int[] weightShape() {
            return layout == OUT_IN ? new int[] {out, in} : new int[] {in, out};
        }

        /** w as [out, in], whatever the op's layout. */
        double[] wOutIn() {
            return layout == OUT_IN ? w : transpose(w, in, out);
        }

        double[] reference() {
            return NaiveOps.linear(x, wOutIn(), b, batch, in, out);
        }

        double[] referenceDx() {
            return NaiveOps.linearInputGrad(r, wOutIn(), batch, in, out);
        }

        /** dw in the op's layout. */
        double[] referenceDw() {
            double[] dw = NaiveOps.linearWeightGrad(x, r, batch, in, out);
            return layout == OUT_IN ? dw : transpose(dw, out, in);
        }

        double[] referenceDb() {
            return NaiveOps.channelSums(r, batch, out, 1);
        }
    }

    /** m [rows, cols] to [cols, rows]. */
    private static double[] transpose(double[] m, int rows, int cols) {
        double[] t = new double[m.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = m[i * cols + j];
            }
        }
        return t;
    }

    /** What the op gave; db is null for a layer without a bias. */
    private record Result(float[] y, float[] dx, float[] dw, float[] db) {
    }

    private static Result run(CpuBackend cpu, Case c) {
        try (LinearOp op = cpu.linear(c.batch(), c.in(), c.out(), c.layout())) {
            Tensor x = tensor(c.x(), c.batch(), c.in());
            Tensor w = tensor(c.w(), c.weightShape());
            Tensor b = c.b() == null ? null : tensor(c.b(), c.out());
            Tensor y = garbage(c.batch(), c.out());
            op.forward(x, w, b, y);
            Tensor dy = tensor(c.r(), c.batch(), c.out());
            Tensor dx = garbage(c.batch(), c.in());
            Tensor dw = garbage(c.weightShape());
            Tensor db = c.b() == null ? null : garbage(c.out());
            op.backward(x, w, dy, dx, dw, db, false);
            assertGuardsIntact(x, w, y, dy, dx, dw);
            if (b != null) {
                assertGuardsIntact(b, db);
            }
            return new Result(read(y), read(dx), read(dw), db == null ? null : read(db));
        }
    }

    @Test
    void reportsItsShape() {
        try (LinearOp op = cpu1.linear(3, 7, 5)) {
            assertArrayEquals(new int[] {3, 7, 5}, new int[] {op.batch(), op.inFeatures(), op.outFeatures()});
            assertEquals(OUT_IN, op.weightLayout());
        }
        try (LinearOp op = cpu1.linear(3, 7, 5, IN_OUT)) {
            assertArrayEquals(new int[] {3, 7, 5}, new int[] {op.batch(), op.inFeatures(), op.outFeatures()});
            assertEquals(IN_OUT, op.weightLayout());
        }
    }

    @Test
    void forwardMatchesNaiveProduct() {
        for (int[] s : new int[][] {{3, 37, 11}, {1, 1, 1}, {1, 300, 7}, {9, 5, 129}}) {
            Case c = Case.random(s[0], s[1], s[2], 41);
            Result r1 = run(cpu1, c);
            assertClose(c.reference(), r1.y(), FORWARD_TOL, "linear forward " + s[0] + "x" + s[1] + "->" + s[2]);
            assertBitIdentical(r1.y(), run(cpu3, c).y(), "linear forward, 1 vs 3 threads");
        }
    }

    @Test
    void weightLayoutIsOutByIn() {
        // x = [1, 2], W = [[1, 0], [0, 10], [3, 4]] (3 outputs of 2 inputs), b = [0.5, 0, -1]:
        // y = [1*1 + 2*0 + 0.5, 1*0 + 2*10 + 0, 1*3 + 2*4 - 1] = [1.5, 20, 10].
        Case c = new Case(OUT_IN, 1, 2, 3, new double[] {1, 2}, new double[] {1, 0, 0, 10, 3, 4}, new double[] {0.5, 0, -1},
                new double[] {0, 0, 0});
        assertArrayEquals(new float[] {1.5f, 20f, 10f}, run(cpu1, c).y());
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        for (int[] s : new int[][] {{3, 37, 11}, {2, 5, 3}, {1, 9, 4}}) {
            Case c = Case.random(s[0], s[1], s[2], 42);
            DoubleSupplier loss = () -> dot(c.r(), c.reference());
            double[] fdX = numericGradient(c.x(), loss, FD_STEP);
            double[] fdW = numericGradient(c.w(), loss, FD_STEP);
            double[] fdB = numericGradient(c.b(), loss, FD_STEP);
            Result res = run(cpu3, c);
            String what = " " + s[0] + "x" + s[1] + "->" + s[2];
            assertClose(fdX, res.dx(), GRAD_TOL, "linear dx vs FD" + what);
            assertClose(fdW, res.dw(), GRAD_TOL, "linear dw vs FD" + what);
            assertClose(fdB, res.db(), GRAD_TOL, "linear db vs FD" + what);
        }
    }

    @Test
    void accumulateAndNullGradients() {
        Case c = Case.random(4, 21, 6, 43);
        Result full = run(cpu1, c);
        Random rnd = new Random(44);
        double[] dw0 = gaussian(rnd, c.out() * c.in(), 3.0);
        double[] db0 = gaussian(rnd, c.out(), 3.0);
        try (LinearOp op = cpu3.linear(c.batch(), c.in(), c.out())) {
            Tensor x = tensor(c.x(), c.batch(), c.in());
            Tensor w = tensor(c.w(), c.out(), c.in());
            Tensor dy = tensor(c.r(), c.batch(), c.out());
            op.forward(x, w, tensor(c.b(), c.out()), garbage(c.batch(), c.out()));

            Tensor dw = tensor(dw0, c.out(), c.in());
            Tensor db = tensor(db0, c.out());
            Tensor dx = garbage(c.batch(), c.in());
            op.backward(x, w, dy, dx, dw, db, true);
            assertClose(plus(dw0, c.referenceDw()), read(dw), GRAD_TOL, "accumulated dw");
            assertClose(plus(db0, c.referenceDb()), read(db), GRAD_TOL, "accumulated db");
            assertBitIdentical(full.dx(), read(dx), "dx with accumulate");

            Tensor dw2 = garbage(c.out(), c.in());
            Tensor db2 = garbage(c.out());
            op.backward(x, w, dy, null, dw2, db2, false);
            assertBitIdentical(full.dw(), read(dw2), "dw without dx");
            assertBitIdentical(full.db(), read(db2), "db without dx");

            Tensor dx2 = garbage(c.batch(), c.in());
            op.backward(x, w, dy, dx2, null, null, false);
            assertBitIdentical(full.dx(), read(dx2), "dx without dw, db");
            assertGuardsIntact(dw, db, dx, dw2, db2, dx2);
        }
    }

    @Test
    void invalidShapesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> cpu1.linear(0, 3, 3));
        assertThrows(IllegalArgumentException.class, () -> cpu1.linear(2, 0, 3));
        assertThrows(IllegalArgumentException.class, () -> cpu1.linear(2, 3, 0));
        try (LinearOp op = cpu1.linear(2, 3, 4)) {
            // A weight of the wrong size (4 x 4 instead of [out, in] = 4 x 3), then a bias of the wrong size.
            assertThrows(IllegalArgumentException.class,
                    () -> op.forward(filled(0f, 2, 3), filled(0f, 4, 4), filled(0f, 4), filled(0f, 2, 4)));
            assertThrows(IllegalArgumentException.class,
                    () -> op.forward(filled(0f, 2, 3), filled(0f, 4, 3), filled(0f, 3), filled(0f, 2, 4)));
        }
    }

    @Test
    void realShapeMatchesNaiveFormulas() {
        // The generator's first layer / the discriminator's flattening at batch 8: 6272 -> 1024.
        Case c = Case.random(8, 6272, 1024, 45);
        Result r3 = run(cpu3, c);
        assertClose(c.reference(), r3.y(), FORWARD_TOL, "linear forward 6272->1024");
        assertClose(c.referenceDx(), r3.dx(), 1e-5, "linear dx 6272->1024");
        assertClose(c.referenceDw(), r3.dw(), 1e-5, "linear dw 6272->1024");
        assertClose(c.referenceDb(), r3.db(), 1e-5, "linear db 6272->1024");
        Result r1 = run(cpu1, c);
        assertBitIdentical(r1.y(), r3.y(), "y, 1 vs 3 threads");
        assertBitIdentical(r1.dx(), r3.dx(), "dx, 1 vs 3 threads");
        assertBitIdentical(r1.dw(), r3.dw(), "dw, 1 vs 3 threads");
        assertBitIdentical(r1.db(), r3.db(), "db, 1 vs 3 threads");
    }

    // ------------------------------------------------------------------ weight [in, out]

    @Test
    void inOutForwardMatchesNaiveProduct() {
        // 600 inputs: deep enough for the transposed form where the GEMM prefers it (OtherForm: where it does not).
        for (int[] s : new int[][] {{3, 37, 11}, {1, 1, 1}, {1, 300, 7}, {9, 5, 129}, {4, 600, 300}}) {
            Case c = Case.random(IN_OUT, true, s[0], s[1], s[2], 51);
            Result r1 = run(cpu1, c);
            assertClose(c.reference(), r1.y(), FORWARD_TOL, "[in, out] linear forward " + s[0] + "x" + s[1] + "->" + s[2]);
            assertBitIdentical(r1.y(), run(cpu3, c).y(), "[in, out] linear forward, 1 vs 3 threads");
        }
    }

    @Test
    void inOutWeightLayoutIsInByOut() {
        // x = [1, 2], W = [[1, 0, 3], [0, 10, 4]] (2 inputs to 3 outputs), b = [0.5, 0, -1]:
        // y = [1*1 + 2*0 + 0.5, 1*0 + 2*10 + 0, 1*3 + 2*4 - 1] = [1.5, 20, 10].
        Case c = new Case(IN_OUT, 1, 2, 3, new double[] {1, 2}, new double[] {1, 0, 3, 0, 10, 4},
                new double[] {0.5, 0, -1}, new double[] {0, 0, 0});
        assertArrayEquals(new float[] {1.5f, 20f, 10f}, run(cpu1, c).y());
    }

    @Test
    void inOutIsATransposedConvolutionFromOnePixel() {
        // G's first layer at a small size: ConvTranspose2d(5 -> 3, 4, 1, 0) of 1x1, weight [5, 3, 4, 4] as [5, 48].
        int batch = 3, in = 5, channels = 3, out = channels * 16;
        Case c = Case.random(IN_OUT, false, batch, in, out, 52);
        assertClose(NaiveOps.convTransposeFrom1x1(c.x(), c.w(), batch, in, channels), run(cpu3, c).y(), FORWARD_TOL,
                "[in, out] linear against ConvTranspose2d's definition");
    }

    @Test
    void inOutGradientsMatchFiniteDifferences() {
        for (int[] s : new int[][] {{3, 37, 11}, {2, 5, 3}, {1, 9, 4}}) {
            Case c = Case.random(IN_OUT, true, s[0], s[1], s[2], 53);
            DoubleSupplier loss = () -> dot(c.r(), c.reference());
            double[] fdX = numericGradient(c.x(), loss, FD_STEP);
            double[] fdW = numericGradient(c.w(), loss, FD_STEP);
            double[] fdB = numericGradient(c.b(), loss, FD_STEP);
            Result res = run(cpu3, c);
            String what = " " + s[0] + "x" + s[1] + "->" + s[2];
            assertClose(fdX, res.dx(), GRAD_TOL, "[in, out] linear dx vs FD" + what);
            assertClose(fdW, res.dw(), GRAD_TOL, "[in, out] linear dw vs FD" + what);
            assertClose(fdB, res.db(), GRAD_TOL, "[in, out] linear db vs FD" + what);
        }
    }

    @Test
    void inOutAccumulateAndNullGradients() {
        Case c = Case.random(IN_OUT, true, 4, 21, 6, 54);
        Result full = run(cpu1, c);
        double[] dw0 = gaussian(new Random(55), c.out() * c.in(), 3.0);
        try (LinearOp op = cpu3.linear(c.batch(), c.in(), c.out(), IN_OUT)) {
            Tensor x = tensor(c.x(), c.batch(), c.in());
            Tensor w = tensor(c.w(), c.weightShape());
            Tensor dy = tensor(c.r(), c.batch(), c.out());
            op.forward(x, w, tensor(c.b(), c.out()), garbage(c.batch(), c.out()));
            Tensor dw = tensor(dw0, c.weightShape());
            op.backward(x, w, dy, null, dw, null, true);
            assertClose(plus(dw0, c.referenceDw()), read(dw), GRAD_TOL, "[in, out] accumulated dw");
            Tensor dx = garbage(c.batch(), c.in());
            op.backward(x, w, dy, dx, null, null, false);
            assertBitIdentical(full.dx(), read(dx), "[in, out] dx without dw, db");
            assertGuardsIntact(dw, dx);
        }
    }

    @Test
    void inOutRealShapeMatchesNaiveFormulas() {
        // PyTorch DCGAN's first generator layer at batch 8: z of 100 to 512 x 4 x 4 (ngf 64).
        Case c = Case.random(IN_OUT, false, 8, 100, 512 * 16, 56);
        Result r3 = run(cpu3, c);
        assertClose(c.reference(), r3.y(), FORWARD_TOL, "[in, out] linear forward 100->8192");
        assertClose(c.referenceDx(), r3.dx(), 1e-5, "[in, out] linear dx 100->8192");
        assertClose(c.referenceDw(), r3.dw(), 1e-5, "[in, out] linear dw 100->8192");
        Result r1 = run(cpu1, c);
        assertBitIdentical(r1.y(), r3.y(), "y, 1 vs 3 threads");
        assertBitIdentical(r1.dx(), r3.dx(), "dx, 1 vs 3 threads");
        assertBitIdentical(r1.dw(), r3.dw(), "dw, 1 vs 3 threads");
    }

    // ------------------------------------------------------------------ without a bias

    @Test
    void withoutBiasTheOtherResultsAreThoseOfTheLayerWithOne() {
        for (WeightLayout layout : WeightLayout.values()) {
            // 8192 -> 1: D's last layer (a 4x4 conv to one logit, ndf 64) at batch 4.
            for (int[] s : new int[][] {{3, 37, 11}, {4, 512 * 16, 1}}) {
                Case withBias = Case.random(layout, true, s[0], s[1], s[2], 57);
                Case c = withBias.withoutBias();
                String what = layout + " " + s[0] + "x" + s[1] + "->" + s[2] + " without bias";
                Result free = run(cpu3, c);
                assertClose(c.reference(), free.y(), FORWARD_TOL, what + ": forward");
                Result biased = run(cpu3, withBias);
                assertBitIdentical(biased.dx(), free.dx(), what + ": dx");
                assertBitIdentical(biased.dw(), free.dw(), what + ": dw");
                assertBitIdentical(free.y(), run(cpu1, c).y(), what + ": 1 vs 3 threads");
            }
        }
    }

    @Test
    void withoutBiasGradientsMatchFiniteDifferencesAndAccumulate() {
        for (WeightLayout layout : WeightLayout.values()) {
            Case c = Case.random(layout, false, 3, 13, 7, 58);
            DoubleSupplier loss = () -> dot(c.r(), c.reference());
            double[] fdX = numericGradient(c.x(), loss, FD_STEP);
            double[] fdW = numericGradient(c.w(), loss, FD_STEP);
            Result res = run(cpu1, c);
            assertClose(fdX, res.dx(), GRAD_TOL, layout + " linear without bias: dx vs FD");
            assertClose(fdW, res.dw(), GRAD_TOL, layout + " linear without bias: dw vs FD");
            double[] dw0 = gaussian(new Random(59), c.out() * c.in(), 3.0);
            try (LinearOp op = cpu3.linear(c.batch(), c.in(), c.out(), layout)) {
                Tensor x = tensor(c.x(), c.batch(), c.in());
                Tensor w = tensor(c.w(), c.weightShape());
                op.forward(x, w, null, garbage(c.batch(), c.out()));
                Tensor dw = tensor(dw0, c.weightShape());
                op.backward(x, w, tensor(c.r(), c.batch(), c.out()), null, dw, null, true);
                assertClose(plus(dw0, c.referenceDw()), read(dw), GRAD_TOL, layout + " without bias: accumulated dw");
                assertGuardsIntact(dw);
            }
        }
    }
}
