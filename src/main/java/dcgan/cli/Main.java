package dcgan.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;

/**
 * {@code dcgan <command> [options]}: the entry point behind run.sh. Exit status 0 on success, 1 when the
 * work fails (bad data, I/O), 2 for a bad command line.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            usage(args.length == 0 ? err : out);
            return args.length == 0 ? 2 : 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        Command command = switch (args[0]) {
            case "train" -> new TrainCommand();
            case "bench" -> new BenchCommand();
            case "generate" -> new GenerateCommand();
            case "evaluate" -> new EvaluateCommand();
            case "gpu-check" -> new GpuCheckCommand();
            default -> null;
        };
        if (command == null) {
            err.println("error: unknown command '" + args[0] + "'");
            usage(err);
            return 2;
        }
        return command.execute(rest, out, err);
    }

    private static void usage(PrintStream s) {
        s.println("usage: run.sh <command> [options]");
        s.println();
        s.println("commands:");
        s.println("  train      train the DCGAN on MNIST (sample grids, metrics.csv, TensorBoard events, checkpoints)");
        s.println("  generate   draw images from a checkpoint's generator (PNG grid, NumPy .npy)");
        s.println("  evaluate   score a generator's digits: Frechet distance, classifier score, class histogram");
        s.println("  bench      time training iterations on synthetic data");
        s.println("  gpu-check  check the GPU path quickly and say what it finds (versions, cuDNN algorithms, a step)");
        s.println();
        s.println(String.format(Locale.ROOT, "'run.sh <command> --help' lists a command's options."));
    }
}
