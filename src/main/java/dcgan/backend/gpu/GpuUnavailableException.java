package dcgan.backend.gpu;

/**
 * No usable GPU: a native library is missing, the driver is too old, or there is no CUDA device. The
 * message is one line saying which and pointing to native-libs.md; {@code --device auto} prints it and
 * falls back to the CPU.
 */
public final class GpuUnavailableException extends Exception {

    GpuUnavailableException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
