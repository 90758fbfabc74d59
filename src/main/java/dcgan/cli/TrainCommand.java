package dcgan.cli;

import dcgan.backend.Backend;
import dcgan.data.MnistData;
import dcgan.data.MnistLoader;
import dcgan.random.CounterRng;
import dcgan.train.Hyperparameters;
import dcgan.train.TrainOptions;
import dcgan.train.TrainingRun;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

import java.io.PrintStream;
import java.nio.file.Path;

/** {@code train}: the notebook's training run, with its defaults. */
final class TrainCommand extends Command {

    @Override
    String name() {
        return "train";
    }

    @Override
    String summary() {
        return "Trains the DCGAN (see README.md). Writes OUT/metrics.csv (losses per step) and "
               + "OUT/samples-epoch-NNN.png (an 8x8 grid from fixed noise, G in inference mode) after each epoch.";
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
        DeviceOption.add(o);
        return o;
    }

    @Override
    int run(CommandLine cl, PrintStream out, PrintStream err) throws Exception {
        Hyperparameters hp = Hyperparameters.of(
                intOption(cl, "batch-size", Hyperparameters.DEFAULT_BATCH, 2),
                intOption(cl, "z-dim", Hyperparameters.DEFAULT_Z_DIM, 1),
                floatOption(cl, "lr", Hyperparameters.DEFAULT_LR),
                floatOption(cl, "beta1", Hyperparameters.DEFAULT_BETA1));
        TrainOptions options = new TrainOptions(
                Path.of(cl.getOptionValue("data-dir", "./mnist")),
                Path.of(cl.getOptionValue("out", "./log/DCGAN")),
                intOption(cl, "epochs", TrainOptions.DEFAULT_EPOCHS, 1),
                longOption(cl, "max-steps", 0, 1),
                longOption(cl, "seed", 0, Long.MIN_VALUE),
                longOption(cl, "shuffle-seed", TrainOptions.NOTEBOOK_SHUFFLE_SEED, Long.MIN_VALUE),
                TrainOptions.DEFAULT_SAMPLES);
        try (Backend backend = DeviceOption.open(cl, out)) {
            out.println("loading " + options.dataDir());
            MnistData data = MnistLoader.load(options.dataDir());
            data = data.permuted(new CounterRng(options.shuffleSeed()).permutation(data.count(), CounterRng.STREAM_SHUFFLE));
            TrainingRun.Result result = new TrainingRun(backend, hp, options, out).run(data);
            out.println("done: " + result.steps() + " steps; samples in " + result.lastGrid());
        }
        return OK;
    }
}
