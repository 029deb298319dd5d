package org.diffhmm;

/**
 * What both kinds of forward result share: log Z, the backend that ran, and the native workspace
 * with the saved forward state, held through a {@link Leases} lease until {@code close()} (or,
 * for a result nobody closed, until the garbage collector finds it).
 */
abstract class SavedForward implements AutoCloseable {
    private Workspaces.Workspace ws;
    private Leases.Handle lease;
    private final double[] logZ;
    private final Backend backend;

    SavedForward(Workspaces.Workspace ws, double[] logZ, String kind) {
        this.ws = ws;
        this.logZ = logZ;
        this.backend = ws.backend == org.diffhmm.internal.DiffhmmNative.DIFFHMM_BACKEND_CUDA ? Backend.CUDA : Backend.CPU;
        this.lease = Leases.hold(this, ws, kind);
    }

    /**
     * log Z of every sequence.
     *
     * @return a copy, {@code [B]}: -inf for a sequence without a finite path, 0 for length 0
     */
    public double[] logZ() {
        return logZ.clone();
    }

    /**
     * Which backend ran the forward (and runs the backward).
     *
     * @return {@link Backend#CPU} or {@link Backend#CUDA}, never AUTO
     */
    public Backend backend() {
        return backend;
    }

    /** Returns the native workspace to the pool; later calls on this result throw. Idempotent. */
    @Override
    public synchronized void close() {
        if (lease != null) {
            lease.close();  // gives the workspace back
            lease = null;
            ws = null;
        }
    }

    /**
     * The saved workspace, for a native call the caller makes while holding this result's lock; the
     * caller ends it with {@code Reference.reachabilityFence(this)}, so the call never races the
     * cleaner of a result that looks unreachable.
     */
    final Workspaces.Workspace workspace() {
        if (ws == null) {
            throw new IllegalStateException("this " + getClass().getSimpleName() + " is closed: its forward state is gone");
        }
        return ws;
    }
}
