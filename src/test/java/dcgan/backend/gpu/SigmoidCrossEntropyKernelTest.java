package dcgan.backend.gpu;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dcgan.backend.Tensor;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * kernels/sigmoid_cross_entropy.cu against the CPU: the mean loss (one block's reduction) and the
 * gradient, for the batch the model uses, a batch larger than the kernel's one block of 256 threads,
 * and a tiny one.
 */
@Tag("gpu")
class SigmoidCrossEntropyKernelTest extends CpuVsGpuFixture {

    private static final double TOL = 1e-5;
    private static final int LOSS_INDEX = 1;
    // The loss goes to one slot of a small tensor that holds other losses: those must survive.
    private static final float[] LOSS_PREFILL = {-7.25f, Float.NaN, 1234.5f};

    @ParameterizedTest(name = "label {0}, n {1}")
    @CsvSource({"1, 256", "0, 256", "1, 1000", "0, 1000", "1, 3", "0, 3"})
    void lossAndGradientMatchCpu(float label, int n) {
        Inputs in = Inputs.fresh();
        String what = in.label("sigmoid cross-entropy, label " + label + ", n " + n);
        // Wide logits: confident right and wrong answers, where log1p(exp(-|x|)) and the stable sigmoid matter.
        float[] x = in.gaussian(n, 6);
        x[0] = 40f;
        x[n - 1] = -40f;
        Twin logits = twin(x, n, 1);
        Twin dLogits = nanTwin(n, 1);
        Twin loss = twin(LOSS_PREFILL, LOSS_PREFILL.length);
        onBoth(b -> b.sigmoidCrossEntropy(logits.on(b), label, dLogits.on(b), loss.on(b), LOSS_INDEX));

        assertTwinClose(what + ": dLogits", dLogits, TOL);
        float[] expected = loss.expected();
        float[] actual = loss.actual();
        GpuTestSupport.assertClose(what + ": loss", new float[] {expected[LOSS_INDEX]}, new float[] {actual[LOSS_INDEX]},
                TOL);
        for (int i = 0; i < LOSS_PREFILL.length; i++) {
            if (i != LOSS_INDEX) {
                GpuTestSupport.assertBitIdentical(what + ": loss slot " + i + " (not the target, must stay untouched)",
                        new float[] {LOSS_PREFILL[i]}, new float[] {actual[i]});
            }
        }
        assertUntouched(what + ": logits", logits, x);
    }

    @Test
    void gradientOverTheLogitsIsRefused() {
        Tensor logits = closeLater(GpuTestSupport.tensor(gpu, new float[] {0.5f, -1f, 2f}, 3, 1));
        Tensor loss = closeLater(gpu.allocate(1));
        assertThrows(IllegalArgumentException.class, () -> gpu.sigmoidCrossEntropy(logits, 1f, logits, loss, 0));
        // A view of the same storage at the same start is the same tensor as far as the kernel is concerned.
        Tensor alias = closeLater(gpu.view(logits, 0, 3, 1));
        assertThrows(IllegalArgumentException.class, () -> gpu.sigmoidCrossEntropy(logits, 0f, alias, loss, 0));
    }
}
