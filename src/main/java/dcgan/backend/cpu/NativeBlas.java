package dcgan.backend.cpu;

import java.util.Optional;

/**
 * Whether OpenBLAS's native library loads in this JVM. It is tried once, on first use, and the answer kept:
 * a JVM cannot unload a native library, nor load one that failed on a second try.
 */
final class NativeBlas {

    private NativeBlas() {
    }

    private static final class Loaded {
        static final Optional<String> PROBLEM = load(() -> OpenBlasGemm.loadLibrary());
    }

    /** Why OpenBLAS cannot be used here, or empty when it loaded. */
    static Optional<String> problem() {
        return Loaded.PROBLEM;
    }

    /**
     * Runs {@code loader}; a failure (no native library for this platform or CPU, JavaCPP missing from the
     * class path, a library that does not link) becomes its reason, in one line.
     */
    static Optional<String> load(Runnable loader) {
        try {
            loader.run();
            return Optional.empty();
        } catch (LinkageError | RuntimeException e) {
            return Optional.of(oneLine(e));
        }
    }

    private static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getName() : root.getClass().getSimpleName() + ": " + root.getMessage();
        String line = message.lines().findFirst().orElse(message).strip();
        return line.length() > 200 ? line.substring(0, 197) + "..." : line;
    }
}
