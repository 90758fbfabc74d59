package dcgan.train;

import dcgan.data.Background;
import dcgan.model.ModelSpec;
import dcgan.backend.cpu.CpuBackend;
import dcgan.io.BadFileException;
import dcgan.io.NamedTensor;
import dcgan.io.SafeTensorsFile;
import dcgan.io.SafeTensorsWriter;
import dcgan.model.Discriminator;
import dcgan.model.Generator;
import dcgan.model.NetworkLayout;
import dcgan.model.ParameterLayout;
import dcgan.random.CounterRng;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The checkpoint file: every tensor and number round-trips exactly; every kind of bad file is named. */
class CheckpointFileTest {

    @TempDir
    static Path shared;
    @TempDir
    Path dir;

    private static Path realFile;
    private static Checkpoint real;

    /** A checkpoint after two real steps, so that Adam moments and moving averages are all non-trivial. */
    @BeforeAll
    static void trainTwoSteps() throws IOException {
        Hyperparameters hp = Hyperparameters.of(4, 3e-4f, 0.45f);
        float[] images = new CounterRng(11).uniform(2 * 4 * 784, 0f, 1f, 9, 0);
        realFile = shared.resolve("real.safetensors");
        try (CpuBackend cpu = new CpuBackend(2); GanTrainer t = new GanTrainer(cpu, hp, ModelSpec.MNIST, new CounterRng(5));
             HostBatches batches = new HostBatches(cpu, t, 4)) {
            batches.step(images, 0);
            batches.step(images, 4 * 784);
            // As read back: the output directory is the file's, saving and stepping as by default.
            RunSettings settings = new RunSettings(hp, ModelSpec.MNIST, Background.WHITE, 5, -3, 16, Path.of("/data/mnist"),
                    realFile.toAbsolutePath().getParent(), 7, 0, 2, 1, false, RunSettings.DEFAULT_EVAL_EVERY,
                    dcgan.eval.Scorer.defaultCacheDir(), StepExecution.DEFAULT);
            real = new Checkpoint(settings, 10, "0123abcd", t.snapshot());
        }
        CheckpointFile.write(realFile, real);
    }

    @Test
    void everyTensorAndSettingRoundTripsBitForBit() throws IOException {
        Checkpoint back = CheckpointFile.read(realFile);
        assertEquals(real.settings(), back.settings());
        assertEquals(real.dataImages(), back.dataImages());
        assertEquals(real.dataFingerprint(), back.dataFingerprint());
        assertEquals(2, back.state().step());
        assertSnapshotEquals(real.state().discriminator(), back.state().discriminator(), "D");
        assertSnapshotEquals(real.state().generator(), back.state().generator(), "G");
        assertEquals(2, back.state().discriminator().adamStep());
        assertEquals(2, back.state().generator().adamStep());
    }

    /** Each named tensor in the file is the right slice of the right flat buffer, in PyTorch's shape. */
    @Test
    void tensorsCarryTheirPyTorchNamesShapesAndValues() throws IOException {
        try (SafeTensorsFile f = SafeTensorsFile.open(realFile)) {
            int expectedCount = 0;
            for (String net : List.of("D", "G")) {
                NetworkLayout layout = net.equals("D") ? Discriminator.layout(ModelSpec.MNIST) : Generator.layout(ModelSpec.MNIST);
                NetworkSnapshot s = net.equals("D") ? real.state().discriminator() : real.state().generator();
                for (ParameterLayout.Entry e : layout.params().entries()) {
                    assertSlice(f, e.name(), e, s.params());
                    assertSlice(f, "optim." + e.name() + ".exp_avg", e, s.adamM());
                    assertSlice(f, "optim." + e.name() + ".exp_avg_sq", e, s.adamV());
                    expectedCount += 3;
                }
                for (ParameterLayout.Entry e : layout.buffers().entries()) {
                    assertSlice(f, e.name(), e, s.buffers());
                    expectedCount++;
                }
            }
            assertEquals(expectedCount, f.entries().size(), "no other tensors");
            assertTrue(f.contains("G.bn3.running_var") && f.contains("optim.D.l4.bias.exp_avg_sq"));
            Map<String, String> m = f.metadata();
            assertEquals("dcgan-java.checkpoint", m.get("format"));
            assertEquals("notebook", m.get("model"));
            assertEquals("28", m.get("image_size"));
            assertEquals("1", m.get("channels"));
            assertEquals("2", m.get("global_step"));
            assertEquals("1", m.get("epoch"));
            assertEquals("2", m.get("step_in_epoch"));
            assertEquals("2", m.get("steps_per_epoch"));
            assertEquals("2", m.get("optim.G.step"));
            assertEquals("3.0E-4", m.get("lr"));
        }
    }

