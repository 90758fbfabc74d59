package dcgan.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dcgan.data.ImageSet;
import dcgan.data.MnistLoader;
import dcgan.io.Npy;
import dcgan.io.SpecialFiles;
import dcgan.random.CounterRng;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code evaluate} as a user runs it: on real digits, on noise, on a checkpoint, and on bad input. The scorer
 * of the bundled digits is trained once per test run and shared (target/test-scorer-cache).
 */
class EvaluateCommandTest {

    private static final String CACHE = Path.of("target", "test-scorer-cache").toString();
    private static final Pattern FD = Pattern.compile("FD (\\d+\\.\\d+) ");
    private static final Pattern SCORE = Pattern.compile("classifier score (\\d+\\.\\d+) ");

    @TempDir
    static Path shared;
    @TempDir
    Path dir;

    private static Path real;
    private static Path noise;

    /** 2,000 real digits the scorer trains on (not the held-out ones), and 2,000 images of uniform noise. */
    @BeforeAll
    static void images() throws IOException {
        ImageSet digits = MnistLoader.load(Path.of("test-data"));
        float[] some = new float[2000 * 784];
        for (int i = 0; i < 2000; i++) {
            digits.copyImage(i, some, i * 784);
        }
        real = shared.resolve("real.npy");
        Npy.writeFloat32(real, new int[] {2000, 1, 28, 28}, some);
        noise = shared.resolve("noise.npy");
        Npy.writeFloat32(noise, new int[] {2000, 1, 28, 28}, new CounterRng(3).uniform(some.length, 0f, 1f, 9, 0));
    }

    private static CliRun evaluate(String... args) {
        String[] all = new String[args.length + 7];
        System.arraycopy(new String[] {"evaluate", "--data-dir", "test-data", "--scorer-cache", CACHE, "--device", "cpu"},
                0, all, 0, 7);
        System.arraycopy(args, 0, all, 7, args.length);
        return CliRun.of(all);
    }

