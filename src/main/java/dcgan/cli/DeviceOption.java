package dcgan.cli;

import dcgan.backend.Backend;
import dcgan.backend.cpu.CpuBackend;
import dcgan.backend.cpu.CpuGemm;
import dcgan.backend.gpu.GpuBackend;
import dcgan.backend.gpu.GpuSettings;
import dcgan.backend.gpu.GpuSettings.AlgorithmChoice;
import dcgan.backend.gpu.GpuSettings.MathMode;
import dcgan.backend.gpu.GpuUnavailableException;
import dcgan.io.Plural;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Optional;

/**
 * The options shared by the commands that compute (--device, --threads, the CPU's --cpu-gemm, and the
 * GPU's --math and --conv-algo), and the backend they pick.
 */
final class DeviceOption {

    private DeviceOption() {
    }

    static void add(Options options) {
        options.addOption(Command.valued("device", "NAME",
                "where to compute: auto (default: the GPU when one works, else the CPU, saying why), gpu, "
                + "gpu:N (CUDA device N), or cpu"));
        options.addOption(Command.valued("threads", "N",
                "CPU threads for --device cpu (default, and most: all " + Runtime.getRuntime().availableProcessors()
                + " cores)"));
        options.addOption(Command.valued("cpu-gemm", "NAME",
                "matrix multiply of --device cpu: openblas (default where its native library loads, else java, "
                + "saying why) or java (the pure-Java SGEMM, slower)"));
        options.addOption(Command.valued("math", "MODE",
                "GPU arithmetic of convolutions and linear layers: fp32 (default: plain FP32, as the CPU computes) "
                + "or tf32 (TF32 tensor cores allowed on compute capability 8.0 and later: inputs rounded to 10 "
                + "mantissa bits, results about 1e-3 relative off FP32); batch norm and the rest stay FP32"));
        options.addOption(Command.valued("conv-algo", "HOW",
                "how the GPU picks each convolution's cuDNN algorithm: heuristic (default: cuDNN's ranking, "
                + "deterministic algorithms first) or search (cuDNN times them once per layer at start-up and the "
                + "fastest wins, even a non-deterministic one, so runs may differ in the last bits)"));
    }

    /**
     * The backend the options ask for. {@code auto} falls back to the CPU with a one-line note on
     * {@code out} (and one more when GPU-only settings are thereby ignored); an explicit {@code gpu} that
     * cannot be used is an error naming the reason, and GPU-only settings with {@code cpu} a usage error.
     */
    static Backend open(CommandLine cl, PrintStream out) throws Command.UsageException {
        check(cl);
        String device = cl.getOptionValue("device", "auto").trim();
        GpuSettings settings = gpuSettings(cl);
        Optional<CpuGemm> gemm = cpuGemm(cl);
        if (device.equals("cpu")) {
            return openCpu(threads(cl, out), gemm, out);
        }
        if (device.equals("auto")) {
            try {
                return GpuBackend.open(0, settings);
            } catch (GpuUnavailableException e) {
                out.println("device: no usable GPU (" + e.getMessage() + "); computing on the CPU");
                if (!settings.equals(GpuSettings.DEFAULT)) {
                    out.println("device: ignoring " + asOptions(settings) + " on the CPU (GPU-only settings)");
                }
                return openCpu(threads(cl, out), gemm, out);
            }
        }
        return openGpu(gpuIndex(device), settings, device);
    }

    /**
     * Checks every device option's value without opening anything, so that a command can refuse a typo before
     * it loads data: what {@link #open} would refuse as a usage error, it refuses.
     */
    static void check(CommandLine cl) throws Command.UsageException {
        String device = cl.getOptionValue("device", "auto").trim();
        threads(cl, null); // checked whatever the device, so that a typo never passes unnoticed
        GpuSettings settings = gpuSettings(cl);
        cpuGemm(cl);
        if (device.equals("cpu")) {
            if (settings.math() == MathMode.TF32) {
                throw new Command.UsageException("--math tf32: the CPU backend computes in FP32 only");
            }
            if (settings.algorithms() == AlgorithmChoice.SEARCH) {
                throw new Command.UsageException("--conv-algo search: the CPU backend has no cuDNN algorithms to search");
            }
        } else if (!device.equals("auto")) {
            gpuIndex(device);
        }
    }

