package dcgan.train;

import dcgan.data.Background;
import dcgan.backend.cpu.CpuBackend;
import dcgan.eval.Scorer;
import dcgan.io.BadFileException;
import dcgan.io.NamedTensor;
import dcgan.io.SafeTensorsFile;
import dcgan.io.SafeTensorsWriter;
import dcgan.model.Discriminator;
import dcgan.model.Generator;
import dcgan.model.ModelSpec;
import dcgan.model.NetworkLayout;
import dcgan.model.ParameterLayout;
import dcgan.random.CounterRng;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checkpoints of PyTorch's example's DCGAN: the model is recorded and read back; the batch norms carry PyTorch's
 * int64 step counters; a generator that PyTorch saved (its bare {@code state_dict} names, or under {@code G.})
 * is read for sampling, its model read off its shapes; and a file of the notebook's model from before models
 * had families still reads.
 */
class DcganCheckpointTest {

    /** Small widths keep it quick; the layers are those of the 32x32 colour model. */
    private static final ModelSpec MODEL = ModelSpec.dcgan(32, 3, 10, 4, 5);

    @TempDir
    static Path shared;
    @TempDir
    Path dir;

    private static Path file;
    private static Checkpoint saved;

    /** Two real steps, so that Adam's moments and the moving averages are not their initial values. */
    @BeforeAll
    static void trainTwoSteps() throws IOException {
        Hyperparameters hp = Hyperparameters.pytorchExample().with(4, 2e-4f, 0.5f);
        float[] images = new CounterRng(11).uniform(2 * 4 * MODEL.pixelsPerImage(), -1f, 1f, 9, 0);
        file = shared.resolve("dcgan.safetensors");
        try (CpuBackend cpu = new CpuBackend(2); GanTrainer t = new GanTrainer(cpu, hp, MODEL, new CounterRng(5));
             HostBatches batches = new HostBatches(cpu, t, 4, MODEL)) {
            batches.step(images, 0);
            batches.step(images, 4 * MODEL.pixelsPerImage());
            RunSettings settings = new RunSettings(hp, MODEL, Background.WHITE, 5, 547, 16, Path.of("/data/faces"),
                    file.toAbsolutePath().getParent(), 25, 0, 0, 1, false, 1, Scorer.defaultCacheDir(),
                    StepExecution.DEFAULT);
            saved = new Checkpoint(settings, 8, "0123abcd", t.snapshot());
        }
        CheckpointFile.write(file, saved);
    }