    private static double figure(Pattern p, String out) {
        Matcher m = p.matcher(out);
        assertTrue(m.find(), p + " in\n" + out);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void realDigitsScoreNearTheCeilingAndNoiseFarWorse() throws IOException {
        Path json = dir.resolve("real.json");
        CliRun r = evaluate("--npy", real.toString(), "--json", json.toString());
        assertEquals(0, r.status(), r.err());
        CliRun n = evaluate("--npy", noise.toString());
        assertEquals(0, n.status(), n.err());
        double realFd = figure(FD, r.out());
        double noiseFd = figure(FD, n.out());
        assertTrue(realFd < 0.02 * noiseFd, "real " + realFd + ", noise " + noiseFd);
        assertTrue(figure(SCORE, r.out()) > 9, r.out());
        assertTrue(figure(SCORE, n.out()) < 3, n.out());
        for (String line : new String[] {"classes 0:", "from uniform, total variation", "scorer accuracy "}) {
            assertTrue(r.out().contains(line), line + " in\n" + r.out());
        }

        Map<String, Object> parsed = new HashMap<>();
        try (JsonParser p = new JsonFactory().createParser(json.toFile())) {
            assertEquals(JsonToken.START_OBJECT, p.nextToken());
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if (t == JsonToken.START_ARRAY) {
                    int count = 0;
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        count++;
                    }
                    parsed.put(name, count);
                } else {
                    parsed.put(name, t.isNumeric() ? p.getDoubleValue() : p.getText());
                }
            }
        }
        assertEquals(realFd, (Double) parsed.get("fd"), 1e-3);
        assertEquals(2000.0, parsed.get("count"));
        assertEquals(10, parsed.get("class_histogram"));
        assertTrue((Double) parsed.get("scorer_accuracy") >= 0.98, parsed.toString());
    }

    /** A checkpoint's generator after two steps draws nothing like digits yet: far from the real ones. */
    @Test
    void aCheckpointIsScoredFromItsGenerator() throws IOException {
        Path out = dir.resolve("run");
        CliRun trained = CliRun.of("train", "--eval-every", "0", "--data-dir", "test-data", "--batch-size", "8",
                "--max-steps", "2", "--out", out.toString(), "--device", "cpu");
        assertEquals(0, trained.status(), trained.err());
        CliRun tooMany = evaluate("--checkpoint", out.toString(), "--count", "2739138");
        assertEquals(2, tooMany.status(), tooMany.err());
        assertTrue(tooMany.err().startsWith("error: --count 2739138 is too many: the images are scored all at once, "
                                            + "and at most 2,739,137 fit"), tooMany.err());
        CliRun e = evaluate("--checkpoint", out.toString(), "--count", "500", "--seed", "4");
        assertEquals(0, e.status(), e.err());
        assertTrue(e.out().contains("evaluate: 500 images from " + out.resolve("checkpoint.safetensors") + " (step 2, the notebook's 28x28 model (1 channel))"),
                e.out());
        CliRun r = evaluate("--npy", real.toString());
        assertTrue(figure(FD, e.out()) > 10 * figure(FD, r.out()), e.out() + r.out());
    }

    @Test
    void badImagesAndDataAreNamedOnOneLine() throws IOException {
        Path shape = dir.resolve("shape.npy");
        Npy.writeFloat32(shape, new int[] {4, 784}, new float[4 * 784]);
        assertRefused(evaluate("--npy", shape.toString()), shape + ": holds an array of shape (4, 784), expected (N, C, S, S) with N >= 2, C 1 or 3 and S 28, 32 or 64");

        Path range = dir.resolve("range.npy");
        float[] v = new float[3 * 784];
        v[784 + 5] = 1.5f;
        Npy.writeFloat32(range, new int[] {3, 1, 28, 28}, v);
        assertRefused(evaluate("--npy", range.toString()), range + ": value 1.5 of image 1 (pixel 5) is outside [0, 1]");

        Path float64 = dir.resolve("float64.npy");
        byte[] header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 1, 28, 28), }".getBytes();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(10 + 118 + 2 * 784 * 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) 118).put(header);
        for (int i = header.length; i < 117; i++) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        Files.write(float64, b.array());
        CliRun f64 = evaluate("--npy", float64.toString());
        assertEquals(1, f64.status(), f64.err());
        assertTrue(f64.err().startsWith("error: " + float64 + ": ") && f64.err().contains("<f8"), f64.err());

        Path unlabelled = Files.createDirectories(dir.resolve("unlabelled"));
        Files.copy(Path.of("test-data/mnist10k-images-idx3-ubyte.gz"), unlabelled.resolve("digits-images-idx3-ubyte.gz"));
        CliRun noLabels = CliRun.of("evaluate", "--npy", real.toString(), "--data-dir", unlabelled.toString(),
                "--scorer-cache", CACHE, "--device", "cpu");
        assertEquals(1, noLabels.status(), noLabels.err());
        assertTrue(noLabels.err().startsWith("error: " + unlabelled + ": ") && noLabels.err().contains("labels"),
                noLabels.err());

        Path damaged = Files.createDirectories(dir.resolve("damaged-cache"));
        try (var files = Files.list(Path.of(CACHE))) {
            Path cached = files.filter(p -> p.getFileName().toString().startsWith("scorer-")).findFirst().orElseThrow();
            Files.write(damaged.resolve(cached.getFileName()), new byte[] {1, 2, 3});
        }
        CliRun corrupt = CliRun.of("evaluate", "--npy", real.toString(), "--data-dir", "test-data", "--scorer-cache",
                damaged.toString(), "--device", "cpu");
        assertEquals(1, corrupt.status(), corrupt.err());
        assertTrue(corrupt.err().contains("the cached scorer is damaged") && corrupt.err().contains("delete it"),
                corrupt.err());

        assertEquals(2, CliRun.of("evaluate", "--device", "cpu").status(), "neither --checkpoint nor --npy");
        assertEquals(2, evaluate("--npy", real.toString(), "--count", "5").status(), "--count draws from a checkpoint");
    }

    /**
     * --json is checked before any work (loading the digits, the scorer, drawing): a FIFO standing in for a
     * device is refused and left as it was, an input named as the output is refused and left intact, and a
     * place that takes no files is named with the true reason.
     */
    @Test
    void theJsonFileIsCheckedBeforeAnyWork() throws Exception {
        Path fifo = SpecialFiles.mkfifo(dir.resolve("pipe"));
        CliRun special = evaluate("--npy", real.toString(), "--json", fifo.toString());
        assertEquals(2, special.status(), special.err());
        assertTrue(special.err().contains("--json " + fifo + " is a named pipe (FIFO), not a regular file; --json takes "
                                          + "the name of a file to write"), special.err());
        assertTrue(SpecialFiles.isFifo(fifo), "still a FIFO");
        assertNoWork(special);

        byte[] images = Files.readAllBytes(real);
        Path link = Files.createSymbolicLink(dir.resolve("link.json"), real);
        CliRun overInput = evaluate("--npy", real.toString(), "--json", link.toString());
        assertEquals(2, overInput.status(), overInput.err());
        assertTrue(overInput.err().contains("--json " + link + " is the file that --npy " + real + " reads; an output "
                                            + "must not replace an input"), overInput.err());
        assertNoWork(overInput);
        assertArrayEquals(images, Files.readAllBytes(real), "the images are intact");
        Files.delete(link);

        Path checkpoint = Files.writeString(dir.resolve("checkpoint.safetensors"), "not read");
        CliRun overCheckpoint = evaluate("--checkpoint", dir.toString(), "--json", checkpoint.toString());
        assertEquals(2, overCheckpoint.status(), overCheckpoint.err());
        assertTrue(overCheckpoint.err().contains("--json " + checkpoint + " is the file that --checkpoint " + checkpoint
                                                 + " reads"), overCheckpoint.err());
        assertEquals("not read", Files.readString(checkpoint));

        Path notes = Files.writeString(dir.resolve("notes"), "x");
        Path below = notes.resolve("q.json");
        CliRun inTheWay = evaluate("--npy", real.toString(), "--json", below.toString());
        assertEquals(1, inTheWay.status(), inTheWay.err());
        assertEquals("error: " + below + ": " + notes + " is a file, not a directory", inTheWay.err().strip());
        assertNoWork(inTheWay);
    }

    private static void assertNoWork(CliRun o) {
        assertFalse(o.out().contains("loading") || o.out().contains("evaluate:") || o.out().contains("FD "),
                "no work started: " + o.out());
    }

    private static void assertRefused(CliRun o, String message) {
        assertEquals(1, o.status(), o.out() + o.err());
        assertTrue(o.err().contains(message), o.err());
        assertEquals(1, o.err().strip().lines().count(), "one line: " + o.err());
        assertFalse(o.out().contains("FD "), o.out());
    }
}