    /** The device number of "gpu" (0) or "gpu:N". */
    private static int gpuIndex(String device) throws Command.UsageException {
        if (device.equals("gpu")) {
            return 0;
        }
        if (!device.startsWith("gpu:")) {
            throw new Command.UsageException("--device must be auto, gpu, gpu:N or cpu, got '" + device + "'");
        }
        int index;
        try {
            index = Integer.parseInt(device.substring(4));
        } catch (NumberFormatException e) {
            index = -1;
        }
        if (index < 0) {
            throw new Command.UsageException("--device gpu:N needs a device number N >= 0, got '" + device + "'");
        }
        return index;
    }

    /**
     * --threads: the CPU backend's threads, all cores unless given, and never more: more threads than cores
     * only take turns. Asking for more is said on {@code notes} (unless it is null).
     */
    static int threads(CommandLine cl, PrintStream notes) throws Command.UsageException {
        int cores = Runtime.getRuntime().availableProcessors();
        int asked = Command.intOption(cl, "threads", cores, 1);
        if (asked > cores && notes != null) {
            notes.println("cpu: --threads " + asked + " is more than this machine's " + Plural.count(cores, "core")
                          + "; using " + cores);
        }
        return Math.min(asked, cores);
    }

    /** --cpu-gemm, empty when not given; checked whatever the device, so that a typo never passes unnoticed. */
    static Optional<CpuGemm> cpuGemm(CommandLine cl) throws Command.UsageException {
        String value = cl.getOptionValue("cpu-gemm");
        if (value == null) {
            return Optional.empty();
        }
        return Optional.of(CpuGemm.parse(value.trim()).orElseThrow(() ->
                new Command.UsageException("--cpu-gemm must be openblas or java, got '" + value.trim() + "'")));
    }

    /**
     * The CPU backend with the GEMM asked for; without --cpu-gemm OpenBLAS, or the Java SGEMM with a one-line
     * note on {@code out} where OpenBLAS cannot load. An explicit --cpu-gemm openblas that cannot load is an
     * error naming the reason.
     */
    private static Backend openCpu(int threads, Optional<CpuGemm> asked, PrintStream out) {
        if (asked.isPresent()) {
            try {
                return new CpuBackend(threads, asked.get());
            } catch (IllegalStateException e) {
                throw new IllegalStateException("--cpu-gemm " + asked.get().optionValue() + ": " + e.getMessage(), e);
            }
        }
        Optional<String> problem = CpuGemm.openBlasProblem();
        problem.ifPresent(p -> out.println("cpu: OpenBLAS unavailable (" + p + "); multiplying with the Java SGEMM"));
        return new CpuBackend(threads, problem.isPresent() ? CpuGemm.JAVA : CpuGemm.OPENBLAS);
    }

    /** --math and --conv-algo; checked whatever the device, so that a typo never passes unnoticed. */
    static GpuSettings gpuSettings(CommandLine cl) throws Command.UsageException {
        String math = cl.getOptionValue("math", "fp32").trim();
        MathMode mode = switch (math) {
            case "fp32" -> MathMode.FP32;
            case "tf32" -> MathMode.TF32;
            default -> throw new Command.UsageException("--math must be fp32 or tf32, got '" + math + "'");
        };
        String algo = cl.getOptionValue("conv-algo", "heuristic").trim();
        AlgorithmChoice choice = switch (algo) {
            case "heuristic" -> AlgorithmChoice.HEURISTIC;
            case "search" -> AlgorithmChoice.SEARCH;
            default -> throw new Command.UsageException("--conv-algo must be heuristic or search, got '" + algo + "'");
        };
        return new GpuSettings(mode, choice);
    }

    /** The non-default settings as the options that asked for them, e.g. "--math tf32 --conv-algo search". */
    private static String asOptions(GpuSettings settings) {
        StringBuilder s = new StringBuilder();
        if (settings.math() != GpuSettings.DEFAULT.math()) {
            s.append("--math ").append(settings.math().name().toLowerCase(Locale.ROOT));
        }
        if (settings.algorithms() != GpuSettings.DEFAULT.algorithms()) {
            s.append(s.isEmpty() ? "" : " ").append("--conv-algo ").append(settings.algorithms().name().toLowerCase(Locale.ROOT));
        }
        return s.toString();
    }

    private static Backend openGpu(int index, GpuSettings settings, String asked) {
        try {
            return GpuBackend.open(index, settings);
        } catch (GpuUnavailableException e) {
            throw new IllegalStateException("--device " + asked + ": " + e.getMessage(), e);
        }
    }
}