    @Test
    void theModelAndEveryValueRoundTrip() throws IOException {
        Checkpoint back = CheckpointFile.read(file);
        assertEquals(saved.settings(), back.settings());
        assertEquals(MODEL, back.settings().model());
        assertArrayEquals(saved.state().generator().params(), back.state().generator().params());
        assertArrayEquals(saved.state().discriminator().adamV(), back.state().discriminator().adamV());
        assertArrayEquals(saved.state().generator().buffers(), back.state().generator().buffers());
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            Map<String, String> m = f.metadata();
            assertEquals("dcgan", m.get("model"));
            assertEquals("32", m.get("image_size"));
            assertEquals("3", m.get("channels"));
            assertEquals("10", m.get("z_dim"));
            assertEquals("4", m.get("ngf"));
            assertEquals("5", m.get("ndf"));
            assertEquals("1.0", m.get("g_lr_scale"));
        }
    }

    /** As PyTorch counts them: D runs in training mode three times a step, G once (it is not run again). */
    @Test
    void batchNormsCarryPyTorchsStepCounters() throws IOException {
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            assertArrayEquals(new long[] {6}, f.longs("D.main.3.num_batches_tracked"));
            assertArrayEquals(new long[] {2}, f.longs("G.main.1.num_batches_tracked"));
            assertArrayEquals(new long[] {2}, f.longs("G.main.7.num_batches_tracked"));
            long counters = f.entries().stream().filter(e -> e.name().endsWith(".num_batches_tracked")).count();
            assertEquals(2 + 3, counters, "one per batch norm: D's two, G's three at 32x32");
            assertTrue(f.entries().stream().filter(e -> e.name().endsWith(".num_batches_tracked"))
                    .allMatch(e -> e.dtype().equals("I64") && e.shape().length == 0));
        }
    }

    /** A generator saved by PyTorch: {@code save_file(netG.state_dict(), path)} names, no metadata. */
    @Test
    void aGeneratorPyTorchSavedIsReadWithItsModelFromItsShapes() throws IOException {
        float[] params = saved.state().generator().params();
        float[] buffers = saved.state().generator().buffers();
        Path bare = dir.resolve("netG.safetensors");
        SafeTensorsWriter.write(bare, pyTorchNames(Generator.layout(MODEL), params, buffers, ""), Map.of());
        GeneratorWeights g = CheckpointFile.readGenerator(bare);
        assertEquals(ModelSpec.dcgan(32, 3, 10, 4, 4), g.model(), "ndf is not in a generator: taken as ngf");
        assertEquals(-1, g.step());
        assertEquals("PyTorch's state_dict", g.describeOrigin());
        assertArrayEquals(params, g.params());
        assertArrayEquals(buffers, g.buffers());

        // Under "G.", with a discriminator under "D." beside it.
        Path both = dir.resolve("both.safetensors");
        List<NamedTensor> tensors = pyTorchNames(Generator.layout(MODEL), params, buffers, "G.");
        tensors.add(new NamedTensor("D.main.0.weight", new int[] {4, 3, 4, 4}, new float[192]));
        SafeTensorsWriter.write(both, tensors, Map.of());
        assertArrayEquals(params, CheckpointFile.readGenerator(both).params());

        // The images match those of the same weights in a checkpoint of ours.
        try (CpuBackend cpu = new CpuBackend(1)) {
            GeneratorWeights ours = CheckpointFile.readGenerator(file);
            float[] a = Generation.sample(cpu, ours, Generation.noise(3, ours.model()), 5);
            float[] b = Generation.sample(cpu, g, Generation.noise(3, g.model()), 5);
            assertArrayEquals(a, b);
        }
    }

    @Test
    void aPyTorchGeneratorWithAMissingOrStrangeTensorIsNamed() throws IOException {
        float[] params = saved.state().generator().params();
        float[] buffers = saved.state().generator().buffers();
        List<NamedTensor> missing = pyTorchNames(Generator.layout(MODEL), params, buffers, "");
        missing.removeIf(t -> t.name().equals("main.4.running_var"));
        Path a = dir.resolve("missing.safetensors");
        SafeTensorsWriter.write(a, missing, Map.of());
        BadFileException e = assertThrows(BadFileException.class, () -> CheckpointFile.readGenerator(a));
        assertEquals(a + ": missing tensor main.4.running_var of PyTorch's DCGAN generator for DCGAN 32x32 (3 "
                     + "channels, ngf 4, ndf 4)", e.getMessage());

        List<NamedTensor> extra = pyTorchNames(Generator.layout(MODEL), params, buffers, "");
        extra.add(new NamedTensor("main.2.weight", new int[] {1}, new float[1]));
        Path b = dir.resolve("extra.safetensors");
        SafeTensorsWriter.write(b, extra, Map.of());
        e = assertThrows(BadFileException.class, () -> CheckpointFile.readGenerator(b));
        assertTrue(e.getMessage().startsWith(b + ": unexpected tensor main.2.weight (not part of PyTorch's DCGAN "
                                             + "generator"), e.getMessage());

        List<NamedTensor> odd = new ArrayList<>();
        odd.add(new NamedTensor("main.0.weight", new int[] {10, 30, 4, 4}, new float[4800]));
        Path c = dir.resolve("odd.safetensors");
        SafeTensorsWriter.write(c, odd, Map.of());
        e = assertThrows(BadFileException.class, () -> CheckpointFile.readGenerator(c));
        assertTrue(e.getMessage().contains("starts with a transposed convolution [nz, 8 ngf, 4, 4]"), e.getMessage());
    }

    /** A checkpoint written before the models had families: "dcgan-mnist-28x28", no image size or channels. */
    @Test
    void aCheckpointOfTheNotebooksModelFromBeforeFamiliesStillReads() throws IOException {
        Path notebook = dir.resolve("notebook.safetensors");
        Hyperparameters hp = Hyperparameters.of(4, 2e-4f, 0.5f);
        try (CpuBackend cpu = new CpuBackend(1); GanTrainer t = new GanTrainer(cpu, hp, ModelSpec.MNIST, new CounterRng(5))) {
            RunSettings settings = new RunSettings(hp, ModelSpec.MNIST, Background.WHITE, 5, 547, 16, Path.of("/data/mnist"),
                    notebook.toAbsolutePath().getParent(), 7, 0, 0, 1, false, 1, Scorer.defaultCacheDir(),
                    StepExecution.DEFAULT);
            CheckpointFile.write(notebook, new Checkpoint(settings, 8, "0123abcd", t.snapshot()));
        }
        Path legacy = dir.resolve("legacy.safetensors");
        List<NamedTensor> tensors = new ArrayList<>();
        Map<String, String> m;
        try (SafeTensorsFile f = SafeTensorsFile.open(notebook)) {
            m = new LinkedHashMap<>(f.metadata());
            for (SafeTensorsFile.Entry e : f.entries()) {
                tensors.add(new NamedTensor(e.name(), e.shape(), f.floats(e.name(), e.shape())));
            }
        }
        m.keySet().removeIf(k -> k.startsWith("crc32c.") || k.equals("image_size") || k.equals("channels"));
        m.put("model", "dcgan-mnist-28x28");
        SafeTensorsWriter.write(legacy, tensors, m);
        Checkpoint back = CheckpointFile.read(legacy);
        assertEquals(ModelSpec.MNIST, back.settings().model());
        assertEquals(ModelSpec.MNIST, CheckpointFile.readGenerator(legacy).model());
    }

    @Test
    void aModelOfNoKnownFamilyIsRefusedNamingIt() throws IOException {
        Path other = dir.resolve("other.safetensors");
        List<NamedTensor> tensors = new ArrayList<>();
        Map<String, String> m;
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            m = new LinkedHashMap<>(f.metadata());
            for (SafeTensorsFile.Entry e : f.entries()) {
                if (e.dtype().equals("F32")) {
                    tensors.add(new NamedTensor(e.name(), e.shape(), f.floats(e.name(), e.shape())));
                }
            }
        }
        m.keySet().removeIf(k -> k.startsWith("crc32c."));
        m.put("model", "stylegan");
        SafeTensorsWriter.write(other, tensors, m);
        BadFileException e = assertThrows(BadFileException.class, () -> CheckpointFile.read(other));
        assertEquals(other + ": a checkpoint of model \"stylegan\", not of this program's models (notebook, dcgan)",
                e.getMessage());
    }

    /** Our layout's tensors under PyTorch's state_dict names: "main.N.x" (prefix "") or "G.main.N.x". */
    private static List<NamedTensor> pyTorchNames(NetworkLayout layout, float[] params, float[] buffers, String prefix) {
        List<NamedTensor> out = new ArrayList<>();
        for (ParameterLayout.Entry e : layout.params().entries()) {
            out.add(new NamedTensor(prefix + e.name().substring(2), e.shape(), params, e.offset()));
        }
        for (ParameterLayout.Entry e : layout.buffers().entries()) {
            String name = prefix + e.name().substring(2);
            out.add(new NamedTensor(name, e.shape(), buffers, e.offset()));
            if (name.endsWith(".running_var")) {
                String bn = name.substring(0, name.length() - ".running_var".length());
                out.add(NamedTensor.int64(bn + ".num_batches_tracked", new int[0], new long[] {1475}));
            }
        }
        return out;
    }

    /** Noise drawn a piece at a time is the noise drawn at once: image i's does not depend on how many are drawn. */
    @Test
    void normalNoiseDrawnInPiecesIsTheSame() {
        Generation.Noise noise = Generation.noise(7, MODEL);
        float[] all = noise.of(0, 9);
        float[] part = noise.of(3, 5);
        assertArrayEquals(java.util.Arrays.copyOfRange(all, 3 * MODEL.zDim(), 8 * MODEL.zDim()), part);
        assertArrayEquals(new CounterRng(7).normal(9 * MODEL.zDim(), CounterRng.STREAM_GENERATE, 0), all);
        assertTrue(Discriminator.layout(MODEL).params().size() > 0);
    }
}
