package org.diffhmm.models;

/**
 * Row-wise softmax parameterisation of probability tables: {@code P[r][c] = exp(θ[r][c]) / Σ_c'
 * exp(θ[r][c'])}. If a log-likelihood depends on the table through expected counts
 * {@code C[r][c] = ∂L/∂log P[r][c]}, then {@code ∂L/∂θ[r][c] = C[r][c] − P[r][c]·Σ_c' C[r][c']} —
 * closed form, no numerical differentiation (docs/models.md §1).
 */
public final class Softmax {
    private Softmax() {}

    /** log P of a rows×cols table of logits (row-major). Rows of -inf logits stay -inf. */
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
            final double logSum = max + Math.log(sum);
            for (int c = 0; c < cols; c++) {
                out[r * cols + c] = logits[r * cols + c] - logSum;
            }
        }
        return out;
    }

    /** Adds ∂L/∂θ = C − P·rowsum(C) into {@code out[offset ...]}, given log P and the counts C. */
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
     * pseudocount 0, a count of 0 gives a logit of -inf (a structural zero).
     */
    public static double[] fromCounts(double[] counts, int rows, int cols, double pseudocount) {
        final double[] logits = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            double total = 0;
            for (int c = 0; c < cols; c++) {
                total += counts[r * cols + c] + pseudocount;
            }
            for (int c = 0; c < cols; c++) {
                logits[r * cols + c] = total > 0 ? Math.log((counts[r * cols + c] + pseudocount) / total) : -Math.log(cols);
            }
        }
        return logits;
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
