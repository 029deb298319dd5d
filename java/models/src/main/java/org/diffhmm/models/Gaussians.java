package org.diffhmm.models;

import java.util.SplittableRandom;

/** Standard normal draws (Box–Muller) and the Gaussian log-density. */
final class Gaussians {
    static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

    private Gaussians() {}

    static double standard(SplittableRandom rng) {
        final double u = 1.0 - rng.nextDouble();  // (0, 1]
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextDouble());
    }
}
