package dcgan.train;

import dcgan.io.LossChart;
import dcgan.io.MetricsCsv;
import dcgan.io.ProgressGif;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The pictures of a run, redrawn after each epoch from its files: {@code losses.png} from metrics.csv and
 * quality.csv, and {@code progress.gif} from the sample grids of epochs 1 to the current one.
 */
final class RunPictures {

    static final String LOSSES = "losses.png";
    static final String PROGRESS = "progress.gif";

    private RunPictures() {
    }

    static void update(RunDirectory run, int epoch) throws IOException {
        Path dir = run.dir();
        LossChart.write(dir.resolve(MetricsCsv.FILE_NAME), dir.resolve(QualityLog.FILE_NAME), dir.resolve(LOSSES));
        List<Path> grids = new ArrayList<>();
        List<Integer> epochs = new ArrayList<>();
        for (int e = 1; e <= epoch; e++) {
            Path grid = run.samples(e);
            if (Files.exists(grid)) {
                grids.add(grid);
                epochs.add(e);
            }
        }
        ProgressGif.write(grids, epochs, dir.resolve(PROGRESS));
    }
}
