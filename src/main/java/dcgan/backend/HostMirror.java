package dcgan.backend;

/**
 * A host copy of a small tensor that can be refreshed without waiting for the backend: {@link #refresh}
 * queues the copy behind the work queued so far, and {@link #values} waits for that copy only when the
 * values are needed. A trainer reads its losses this way while the next step already runs.
 */
public interface HostMirror extends AutoCloseable {

    /** Queues a copy of the tensor as it will be once the work queued so far has run. */
    void refresh();

    /**
     * Waits for the latest {@link #refresh} and returns what it copied. The array belongs to the mirror:
     * the next refresh may overwrite it.
     */
    float[] values();

    @Override
    void close();

    /** A mirror that copies at once: what a synchronous backend does. */
    static HostMirror immediate(Backend backend, Tensor src) {
        float[] copy = new float[src.size()];
        return new HostMirror() {
            @Override
            public void refresh() {
                backend.download(src, copy, 0);
            }

            @Override
            public float[] values() {
                return copy;
            }

            @Override
            public void close() {
            }
        };
    }
}
