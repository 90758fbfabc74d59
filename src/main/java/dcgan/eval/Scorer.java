package dcgan.eval;

import dcgan.backend.Tensor;
import dcgan.backend.cpu.CpuBackend;
import dcgan.data.ImageSet;
import dcgan.io.BadFileException;
import dcgan.io.NamedTensor;
import dcgan.io.SafeTensorsFile;
import dcgan.io.SafeTensorsWriter;
import dcgan.model.Layer;
import dcgan.model.Mode;
import dcgan.model.Network;
import dcgan.model.NetworkLayout;
import dcgan.model.NetworkState;
import dcgan.model.ParameterLayout;
import dcgan.random.CounterRng;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32C;

import static dcgan.model.Gradients.NONE;
import static dcgan.model.Gradients.WRITE;
import static dcgan.model.Layer.batchNorm;
import static dcgan.model.Layer.conv;
import static dcgan.model.Layer.linear;
import static dcgan.model.Layer.relu;

/**
 * The digit scorer that quality is measured with (docs/quality.md): a small convolutional classifier,
 * trained by this project on the labelled images of the data directory with part of them held out, and
 * the statistics of its features on those held-out real digits. It runs on the CPU backend, whatever
 * device trains the GAN, so that its numbers are comparable between machines.
 *
 * <pre>
 *   S.c1   conv 4x4/2, 1 -> 32       28x28 -> 14x14   ReLU
 *   S.c2   conv 4x4/2, 32 -> 64      14x14 -> 7x7     S.bn2, ReLU
 *   S.l3   linear 3136 -> 128                         ReLU: the 128 features of the Frechet distance
 *   S.l4   linear 128 -> 10                           class logits
 * </pre>
 *
 * <p>Trained once per data set (deterministically, from {@link #SEED}) and cached as a safetensors file named
 * after the data's fingerprint; a cache of other data is never used.
 */
public final class Scorer implements AutoCloseable {

    public static final int FEATURES = 128;
    /** Values per image: the scorer reads 28x28 grey images. */
    private static final int IMAGE = 28 * 28;
    public static final int CLASSES = 10;
    static final long SEED = 1;
    static final int EPOCHS = 10;
    /** Training images are moved by up to this many pixels each way. */
    static final int MAX_SHIFT = 2;
    static final int TRAIN_BATCH = 64;
    static final float LEARNING_RATE = 1e-3f;
    private static final int INFERENCE_BATCH = 500;
    /** Held out of training for the accuracy and the real digits' statistics: a fifth, at most 10,000. */
    static final int MAX_HELD_OUT = 10_000;

    static final String FORMAT = "dcgan-java.scorer";
    static final String FORMAT_VERSION = "1";
    /** The architecture and training recipe above; a change to either needs another id. */
    static final String MODEL = "digit-classifier-1";

    static final List<Layer> FEATURE_LAYERS = List.of(
            conv("S.c1", 1, 32, 28), batchNorm("S.bn1", 32, 14 * 14), relu(),
            conv("S.c2", 32, 64, 14), batchNorm("S.bn2", 64, 7 * 7), relu(),
            linear("S.l3", 64 * 7 * 7, FEATURES), batchNorm("S.bn3", FEATURES), relu());
    static final List<Layer> HEAD_LAYERS = List.of(linear("S.l4", FEATURES, CLASSES));

    private final CpuBackend cpu;
    private final NetworkState state;
    private final Path file;
    private final double accuracy;
    private final int heldOutCount;
    private final FrechetDistance.Statistics reference;

    private Scorer(CpuBackend cpu, NetworkState state, Path file, double accuracy, int heldOutCount,
                   FrechetDistance.Statistics reference) {
        this.cpu = cpu;
        this.state = state;
        this.file = file;
        this.accuracy = accuracy;
        this.heldOutCount = heldOutCount;
        this.reference = reference;
    }

    static NetworkLayout layout() {
        List<Layer> all = new ArrayList<>(FEATURE_LAYERS);
        all.addAll(HEAD_LAYERS);
        return NetworkLayout.of(all);
    }

