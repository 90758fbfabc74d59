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

import dcgan.backend.LinearOp;
import dcgan.backend.Tensor;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/** {@link CpuLinear} (y = x W^T + b, W [out, in]) against a naive double product and finite differences. */
class CpuLinearTest extends CpuBackendFixture {

    private static final double FORWARD_TOL = 1e-5;
    private static final double GRAD_TOL = 1e-4;
    private static final double FD_STEP = 1e-3;


    private record Case(int batch, int in, int out, double[] x, double[] w, double[] b, double[] r) {
        static Case random(int batch, int in, int out, long seed) {
            Random rnd = new Random(seed);
            return new Case(batch, in, out,
                    gaussian(rnd, batch * in, 1.0),
                    gaussian(rnd, out * in, 0.5),
                    gaussian(rnd, out, 1.0),
                    gaussian(rnd, batch * out, 1.0));
        }

        double[] reference() {
            return NaiveOps.linear(x, w, b, batch, in, out);
        }

        double[] referenceDx() {
            return NaiveOps.linearInputGrad(r, w, batch, in, out);
        }

        double[] referenceDw() {
            return NaiveOps.linearWeightGrad(x, r, batch, in, out);
        }

        double[] referenceDb() {
            return NaiveOps.channelSums(r, batch, out, 1);
        }
    }

    private record Result(float[] y, float[] dx, float[] dw, float[] db) {
    }

    private static Result run(CpuBackend cpu, Case c) {
        try (LinearOp op = cpu.linear(c.batch(), c.in(), c.out())) {
            Tensor x = tensor(c.x(), c.batch(), c.in());
            Tensor w = tensor(c.w(), c.out(), c.in());
            Tensor b = tensor(c.b(), c.out());
            Tensor y = garbage(c.batch(), c.out());
            op.forward(x, w, b, y);
            Tensor dy = tensor(c.r(), c.batch(), c.out());
            Tensor dx = garbage(c.batch(), c.in());
            Tensor dw = garbage(c.out(), c.in());
            Tensor db = garbage(c.out());
            op.backward(x, w, dy, dx, dw, db, false);
            assertGuardsIntact(x, w, b, y, dy, dx, dw, db);
            return new Result(read(y), read(dx), read(dw), read(db));
        }
    }

    @Test
    void reportsItsShape() {
        try (LinearOp op = cpu1.linear(3, 7, 5)) {
            assertArrayEquals(new int[] {3, 7, 5}, new int[] {op.batch(), op.inFeatures(), op.outFeatures()});
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
        Case c = new Case(1, 2, 3, new double[] {1, 2}, new double[] {1, 0, 0, 10, 3, 4}, new double[] {0.5, 0, -1},
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
}
