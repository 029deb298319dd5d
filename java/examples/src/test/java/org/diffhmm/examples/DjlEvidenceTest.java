package org.diffhmm.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The neural HMM trained in DJL with diffhmm's block reaches what EM and diffhmm's own Trainer reach
 * on the same data. Its own class: surefire gives it a JVM without the PyTorch presets' libtorch.
 */
class DjlEvidenceTest {
    @Test
    void aNeuralHmmTrainedInDjlReachesEmAndTheTrainer() {
        final NeuralHmmExperiment.Report r = NeuralHmmDjlExperiment.run(1, 300);
        // Held-out log-likelihood per step: within 0.01 nats of EM, of diffhmm's Trainer and of the truth.
        assertTrue(r.neural() > r.em() - 0.01, "neural " + r.neural() + " vs EM " + r.em());
        assertTrue(r.neural() > r.trainer() - 0.01, "neural " + r.neural() + " vs Trainer " + r.trainer());
        assertTrue(r.neural() > r.truth() - 0.01, "neural " + r.neural() + " vs generating model " + r.truth());
        final double[] held = r.curve().heldOut();
        assertTrue(held[held.length - 1] < held[0] - 0.03, "held-out loss " + held[0] + " -> " + held[held.length - 1]);
    }
}