    /**
     * The scorer for this labelled data: read from {@code cacheDir} when a scorer of exactly this data is
     * cached there, else trained (a few seconds to a minute on a CPU) and cached.
     *
     * @throws BadFileException if the cached file is damaged (it is named, to be deleted)
     */
    public static Scorer forData(ImageSet labelled, Path cacheDir, CpuBackend cpu, PrintStream out) throws IOException {
        String fingerprint = fingerprint(labelled);
        Path file = cacheDir.resolve("scorer-" + fingerprint + ".safetensors");
        Split split = Split.of(labelled);
        NetworkState state = new NetworkState(cpu, layout(), CounterRng.STREAM_INIT_BASE);
        try {
            double accuracy;
            if (Files.exists(file) && matches(file, fingerprint, labelled.count())) {
                accuracy = read(file, cpu, state);
                out.printf(Locale.ROOT, "scorer: %s (held-out accuracy %.2f%%)%n", file, 100 * accuracy);
            } else {
                out.printf(Locale.ROOT, "scorer: training a digit classifier on %d of the %d labelled images "
                        + "(%d held out), once for this data; it is cached in %s%n", split.train().length,
                        labelled.count(), split.heldOut().length, cacheDir);
                long start = System.nanoTime();
                state.initialise(new CounterRng(SEED));
                train(cpu, state, labelled, split.train(), out);
                accuracy = accuracy(cpu, state, labelled, split.heldOut());
                String cached;
                try {
                    write(file, cpu, state, fingerprint, labelled.count(), split.heldOut().length, accuracy);
                    cached = "cached as " + file;
                } catch (IOException e) {
                    // Measuring goes on; only the next run pays the training again.
                    cached = "not cached (" + e.getMessage() + "); it will be trained again next time";
                }
                out.printf(Locale.ROOT, "scorer: held-out accuracy %.2f%% after %.0f s; %s%n", 100 * accuracy,
                        (System.nanoTime() - start) / 1e9, cached);
            }
            float[] heldOutImages = images(labelled, split.heldOut());
            Scorer s = new Scorer(cpu, state, file, accuracy, split.heldOut().length, null);
            FrechetDistance.Statistics reference = FrechetDistance.Statistics.of(
                    s.features(heldOutImages, split.heldOut().length), split.heldOut().length, FEATURES);
            return new Scorer(cpu, state, file, accuracy, split.heldOut().length, reference);
        } catch (IOException | RuntimeException e) {
            state.close();
            throw e;
        }
    }

