package org.diffhmm.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.diffhmm.train.Progress;

/**
 * Training progress for the command line: an ASCII progress bar when standard output is a terminal,
 * the library's log lines otherwise (so CI logs and pipes stay readable).
 */
public final class ProgressBars {
    private ProgressBars() {}

    /**
     * A bar on a terminal, {@link Progress#log} otherwise; usable as a {@link Progress.Factory}.
     *
     * @param task  what is running
     * @param total the number of steps the run will take at most
     * @return the reporter
     */
    public static Progress auto(String task, long total) {
        return System.console() != null ? new Bar(task, total) : Progress.log(task, total);
    }

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
}
