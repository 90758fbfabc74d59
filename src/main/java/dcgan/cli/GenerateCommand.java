package dcgan.cli;

import dcgan.backend.Backend;
import dcgan.io.AtomicFiles;
import dcgan.io.BadFileException;
import dcgan.io.Npy;
import dcgan.io.Plural;
import dcgan.io.PngGrid;
import dcgan.model.ModelSpec;
import dcgan.train.CheckpointFile;
import dcgan.train.Generation;
import dcgan.train.GeneratorWeights;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** {@code generate}: images from a checkpoint's generator, as a PNG grid and/or a NumPy array. */
final class GenerateCommand extends Command {

    /** Rows of a walk (--interpolate) when --count does not say. */
    static final int DEFAULT_ROWS = 8;
    /** A 100 x 100 grid: about 5,800 pixels square, as large as image viewers comfortably show. */
    static final int PNG_MAX_IMAGES = 10_000;

    @Override
    String name() {
        return "generate";
    }

    @Override
    String summary() {
        return "Draws N images from the generator of a checkpoint (or of PyTorch's DCGAN example, saved as safetensors) "
               + "in inference mode (batch norm with its moving averages) and writes them as a PNG grid and/or a NumPy "
               + "float32 array [N, C, S, S] in [0, 1], whatever the model's own range. The noise is the model's, "
               + "U(-1, 1) (28x28) or N(0, 1) (32x32, 64x64), from --seed, or read from a float32 [N, z_dim] .npy "
               + "file.";
    }

    @Override
    Options options() {
        Options o = new Options();
        o.addOption(valued("checkpoint", "FILE", "a checkpoint written by train (or a directory holding "
                                                 + "checkpoint.safetensors), its best.safetensors, or the generator of "
                                                 + "PyTorch's DCGAN example saved with safetensors; required"));
        o.addOption(valued("count", "N", "number of images (required unless --z gives them)"));
        o.addOption(valued("png", "FILE", "write the images as one PNG grid, ceil(sqrt(N)) columns (at most the "
                                          + "first 10,000)"));
        o.addOption(valued("npy", "FILE", "write the images as a NumPy float32 array [N, C, S, S] in [0, 1], any N "
                                          + "(written a batch at a time)"));
        o.addOption(valued("seed", "S", "seed of the noise (default 0); image i's noise does not depend on N"));
        o.addOption(valued("z", "FILE", "read the noise from a NumPy float32 array [N, z_dim] (or [N, z_dim, 1, 1], as "
                                        + "PyTorch's example shapes it) instead"));
        o.addOption(valued("interpolate", "K", "a walk in the noise space: --count rows, each of K images from one "
                                               + "noise vector to another in equal steps (K columns in the grid; the "
                                               + "array holds the rows in order); --z then gives 2 vectors per row; "
                                               + DEFAULT_ROWS + " rows unless --count says"));
        DeviceOption.add(o);
        return o;
    }

