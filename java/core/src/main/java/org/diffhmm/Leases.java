package org.diffhmm;

import java.lang.ref.Cleaner;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The native workspaces held by results ({@link HmmForward.Result}, {@link HmmForward.FactorizedResult})
 * between their forward and their {@code close()}, made safe to forget:
 * <ul>
 *   <li>a result that becomes unreachable without {@code close()} gives its workspace back through a
 *       {@link Cleaner} once the garbage collector finds it;</li>
 *   <li>such a leak is reported once per place of creation (SLF4J WARN, logger {@code org.diffhmm.Leases})
 *       with the stack where the result was made — recorded for one result in
 *       {@code -Ddiffhmm.leakSampling=N} (default 128; 1 records every result, 0 none), like Netty's
 *       leak detector; leaks of unrecorded results are reported once, saying how to see where;</li>
 *   <li>the native memory held by open results is bounded ({@code -Ddiffhmm.maxOpenResultBytes},
 *       default: the JVM's maximum heap): beyond it, a new forward first has the garbage collector
 *       reclaim forgotten results, and fails with {@link Status#OUT_OF_MEMORY} if the results still
 *       open hold more.</li>
 * </ul>
 */
final class Leases {
    private static final Logger LOG = LoggerFactory.getLogger(Leases.class);
    private static final Cleaner CLEANER = Cleaner.create(r -> {
        final Thread t = new Thread(r, "diffhmm-cleaner");
        t.setDaemon(true);
        return t;
    });
    private static final AtomicLong OPEN_BYTES = new AtomicLong();
    private static final AtomicLong CREATED = new AtomicLong();
    private static final AtomicLong LEAKED = new AtomicLong();
    private static final AtomicBoolean WARNED_UNRECORDED = new AtomicBoolean();
    private static final Set<String> WARNED_SITES = ConcurrentHashMap.newKeySet();
    private static volatile long maxOpenBytes = Long.getLong("diffhmm.maxOpenResultBytes", Runtime.getRuntime().maxMemory());
    private static volatile int sampling = Integer.getInteger("diffhmm.leakSampling", 128);
    private static volatile String lastWarning = "";

    private Leases() {}

    /** One result's hold on a workspace; the cleaning action (it must not reference the result). */
    static final class Lease implements Runnable {
        private final Workspaces.Workspace ws;
        private final long bytes;
        private final String kind;
        private final Throwable createdAt;
        private volatile boolean closed;

        private Lease(Workspaces.Workspace ws, String kind) {
            this.ws = ws;
            this.bytes = ws.bytes();  // as of the forward that just ran: no second native call
            this.kind = kind;
            final int every = sampling;
            this.createdAt = every > 0 && CREATED.getAndIncrement() % every == 0
                    ? new Throwable(kind + " created here") : null;
            OPEN_BYTES.addAndGet(bytes);
        }

        /** Runs once: on close(), or from the cleaner thread for a result nobody closed. */
        @Override
        public void run() {
            if (!closed) {
                leaked(this);
            }
            OPEN_BYTES.addAndGet(-bytes);
            Workspaces.release(ws);
        }
    }

    /** The cleanup handle a result keeps: {@link #close()} gives the workspace back now. */
    static final class Handle {
        private final Lease lease;
        private final Cleaner.Cleanable cleanable;

        private Handle(Object owner, Lease lease) {
            this.lease = lease;
            this.cleanable = CLEANER.register(owner, lease);
        }

        /** The workspace of the lease (valid until {@link #close()}). */
        Workspaces.Workspace workspace() {
            return lease.ws;
        }

        void close() {
            lease.closed = true;
            cleanable.clean();
        }
    }

    /**
     * Makes {@code owner} (a result) the holder of {@code ws}, which has just run its forward. The
     * workspace goes back to the pool when the handle is closed or when the owner is collected.
     */
    static Handle hold(Object owner, Workspaces.Workspace ws, String kind) {
        return new Handle(owner, new Lease(ws, kind));
    }

    /**
     * Called before a forward that will be held by a result: if open results hold more than the
     * bound, has the garbage collector reclaim forgotten ones (waiting up to about half a second for
     * the cleaner) and throws if they still hold more.
     */
    static void reserve() {
        if (OPEN_BYTES.get() <= maxOpenBytes) {
            return;
        }
        long sleep = 1;
        for (int attempt = 0; attempt < 10 && OPEN_BYTES.get() > maxOpenBytes; attempt++) {
            System.gc();
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            sleep = Math.min(sleep * 2, 128);
        }
        final long open = OPEN_BYTES.get();
        if (open > maxOpenBytes) {
            throw new DiffhmmException(Status.OUT_OF_MEMORY, "results that are still open hold " + open
                    + " bytes of native memory, more than the bound of " + maxOpenBytes
                    + " (-Ddiffhmm.maxOpenResultBytes): close each Result when done with it (try-with-resources)");
        }
    }

    private static void leaked(Lease lease) {
        LEAKED.incrementAndGet();
        if (lease.createdAt == null) {
            if (WARNED_UNRECORDED.compareAndSet(false, true)) {
                warn("A " + lease.kind + " was never closed; the garbage collector gave back its " + lease.bytes
                        + " bytes of native memory. Close results when done (try-with-resources); run with "
                        + "-Ddiffhmm.leakSampling=1 to see where leaked results are created.", null);
            }
            return;
        }
        final StackTraceElement[] stack = lease.createdAt.getStackTrace();
        final String site = site(stack);
        if (WARNED_SITES.add(site)) {
            warn("A " + lease.kind + " was never closed; the garbage collector gave back its " + lease.bytes
                    + " bytes of native memory. Close results when done (try-with-resources). It was created at "
                    + site + ":", lease.createdAt);
        }
    }

    /** The classes a result is made in, between the caller and the lease. */
    private static final Set<String> API_CLASSES = Set.of("org.diffhmm.Leases", "org.diffhmm.HmmForward",
            "org.diffhmm.SavedForward", "org.diffhmm.DenseForward", "org.diffhmm.FactorizedForward");

    /** The first frame outside diffhmm's own API classes: where the caller made the result. */
    private static String site(StackTraceElement[] stack) {
        for (StackTraceElement e : stack) {
            final String c = e.getClassName();
            if (!API_CLASSES.contains(c.contains("$") ? c.substring(0, c.indexOf('$')) : c)) {
                return e.toString();
            }
        }
        return stack.length > 0 ? stack[0].toString() : "an unknown place";
    }

    private static void warn(String message, Throwable where) {
        lastWarning = message;
        if (where == null) {
            LOG.warn(message);
        } else {
            LOG.warn(message, where);
        }
    }

    // For tests.

    static long openBytes() {
        return OPEN_BYTES.get();
    }

    static long leaked() {
        return LEAKED.get();
    }

    static String lastWarning() {
        return lastWarning;
    }

    /** Sets the bound and the sampling rate; returns the previous {bound, sampling}. */
    static long[] configure(long bound, int every) {
        final long[] previous = {maxOpenBytes, sampling};
        maxOpenBytes = bound;
        sampling = every;
        return previous;
    }
}
