package dcgan.backend.gpu;

import dcgan.backend.gpu.ConvAlgorithmRanking.Candidate;
import dcgan.backend.gpu.CudnnConvolution.Choice;
import dcgan.backend.gpu.CudnnConvolution.Direction;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgo;
import jcuda.jcudnn.cudnnConvolutionBwdFilterAlgo;
import jcuda.jcudnn.cudnnConvolutionFwdAlgo;
import jcuda.jcudnn.cudnnMathType;

import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/**
 * What cuDNN offered for one convolution direction and what the layer chose, as one line of
 * {@code gpu-check}'s report. Plain formatting of a {@link Choice}, so that it is tested without a GPU.
 *
 * <p>An entry reads {@code 1:IMPLICIT_PRECOMP_GEMM 0.512 ms det ws 4.0 KiB}: cuDNN's algorithm number and
 * name, the time a search measured (heuristic lists have none), deterministic or not, {@code tensor-op}
 * when it runs on tensor cores, and its workspace; a failed entry shows its status instead.
 */
final class ConvAlgorithmReport {

    private ConvAlgorithmReport() {
    }

    /**
     * One line: {@code ROLE (cuDNN DIRECTION): [search ...;] [heuristics offered ...;] chose ENTRY (HOW), MATH,
     * workspace SIZE}.
     *
     * @param role       what the direction computes for the layer (a transposed convolution's forward is
     *                   cuDNN's backward data)
     * @param statusName the name of a cuDNN status, e.g. CUDNN_STATUS_NOT_SUPPORTED for 3000
     */
    static String describe(Choice c, String role, IntFunction<String> statusName) {
        StringBuilder s = new StringBuilder(role).append(" (cuDNN ").append(c.direction().label).append("): ");
        String how;
        if (c.measured() == null) {
            how = "heuristic";
        } else if (c.searchFailure() == null) {
            how = "searched";
        } else {
            how = "heuristic, as the search chose nothing";
        }
        if (c.measured() != null) {
            if (c.measured().isEmpty() && c.searchFailure() != null) {
                s.append("search FAILED: ").append(c.searchFailure()).append("; ");
            } else {
                s.append("search measured ").append(entries(c.direction(), c.measured(), statusName)).append("; ");
                if (c.searchFailure() != null) {
                    s.append("but ").append(c.searchFailure()).append("; ");
                }
            }
        }
        if (c.ranked() != null) {
            s.append("heuristics offered ").append(entries(c.direction(), c.ranked(), statusName)).append("; ");
        }
        return s.append("chose ").append(algorithm(c.direction(), c.chosen().algo())).append(" (").append(how)
                .append("), ").append(mathName(c.mathType())).append(", workspace ").append(bytes(c.workspaceBytes()))
                .toString();
    }

    private static String entries(Direction d, List<Candidate> list, IntFunction<String> statusName) {
        if (list.isEmpty()) {
            return "nothing";
        }
        return list.stream().map(c -> entry(d, c, statusName)).collect(Collectors.joining(", "));
    }

    static String entry(Direction d, Candidate c, IntFunction<String> statusName) {
        StringBuilder s = new StringBuilder(algorithm(d, c.algo()));
        if (!c.succeeded()) {
            return s.append(' ').append(statusName.apply(c.status())).append(" (").append(c.status()).append(')')
                    .toString();
        }
        if (c.time() >= 0) {
            s.append(String.format(Locale.ROOT, " %.3f ms", c.time()));
        }
        s.append(c.deterministic() ? " det" : " nondet");
        if (c.tensorOps()) {
            s.append(" tensor-op");
        }
        return s.append(" ws ").append(bytes(c.memory())).toString();
    }

    /**
     * e.g. "1:IMPLICIT_PRECOMP_GEMM", or "0:ALGO_0" for cuDNN's numbered backward algorithms; a number the
     * bindings do not know stays a number.
     */
    static String algorithm(Direction d, int algo) {
        String full = switch (d) {
            case FORWARD -> cudnnConvolutionFwdAlgo.stringFor(algo);
            case BACKWARD_DATA -> cudnnConvolutionBwdDataAlgo.stringFor(algo);
            case BACKWARD_FILTER -> cudnnConvolutionBwdFilterAlgo.stringFor(algo);
        };
        int algoAt = full.indexOf("_ALGO_");
        if (!full.startsWith("CUDNN_") || algoAt < 0) {
            return String.valueOf(algo);
        }
        String name = full.substring(algoAt + "_ALGO_".length());
        return algo + ":" + (name.chars().allMatch(Character::isDigit) ? "ALGO_" + name : name);
    }

    /** e.g. "FMA_MATH" for CUDNN_FMA_MATH. */
    static String mathName(int mathType) {
        String full = cudnnMathType.stringFor(mathType);
        return full.startsWith("CUDNN_") ? full.substring("CUDNN_".length()) : "math type " + mathType;
    }

    /** e.g. "0 B", "512 B", "4.0 KiB", "1.5 MiB". */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1L << 20) {
            return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        }
        if (n < 1L << 30) {
            return String.format(Locale.ROOT, "%.1f MiB", n / (double) (1L << 20));
        }
        return String.format(Locale.ROOT, "%.2f GiB", n / (double) (1L << 30));
    }
}