    @Override
    int run(CommandLine cl, PrintStream out, PrintStream err) throws Exception {
        if (!cl.hasOption("checkpoint")) {
            throw new UsageException("--checkpoint FILE is required");
        }
        if (!cl.hasOption("png") && !cl.hasOption("npy")) {
            throw new UsageException("nothing to write: give --png FILE and/or --npy FILE");
        }
        if (cl.hasOption("seed") && cl.hasOption("z")) {
            throw new UsageException("--seed and --z exclude each other: the noise comes from one or the other");
        }
        if (!cl.hasOption("count") && !cl.hasOption("z") && !cl.hasOption("interpolate")) {
            throw new UsageException("--count N is required (unless --z FILE gives the noise)");
        }
        int count = intOption(cl, "count", cl.hasOption("interpolate") ? DEFAULT_ROWS : 0, 1);
        long seed = longOption(cl, "seed", 0, Long.MIN_VALUE);
        int interpolate = intOption(cl, "interpolate", 0, 2);
        Path png = pathOption(cl, "png", null);
        Path npy = pathOption(cl, "npy", null);
        Path checkpoint = CheckpointFile.locate(pathOption(cl, "checkpoint", null));
        Path zFile = pathOption(cl, "z", null);
        // The outputs first: a bad one is a mistake on the command line, found before anything is read.
        new OutputFiles("--png and --npy take").output("png", png).output("npy", npy)
                .input("checkpoint", checkpoint).input("z", zFile).check();

        // Everything is read and checked before the backend starts and before anything is written.
        GeneratorWeights weights = CheckpointFile.readGenerator(checkpoint, out);
        Generation.Noise noise;
        String noiseSource;
        // With --interpolate, count is the number of rows, each between two noise vectors: 2 x count vectors.
        int vectorsPerRow = interpolate > 0 ? 2 : 1;
        if (zFile != null) {
            float[] z = readNoise(zFile, weights.zDim(), cl.hasOption("count") ? vectorsPerRow * count : -1);
            if (z.length / weights.zDim() % vectorsPerRow != 0) {
                throw new BadFileException(zFile, "holds " + Plural.count(z.length / weights.zDim(), "noise vector")
                        + "; --interpolate takes them in pairs, each the two ends of a row");
            }
            count = z.length / weights.zDim() / vectorsPerRow;
            noise = Generation.noise(z, weights.zDim());
            noiseSource = zFile.toString();
        } else {
            noise = Generation.noise(seed, weights.model());
            noiseSource = "seed " + seed + (weights.model().noise() == ModelSpec.Noise.UNIFORM ? ", U(-1, 1)" : ", N(0, 1)");
        }
        int columns = 0; // a square grid
        if (interpolate > 0) {
            long images = (long) count * interpolate;
            if (images > Integer.MAX_VALUE) {
                throw new UsageException(String.format(Locale.ROOT, "%s%d rows of --interpolate %d images are %,d images; "
                        + "generate draws at most %,d", cl.hasOption("count") ? "--count " : "", count, interpolate, images,
                        Integer.MAX_VALUE));
            }
            noise = Generation.interpolated(noise, interpolate, weights.zDim());
            noiseSource += String.format(Locale.ROOT, ", %d rows of %d steps from one vector to another", count, interpolate);
            count = (int) images;
            columns = interpolate;
        }
        int inGrid = png == null ? 0 : Math.min(count, PNG_MAX_IMAGES);
        if (png != null && inGrid < count) {
            out.printf(Locale.ROOT, "--png: a grid holds at most %,d images; %s gets the first %,d of %,d%n",
                    PNG_MAX_IMAGES, png, inGrid, count);
        }
        // A row longer than the grid holds fills one row of it.
        int gridColumns = columns > 0 ? Math.min(columns, inGrid) : (int) Math.ceil(Math.sqrt(inGrid));
        ModelSpec model = weights.model();
        int image = model.pixelsPerImage();
        if (npy != null) {
            requireSpace(npy, (long) count * image * Float.BYTES);
        }

        float[] grid = new float[Math.multiplyExact(inGrid, image)];
        int total = count;
        Generation.Noise z = noise;
        int[] drawn = {0};
        IOException npyFailure = null;
        try (Backend backend = DeviceOption.open(cl, out)) {
            out.printf(Locale.ROOT, "generate: %d images from %s (%s, %s) with %s, noise from %s%n",
                    count, checkpoint, weights.describeOrigin(), model.describe(), backend.describe(), noiseSource);
            Generation.Images keepForGrid = (first, n, images) -> {
                int keep = Math.min(n, inGrid - first); // none once the grid is full
                if (keep > 0) {
                    System.arraycopy(images, 0, grid, first * image, keep * image);
                }
            };
            if (npy != null) {
                // The array streams to the file a batch at a time; only the grid's images are kept.
                try {
                    Npy.writeFloat32(npy, model.imageShape(total), sink -> Generation.sample(backend, weights,
                            z, total, (first, n, images) -> {
                                keepForGrid.take(first, n, images);
                                drawn[0] = first + n;
                                sink.write(images, 0, images.length);
                            }), AtomicFiles.OnStop.ABANDON);
                    out.println("wrote " + npy);
                } catch (IOException e) {
                    npyFailure = e; // the grid may still be written
                }
            } else {
                Generation.sample(backend, weights, z, inGrid, keepForGrid);
                drawn[0] = inGrid;
            }
        }
        if (png != null && drawn[0] >= inGrid) {
            int size = model.imageSize();
            byte[] encoded = PngGrid.encode(grid, 0, inGrid, model.channels(), size, size, gridColumns,
                    PngGrid.scaleFor(size));
            AtomicFiles.write(png, o -> o.write(encoded), AtomicFiles.OnStop.ABANDON);
            out.println("wrote " + png);
        }
        if (npyFailure != null) {
            throw npyFailure;
        }
        return OK;
    }

    /** Refuses, before any work, to start a file that the disk cannot hold. */
    private static void requireSpace(Path file, long bytes) throws IOException {
        Path dir = AtomicFiles.destination(file).getParent();
        while (dir != null && !Files.exists(dir)) {
            dir = dir.getParent();
        }
        if (dir == null) {
            return;
        }
        long free = Files.getFileStore(dir).getUsableSpace();
        if (free < bytes) {
            throw new BadFileException(file, String.format(Locale.ROOT, "needs %.1f MB, but its file system has "
                    + "%.1f MB free", bytes / 1e6, free / 1e6));
        }
    }

    /**
     * Noise [N, zDim] (or [N, zDim, 1, 1], PyTorch's example's shape) from a .npy file, N equal to {@code count}
     * unless that is -1; finite values only.
     */
    static float[] readNoise(Path file, int zDim, int count) throws java.io.IOException {
        Npy.Float32 z = Npy.readFloat32(file);
        int[] shape = z.shape();
        boolean rows = shape.length == 2 || shape.length == 4 && shape[2] == 1 && shape[3] == 1;
        if (!rows || shape[1] != zDim || shape[0] < 1) {
            throw new BadFileException(file, "noise has shape " + Npy.shapeText(shape) + ", expected (N, " + zDim
                    + ") or (N, " + zDim + ", 1, 1) with N >= 1: one row of z_dim " + zDim + " values per image");
        }
        if (count >= 0 && shape[0] != count) {
            throw new BadFileException(file, "holds " + Plural.count(shape[0], "noise vector") + ", but --count is "
                    + count + " (leave --count out to take them all)");
        }
        float[] v = z.values();
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new BadFileException(file, "value " + v[i] + " at [" + i / zDim + ", " + i % zDim
                        + "] is not a finite number");
            }
        }
        return v;
    }
}
