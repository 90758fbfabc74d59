package dcgan.backend;

/**
 * Backend work recorded once by {@link Backend#capture} and done again by each {@link #replay}: on the GPU a
 * CUDA graph, launched with one call instead of one launch per operation; on the CPU the work itself.
 */
public interface CapturedWork extends AutoCloseable {

    /** Queues the recorded work again, on the same tensors. */
    void replay();

    @Override
    void close();

    /** Work that is simply run again on each replay: what a backend without graphs captures. */
    static CapturedWork rerun(Runnable work) {
        return new CapturedWork() {
            @Override
            public void replay() {
                work.run();
            }

            @Override
            public void close() {
            }
        };
    }
}
