package dcgan.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dcgan.backend.Tensor;
import org.bytedeco.javacpp.FloatPointer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Off-heap storage: zero-filled, 64-byte aligned for native code, freed by close and refused afterwards. */
class OffHeapFloatsTest {

    @Test
    void newMemoryIsZeroAndHoldsExactlyItsSize() {
        try (OffHeapFloats m = new OffHeapFloats(1000)) {
            assertEquals(1000, m.size());
            assertEquals(1000, m.floats().capacity());
            float[] v = new float[1000];
            m.floats().get(0, v);
            assertArrayEquals(new float[1000], v);
            assertTrue(m.floats().isDirect(), "native code must be able to use it in place");
        }
        assertThrows(IllegalArgumentException.class, () -> new OffHeapFloats(-1));
        assertThrows(IllegalArgumentException.class, () -> new OffHeapFloats(OffHeapFloats.MAX_FLOATS + 1));
    }

    @Test
    void theFloatsStartOnACacheLine() {
        // JavaCPP reads a direct buffer's address; its natives ship for linux-x86_64 only.
        Assumptions.assumeTrue(CpuGemm.openBlasProblem().isEmpty(), "JavaCPP's natives cannot load here");
        for (int n : new int[] {1, 3, 16, 1000, 4097}) {
            try (OffHeapFloats m = new OffHeapFloats(n)) {
                assertEquals(0, new FloatPointer(m.floats()).address() % 64, n + " floats");
            }
        }
    }

    @Test
    void closingTheOwnerFreesTheMemoryAndLaterUseFailsInsteadOfCrashing() {
        try (CpuBackend cpu = new CpuBackend(1)) {
            Tensor base = cpu.allocate(4, 5);
            Tensor view = cpu.view(base, 5, 2, 5);
            view.close(); // a view frees nothing
            cpu.fill(view, 2f);
            assertEquals(2f, cpu.download(base)[5]);
            base.close();
            base.close(); // idempotent
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> cpu.relu(view, view));
            assertTrue(e.getMessage().contains("used after its memory was freed"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> cpu.download(base));
        }
    }

    @Test
    void anOperationClosedIsRefused() {
        try (CpuBackend cpu = new CpuBackend(1)) {
            var linear = cpu.linear(2, 3, 4);
            linear.close();
            try (Tensor x = cpu.allocate(2, 3); Tensor w = cpu.allocate(4, 3); Tensor b = cpu.allocate(4);
                 Tensor y = cpu.allocate(2, 4)) {
                assertThrows(IllegalStateException.class, () -> linear.forward(x, w, b, y));
            }
        }
    }
}
