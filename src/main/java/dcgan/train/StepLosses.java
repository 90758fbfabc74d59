package dcgan.train;

import java.util.Locale;

/** The four losses the notebook logs for one iteration. D_loss is D_real_loss + D_fake_loss. */
public record StepLosses(float dReal, float dFake, float g) {

    /** From the trainer's losses tensor: D_real, D_fake, G. */
    static StepLosses of(float[] values) {
        return new StepLosses(values[0], values[1], values[2]);
    }

    public float d() {
        return dReal + dFake;
    }

    public boolean finite() {
        return Float.isFinite(dReal) && Float.isFinite(dFake) && Float.isFinite(g);
    }

    /** e.g. "D 1.3862 (real 0.6931, fake 0.6931)  G 0.6931". */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "D %.4f (real %.4f, fake %.4f)  G %.4f", d(), dReal, dFake, g);
    }
}
