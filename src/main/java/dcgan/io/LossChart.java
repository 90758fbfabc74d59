package dcgan.io;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code losses.png}: the four losses of {@code metrics.csv} against the step, each raw (faint) and smoothed
 * (an exponential moving average), and the Frechet distance of {@code quality.csv} at the epochs where it was
 * measured, on an axis of its own. Drawn with XChart.
 */
public final class LossChart {

    private static final String[] NAMES = {"D_loss", "D_real_loss", "D_fake_loss", "G_loss"};
    private static final Color[] COLORS = {new Color(31, 119, 180), new Color(44, 160, 44), new Color(255, 127, 14),
                                           new Color(214, 39, 40)};

    private LossChart() {
    }

    /** Draws the chart of a run's metrics (and quality, when {@code quality} exists) into {@code target}. */
    public static void write(Path metrics, Path quality, Path target) throws IOException {
        List<double[]> rows = read(metrics);
        if (rows.isEmpty()) {
            return;
        }
        XYChart chart = new XYChartBuilder().width(1200).height(700).title("losses per step, raw and smoothed")
                .xAxisTitle("step").yAxisTitle("loss").build();
        chart.getStyler().setMarkerSize(6);
        chart.getStyler().setYAxisGroupPosition(1, org.knowm.xchart.style.Styler.YAxisPosition.Right);
        double[] steps = column(rows, 0);
        for (int k = 0; k < NAMES.length; k++) {
            double[] raw = column(rows, 2 + k);
            Color c = COLORS[k];
            XYSeries faint = chart.addSeries(NAMES[k] + " (raw)", steps, raw);
            faint.setMarker(SeriesMarkers.NONE);
            faint.setLineColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 50));
            faint.setLineStyle(new BasicStroke(1f));
            faint.setShowInLegend(false);
            XYSeries smooth = chart.addSeries(NAMES[k], steps, smoothed(raw));
            smooth.setMarker(SeriesMarkers.NONE);
            smooth.setLineColor(c);
            smooth.setLineStyle(new BasicStroke(2f));
        }
        List<double[]> fd = Files.exists(quality) ? read(quality) : List.of();
        if (!fd.isEmpty()) {
            XYSeries s = chart.addSeries("FD (right axis)", column(fd, 0), column(fd, 2));
            s.setYAxisGroup(1);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setMarkerColor(Color.BLACK);
            s.setLineColor(Color.DARK_GRAY);
            chart.setYAxisGroupTitle(1, "Frechet distance");
        }
        BufferedImage image = BitmapEncoder.getBufferedImage(chart);
        AtomicFiles.write(target, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer available in this JRE");
            }
        });
    }

    /** An exponential moving average over about a fiftieth of the run (at least 5 steps), started at the first value. */
    static double[] smoothed(double[] v) {
        double window = Math.max(5, v.length / 50.0);
        double alpha = 2 / (window + 1);
        double[] out = new double[v.length];
        double ema = v[0];
        for (int i = 0; i < v.length; i++) {
            double x = Double.isFinite(v[i]) ? v[i] : ema;
            ema += alpha * (x - ema);
            out[i] = ema;
        }
        return out;
    }

    /** The rows of a CSV log with a header line, as numbers; unreadable rows (a cut-off last line) skipped. */
    private static List<double[]> read(Path csv) throws IOException {
        List<double[]> rows = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(csv, StandardCharsets.ISO_8859_1)) {
            String header = r.readLine();
            int columns = header == null ? 0 : header.split(",").length;
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String[] f = line.split(",");
                if (f.length != columns) {
                    continue;
                }
                double[] row = new double[columns];
                try {
                    for (int i = 0; i < columns; i++) {
                        row[i] = Double.parseDouble(f[i]);
                    }
                } catch (NumberFormatException e) {
                    continue;
                }
                rows.add(row);
            }
        }
        return rows;
    }

    private static double[] column(List<double[]> rows, int c) {
        double[] out = new double[rows.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = rows.get(i)[c];
        }
        return out;
    }
}
