package dcgan.model;

/**
 * Which parameter gradients a backward pass produces. The D step wants D's gradients (the fake half
 * added to the real half); the G step backpropagates through D for its input gradient only.
 */
public enum Gradients {
    /** Input gradients only; parameter gradients untouched. */
    NONE(false, false),
    /** Overwrite the parameter gradients. */
    WRITE(true, false),
    /** Add to the parameter gradients. */
    ACCUMULATE(true, true);

    private final boolean params;
    private final boolean accumulate;

    Gradients(boolean params, boolean accumulate) {
        this.params = params;
        this.accumulate = accumulate;
    }

    boolean params() {
        return params;
    }

    boolean accumulate() {
        return accumulate;
    }
}
