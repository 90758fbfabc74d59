package dcgan.backend.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dcgan.backend.BatchNormOp;
import dcgan.backend.ConvGeometry;
import dcgan.backend.ConvOp;
import dcgan.backend.LinearOp;
import dcgan.backend.Tensor;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The backend's plumbing on its own, against plain expectations rather than the CPU: copies to and from
 * the host, views, fill, copy, zeroed allocation, and the errors for operands that do not fit. These run
 * with the CPU stand-in too, except where a check is about GPU tensors themselves.
 */
@Tag("gpu")
class GpuBackendBasicsTest extends CpuVsGpuFixture {

    /** Finite values of every kind, whose bits must survive a round trip untouched. */
    private static final float[] ODD_VALUES = {1.5f, -0f, 0f, Float.MIN_VALUE, -Float.MIN_NORMAL, Float.MAX_VALUE,
            Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN, 3e-39f, (float) Math.PI};

    private static Tensor tensor(float[] values, int... shape) {
        return closeLater(GpuTestSupport.tensor(gpu, values, shape));
    }

    private static float[] range(int n, float start) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = start + i;
        }
        return v;
    }

    private static float[] filled(int n, float value) {
        float[] v = new float[n];
        Arrays.fill(v, value);
        return v;
    }

    @Test
    void describeSaysSomething() {
        assertFalse(gpu.describe().isBlank(), "describe()");
    }

    @Test
    void uploadDownloadRoundTripIsBitExact() {
        float[] values = GpuTestSupport.gaussian(new SplittableRandom(GpuTestSupport.freshSeed()), 1000, 1e3);
        System.arraycopy(ODD_VALUES, 0, values, 0, ODD_VALUES.length);
        Tensor t = tensor(values, 10, 100);
        GpuTestSupport.assertBitIdentical("round trip", values, gpu.download(t));
    }

    @Test
    void uploadFromAnOffsetAndDownloadToAnOffset() {
        float[] src = range(20, 100f);
        Tensor t = closeLater(gpu.allocate(2, 3));
        gpu.upload(src, 7, t);
        assertArrayEquals(Arrays.copyOfRange(src, 7, 13), gpu.download(t), "upload from src[7..13)");
        float[] dst = filled(15, -1f);
        gpu.download(t, dst, 4);
        float[] expected = filled(15, -1f);
        System.arraycopy(src, 7, expected, 4, 6);
        assertArrayEquals(expected, dst, "download into dst[4..10), the rest untouched");
    }

    @Test
    void allocateIsZeroFilledEvenOverReusedMemory() {
        // Free a dirty tensor first: an allocator that hands its memory out again must still zero it.
        Tensor dirty = gpu.allocate(4096);
        gpu.fill(dirty, 7f);
        gpu.synchronize();
        dirty.close();
        Tensor t = closeLater(gpu.allocate(64, 64));
        assertArrayEquals(new float[4096], gpu.download(t), "a new tensor");
    }

    @Test
    void fillWritesEveryElementWithTheExactBits() {
        Tensor t = closeLater(gpu.allocate(3, 5, 7));
        gpu.fill(t, -0f);
        GpuTestSupport.assertBitIdentical("fill with -0", filled(105, -0f), gpu.download(t));
        gpu.fill(t, 2.75f);
        assertArrayEquals(filled(105, 2.75f), gpu.download(t), "fill with 2.75");
    }

    @Test
    void copyDuplicatesATensor() {
        float[] values = range(33, -5f);
        Tensor src = tensor(values, 33);
        Tensor dst = closeLater(gpu.allocate(3, 11));
        gpu.copy(src, dst);
        assertArrayEquals(values, gpu.download(dst), "copy");
        assertArrayEquals(values, gpu.download(src), "copy source");
    }

    @Test
    void viewsReadAndWriteTheirWindowOfTheBase() {
        Tensor base = tensor(range(40, 0f), 40);
        Tensor view = closeLater(gpu.view(base, 13, 3, 4));
        assertArrayEquals(range(12, 13f), gpu.download(view), "reading a view");

        float[] expected = range(40, 0f);
        gpu.upload(filled(12, -2f), 0, view);
        Arrays.fill(expected, 13, 25, -2f);
        assertArrayEquals(expected, gpu.download(base), "upload through a view");

        Tensor inner = closeLater(gpu.view(view, 5, 2));          // a view of a view: base elements 18, 19
        gpu.fill(inner, 9f);
        expected[18] = 9f;
        expected[19] = 9f;
        assertArrayEquals(expected, gpu.download(base), "fill through a view of a view");

        gpu.copy(tensor(range(4, 50f), 4), gpu.view(base, 36, 4));
        System.arraycopy(range(4, 50f), 0, expected, 36, 4);
        assertArrayEquals(expected, gpu.download(base), "copy into a view at the end");

        gpu.relu(gpu.view(base, 0, 13), gpu.view(base, 27, 13));  // a kernel reading and writing views
        System.arraycopy(range(13, 0f), 0, expected, 27, 13);
        assertArrayEquals(expected, gpu.download(base), "ReLU from one view into another");

        float[] dst = filled(6, 1f);
        gpu.download(gpu.view(base, 20, 2), dst, 3);
        assertArrayEquals(new float[] {1f, 1f, 1f, -2f, -2f, 1f}, dst, "download of a view into an offset");
    }

    @Test
    void viewsOutsideTheBaseAreRefused() {
        Tensor base = closeLater(gpu.allocate(10));
        assertThrows(IllegalArgumentException.class, () -> gpu.view(base, 8, 3), "view past the end");
        assertThrows(IllegalArgumentException.class, () -> gpu.view(base, -1, 2), "view before the start");
    }

    /** The call must fail with IllegalArgumentException whose message names the operand. */
    private static void assertRefusedNaming(String operand, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, operand);
        assertTrue(e.getMessage().contains(operand), () -> "message should name " + operand + ": " + e.getMessage());
    }

    @Test
    void wrongSizeOperandsAreRefusedByName() {
        Tensor ten = closeLater(gpu.allocate(10));
        Tensor eleven = closeLater(gpu.allocate(11));
        assertRefusedNaming("ReLU output", () -> gpu.relu(ten, eleven));
        assertRefusedNaming("leaky ReLU input gradient", () -> gpu.leakyReluBackward(ten, ten, eleven, 0.2f));
        assertRefusedNaming("Adam second moments", () -> gpu.adam(ten, ten, ten, eleven, 1e-4f, 0.5f, 0.999f, 1e-8f));

        LinearOp linear = closeLater(gpu.linear(2, 5, 3));
        Tensor x = closeLater(gpu.allocate(2, 5));
        Tensor w = closeLater(gpu.allocate(3, 5));
        Tensor y = closeLater(gpu.allocate(2, 3));
        assertRefusedNaming("linear bias", () -> linear.forward(x, w, ten, y));

        ConvGeometry g = new ConvGeometry(1, 2, 4, 4, 3);
        ConvOp conv = closeLater(gpu.conv(g));
        Tensor cx = closeLater(gpu.allocate(g.inShape()));
        Tensor cw = closeLater(gpu.allocate(g.weightShape()));
        Tensor cb = closeLater(gpu.allocate(g.outChannels()));
        assertRefusedNaming("conv output", () -> conv.forward(cx, cw, cb, cx));

        BatchNormOp bn = closeLater(gpu.batchNorm(2, 5, 1));
        Tensor five = closeLater(gpu.allocate(5));
        assertRefusedNaming("batch norm gamma", () -> bn.forwardInference(ten, eleven, five, five, five, ten));
    }

    @Test
    void tensorsOfAnotherBackendAreRefused() {
        assumeTrue(gpu instanceof GpuBackend, "only the GPU backend has tensors of its own to tell apart");
        Tensor onCpu = cpu.allocate(4);
        Tensor onGpu = closeLater(gpu.allocate(4));
        assertRefusedNaming("not a GPU tensor", () -> gpu.relu(onCpu, onGpu));
        assertRefusedNaming("not a GPU tensor", () -> gpu.relu(onGpu, onCpu));
        assertRefusedNaming("not a GPU tensor", () -> gpu.download(onCpu));
        assertRefusedNaming("not a GPU tensor", () -> gpu.upload(new float[4], 0, onCpu));
        assertRefusedNaming("not a CPU tensor", () -> cpu.relu(onGpu, onCpu));
    }
}
