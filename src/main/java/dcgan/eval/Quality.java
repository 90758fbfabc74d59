package dcgan.eval;

import java.util.Locale;

/**
 * How good a set of samples is, by the scorer's measures (docs/quality.md).
 *
 * @param count          samples scored
 * @param fd             Frechet distance between the samples' features and the held-out real images' (0 for
 *                       the real data; lower is better)
 * @param score          classifier score, {@code exp(mean KL(p(y|x) || p(y)))}: at most the number of classes
 *                       (10 for digits), for confident predictions spread evenly over the classes
 * @param histogram      how many samples the scorer puts in each class
 * @param tvFromUniform  total variation distance of that histogram from uniform: 0 when even, 0.9 when every
 *                       sample is one of ten classes (mode collapse)
 * @param scorerAccuracy the scorer's accuracy on the held-out real images
 * @param referenceCount held-out real images compared with
 */
public record Quality(int count, double fd, double score, int[] histogram, double tvFromUniform, double scorerAccuracy,
                      int referenceCount) {

    /** The measures of {@code count} samples, given their FD and class probabilities ({@code count x classes}). */
    static Quality of(double fd, float[] probabilities, int count, int classes, double accuracy, int referenceCount) {
        double[] marginal = new double[classes];
        int[] histogram = new int[classes];
        for (int i = 0; i < count; i++) {
            for (int k = 0; k < classes; k++) {
                marginal[k] += probabilities[i * classes + k];
            }
            histogram[Scorer.argmax(probabilities, i * classes, classes)]++;
        }
        for (int k = 0; k < classes; k++) {
            marginal[k] /= count;
        }
        double kl = 0;
        for (int i = 0; i < count; i++) {
            for (int k = 0; k < classes; k++) {
                double p = probabilities[i * classes + k];
                if (p > 0) {
                    kl += p * Math.log(p / marginal[k]);
                }
            }
        }
        double tv = 0;
        for (int k = 0; k < classes; k++) {
            tv += Math.abs(histogram[k] / (double) count - 1.0 / classes);
        }
        return new Quality(count, fd, Math.exp(kl / count), histogram, tv / 2, accuracy, referenceCount);
    }

    /** The four figures, one per line. */
    public String report() {
        StringBuilder classes = new StringBuilder();
        for (int k = 0; k < histogram.length; k++) {
            classes.append(k == 0 ? "" : " ").append(k).append(':').append(histogram[k]);
        }
        return String.format(Locale.ROOT, "FD %.3f  (Frechet distance of the scorer's features to %d held-out real "
                        + "images; 0 for real data, lower is better)%n"
                        + "classifier score %.3f  (%d at most)%n"
                        + "classes %s  (%.3f from uniform, total variation)%n"
                        + "scorer accuracy %.2f%% on the held-out real images",
                fd, referenceCount, score, histogram.length, classes, tvFromUniform, 100 * scorerAccuracy);
    }
}
