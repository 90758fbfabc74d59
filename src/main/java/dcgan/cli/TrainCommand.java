package dcgan.cli;

import dcgan.backend.Backend;
import dcgan.data.ImageSet;
import dcgan.data.Background;
import dcgan.data.DataSets;
import dcgan.data.Preprocessing;
import dcgan.eval.Scorer;
import dcgan.model.ModelSpec;
import dcgan.train.Checkpoint;
import dcgan.train.CheckpointFile;
import dcgan.train.RunSettings;
import dcgan.train.TrainingRun;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code train}: the notebook's training run, with its defaults, or the continuation of a saved one. */
final class TrainCommand extends Command {

    /** The exit status of a run stopped by Ctrl-C after saving, as a shell reports a SIGINT death. */
    static final int INTERRUPTED = 130;

    /**
     * The options that define the run and its length (the checkpoint holds them), and those that start a run or
     * say where: the line that continues a stopped run leaves them out.
     */
    private static final Set<String> RECORDED = Set.of("resume", "out", "overwrite", "data-dir", "epochs", "max-steps",
            "batch-size", "z-dim", "lr", "beta1", "seed", "shuffle-seed", "keep-every", "image-size", "channels", "ngf",
            "ndf", "background");

    @Override
    String name() {
        return "train";
    }

    @Override
    String summary() {
        return "Trains a DCGAN on the images of --data-dir: the notebook's model at 28x28, PyTorch's example's at 32x32 "
               + "and 64x64 (see README.md). Writes OUT/metrics.csv (losses per step), a TensorBoard event "
               + "file, and after each epoch OUT/samples-epoch-NNN.png (an 8x8 grid from fixed noise, G in inference "
               + "mode), OUT/quality.csv (FD and classifier score; OUT/best.safetensors keeps the best epoch's G), "
               + "OUT/losses.png, OUT/progress.gif and OUT/checkpoint.safetensors. Ctrl-C finishes the current step, "
               + "saves the checkpoint, prints the command that continues the run and exits with status 130 (before "
               + "the first step it stops at once: nothing in OUT changes until then); --resume continues from it.";
    }

    @Override
    Options options() {
        Options o = new Options();
        o.addOption(valued("data-dir", "PATH", "the images, recognised by what the directory holds (docs/commands.md): "
                                               + "MNIST's IDX files (the 4 standard .gz files, or any "
                                               + "NAME-images-idx3-ubyte.gz/NAME-labels-idx1-ubyte.gz pair), an image "
                                               + "folder (PNG, JPEG, GIF, BMP; subfolders are classes), CIFAR-10's "
                                               + "binary batches, or a NumPy .npy array (a file, or a directory with "
                                               + "images and labels arrays) (default ./mnist)"));
        ModelOption.add(o, "the data's own size where it is 28, 32 or 64, else 64", "1 when every image is grey, "
                                                                                    + "else 3");
        o.addOption(valued("background", "COLOUR", "what transparent pixels are composited onto: white (default), "
                                                   + "black, or R,G,B (each 0..255)"));
        o.addOption(valued("out", "DIR", "output directory (default ./log/DCGAN)"));
        o.addOption(valued("epochs", "N", "passes over the data (default 100 for the 28x28 model, 25 for 32x32 and "
                                          + "64x64)"));
        o.addOption(valued("max-steps", "N", "stop after N iterations, for quick runs (default: no limit)"));
        o.addOption(valued("batch-size", "N", "images per iteration (default 256 for the 28x28 model, 64 for 32x32 "
                                              + "and 64x64)"));
        o.addOption(valued("lr", "RATE", "D's Adam learning rate; G's is 5x that for the 28x28 model, the same for "
                                         + "32x32 and 64x64 (default 2e-4)"));
        o.addOption(valued("beta1", "B", "Adam beta1 (default 0.5)"));
        o.addOption(valued("seed", "S", "seed of the initial weights and the noise (default 0)"));
        o.addOption(valued("shuffle-seed", "S", "seed of the one-time data shuffle (default 547, the notebook's)"));
        o.addOption(valued("keep-every", "K", "also keep OUT/checkpoint-epoch-NNN.safetensors every K epochs "
                                              + "(default: only the latest, OUT/checkpoint.safetensors)"));
        o.addOption(valued("save-every", "N", "write the checkpoint every N epochs (default 1), and always at the "
                                              + "end and on Ctrl-C; a checkpoint is ~160 MB"));
        o.addOption(valued("eval-every", "K", "measure the samples' quality every K epochs (default 1; 0: never): "
                                              + "FD and classifier score against held-out real digits, in "
                                              + "OUT/quality.csv, with the best epoch's generator in "
                                              + "OUT/best.safetensors (docs/quality.md)"));
        o.addOption(valued("scorer-cache", "DIR", "where the quality scorer, trained once per data set, is kept "
                                                  + "(default " + Scorer.defaultCacheDir() + ")"));
        o.addOption(Option.builder().longOpt("overwrite").desc("start afresh in an --out directory that holds an "
                + "earlier run: delete the files runs write there, once the first step is done (checkpoints, metrics, "
                + "quality, grids, pictures, event files; without it the latest are kept as metrics.N.csv, "
                + "checkpoint.N.safetensors, quality.N.csv and best.N.safetensors)").build());
        o.addOption(valued("resume", "PATH", "continue the run saved in a checkpoint file, or in "
                                             + "DIR/checkpoint.safetensors; its settings are the defaults, and "
                                             + "--out defaults to the checkpoint's directory"));
        DeviceOption.add(o);
        ExecutionOption.add(o);
        return o;
    }

