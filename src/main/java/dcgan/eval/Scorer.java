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
 * The scorer that quality is measured with (docs/quality.md): a small convolutional classifier, trained by
 * this project on the labelled images of the data with part of them held out, and the statistics of its
 * features on those held-out real images. It reads images of the data's size (28, 32 or 64) and channels and
 * tells its classes apart (the digits, folder classes, CIFAR-10's). It runs on the CPU backend, whatever device
 * trains the GAN, so that its numbers are comparable between machines. At 28x28, for digits:
 *
 * <pre>
 *   S.c1   conv 4x4/2, C -> 32       28x28 -> 14x14   S.bn1, ReLU
 *   S.c2   conv 4x4/2, 32 -> 64      14x14 -> 7x7     S.bn2, ReLU
 *   S.l3   linear 3136 -> 128                         S.bn3, ReLU: the 128 features of the Frechet distance
 *   S.l4   linear 128 -> K                            class logits
 * </pre>
 * At 32x32 the convolutions end at 8x8 (S.l3 reads 4096 values); at 64x64 a third, S.c3 64 -> 128, takes 16x16
 * to 8x8 (S.l3 reads 8192).
 *
 * <p>Trained once per data set (deterministically, from {@link #SEED}) and cached as a safetensors file named
 * after the data's fingerprint; a cache of other data is never used.
 */
public final class Scorer implements AutoCloseable {

    public static final int FEATURES = 128;
    static final long SEED = 1;
    static final int EPOCHS = 10;
    static final int TRAIN_BATCH = 64;
    static final float LEARNING_RATE = 1e-3f;
    private static final int INFERENCE_BATCH = 500;
    /** Held out of training for the accuracy and the real digits' statistics: a fifth, at most 10,000. */
    static final int MAX_HELD_OUT = 10_000;

    static final String FORMAT = "dcgan-java.scorer";
    static final String FORMAT_VERSION = "1";
    /** The architecture and training recipe above; a change to either needs another id. */
    static final String MODEL = "classifier-1";

    /**
     * What a scorer reads and tells apart: images of {@code channels x size x size}, {@code classes} classes.
     * Its layers follow from these.
     */
    record Shape(int size, int channels, int classes) {

        static Shape of(ImageSet data) {
            return new Shape(data.size(), data.channels(), data.classNames().size());
        }

        int pixels() {
            return channels * size * size;
        }

        /** Training images are moved by up to this many pixels each way: 2 at 28 and 32, 4 at 64. */
        int maxShift() {
            return size / 16;
        }

        List<Layer> featureLayers() {
            List<Layer> layers = new ArrayList<>(List.of(
                    conv("S.c1", channels, 32, size), batchNorm("S.bn1", 32, size * size / 4), relu(),
                    conv("S.c2", 32, 64, size / 2), batchNorm("S.bn2", 64, size * size / 16), relu()));
            int width = 64;
            int side = size / 4;
            if (size == 64) {
                layers.addAll(List.of(conv("S.c3", 64, 128, 16), batchNorm("S.bn3c", 128, 64), relu()));
                width = 128;
                side = 8;
            }
            layers.addAll(List.of(linear("S.l3", width * side * side, FEATURES), batchNorm("S.bn3", FEATURES), relu()));
            return List.copyOf(layers);
        }

        List<Layer> headLayers() {
            return List.of(linear("S.l4", FEATURES, classes));
        }

        NetworkLayout layout() {
            List<Layer> all = new ArrayList<>(featureLayers());
            all.addAll(headLayers());
            return NetworkLayout.of(all);
        }
    }

    private final Shape shape;
    private final CpuBackend cpu;
    private final NetworkState state;
    private final Path file;
    private final double accuracy;
    private final int heldOutCount;
    private final FrechetDistance.Statistics reference;

    private Scorer(Shape shape, CpuBackend cpu, NetworkState state, Path file, double accuracy, int heldOutCount,
                   FrechetDistance.Statistics reference) {
        this.shape = shape;
        this.cpu = cpu;
        this.state = state;
        this.file = file;
        this.accuracy = accuracy;
        this.heldOutCount = heldOutCount;
        this.reference = reference;
    }

    /**
     * The scorer for this labelled data: read from {@code cacheDir} when a scorer of exactly this data is
     * cached there, else trained (a few seconds to a few minutes on a CPU) and cached.
     *
     * @throws IllegalArgumentException if the data cannot train one: no labels, a single class, too few images
     *                                  (the message says which)
     * @throws BadFileException         if the cached file is damaged (it is named, to be deleted)
     */
    public static Scorer forData(ImageSet labelled, Path cacheDir, CpuBackend cpu, PrintStream out) throws IOException {
        if (!labelled.labelled()) {
            throw new IllegalArgumentException("the images have no labels, and the scorer learns to tell their "
                    + "classes apart");
        }
        if (labelled.classNames().size() < 2) {
            throw new IllegalArgumentException("the images are of a single class (" + labelled.classNames().get(0)
                    + "), and the scorer learns to tell classes apart");
        }
        Shape shape = Shape.of(labelled);
        String fingerprint = fingerprint(labelled);
        Path file = cacheDir.resolve("scorer-" + fingerprint + ".safetensors");
        Split split = Split.of(labelled);
        NetworkState state = new NetworkState(cpu, shape.layout(), CounterRng.STREAM_INIT_BASE);
        try {
            double accuracy;
            if (Files.exists(file) && matches(file, fingerprint, labelled.count())) {
                accuracy = read(file, cpu, state, shape);
                out.printf(Locale.ROOT, "scorer: %s (held-out accuracy %.2f%%)%n", file, 100 * accuracy);
            } else {
                out.printf(Locale.ROOT, "scorer: training a classifier of %d classes on %d of the %d labelled images "
                        + "(%d held out), once for this data; it is cached in %s%n", shape.classes(),
                        split.train().length, labelled.count(), split.heldOut().length, cacheDir);
                long start = System.nanoTime();
                state.initialise(new CounterRng(SEED));
                train(cpu, state, shape, labelled, split.train(), out);
                accuracy = accuracy(cpu, state, shape, labelled, split.heldOut());
                String cached;
                try {
                    write(file, cpu, state, shape, fingerprint, labelled.count(), split.heldOut().length, accuracy);
                    cached = "cached as " + file;
                } catch (IOException e) {
                    // Measuring goes on; only the next run pays the training again.
                    cached = "not cached (" + e.getMessage() + "); it will be trained again next time";
                }
                out.printf(Locale.ROOT, "scorer: held-out accuracy %.2f%% after %.0f s; %s%n", 100 * accuracy,
                        (System.nanoTime() - start) / 1e9, cached);
            }
            float[] heldOutImages = images(labelled, split.heldOut());
            Scorer s = new Scorer(shape, cpu, state, file, accuracy, split.heldOut().length, null);
            FrechetDistance.Statistics reference = FrechetDistance.Statistics.of(
                    s.features(heldOutImages, split.heldOut().length), split.heldOut().length, FEATURES);
            return new Scorer(shape, cpu, state, file, accuracy, split.heldOut().length, reference);
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
        float[] one = new float[labelled.pixelsPerImage()];
        byte[] bytes = new byte[one.length];
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
        int per = data.pixelsPerImage();
        float[] out = new float[Math.multiplyExact(which.length, per)];
        for (int i = 0; i < which.length; i++) {
            data.copyImage(which[i], out, i * per);
        }
        return out;
    }

    /** {@link #EPOCHS} passes of Adam over the training images, each pass in a fresh fixed order. */
    private static void train(CpuBackend cpu, NetworkState state, Shape shape, ImageSet data, int[] trainIndices,
                              PrintStream out) {
        int[] labels = data.labels();
        int b = TRAIN_BATCH;
        int steps = trainIndices.length / b;
        int classes = shape.classes();
        int maxShift = shape.maxShift();
        try (Network features = Network.of(cpu, state, shape.featureLayers(), b);
             Network head = Network.of(cpu, state, shape.headLayers(), b);
             Tensor x = cpu.allocate(b, shape.channels(), shape.size(), shape.size());
             Tensor dLogits = cpu.allocate(b, classes);
             Tensor dFeatures = cpu.allocate(b, FEATURES)) {
            float[] batch = new float[b * shape.pixels()];
            float[] image = new float[shape.pixels()];
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
                        // Each image moved by up to 2 (4 at 64x64) pixels each way, afresh every epoch: the network
                        // learns the classes rather than the training images.
                        rng.fillUniform(shift, 0, 2, 0f, 2 * maxShift + 1, CounterRng.STREAM_SCORER,
                                (long) epoch << 32 | s * b + i);
                        shifted(image, shape, (int) shift[0] - maxShift, (int) shift[1] - maxShift, batch,
                                i * shape.pixels());
                        y[i] = labels[index];
                    }
                    cpu.upload(batch, 0, x);
                    Tensor logits = head.forward(features.forward(x, Mode.TRAINING), Mode.TRAINING);
                    float[] grad = new float[b * classes];
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

    /**
     * {@code src} (an image of {@code shape}) moved by (dx, dy) into {@code dst[at ...]}, with black where nothing
     * moves in.
     */
    static void shifted(float[] src, Shape shape, int dx, int dy, float[] dst, int at) {
        int n = shape.size();
        for (int c = 0; c < shape.channels(); c++) {
            int plane = c * n * n;
            for (int y = 0; y < n; y++) {
                for (int x = 0; x < n; x++) {
                    int sx = x - dx;
                    int sy = y - dy;
                    dst[at + plane + y * n + x] = sx >= 0 && sx < n && sy >= 0 && sy < n ? src[plane + sy * n + sx] : 0f;
                }
            }
        }
    }

    private static double accuracy(CpuBackend cpu, NetworkState state, Shape shape, ImageSet data, int[] indices) {
        int[] labels = data.labels();
        float[] probabilities = classify(cpu, state, shape, images(data, indices), indices.length);
        int right = 0;
        for (int i = 0; i < indices.length; i++) {
            if (argmax(probabilities, i * shape.classes(), shape.classes()) == labels[indices[i]]) {
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
        infer(cpu, state, shape, images, count, true, out);
        return out;
    }

    /** Each image's class probabilities (softmax of the logits), image i's at {@code i * classes}. */
    public float[] probabilities(float[] images, int count) {
        return classify(cpu, state, shape, images, count);
    }

    private static float[] classify(CpuBackend cpu, NetworkState state, Shape shape, float[] images, int count) {
        int classes = shape.classes();
        float[] out = new float[count * classes];
        infer(cpu, state, shape, images, count, false, out);
        for (int i = 0; i < count; i++) {
            SoftmaxCrossEntropy.softmaxInPlace(out, i * classes, classes);
        }
        return out;
    }

    /** Runs the classifier in inference mode over batches, keeping the features or the logits. */
    private static void infer(CpuBackend cpu, NetworkState state, Shape shape, float[] images, int count,
                              boolean features, float[] out) {
        int width = features ? FEATURES : shape.classes();
        for (int first = 0; first < count; first += INFERENCE_BATCH) {
            int n = Math.min(INFERENCE_BATCH, count - first);
            try (Network f = Network.of(cpu, state, shape.featureLayers(), n);
                 Network head = Network.of(cpu, state, shape.headLayers(), n);
                 Tensor x = cpu.allocate(n, shape.channels(), shape.size(), shape.size())) {
                cpu.upload(images, first * shape.pixels(), x);
                Tensor h = f.forward(x, Mode.INFERENCE);
                Tensor y = features ? h : head.forward(h, Mode.INFERENCE);
                cpu.download(y, out, first * width);
            }
        }
    }

    /** Scores {@code count} images (of the scorer's shape, in [0, 1]) against the held-out real images. */
    public Quality score(float[] images, int count) {
        FrechetDistance.Statistics samples = FrechetDistance.Statistics.of(features(images, count), count, FEATURES);
        return Quality.of(FrechetDistance.between(samples, reference), probabilities(images, count), count,
                shape.classes(), accuracy, heldOutCount);
    }

    /** The images this scorer reads: {@code [channels, size, size]}. */
    public int[] imageShape() {
        return new int[] {shape.channels(), shape.size(), shape.size()};
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
    private static double read(Path file, CpuBackend cpu, NetworkState state, Shape shape) throws IOException {
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            Map<String, String> m = f.metadata();
            if (!f.checksummed()) {
                throw new BadFileException(file, "has no tensor checksums");
            }
            NetworkLayout layout = shape.layout();
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

    private static void write(Path file, CpuBackend cpu, NetworkState state, Shape shape, String fingerprint,
                              int images, int heldOut, double accuracy) throws IOException {
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
        m.put("image_size", Integer.toString(shape.size()));
        m.put("channels", Integer.toString(shape.channels()));
        m.put("classes", Integer.toString(shape.classes()));
        NetworkLayout layout = shape.layout();
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
