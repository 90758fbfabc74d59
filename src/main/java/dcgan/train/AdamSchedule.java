package dcgan.train;

/**
 * The host side of one network's Adam optimiser: its step counter and TensorFlow's bias-corrected
 * step size {@code lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)}. The per-parameter update runs on
 * the backend ({@link dcgan.backend.Backend#adam}).
 */
public final class AdamSchedule {

    private final float lr;
    private final float beta1;
    private final float beta2;
    private long step;

    public AdamSchedule(float lr, float beta1, float beta2) {
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
    }

    /** Advances t and returns lr_t for the new t (the first call gives t = 1). */
    public float nextStepSize() {
        step++;
        return stepSize(lr, beta1, beta2, step);
    }

    public long step() {
        return step;
    }

    /** Continues a resumed run: the next {@link #nextStepSize} is for step t + 1. */
    public void resumeAt(long t) {
        if (t < 0) {
            throw new IllegalArgumentException("Adam step must be >= 0, got " + t);
        }
        step = t;
    }

    static float stepSize(float lr, float beta1, float beta2, long t) {
        return (float) (lr * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t)));
    }
}
