package dcgan.cli;

import dcgan.backend.Backend;
import dcgan.backend.cpu.CpuBackend;
import dcgan.backend.gpu.GpuBackend;
import dcgan.model.ModelSpec;
import dcgan.train.Benchmark;
import dcgan.train.Hyperparameters;
import dcgan.train.OpBenchmark;
import dcgan.train.StepExecution;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.DoubleSummaryStatistics;
import java.util.Locale;

/** {@code bench}: milliseconds per training iteration and images per second. */
final class BenchCommand extends Command {

    @Override
    String name() {
        return "bench";
    }

    @Override
    String summary() {
        return "Times full training iterations (D step + G step, as in training) on synthetic images "
               + "after a warm-up and prints the median ms/iteration and images/s; on the CPU also the share "
               + "they reach of this machine's SGEMM speed, timed after each iteration.";
    }

    @Override
    Options options() {
        Options o = new Options();
        o.addOption(valued("batch-size", "N", "images per iteration (default 256 for the 28x28 model, 64 for 32x32 and "
                                              + "64x64, as in training)"));
        o.addOption(valued("iterations", "N", "timed iterations (default 10 on the CPU, 100 on a GPU)"));
        o.addOption(valued("warmup", "N", "untimed iterations first, while the JIT compiles the hot loops and cuDNN "
                                          + "sets up (default 5 on the CPU, 10 on a GPU)"));
        ModelOption.add(o, "28", "1");
        o.addOption(Option.builder().longOpt("ops").desc("time each operation at the model's shapes instead "
                + "(median of --iterations calls each)").build());
        DeviceOption.add(o);
        ExecutionOption.add(o);
        return o;
    }

    @Override
    int run(CommandLine cl, PrintStream out, PrintStream err) throws Exception {
        ModelSpec model = ModelOption.parse(cl).resolve();
        Hyperparameters hp = HyperparameterOption.parse(cl, Hyperparameters.defaults(model.family()), model);
        int batch = hp.batchSize();
        try (Backend backend = DeviceOption.open(cl, out)) {
            boolean gpu = backend instanceof GpuBackend;
            // A GPU iteration takes milliseconds: more of them give a stable median.
            int iterations = intOption(cl, "iterations", gpu ? 100 : 10, 1);
            if (cl.hasOption("ops")) {
                OpBenchmark.run(backend, model, batch, iterations, out);
                return OK;
            }
            // On the CPU the first few iterations run partly interpreted: C2 compiles the loops during them.
            int warmup = intOption(cl, "warmup", gpu ? 10 : 5, 0);
            StepExecution execution = ExecutionOption.parse(cl);
            out.println("bench: " + backend.describe() + ", batch " + batch + "; " + execution.describe() + "; "
                        + model.describe());
            // On the CPU, the anchor (the SGEMM alone) is timed after every timed iteration: both see the same
            // machine, which on a shared one changes speed from second to second.
            CpuBackend cpuBackend = backend instanceof CpuBackend c ? c : null;
            Benchmark.Result r = Benchmark.run(backend, hp, model, execution, warmup, iterations,
                    backend instanceof GpuBackend g ? g::deviceBytesInUse : null,
                    cpuBackend == null ? null : () -> cpuBackend.measureGemmGflops(2), out);
            out.printf(Locale.ROOT, "bench: %s, batch %d: %.3f ms/iteration (median of %d), %.1f images/s, %.1f GFLOP/s%n",
                    backend.describe(), batch, r.medianMillis(), iterations, r.imagesPerSecond(), r.gflops());
            if (cpuBackend != null) {
                double anchor = r.medianAnchorGflops();
                DoubleSummaryStatistics range = Arrays.stream(r.anchorGflops()).summaryStatistics();
                out.printf(Locale.ROOT, "bench: anchor, measured after each timed iteration: SGEMM 1024^3 (%s) at "
                                        + "%.1f GFLOP/s (median; %.0f to %.0f); a training iteration reaches %.0f%% of it%n",
                        cpuBackend.gemmName(), anchor, range.getMin(), range.getMax(), 100 * r.gflops() / anchor);
            }
            if (backend instanceof GpuBackend g) {
                out.printf(Locale.ROOT, "bench: peak device memory held by the trainer: %.1f MiB; in use on the "
                                        + "device while training (context, cuBLAS and cuDNN included): %.1f MiB%n",
                        g.peakBytes() / (double) (1 << 20), r.memoryInUse() / (double) (1 << 20));
            }
        }
        return OK;
    }
}
