package dcgan.train;

/** The four losses the notebook logs for one iteration. D_loss is D_real_loss + D_fake_loss. */
public record StepLosses(float dReal, float dFake, float g) {

    public float d() {
        return dReal + dFake;
    }

    public boolean finite() {
        return Float.isFinite(dReal) && Float.isFinite(dFake) && Float.isFinite(g);
    }
}
