package dcgan.cli;

import dcgan.backend.Backend;
import dcgan.backend.cpu.CpuBackend;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** The --device and --threads options shared by the commands that compute, and the backend they pick. */
final class DeviceOption {

    private DeviceOption() {
    }

    static void add(Options options) {
        options.addOption(Command.valued("device", "NAME",
                "where to compute: cpu (default; this build has no GPU backend yet)"));
        options.addOption(Command.valued("threads", "N",
                "CPU threads (default: all " + Runtime.getRuntime().availableProcessors() + " cores)"));
    }

    static Backend open(CommandLine cl) throws Command.UsageException {
        String device = cl.getOptionValue("device", "cpu");
        int threads = Command.intOption(cl, "threads", Runtime.getRuntime().availableProcessors(), 1);
        switch (device) {
            case "cpu":
                return new CpuBackend(threads);
            case "gpu":
            case "auto":
                throw new Command.UsageException("--device " + device
                        + ": this build has only the CPU backend; use --device cpu");
            default:
                throw new Command.UsageException("--device must be cpu, got '" + device + "'");
        }
    }
}
