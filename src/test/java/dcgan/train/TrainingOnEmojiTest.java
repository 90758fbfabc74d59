package dcgan.train;

import dcgan.backend.cpu.CpuBackend;
import dcgan.data.Background;
import dcgan.data.DataSets;
import dcgan.data.ImageSet;
import dcgan.data.Preprocessing;
import dcgan.eval.Scorer;
import dcgan.model.ModelSpec;
import dcgan.random.CounterRng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An epoch of PyTorch's example's DCGAN at 64x64 on real colour images: the 329 bundled emoji, composited onto
 * white. The untrained generator draws near-flat mid grey (tanh of small values); the emoji are mostly white
 * background around saturated colour. If any gradient on the path D -> G were wrong, or the noise, the range or
 * the recipe, G would not move toward them and the scorer's Frechet distance would not fall.
 */
class TrainingOnEmojiTest {

    private static final Path EMOJI = Path.of("test-data", "emoji-noto-64");
    private static final int BATCH = 4;
    /** Shared with the other tests, so that a test run trains each data set's scorer once. */
    private static final Path SCORER_CACHE = Path.of("target", "test-scorer-cache");

    @Test
    void anEpochAt64x64InColourLowersTheFrechetDistance(@TempDir Path out) throws Exception {
        ImageSet data = DataSets.load(EMOJI, Preprocessing.DEFAULT, SCORER_CACHE,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertEquals(329, data.count());
        assertEquals(3, data.channels());
        assertEquals(64, data.size());
        assertEquals(10, data.classNames().size());
        ModelSpec model = ModelSpec.forImages(data.size(), data.channels(), 100, 64, 64);
        Hyperparameters hp = Hyperparameters.pytorchExample().with(BATCH, 2e-4f, 0.5f);
        RunSettings settings = new RunSettings(hp, model, Background.WHITE, 3, 547, 64, EMOJI, out, 1, 0, 0, 1, false,
                1, SCORER_CACHE, StepExecution.DEFAULT);

        double untrainedFd;
        try (CpuBackend cpu = new CpuBackend(2);
             GanTrainer untrained = new GanTrainer(cpu, hp, model, new CounterRng(settings.seed()));
             Scorer scorer = Scorer.forData(data, SCORER_CACHE, cpu, new PrintStream(new ByteArrayOutputStream()))) {
            int n = scorer.heldOutCount();
            float[] samples = Generation.sample(cpu, untrained.snapshotGenerator().asWeights(model, 0),
                    Generation.noise(settings.seed(), model, CounterRng.STREAM_EVALUATE), n);
            untrainedFd = scorer.score(samples, n).fd();
        }
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        TrainingRun.Result result;
        try (CpuBackend cpu = new CpuBackend(2)) {
            result = new TrainingRun(cpu, settings, new PrintStream(log, true, StandardCharsets.UTF_8))
                    .run(() -> data, null, StopCheck.NEVER);
        }
        assertEquals(329 / BATCH, result.steps());

        List<String> quality = Files.readAllLines(out.resolve(QualityLog.FILE_NAME));
        assertEquals(2, quality.size(), "one measurement, after epoch 1: " + quality);
        double fd = Double.parseDouble(quality.get(1).split(",")[2]);
        assertTrue(fd < 0.8 * untrainedFd, "FD falls in the epoch: untrained " + untrainedFd + ", after it " + fd
                                           + "\n" + log.toString(StandardCharsets.UTF_8));

        // The epoch's grid is in colour, 8x8 images of 64 pixels with 2-pixel gaps, and not grey.
        BufferedImage grid = ImageIO.read(out.resolve("samples-epoch-001.png").toFile());
        assertEquals(8 * (64 + 2) + 2, grid.getWidth());
        assertEquals(3, grid.getColorModel().getNumColorComponents());
        int coloured = 0;
        for (int y = 0; y < grid.getHeight(); y++) {
            for (int x = 0; x < grid.getWidth(); x++) {
                int rgb = grid.getRGB(x, y);
                int r = rgb >> 16 & 255;
                int g = rgb >> 8 & 255;
                int b = rgb & 255;
                if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 30) {
                    coloured++;
                }
            }
        }
        assertTrue(coloured > grid.getWidth() * grid.getHeight() / 100, "colour in the samples: " + coloured
                                                                         + " pixels of " + grid.getWidth() * grid.getHeight());
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("DCGAN 64x64 (3 channels, ngf 32, ndf 32)"),
                log.toString(StandardCharsets.UTF_8));
    }
}