    @Override
    int run(CommandLine cl, PrintStream out, PrintStream err) throws Exception {
        // A resumed run starts from its checkpoint's settings; the run refuses options that would change
        // what the run is before it loads or writes anything.
        Checkpoint resume = null;
        if (cl.hasOption("resume")) {
            if (cl.hasOption("overwrite")) {
                throw new UsageException("--overwrite starts a new run; it cannot be combined with --resume");
            }
            Path file = CheckpointFile.locate(pathOption(cl, "resume", null));
            out.println("reading " + file);
            resume = CheckpointFile.read(file, out);
        }
        // Every option is checked before the data loads; those whose defaults depend on the model, which the data
        // may choose, are settled after.
        ModelOption.Request request = ModelOption.parse(cl);
        if (resume != null) {
            requireSameModel(cl, request, resume.settings().model());
        }
        RunSettings first = settings(cl, resume != null ? resume.settings() : RunSettings.NOTEBOOK,
                resume != null ? resume.settings().model() : request.resolve());
        if (resume != null) {
            first.requireContinues(resume.settings());
        }
        DeviceOption.check(cl);
        try (InterruptHandler interrupts = InterruptHandler.install(out, err, first.outDir())) {
            int status;
            try {
                ImageSet data = load(first, request, resume, out);
                ModelSpec model = resume != null ? resume.settings().model() : request.resolve(data.size(), data.channels());
                RunSettings settings = resume != null ? first : settings(cl, RunSettings.defaults(model), model);
                try (Backend backend = DeviceOption.open(cl, out)) {
                    status = train(backend, settings, data, resume, interrupts, continueCommand(cl, settings.outDir()),
                            out);
                }
            } catch (Exception | OutOfMemoryError e) {
                if (!interrupts.requested()) {
                    throw e;
                }
                // Stopping for a signal, the run failed (say, its checkpoint could not be written): this must be
                // printed before the JVM's exit goes on, and the exit status must say so.
                status = report(e, err);
            }
            interrupts.finish(status);
            return status;
        }
    }

