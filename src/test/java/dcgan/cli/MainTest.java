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

    /** A data directory holding the first {@code n} bundled digits, for runs of a few steps per epoch. */
    static Path smallDigits(Path dir, int n) throws IOException {
        Files.createDirectories(dir);
        copyPrefix(Path.of("test-data/mnist10k-images-idx3-ubyte.gz"), dir.resolve("small-images-idx3-ubyte.gz"), n, 16,
                28 * 28);
        copyPrefix(Path.of("test-data/mnist10k-labels-idx1-ubyte.gz"), dir.resolve("small-labels-idx1-ubyte.gz"), n, 8, 1);
        return dir;
    }

    /** An IDX file's header with the count set to n, and its first n items. */
    private static void copyPrefix(Path from, Path to, int n, int headerBytes, int itemBytes) throws IOException {
        try (var in = new java.io.DataInputStream(new java.util.zip.GZIPInputStream(Files.newInputStream(from)));
             var out = new java.io.DataOutputStream(new java.util.zip.GZIPOutputStream(Files.newOutputStream(to)))) {
            out.writeInt(in.readInt()); // magic
            in.readInt();
            out.writeInt(n);
            for (int i = 8; i < headerBytes; i += 4) {
                out.writeInt(in.readInt());
            }
            out.write(in.readNBytes(n * itemBytes));
        }
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
        assertTrue(o.out().replaceAll("\\s+", " ").contains("share they reach of this machine's SGEMM speed, timed after each iteration"), o.out());
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
        assertEquals(44, timed.size(), o.out()); // 9 layers of D and 11 of G, each both ways; loss, noise, 2 Adams
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
        CliRun o = run("train", "--eval-every", "0", "--data-dir", missing.toString(), "--out", tmp.resolve("out").toString());
        assertEquals(1, o.status());
        assertTrue(o.err().contains(missing.toString()) && o.err().contains("not found"), o.err());
    }

    @Test
    void corruptDataFileIsNamed(@TempDir Path tmp) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("mnist"));
        Path images = dir.resolve("digits-images-idx3-ubyte.gz");
        Files.write(images, "this is not gzip".getBytes(StandardCharsets.US_ASCII));
        Files.copy(Path.of("test-data/mnist10k-labels-idx1-ubyte.gz"), dir.resolve("digits-labels-idx1-ubyte.gz"));
        CliRun o = run("train", "--eval-every", "0", "--data-dir", dir.toString(), "--out", tmp.resolve("out").toString());
        assertEquals(1, o.status());
        assertTrue(o.err().contains(images.toString()) && o.err().contains("gzip"), o.err());
        assertTrue(Files.notExists(tmp.resolve("out").resolve("metrics.csv")), "nothing written for bad data");
    }

    @Test
    void aShortRunOnTheBundledDigitsWritesItsOutputs(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("run");
        CliRun o = run("train", "--eval-every", "0", "--data-dir", "test-data", "--batch-size", "8", "--max-steps", "3",
                "--out", out.toString(), "--threads", "2");
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().contains("10000 images") && o.out().contains("step 3/1250"), o.out());
        assertTrue(Files.size(out.resolve("samples-epoch-001.png")) > 0);
        assertEquals(4, Files.readAllLines(out.resolve("metrics.csv")).size());
        assertTrue(Files.exists(out.resolve("checkpoint.safetensors")));

        // --resume DIR continues in DIR with the checkpoint's settings, data directory included.
        CliRun resumed = run("train", "--eval-every", "0", "--resume", out.toString(), "--max-steps", "4", "--threads", "2");
        assertEquals(0, resumed.status(), resumed.err());
        assertTrue(resumed.out().contains("resuming at step 3 (epoch 1, step 3/1250)"), resumed.out());
        assertEquals(5, Files.readAllLines(out.resolve("metrics.csv")).size());

        CliRun conflict = run("train", "--eval-every", "0", "--resume", out.toString(), "--batch-size", "16", "--max-steps", "5");
        assertEquals(2, conflict.status());
        assertTrue(conflict.err().contains("--batch-size 16 conflicts with the checkpoint, which was trained with 8"),
                conflict.err());
        CliRun done = run("train", "--eval-every", "0", "--resume", out.toString());
        assertEquals(0, done.status(), done.err());
        assertTrue(done.out().contains("nothing to do: the checkpoint is at step 4 and this run ends at step 4"),
                done.out());
        assertEquals(5, Files.readAllLines(out.resolve("metrics.csv")).size());
    }

    /** Each message that used to be a number, a path or a silent choice now says what is wrong. */
    @Test
    void badValuesAreNamedAndRefusedBeforeAnythingIsWritten(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("out");
        CliRun huge = run("train", "--eval-every", "0", "--data-dir", "test-data", "--z-dim", "2000000000", "--out", out.toString());
        assertEquals(2, huge.status());
        assertTrue(huge.err().contains("--z-dim 2000000000 is too large: G's flat parameter buffer [") && huge.err().contains(
                "floats, more than one buffer can hold (536870879); at most "), huge.err());
        CliRun big = run("train", "--eval-every", "0", "--data-dir", "test-data", "--z-dim", "3000000", "--out", out.toString());
        assertEquals(2, big.status());
        assertTrue(Files.notExists(out), "checked first, created after: no empty output directory");

        CliRun batch = run("train", "--batch-size", "100000", "--out", out.toString());
        assertEquals(2, batch.status());
        assertTrue(batch.err().contains("--batch-size 100000 is too large") && batch.err().contains("at most 10699"),
                batch.err());

        CliRun lr = run("train", "--lr", "1e308");
        assertEquals(2, lr.status());
        assertTrue(lr.err().contains("--lr 1e308 is out of the range of a float"), lr.err());
        CliRun nan = run("train", "--lr", "NaN");
        assertTrue(nan.err().contains("--lr needs a finite number, got 'NaN'"), nan.err());

        CliRun twice = run("train", "--batch-size", "64", "--batch-size", "128");
        assertEquals(2, twice.status());
        assertTrue(twice.err().contains("--batch-size is given 2 times (--batch-size 64, --batch-size 128); give it once"),
                twice.err());

        CliRun empty = run("train", "--out", "");
        assertEquals(2, empty.status());
        assertTrue(empty.err().contains("--out needs a path, got an empty one"), empty.err());

        Path file = Files.writeString(tmp.resolve("a-file"), "not a directory");
        CliRun outFile = run("train", "--eval-every", "0", "--data-dir", "test-data", "--batch-size", "8", "--max-steps", "1", "--out",
                file.toString(), "--device", "cpu");
        assertEquals(1, outFile.status());
        assertTrue(outFile.err().contains(file + ": is a file, not a directory"), outFile.err());
        assertEquals("not a directory", Files.readString(file));
    }

    /** A run whose losses blow up stops, saying the step and the losses readably. */
    @Test
    void divergenceIsReportedReadably(@TempDir Path tmp) throws IOException {
        String digits = smallDigits(tmp.resolve("digits"), 64).toString();
        CliRun o = run("train", "--eval-every", "0", "--data-dir", digits, "--batch-size", "8", "--lr", "1e30", "--max-steps", "8",
                "--out", tmp.resolve("out").toString(), "--device", "cpu");
        assertEquals(1, o.status(), o.out() + o.err());
        assertTrue(o.err().matches("(?s)error: training diverged at step \\d+: D \\S+ \\(real \\S+, fake \\S+\\)  G \\S+\\R"),
                o.err());
        assertTrue(o.err().contains("NaN") || o.err().contains("Infinity"), o.err());
    }

    /** A data file with no images is a data error (exit 1), like every other. */
    @Test
    void dataWithFewerImagesThanABatchIsADataError(@TempDir Path tmp) throws IOException {
        Path data = Files.createDirectories(tmp.resolve("few"));
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(Path.of("test-data/mnist10k-images-idx3-ubyte.gz")));
             var img = new java.io.DataOutputStream(new java.util.zip.GZIPOutputStream(
                     Files.newOutputStream(data.resolve("few-images-idx3-ubyte.gz"))));
             var lab = new java.io.DataOutputStream(new java.util.zip.GZIPOutputStream(
                     Files.newOutputStream(data.resolve("few-labels-idx1-ubyte.gz"))))) {
            img.writeInt(2051);
            img.writeInt(0);
            img.writeInt(28);
            img.writeInt(28);
            lab.writeInt(2049);
            lab.writeInt(0);
        }
        CliRun o = run("train", "--eval-every", "0", "--data-dir", data.toString(), "--out", tmp.resolve("out").toString(), "--device", "cpu");
        assertEquals(1, o.status(), o.err());
        assertTrue(o.err().contains(data + ": holds 0 images, fewer than one batch of 256 (--batch-size)"), o.err());
        assertTrue(Files.notExists(tmp.resolve("out")), "nothing written");
    }

    /**
     * A rerun into the directory of an earlier run says what it keeps and what it leaves; --overwrite
     * deletes the earlier run's files instead.
     */
    @Test
    void aRerunSaysWhatItKeepsAndOverwriteStartsAfresh(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("run");
        String digits = smallDigits(tmp.resolve("digits"), 16).toString(); // 2 steps per epoch at batch 8
        String[] twoEpochs = {"train", "--eval-every", "0", "--data-dir", digits, "--batch-size", "8", "--epochs", "2", "--out",
                              out.toString(), "--device", "cpu"};
        assertEquals(0, run(twoEpochs).status());
        CliRun again = run("train", "--eval-every", "0", "--data-dir", digits, "--batch-size", "8", "--max-steps", "1", "--out",
                out.toString(), "--device", "cpu");
        assertEquals(0, again.status(), again.err());
        assertTrue(again.out().contains("kept the previous run's " + out.resolve("checkpoint.safetensors") + " as "
                                        + out.resolve("checkpoint.1.safetensors")), again.out());
        assertTrue(again.out().contains("the earlier run's samples-epoch-001.png, samples-epoch-002.png stay until this "
                                        + "run writes over them"), again.out());
        assertTrue(again.out().contains("--overwrite deletes an earlier run's files"), again.out());

        CliRun fresh = run("train", "--eval-every", "0", "--data-dir", digits, "--batch-size", "8", "--max-steps", "1", "--out",
                out.toString(), "--device", "cpu", "--overwrite");
        assertEquals(0, fresh.status(), fresh.err());
        assertTrue(fresh.out().contains("--overwrite: deleted the "), fresh.out());
        try (var files = Files.list(out)) {
            assertEquals(List.of(".lock", "checkpoint.safetensors", "losses.png", "metrics.csv", "progress.gif",
                            "samples-epoch-001.png"),
                    files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("events.")).sorted().toList());
        }
        CliRun both = run("train", "--resume", out.toString(), "--overwrite");
        assertEquals(2, both.status());
        assertTrue(both.err().contains("--overwrite starts a new run; it cannot be combined with --resume"), both.err());
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
