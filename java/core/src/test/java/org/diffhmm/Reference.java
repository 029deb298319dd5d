package org.diffhmm;

/**
 * Oracles written in Java, independent of the native code: brute-force enumeration of every path
 * (tiny problems), and the plain forward–backward recursion, in float64 or — rounding after every
 * operation — in float32 (the "naive same-precision implementation" that sets float32 tolerances).
 * Outputs follow the library's conventions (0 at padding, -inf / zero gradient without a path).
 */
final class Reference {
    /** Every output of one problem, as float64. */
    static final class Outputs {
        double[] logZ, score, gamma, gradPotential, gradInit, gradTrans, gradEmit;
        long[] path;
    }

    private Reference() {}

    static Outputs enumerate(Problems p, double[] g) {
        final Outputs o = blank(p);
        for (int b = 0; b < p.B; b++) {
            final int L = (int) p.lengths[b];
            if (L == 0) {
                continue;
            }
            final int count = (int) Math.pow(p.N, L);
            final double[] s = new double[count];
            final int[] z = new int[L];
            double best = Double.NEGATIVE_INFINITY;
            int bestCode = -1;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < count; c++) {
                decode(c, p.N, z);
                double v = p.score(b, 0, 0, z[0]);
                for (int t = 1; t < L; t++) {
                    v += p.score(b, t, z[t - 1], z[t]);
                }
                s[c] = v;
                if (v > best) {
                    best = v;
                    bestCode = c;
                }
                max = Math.max(max, v);
            }
            double sum = 0;
            for (double v : s) {
                sum += max == Double.NEGATIVE_INFINITY ? 0 : Math.exp(v - max);
            }
            final double logZ = max == Double.NEGATIVE_INFINITY ? max : max + Math.log(sum);
            o.logZ[b] = logZ;
            o.score[b] = best;
            if (best > Double.NEGATIVE_INFINITY) {
                decode(bestCode, p.N, z);
                for (int t = 0; t < L; t++) {
                    o.path[b * p.T + t] = z[t];
                }
            }
            if (logZ == Double.NEGATIVE_INFINITY) {
                continue;
            }
            for (int c = 0; c < count; c++) {
                final double w = Math.exp(s[c] - logZ);
                if (w == 0) {
                    continue;
                }
                decode(c, p.N, z);
                for (int t = 0; t < L; t++) {
                    o.gamma[(b * p.T + t) * p.N + z[t]] += w;
                }
                if (p.dense) {
                    o.gradPotential[b * p.T * p.N * p.N + z[0]] += g[b] * w;
                    for (int t = 1; t < L; t++) {
                        o.gradPotential[((b * p.T + t) * p.N + z[t - 1]) * p.N + z[t]] += g[b] * w;
                    }
                } else {
                    o.gradInit[(p.initBatched ? b * p.N : 0) + z[0]] += g[b] * w;
                    for (int t = 0; t < L; t++) {
                        o.gradEmit[(b * p.T + t) * p.N + z[t]] += g[b] * w;
                    }
                    for (int t = 1; t < L; t++) {
                        final int k = p.transIndex == null ? 0 : (int) p.transIndex[b * p.T + t];
                        o.gradTrans[(k * p.N + z[t - 1]) * p.N + z[t]] += g[b] * w;
                    }
                }
            }
        }
        return o;
    }

    /** The textbook recursion; {@code single} rounds every intermediate to float32. */
    static Outputs recursion(Problems p, double[] g, boolean single) {
        final Outputs o = blank(p);
        final int N = p.N, T = p.T;
        for (int b = 0; b < p.B; b++) {
            final int L = (int) p.lengths[b];
            if (L == 0) {
                continue;
            }
            final double[][] alpha = new double[L][N], beta = new double[L][N], delta = new double[L][N];
            final int[][] back = new int[L][N];
            final double[] terms = new double[N];
            for (int j = 0; j < N; j++) {
                alpha[0][j] = r(p.score(b, 0, 0, j), single);
                delta[0][j] = alpha[0][j];
            }
            for (int t = 1; t < L; t++) {
                for (int j = 0; j < N; j++) {
                    double best = Double.NEGATIVE_INFINITY;
                    for (int i = 0; i < N; i++) {
                        final double sc = r(p.score(b, t, i, j), single);
                        terms[i] = r(alpha[t - 1][i] + sc, single);
                        final double d = r(delta[t - 1][i] + sc, single);
                        if (d > best) {
                            best = d;
                            back[t][j] = i;
                        }
                    }
                    alpha[t][j] = lse(terms, single);
                    delta[t][j] = best;
                }
            }
            for (int t = L - 1; t >= 1; t--) {
                for (int i = 0; i < N; i++) {
                    for (int j = 0; j < N; j++) {
                        terms[j] = r(r(p.score(b, t, i, j), single) + beta[t][j], single);
                    }
                    beta[t - 1][i] = lse(terms, single);
                }
            }
            final double logZ = lse(alpha[L - 1], single);
            o.logZ[b] = logZ;
            int arg = 0;
            for (int j = 1; j < N; j++) {
                if (delta[L - 1][j] > delta[L - 1][arg]) {
                    arg = j;
                }
            }
            o.score[b] = delta[L - 1][arg];
            if (o.score[b] > Double.NEGATIVE_INFINITY) {
                o.path[b * T + L - 1] = arg;
                for (int t = L - 1; t >= 1; t--) {
                    o.path[b * T + t - 1] = back[t][(int) o.path[b * T + t]];
                }
            }
            if (logZ == Double.NEGATIVE_INFINITY) {
                continue;
            }
            for (int t = 0; t < L; t++) {
                for (int j = 0; j < N; j++) {
                    final double gamma = r(Math.exp(r(r(alpha[t][j] + beta[t][j], single) - logZ, single)), single);
                    o.gamma[(b * T + t) * N + j] = gamma;
                    if (!p.dense) {
                        o.gradEmit[(b * T + t) * N + j] = r(g[b] * gamma, single);
                    }
                    if (t == 0 && p.dense) {
                        o.gradPotential[b * T * N * N + j] = r(g[b] * gamma, single);
                    }
                    if (t == 0 && !p.dense) {
                        o.gradInit[(p.initBatched ? b * N : 0) + j] += r(g[b] * gamma, single);
                    }
                }
                if (t == 0) {
                    continue;
                }
                for (int i = 0; i < N; i++) {
                    for (int j = 0; j < N; j++) {
                        final double e = r(r(r(alpha[t - 1][i] + r(p.score(b, t, i, j), single), single) + beta[t][j],
                                single) - logZ, single);
                        final double xi = r(g[b] * r(Math.exp(e), single), single);
                        if (p.dense) {
                            o.gradPotential[((b * T + t) * N + i) * N + j] = xi;
                        } else {
                            final int k = p.transIndex == null ? 0 : (int) p.transIndex[b * T + t];
                            o.gradTrans[(k * N + i) * N + j] = r(o.gradTrans[(k * N + i) * N + j] + xi, single);
                        }
                    }
                }
            }
        }
        return o;
    }

    private static Outputs blank(Problems p) {
        final Outputs o = new Outputs();
        o.logZ = new double[p.B];
        o.score = new double[p.B];
        o.gamma = new double[p.B * p.T * p.N];
        o.path = new long[p.B * p.T];
        java.util.Arrays.fill(o.path, -1);
        if (p.dense) {
            o.gradPotential = new double[p.B * p.T * p.N * p.N];
        } else {
            o.gradInit = new double[p.init.length];
            o.gradTrans = new double[p.trans.length];
            o.gradEmit = new double[p.emit.length];
        }
        return o;
    }

    private static void decode(int code, int N, int[] z) {
        for (int t = z.length - 1; t >= 0; t--) {
            z[t] = code % N;
            code /= N;
        }
    }

    private static double r(double v, boolean single) {
        return single ? (float) v : v;
    }

    private static double lse(double[] x, boolean single) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            m = Math.max(m, v);
        }
        if (m == Double.NEGATIVE_INFINITY) {
            return m;
        }
        double s = 0;
        for (double v : x) {
            s = r(s + r(Math.exp(r(v - m, single)), single), single);
        }
        return r(m + r(Math.log(s), single), single);
    }
}
