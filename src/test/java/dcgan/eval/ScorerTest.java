package dcgan.eval;

import dcgan.backend.cpu.CpuBackend;
import dcgan.data.ImageSet;
import dcgan.data.MnistLoader;
import dcgan.io.BadFileException;
import dcgan.random.CounterRng;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scorer on the bundled digits: trained once (cached in a temporary directory), it must classify the
 * held-out digits at least 98% right, score real digits near its ceiling with an FD near 0, and score noise
 * far worse.
 */
class ScorerTest {

    /**
     * Shared by every test that needs the bundled digits' scorer, so that one test run trains it once:
     * under target/, which a clean build removes.
     */
    static final Path CACHE = Path.of("target", "test-scorer-cache");

    @TempDir
    static Path cache;

    private static CpuBackend cpu;
    private static ImageSet digits;
    private static Scorer scorer;
    private static String trainingLog;

    @BeforeAll
    static void trainOnce() throws IOException {
        cpu = new CpuBackend(2);
        digits = MnistLoader.load(Path.of("test-data"));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        scorer = Scorer.forData(digits, CACHE, cpu, new PrintStream(log, true, StandardCharsets.UTF_8));
        trainingLog = log.toString(StandardCharsets.UTF_8);
        System.out.print(trainingLog);
    }

    @AfterAll
    static void close() {
        scorer.close();
        cpu.close();
    }

    @Test
    void itClassifiesHeldOutDigitsAtLeast98PercentRight() {
        assertTrue(scorer.accuracy() >= 0.98, "held-out accuracy " + scorer.accuracy() + "\n" + trainingLog);
        assertEquals(2000, scorer.heldOutCount(), "a fifth of the 10,000 bundled digits");
    }

    /** Real digits that the scorer never trained on nor holds out: near 0 FD, a score near the ceiling. */
    @Test
    void realDigitsScoreNearTheCeilingAndNoiseFarWorse() {
        int n = 2000;
        int[] order = new CounterRng(Scorer.SEED).permutation(digits.count(), CounterRng.STREAM_SCORER);
        float[] real = new float[n * 784];
        for (int i = 0; i < n; i++) {
            digits.copyImage(order[i], real, i * 784); // the first of the training split
        }
        Quality realQuality = scorer.score(real, n);
        float[] noise = new CounterRng(9).uniform(n * 784, 0f, 1f, 7, 0);
        Quality noiseQuality = scorer.score(noise, n);
        String context = "real " + realQuality + "\nnoise " + noiseQuality;
        assertTrue(realQuality.fd() < 0.02 * noiseQuality.fd(), "FD of real digits under 2% of noise's: " + context);
        assertTrue(realQuality.score() > 9, "classifier score above 9: " + context);
        assertTrue(noiseQuality.score() < 3, context);
        assertTrue(realQuality.tvFromUniform() < 0.05, "real digits are spread evenly: " + context);
    }

    @Test
    void theHeldOutDigitsThemselvesHaveAnFdOfZero() {
        float[] heldOut = Scorer.heldOutImages(digits);
        Quality q = scorer.score(heldOut, scorer.heldOutCount());
        assertEquals(0, q.fd(), 1e-6, "the reference statistics are those of these very images");
    }

    @Test
    void theCacheIsReadBackAndADamagedOneIsRefusedByName() throws IOException {
        Path file = scorer.file();
        assertTrue(Files.exists(file) && file.getFileName().toString().startsWith("scorer-"), file.toString());
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Scorer again = Scorer.forData(digits, CACHE, cpu, new PrintStream(log, true, StandardCharsets.UTF_8))) {
            assertEquals(scorer.accuracy(), again.accuracy());
            float[] some = Arrays.copyOf(Scorer.heldOutImages(digits), 50 * 784);
            assertTrue(Arrays.equals(scorer.features(some, 50), again.features(some, 50)), "the same classifier");
        }
        assertTrue(log.toString(StandardCharsets.UTF_8).startsWith("scorer: " + file), log.toString());

        Path damagedCache = Files.createDirectories(cache.resolve("damaged"));
        Path copy = damagedCache.resolve(file.getFileName());
        Files.copy(file, copy);
        try (FileChannel c = FileChannel.open(copy, StandardOpenOption.WRITE)) {
            c.truncate(c.size() - 100);
        }
        BadFileException e = assertThrows(BadFileException.class,
                () -> Scorer.forData(digits, damagedCache, cpu, new PrintStream(new ByteArrayOutputStream())));
        assertTrue(e.getMessage().startsWith(copy + ": the cached scorer is damaged (") && e.getMessage().contains(
                "delete it, and it will be trained again"), e.getMessage());
    }

    /**
     * A cache of other data is never used, even under this data's file name (as a copied or edited file
     * would be): its recorded fingerprint must match the data's.
     */
    @Test
    void aCacheOfOtherDataIsNeverTrusted() throws IOException {
        ImageSet subset = digits.firstN(9000);
        String other = Scorer.fingerprint(subset);
        assertTrue(!Scorer.fingerprint(digits).equals(other));
        Path misnamed = Files.createDirectories(cache.resolve("misnamed")).resolve("scorer-" + other + ".safetensors");
        Files.copy(scorer.file(), misnamed);
        assertTrue(Scorer.matches(scorer.file(), Scorer.fingerprint(digits), digits.count()));
        assertTrue(!Scorer.matches(misnamed, other, subset.count()), "recorded for the full data, not the subset");
    }

    /** A cache directory that cannot be written costs the next run the training again, not this one its scorer. */
    @Test
    void aCacheThatCannotBeWrittenIsSaidAndTheScorerStillWorks() throws IOException {
        Path notADirectory = Files.writeString(cache.resolve("a-file"), "in the way");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ImageSet few = digits.firstN(200);
        try (Scorer s = Scorer.forData(few, notADirectory.resolve("cache"), cpu,
                new PrintStream(log, true, StandardCharsets.UTF_8))) {
            assertEquals(40, s.heldOutCount());
            assertTrue(Double.isFinite(s.score(Scorer.heldOutImages(few), 40).fd()));
        }
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("; not cached ("), log.toString());
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("it will be trained again next time"), log.toString());
    }
}
