package dcgan.eval;

/**
 * The classifier's loss, on the host: the softmax of each row of logits, the mean cross-entropy against
 * the labels, and its gradient. Ten logits per image make this a negligible part of a step, so it needs no
 * backend operation of its own.
 */
final class SoftmaxCrossEntropy {

    private SoftmaxCrossEntropy() {
    }

    /**
     * The mean over rows of {@code -log softmax(logits)[label]}, and its gradient {@code (softmax - onehot) / rows}
     * into {@code gradient}.
     */
    static double lossAndGradient(float[] logits, int[] labels, float[] gradient) {
        int rows = labels.length;
        int classes = logits.length / rows;
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            int from = r * classes;
            double logTotal = logSumExp(logits, from, classes);
            sum += logTotal - logits[from + labels[r]];
            for (int k = 0; k < classes; k++) {
                double p = Math.exp(logits[from + k] - logTotal);
                gradient[from + k] = (float) ((p - (k == labels[r] ? 1 : 0)) / rows);
            }
        }
        return sum / rows;
    }

    /** Replaces {@code v[from .. from + n)} by its softmax. */
    static void softmaxInPlace(float[] v, int from, int n) {
        double logTotal = logSumExp(v, from, n);
        for (int k = 0; k < n; k++) {
            v[from + k] = (float) Math.exp(v[from + k] - logTotal);
        }
    }

    /** {@code log(sum(exp(v[from .. from + n))))}, shifted by the largest value so that nothing overflows. */
    private static double logSumExp(float[] v, int from, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < n; k++) {
            max = Math.max(max, v[from + k]);
        }
        double total = 0;
        for (int k = 0; k < n; k++) {
            total += Math.exp(v[from + k] - max);
        }
        return max + Math.log(total);
    }
}
