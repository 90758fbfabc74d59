package dcgan.cli;

import dcgan.backend.Backend;
import dcgan.data.MnistData;
import dcgan.data.MnistLoader;
import dcgan.random.CounterRng;
import dcgan.train.Checkpoint;
import dcgan.train.CheckpointFile;
import dcgan.train.Hyperparameters;
import dcgan.train.RunSetup;
import dcgan.train.TrainOptions;
import dcgan.train.TrainingRun;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

import java.io.PrintStream;
import java.nio.file.Path;

/** {@code train}: the notebook's training run, with its defaults, or the continuation of a saved one. */
final class TrainCommand extends Command {

    /** The exit status of a run stopped by Ctrl-C after saving, as a shell reports a SIGINT death. */
    static final int INTERRUPTED = 130;

    @Override
    String name() {
        return "train";
    }

    @Override
    String summary() {
        return "Trains the DCGAN (see README.md). Writes OUT/metrics.csv (losses per step), a TensorBoard event "
               + "file, OUT/samples-epoch-NNN.png (an 8x8 grid from fixed noise, G in inference mode) and "
               + "OUT/checkpoint.safetensors after each epoch. Ctrl-C finishes the current step, saves the "
               + "checkpoint and exits with status 130; --resume continues from it.";
    }

    @Override
    Options options() {
        Options o = new Options();
        o.addOption(valued("data-dir", "DIR", "MNIST directory: the 4 standard .gz files, or one "
                                              + "*-images-idx3-ubyte.gz/*-labels-idx1-ubyte.gz pair (default ./mnist)"));
        o.addOption(valued("out", "DIR", "output directory (default ./log/DCGAN)"));
        o.addOption(valued("epochs", "N", "passes over the data (default 100)"));
        o.addOption(valued("max-steps", "N", "stop after N iterations, for quick runs (default: no limit)"));
        o.addOption(valued("batch-size", "N", "images per iteration (default 256)"));
        o.addOption(valued("z-dim", "N", "noise dimension (default 100)"));
        o.addOption(valued("lr", "RATE", "D's Adam learning rate; G uses 5x (default 2e-4)"));
        o.addOption(valued("beta1", "B", "Adam beta1 (default 0.5)"));
        o.addOption(valued("seed", "S", "seed of the initial weights and the noise (default 0)"));
        o.addOption(valued("shuffle-seed", "S", "seed of the one-time data shuffle (default 547, the notebook's)"));
        o.addOption(valued("keep-every", "K", "also keep OUT/checkpoint-epoch-NNN.safetensors every K epochs "
                                              + "(default: only the latest, OUT/checkpoint.safetensors)"));
        o.addOption(valued("save-every", "N", "write the checkpoint every N epochs (default 1), and always at the "
                                              + "end and on Ctrl-C; a checkpoint is ~160 MB"));
        o.addOption(valued("resume", "PATH", "continue the run saved in a checkpoint file, or in "
                                             + "DIR/checkpoint.safetensors; its settings are the defaults, and "
                                             + "--out defaults to the checkpoint's directory"));
        DeviceOption.add(o);
        ExecutionOption.add(o);
        return o;
    }

    @Override
    int run(CommandLine cl, PrintStream out, PrintStream err) throws Exception {
        // Read and check the checkpoint before anything is loaded or written: a bad one changes nothing.
        Checkpoint resume = null;
        Path resumeFile = null;
        if (cl.hasOption("resume")) {
            resumeFile = CheckpointFile.locate(Path.of(cl.getOptionValue("resume")));
            out.println("reading " + resumeFile);
            resume = CheckpointFile.read(resumeFile);
        }
        Hyperparameters hp = resume == null ? hyperparameters(cl) : resumedHyperparameters(cl, resume);
        TrainOptions options = resume == null ? newRunOptions(cl) : resumedOptions(cl, resume, resumeFile);
        try (InterruptHandler interrupts = InterruptHandler.install(err);
             Backend backend = DeviceOption.open(cl, out)) {
            out.println("loading " + options.dataDir());
            MnistData data = MnistLoader.load(options.dataDir());
            data = data.permuted(new CounterRng(options.shuffleSeed()).permutation(data.count(), CounterRng.STREAM_SHUFFLE));
            TrainingRun.Result result = new TrainingRun(backend, hp, options, ExecutionOption.parse(cl), out)
                    .run(data, resume, interrupts.stopCheck());
            if (result.interrupted()) {
                if (result.checkpoint() != null) {
                    out.println("to continue: ./run.sh train --resume " + options.outDir());
                }
                return INTERRUPTED;
            }
            if (result.lastGrid() != null) {
                out.println("done: " + result.steps() + " steps; samples in " + result.lastGrid()
                            + "; checkpoint " + result.checkpoint());
            }
        }
        return OK;
    }

