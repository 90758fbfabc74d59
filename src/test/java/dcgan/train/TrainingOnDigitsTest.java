package dcgan.train;

import dcgan.data.Background;
import dcgan.model.ModelSpec;
import dcgan.backend.cpu.CpuBackend;
import dcgan.data.ImageSet;
import dcgan.data.MnistLoader;
import dcgan.eval.Scorer;
import dcgan.io.MetricsCsv;
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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A short real training run on the bundled digits: one epoch at batch 32. The generator starts out drawing
 * flat grey (sigmoid of small values, about 0.5 everywhere); real digits are mostly black with a few bright
 * strokes. If any gradient on the path D -> G were wrong, G would not move toward the real statistics, and
 * the scorer's Frechet distance would not fall.
 */
class TrainingOnDigitsTest {

    private static final int BATCH = 32;
    private static final int STEPS = 312;
    /** Shared with ScorerTest, so that a test run trains the bundled digits' scorer once. */
    private static final Path SCORER_CACHE = Path.of("target", "test-scorer-cache");

    @Test
    void generatorMovesTowardRealDigitsAndOutputsAreWritten(@TempDir Path out) throws Exception {
        ImageSet data = MnistLoader.load(Path.of("test-data")); // the run shuffles it
        ImageStats real = ImageStats.of(data.images(), 0, data.count() * 784);

        Hyperparameters hp = Hyperparameters.of(BATCH, 2e-4f, 0.5f);
        RunSettings settings = new RunSettings(hp, ModelSpec.MNIST, Background.WHITE, 3, 547, 64, Path.of("test-data"), out, 1, 0, 0, 1, false, 1,
                SCORER_CACHE, StepExecution.DEFAULT);
        ImageStats before;
        double untrainedFd;
        try (CpuBackend cpu = new CpuBackend(2);
             GanTrainer untrained = new GanTrainer(cpu, hp, ModelSpec.MNIST, new CounterRng(settings.seed()));
             Sampler sampler = new Sampler(cpu, untrained.generatorState(), ModelSpec.MNIST, 64);
             Scorer scorer = Scorer.forData(data, SCORER_CACHE, cpu, new PrintStream(new ByteArrayOutputStream()))) {
            float[] s = sampler.sample(Sampler.fixedNoise(new CounterRng(settings.seed()), ModelSpec.MNIST, 64));
            before = ImageStats.of(s, 0, s.length);
            int n = scorer.heldOutCount();
            float[] samples = Generation.sample(cpu, untrained.snapshotGenerator().asWeights(ModelSpec.MNIST, 0),
                    Generation.noise(settings.seed(), ModelSpec.MNIST, CounterRng.STREAM_EVALUATE), n);
            untrainedFd = scorer.score(samples, n).fd();
        }
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        TrainingRun.Result result;
        try (CpuBackend cpu = new CpuBackend(2)) {
            result = new TrainingRun(cpu, settings, new PrintStream(log, true, StandardCharsets.UTF_8))
                    .run(() -> data, null, StopCheck.NEVER);
        }
        ImageStats after = ImageStats.of(result.lastSamples(), 0, result.lastSamples().length);
        String context = "real " + real + ", untrained " + before + ", trained " + after;

        assertEquals(STEPS, result.steps());
        assertTrue(before.mean() > 0.3 && before.darkFraction() < 0.2, "untrained G should draw grey: " + context);
        assertTrue(ImageStats.remaining(before.mean(), after.mean(), real.mean()) < 0.5, "mean intensity: " + context);
        assertTrue(ImageStats.remaining(before.darkFraction(), after.darkFraction(), real.darkFraction()) < 0.5,
                "background: " + context);
        assertTrue(ImageStats.remaining(before.inkFraction(), after.inkFraction(), real.inkFraction()) < 0.5,
                "ink: " + context);

        // Quality at the epoch's end: measured, lower than the untrained generator's, and its generator kept.
        List<String> quality = Files.readAllLines(out.resolve(QualityLog.FILE_NAME));
        assertEquals(List.of(QualityLog.HEADER), quality.subList(0, 1));
        assertEquals(2, quality.size(), "one measurement, after epoch 1");
        String[] q = quality.get(1).split(",");
        assertEquals(String.valueOf(STEPS), q[0]);
        double fd = Double.parseDouble(q[2]);
        assertTrue(fd < 0.8 * untrainedFd, "FD falls with training: untrained " + untrainedFd + ", trained " + fd);
        assertEquals(2000, Double.parseDouble(q[5]), "as many samples as held-out digits");
        GeneratorWeights best = CheckpointFile.readGenerator(out.resolve(QualityLog.BEST_FILE));
        assertEquals(STEPS, best.step());
        assertEquals(fd, CheckpointFile.peekFd(out.resolve(QualityLog.BEST_FILE)).getAsDouble(), 1e-6 * fd);
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("quality after epoch 1: FD "), log.toString());

        // The pictures: losses.png, and progress.gif with a frame per epoch.
        BufferedImage chart = ImageIO.read(out.resolve(RunPictures.LOSSES).toFile());
        assertEquals(1200, chart.getWidth());
        try (var in = ImageIO.createImageInputStream(out.resolve(RunPictures.PROGRESS).toFile())) {
            var reader = ImageIO.getImageReadersByFormatName("gif").next();
            reader.setInput(in);
            assertEquals(1, reader.getNumImages(true), "one frame per epoch");
            assertEquals(png(out).getWidth(), reader.read(0).getWidth());
        }

        // The run's files: one grid for the epoch, and one metrics row per step.
        Path grid = out.resolve("samples-epoch-001.png");
        assertEquals(grid, result.lastGrid());
        BufferedImage png = ImageIO.read(grid.toFile());
        assertNotNull(png, "grid is a readable PNG");
        assertEquals(8 * (28 * 2 + 2) + 2, png.getWidth());
        List<String> rows = Files.readAllLines(out.resolve(MetricsCsv.FILE_NAME));
        assertEquals(MetricsCsv.HEADER, rows.get(0));
        assertEquals(STEPS + 1, rows.size());
        String[] last = rows.get(STEPS).split(",");
        assertEquals(String.valueOf(STEPS), last[0]);
        float dReal = Float.parseFloat(last[3]);
        float dFake = Float.parseFloat(last[4]);
        assertEquals(dReal + dFake, Float.parseFloat(last[2]), 1e-5f, "D_loss = D_real_loss + D_fake_loss");
        assertEquals(result.lastLosses().g(), Float.parseFloat(last[5]));
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("img/s"), "progress lines are printed");
    }

    private static BufferedImage png(Path out) throws java.io.IOException {
        return ImageIO.read(out.resolve("samples-epoch-001.png").toFile());
    }
}
