package dcgan.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The scorer's loss against its definition, and its gradient against central finite differences in double. */
class SoftmaxCrossEntropyTest {

    private static double loss(double[] logits, int[] labels, int classes) {
        double sum = 0;
        for (int r = 0; r < labels.length; r++) {
            double total = 0;
            for (int k = 0; k < classes; k++) {
                total += Math.exp(logits[r * classes + k]);
            }
            sum += -Math.log(Math.exp(logits[r * classes + labels[r]]) / total);
        }
        return sum / labels.length;
    }

    @Test
    void lossAndGradientMatchTheDefinitionAndFiniteDifferences() {
        int rows = 3;
        int classes = 10;
        float[] logits = new float[rows * classes];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) Math.sin(1.7 * i) * 4;
        }
        logits[5] = 60f; // large enough to overflow exp() without the shift
        int[] labels = {5, 0, 9};
        float[] gradient = new float[logits.length];
        double got = SoftmaxCrossEntropy.lossAndGradient(logits, labels, gradient);
        double[] exact = new double[logits.length];
        for (int i = 0; i < exact.length; i++) {
            exact[i] = logits[i];
        }
        exact[5] = 0; // the definition overflows at 60: shift row 0 by its max instead (the loss is shift-invariant)
        for (int k = 0; k < classes; k++) {
            exact[k] = logits[k] - 60.0;
        }
        assertEquals(loss(exact, labels, classes), got, 1e-6);
        double h = 1e-4;
        for (int i = classes; i < logits.length; i++) { // rows 1 and 2, whose definition does not overflow
            double[] plus = exact.clone();
            double[] minus = exact.clone();
            plus[i] += h;
            minus[i] -= h;
            double numeric = (loss(plus, labels, classes) - loss(minus, labels, classes)) / (2 * h);
            assertEquals(numeric, gradient[i], 1e-6, "d loss / d logit " + i);
        }
        float[] probabilities = {1f, 2f, 3f};
        SoftmaxCrossEntropy.softmaxInPlace(probabilities, 0, 3);
        assertEquals(1.0, probabilities[0] + probabilities[1] + probabilities[2], 1e-6);
        assertEquals(Math.exp(1) / (Math.exp(1) + Math.exp(2) + Math.exp(3)), probabilities[0], 1e-6);
    }
}
