package dcgan.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dcgan.backend.Backend;
import dcgan.backend.cpu.CpuBackend;
import dcgan.data.ImageSet;
import dcgan.data.Background;
import dcgan.data.DataSets;
import dcgan.data.Preprocessing;
import dcgan.eval.Quality;
import dcgan.eval.Scorer;
import dcgan.io.AtomicFiles;
import dcgan.io.BadFileException;
import dcgan.io.Npy;
import dcgan.model.ModelSpec;
import dcgan.train.CheckpointFile;
import dcgan.train.Generation;
import dcgan.train.GeneratorWeights;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * {@code evaluate}: how good a generator's digits are, by the scorer of docs/quality.md: the Frechet distance
 * to held-out real digits, the classifier score, the class histogram, and the scorer's own accuracy.
 */
final class EvaluateCommand extends Command {

    static final int DEFAULT_COUNT = 10_000;
    /** The most floats one Java array holds. */
    private static final long MAX_FLOATS = Integer.MAX_VALUE - 8;

    @Override
    String name() {
        return "evaluate";
    }

    @Override
    String summary() {
        return "Scores a checkpoint's generator (N images from --seed), or the images of a .npy file, against "
               + "held-out real images with a classifier trained on the labelled data at the images' size and "
               + "channels (once, then cached): the Frechet distance of its features (0 for real images, lower is "
               + "better), the classifier score (the number of classes at most), the class histogram, and the "
               + "classifier's own held-out accuracy. See docs/quality.md.";
    }

    @Override
    Options options() {
        Options o = new Options();
        o.addOption(valued("checkpoint", "FILE", "a checkpoint written by train (or its directory), or a generator "
                                                 + "of PyTorch's DCGAN example saved with safetensors, whose generator "
                                                 + "draws the images"));
        o.addOption(valued("npy", "FILE", "score these images instead: a NumPy float32 array [N, C, S, S] in [0, 1] "
                                          + "(C 1 or 3, S 28, 32 or 64), as generate --npy writes"));
        o.addOption(valued("count", "N", "images to draw from the checkpoint (default 10000)"));
        o.addOption(valued("seed", "S", "seed of their noise, as for generate (default 0)"));
        o.addOption(valued("data-dir", "PATH", "the labelled images the scorer is trained on and compares with, any "
                                               + "data train reads, brought to the scored images' size and channels "
                                               + "(default: the checkpoint's data directory, else ./mnist)"));
        o.addOption(valued("scorer-cache", "DIR", "where trained scorers are kept (default "
                                                  + Scorer.defaultCacheDir() + ")"));
        o.addOption(valued("background", "COLOUR", "what transparent pixels of the data are composited onto (default: "
                                                   + "the checkpoint's, else white)"));
        o.addOption(valued("json", "FILE", "also write the figures as JSON"));
        DeviceOption.add(o);
        return o;
    }

