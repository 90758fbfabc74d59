package dcgan.cli;

import dcgan.backend.gpu.GpuTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The command line as a user meets it: help, exit codes, and messages that name the problem. */
class MainTest {

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void topLevelHelpListsTheCommands() {
        CliRun o = run("--help");
        assertEquals(0, o.status());
        assertTrue(o.out().contains("train") && o.out().contains("bench") && o.out().contains("generate"), o.out());
        assertEquals(2, run().status(), "no command is a usage error");
    }

    @Test
    void trainHelpListsEveryOptionWithItsDefault() {
        CliRun o = run("train", "--help");
        assertEquals(0, o.status());
        for (String option : List.of("--data-dir", "--out", "--epochs", "--max-steps", "--batch-size", "--z-dim",
                "--lr", "--beta1", "--seed", "--shuffle-seed", "--keep-every", "--resume", "--device", "--threads", "--cpu-gemm", "--math", "--conv-algo")) {
            assertTrue(o.out().contains(option), "help lacks " + option + ":\n" + o.out());
        }
        assertTrue(o.out().contains("./mnist") && o.out().contains("./log/DCGAN") && o.out().contains("2e-4"), o.out());
    }

    @Test
    void benchHelp() {
        CliRun o = run("bench", "--help");
        assertEquals(0, o.status());
        assertTrue(o.out().contains("--batch-size") && o.out().contains("--iterations"), o.out());
    }

    @Test
    void helpNamesTheGpuSettingsWithTheirValuesAndDefaults() {
        // The formatter wraps lines: compare with runs of spaces and line breaks made single spaces.
        String help = run("bench", "--help").out().replaceAll("\\s+", " ");
        for (String text : List.of("--math <MODE>", "fp32 (default: plain FP32", "or tf32 (TF32 tensor cores",
                "--conv-algo <HOW>", "heuristic (default: cuDNN's ranking, deterministic algorithms first)",
                "or search (cuDNN times them", "non-deterministic")) {
            assertTrue(help.contains(text), "help lacks '" + text + "':\n" + help);
        }
    }

    @Test
    void badGpuSettingsAreUsageErrorsNamingTheAllowedValues() {
        CliRun math = run("train", "--math", "fp16");
        assertEquals(2, math.status());
        assertTrue(math.err().contains("--math must be fp32 or tf32, got 'fp16'"), math.err());
        CliRun algo = run("bench", "--conv-algo", "fastest");
        assertEquals(2, algo.status());
        assertTrue(algo.err().contains("--conv-algo must be heuristic or search, got 'fastest'"), algo.err());
        CliRun tf32OnCpu = run("bench", "--device", "cpu", "--math", "tf32");
        assertEquals(2, tf32OnCpu.status());
        assertTrue(tf32OnCpu.err().contains("--math tf32: the CPU backend computes in FP32 only"), tf32OnCpu.err());
        CliRun searchOnCpu = run("train", "--device", "cpu", "--conv-algo", "search");
        assertEquals(2, searchOnCpu.status());
        assertTrue(searchOnCpu.err().contains("--conv-algo search: the CPU backend has no cuDNN algorithms to search"),
                searchOnCpu.err());
    }

