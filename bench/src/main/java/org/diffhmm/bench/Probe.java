package org.diffhmm.bench;

import org.diffhmm.Diffhmm;

/** Answers scripts/bench.sh: {@code cuda} exits 0 if the CUDA backend can run; {@code threads} prints the CPU threads. */
public final class Probe {
    private Probe() {}

    public static void main(String[] args) {
        final String what = args.length > 0 ? args[0] : "";
        if (what.equals("cuda")) {
            System.exit(Diffhmm.cudaAvailable() ? 0 : 1);
        }
        if (what.equals("threads")) {
            System.out.println(Diffhmm.cpuThreads());
            return;
        }
        System.err.println("usage: Probe cuda|threads");
        System.exit(2);
    }
}