    @Test
    void generatorAloneIsReadForSampling() throws IOException {
        GeneratorWeights g = CheckpointFile.readGenerator(realFile);
        assertEquals(100, g.zDim());
        assertEquals(2, g.step());
        assertArrayEquals(real.state().generator().params(), g.params());
        assertArrayEquals(real.state().generator().buffers(), g.buffers());
    }

    /** The best epoch's generator alone cannot be resumed: that is said, not that a metadata key is missing. */
    @Test
    void aGeneratorAloneIsNotResumedButSaysWhatItIsFor() throws IOException {
        Path best = dir.resolve("best.safetensors");
        CheckpointFile.writeGenerator(best, real.settings(), 2, 1, real.state().generator(), 12.5);
        assertProblem(() -> CheckpointFile.read(best), best, "holds a generator alone (the best epoch's, for "
                + "generate and evaluate), not a training state to resume: use it with generate or evaluate, or resume "
                + "from the checkpoint.safetensors beside it");
        assertEquals(100, CheckpointFile.readGenerator(best).zDim());
    }

    @Test
    void aTruncatedCheckpointIsNamedAndTheLastTensorToo() throws IOException {
        Path cut = dir.resolve("cut.safetensors");
        Files.copy(realFile, cut);
        try (FileChannel c = FileChannel.open(cut, StandardOpenOption.WRITE)) {
            c.truncate(c.size() - 1000);
        }
        assertProblem(() -> CheckpointFile.read(cut), cut, "truncated");
        assertProblem(() -> CheckpointFile.read(cut), cut, "optim.G.d4.bias.exp_avg_sq is cut off");
        assertProblem(() -> CheckpointFile.read(dir.resolve("none")), dir.resolve("none"), "no such file");
    }

    @Test
    void filesOfOtherFormatsModelsAndVersionsAreRecognised() throws IOException {
        Map<String, String> meta = fakeMetadata();
        meta.remove("format");
        assertFakeRefused(meta, Map.of(), Set.of(), "not a dcgan-java checkpoint: its __metadata__ has no format entry");
        meta = fakeMetadata();
        meta.put("model", "dcgan-cifar-32x32");
        assertFakeRefused(meta, Map.of(), Set.of(), "a checkpoint of model \"dcgan-cifar-32x32\"");
        meta = fakeMetadata();
        meta.put("format_version", "2");
        assertFakeRefused(meta, Map.of(), Set.of(), "checkpoint format version \"2\"; this program reads version 1");
        meta = fakeMetadata();
        meta.put("batch_size", "lots");
        assertFakeRefused(meta, Map.of(), Set.of(), "metadata batch_size is \"lots\", expected a whole number");
        meta = fakeMetadata();
        meta.remove("seed");
        assertFakeRefused(meta, Map.of(), Set.of(), "metadata key seed is missing");
    }

    @Test
    void missingUnexpectedAndMisshapenTensorsAreNamed() throws IOException {
        assertFakeRefused(fakeMetadata(), Map.of(), Set.of("optim.D.c2.bias.exp_avg"), "missing tensor optim.D.c2.bias.exp_avg");
        assertFakeRefused(fakeMetadata(), Map.of("D.c3.weight", new int[] {1}), Set.of(),
                "unexpected tensor D.c3.weight (not part of the notebook's 28x28 model (1 channel))");
        // Every tensor is present but tiny: the first one read has the wrong shape.
        assertFakeRefused(fakeMetadata(), Map.of(), Set.of(), "tensor D.c1.weight has shape [1], expected [64, 1, 4, 4]");
    }

