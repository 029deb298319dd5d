package org.diffhmm.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.diffhmm.cli.LossPlot;
import org.diffhmm.models.CloneHmm;
import org.diffhmm.models.Room;
import org.diffhmm.train.Em;
import org.diffhmm.train.LossCurve;
import org.diffhmm.train.Schedule;
import org.diffhmm.train.Trainer;

/**
 * The clone-structured HMM learning a grid room from an aliased symbol/action stream: soft EM with a
 * pseudocount, then hard (Viterbi) EM, recovers the room — as many distinct clones on the decoded
 * path as there are cells — and gradient training (Adam on {@code lnL + pc·Σ ln T}) from the same
 * initialisation reaches EM's objective, with comparable bits per step on a held-out walk.
 * docs/models.md §6.
 *
 * <p>{@code java -cp java/examples/target/diffhmm-examples-*-all.jar org.diffhmm.examples.RoomExperiment [outDir]}
 */
public final class RoomExperiment {
    private RoomExperiment() {}

    /** What one run measured. */
    public record Report(int cells, int clonesAfterSoftEm, int clonesAfterHardEm, double emObjective,
                         double gradientObjective, double emHeldOutBps, double gradientHeldOutBps, LossCurve emCurve,
                         LossCurve gradientCurve) {}

    /** Pseudocount of soft EM and of the gradient objective: large enough to make redundant clones unattractive. */
    public static final double PSEUDOCOUNT = 0.1;

    /**
     * One run: a random {@code height × width} room with {@code symbols} colours, a training walk of
     * {@code steps} and a held-out walk of {@code steps / 5}; {@code capacity} clones per cell of each
     * symbol (2 = twice as many clones as the room needs).
     */
    public static Report run(int height, int width, int symbols, int capacity, int steps, long seed, boolean progress) {
        final SplittableRandom rng = new SplittableRandom(seed);
        final Room room = Room.random(height, width, symbols, rng);
        final List<CloneHmm.Walk> train = List.of(room.walk(steps, rng));
        final List<CloneHmm.Walk> heldOut = List.of(room.walk(steps / 5, rng));
        final int[] clones = room.cellsPerSymbol();
        for (int s = 0; s < clones.length; s++) {
            clones[s] *= capacity;
        }
        final double pc = PSEUDOCOUNT;
        final CloneHmm em = CloneHmm.random(clones, Room.ACTIONS, pc, rng);
        final CloneHmm gradient = new CloneHmm(clones, Room.ACTIONS, em.parameters(), pc);

        final LossCurve emCurve = Em.fit(em, train, 300, 1e-8, progress);
        final double emObjective = em.objective(train).value();
        final int softClones = em.distinctClones(train);
        final Trainer.Result fit = Trainer.builder().epochs(400).schedule(Schedule.cosine(0.3, 0.01)).seed(seed)
                .progress(progress).build().fit(gradient, train, List.of());
        final double gradientObjective = gradient.objective(train).value();
        final double emBps = em.bitsPerStep(heldOut), gradientBps = gradient.bitsPerStep(heldOut);

        em.pseudocount(0);
        for (int it = 0; it < 20; it++) {
            em.hardEmStep(train);
        }
        return new Report(room.cells(), softClones, em.distinctClones(train), emObjective, gradientObjective, emBps,
                gradientBps, emCurve, fit.curve());
    }

    public static void main(String[] args) throws IOException {
        final Path out = Path.of(args.length > 0 ? args[0] : "target/experiments");
        Files.createDirectories(out);
        final Report r = run(5, 5, 4, 2, 10_000, 1, true);
        System.out.printf("room of %d cells; distinct clones on the Viterbi path: %d after soft EM, %d after hard EM%n",
                r.cells(), r.clonesAfterSoftEm(), r.clonesAfterHardEm());
        System.out.printf("objective lnL + pc·Σ ln T: EM %.3f, gradient (Adam) %.3f (%.4f%% apart)%n", r.emObjective(),
                r.gradientObjective(), 100 * Math.abs(r.gradientObjective() - r.emObjective()) / Math.abs(r.emObjective()));
        System.out.printf("held-out bits per step: EM %.4f, gradient %.4f%n", r.emHeldOutBps(), r.gradientHeldOutBps());
        LossPlot.savePng(out.resolve("room-loss.png"), "CHMM on a 5x5 room: EM vs gradient", r.emCurve(),
                r.gradientCurve());
    }
}
