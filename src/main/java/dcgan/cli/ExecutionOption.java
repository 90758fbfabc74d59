package dcgan.cli;

import dcgan.train.StepExecution;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * The --cuda-graphs, --data-on-device and --async-losses switches of train and bench: how steps run, not
 * what they compute.
 */
final class ExecutionOption {

    private ExecutionOption() {
    }

    static void add(Options options) {
        options.addOption(Option.builder().longOpt("cuda-graphs").desc("capture each half-step once as a CUDA graph "
                + "and replay it, instead of queueing ~100 operations from Java per step (GPU; same results; on the "
                + "CPU it changes nothing)").build());
        options.addOption(Option.builder().longOpt("data-on-device").desc("upload the dataset to the device once "
                + "(4 bytes per pixel: 220 MB for 70,000 images) instead of copying each batch from the host").build());
        options.addOption(Option.builder().longOpt("async-losses").desc("read each step's losses back while the "
                + "next step already runs, so that the device never waits for the host between steps (same "
                + "results and logs)").build());
    }

    static StepExecution parse(CommandLine cl) {
        return new StepExecution(cl.hasOption("cuda-graphs"), cl.hasOption("data-on-device"),
                cl.hasOption("async-losses"));
    }
}
