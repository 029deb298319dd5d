package org.diffhmm.train;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Training progress reported by {@link Trainer} and {@link Em}: one {@link #step} per epoch or EM
 * iteration, then {@link #close}. The library itself only logs (about ten SLF4J lines per run at
 * INFO, through whatever logging binding the application has); an application that wants a
 * terminal progress bar supplies its own {@link Factory} (the diffhmm command line does).
 *
 * <p>Instances are used by one training run on one thread and need not be thread-safe.
 */
public abstract class Progress implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);

    /** Makes the progress reporter of one run. */
    @FunctionalInterface
    public interface Factory {
        /**
         * Starts reporting a run.
         *
         * @param task  what is running, e.g. {@code "training"} or {@code "EM"}
         * @param total the number of steps the run will take at most
         * @return a reporter, closed by the run when it ends
         */
        Progress start(String task, long total);
    }

    /** Subclasses report progress their own way. */
    protected Progress() {}

    /**
     * Log lines through SLF4J (logger {@code org.diffhmm.train.Progress}, level INFO): about ten
     * per run, each with the step count and the latest message.
     *
     * @param task  what is running
     * @param total the number of steps the run will take at most
     * @return a reporter that logs
     */
    public static Progress log(String task, long total) {
        return new Lines(task, total);
    }

    /**
     * Reports nothing.
     *
     * @return a silent reporter
     */
    public static Progress none() {
        return new Progress() {
            @Override
            public void step(String message) {}

            @Override
            public void close() {}
        };
    }

    /**
     * One unit of work done.
     *
     * @param message shown beside it (e.g. the current loss)
     */
    public abstract void step(String message);

    /** The run has ended (normally or not). */
    @Override
    public abstract void close();

    private static final class Lines extends Progress {
        private final String task;
        private final long total, every;
        private long done;

        Lines(String task, long total) {
            this.task = task;
            this.total = total;
            this.every = Math.max(1, total / 10);
        }

        @Override
        public void step(String message) {
            done++;
            if (done % every == 0 || done == total) {
                LOG.info("{} {}/{} {}", task, done, total, message);
            }
        }

        @Override
        public void close() {}
    }
}
