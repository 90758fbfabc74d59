package dcgan.train;

import dcgan.data.Background;
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

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Stores a {@link Checkpoint} as one safetensors file that PyTorch users can open with
 * {@code safetensors.torch.load_file}:
 * <ul>
 *   <li>the model under the PyTorch names of its layers ({@link Discriminator#layout}, {@link Generator#layout}),
 *       e.g. {@code D.c1.weight [64, 1, 4, 4]} or {@code G.main.0.weight [100, 512, 4, 4]}, with, for PyTorch's
 *       example's model, each batch norm's {@code num_batches_tracked} (int64) so that its {@code Generator}
 *       and {@code Discriminator} load them with {@code strict=True};</li>
 *   <li>Adam's moments as {@code optim.NAME.exp_avg} (m) and {@code optim.NAME.exp_avg_sq} (v) for every
 *       parameter NAME, PyTorch's names for them;</li>
 *   <li>everything else as strings in {@code __metadata__}: the format and model identifiers, the
 *       hyperparameters, seeds, position and data identity (see {@link #write}).</li>
 * </ul>
 * Reading checks all of it and reports the first problem with the file and, where there is one, the
 * tensor or metadata key.
 */
public final class CheckpointFile {

    public static final String FILE_NAME = "checkpoint.safetensors";
    public static final String FORMAT = "dcgan-java.checkpoint";
    public static final String FORMAT_VERSION = "1";
    /** What files written before the models had families name the notebook's 28x28 grey model. */
    static final String LEGACY_MODEL = "dcgan-mnist-28x28";
    /** How the images were brought to the model's size: the one way {@code dcgan.data} knows (docs/commands.md). */
    static final String PREPROCESSING = "shorter side scaled to the image size (antialiased), centre crop";
    /** The counter PyTorch's batch norm keeps beside its moving averages (an int64 scalar). */
    static final String BATCHES_TRACKED = ".num_batches_tracked";
    private static final String RUNNING_VAR = ".running_var";

    /** The metadata key and value that mark a file of {@link #writeGenerator}: a generator alone. */
    private static final String CONTENTS = "contents";
    private static final String GENERATOR_ONLY = "generator";
    private static final String OPTIM = "optim.";
    private static final String EXP_AVG = ".exp_avg";
    private static final String EXP_AVG_SQ = ".exp_avg_sq";

    private CheckpointFile() {
    }

    /** A checkpoint file, or the {@value #FILE_NAME} in a directory. */
    public static Path locate(Path fileOrDir) {
        return Files.isDirectory(fileOrDir) ? fileOrDir.resolve(FILE_NAME) : fileOrDir;
    }

    /** The name of Adam's first (m) or second (v) moment of parameter {@code name}. */
    public static String adamName(String name, boolean second) {
        return OPTIM + name + (second ? EXP_AVG_SQ : EXP_AVG);
    }

    /** Atomically replaces {@code file}: a crash or a full disk leaves the previous checkpoint intact. */
    public static void write(Path file, Checkpoint c) throws IOException {
        RunSettings s = c.settings();
        Hyperparameters hp = s.hp();
        TrainerState st = c.state();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("format_version", FORMAT_VERSION);
        putModel(m, s.model());
        m.put("preprocessing", PREPROCESSING);
        m.put("background", s.background().toString());
        m.put("batch_size", Integer.toString(hp.batchSize()));
        // Float.toString gives the shortest decimal that parses back to the same float, in Java and Python.
        m.put("lr", Float.toString(hp.lr()));
        m.put("g_lr_scale", Float.toString(hp.gLrScale()));
        m.put("beta1", Float.toString(hp.beta1()));
        m.put("beta2", Float.toString(hp.beta2()));
        m.put("epsilon", Float.toString(hp.epsilon()));
        m.put("seed", Long.toString(s.seed()));
        m.put("shuffle_seed", Long.toString(s.shuffleSeed()));
        m.put("global_step", Long.toString(st.step()));
        m.put("epoch", Integer.toString(c.epoch()));
        m.put("step_in_epoch", Long.toString(c.stepInEpoch()));
        m.put("steps_per_epoch", Long.toString(c.stepsPerEpoch()));
        m.put("optim.D.step", Long.toString(st.discriminator().adamStep()));
        m.put("optim.G.step", Long.toString(st.generator().adamStep()));
        m.put("epochs", Integer.toString(s.epochs()));
        m.put("max_steps", Long.toString(s.maxSteps()));
        m.put("sample_count", Integer.toString(s.sampleCount()));
        m.put("keep_every", Integer.toString(s.keepEvery()));
        m.put("data_dir", s.dataDir().toAbsolutePath().normalize().toString());
        m.put("eval_every", Integer.toString(s.evalEvery()));
        if (s.scorerCache() != null) {
            m.put("scorer_cache", s.scorerCache().toAbsolutePath().normalize().toString());
        }
        m.put("data_images", Integer.toString(c.dataImages()));
        m.put("data_crc32c", c.dataFingerprint());
        m.put("saved_at", Instant.now().toString());

        List<NamedTensor> tensors = new ArrayList<>();
        ModelSpec model = s.model();
        NetworkLayout d = Discriminator.layout(model);
        NetworkLayout g = Generator.layout(model);
        addModel(tensors, d, st.discriminator(), batchesTracked(model, true, st.step()));
        addModel(tensors, g, st.generator(), batchesTracked(model, false, st.step()));
        addAdam(tensors, d.params(), st.discriminator());
        addAdam(tensors, g.params(), st.generator());
        SafeTensorsWriter.write(file, tensors, m);
    }

    /**
     * Writes a generator alone, with what {@link #readGenerator} needs (so that {@code generate} and
     * {@code evaluate} take it): the best epoch's generator of a run, with its epoch and FD in the metadata.
     */
    public static void writeGenerator(Path file, RunSettings settings, long step, int epoch, NetworkSnapshot g,
                                      double fd) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("format_version", FORMAT_VERSION);
        putModel(m, settings.model());
        m.put("background", settings.background().toString());
        m.put(CONTENTS, GENERATOR_ONLY);
        m.put("seed", Long.toString(settings.seed()));
        m.put("global_step", Long.toString(step));
        m.put("epoch", Integer.toString(epoch));
        m.put("fd", Double.toString(fd));
        m.put("data_dir", settings.dataDir().toAbsolutePath().normalize().toString());
        m.put("saved_at", Instant.now().toString());
        List<NamedTensor> tensors = new ArrayList<>();
        addModel(tensors, Generator.layout(settings.model()), g, batchesTracked(settings.model(), false, step));
        SafeTensorsWriter.write(file, tensors, m);
    }

    /** The FD recorded in a generator file of {@link #writeGenerator}, if it can be read. */
    public static java.util.OptionalDouble peekFd(Path file) {
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            return java.util.OptionalDouble.of(Double.parseDouble(identify(f, null).string("fd")));
        } catch (IOException | NumberFormatException e) {
            return java.util.OptionalDouble.empty();
        }
    }

    /** The model's keys: its family, image shape, noise dimension and widths. */
    private static void putModel(Map<String, String> m, ModelSpec model) {
        m.put("model", model.family().id());
        m.put("image_size", Integer.toString(model.imageSize()));
        m.put("channels", Integer.toString(model.channels()));
        m.put("z_dim", Integer.toString(model.zDim()));
        if (model.family() == ModelSpec.Family.DCGAN) {
            m.put("ngf", Integer.toString(model.ngf()));
            m.put("ndf", Integer.toString(model.ndf()));
        }
    }

    /**
     * PyTorch's {@code num_batches_tracked} of each batch norm after {@code step} steps: the training-mode passes
     * (D three per step, G one, as in PyTorch's example); -1 for the notebook's model, which stores none.
     */
    private static long batchesTracked(ModelSpec model, boolean discriminator, long step) {
        if (model.family() != ModelSpec.Family.DCGAN) {
            return -1;
        }
        return (discriminator ? 3 : model.reusesGeneratedImages() ? 1 : 2) * step;
    }

    /** A network's parameters and buffers, and its batch norms' {@code num_batches_tracked} unless that is -1. */
    private static void addModel(List<NamedTensor> out, NetworkLayout layout, NetworkSnapshot s, long batchesTracked) {
        for (ParameterLayout.Entry e : layout.params().entries()) {
            out.add(new NamedTensor(e.name(), e.shape(), s.params(), e.offset()));
        }
        for (ParameterLayout.Entry e : layout.buffers().entries()) {
            out.add(new NamedTensor(e.name(), e.shape(), s.buffers(), e.offset()));
            if (batchesTracked >= 0 && e.name().endsWith(RUNNING_VAR)) {
                out.add(NamedTensor.int64(batchNormOf(e.name()) + BATCHES_TRACKED, new int[0],
                        new long[] {batchesTracked}));
            }
        }
    }

    /** "G.main.1" of "G.main.1.running_var". */
    static String batchNormOf(String runningVar) {
        return runningVar.substring(0, runningVar.length() - RUNNING_VAR.length());
    }

    /** The int64 counters a model's layout has beside its batch norms (none for the notebook's model). */
    static Set<String> batchesTrackedNames(ModelSpec model, NetworkLayout layout) {
        Set<String> names = new LinkedHashSet<>();
        if (model.family() == ModelSpec.Family.DCGAN) {
            for (ParameterLayout.Entry e : layout.buffers().entries()) {
                if (e.name().endsWith(RUNNING_VAR)) {
                    names.add(batchNormOf(e.name()) + BATCHES_TRACKED);
                }
            }
        }
        return names;
    }

    private static void addAdam(List<NamedTensor> out, ParameterLayout params, NetworkSnapshot s) {
        for (ParameterLayout.Entry e : params.entries()) {
            out.add(new NamedTensor(adamName(e.name(), false), e.shape(), s.adamM(), e.offset()));
            out.add(new NamedTensor(adamName(e.name(), true), e.shape(), s.adamV(), e.offset()));
        }
    }

    /** Reads and validates a whole checkpoint, for resuming; a warning, if any, goes to standard error. */
    public static Checkpoint read(Path file) throws IOException {
        return read(file, System.err);
    }

    /**
     * Reads and validates a whole checkpoint, for resuming. A file written before checkpoints carried
     * checksums is read, its values checked, with a warning on {@code warnings} that its data cannot be
     * verified.
     */
    public static Checkpoint read(Path file, PrintStream warnings) throws IOException {
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            Meta meta = identify(f, warnings);
            if (GENERATOR_ONLY.equals(f.metadata().get(CONTENTS))) {
                throw new BadFileException(file, "holds a generator alone (the best epoch's, for generate and "
                        + "evaluate), not a training state to resume: use it with generate or evaluate, or resume from "
                        + "the " + FILE_NAME + " beside it");
            }
            ModelSpec model = model(meta);
            Hyperparameters hp;
            try {
                hp = new Hyperparameters(meta.positiveInt("batch_size"), meta.floatValue("lr"),
                        meta.floatValue("beta1"), meta.floatValue("beta2"), meta.floatValue("epsilon"),
                        meta.floatValue("g_lr_scale"));
            } catch (IllegalArgumentException e) {
                throw new BadFileException(file, "metadata: " + e.getMessage());
            }
            // Where the file is, the run's output goes; saving and stepping as by default (not recorded).
            Path dir = file.toAbsolutePath().getParent();
            // A file without these two keys measures quality as by default.
            Map<String, String> m = f.metadata();
            int evalEvery = m.containsKey("eval_every")
                    ? (int) Math.min(Integer.MAX_VALUE, meta.nonNegativeLong("eval_every")) : RunSettings.DEFAULT_EVAL_EVERY;
            Path scorerCache;
            try {
                scorerCache = m.containsKey("scorer_cache") ? Path.of(m.get("scorer_cache")) : Scorer.defaultCacheDir();
            } catch (InvalidPathException e) {
                throw new BadFileException(file, "metadata scorer_cache is not a path: " + e.getMessage());
            }
            RunSettings settings;
            try {
                settings = new RunSettings(hp, model, background(meta), meta.longValue("seed"), meta.longValue("shuffle_seed"),
                        meta.positiveInt("sample_count"), Path.of(meta.string("data_dir")), dir,
                        meta.positiveInt("epochs"), meta.nonNegativeLong("max_steps"),
                        (int) Math.min(Integer.MAX_VALUE, meta.nonNegativeLong("keep_every")), 1, false, evalEvery,
                        scorerCache, StepExecution.DEFAULT);
            } catch (InvalidPathException e) {
                throw new BadFileException(file, "metadata data_dir is not a path: " + e.getMessage());
            } catch (IllegalArgumentException e) {
                throw new BadFileException(file, "metadata: " + e.getMessage());
            }
            long step = meta.nonNegativeLong("global_step");
            NetworkLayout d = Discriminator.layout(model);
            NetworkLayout g = Generator.layout(model);
            checkTensorNames(f, model, d, g, true);
            NetworkSnapshot dSnap = readNetwork(f, d, meta.nonNegativeLong("optim.D.step"));
            NetworkSnapshot gSnap = readNetwork(f, g, meta.nonNegativeLong("optim.G.step"));
            Checkpoint c = new Checkpoint(settings, meta.positiveInt("data_images"), meta.string("data_crc32c"),
                    new TrainerState(step, dSnap, gSnap));
            checkPosition(file, meta, c);
            return c;
        }
    }

    /**
     * The step of the checkpoint in {@code file} from its header alone, or empty if the file cannot be read
     * as a checkpoint: enough to tell whether an existing file is the one a run resumes from.
     */
    public static OptionalLong peekStep(Path file) {
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            return OptionalLong.of(identify(f, null).nonNegativeLong("global_step"));
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /** The data directory a checkpoint's run trained on, from its header alone. */
    public static Path dataDir(Path file) throws IOException {
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            String dir = identify(f, null).string("data_dir");
            try {
                return Path.of(dir);
            } catch (InvalidPathException e) {
                throw new BadFileException(file, "metadata data_dir is not a path: " + e.getMessage());
            }
        }
    }

    /** {@link #readGenerator(Path, PrintStream)} with warnings to standard error. */
    public static GeneratorWeights readGenerator(Path file) throws IOException {
        return readGenerator(file, System.err);
    }

    /**
     * Reads only what sampling needs (G's parameters and moving averages), after the same checks of the file;
     * or, from a file without this project's metadata, the generator of PyTorch's example as its
     * {@code state_dict} names it ({@code main.0.weight}, ..., or the same under {@code G.}), its model read off
     * the tensors' shapes ({@link PyTorchGenerator}).
     */
    public static GeneratorWeights readGenerator(Path file, PrintStream warnings) throws IOException {
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            if (!f.metadata().containsKey("format") && PyTorchGenerator.looksLikeOne(f)) {
                return PyTorchGenerator.read(f);
            }
            Meta meta = identify(f, warnings);
            ModelSpec model = model(meta);
            NetworkLayout g = Generator.layout(model);
            checkTensorNames(f, model, Discriminator.layout(model), g, false);
            return new GeneratorWeights(model, meta.nonNegativeLong("global_step"),
                    readFlat(f, g.params(), name -> name), readFlat(f, g.buffers(), name -> name));
        }
    }

    /** The background transparent images were composited onto: white in a file from before it was recorded. */
    private static Background background(Meta meta) throws BadFileException {
        String text = meta.map().getOrDefault("background", Background.WHITE.toString());
        try {
            return Background.parse(text);
        } catch (IllegalArgumentException e) {
            throw new BadFileException(meta.file(), "metadata background is \"" + text + "\": " + e.getMessage());
        }
    }

    /** The background of a checkpoint's run (white for a generator file, which does not record one). */
    public static Background background(Path file) throws IOException {
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            return f.metadata().containsKey("format") ? background(new Meta(file, f.metadata())) : Background.WHITE;
        }
    }

    /**
     * The model a file's metadata names: its family, image size, channels, noise dimension and widths. A file
     * written before models had families holds the notebook's 28x28 grey model.
     */
    private static ModelSpec model(Meta meta) throws BadFileException {
        int zDim = meta.positiveInt("z_dim");
        if (meta.string("model").equals(LEGACY_MODEL)) {
            return ModelSpec.notebook(1, zDim);
        }
        try {
            ModelSpec.Family family = ModelSpec.Family.ofId(meta.string("model"));
            int size = meta.positiveInt("image_size");
            int channels = meta.positiveInt("channels");
            return family == ModelSpec.Family.NOTEBOOK
                    ? new ModelSpec(family, size, channels, zDim, 0, 0)
                    : ModelSpec.dcgan(size, channels, zDim, meta.positiveInt("ngf"), meta.positiveInt("ndf"));
        } catch (IllegalArgumentException e) {
            throw new BadFileException(meta.file(), "metadata: " + e.getMessage());
        }
    }

    /**
     * Checks that the file is a checkpoint of this model in a format version this program reads; warns (when
     * {@code warnings} is not null) if it has no tensor checksums.
     */
    private static Meta identify(SafeTensorsFile f, PrintStream warnings) throws BadFileException {
        Path file = f.file();
        Map<String, String> m = f.metadata();
        if (!FORMAT.equals(m.get("format"))) {
            throw new BadFileException(file, "not a dcgan-java checkpoint: its __metadata__ has "
                    + (m.containsKey("format") ? "format \"" + m.get("format") + "\"" : "no format entry")
                    + ", expected \"" + FORMAT + "\"");
        }
        if (!FORMAT_VERSION.equals(m.get("format_version"))) {
            throw new BadFileException(file, "checkpoint format version \"" + m.get("format_version")
                    + "\"; this program reads version " + FORMAT_VERSION);
        }
        String model = m.get("model");
        if (!LEGACY_MODEL.equals(model) && !"notebook".equals(model) && !"dcgan".equals(model)) {
            throw new BadFileException(file, "a checkpoint of model \"" + model + "\", not of this program's models "
                    + "(notebook, dcgan)");
        }
        Meta meta = new Meta(file, m);
        if (warnings != null && !f.checksummed()) {
            warnings.println("warning: " + file + " has no tensor checksums (written by an earlier version): its "
                             + "values are checked for NaN, infinity and negative variances, but damage that "
                             + "leaves them plausible cannot be detected");
        }
        return meta;
    }

    /**
     * Every expected tensor present, nothing else; with {@code all} false only G's model tensors are needed. The
     * batch norms' step counters, where the model has them, must be present and not negative.
     */
    private static void checkTensorNames(SafeTensorsFile f, ModelSpec model, NetworkLayout d, NetworkLayout g,
                                         boolean all) throws IOException {
        Set<String> expected = new LinkedHashSet<>();
        addNames(expected, g);
        addNames(expected, d);
        Set<String> counters = new LinkedHashSet<>(batchesTrackedNames(model, g));
        if (all) {
            counters.addAll(batchesTrackedNames(model, d));
        }
        expected.addAll(batchesTrackedNames(model, g));
        expected.addAll(batchesTrackedNames(model, d));
        for (NetworkLayout n : List.of(d, g)) {
            for (ParameterLayout.Entry e : n.params().entries()) {
                expected.add(adamName(e.name(), false));
                expected.add(adamName(e.name(), true));
            }
        }
        Set<String> needed = all ? expected : names(g);
        needed.addAll(counters);
        for (String name : needed) {
            if (!f.contains(name)) {
                throw new BadFileException(f.file(), "missing tensor " + name);
            }
        }
        for (SafeTensorsFile.Entry e : f.entries()) {
            if (!expected.contains(e.name())) {
                throw new BadFileException(f.file(), "unexpected tensor " + e.name() + " (not part of "
                        + model.describe() + ")");
            }
        }
        for (String counter : counters) {
            long[] v = f.longs(counter); // a scalar, checked against its CRC-32C
            if (v[0] < 0) {
                throw new BadFileException(f.file(), "tensor " + counter + " holds " + v[0] + ": a count cannot be "
                        + "negative (damaged)");
            }
        }
    }

    private static Set<String> names(NetworkLayout n) {
        Set<String> s = new LinkedHashSet<>();
        addNames(s, n);
        return s;
    }

    private static void addNames(Set<String> out, NetworkLayout n) {
        n.params().entries().forEach(e -> out.add(e.name()));
        n.buffers().entries().forEach(e -> out.add(e.name()));
    }

    private static NetworkSnapshot readNetwork(SafeTensorsFile f, NetworkLayout layout, long adamStep)
            throws IOException {
        return new NetworkSnapshot(readFlat(f, layout.params(), name -> name),
                readFlat(f, layout.buffers(), name -> name),
                readFlat(f, layout.params(), name -> adamName(name, false)),
                readFlat(f, layout.params(), name -> adamName(name, true)), adamStep);
    }

    /**
     * The flat buffer of a layout, each tensor read from the file under {@code fileName.apply(its name)} and
     * checked: its CRC-32C against the metadata's (when the file has them), every value finite, and no
     * variance negative.
     */
    static float[] readFlat(SafeTensorsFile f, ParameterLayout layout,
                                    UnaryOperator<String> fileName) throws IOException {
        float[] flat = new float[layout.size()];
        for (ParameterLayout.Entry e : layout.entries()) {
            String name = fileName.apply(e.name());
            f.floatsInto(name, e.shape(), flat, e.offset()); // checked against its CRC-32C, when the file has them
            checkValues(f.file(), name, flat, e.offset(), e.size());
        }
        return flat;
    }

    /** NaN or infinity, or a negative variance (batch norm's, or Adam's second moment), means damage. */
    private static void checkValues(Path file, String name, float[] v, int from, int n) throws BadFileException {
        boolean variance = name.endsWith(".running_var") || name.endsWith(EXP_AVG_SQ);
        for (int i = 0; i < n; i++) {
            float x = v[from + i];
            if (!Float.isFinite(x)) {
                throw new BadFileException(file, "tensor " + name + " holds " + x + " at index " + i
                        + " (damaged, or saved from a run that had diverged)");
            }
            if (variance && x < 0) {
                throw new BadFileException(file, "tensor " + name + " holds " + x + " at index " + i
                        + ": a variance cannot be negative (damaged)");
            }
        }
    }

    /** The informational position keys must agree with the step; a mismatch means a damaged or edited file. */
    private static void checkPosition(Path file, Meta meta, Checkpoint c) throws BadFileException {
        long step = c.state().step();
        if (c.stepsPerEpoch() < 1) {
            throw new BadFileException(file, "metadata: data_images " + c.dataImages()
                    + " is less than one batch of " + c.settings().hp().batchSize());
        }
        if (meta.nonNegativeLong("steps_per_epoch") != c.stepsPerEpoch()
                || meta.nonNegativeLong("epoch") != c.epoch()
                || meta.nonNegativeLong("step_in_epoch") != c.stepInEpoch()) {
            throw new BadFileException(file, "metadata: epoch " + meta.string("epoch") + ", step_in_epoch "
                    + meta.string("step_in_epoch") + ", steps_per_epoch " + meta.string("steps_per_epoch")
                    + " do not agree with global_step " + step + ", data_images " + c.dataImages()
                    + " and batch_size " + c.settings().hp().batchSize());
        }
        // The trainer advances both optimisers once per step.
        if (c.state().discriminator().adamStep() != step || c.state().generator().adamStep() != step) {
            throw new BadFileException(file, "metadata: optim.D.step " + c.state().discriminator().adamStep()
                    + " and optim.G.step " + c.state().generator().adamStep() + " should both equal global_step "
                    + step);
        }
    }

    /** Typed access to the metadata strings, with errors naming the file and the key. */
    private record Meta(Path file, Map<String, String> map) {

        String string(String key) throws BadFileException {
            String v = map.get(key);
            if (v == null) {
                throw new BadFileException(file, "metadata key " + key + " is missing");
            }
            return v;
        }

        long longValue(String key) throws BadFileException {
            String v = string(key);
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new BadFileException(file, "metadata " + key + " is \"" + v + "\", expected a whole number");
            }
        }

        long nonNegativeLong(String key) throws BadFileException {
            long v = longValue(key);
            if (v < 0) {
                throw new BadFileException(file, "metadata " + key + " is " + v + ", expected 0 or more");
            }
            return v;
        }

        int positiveInt(String key) throws BadFileException {
            long v = longValue(key);
            if (v < 1 || v > Integer.MAX_VALUE) {
                throw new BadFileException(file, "metadata " + key + " is " + v + ", expected a positive int");
            }
            return (int) v;
        }

        float floatValue(String key) throws BadFileException {
            String v = string(key);
            try {
                float f = Float.parseFloat(v);
                if (!Float.isFinite(f)) {
                    throw new NumberFormatException();
                }
                return f;
            } catch (NumberFormatException e) {
                throw new BadFileException(file, "metadata " + key + " is \"" + v + "\", expected a number");
            }
        }
    }
}
