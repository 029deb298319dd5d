package org.diffhmm.train;

/**
 * First-order optimisers over a flat parameter vector. {@link #step} takes the gradient of the loss
 * to minimise and the current learning rate. An instance keeps per-parameter state (moments); use
 * one per training run; instances are not thread-safe.
 */
public interface Optimizer {
    /**
     * One update, in place.
     *
     * @param parameters   the parameters, updated in place
     * @param gradient     the gradient of the loss to minimise, same length
     * @param learningRate the step size
     */
    void step(double[] parameters, double[] gradient, double learningRate);

    /**
     * Adam (Kingma &amp; Ba) with the usual β1 = 0.9, β2 = 0.999, ε = 1e-8.
     *
     * @return a fresh optimiser
     */
    static Optimizer adam() {
        return new Adam(0.9, 0.999, 1e-8);
    }

    /**
     * Stochastic gradient descent with (heavy-ball) momentum.
     *
     * @param momentum in {@code [0, 1)}; 0 is plain gradient descent
     * @return a fresh optimiser
     * @throws IllegalArgumentException if the momentum is out of range
     */
    static Optimizer sgd(double momentum) {
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        return new Sgd(momentum);
    }

    /** Adam: bias-corrected first and second moment estimates per parameter. */
    final class Adam implements Optimizer {
        private final double beta1, beta2, epsilon;
        private double[] m, v;
        private long t;

        Adam(double beta1, double beta2, double epsilon) {
            this.beta1 = beta1;
            this.beta2 = beta2;
            this.epsilon = epsilon;
        }

        @Override
        public void step(double[] p, double[] g, double lr) {
            if (m == null) {
                m = new double[p.length];
                v = new double[p.length];
            }
            t++;
            final double c1 = 1 - Math.pow(beta1, t), c2 = 1 - Math.pow(beta2, t);
            for (int k = 0; k < p.length; k++) {
                m[k] = beta1 * m[k] + (1 - beta1) * g[k];
                v[k] = beta2 * v[k] + (1 - beta2) * g[k] * g[k];
                p[k] -= lr * (m[k] / c1) / (Math.sqrt(v[k] / c2) + epsilon);
            }
        }

        @Override
        public String toString() {
            return "adam";
        }
    }

    /** Gradient descent with heavy-ball momentum. */
    final class Sgd implements Optimizer {
        private final double momentum;
        private double[] velocity;

        Sgd(double momentum) {
            this.momentum = momentum;
        }

        @Override
        public void step(double[] p, double[] g, double lr) {
            if (velocity == null) {
                velocity = new double[p.length];
            }
            for (int k = 0; k < p.length; k++) {
                velocity[k] = momentum * velocity[k] + g[k];
                p[k] -= lr * velocity[k];
            }
        }

        @Override
        public String toString() {
            return "sgd(momentum=" + momentum + ")";
        }
    }
}
