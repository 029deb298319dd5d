package org.diffhmm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The published-table comparison, shared by {@code diffhmm bench} and {@code scripts/bench.sh}: times
 * of diffhmm (per backend: forward, backward, forward+backward, Viterbi) and of the PyTorch peers
 * ({@code bench/python/torch_peers.py}) become a markdown report — machine, commit, the published
 * numbers beside ours, ratios, sequences per second and effective bandwidth — and a PNG plot of time
 * against L (log scale). As a program it reads JMH's JSON (DenseBench) and the peers' JSON:
 *
 * <pre>java -cp bench/target/benchmarks.jar org.diffhmm.cli.BenchReport --jmh jmh.json
 *      [--torch torch.json] --machine "text" --out bench/results/NAME</pre>
 * writes {@code NAME.md} and {@code NAME.png}.
 */
public final class BenchReport {
    /** The published layer and its PyTorch baseline on a GTX 1080 Ti, B = 8, N = 50 (DESIGN.md §3), ms. */
    static final Map<Integer, double[]> PUBLISHED = new TreeMap<>(Map.of(
            100, new double[] {30.6, 39.3, 37.4, 55.2},
            500, new double[] {118.0, 145.5, 141.8, 368.2},
            1000, new double[] {185.3, 270.0, 224.2, 1528.4},
            2000, new double[] {339.9, 526.3, 397.1, 6680.4},
            3000, new double[] {486.1, 800.5, 566.5, 13962.0}));

    private BenchReport() {}

    public static void main(String[] args) throws IOException {
        final Map<String, String> a = new LinkedHashMap<>();
        for (int k = 0; k + 1 < args.length; k += 2) {
            a.put(args[k], args[k + 1]);
        }
        if (!a.containsKey("--jmh") || !a.containsKey("--out")) {
            System.err.println("usage: BenchReport --jmh jmh.json [--torch torch.json] [--machine text] --out path/NAME");
            System.exit(2);
        }
        final Path out = Path.of(a.get("--out"));
        final Table table = new Table();
        for (String file : a.get("--jmh").split(",")) {
            readJmh(Path.of(file), table);
        }
        if (a.containsKey("--torch")) {
            readTorch(Path.of(a.get("--torch")), table);
        }
        write(table, a.getOrDefault("--machine", ""), out);
        System.out.println("wrote " + out + ".md and " + out + ".png");
    }

    /** Times in ms keyed by series name ("diffhmm cpu forward", "PyTorch linear forwardBackward", ...), then by L. */
    public static final class Table {
        final Map<String, Map<Integer, Double>> series = new LinkedHashMap<>();
        /** FactorizedBench rows: backend, dtype, B, N, L, operation, ms. */
        final List<String[]> factorized = new ArrayList<>();

        public void put(String name, int length, double ms) {
            series.computeIfAbsent(name, k -> new TreeMap<>()).put(length, ms);
        }

        Double get(String name, int length) {
            final Map<Integer, Double> s = series.get(name);
            return s == null ? null : s.get(length);
        }
    }

    /** The DenseBench rows of the published shape, and every FactorizedBench row, of a JMH JSON file. */
    static void readJmh(Path jmh, Table table) throws IOException {
        final ObjectMapper json = new ObjectMapper();
        for (JsonNode run : json.readTree(jmh.toFile())) {
            final String benchmark = run.path("benchmark").asText();
            if (benchmark.contains("FactorizedBench")) {
                final JsonNode p = run.path("params");
                table.factorized.add(new String[] {p.path("backend").asText(), p.path("dtype").asText(),
                        p.path("batch").asText(), p.path("states").asText(), p.path("length").asText(),
                        benchmark.substring(benchmark.lastIndexOf('.') + 1),
                        String.valueOf(run.path("primaryMetric").path("score").asDouble())});
                continue;
            }
            if (!benchmark.contains("DenseBench")) {
                continue;
            }
            final JsonNode p = run.path("params");
            if (p.path("batch").asInt() != 8 || p.path("states").asInt() != 50 || !"float32".equals(p.path("dtype").asText())) {
                continue;
            }
            final String op = benchmark.substring(benchmark.lastIndexOf('.') + 1);
            table.put("diffhmm " + p.path("backend").asText() + " " + op, p.path("length").asInt(),
                    run.path("primaryMetric").path("score").asDouble());
        }
    }

    /** Adds the PyTorch peers' rows (torch_peers.py --json). */
    static void readTorch(Path torch, Table table) throws IOException {
        if (Files.exists(torch)) {
            for (JsonNode row : new ObjectMapper().readTree(torch.toFile()).path("rows")) {
                if (row.path("forward_ms").isNull()) {
                    continue;
                }
                final String peer = "PyTorch " + row.path("peer").asText();
                final int length = row.path("L").asInt();
                table.put(peer + " forward", length, row.path("forward_ms").asDouble());
                table.put(peer + " forwardBackward", length, row.path("forward_backward_ms").asDouble());
            }
        }
    }

