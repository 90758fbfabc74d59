package dcgan.backend.gpu;

import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcudnn.JCudnn;

/**
 * Loads JCuda's three JNI libraries, each once per JVM, and remembers why one could not be loaded. A
 * JNI library that fails in a class's static initialiser cannot be retried: later uses of the class
 * only throw NoClassDefFoundError without the cause. Keeping the first reason here lets every later
 * attempt (say, a test after the probe) report the same, useful message.
 */
final class NativeLibraries {

    private NativeLibraries() {
    }

    // Each holder class initialises on first use, so a library is loaded only when it is needed.
    private static final class Driver {
        static final String FAILURE = load(() -> JCudaDriver.setExceptionsEnabled(false));
    }

    private static final class Cublas {
        static final String FAILURE = load(() -> JCublas2.setExceptionsEnabled(false));
    }

    private static final class Cudnn {
        static final String FAILURE = load(() -> JCudnn.setExceptionsEnabled(false));
    }

    // Statuses are checked by CudaStatus, so JCuda's own exceptions stay off.
    private static String load(Runnable firstUse) {
        try {
            firstUse.run();
            return null;
        } catch (LinkageError e) {
            return GpuBackend.rootMessage(e);
        }
    }

    /** Null when the driver binding (libcuda.so.1) loaded, else why not, in one line. */
    static String driverFailure() {
        return Driver.FAILURE;
    }

    /** Null when the cuBLAS binding (libcublas.so.12) loaded, else why not. */
    static String cublasFailure() {
        return Cublas.FAILURE;
    }

    /** Null when the cuDNN binding (libcudnn.so.9) loaded, else why not. */
    static String cudnnFailure() {
        return Cudnn.FAILURE;
    }
}
