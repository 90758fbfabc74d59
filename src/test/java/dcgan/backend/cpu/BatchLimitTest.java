package dcgan.backend.cpu;

import dcgan.model.ModelSpec;
import dcgan.backend.ConvGeometry;
import dcgan.backend.Tensor;
import dcgan.model.BufferSize;
import dcgan.model.Discriminator;
import dcgan.model.Generator;
import dcgan.model.Layer;
import dcgan.model.Network;
import dcgan.model.NetworkLayout;
import dcgan.train.Hyperparameters;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The largest batch a model trains at follows from its layer list: every buffer a step holds, the CPU
 * convolutions' im2col patch matrices included, must fit one off-heap buffer. Checked at the boundary without
 * allocating the gigabytes such a batch needs.
 */
class BatchLimitTest {

    /** The bound the model's limit uses is the CPU storage's own. */
    @Test
    void theSharedBoundIsTheOffHeapStoragesLimit() {
        assertEquals(OffHeapFloats.MAX_FLOATS, Tensor.MAX_SIZE);
        assertThrows(IllegalArgumentException.class, () -> new OffHeapFloats(Tensor.MAX_SIZE + 1));
    }

    /**
     * The tensor of 541,900,800 floats that a batch of 10,800 failed on is D.c2's patch matrix: 49 output pixels
     * of each image, each seeing 64 channels x 4 x 4 inputs.
     */
    @Test
    void theLargestBufferIsDc2sPatchMatrix() {
        BufferSize largest = ModelSpec.MNIST.largestBuffer(10_800);
        assertEquals(541_900_800L, largest.floats());
        assertEquals("D.c2's im2col patch matrix [529200, 1024]", largest.what());
    }

    /** 10,699 images fit every buffer; 10,700 do not, and the message names the buffer and the limit. */
    @Test
    void theLargestAcceptedBatchIsBuildableInPrincipleAndOneMoreIsRefused() {
        int max = ModelSpec.MNIST.maxBatchSize();
        assertEquals(Tensor.MAX_SIZE / (64 * 16 * 7 * 7), max);
        assertEquals(10_699, max);
        ModelSpec.MNIST.requireFits(max);
        for (List<Layer> layers : List.of(Discriminator.layers(ModelSpec.MNIST), Generator.layers(ModelSpec.MNIST))) {
            for (Layer layer : layers) {
                for (BufferSize b : layer.buffers(max)) {
                    assertTrue(b.floats() <= OffHeapFloats.MAX_FLOATS, b + " at batch " + max);
                }
                if (layer instanceof Layer.Conv c) {
                    ConvGeometry g = c.geometry(max);
                    assertTrue(Tensor.sizeOf(g.batch() * g.outHeight() * g.outWidth(), g.patchSize()) <= OffHeapFloats.MAX_FLOATS);
                }
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelSpec.MNIST.requireFits(max + 1));
        assertTrue(e.getMessage().contains("--batch-size 10700 is too large: D.c2's im2col patch matrix [524300, 1024] "
                                           + "would hold 536883200 floats, more than one buffer can hold (536870879)"),
                e.getMessage());
        assertTrue(e.getMessage().contains("at most 10699 images per batch for the notebook's 28x28 model (1 channel)"),
                e.getMessage());
    }

    /** A larger z dimension lowers the limit once G.l1's input or weight is the largest buffer. */
    @Test
    void theNoiseSizeLimitsTooAndIsDerivedTheSameWay() {
        int maxZ = ModelSpec.MNIST.maxZDim();
        assertTrue(ModelSpec.MNIST.withZDim(maxZ).largestBuffer(2).floats() <= Tensor.MAX_SIZE);
        BufferSize over = ModelSpec.MNIST.withZDim(maxZ + 1).largestBuffer(2);
        assertTrue(over.floats() > Tensor.MAX_SIZE, over.toString());
        assertTrue(over.what().startsWith("G's flat parameter buffer") || over.what().startsWith("G.l1"), over.toString());
        assertTrue(ModelSpec.MNIST.withZDim(200_000).maxBatchSize() < ModelSpec.MNIST.maxBatchSize());
    }

    /** The limit follows any layer list: a network for 64x64 images has a patch matrix 16 times as large. */
    @Test
    void anotherModelsLimitFollowsFromItsLayers() {
        List<Layer> d64 = List.of(Layer.conv("c1", 3, 64, 64), Layer.leakyRelu(0.2f), Layer.conv("c2", 64, 128, 32),
                Layer.batchNorm("bn2", 128, 16 * 16), Layer.linear("l3", 128 * 16 * 16, 1));
        BufferSize largest = Network.largestBuffer("D64", d64, 100);
        assertEquals("c2's im2col patch matrix [25600, 1024]", largest.what());
        assertEquals(100L * 16 * 16 * 64 * 16, largest.floats());
    }

    /** The parameter count each layer declares adds up to its network's flat parameter buffer. */
    @Test
    void parameterCountsAddUpToTheLayouts() {
        for (List<Layer> layers : List.of(Discriminator.layers(ModelSpec.MNIST), Generator.layers(ModelSpec.MNIST), Generator.layers(ModelSpec.notebook(1, 7)))) {
            long sum = layers.stream().mapToLong(Layer::parameterCount).sum();
            assertEquals(NetworkLayout.of(layers).params().size(), sum);
        }
    }

    /**
     * The buffers each layer declares cover what the CPU backend actually allocates for it: every off-heap
     * tensor that its convolution and linear operations own, at a small batch.
     */
    @Test
    void theDeclaredBuffersCoverWhatTheCpuOperationsAllocate() throws Exception {
        int batch = 3;
        try (CpuBackend cpu = new CpuBackend(1)) {
            for (List<Layer> layers : List.of(Discriminator.layers(ModelSpec.MNIST), Generator.layers(ModelSpec.MNIST))) {
                for (Layer layer : layers) {
                    if (!(layer instanceof Layer.Conv || layer instanceof Layer.ConvTranspose
                          || layer instanceof Layer.Linear)) {
                        continue;
                    }
                    try (AutoCloseable op = operation(cpu, layer, batch)) {
                        long declared = layer.buffers(batch).stream().mapToLong(BufferSize::floats).max().orElse(0);
                        for (int size : ownedSizes(op)) {
                            assertTrue(size <= declared, layer + " allocates " + size + " floats, more than its "
                                                         + "largest declared buffer " + declared);
                        }
                    }
                }
            }
        }
    }

    /** The CPU operation of a convolution, transposed convolution or linear layer. */
    private static AutoCloseable operation(CpuBackend cpu, Layer layer, int batch) {
        if (layer instanceof Layer.Conv c) {
            return cpu.conv(c.geometry(batch));
        }
        if (layer instanceof Layer.ConvTranspose t) {
            return cpu.convTranspose(t.geometry(batch));
        }
        Layer.Linear l = (Layer.Linear) layer;
        return cpu.linear(batch, l.in(), l.out());
    }

    private static List<Integer> ownedSizes(Object op) throws IllegalAccessException {
        List<Integer> sizes = new ArrayList<>();
        for (Field f : op.getClass().getDeclaredFields()) {
            if (f.getType() == CpuTensor.class) {
                f.setAccessible(true);
                CpuTensor t = (CpuTensor) f.get(op);
                if (t != null) {
                    sizes.add(t.size());
                }
            }
        }
        assertTrue(!sizes.isEmpty() || op instanceof CpuLinear, op + " owns no tensor fields to check");
        return sizes;
    }
}
