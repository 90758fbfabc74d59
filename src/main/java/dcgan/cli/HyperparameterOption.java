package dcgan.cli;

import dcgan.train.Hyperparameters;
import org.apache.commons.cli.CommandLine;

/**
 * --batch-size, --z-dim, --lr and --beta1 of the commands that train (train, bench, gpu-check): each value
 * checked here, so that a refusal names the option as typed, and before anything is built, loaded or written.
 * The largest batch follows from the model's layers ({@link Hyperparameters#maxBatchSize}).
 */
final class HyperparameterOption {

    private HyperparameterOption() {
    }

    /** The options' values, each one not given (or not an option of the command) taken from {@code base}. */
    static Hyperparameters parse(CommandLine cl, Hyperparameters base) throws Command.UsageException {
        int zDim = Command.intOption(cl, "z-dim", base.zDim(), 1);
        int maxZDim = Hyperparameters.maxZDim();
        if (zDim > maxZDim) {
            throw new Command.UsageException("--z-dim " + zDim + " is too large: "
                    + Hyperparameters.tooLarge(Hyperparameters.largestBuffer(2, zDim)) + "; at most " + maxZDim);
        }
        int batch = Command.intOption(cl, "batch-size", base.batchSize(), 2);
        int maxBatch = Hyperparameters.maxBatchSize(zDim);
        if (batch > maxBatch) {
            throw new Command.UsageException("--batch-size " + batch + " is too large: "
                    + Hyperparameters.tooLarge(Hyperparameters.largestBuffer(batch, zDim)) + "; at most " + maxBatch
                    + " images per batch" + (zDim == Hyperparameters.DEFAULT_Z_DIM ? "" : " with --z-dim " + zDim));
        }
        float lr = Command.floatOption(cl, "lr", base.lr());
        if (!(lr > 0)) {
            throw new Command.UsageException("--lr must be a positive number, got " + cl.getOptionValue("lr").trim());
        }
        float beta1 = Command.floatOption(cl, "beta1", base.beta1());
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new Command.UsageException("--beta1 must be at least 0 and less than 1, got "
                                             + cl.getOptionValue("beta1").trim());
        }
        return new Hyperparameters(batch, zDim, lr, beta1, base.beta2(), base.epsilon(), base.gLrScale());
    }
}
