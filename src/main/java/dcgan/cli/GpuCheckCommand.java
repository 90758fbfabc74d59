package dcgan.cli;

import dcgan.backend.Backend;
import dcgan.backend.ConvGeometry;
import dcgan.backend.Tensor;
import dcgan.backend.cpu.CpuBackend;
import dcgan.backend.gpu.CudaException;
import dcgan.backend.gpu.GpuBackend;
import dcgan.backend.gpu.GpuSettings;
import dcgan.backend.gpu.GpuSettings.AlgorithmChoice;
import dcgan.backend.gpu.GpuSettings.MathMode;
import dcgan.backend.gpu.GpuUnavailableException;
import dcgan.model.ModelSpec;
import dcgan.model.Layer;
import dcgan.random.CounterRng;
import dcgan.train.GanTrainer;
import dcgan.train.Hyperparameters;
import dcgan.train.StepLosses;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code gpu-check}: the GPU path from the driver to a training step, checked quickly and reported line by
 * line, for a first look at a machine. In each math mode (fp32 with heuristic algorithms, the parity mode;
 * tf32 with searched ones, the fastest) it opens the backend, lists for every convolution layer and direction
 * what cuDNN's heuristics and its search offer and what is chosen, runs one training step beside the CPU's
 * from the same seed, and runs a few steps captured as CUDA graphs beside direct ones.
 *
 * <p>Each line starts with its verdict: {@code info}, {@code ok}, {@code WARNING} (the GPU trains, but an
 * option falls back: a search that chose nothing, a capture that was refused) or {@code FAILED}; the last
 * line sums up, naming the first failing call or check. Exit status 0 when nothing failed, 1 otherwise (also
 * when no GPU is usable, with one line saying why).
 */
final class GpuCheckCommand extends Command {

    /** Largest difference allowed between the GPU's and the CPU's first-step losses, relative above 1. */
    static final double FP32_TOLERANCE = 1e-3;
    static final double TF32_TOLERANCE = 2e-2;
    /** Captured steps run the same kernels and algorithms on the same data as direct ones. */
    static final double GRAPH_TOLERANCE = 1e-4;
    /** The first step runs directly, the second is captured and replayed, the third replayed. */
    static final int GRAPH_STEPS = 3;

    @Override
    String name() {
        return "gpu-check";
    }

    @Override
    String summary() {
        return "Checks the GPU path quickly and says what it finds, one line per check: the device, driver, cuBLAS "
               + "and cuDNN versions; the PTX kernels loaded; for each convolution layer and direction the algorithms "
               + "cuDNN's heuristics and its search offer, with workspace sizes, and the one chosen; in fp32 "
               + "(heuristic algorithms) and in tf32 (searched algorithms) one training step's losses beside the "
               + "CPU's from the same seed, and whether steps capture as CUDA graphs. Each line starts with ok, "
               + "WARNING (an option falls back: a search that chose nothing, a refused capture) or FAILED; the "
               + "last line names the first failure. Exit status 0 when nothing failed, else 1 (also when no GPU "
               + "is usable, with one line saying why).";
    }

    @Override
    Options options() {
        Options o = new Options();
        o.addOption(valued("gpu", "N", "the CUDA device to check (default 0)"));
        o.addOption(valued("batch-size", "N", "batch of the training steps and of the convolutions whose algorithms "
                                              + "are listed (default as training: 256 for the 28x28 model, 64 for "
                                              + "32x32 and 64x64)"));
        ModelOption.add(o, "both 28 and 64 (each check runs for the notebook's grey 28x28 model and for the colour "
                           + "64x64 DCGAN, unless a size is given)", "1 at 28, 3 at 32 and 64");
        o.addOption(valued("seed", "S", "seed of the initial weights, the noise and the synthetic images, the same "
                                        + "on the CPU (default 1)"));
        return o;
    }