    /** Where scorers are cached when nothing else is said: {@code $XDG_CACHE_HOME/dcgan-java}, or {@code ~/.cache}'s. */
    public static Path defaultCacheDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("dcgan-java");
    }

    /** The images held out of training, in their fixed order, to compare samples with. */
    public static float[] heldOutImages(ImageSet labelled) {
        return images(labelled, Split.of(labelled).heldOut());
    }

    /** Which images train the classifier and which are held out: a fixed shuffle of the data's order. */
    record Split(int[] train, int[] heldOut) {
        static Split of(ImageSet labelled) {
            int n = labelled.count();
            int held = Math.min(MAX_HELD_OUT, n / 5);
            if (held < 2 || n - held < TRAIN_BATCH) {
                throw new IllegalArgumentException("the scorer needs at least " + 5 * TRAIN_BATCH / 4
                        + " labelled images, got " + n);
            }
            int[] order = new CounterRng(SEED).permutation(n, CounterRng.STREAM_SCORER);
            return new Split(java.util.Arrays.copyOfRange(order, 0, n - held), java.util.Arrays.copyOfRange(order, n - held, n));
        }
    }

    /** CRC-32C of the images and labels in the data's own order, with the count: which data a cache is of. */
    static String fingerprint(ImageSet labelled) {
        CRC32C crc = new CRC32C();
        float[] one = new float[IMAGE];
        byte[] bytes = new byte[IMAGE];
        for (int i = 0; i < labelled.count(); i++) {
            labelled.copyImage(i, one, 0);
            for (int p = 0; p < bytes.length; p++) {
                bytes[p] = (byte) Math.round(one[p] * 255);
            }
            crc.update(bytes);
        }
        for (int label : labelled.labels()) {
            crc.update(label);
        }
        return String.format(Locale.ROOT, "%08x", crc.getValue());
    }

    private static float[] images(ImageSet data, int[] which) {
        float[] out = new float[which.length * IMAGE];
        for (int i = 0; i < which.length; i++) {
            data.copyImage(which[i], out, i * IMAGE);
        }
        return out;
    }

    /** {@link #EPOCHS} passes of Adam over the training images, each pass in a fresh fixed order. */
    private static void train(CpuBackend cpu, NetworkState state, ImageSet data, int[] trainIndices, PrintStream out) {
        int[] labels = data.labels();
        int b = TRAIN_BATCH;
        int steps = trainIndices.length / b;
        try (Network features = Network.of(cpu, state, FEATURE_LAYERS, b);
             Network head = Network.of(cpu, state, HEAD_LAYERS, b);
             Tensor x = cpu.allocate(b, 1, 28, 28);
             Tensor dLogits = cpu.allocate(b, CLASSES);
             Tensor dFeatures = cpu.allocate(b, FEATURES)) {
            float[] batch = new float[b * IMAGE];
            float[] image = new float[IMAGE];
            float[] shift = new float[2];
            CounterRng rng = new CounterRng(SEED);
            long t = 0;
            for (int epoch = 1; epoch <= EPOCHS; epoch++) {
                int[] order = new CounterRng(SEED + epoch).permutation(trainIndices.length, CounterRng.STREAM_SCORER);
                double lossSum = 0;
                for (int s = 0; s < steps; s++) {
                    int[] y = new int[b];
                    for (int i = 0; i < b; i++) {
                        int index = trainIndices[order[s * b + i]];
                        data.copyImage(index, image, 0);
                        // Each image moved by up to 2 pixels each way, afresh every epoch: the network learns the
                        // digits rather than the training images.
                        rng.fillUniform(shift, 0, 2, 0f, 5f, CounterRng.STREAM_SCORER, (long) epoch << 32 | s * b + i);
                        shifted(image, (int) shift[0] - MAX_SHIFT, (int) shift[1] - MAX_SHIFT, batch, i * IMAGE);
                        y[i] = labels[index];
                    }
                    cpu.upload(batch, 0, x);
                    Tensor logits = head.forward(features.forward(x, Mode.TRAINING), Mode.TRAINING);
                    float[] grad = new float[b * CLASSES];
                    lossSum += SoftmaxCrossEntropy.lossAndGradient(cpu.download(logits), y, grad);
                    cpu.upload(grad, 0, dLogits);
                    head.backward(dLogits, dFeatures, WRITE);
                    features.backward(dFeatures, null, WRITE);
                    t++;
                    float stepSize = (float) (learningRate(epoch) * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t)));
                    cpu.adam(state.params(), state.grads(), state.adamM(), state.adamV(), stepSize, 0.9f, 0.999f, 1e-8f);
                }
                out.printf(Locale.ROOT, "scorer: epoch %d/%d, mean training loss %.4f%n", epoch, EPOCHS, lossSum / steps);
            }
        }
    }

    /** The learning rate of an epoch: {@link #LEARNING_RATE}, cut to a third for each of the last two epochs. */
    static double learningRate(int epoch) {
        return LEARNING_RATE * Math.pow(0.3, Math.max(0, epoch - (EPOCHS - 2)));
    }

    /** {@code src} (28x28) moved by (dx, dy) into {@code dst[at ...]}, with black where nothing moves in. */
    static void shifted(float[] src, int dx, int dy, float[] dst, int at) {
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                int sx = x - dx;
                int sy = y - dy;
                dst[at + y * 28 + x] = sx >= 0 && sx < 28 && sy >= 0 && sy < 28 ? src[sy * 28 + sx] : 0f;
            }
        }
    }

    private static double accuracy(CpuBackend cpu, NetworkState state, ImageSet data, int[] indices) {
        int[] labels = data.labels();
        float[] probabilities = classify(cpu, state, images(data, indices), indices.length);
        int right = 0;
        for (int i = 0; i < indices.length; i++) {
            if (argmax(probabilities, i * CLASSES, CLASSES) == labels[indices[i]]) {
                right++;
            }
        }
        return right / (double) indices.length;
    }

    static int argmax(float[] v, int from, int n) {
        int best = 0;
        for (int k = 1; k < n; k++) {
            if (v[from + k] > v[from + best]) {
                best = k;
            }
        }
        return best;
    }

    /** The 128 features of each image (inference mode), image i's at {@code i * 128}. */
    public float[] features(float[] images, int count) {
        float[] out = new float[count * FEATURES];
        infer(cpu, state, images, count, true, out);
        return out;
    }

    /** Each image's class probabilities (softmax of the logits), image i's at {@code i * 10}. */
    public float[] probabilities(float[] images, int count) {
        return classify(cpu, state, images, count);
    }

    private static float[] classify(CpuBackend cpu, NetworkState state, float[] images, int count) {
        float[] out = new float[count * CLASSES];
        infer(cpu, state, images, count, false, out);
        for (int i = 0; i < count; i++) {
            SoftmaxCrossEntropy.softmaxInPlace(out, i * CLASSES, CLASSES);
        }
        return out;
    }

    /** Runs the classifier in inference mode over batches, keeping the features or the logits. */
    private static void infer(CpuBackend cpu, NetworkState state, float[] images, int count, boolean features, float[] out) {
        int width = features ? FEATURES : CLASSES;
        for (int first = 0; first < count; first += INFERENCE_BATCH) {
            int n = Math.min(INFERENCE_BATCH, count - first);
            try (Network f = Network.of(cpu, state, FEATURE_LAYERS, n);
                 Network head = Network.of(cpu, state, HEAD_LAYERS, n);
                 Tensor x = cpu.allocate(n, 1, 28, 28)) {
                cpu.upload(images, first * IMAGE, x);
                Tensor h = f.forward(x, Mode.INFERENCE);
                Tensor y = features ? h : head.forward(h, Mode.INFERENCE);
                cpu.download(y, out, first * width);
            }
        }
    }

    /** Scores {@code count} images (28x28 in [0, 1] each) against the held-out real digits. */
    public Quality score(float[] images, int count) {
        FrechetDistance.Statistics samples = FrechetDistance.Statistics.of(features(images, count), count, FEATURES);
        return Quality.of(FrechetDistance.between(samples, reference), probabilities(images, count), count, accuracy,
                heldOutCount);
    }

    /** The classifier's accuracy on the held-out images. */
    public double accuracy() {
        return accuracy;
    }

    /** How many held-out real digits the samples are compared with. */
    public int heldOutCount() {
        return heldOutCount;
    }

    /** The cache file this scorer was read from or written to. */
    public Path file() {
        return file;
    }

    // ---- the cache file ----

    static boolean matches(Path file, String fingerprint, int images) throws IOException {
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            Map<String, String> m = f.metadata();
            if (!FORMAT.equals(m.get("format"))) {
                throw new BadFileException(file, "is not a scorer cache (no \"format\": \"" + FORMAT + "\"); delete it");
            }
            return FORMAT_VERSION.equals(m.get("format_version")) && MODEL.equals(m.get("model"))
                   && fingerprint.equals(m.get("data_crc32c")) && Integer.toString(images).equals(m.get("data_images"))
                   && Long.toString(SEED).equals(m.get("seed"));
        } catch (BadFileException e) {
            throw damaged(file, e);
        }
    }

    /** Reads the classifier's tensors (checked against their CRC-32C) and returns the recorded accuracy. */
    private static double read(Path file, CpuBackend cpu, NetworkState state) throws IOException {
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            Map<String, String> m = f.metadata();
            if (!f.checksummed()) {
                throw new BadFileException(file, "has no tensor checksums");
            }
            NetworkLayout layout = layout();
            cpu.upload(readFlat(f, m, layout.params()), 0, state.params());
            cpu.upload(readFlat(f, m, layout.buffers()), 0, state.buffers());
            double accuracy = Double.parseDouble(m.getOrDefault("accuracy", "NaN"));
            if (!(accuracy >= 0 && accuracy <= 1)) {
                throw new BadFileException(file, "metadata accuracy is \"" + m.get("accuracy") + "\", not in [0, 1]");
            }
            return accuracy;
        } catch (BadFileException | NumberFormatException e) {
            throw damaged(file, e);
        }
    }

    private static float[] readFlat(SafeTensorsFile f, Map<String, String> meta, ParameterLayout layout)
            throws IOException {
        float[] flat = new float[layout.size()];
        for (ParameterLayout.Entry e : layout.entries()) {
            f.floatsInto(e.name(), e.shape(), flat, e.offset()); // checked against its CRC-32C
            for (int i = 0; i < e.size(); i++) {
                if (!Float.isFinite(flat[e.offset() + i])) {
                    throw new BadFileException(f.file(), "tensor " + e.name() + " holds " + flat[e.offset() + i]);
                }
            }
        }
        return flat;
    }

    private static BadFileException damaged(Path file, Exception e) {
        String why = e instanceof BadFileException b ? b.problem() : e.getMessage();
        return new BadFileException(file, "the cached scorer is damaged (" + why + "); delete it, and it will be "
                + "trained again");
    }

    private static void write(Path file, CpuBackend cpu, NetworkState state, String fingerprint, int images,
                              int heldOut, double accuracy) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("format_version", FORMAT_VERSION);
        m.put("model", MODEL);
        m.put("data_crc32c", fingerprint);
        m.put("data_images", Integer.toString(images));
        m.put("held_out", Integer.toString(heldOut));
        m.put("seed", Long.toString(SEED));
        m.put("epochs", Integer.toString(EPOCHS));
        m.put("accuracy", Double.toString(accuracy));
        NetworkLayout layout = layout();
        List<NamedTensor> tensors = new ArrayList<>();
        add(tensors, layout.params(), cpu.download(state.params()));
        add(tensors, layout.buffers(), cpu.download(state.buffers()));
        Files.createDirectories(file.toAbsolutePath().getParent());
        SafeTensorsWriter.write(file, tensors, m);
    }

    private static void add(List<NamedTensor> out, ParameterLayout layout, float[] flat) {
        for (ParameterLayout.Entry e : layout.entries()) {
            out.add(new NamedTensor(e.name(), e.shape(), flat, e.offset()));
        }
    }

    @Override
    public void close() {
        state.close();
    }
}
