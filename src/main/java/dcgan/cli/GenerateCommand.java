package dcgan.cli;

import dcgan.backend.Backend;
import dcgan.io.BadFileException;
import dcgan.io.Npy;
import dcgan.io.PngGrid;
import dcgan.train.CheckpointFile;
import dcgan.train.Generation;
import dcgan.train.GeneratorWeights;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/** {@code generate}: images from a checkpoint's generator, as a PNG grid and/or a NumPy array. */
final class GenerateCommand extends Command {

    private static final int SCALE = 2;

    @Override
    String name() {
        return "generate";
    }

    @Override
    String summary() {
        return "Draws N images from the generator of a checkpoint in inference mode (batch norm with its moving "
               + "averages) and writes them as a PNG grid and/or a NumPy float32 array [N, 1, 28, 28] in [0, 1]. "
               + "The noise is U(-1, 1) from --seed, or read from a float32 [N, z_dim] .npy file.";
    }

    @Override
    Options options() {
        Options o = new Options();
        o.addOption(valued("checkpoint", "FILE", "a checkpoint written by train (or a directory holding "
                                                 + "checkpoint.safetensors); required"));
        o.addOption(valued("count", "N", "number of images (required unless --z gives them)"));
        o.addOption(valued("png", "FILE", "write the images as one PNG grid, ceil(sqrt(N)) columns"));
        o.addOption(valued("npy", "FILE", "write the images as a NumPy float32 array [N, 1, 28, 28]"));
        o.addOption(valued("seed", "S", "seed of the noise (default 0); image i's noise does not depend on N"));
        o.addOption(valued("z", "FILE", "read the noise from a NumPy float32 array [N, z_dim] instead"));
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
        if (!cl.hasOption("count") && !cl.hasOption("z")) {
            throw new UsageException("--count N is required (unless --z FILE gives the noise)");
        }
        int count = intOption(cl, "count", 0, 1);
        long seed = longOption(cl, "seed", 0, Long.MIN_VALUE);

        // Everything is read and checked before the backend starts and before anything is written.
        Path checkpoint = CheckpointFile.locate(Path.of(cl.getOptionValue("checkpoint")));
        GeneratorWeights weights = CheckpointFile.readGenerator(checkpoint, out);
        float[] noise;
        String noiseSource;
        if (cl.hasOption("z")) {
            Path zFile = Path.of(cl.getOptionValue("z"));
            noise = readNoise(zFile, weights.zDim(), cl.hasOption("count") ? count : -1);
            count = noise.length / weights.zDim();
            noiseSource = zFile.toString();
        } else {
            noise = Generation.noise(seed, count, weights.zDim());
            noiseSource = "seed " + seed;
        }
        float[] images;
        try (Backend backend = DeviceOption.open(cl, out)) {
            out.printf(Locale.ROOT, "generate: %d images from %s (step %d) with %s, noise from %s%n",
                    count, checkpoint, weights.step(), backend.describe(), noiseSource);
            images = Generation.sample(backend, weights, noise, count);
        }
        if (cl.hasOption("png")) {
            Path png = Path.of(cl.getOptionValue("png"));
            int columns = (int) Math.ceil(Math.sqrt(count));
            PngGrid.write(png, images, 0, count, 28, 28, columns, SCALE);
            out.println("wrote " + png);
        }
        if (cl.hasOption("npy")) {
            Path npy = Path.of(cl.getOptionValue("npy"));
            Npy.writeFloat32(npy, new int[] {count, 1, 28, 28}, images);
            out.println("wrote " + npy);
        }
        return OK;
    }

    /** Noise [N, zDim] from a .npy file, N equal to {@code count} unless that is -1; finite values only. */
    static float[] readNoise(Path file, int zDim, int count) throws java.io.IOException {
        Npy.Float32 z = Npy.readFloat32(file);
        int[] shape = z.shape();
        if (shape.length != 2 || shape[1] != zDim || shape[0] < 1) {
            throw new BadFileException(file, "noise has shape " + Npy.shapeText(shape) + ", expected (N, " + zDim
                    + ") with N >= 1: one row of z_dim " + zDim + " values per image");
        }
        if (count >= 0 && shape[0] != count) {
            throw new BadFileException(file, "holds " + shape[0] + " noise vectors, but --count is " + count
                    + " (leave --count out to take them all)");
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
