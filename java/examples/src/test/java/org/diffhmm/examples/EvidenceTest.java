package org.diffhmm.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.diffhmm.examples.GaussianExperiment;
import org.diffhmm.examples.RoomExperiment;
import org.diffhmm.examples.TextExperiment;
import org.junit.jupiter.api.Test;

/**
 * The three experiments of docs/models.md, each with the claim it supports. Seeds are fixed so the
 * runs are reproducible; the tolerances are stated in docs/models.md.
 */
class EvidenceTest {
    @Test
    void gaussianGradientTrainingMatchesEmAndTheGeneratingModel() {
        final GaussianExperiment.Report r = GaussianExperiment.run(1, false);
        // Held-out log-likelihood per step: gradient within 0.002 nats of EM and of the truth.
        assertTrue(Math.abs(r.gradient() - r.em()) < 0.002, "gradient " + r.gradient() + " vs EM " + r.em());
        assertTrue(r.gradient() > r.truth() - 0.002, "gradient " + r.gradient() + " vs generating model " + r.truth());
        assertTrue(r.em() > r.truth() - 0.002, "EM " + r.em() + " vs generating model " + r.truth());
    }

    @Test
    void aNeuralHmmTrainedInPyTorchReachesEm() {
        final NeuralHmmExperiment.Report r = NeuralHmmExperiment.run(1, 300);
        // Held-out log-likelihood per step: the neural HMM within 0.01 nats of EM and of the truth.
        assertTrue(r.neural() > r.em() - 0.01, "neural " + r.neural() + " vs EM " + r.em());
        assertTrue(r.neural() > r.trainer() - 0.01, "neural " + r.neural() + " vs Trainer " + r.trainer());
        assertTrue(r.neural() > r.truth() - 0.01, "neural " + r.neural() + " vs generating model " + r.truth());
        final double[] held = r.curve().heldOut();
        assertTrue(held[held.length - 1] < held[0] - 0.03, "held-out loss " + held[0] + " -> " + held[held.length - 1]);
    }

    @Test
    void twoStatesSeparateVowelsFromConsonants() {
        for (boolean gradient : new boolean[] {true, false}) {
            final TextExperiment.Report r = TextExperiment.run(1, gradient, false);
            final String how = gradient ? "gradient" : "EM";
            assertTrue(r.vowelState() >= 0, how + ": a, e, i, o, u must share a state");
            assertTrue(r.consonantsApart() >= 18, how + ": only " + r.consonantsApart() + "/21 consonants in the other state");
        }
    }

    @Test
    void cloneHmmRecoversTheRoomAndGradientReachesEm() {
        final RoomExperiment.Report r = RoomExperiment.run(5, 5, 4, 2, 10_000, 1, false);
        assertEquals(r.cells(), r.clonesAfterHardEm(), "distinct clones on the Viterbi path after soft then hard EM");
        final double gap = Math.abs(r.gradientObjective() - r.emObjective()) / Math.abs(r.emObjective());
        assertTrue(gap < 0.01, "gradient objective " + r.gradientObjective() + " vs EM " + r.emObjective());
        assertTrue(Math.abs(r.gradientHeldOutBps() - r.emHeldOutBps()) < 0.01 + 0.1 * r.emHeldOutBps(),
                "held-out bps: gradient " + r.gradientHeldOutBps() + ", EM " + r.emHeldOutBps());
    }
}