    @Test
    void aGeneratorForAnotherNoiseSizeIsRefusedNamingTheTensor() throws IOException {
        // A z_dim 50 generator's first weight in a file that claims z_dim 100.
        Path file = writeFake(fakeMetadata(), Map.of("G.l1.weight", new int[] {1024, 50}), Set.of());
        assertProblem(() -> CheckpointFile.readGenerator(file), file,
                "tensor G.l1.weight has shape [1024, 50], expected [1024, 100]");
    }

    @Test
    void aWrongDtypeIsNamed() throws IOException {
        Path file = writeFake(fakeMetadata(), Map.of(), Set.of());
        byte[] bytes = Files.readAllBytes(file);
        String latin = new String(bytes, StandardCharsets.ISO_8859_1);
        String from = "\"G.l1.weight\":{\"dtype\":\"F32\",\"shape\":[1]";
        String to = "\"G.l1.weight\":{\"dtype\":\"F16\",\"shape\":[2]"; // same byte length, same data size
        assertTrue(latin.contains(from));
        Files.write(file, latin.replace(from, to).getBytes(StandardCharsets.ISO_8859_1));
        assertProblem(() -> CheckpointFile.readGenerator(file), file, "tensor G.l1.weight has dtype F16, expected F32");
    }

    @Test
    void positionThatDisagreesWithTheStepIsRefused() throws IOException {
        Path edited = dir.resolve("edited.safetensors");
        Files.copy(realFile, edited);
        byte[] bytes = Files.readAllBytes(edited);
        String latin = new String(bytes, StandardCharsets.ISO_8859_1);
        // Same length, so the data offsets stay valid: only the claimed position changes.
        String changed = latin.replace("\"step_in_epoch\":\"2\"", "\"step_in_epoch\":\"1\"");
        assertTrue(!changed.equals(latin));
        Files.write(edited, changed.getBytes(StandardCharsets.ISO_8859_1));
        assertProblem(() -> CheckpointFile.read(edited), edited, "do not agree with global_step 2");
    }

    /**
     * A copy of {@code from} whose JSON header is edited as text (e.g. keys removed, as a file from an earlier
     * version lacks them), padded again; the data is unchanged, since its offsets count from the header's end.
     */
    private Path withHeaderEdited(Path from, String name, java.util.function.UnaryOperator<String> edit) throws IOException {
        byte[] bytes = Files.readAllBytes(from);
        int n = (int) ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = edit.apply(new String(bytes, 8, n, StandardCharsets.UTF_8).strip());
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer out = ByteBuffer.allocate(8 + padded + bytes.length - 8 - n).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(h);
        for (int i = h.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        out.put(bytes, 8 + n, bytes.length - 8 - n);
        Path to = dir.resolve(name);
        Files.write(to, out.array());
        return to;
    }

    /** The byte offset in {@code file} of element {@code index} of a tensor. */
    private static long offsetOf(Path file, String tensor, int index) throws IOException {
        try (SafeTensorsFile f = SafeTensorsFile.open(file); FileChannel c = FileChannel.open(file)) {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            c.read(length, 0);
            long dataStart = 8 + length.getLong(0);
            SafeTensorsFile.Entry e = f.entries().stream().filter(x -> x.name().equals(tensor)).findFirst().orElseThrow();
            return dataStart + e.begin() + (long) index * Float.BYTES;
        }
    }

    @Test
    void aFlippedBitInAnyTensorIsCaughtByItsChecksum() throws IOException {
        Path flipped = dir.resolve("flipped.safetensors");
        Files.copy(realFile, flipped);
        // The high byte of a little-endian float holds the sign and the top exponent bits.
        long at = offsetOf(flipped, "G.l2.weight", 12345) + 3;
        try (FileChannel c = FileChannel.open(flipped, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            c.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x20)).rewind();
            c.write(b, at);
        }
        assertProblem(() -> CheckpointFile.read(flipped), flipped, "tensor G.l2.weight: its data has CRC-32C");
        assertProblem(() -> CheckpointFile.readGenerator(flipped), flipped, "tensor G.l2.weight: its data has CRC-32C");
    }