    /** Writes {@code out.md} and {@code out.png}; the published columns are added here. */
    public static void write(Table t, String machine, Path out) throws IOException {
        for (Map.Entry<Integer, double[]> e : PUBLISHED.entrySet()) {
            t.put("published layer forward (1080 Ti)", e.getKey(), e.getValue()[0]);
            t.put("published layer backward (1080 Ti)", e.getKey(), e.getValue()[2]);
            t.put("published PyTorch forward (1080 Ti)", e.getKey(), e.getValue()[1]);
            t.put("published PyTorch backward (1080 Ti)", e.getKey(), e.getValue()[3]);
        }
        final List<String> backends = new ArrayList<>();
        for (String name : t.series.keySet()) {
            if (name.startsWith("diffhmm ") && name.endsWith(" forward")) {
                backends.add(name.substring("diffhmm ".length(), name.length() - " forward".length()));
            }
        }
        final StringBuilder md = new StringBuilder();
        md.append("# diffhmm benchmark: ").append(out.getFileName()).append("\n\n").append(machine.strip()).append("\n\n");
        md.append("B = 8, N = 50, float32 dense potentials, full-length sequences; times in ms (diffhmm: JMH means; "
                + "PyTorch: medians). \"published\" columns are the published layer's table (GTX 1080 Ti), not measured here.\n\n");
        for (String backend : backends) {
            md.append("## diffhmm ").append(backend).append("\n\n");
            md.append("| L | diffhmm fwd | diffhmm bwd | diffhmm fwd+bwd | diffhmm Viterbi | sequences/s (fwd+bwd) | "
                    + "potential GB/s (fwd) | published layer fwd / bwd | PyTorch linear fwd+bwd | PyTorch scan fwd+bwd | "
                    + "PyTorch published-loop fwd+bwd | speed-up: vs published layer (fwd, bwd) | vs PyTorch linear | "
                    + "vs PyTorch published loop |\n");
            md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
            final Map<Integer, Double> fwd = t.series.getOrDefault("diffhmm " + backend + " forward", Map.of());
            for (int length : fwd.keySet()) {
                final Double f = t.get("diffhmm " + backend + " forward", length);
                final Double b = t.get("diffhmm " + backend + " backward", length);
                final Double fb = t.get("diffhmm " + backend + " forwardBackward", length);
                final Double v = t.get("diffhmm " + backend + " viterbi", length);
                final double[] pub = PUBLISHED.get(length);
                final Double lin = t.get("PyTorch linear forwardBackward", length);
                final Double scan = t.get("PyTorch scan forwardBackward", length);
                final Double loop = t.get("PyTorch published forwardBackward", length);
                final String seqPerS = fb == null ? "—" : String.format(Locale.ROOT, "%.0f", 8 / (fb / 1e3));
                final String gbs = f == null ? "—" : String.format(Locale.ROOT, "%.1f", 8.0 * length * 50 * 50 * 4 / (f / 1e3) / 1e9);
                md.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                        length, ms(f), ms(b), ms(fb), ms(v), seqPerS, gbs,
                        pub == null ? "—" : ms(pub[0]) + " / " + ms(pub[2]), ms(lin), ms(scan),
                        ms(loop), pub == null || f == null || b == null ? "—" : ratio(pub[0], f) + ", " + ratio(pub[2], b),
                        lin == null || fb == null ? "—" : ratio(lin, fb), loop == null || fb == null ? "—" : ratio(loop, fb)));
            }
            md.append('\n');
        }
        if (!t.factorized.isEmpty()) {
            md.append("## Factorized potentials (shared init and transitions, emissions [B][L][N])\n\n");
            md.append("| backend | dtype | B | N | L | operation | ms | sequences/s | emission GB/s |\n");
            md.append("|---|---|---|---|---|---|---|---|---|\n");
            for (String[] r : t.factorized) {
                final double ms = Double.parseDouble(r[6]);
                final long b = Long.parseLong(r[2]), n = Long.parseLong(r[3]), l = Long.parseLong(r[4]);
                final int bytes = r[1].equals("float64") ? 8 : 4;
                md.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %d | %s | %s | %.0f | %.1f |%n", r[0], r[1], b, n,
                        l, r[5], ms(ms), b / (ms / 1e3), (double) b * l * n * bytes / (ms / 1e3) / 1e9));
            }
            md.append('\n');
        }
        md.append("![time against L](").append(out.getFileName()).append(".png)\n");
        Files.createDirectories(out.toAbsolutePath().getParent());
        // Both files appear together or not at all.
        final Path mdTmp = Path.of(out + ".md.tmp"), pngTmp = Path.of(out + ".tmp.png");
        try {
            Files.writeString(mdTmp, md.toString());
            plot(t, pngTmp);
            Files.move(pngTmp, Path.of(out + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.move(mdTmp, Path.of(out + ".md"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(mdTmp);
            Files.deleteIfExists(pngTmp);
        }
    }

    private static String ms(Double v) {
        if (v == null) {
            return "—";
        }
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : v >= 1 ? String.format(Locale.ROOT, "%.2f", v)
                : String.format(Locale.ROOT, "%.3f", v);
    }

    private static String ratio(double theirs, double ours) {
        return String.format(Locale.ROOT, "%.0f×", theirs / ours);
    }

    static void plot(Table t, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        final XYChart chart = new XYChartBuilder().width(900).height(560).title("B = 8, N = 50, float32: time against L")
                .xAxisTitle("L (steps)").yAxisTitle("ms (log scale)").build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setMarkerSize(6);
        for (Map.Entry<String, Map<Integer, Double>> s : t.series.entrySet()) {
            final String name = s.getKey();
            if (name.endsWith("viterbi") || (name.startsWith("PyTorch") && name.endsWith(" forward"))
                    || (name.startsWith("diffhmm") && name.endsWith(" backward"))) {
                continue;  // keep the plot readable: forward, forward+backward, published columns
            }
            final double[] x = s.getValue().keySet().stream().mapToDouble(Integer::doubleValue).toArray();
            final double[] y = s.getValue().values().stream().mapToDouble(Double::doubleValue).toArray();
            chart.addSeries(name, x, y).setMarker(SeriesMarkers.CIRCLE);
        }
        final String path = png.toString();
        BitmapEncoder.saveBitmap(chart, path.substring(0, path.length() - 4), BitmapEncoder.BitmapFormat.PNG);
    }
}
