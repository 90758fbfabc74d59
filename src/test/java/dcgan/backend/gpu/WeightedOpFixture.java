package dcgan.backend.gpu;

import static org.junit.jupiter.params.provider.Arguments.arguments;

import dcgan.backend.Backend;
import dcgan.backend.ConvGeometry;
import dcgan.backend.LinearOp;
import dcgan.backend.Tensor;
import dcgan.backend.WeightedOp;

import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cases every weighted op (convolution, transposed convolution, linear) goes through against the
 * CPU, on fresh inputs at each of the subclass's shapes ({@link #cases}): forward; backward overwriting
 * dx, dw, db; backward adding onto pre-filled dw and db; backward without dx; backward without dw and db. A
 * layer without a bias passes null for b and db.
 * Every backward follows a forward of the same op and x, as the {@link WeightedOp} contract asks. Outputs start NaN-filled, so every element must be written, and
 * the inputs must come back untouched.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS) // so that the case matrix can come from the subclass's cases()
abstract class WeightedOpFixture extends CpuVsGpuFixture {

    /** The bound for convolutions, transposed convolutions and GEMM. */
    static final double TOL = 1e-4;

    /** The bound every output is held to; {@link #TOL} unless the backend under test computes otherwise. */
    double tolerance() {
        return TOL;
    }

    /**
     * One layer's operands; b is null for a layer without a bias, which passes null for b and db. paramGradScale
     * is about the size of its dw and db entries for unit inputs
     * (the square root of how many products each sums): the pre-fill of the accumulate case is drawn
     * at that scale, so that overwriting instead of adding, or adding twice, is far outside the tolerance
     * (TOL, or TF32's 1e-2).
     */
    record Shapes(String name, int[] x, int[] w, int[] b, int[] y, double paramGradScale,
                  Function<Backend, WeightedOp> make) {
        @Override
        public String toString() {
            return name + ": x " + Arrays.toString(x) + " w " + Arrays.toString(w) + " -> y " + Arrays.toString(y)
                   + (b == null ? ", no bias" : "");
        }

        /** The same layer without a bias. */
        Shapes withoutBias() {
            return new Shapes(name, x, w, null, y, paramGradScale, make);
        }
    }

    /** A forward alone, or one followed by a backward: which gradients it asks for, whether dw and db are added to. */
    enum Call {
        FORWARD, BACKWARD_ALL, BACKWARD_ACCUMULATE, BACKWARD_NO_DX, BACKWARD_NO_PARAM_GRADS
    }

    /** A convolution's operands; the geometry is the layer's own. */
    static Shapes conv(String name, ConvGeometry g) {
        // Each dw and db entry sums over the batch and the output pixels.
        double gradScale = Math.sqrt((double) g.batch() * g.outHeight() * g.outWidth());
        return new Shapes(name, g.inShape(), g.weightShape(), new int[] {g.outChannels()}, g.outShape(), gradScale,
                b -> b.conv(g));
    }

    /**
     * A transposed convolution's operands; the geometry is that of the convolution it transposes, so x has
     * that convolution's output shape and y its input shape, and ConvTranspose2d's weight
     * {@code [x channels, y channels, 4, 4]} is that convolution's weight shape.
     */
    static Shapes convTranspose(String name, ConvGeometry g) {
        // dw entries sum over the batch and x's pixels (db over y's, four times as many).
        double gradScale = Math.sqrt((double) g.batch() * g.outHeight() * g.outWidth());
        return new Shapes(name, g.outShape(), g.weightShape(), new int[] {g.inChannels()}, g.inShape(), gradScale,
                b -> b.convTranspose(g));
    }

    /** A linear layer's operands, weight {@code [out, in]}. */
    static Shapes linear(String name, int batch, int in, int out) {
        // Each dw and db entry sums over the batch.
        return new Shapes(name, new int[] {batch, in}, new int[] {out, in}, new int[] {out}, new int[] {batch, out},
                Math.sqrt(batch), b -> b.linear(batch, in, out));
    }

    /** A linear layer's operands, weight {@code [in, out]}. */
    static Shapes linearInOut(String name, int batch, int in, int out) {
        return new Shapes(name, new int[] {batch, in}, new int[] {in, out}, new int[] {out}, new int[] {batch, out},
                Math.sqrt(batch), b -> b.linear(batch, in, out, LinearOp.WeightLayout.IN_OUT));
    }

    /** This class's layers: one per model layer of its kind, and small odd shapes. */
    abstract Stream<Shapes> cases();

    /** Every case with every kind of call. */
    Stream<Arguments> matrix() {
        return cases().flatMap(s -> Arrays.stream(Call.values()).map(call -> arguments(s, call)));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("matrix")
    void matchesCpu(Shapes s, Call call) {
        run(s, call);
    }

    /** A forward, then (unless call is FORWARD) a backward, on both backends; everything produced compared. */
    private void run(Shapes s, Call call) {
        double tol = tolerance();
        Inputs in = Inputs.fresh();
        String what = in.label(s + ", " + call);
        Both<WeightedOp> op = both(s.make());
        float[] x = in.gaussian(Tensor.sizeOf(s.x()), 1);
        float[] w = in.gaussian(Tensor.sizeOf(s.w()), 0.1);
        float[] bias = s.b() == null ? null : in.gaussian(Tensor.sizeOf(s.b()), 0.5);
        Twin xT = twin(x, s.x());
        Twin wT = twin(w, s.w());
        Twin bT = bias == null ? null : twin(bias, s.b());
        Twin yT = nanTwin(s.y());
        onBoth(b -> op.on(b).forward(xT.on(b), wT.on(b), on(bT, b), yT.on(b)));
        assertTwinClose(what + ": y", yT, tol);
        if (call != Call.FORWARD) {
            float[] dy = in.gaussian(Tensor.sizeOf(s.y()), 1);
            Twin dyT = twin(dy, s.y());
            Twin dx = call == Call.BACKWARD_NO_DX ? null : nanTwin(s.x());
            Twin dw = paramGrad(call, in, s.paramGradScale(), s.w());
            Twin db = s.b() == null ? null : paramGrad(call, in, s.paramGradScale(), s.b());
            boolean accumulate = call == Call.BACKWARD_ACCUMULATE;
            onBoth(b -> op.on(b).backward(xT.on(b), wT.on(b), dyT.on(b), on(dx, b), on(dw, b), on(db, b), accumulate));
            if (dx != null) {
                assertTwinClose(what + ": dx", dx, tol);
            }
            if (dw != null) {
                assertTwinClose(what + ": dw", dw, tol);
            }
            if (db != null) {
                assertTwinClose(what + ": db", db, tol);
            }
            assertUntouched(what + ": dy", dyT, dy);
        }
        assertUntouched(what + ": x", xT, x);
        assertUntouched(what + ": w", wT, w);
        if (bT != null) {
            assertUntouched(what + ": b", bT, bias);
        }
    }

    /** A weight or bias gradient output: absent, NaN-filled (overwritten) or pre-filled (added to). */
    private static Twin paramGrad(Call call, Inputs in, double scale, int[] shape) {
        return switch (call) {
            case BACKWARD_NO_PARAM_GRADS, FORWARD -> null;
            case BACKWARD_ACCUMULATE -> twin(in.gaussian(Tensor.sizeOf(shape), scale), shape);
            case BACKWARD_ALL, BACKWARD_NO_DX -> nanTwin(shape);
        };
    }
}
