package org.diffhmm.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;

/**
 * The adapters' overhead as paired ratios: the variants of {@link TorchAdapterBench} or
 * {@link DjlAdapterBench} timed in alternating rounds in one JVM (a round runs each variant for a
 * burst of calls, in an order that reverses every round), so that a slow minute of a shared machine
 * slows every variant of a round alike. Prints, per variant, the median time per call and the median
 * and quartiles of its per-round ratio to {@code direct}. JMH times the same methods one after
 * another, minutes apart; on a noisy machine its ratios can move by ±10 % from run to run.
 *
 * <pre>java -cp bench/target/benchmarks.jar:&lt;libtorch jars&gt; org.diffhmm.bench.AdapterPairs torch|djl [rounds] [calls]</pre>
 */
public final class AdapterPairs {
    private AdapterPairs() {}

    public static void main(String[] args) {
        if (args.length < 1 || !(args[0].equals("torch") || args[0].equals("djl"))) {
            System.err.println("usage: AdapterPairs torch|djl [rounds (default 40)] [calls per burst (default 20)]");
            System.exit(2);
        }
        final int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        final int calls = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        final Map<String, DoubleSupplier> variants = new LinkedHashMap<>();
        final Runnable close;
        if (args[0].equals("torch")) {
            final TorchAdapterBench b = new TorchAdapterBench();
            b.setUp();
            variants.put("direct", b::direct);
            variants.put("nllBackward", b::nllBackward);
            variants.put("nllBackwardInPlace", b::nllBackwardInPlace);
            variants.put("nll + backward()", b::adapter);
            close = () -> { };
        } else {
            final DjlAdapterBench b = new DjlAdapterBench();
            b.setUp();
            variants.put("direct", b::direct);
            variants.put("nllBackward", b::nllBackward);
            variants.put("nll + collector.backward", b::adapter);
            close = b::tearDown;
        }
        final String[] names = variants.keySet().toArray(new String[0]);
        final int warmup = Math.max(3, rounds / 8);
        final List<double[]> perRound = new ArrayList<>();  // ms per call of each variant, one row per round
        double sink = 0;
        for (int r = 0; r < warmup + rounds; r++) {
            final double[] ms = new double[names.length];
            for (int i = 0; i < names.length; i++) {
                final int v = r % 2 == 0 ? i : names.length - 1 - i;
                final DoubleSupplier call = variants.get(names[v]);
                final long start = System.nanoTime();
                for (int c = 0; c < calls; c++) {
                    sink += call.getAsDouble();
                }
                ms[v] = (System.nanoTime() - start) / 1e6 / calls;
            }
            if (r >= warmup) {
                perRound.add(ms);
            }
        }
        close.run();
        System.out.printf("%s adapter, %d rounds of %d calls per variant (after %d warm-up rounds); checksum %.3f%n",
                args[0], rounds, calls, warmup, sink);
        System.out.printf("%-26s %12s %12s %20s%n", "variant", "median ms", "ratio", "ratio quartiles");
        for (int v = 0; v < names.length; v++) {
            final double[] times = new double[perRound.size()], ratios = new double[perRound.size()];
            for (int r = 0; r < perRound.size(); r++) {
                times[r] = perRound.get(r)[v];
                ratios[r] = perRound.get(r)[v] / perRound.get(r)[0];
            }
            System.out.printf("%-26s %12.3f %12.3f %9.3f – %.3f%n", names[v], quantile(times, 0.5), quantile(ratios, 0.5),
                    quantile(ratios, 0.25), quantile(ratios, 0.75));
        }
    }

    private static double quantile(double[] values, double q) {
        final double[] s = values.clone();
        Arrays.sort(s);
        final double at = q * (s.length - 1);
        final int lo = (int) Math.floor(at), hi = (int) Math.ceil(at);
        return s[lo] + (s[hi] - s[lo]) * (at - lo);
    }
}
