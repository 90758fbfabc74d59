package dcgan.backend.cpu;

import java.util.Locale;
import java.util.Optional;

/** Which matrix multiply the CPU backend uses (the {@code --cpu-gemm} option). */
public enum CpuGemm {

    /** OpenBLAS, through JavaCPP's preset: native, multi-threaded by the backend, the faster. */
    OPENBLAS,
    /** {@link Sgemm}, pure Java: runs on any JVM. */
    JAVA;

    /** The option value naming this GEMM: "openblas" or "java". */
    public String optionValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The GEMM an option value names, or empty for anything else. */
    public static Optional<CpuGemm> parse(String value) {
        for (CpuGemm g : values()) {
            if (g.optionValue().equals(value)) {
                return Optional.of(g);
            }
        }
        return Optional.empty();
    }

    /** OpenBLAS when its native library loads in this JVM, else the Java SGEMM. */
    public static CpuGemm preferred() {
        return openBlasProblem().isEmpty() ? OPENBLAS : JAVA;
    }

    /**
     * Why OpenBLAS cannot be used in this JVM, in one line (e.g. no native library for this platform), or
     * empty when it can. The library is loaded on the first call.
     */
    public static Optional<String> openBlasProblem() {
        return NativeBlas.problem();
    }
}