    private static Hyperparameters hyperparameters(CommandLine cl) throws UsageException {
        return Hyperparameters.of(
                intOption(cl, "batch-size", Hyperparameters.DEFAULT_BATCH, 2),
                intOption(cl, "z-dim", Hyperparameters.DEFAULT_Z_DIM, 1),
                floatOption(cl, "lr", Hyperparameters.DEFAULT_LR),
                floatOption(cl, "beta1", Hyperparameters.DEFAULT_BETA1));
    }

    private static TrainOptions newRunOptions(CommandLine cl) throws UsageException {
        return new TrainOptions(
                Path.of(cl.getOptionValue("data-dir", "./mnist")),
                Path.of(cl.getOptionValue("out", "./log/DCGAN")),
                intOption(cl, "epochs", TrainOptions.DEFAULT_EPOCHS, 1),
                longOption(cl, "max-steps", 0, 1),
                longOption(cl, "seed", 0, Long.MIN_VALUE),
                longOption(cl, "shuffle-seed", TrainOptions.NOTEBOOK_SHUFFLE_SEED, Long.MIN_VALUE),
                TrainOptions.DEFAULT_SAMPLES,
                intOption(cl, "keep-every", 0, 1),
                intOption(cl, "save-every", 1, 1));
    }

    /**
     * A resumed run keeps the checkpoint's constants: changing one mid-run would make the rest of the run
     * something neither the old nor a new run would have done. An option given anyway must agree.
     */
    private static Hyperparameters resumedHyperparameters(CommandLine cl, Checkpoint c) throws UsageException {
        Hyperparameters saved = c.hp();
        mustAgree(cl, "batch-size", saved.batchSize(), intOption(cl, "batch-size", saved.batchSize(), 2));
        mustAgree(cl, "z-dim", saved.zDim(), intOption(cl, "z-dim", saved.zDim(), 1));
        mustAgree(cl, "lr", saved.lr(), floatOption(cl, "lr", saved.lr()));
        mustAgree(cl, "beta1", saved.beta1(), floatOption(cl, "beta1", saved.beta1()));
        return saved;
    }

    /** Where and how long to train may change on resume; seeds may not. Unset options come from the checkpoint. */
    private static TrainOptions resumedOptions(CommandLine cl, Checkpoint c, Path file) throws UsageException {
        RunSetup s = c.setup();
        mustAgree(cl, "seed", s.seed(), longOption(cl, "seed", s.seed(), Long.MIN_VALUE));
        mustAgree(cl, "shuffle-seed", s.shuffleSeed(), longOption(cl, "shuffle-seed", s.shuffleSeed(), Long.MIN_VALUE));
        Path checkpointDir = file.toAbsolutePath().getParent();
        return new TrainOptions(
                Path.of(cl.getOptionValue("data-dir", s.dataDir())),
                cl.hasOption("out") ? Path.of(cl.getOptionValue("out")) : checkpointDir,
                intOption(cl, "epochs", s.epochs(), 1),
                cl.hasOption("max-steps") ? longOption(cl, "max-steps", 0, 1) : s.maxSteps(),
                s.seed(),
                s.shuffleSeed(),
                s.sampleCount(),
                cl.hasOption("keep-every") ? intOption(cl, "keep-every", 0, 1) : s.keepEvery(),
                intOption(cl, "save-every", 1, 1));
    }

    private static void mustAgree(CommandLine cl, String option, Object saved, Object given) throws UsageException {
        if (cl.hasOption(option) && !saved.equals(given)) {
            throw new UsageException("--" + option + " " + cl.getOptionValue(option) + " conflicts with the "
                    + "checkpoint, which was trained with " + saved + "; a resumed run keeps its checkpoint's "
                    + "value (leave --" + option + " out, or start a new run in another --out directory)");
        }
    }
}
