package org.diffhmm.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.diffhmm.train.LossCurve;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG plots of {@link LossCurve}s (XChart), for the command line and the examples. */
public final class LossPlot {
    private LossPlot() {}

    /**
     * Writes a PNG plot (800×500) of one or more curves: the training loss of each and, where it was
     * measured, the held-out loss; x is the epoch or EM iteration, y the loss in nats per step.
     * Works without a display (sets {@code java.awt.headless}).
     *
     * @param file   the PNG to write ({@code .png} is appended when missing)
     * @param title  the chart's title
     * @param curves the curves to draw
     * @throws IOException when the file cannot be written
     */
    public static void savePng(Path file, String title, LossCurve... curves) throws IOException {
        System.setProperty("java.awt.headless", "true");
        final XYChart chart = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle("epoch / iteration")
                .yAxisTitle("loss (nats per step)").build();
        chart.getStyler().setMarkerSize(3);
        for (LossCurve c : curves) {
            final double[] x = new double[c.size()];
            for (int e = 0; e < x.length; e++) {
                x[e] = e + 1;
            }
            chart.addSeries(c.name() + " (train)", x, c.train()).setMarker(SeriesMarkers.NONE);
            final double[] h = c.heldOut();
            if (h.length > 0 && !Double.isNaN(h[h.length - 1])) {
                chart.addSeries(c.name() + " (held-out)", x, h).setMarker(SeriesMarkers.NONE);
            }
        }
        final String path = file.toString();
        final String base = path.endsWith(".png") ? path.substring(0, path.length() - 4) : path;
        BitmapEncoder.saveBitmap(chart, base, BitmapEncoder.BitmapFormat.PNG);
    }
}