    @Override
    int run(CommandLine cl, PrintStream out, PrintStream err) throws Exception {
        int index = intOption(cl, "gpu", 0, 0);
        ModelOption.Request request = ModelOption.parse(cl);
        List<ModelSpec> models = request.imageSize() == null
                ? List.of(request.resolve(28, 1), request.resolve(64, 3))
                : List.of(request.resolve(request.imageSize(), request.imageSize() == 28 ? 1 : 3));
        long seed = longOption(cl, "seed", 1, 0);
        List<Hyperparameters> hps = new ArrayList<>();
        for (ModelSpec m : models) {
            hps.add(HyperparameterOption.parse(cl, Hyperparameters.defaults(m.family()), m));
        }
        Report report = new Report(out, String.format(Locale.ROOT, "gpu-check: GPU %d, seed %d; %s", index, seed,
                String.join("; ", models.stream().map(ModelSpec::describe).toList())));
        List<Check> checks = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            // The first model's checks keep their plain names; another's carry its label.
            String label = i == 0 ? "" : " " + label(models.get(i));
            checks.add(new Check(hps.get(i), models.get(i), label, seed, report));
        }
        Check check = checks.get(0);
        long start = System.nanoTime();
        for (GpuSettings settings : List.of(GpuSettings.DEFAULT, new GpuSettings(MathMode.TF32, AlgorithmChoice.SEARCH))) {
            String mode = settings.math().name().toLowerCase(Locale.ROOT);
            long t = System.nanoTime();
            GpuBackend gpu;
            try {
                gpu = GpuBackend.open(index, settings);
            } catch (GpuUnavailableException e) {
                if (!(e.getCause() instanceof CudaException) && check.report.empty()) {
                    err.println("gpu-check: no usable GPU: " + e.getMessage());
                    return FAILED;
                }
                check.report.fail("open " + mode, e.getMessage(), t);
                continue;
            }
            try {
                check.device(gpu, mode, settings, t);
                for (Check c : checks) {
                    c.mode(gpu, mode, settings);
                }
            } finally {
                long c = System.nanoTime();
                try {
                    gpu.close();
                } catch (RuntimeException e) {
                    check.report.fail("close " + mode, message(e), c);
                }
            }
        }
        return check.report.finish(start);
    }

    /** "dcgan64x3": a model's label in check names. */
    private static String label(ModelSpec m) {
        return (m.family() == ModelSpec.Family.NOTEBOOK ? "notebook" : "dcgan") + m.imageSize() + "x" + m.channels();
    }

    /** The checks of one model: the steps' inputs and the CPU's reference losses, computed once. */
    private static final class Check {
        final Hyperparameters hp;
        final ModelSpec model;
        final String label;
        final long seed;
        final Report report;
        final float[] images;
        private StepLosses cpuLosses;

        Check(Hyperparameters hp, ModelSpec model, String label, long seed, Report report) {
            this.hp = hp;
            this.model = model;
            this.label = label;
            this.seed = seed;
            this.report = report;
            // Synthetic images in the model's range.
            this.images = new CounterRng(seed).uniform(hp.batchSize() * model.pixelsPerImage(), model.range().low(), 1f,
                    CounterRng.STREAM_SHUFFLE, 0);
        }

        /** What is checked once per math mode, whatever the model: the device, versions and kernels, the opening. */
        void device(GpuBackend gpu, String mode, GpuSettings settings, long opened) {
            String algos = settings.algorithms() == AlgorithmChoice.SEARCH ? "searched" : "heuristic";
            if (mode.equals("fp32")) {
                attempt("device", () -> report.info(gpu.describe() + "; in use on the device (every process): "
                                                    + mib(gpu.deviceBytesInUse())));
                attempt("versions", () -> report.info("versions: " + gpu.describeVersions()));
                report.ok("kernels", gpu.describeKernels(), -1);
            }
            report.ok("open " + mode, String.format(Locale.ROOT, "backend opened with %s algorithms; it holds %s on the "
                                                                 + "device", algos, mib(gpu.liveBytes())), opened);
        }

        /** This model's checks in one math mode: the algorithms of its convolutions, a step, captured steps. */
        void mode(GpuBackend gpu, String mode, GpuSettings settings) {
            String algos = settings.algorithms() == AlgorithmChoice.SEARCH ? "searched" : "heuristic";
            for (Layer layer : convLayers(model)) {
                for (AlgorithmChoice how : AlgorithmChoice.values()) {
                    algorithms(gpu, mode, layer, how);
                }
            }
            Run direct = step(gpu, mode, algos);
            if (direct != null) {
                graph(gpu, mode, direct);
            } else {
                report.info("graph " + mode + label + ": not checked, as the direct steps failed");
            }
        }

        private void attempt(String name, Runnable r) {
            long t = System.nanoTime();
            try {
                r.run();
            } catch (RuntimeException e) {
                report.fail(name, message(e), t);
            }
        }

        private void algorithms(GpuBackend gpu, String mode, Layer layer, AlgorithmChoice how) {
            boolean transposed = layer instanceof Layer.ConvTranspose;
            ConvGeometry g = layer instanceof Layer.Conv c ? c.geometry(hp.batchSize())
                                                           : ((Layer.ConvTranspose) layer).geometry(hp.batchSize());
            String name = layer instanceof Layer.Conv c ? c.name() : ((Layer.ConvTranspose) layer).name();
            String shape = transposed ? shape(g.outShape()) + "->" + shape(g.inShape())
                                      : shape(g.inShape()) + "->" + shape(g.outShape());
            String check = "algo " + mode + label + " " + how.name().toLowerCase(Locale.ROOT) + " " + name;
            long t = System.nanoTime();
            try {
                List<String> lines = gpu.describeConvAlgorithms(g, transposed, how);
                for (String line : lines) {
                    String role = line.substring(0, line.indexOf(" (cuDNN"));
                    if (how == AlgorithmChoice.SEARCH && !line.contains("(searched)")) {
                        report.warn(check + " " + role, shape + " " + line, t);
                    } else {
                        report.ok(check, shape + " " + line, t);
                    }
                    t = -1; // the time is the layer's: shown once
                }
            } catch (RuntimeException e) {
                report.fail(check, shape + ": " + message(e), t);
            }
        }

        /**
         * {@link #GRAPH_STEPS} direct steps, the first compared with the CPU's; null when they failed (the
         * failure reported).
         */
        private Run step(GpuBackend gpu, String mode, String algos) {
            String check = "step " + mode + label;
            long t = System.nanoTime();
            try {
                Run direct = steps(gpu, false, GRAPH_STEPS);
                StepLosses g = direct.losses.get(0);
                if (cpuLosses == null) {
                    try (CpuBackend cpu = new CpuBackend(Runtime.getRuntime().availableProcessors())) {
                        cpuLosses = steps(cpu, false, 1).losses.get(0);
                    }
                }
                double diff = difference(g, cpuLosses);
                double allowed = mode.equals("fp32") ? FP32_TOLERANCE : TF32_TOLERANCE;
                String text = String.format(Locale.ROOT, "%s algorithms, batch %d, seed %d: GPU %s | CPU %s | largest "
                                                         + "difference %.1e (allowed %.0e)", algos, hp.batchSize(), seed, g, cpuLosses, diff, allowed);
                if (!g.finite()) {
                    report.fail(check, "the GPU's losses are not finite: " + text, t);
                } else if (!(diff <= allowed)) {
                    report.fail(check, "the GPU's losses differ from the CPU's: " + text, t);
                } else {
                    report.ok(check, text, t);
                }
                return direct;
            } catch (RuntimeException e) {
                report.fail(check, message(e), t);
                return null;
            }
        }

        /** The same steps captured (from the second on) and replayed, against the direct ones. */
        private void graph(GpuBackend gpu, String mode, Run direct) {
            String check = "graph " + mode + label;
            long t = System.nanoTime();
            try {
                Run captured = steps(gpu, true, GRAPH_STEPS);
                if (captured.captureFailure != null) {
                    report.warn(check, "the capture was refused, so --cuda-graphs runs steps directly here: "
                                       + message(captured.captureFailure), t);
                    return;
                }
                double diff = 0;
                for (int i = 0; i < GRAPH_STEPS; i++) {
                    diff = Math.max(diff, difference(captured.losses.get(i), direct.losses.get(i)));
                }
                String text = String.format(Locale.ROOT, "steps 2-%d captured as CUDA graphs (the D and G updates) and "
                                                         + "replayed; their losses equal the direct steps' within %.1e (allowed %.0e)",
                        GRAPH_STEPS, diff, GRAPH_TOLERANCE);
                if (diff <= GRAPH_TOLERANCE) {
                    report.ok(check, text, t);
                } else {
                    report.fail(check, "captured steps compute something else: " + text + "; captured "
                                       + captured.losses + ", direct " + direct.losses, t);
                }
            } catch (RuntimeException e) {
                report.fail(check, message(e), t);
            }
        }

        private record Run(List<StepLosses> losses, RuntimeException captureFailure) {
        }

        /** n steps of a fresh trainer from the seed, each on the same synthetic batch. */
        private Run steps(Backend backend, boolean capture, int n) {
            List<StepLosses> losses = new ArrayList<>();
            try (GanTrainer trainer = new GanTrainer(backend, hp, model, new CounterRng(seed), capture, null);
                 Tensor batch = backend.allocate(model.imageShape(hp.batchSize()))) {
                backend.upload(images, 0, batch);
                for (int i = 0; i < n; i++) {
                    trainer.step(batch);
                    losses.add(trainer.losses());
                }
                return new Run(losses, trainer.captureFailure());
            }
        }
    }

    /** The model's convolution layers, D's then G's. */
    static List<Layer> convLayers(ModelSpec model) {
        return Stream.concat(model.discriminator().stream(), model.generator().stream())
                .filter(l -> l instanceof Layer.Conv || l instanceof Layer.ConvTranspose)
                .toList();
    }

    /** Largest difference of the three losses, relative where a loss is above 1. */
    static double difference(StepLosses a, StepLosses b) {
        return Math.max(Math.max(relative(a.dReal(), b.dReal()), relative(a.dFake(), b.dFake())), relative(a.g(), b.g()));
    }

    private static double relative(float a, float b) {
        return Math.abs((double) a - b) / Math.max(1, Math.abs((double) b));
    }

    private static String shape(int[] s) {
        StringBuilder b = new StringBuilder();
        for (int d : s) {
            b.append(b.isEmpty() ? "" : "x").append(d);
        }
        return b.toString();
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20));
    }

    private static String message(Throwable e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /**
     * The report as it is printed: one line per check, {@code VERDICT  CHECK: TEXT [SECONDS s]}, and a last line
     * {@code gpu-check: OK|FAILED...}.
     */
    static final class Report {
        private final PrintStream out;
        private final String header;
        private String firstFailure;
        private final List<String> warnings = new ArrayList<>();
        private int lines;

        /** @param header the first line, printed with the first check's */
        Report(PrintStream out, String header) {
            this.out = out;
            this.header = header;
        }

        boolean empty() {
            return lines == 0;
        }

        void info(String text) {
            line("info", text, -1);
        }

        void ok(String check, String text, long startNanos) {
            line("ok", check + ": " + text, startNanos);
        }

        void warn(String check, String text, long startNanos) {
            warnings.add(check);
            line("WARNING", check + ": " + text, startNanos);
        }

        void fail(String check, String text, long startNanos) {
            if (firstFailure == null) {
                firstFailure = check + ": " + text;
            }
            line("FAILED", check + ": " + text, startNanos);
        }

        private void line(String verdict, String text, long startNanos) {
            if (lines++ == 0) {
                out.println(header);
            }
            out.printf(Locale.ROOT, "%-8s %s%s%n", verdict, text, startNanos < 0 ? "" : seconds(startNanos));
        }

        private static String seconds(long startNanos) {
            return String.format(Locale.ROOT, " [%.1f s]", (System.nanoTime() - startNanos) / 1e9);
        }

        /** Prints the last line; the exit status. */
        int finish(long startNanos) {
            if (firstFailure != null) {
                out.println("gpu-check: FAILED: " + firstFailure + seconds(startNanos));
                return FAILED;
            }
            String named = String.join("; ", warnings.subList(0, Math.min(3, warnings.size())))
                           + (warnings.size() > 3 ? "; and " + (warnings.size() - 3) + " more" : "");
            out.println("gpu-check: OK" + (warnings.isEmpty() ? "" : ", " + warnings.size() + " warning"
                    + (warnings.size() == 1 ? "" : "s") + ": " + named) + seconds(startNanos));
            return OK;
        }
    }
}
