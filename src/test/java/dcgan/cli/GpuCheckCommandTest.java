package dcgan.cli;

import dcgan.model.ModelSpec;
import dcgan.backend.gpu.GpuTestSupport;
import dcgan.model.Layer;
import dcgan.train.StepLosses;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code gpu-check} without a GPU: its help, its one line when no GPU is usable, and the report's verdicts.
 * What it finds on a GPU (or against dev/fake-cuda) is checked by dev/fake-cuda/device-check-smoke.sh.
 */
class GpuCheckCommandTest {

    @Test
    void itIsListedAndItsHelpSaysWhatItChecksAndHowItExits() {
        assertTrue(CliRun.of("--help").out().contains("gpu-check"));
        CliRun help = CliRun.of("gpu-check", "--help");
        assertEquals(0, help.status());
        String text = help.out().replaceAll("\\s+", " ");
        for (String s : List.of("--gpu <N>", "--batch-size <N>", "--seed <S>", "cuBLAS and cuDNN versions",
                "heuristics and its search offer, with workspace sizes", "beside the CPU's from the same seed",
                "CUDA graphs", "Exit status 0 when nothing failed, else 1")) {
            assertTrue(text.contains(s), "help lacks '" + s + "':\n" + help.out());
        }
    }

    @Test
    void withoutAUsableGpuItSaysWhyInOneLineAndExits1() {
        String reason = GpuTestSupport.unavailableReason();
        assumeTrue(reason != null, "this machine has a working GPU; the no-GPU message cannot be seen here");
        CliRun o = CliRun.of("gpu-check");
        assertEquals(1, o.status());
        assertEquals("gpu-check: no usable GPU: " + reason, o.err().strip());
        assertEquals("", o.out());
    }

    @Test
    void badOptionsAreUsageErrors() {
        CliRun o = CliRun.of("gpu-check", "--batch-size", "1");
        assertEquals(2, o.status());
        assertTrue(o.err().contains("--batch-size must be at least 2, got 1"), o.err());
    }

    private static String report(java.util.function.Consumer<GpuCheckCommand.Report> lines, int[] status) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        GpuCheckCommand.Report r = new GpuCheckCommand.Report(new PrintStream(bytes, true, StandardCharsets.UTF_8), "HEADER");
        lines.accept(r);
        status[0] = r.finish(System.nanoTime());
        return bytes.toString(StandardCharsets.UTF_8).replaceAll(" \\[\\d+\\.\\d s]", "");
    }

    @Test
    void theLastLineNamesTheFirstFailureOrTheWarnings() {
        int[] status = new int[1];
        assertEquals("HEADER\nok       open fp32: fine\ngpu-check: OK\n", report(r -> r.ok("open fp32", "fine", System.nanoTime()), status));
        assertEquals(0, status[0]);

        String warned = report(r -> {
            r.info("a device");
            r.warn("graph tf32", "the capture was refused", -1);
            r.warn("algo tf32 search G.d4 forward", "search FAILED", -1);
        }, status);
        assertEquals("HEADER\ninfo     a device\nWARNING  graph tf32: the capture was refused\n"
                     + "WARNING  algo tf32 search G.d4 forward: search FAILED\n"
                     + "gpu-check: OK, 2 warnings: graph tf32; algo tf32 search G.d4 forward\n", warned);
        assertEquals(0, status[0]);

        String many = report(r -> {
            for (int i = 1; i <= 5; i++) {
                r.warn("w" + i, "x", -1);
            }
        }, status);
        assertTrue(many.endsWith("\ngpu-check: OK, 5 warnings: w1; w2; w3; and 2 more\n"), many);

        String failed = report(r -> {
            r.ok("open fp32", "fine", -1);
            r.fail("step fp32", "cuMemAlloc(42 bytes) failed: CUDA_ERROR_OUT_OF_MEMORY (2)", -1);
            r.fail("step tf32", "another", -1);
            r.warn("graph tf32", "refused", -1);
        }, status);
        assertTrue(failed.endsWith("\ngpu-check: FAILED: step fp32: cuMemAlloc(42 bytes) failed: CUDA_ERROR_OUT_OF_MEMORY (2)\n"),
                failed);
        assertEquals(1, status[0]);
    }

    @Test
    void lossesAreComparedRelativelyAboveOneAndAbsolutelyBelow() {
        StepLosses cpu = new StepLosses(0.5f, 2f, 0.7f);
        assertEquals(0, GpuCheckCommand.difference(cpu, cpu));
        assertEquals(1e-3, GpuCheckCommand.difference(new StepLosses(0.501f, 2f, 0.7f), cpu), 1e-6);
        assertEquals(1e-3, GpuCheckCommand.difference(new StepLosses(0.5f, 2.002f, 0.7f), cpu), 1e-6);
        assertTrue(Double.isNaN(GpuCheckCommand.difference(new StepLosses(0.5f, 2f, Float.NaN), cpu)),
                "a NaN is no number to pass a bound");
    }

    @Test
    void theConvolutionsCheckedAreTheModels() {
        assertEquals(List.of("D.c1", "D.c2", "G.d3", "G.d4"), GpuCheckCommand.convLayers(ModelSpec.MNIST).stream()
                .map(l -> l instanceof Layer.Conv c ? c.name() : ((Layer.ConvTranspose) l).name()).toList());
    }
}
