package org.diffhmm.models;

/**
 * Row-wise softmax parameterisation of probability tables: {@code P[r][c] = exp(θ[r][c]) / Σ_c'
 * exp(θ[r][c'])}. If a log-likelihood depends on the table through expected counts
 * {@code C[r][c] = ∂L/∂log P[r][c]}, then {@code ∂L/∂θ[r][c] = C[r][c] − P[r][c]·Σ_c' C[r][c']} —
 * closed form, no numerical differentiation (docs/models.md §1).
 */
public final class Softmax {
    private Softmax() {}

    /**
     * The log-probabilities of a table of logits, row by row. A row of only -inf logits (a state
     * with no outgoing mass) stays all -inf.
     *
     * @param logits the logits, {@code [rows][cols]} row-major; finite or -inf
     * @param rows   the number of rows
     * @param cols   the number of columns
     * @return {@code log P}, {@code [rows][cols]} row-major
     */
    public static double[] logProbabilities(double[] logits, int rows, int cols) {
        final double[] out = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) {
                max = Math.max(max, logits[r * cols + c]);
            }
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                sum += Math.exp(logits[r * cols + c] - max);
            }
            if (max == Double.NEGATIVE_INFINITY) {
                java.util.Arrays.fill(out, r * cols, (r + 1) * cols, Double.NEGATIVE_INFINITY);
                continue;
            }
            final double logSum = max + Math.log(sum);
            for (int c = 0; c < cols; c++) {
                out[r * cols + c] = logits[r * cols + c] - logSum;
            }
        }
        return out;
    }

    /**
     * Adds the gradient {@code ∂L/∂θ = C − P·rowsum(C)} of a log-likelihood with respect to the
     * logits, given the table's log-probabilities and the expected counts.
     *
     * @param logProbabilities {@code log P}, {@code [rows][cols]} row-major
     * @param counts           expected counts {@code C}, same shape
     * @param rows             the number of rows
     * @param cols             the number of columns
     * @param out              where the gradient is added
     * @param offset           the index in {@code out} of entry {@code [0][0]}
     */
    public static void addGradient(double[] logProbabilities, double[] counts, int rows, int cols, double[] out,
                                   int offset) {
        for (int r = 0; r < rows; r++) {
            double total = 0;
            for (int c = 0; c < cols; c++) {
                total += counts[r * cols + c];
            }
            for (int c = 0; c < cols; c++) {
                out[offset + r * cols + c] += counts[r * cols + c] - Math.exp(logProbabilities[r * cols + c]) * total;
            }
        }
    }

    /**
     * The M-step of a table: logits = log((C + pseudocount) / rowsum(C + pseudocount)). With
     * pseudocount 0, a count of 0 gives a logit of -inf (a structural zero), and a row without any
     * count stays all -inf (a state the data never left keeps no outgoing probability — the
     * reference CHMM's semantics; nothing is invented for what was never seen).
     *
     * @param counts      expected counts, {@code [rows][cols]} row-major, each at least 0
     * @param rows        the number of rows
     * @param cols        the number of columns
     * @param pseudocount added to every count, at least 0
     * @return the logits, {@code [rows][cols]} row-major
     */
    public static double[] fromCounts(double[] counts, int rows, int cols, double pseudocount) {
        return fromCounts(counts, rows, cols, pseudocount, null);
    }

    /**
     * As {@link #fromCounts(double[], int, int, double)}, keeping structural zeros: where
     * {@code current} (the logits being replaced, or null) is -inf, the new logit is -inf too and gets
     * no pseudocount — a forbidden transition or emission stays forbidden (its expected count is 0).
     *
     * @param counts      expected counts, {@code [rows][cols]} row-major, each at least 0
     * @param rows        the number of rows
     * @param cols        the number of columns
     * @param pseudocount added to every count that is not a structural zero, at least 0
     * @param current     the logits being replaced, {@code [rows][cols]}, or null (no structural zeros)
     * @return the logits, {@code [rows][cols]} row-major
     */
    static double[] fromCounts(double[] counts, int rows, int cols, double pseudocount, double[] current) {
        final double[] logits = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            double total = 0;
            for (int c = 0; c < cols; c++) {
                if (current == null || current[r * cols + c] > Double.NEGATIVE_INFINITY) {
                    total += counts[r * cols + c] + pseudocount;
                }
            }
            for (int c = 0; c < cols; c++) {
                final boolean zero = current != null && current[r * cols + c] == Double.NEGATIVE_INFINITY;
                logits[r * cols + c] = total > 0 && !zero ? Math.log((counts[r * cols + c] + pseudocount) / total)
                        : Double.NEGATIVE_INFINITY;
            }
        }
        return logits;
    }

    /** e^x of every entry, in a new array (log-scale parameters back to their scale). */
    static double[] exp(double[] logs) {
        final double[] out = new double[logs.length];
        for (int k = 0; k < logs.length; k++) {
            out[k] = Math.exp(logs[k]);
        }
        return out;
    }

    /** Row-major log-probabilities {@code [rows][cols]} as a matrix of probabilities. */
    static double[][] matrix(double[] logProbabilities, int rows, int cols) {
        final double[][] out = new double[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[r][c] = Math.exp(logProbabilities[r * cols + c]);
            }
        }
        return out;
    }

    /** Draws an index from the row's distribution given its log-probabilities. */
    static int draw(double[] logProbabilities, int offset, int cols, java.util.SplittableRandom rng) {
        double u = rng.nextDouble();
        for (int c = 0; c < cols; c++) {
            u -= Math.exp(logProbabilities[offset + c]);
            if (u < 0) {
                return c;
            }
        }
        for (int c = cols - 1; c >= 0; c--) {
            if (logProbabilities[offset + c] > Double.NEGATIVE_INFINITY) {
                return c;
            }
        }
        return cols - 1;
    }
}
