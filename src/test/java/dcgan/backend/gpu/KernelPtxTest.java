package dcgan.backend.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks the committed PTX of our own kernels without a GPU: every {@code kernels/NAME.cu} has a
 * {@code /kernels/NAME.ptx} on the classpath that CUDA 12 drivers can load (PTX ISA at most 8.0,
 * {@code .target} at most sm_75), that declares the kernels the GPU backend looks up by name, and that
 * was generated from the current source (the SHA-256 recorded by {@code kernels/build.sh}).
 */
class KernelPtxTest {

    /** The kernel names per source file: the contract with the Java side (cuModuleGetFunction). */
    static final Map<String, List<String>> ENTRIES = Map.of(
            "leaky_relu", List.of("leaky_relu_forward", "leaky_relu_backward"),
            "relu", List.of("relu_forward", "relu_backward"),
            "sigmoid", List.of("sigmoid_forward", "sigmoid_backward"),
            "tanh", List.of("tanh_forward", "tanh_backward"),
            "sigmoid_cross_entropy", List.of("sigmoid_cross_entropy"),
            "adam", List.of("adam_step"),
            "philox", List.of("philox_uniform", "philox_normal"));

    /** PTX ISA 8.0 is CUDA 12.0's: the newest every CUDA 12 driver accepts. */
    private static final int MAX_ISA_MAJOR = 8;
    private static final int MAX_ISA_MINOR = 0;
    private static final int MAX_TARGET_SM = 75;

    private static final Path SOURCES = Path.of("kernels");
    private static final String REBUILD = "; run kernels/build.sh (needs nvcc) and commit the regenerated .ptx";

    private static final Pattern VERSION = Pattern.compile("(?m)^\\s*\\.version\\s+(\\d+)\\.(\\d+)\\s*$");
    private static final Pattern TARGET = Pattern.compile("(?m)^\\s*\\.target\\s+sm_(\\d+)[a-z]?\\s*$");

    static Stream<String> sourceNames() throws IOException {
        try (Stream<Path> files = Files.list(SOURCES)) {
            List<String> names = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".cu"))
                    .map(n -> n.substring(0, n.length() - ".cu".length()))
                    .sorted()
                    .toList();
            assertFalse(names.isEmpty(), "no .cu files in " + SOURCES.toAbsolutePath());
            return names.stream();
        }
    }

    private static String ptx(String name) throws IOException {
        try (InputStream in = KernelPtxTest.class.getResourceAsStream("/kernels/" + name + ".ptx")) {
            assertNotNull(in, "/kernels/" + name + ".ptx is not on the classpath (no kernels/" + name + ".ptx?)" + REBUILD);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest
    @MethodSource("sourceNames")
    void ptxIsLoadableByCuda12Drivers(String name) throws IOException {
        String ptx = ptx(name);
        Matcher v = VERSION.matcher(ptx);
        assertTrue(v.find(), name + ".ptx has no .version line");
        int major = Integer.parseInt(v.group(1));
        int minor = Integer.parseInt(v.group(2));
        assertFalse(v.find(), name + ".ptx has more than one .version line");
        assertTrue(major < MAX_ISA_MAJOR || (major == MAX_ISA_MAJOR && minor <= MAX_ISA_MINOR),
                name + ".ptx declares PTX ISA " + major + "." + minor + ", newer than " + MAX_ISA_MAJOR + "."
                + MAX_ISA_MINOR + " (CUDA 12 drivers would refuse it)" + REBUILD);

        Matcher t = TARGET.matcher(ptx);
        assertTrue(t.find(), name + ".ptx has no .target sm_XX line");
        int sm = Integer.parseInt(t.group(1));
        assertTrue(sm <= MAX_TARGET_SM, name + ".ptx targets sm_" + sm + ", newer than sm_" + MAX_TARGET_SM + REBUILD);
    }

    @ParameterizedTest
    @MethodSource("sourceNames")
    void ptxIsGeneratedFromTheCurrentSource(String name) throws IOException, NoSuchAlgorithmException {
        String source = "kernels/" + name + ".cu";
        Matcher m = Pattern.compile("(?m)^// source-sha256: ([0-9a-f]{64}) " + Pattern.quote(source) + "\\s*$")
                .matcher(ptx(name));
        assertTrue(m.find(), name + ".ptx records no '// source-sha256: <hex> " + source + "' line" + REBUILD);
        String actual = HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(SOURCES.resolve(name + ".cu"))));
        assertEquals(m.group(1), actual, name + ".ptx is stale: it was generated from another version of " + source
                + REBUILD);
    }

    @Test
    void everyContractedKernelIsDeclared() throws IOException {
        for (Map.Entry<String, List<String>> e : ENTRIES.entrySet()) {
            String name = e.getKey();
            assertTrue(Files.isRegularFile(SOURCES.resolve(name + ".cu")), "kernels/" + name + ".cu is missing");
            String ptx = ptx(name);
            for (String entry : e.getValue()) {
                if (!Pattern.compile("(?m)^\\s*\\.visible\\s+\\.entry\\s+" + Pattern.quote(entry) + "\\s*\\(")
                        .matcher(ptx).find()) {
                    fail(name + ".ptx declares no '.visible .entry " + entry + "(' (extern \"C\" __global__ "
                         + entry + " in kernels/" + name + ".cu?)");
                }
            }
        }
    }
}
