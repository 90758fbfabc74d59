package dcgan.cli;

import dcgan.backend.cpu.CpuGemm;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code --cpu-gemm}: the two choices, a typo, its help, and the fallback where OpenBLAS cannot load, seen
 * in a second JVM told that it runs on a platform the build carries no OpenBLAS library for.
 */
class CpuGemmOptionTest {

    private static final String[] TINY_BENCH = {"bench", "--device", "cpu", "--threads", "1", "--batch-size", "2",
                                                "--iterations", "1", "--warmup", "0"};

    private static String[] tinyBench(String... more) {
        List<String> args = new ArrayList<>(List.of(TINY_BENCH));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void benchNamesTheGemmItRanInItsFirstLineAndInTheAnchor() {
        CliRun java = CliRun.of(tinyBench("--cpu-gemm", "java"));
        assertEquals(0, java.status(), java.err());
        assertTrue(java.out().startsWith("bench: cpu (1 thread, Java SGEMM), batch 2;"), java.out());
        assertTrue(java.out().contains("bench: anchor, measured after each timed iteration: SGEMM 1024^3 (Java) at "), java.out());

        assumeTrue(CpuGemm.openBlasProblem().isEmpty(), "OpenBLAS cannot load here");
        CliRun openblas = CliRun.of(tinyBench("--cpu-gemm", "openblas"));
        assertEquals(0, openblas.status(), openblas.err());
        assertTrue(openblas.out().startsWith("bench: cpu (1 thread, OpenBLAS SGEMM), batch 2;"), openblas.out());
        assertTrue(openblas.out().contains("SGEMM 1024^3 (OpenBLAS) at "), openblas.out());
        CliRun byDefault = CliRun.of(TINY_BENCH);
        assertEquals(0, byDefault.status(), byDefault.err());
        assertTrue(byDefault.out().startsWith("bench: cpu (1 thread, OpenBLAS SGEMM)"), "OpenBLAS by default: " + byDefault.out());
    }

    @Test
    void anUnknownGemmIsAUsageErrorNamingTheChoices() {
        CliRun o = CliRun.of("train", "--cpu-gemm", "mkl");
        assertEquals(2, o.status());
        assertTrue(o.err().contains("--cpu-gemm must be openblas or java, got 'mkl'"), o.err());
    }

    @Test
    void everyComputingCommandOffersItInItsHelp() {
        for (String command : List.of("train", "generate", "bench")) {
            String help = CliRun.of(command, "--help").out().replaceAll("\\s+", " ");
            assertTrue(help.contains("--cpu-gemm <NAME>") && help.contains("openblas (default where its native library loads")
                       && help.contains("or java (the pure-Java SGEMM"), command + " help:\n" + help);
        }
    }

    @Test
    void withoutAnOpenBlasLibraryItSaysSoOnceAndMultipliesInJava() throws Exception {
        // JavaCPP looks for the natives of the platform this property names; the build carries linux-x86_64 only.
        Result fallback = runInAnotherJvm("-Dorg.bytedeco.javacpp.platform=linux-arm64", TINY_BENCH);
        assertEquals(0, fallback.status(), fallback.output());
        List<String> notes = fallback.output().lines().filter(l -> l.contains("OpenBLAS")).toList();
        assertEquals(1, notes.size(), "one line about OpenBLAS: " + fallback.output());
        assertTrue(notes.get(0).startsWith("cpu: OpenBLAS unavailable (") && notes.get(0).contains("jniopenblas_nolapack")
                   && notes.get(0).endsWith("); multiplying with the Java SGEMM"), notes.get(0));
        assertTrue(fallback.output().contains("bench: cpu (1 thread, Java SGEMM), batch 2;"), fallback.output());

        Result asked = runInAnotherJvm("-Dorg.bytedeco.javacpp.platform=linux-arm64", tinyBench("--cpu-gemm", "openblas"));
        assertEquals(1, asked.status(), asked.output());
        assertTrue(asked.output().strip().startsWith("error: --cpu-gemm openblas: OpenBLAS is unavailable: ")
                   && asked.output().strip().lines().count() == 1, "one error line: " + asked.output());
    }

    private record Result(int status, String output) {
    }

    private static Result runInAnotherJvm(String property, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), property,
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "the second JVM did not finish");
        return new Result(p.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