    @Override
    int run(CommandLine cl, PrintStream out, PrintStream err) throws Exception {
        if (cl.hasOption("checkpoint") == cl.hasOption("npy")) {
            throw new UsageException("give either --checkpoint FILE (to draw images) or --npy FILE (to score its images)");
        }
        if (cl.hasOption("npy") && (cl.hasOption("count") || cl.hasOption("seed"))) {
            throw new UsageException("--count and --seed draw images from a checkpoint; with --npy the file gives them");
        }
        int count = intOption(cl, "count", DEFAULT_COUNT, 2);
        long seed = longOption(cl, "seed", 0, Long.MIN_VALUE);
        Path json = pathOption(cl, "json", null);
        Path cache = pathOption(cl, "scorer-cache", Scorer.defaultCacheDir());
        Path checkpoint = cl.hasOption("checkpoint") ? CheckpointFile.locate(pathOption(cl, "checkpoint", null)) : null;
        Path npy = pathOption(cl, "npy", null);
        new OutputFiles("--json takes").output("json", json).input("checkpoint", checkpoint).input("npy", npy).check();

        DeviceOption.check(cl);
        // Read and check every input before any work.
        GeneratorWeights weights = null;
        float[] images = null;
        int[] imageShape; // [C, S, S] of the images scored
        Path dataDir = pathOption(cl, "data-dir", Path.of("./mnist"));
        if (checkpoint != null) {
            weights = CheckpointFile.readGenerator(checkpoint, out);
            ModelSpec model = weights.model();
            imageShape = new int[] {model.channels(), model.imageSize(), model.imageSize()};
            long most = MAX_FLOATS / model.pixelsPerImage();
            if (count > most) {
                throw new UsageException(String.format(Locale.ROOT, "--count %d is too many: the images are scored "
                        + "all at once, and at most %,d fit", count, most));
            }
            if (!cl.hasOption("data-dir") && weights.step() >= 0) {
                dataDir = CheckpointFile.dataDir(checkpoint);
            }
        } else {
            Npy.Float32 a = readImages(npy);
            images = a.values();
            imageShape = Arrays.copyOfRange(a.shape(), 1, 4);
            count = a.shape()[0];
        }
        Background background = TrainCommand.backgroundOption(cl,
                checkpoint != null ? CheckpointFile.background(checkpoint) : Background.WHITE);
        out.println("loading " + dataDir);
        ImageSet labelled = DataSets.load(dataDir, new Preprocessing(imageShape[1], imageShape[0], background), cache,
                out);
        if (labelled.channels() != imageShape[0] || labelled.size() != imageShape[1]) {
            throw new BadFileException(dataDir, String.format(Locale.ROOT, "holds images of %dx%dx%d, but those scored "
                    + "are %dx%dx%d; give a --data-dir of the images the generator learned", labelled.channels(),
                    labelled.size(), labelled.size(), imageShape[0], imageShape[1], imageShape[2]));
        }

        Quality q;
        // Only drawing from a checkpoint needs the device; scoring runs on the CPU either way.
        try (Backend backend = weights != null ? DeviceOption.open(cl, out) : null;
             // --threads is said once: by the device's backend when that is the CPU too.
             CpuBackend scoring = new CpuBackend(DeviceOption.threads(cl, backend instanceof CpuBackend ? null : out));
             Scorer scorer = scorer(labelled, dataDir, cache, scoring, out)) {
            if (weights != null) {
                out.printf(Locale.ROOT, "evaluate: %d images from %s (%s, %s) with %s, noise from seed %d%n", count,
                        checkpoint, weights.describeOrigin(), weights.model().describe(), backend.describe(), seed);
                images = Generation.sample(backend, weights, Generation.noise(seed, weights.model()), count);
            } else {
                out.printf(Locale.ROOT, "evaluate: %d images from %s%n", count, cl.getOptionValue("npy"));
            }
            q = scorer.score(images, count);
        }
        out.println(q.report());
        if (json != null) {
            writeJson(json, q, checkpoint != null ? checkpoint.toString() : cl.getOptionValue("npy"));
            out.println("wrote " + json);
        }
        return OK;
    }

    /** The scorer of the labelled data; data it cannot learn from (no labels, one class) is named with why. */
    private static Scorer scorer(ImageSet labelled, Path dataDir, Path cache, CpuBackend cpu, PrintStream out)
            throws IOException {
        try {
            return Scorer.forData(labelled, cache, cpu, out);
        } catch (IllegalArgumentException e) {
            throw new BadFileException(dataDir, e.getMessage() + "; give a --data-dir of labelled images");
        }
    }

    /**
     * Images [N, C, S, S] in [0, 1] (C 1 or 3, S 28, 32 or 64, N at least 2) from a .npy file, as generate --npy
     * writes them; anything else is refused naming the file.
     */
    static Npy.Float32 readImages(Path file) throws IOException {
        Npy.Float32 a = Npy.readFloat32(file);
        int[] shape = a.shape();
        if (shape.length != 4 || shape[1] != 1 && shape[1] != 3 || shape[2] != shape[3]
            || !ModelSpec.IMAGE_SIZES.contains(shape[2]) || shape[0] < 2) {
            throw new BadFileException(file, "holds an array of shape " + Npy.shapeText(shape) + ", expected (N, C, S, "
                    + "S) with N >= 2, C 1 or 3 and S 28, 32 or 64: images as generate --npy writes them");
        }
        float[] v = a.values();
        int per = shape[1] * shape[2] * shape[3];
        for (int i = 0; i < v.length; i++) {
            if (!(v[i] >= 0f && v[i] <= 1f)) {
                throw new BadFileException(file, "value " + v[i] + " of image " + i / per + " (pixel " + i % per
                        + ") is outside [0, 1]");
            }
        }
        return a;
    }

    static void writeJson(Path file, Quality q, String source) throws IOException {
        AtomicFiles.write(file, out -> {
            try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
                g.useDefaultPrettyPrinter();
                g.writeStartObject();
                g.writeStringField("source", source);
                g.writeNumberField("count", q.count());
                g.writeNumberField("fd", q.fd());
                g.writeNumberField("classifier_score", q.score());
                g.writeArrayFieldStart("class_histogram");
                for (int c : q.histogram()) {
                    g.writeNumber(c);
                }
                g.writeEndArray();
                g.writeNumberField("class_tv_from_uniform", q.tvFromUniform());
                g.writeNumberField("scorer_accuracy", q.scorerAccuracy());
                g.writeNumberField("reference_count", q.referenceCount());
                g.writeEndObject();
            }
        }, AtomicFiles.OnStop.ABANDON);
    }
}