    @Test
    void theDefaultGpuSettingsNamedExplicitlyAreFineOnTheCpu() {
        CliRun o = run("bench", "--device", "cpu", "--math", "fp32", "--conv-algo", "heuristic", "--threads", "1",
                "--batch-size", "2", "--iterations", "1", "--warmup", "0");
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().contains("bench: cpu (1 thread, "), o.out());
    }

    @Test
    void unknownCommandAndBadOptionsAreUsageErrors() {
        assertEquals(2, run("fly").status());
        CliRun notANumber = run("train", "--epochs", "many");
        assertEquals(2, notANumber.status());
        assertTrue(notANumber.err().contains("--epochs needs a whole number, got 'many'"), notANumber.err());
        CliRun unknownOption = run("train", "--epoch", "3");
        assertEquals(2, unknownOption.status());
        assertTrue(unknownOption.err().contains("--epoch"), unknownOption.err());
        CliRun device = run("train", "--device", "tpu");
        assertEquals(2, device.status());
        assertTrue(device.err().contains("--device must be auto, gpu, gpu:N or cpu, got 'tpu'"), device.err());
        assertEquals(2, run("train", "--device", "gpu:first").status());
        assertEquals(2, run("train", "--batch-size", "1").status());
    }

    @Test
    void anUnusableGpuIsAnErrorWithItsReasonOrAFallbackUnderAuto(@TempDir Path tmp) {
        String reason = GpuTestSupport.unavailableReason();
        assumeTrue(reason != null, "this machine has a working GPU; the no-GPU messages cannot be seen here");
        CliRun gpu = run("bench", "--device", "gpu", "--batch-size", "2", "--iterations", "1", "--warmup", "0");
        assertEquals(1, gpu.status());
        assertTrue(gpu.err().contains("--device gpu: " + reason) && gpu.err().contains("native-libs.md"), gpu.err());
        assertEquals(1, gpu.err().strip().lines().count(), "one line, not JCuda's nested stack traces: " + gpu.err());
        CliRun auto = run("bench", "--device", "auto", "--batch-size", "2", "--iterations", "1", "--warmup", "0",
                "--threads", "1");
        assertEquals(0, auto.status(), auto.err());
        assertTrue(auto.out().startsWith("device: no usable GPU (" + reason + "); computing on the CPU"), auto.out());
        assertTrue(auto.out().contains("bench: cpu (1 thread, "), auto.out());
        assertTrue(auto.out().lines().noneMatch(l -> l.contains("ignoring")), "no settings to ignore: " + auto.out());
        CliRun tf32 = run("bench", "--device", "auto", "--math", "tf32", "--conv-algo", "search", "--batch-size", "2",
                "--iterations", "1", "--warmup", "0", "--threads", "1");
        assertEquals(0, tf32.status(), tf32.err());
        assertTrue(tf32.out().contains("\ndevice: ignoring --math tf32 --conv-algo search on the CPU (GPU-only settings)\n"),
                tf32.out());
    }

    @Test
    void benchTakesTheSpeedOptionsAndSaysWhichAreOn() {
        CliRun o = run("bench", "--device", "cpu", "--threads", "1", "--batch-size", "2", "--iterations", "2",
                "--warmup", "1", "--cuda-graphs", "--data-on-device", "--async-losses");
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().contains("; captured steps, dataset on the device, losses read while the next step runs"),
                o.out());
        assertTrue(o.out().matches("(?s).*batch 2: \\d+\\.\\d{3} ms/iteration \\(median of 2\\).*"), o.out());
        CliRun help = run("bench", "--help");
        assertTrue(help.out().contains("--cuda-graphs") && help.out().contains("--data-on-device")
                   && help.out().contains("--async-losses"), help.out());
        CliRun train = run("train", "--help");
        assertTrue(train.out().contains("--save-every") && train.out().contains("--cuda-graphs"), train.out());
        CliRun zero = run("train", "--save-every", "0");
        assertEquals(2, zero.status());
        assertTrue(zero.err().contains("--save-every"), zero.err());
    }

    @Test
    void benchOpsTimesEveryOperationAtTheModelsShapes() {
        CliRun o = run("bench", "--ops", "--device", "cpu", "--threads", "1", "--batch-size", "2", "--iterations", "1");
        assertEquals(0, o.status(), o.err());
        List<String> timed = o.out().lines().filter(l -> l.endsWith(" ms")).toList();
        assertEquals(34, timed.size(), o.out());
        for (String name : List.of("leaky ReLU forward", "Adam over G's parameters (6679105)", "D.c2 conv 64->128",
                "G.d4 transposed conv 64->1", "G.bn2 batch norm [B,6272,1] backward", "Philox uniform [B,100]")) {
            assertTrue(o.out().contains(name), name + " missing from\n" + o.out());
        }
        for (String line : timed) {
            double ms = Double.parseDouble(line.substring(0, line.length() - 3).trim().replaceAll(".* ", ""));
            assertTrue(ms >= 0 && Double.isFinite(ms), line);
        }
    }

    @Test
    void missingDataDirectoryIsNamed(@TempDir Path tmp) {
        Path missing = tmp.resolve("no-such-mnist");
        CliRun o = run("train", "--data-dir", missing.toString(), "--out", tmp.resolve("out").toString());
        assertEquals(1, o.status());
        assertTrue(o.err().contains(missing.toString()) && o.err().contains("not found"), o.err());
    }

    @Test
    void corruptDataFileIsNamed(@TempDir Path tmp) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("mnist"));
        Path images = dir.resolve("digits-images-idx3-ubyte.gz");
        Files.write(images, "this is not gzip".getBytes(StandardCharsets.US_ASCII));
        Files.copy(Path.of("test-data/mnist10k-labels-idx1-ubyte.gz"), dir.resolve("digits-labels-idx1-ubyte.gz"));
        CliRun o = run("train", "--data-dir", dir.toString(), "--out", tmp.resolve("out").toString());
        assertEquals(1, o.status());
        assertTrue(o.err().contains(images.toString()) && o.err().contains("gzip"), o.err());
        assertTrue(Files.notExists(tmp.resolve("out").resolve("metrics.csv")), "nothing written for bad data");
    }

    @Test
    void aShortRunOnTheBundledDigitsWritesItsOutputs(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("run");
        CliRun o = run("train", "--data-dir", "test-data", "--batch-size", "8", "--max-steps", "3",
                "--out", out.toString(), "--threads", "2");
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().contains("10000 images") && o.out().contains("step 3/1250"), o.out());
        assertTrue(Files.size(out.resolve("samples-epoch-001.png")) > 0);
        assertEquals(4, Files.readAllLines(out.resolve("metrics.csv")).size());
        assertTrue(Files.exists(out.resolve("checkpoint.safetensors")));

        // --resume DIR continues in DIR with the checkpoint's settings, data directory included.
        CliRun resumed = run("train", "--resume", out.toString(), "--max-steps", "4", "--threads", "2");
        assertEquals(0, resumed.status(), resumed.err());
        assertTrue(resumed.out().contains("resuming at step 3 (epoch 1, step 3/1250)"), resumed.out());
        assertEquals(5, Files.readAllLines(out.resolve("metrics.csv")).size());

        CliRun conflict = run("train", "--resume", out.toString(), "--batch-size", "16", "--max-steps", "5");
        assertEquals(2, conflict.status());
        assertTrue(conflict.err().contains("--batch-size 16 conflicts with the checkpoint, which was trained with 8"),
                conflict.err());
        CliRun done = run("train", "--resume", out.toString());
        assertEquals(0, done.status(), done.err());
        assertTrue(done.out().contains("nothing to do: the checkpoint is at step 4 and this run ends at step 4"),
                done.out());
        assertEquals(5, Files.readAllLines(out.resolve("metrics.csv")).size());
    }

    @Test
    void aBadCheckpointToResumeFailsBeforeTouchingTheOutput(@TempDir Path tmp) throws IOException {
        Path bad = tmp.resolve("checkpoint.safetensors");
        Files.write(bad, new byte[] {8, 0, 0, 0, 0, 0, 0, 0, '{', '"', 'a', '"', ':', ' ', '}', ' '});
        Path out = tmp.resolve("out");
        CliRun o = run("train", "--resume", tmp.toString(), "--out", out.toString());
        assertEquals(1, o.status());
        assertTrue(o.err().contains(bad + ": header is not valid JSON"), o.err());
        assertTrue(Files.notExists(out), "nothing written");
        CliRun missing = run("train", "--resume", tmp.resolve("nowhere").toString());
        assertEquals(1, missing.status());
        assertTrue(missing.err().contains(tmp.resolve("nowhere") + ": no such file"), missing.err());
    }
}
