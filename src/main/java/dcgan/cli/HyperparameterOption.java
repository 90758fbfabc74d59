package dcgan.cli;

import dcgan.model.ModelSpec;
import dcgan.train.Hyperparameters;
import org.apache.commons.cli.CommandLine;

/**
 * --batch-size, --lr and --beta1 of the commands that train (train, bench, gpu-check): each value checked
 * here, so that a refusal names the option as typed, and before anything is built, loaded or written. The
 * largest batch follows from the model's layers ({@link ModelSpec#maxBatchSize}).
 */
final class HyperparameterOption {

    private HyperparameterOption() {
    }

    /**
     * The options' values, each one not given (or not an option of the command) taken from {@code base}, checked
     * against what {@code model}'s buffers hold.
     */
    static Hyperparameters parse(CommandLine cl, Hyperparameters base, ModelSpec model) throws Command.UsageException {
        int batch = Command.intOption(cl, "batch-size", base.batchSize(), 2);
        try {
            model.requireFits(batch);
        } catch (IllegalArgumentException e) {
            throw new Command.UsageException(e.getMessage());
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
        return base.with(batch, lr, beta1);
    }
}
