package org.diffhmm.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A training curve: per epoch (or EM iteration), the loss on the training data and, when there is
 * one, on held-out data — both in nats per observed step (negative log-likelihood, plus the
 * negative log-prior where the model has one). Available as data, CSV and a PNG plot.
 */
public final class LossCurve {
    private final String name;
    private final List<Double> train = new ArrayList<>();
    private final List<Double> heldOut = new ArrayList<>();

    public LossCurve(String name) {
        this.name = name;
    }

    public void add(double trainLoss, double heldOutLoss) {
        train.add(trainLoss);
        heldOut.add(heldOutLoss);
    }

    public String name() {
        return name;
    }

    public int size() {
        return train.size();
    }

    public double[] train() {
        return train.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Held-out losses (NaN where none was measured). */
    public double[] heldOut() {
        return heldOut.stream().mapToDouble(Double::doubleValue).toArray();
    }

    public String toCsv() {
        final StringBuilder s = new StringBuilder("epoch,train_loss,held_out_loss\n");
        for (int e = 0; e < train.size(); e++) {
            s.append(e + 1).append(',').append(train.get(e)).append(',').append(heldOut.get(e)).append('\n');
        }
        return s.toString();
    }

    /** Writes a PNG plot of one or more curves (800×500); works without a display. */
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
            chart.addSeries(c.name + " (train)", x, c.train()).setMarker(SeriesMarkers.NONE);
            final double[] h = c.heldOut();
            if (h.length > 0 && !Double.isNaN(h[h.length - 1])) {
                chart.addSeries(c.name + " (held-out)", x, h).setMarker(SeriesMarkers.NONE);
            }
        }
        final String path = file.toString();
        final String base = path.endsWith(".png") ? path.substring(0, path.length() - 4) : path;
        BitmapEncoder.saveBitmap(chart, base, BitmapEncoder.BitmapFormat.PNG);
    }
}