    /** Values that no run can produce are refused even when the file's checksums match them. */
    @Test
    void nonFiniteValuesAndNegativeVariancesAreRefusedNamingTheTensor() throws IOException {
        assertDamageRefused(s -> s.generator().params()[Generator.layout(ModelSpec.MNIST).params().entry("G.d4.weight").offset() + 5] = Float.NaN,
                "tensor G.d4.weight holds NaN at index 5", true);
        assertDamageRefused(s -> s.discriminator().params()[7] = Float.POSITIVE_INFINITY,
                "tensor D.c1.weight holds Infinity at index 7", false);
        assertDamageRefused(s -> s.discriminator().adamV()[Discriminator.layout(ModelSpec.MNIST).params().entry("D.l3.bias").offset()] = -1e-9f,
                "tensor optim.D.l3.bias.exp_avg_sq holds -1.0E-9 at index 0: a variance cannot be negative", false);
        assertDamageRefused(s -> s.generator().buffers()[Generator.layout(ModelSpec.MNIST).buffers().entry("G.bn3.running_var").offset() + 2] = -0.5f,
                "tensor G.bn3.running_var holds -0.5 at index 2: a variance cannot be negative", true);
    }

    private void assertDamageRefused(java.util.function.Consumer<TrainerState> damage, String problem, boolean inGenerator)
            throws IOException {
        TrainerState s = real.state();
        TrainerState copy = new TrainerState(s.step(), copy(s.discriminator()), copy(s.generator()));
        damage.accept(copy);
        Path file = dir.resolve("damaged-" + Math.abs(problem.hashCode()) + ".safetensors");
        CheckpointFile.write(file, new Checkpoint(real.settings(), real.dataImages(), real.dataFingerprint(), copy));
        assertProblem(() -> CheckpointFile.read(file), file, problem);
        if (inGenerator) {
            assertProblem(() -> CheckpointFile.readGenerator(file), file, problem);
        } else {
            CheckpointFile.readGenerator(file); // D's damage does not concern sampling
        }
    }

    private static NetworkSnapshot copy(NetworkSnapshot n) {
        return new NetworkSnapshot(n.params().clone(), n.buffers().clone(), n.adamM().clone(), n.adamV().clone(),
                n.adamStep());
    }

    /** Files from before tensor checksums are read, with a warning; a file with only some checksums is damaged. */
    @Test
    void aFileWithoutChecksumsIsReadWithAWarning() throws IOException {
        Path old = withHeaderEdited(realFile, "old.safetensors", h -> h.replaceAll(",\"crc32c\\.[^\"]*\":\"[0-9a-f]{8}\"", ""));
        java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
        Checkpoint back = CheckpointFile.read(old, new java.io.PrintStream(warnings, true, StandardCharsets.UTF_8));
        assertSnapshotEquals(real.state().generator(), back.state().generator(), "G");
        String text = warnings.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("warning: " + old + " has no tensor checksums"), text);
        assertEquals(1, text.lines().count(), text);

        Path some = withHeaderEdited(realFile, "some.safetensors",
                h -> h.replaceAll(",\"crc32c\\.G\\.bn1\\.running_mean\":\"[0-9a-f]{8}\"", ""));
        assertProblem(() -> CheckpointFile.read(some), some, "metadata key crc32c.G.bn1.running_mean is missing");