    /**
     * Refuses model options that differ from the checkpoint's model: a resumed run keeps its model.
     *
     * @throws IllegalArgumentException naming each option that conflicts
     */
    private static void requireSameModel(CommandLine cl, ModelOption.Request asked, ModelSpec saved) {
        List<String> conflicts = new ArrayList<>();
        modelConflict(conflicts, "image-size", asked.imageSize(), saved.imageSize());
        modelConflict(conflicts, "channels", asked.channels(), saved.channels());
        modelConflict(conflicts, "z-dim", cl.hasOption("z-dim") ? asked.zDim() : null, saved.zDim());
        if (saved.family() == ModelSpec.Family.DCGAN) {
            modelConflict(conflicts, "ngf", cl.hasOption("ngf") ? asked.ngf() : null, saved.ngf());
            modelConflict(conflicts, "ndf", cl.hasOption("ndf") ? asked.ndf() : null, saved.ndf());
        } else if (asked.widthsGiven()) {
            conflicts.add("--ngf and --ndf do not apply: the checkpoint holds " + saved.describe());
        }
        if (!conflicts.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", conflicts) + "; a resumed run keeps its "
                    + "checkpoint's values (leave those options out, or start a new run in another --out directory)");
        }
    }

    /** A conflict of an option given (not null) with the checkpoint's value. */
    private static void modelConflict(List<String> conflicts, String option, Integer given, int saved) {
        if (given != null && given != saved) {
            conflicts.add("--" + option + " " + given + " conflicts with the checkpoint, which was trained with " + saved);
        }
    }

    /**
     * The run's images: those of the data directory, shaped for the model the checkpoint or the options name (the
     * data's own size and channels where neither says), decoded images cached beside the scorer.
     */
    private static ImageSet load(RunSettings settings, ModelOption.Request request, Checkpoint resume, PrintStream out)
            throws IOException {
        Preprocessing prep = resume != null
                ? new Preprocessing(settings.model().imageSize(), settings.model().channels(), settings.background())
                : new Preprocessing(request.imageSize() != null ? request.imageSize() : Preprocessing.AUTO,
                        request.channels() != null ? request.channels() : Preprocessing.AUTO, settings.background());
        out.println("loading " + settings.dataDir());
        return DataSets.load(settings.dataDir(), prep, settings.scorerCache(), out);
    }

    /** --background: white unless given (or the checkpoint's). */
    static Background backgroundOption(CommandLine cl, Background base) throws UsageException {
        if (!cl.hasOption("background")) {
            return base;
        }
        try {
            return Background.parse(cl.getOptionValue("background"));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static int train(Backend backend, RunSettings settings, ImageSet data, Checkpoint resume,
                             InterruptHandler interrupts, String continueCommand, PrintStream out) throws IOException {
        TrainingRun.Result result = new TrainingRun(backend, settings, out).run(() -> data, resume,
                interrupts.stopCheck());
        if (result.interrupted()) {
            if (result.checkpoint() != null) {
                out.println("to continue: " + continueCommand);
            }
            return INTERRUPTED;
        }
        if (result.lastGrid() != null) {
            out.println("done: " + result.steps() + " steps; samples in " + result.lastGrid()
                        + "; checkpoint " + result.checkpoint());
        }
        return OK;
    }

    /**
     * The command that continues this run: {@code --resume OUT} and every option given here that says how and
     * where the run computes, saves and measures (those that define the run and its length are in the
     * checkpoint), each word quoted for a POSIX shell where needed.
     */
    private static String continueCommand(CommandLine cl, Path outDir) {
        StringBuilder line = new StringBuilder("./run.sh train --resume ").append(shellWord(outDir.toString()));
        for (Option o : cl.getOptions()) {
            if (!RECORDED.contains(o.getLongOpt())) {
                line.append(" --").append(o.getLongOpt());
                if (o.hasArg()) {
                    line.append(' ').append(shellWord(o.getValue()));
                }
            }
        }
        return line.toString();
    }

    /** {@code word} as a POSIX shell reads it back: as it is if that is safe, else in single quotes. */
    private static String shellWord(String word) {
        if (!word.isEmpty() && word.matches("[A-Za-z0-9_@%+=:,./-]+")) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /** The settings the options give for {@code model}, each option not given taken from {@code base}. */
    private static RunSettings settings(CommandLine cl, RunSettings base, ModelSpec model) throws UsageException {
        return new RunSettings(
                HyperparameterOption.parse(cl, base.hp(), model),
                model,
                backgroundOption(cl, base.background()),
                longOption(cl, "seed", base.seed(), Long.MIN_VALUE),
                longOption(cl, "shuffle-seed", base.shuffleSeed(), Long.MIN_VALUE),
                base.sampleCount(),
                pathOption(cl, "data-dir", base.dataDir()),
                pathOption(cl, "out", base.outDir()),
                intOption(cl, "epochs", base.epochs(), 1),
                longOption(cl, "max-steps", base.maxSteps(), 1),
                intOption(cl, "keep-every", base.keepEvery(), 1),
                intOption(cl, "save-every", base.saveEvery(), 1),
                cl.hasOption("overwrite"),
                intOption(cl, "eval-every", base.evalEvery(), 0),
                pathOption(cl, "scorer-cache", base.scorerCache()),
                ExecutionOption.parse(cl));
    }
}
