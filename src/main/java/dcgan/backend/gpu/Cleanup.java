package dcgan.backend.gpu;

/** Releasing native resources on the way out of a failure, without losing the failure. */
final class Cleanup {

    private Cleanup() {
    }

    /**
     * Closes what a failing constructor or setup made, in the order given, adding any error of its own
     * to the failure as suppressed: the failure stays the error to report.
     */
    static void afterFailure(Throwable failure, AutoCloseable... made) {
        for (AutoCloseable c : made) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception | LinkageError e) {
                    failure.addSuppressed(e);
                }
            }
        }
    }
}
