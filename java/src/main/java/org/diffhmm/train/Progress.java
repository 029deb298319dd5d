package org.diffhmm.train;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Training progress: a progress bar on a terminal, plain log lines (about ten per run) otherwise —
 * so logs of CI runs and pipes stay readable. Off entirely with {@link #none()}.
 */
public abstract class Progress implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);

    /** A bar when standard output is a terminal, log lines otherwise. */
    public static Progress auto(String task, long total) {
        return System.console() != null ? new Bar(task, total) : new Lines(task, total);
    }

    public static Progress none() {
        return new Progress() {
            @Override
            public void step(String message) {}

            @Override
            public void close() {}
        };
    }

    /** One unit of work done; {@code message} (e.g. the current loss) is shown beside it. */
    public abstract void step(String message);

    @Override
    public abstract void close();

    private static final class Bar extends Progress {
        private final ProgressBar bar;

        Bar(String task, long total) {
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(200).build();
        }

        @Override
        public void step(String message) {
            bar.step();
            bar.setExtraMessage(message);
        }

        @Override
        public void close() {
            bar.close();
        }
    }

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
