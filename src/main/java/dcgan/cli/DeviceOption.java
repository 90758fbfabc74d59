package dcgan.cli;

import dcgan.backend.Backend;
import dcgan.backend.cpu.CpuBackend;
import dcgan.backend.gpu.GpuBackend;
import dcgan.backend.gpu.GpuUnavailableException;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

import java.io.PrintStream;

/** The --device and --threads options shared by the commands that compute, and the backend they pick. */
final class DeviceOption {

    private DeviceOption() {
    }

    static void add(Options options) {
        options.addOption(Command.valued("device", "NAME",
                "where to compute: auto (default: the GPU when one works, else the CPU, saying why), gpu, "
                + "gpu:N (CUDA device N), or cpu"));
        options.addOption(Command.valued("threads", "N",
                "CPU threads for --device cpu (default: all " + Runtime.getRuntime().availableProcessors() + " cores)"));
    }

    /**
     * The backend the options ask for. {@code auto} falls back to the CPU with a one-line note on
     * {@code out}; an explicit {@code gpu} that cannot be used is an error naming the reason.
     */
    static Backend open(CommandLine cl, PrintStream out) throws Command.UsageException {
        String device = cl.getOptionValue("device", "auto").trim();
        int threads = Command.intOption(cl, "threads", Runtime.getRuntime().availableProcessors(), 1);
        if (device.equals("cpu")) {
            return new CpuBackend(threads);
        }
        if (device.equals("auto")) {
            try {
                return GpuBackend.open(0);
            } catch (GpuUnavailableException e) {
                out.println("device: no usable GPU (" + e.getMessage() + "); computing on the CPU");
                return new CpuBackend(threads);
            }
        }
        if (device.equals("gpu")) {
            return openGpu(0, device);
        }
        if (device.startsWith("gpu:")) {
            int index;
            try {
                index = Integer.parseInt(device.substring(4));
            } catch (NumberFormatException e) {
                index = -1;
            }
            if (index < 0) {
                throw new Command.UsageException("--device gpu:N needs a device number N >= 0, got '" + device + "'");
            }
            return openGpu(index, device);
        }
        throw new Command.UsageException("--device must be auto, gpu, gpu:N or cpu, got '" + device + "'");
    }

    private static Backend openGpu(int index, String asked) {
        try {
            return GpuBackend.open(index);
        } catch (GpuUnavailableException e) {
            throw new IllegalStateException("--device " + asked + ": " + e.getMessage(), e);
        }
    }
}
