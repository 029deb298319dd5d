package org.diffhmm.models;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded k-means++ (Arthur and Vassilvitskii's D² seeding, then Lloyd iterations) over the observation
 * vectors of a data set: the starting means of Gaussian models. At most {@link #MAX_POINTS} points
 * take part (a seeded uniform sample of larger data sets), so a start costs O(points · k · D) per
 * iteration whatever the data's size.
 */
final class KMeans {
    /** The most observations that take part. */
    static final int MAX_POINTS = 20_000;
    /** The most Lloyd iterations (it also stops once no assignment changes). */
    static final int MAX_ITERATIONS = 25;

    /** Cluster centres {@code [k][D]} and, per cluster, the points' variance per dimension (NaN with fewer than 2 points). */
    record Result(double[][] centres, double[][] variances) {}

    private KMeans() {}

    /** The observations of the sequences (all, or a seeded uniform sample of {@link #MAX_POINTS}). */
    static List<double[]> points(List<double[][]> data, SplittableRandom rng) {
        long total = 0;
        for (double[][] x : data) {
            total += x.length;
        }
        final List<double[]> points = new ArrayList<>((int) Math.min(total, MAX_POINTS));
        long seen = 0;
        for (double[][] x : data) {
            for (double[] step : x) {  // reservoir sampling: every observation equally likely
                if (points.size() < MAX_POINTS) {
                    points.add(step);
                } else {
                    final long slot = rng.nextLong(seen + 1);
                    if (slot < MAX_POINTS) {
                        points.set((int) slot, step);
                    }
                }
                seen++;
            }
        }
        return points;
    }

    static Result cluster(List<double[]> points, int k, SplittableRandom rng) {
        final int n = points.size(), dims = points.get(0).length;
        final double[][] centres = new double[k][];
        final double[] d2 = new double[n];
        centres[0] = points.get(rng.nextInt(n)).clone();
        java.util.Arrays.fill(d2, Double.POSITIVE_INFINITY);
        for (int c = 1; c < k; c++) {
            double total = 0;
            for (int p = 0; p < n; p++) {
                d2[p] = Math.min(d2[p], distance2(points.get(p), centres[c - 1]));
                total += d2[p];
            }
            int pick = rng.nextInt(n);  // all points on the centres already: any point
            if (total > 0) {
                double u = rng.nextDouble() * total;
                for (int p = 0; p < n; p++) {
                    u -= d2[p];
                    if (u < 0) {
                        pick = p;
                        break;
                    }
                }
            }
            centres[c] = points.get(pick).clone();
        }
        final int[] assigned = new int[n];
        java.util.Arrays.fill(assigned, -1);
        for (int it = 0; it < MAX_ITERATIONS; it++) {
            boolean changed = false;
            for (int p = 0; p < n; p++) {
                int best = 0;
                double bestD = Double.POSITIVE_INFINITY;
                for (int c = 0; c < k; c++) {
                    final double d = distance2(points.get(p), centres[c]);
                    if (d < bestD) {
                        bestD = d;
                        best = c;
                    }
                }
                changed |= assigned[p] != best;
                assigned[p] = best;
            }
            final double[][] sums = new double[k][dims];
            final int[] counts = new int[k];
            for (int p = 0; p < n; p++) {
                counts[assigned[p]]++;
                for (int d = 0; d < dims; d++) {
                    sums[assigned[p]][d] += points.get(p)[d];
                }
            }
            for (int c = 0; c < k; c++) {
                if (counts[c] > 0) {
                    for (int d = 0; d < dims; d++) {
                        centres[c][d] = sums[c][d] / counts[c];
                    }
                }
            }
            if (!changed) {
                break;
            }
        }
        final double[][] variances = new double[k][dims];
        final int[] counts = new int[k];
        for (int p = 0; p < n; p++) {
            counts[assigned[p]]++;
            for (int d = 0; d < dims; d++) {
                final double e = points.get(p)[d] - centres[assigned[p]][d];
                variances[assigned[p]][d] += e * e;
            }
        }
        for (int c = 0; c < k; c++) {
            for (int d = 0; d < dims; d++) {
                variances[c][d] = counts[c] >= 2 ? variances[c][d] / counts[c] : Double.NaN;
            }
        }
        return new Result(centres, variances);
    }

    private static double distance2(double[] a, double[] b) {
        double s = 0;
        for (int d = 0; d < a.length; d++) {
            final double e = a[d] - b[d];
            s += e * e;
        }
        return s;
    }
}