        java.io.ByteArrayOutputStream none = new java.io.ByteArrayOutputStream();
        CheckpointFile.read(realFile, new java.io.PrintStream(none, true, StandardCharsets.UTF_8));
        assertEquals("", none.toString(StandardCharsets.UTF_8), "a file with checksums reads without a warning");
    }

    @Test
    void locateFindsTheCheckpointInADirectory() throws IOException {
        assertEquals(dir.resolve("checkpoint.safetensors"), CheckpointFile.locate(dir));
        assertEquals(realFile, CheckpointFile.locate(realFile));
        assertEquals(2, CheckpointFile.peekStep(realFile).getAsLong());
        assertTrue(CheckpointFile.peekStep(dir.resolve("none")).isEmpty());
    }

    private void assertFakeRefused(Map<String, String> meta, Map<String, int[]> shapes, Set<String> omit,
                                   String problem) throws IOException {
        Path file = writeFake(meta, shapes, omit);
        assertProblem(() -> CheckpointFile.read(file), file, problem);
    }

    private static Map<String, String> fakeMetadata() throws IOException {
        try (SafeTensorsFile f = SafeTensorsFile.open(realFile)) {
            return new LinkedHashMap<>(f.metadata());
        }
    }

    /**
     * A small file with every tensor name of a checkpoint, each of shape [1] unless {@code shapes} says
     * otherwise (a name not in the model is added), minus {@code omit}: enough for every check that comes
     * before the first tensor whose shape is checked.
     */
    private Path writeFake(Map<String, String> meta, Map<String, int[]> shapes, Set<String> omit) throws IOException {
        List<String> names = new ArrayList<>();
        for (NetworkLayout n : List.of(Discriminator.layout(ModelSpec.MNIST), Generator.layout(ModelSpec.MNIST))) {
            n.params().entries().forEach(e -> names.add(e.name()));
            n.buffers().entries().forEach(e -> names.add(e.name()));
        }
        for (NetworkLayout n : List.of(Discriminator.layout(ModelSpec.MNIST), Generator.layout(ModelSpec.MNIST))) {
            n.params().entries().forEach(e -> {
                names.add("optim." + e.name() + ".exp_avg");
                names.add("optim." + e.name() + ".exp_avg_sq");
            });
        }
        Map<String, int[]> all = new LinkedHashMap<>();
        names.forEach(name -> all.put(name, new int[] {1}));
        all.putAll(shapes);
        List<NamedTensor> tensors = new ArrayList<>();
        all.forEach((name, shape) -> {
            if (!omit.contains(name)) {
                tensors.add(new NamedTensor(name, shape, new float[Arrays.stream(shape).reduce(1, (a, b) -> a * b)]));
            }
        });
        Path file = dir.resolve("fake-" + new HashMap<>(meta).hashCode() + "-" + tensors.size() + ".safetensors");
        SafeTensorsWriter.write(file, tensors, meta);
        return file;
    }

    private static void assertSlice(SafeTensorsFile f, String name, ParameterLayout.Entry e, float[] flat)
            throws IOException {
        float[] expected = Arrays.copyOfRange(flat, e.offset(), e.offset() + e.size());
        assertBitsEqual(expected, f.floats(name, e.shape()), name);
    }

    static void assertSnapshotEquals(NetworkSnapshot a, NetworkSnapshot b, String net) {
        assertBitsEqual(a.params(), b.params(), net + " parameters");
        assertBitsEqual(a.buffers(), b.buffers(), net + " moving averages");
        assertBitsEqual(a.adamM(), b.adamM(), net + " Adam m");
        assertBitsEqual(a.adamV(), b.adamV(), net + " Adam v");
        assertEquals(a.adamStep(), b.adamStep(), net + " Adam step");
    }

    static void assertBitsEqual(float[] a, float[] b, String what) {
        assertEquals(a.length, b.length, what + " length");
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                fail(what + " differ at " + i + ": " + a[i] + " vs " + b[i]);
            }
        }
    }

    interface Action {
        void run() throws IOException;
    }

    static void assertProblem(Action action, Path file, String problem) {
        BadFileException e = assertThrows(BadFileException.class, action::run);
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), "expected \"" + problem + "\" in: " + e.getMessage());
    }
}
