package org.diffhmm.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A set of output files that appears all together or not at all, even when the run fails or the
 * process is interrupted (Ctrl-C, SIGTERM). Files are written into a hidden staging folder inside
 * the output folder; {@link #commit} moves them into place, each move atomic. A shutdown hook
 * removes the staging folder of a run that did not commit, and waits for a commit under way to
 * finish, so an interruption never leaves half a set, half a file or a staging folder behind.
 */
final class Outputs implements AutoCloseable {
    private final Path dir;
    private final boolean created;  // dir did not exist: an abandoned run removes it again
    private final Path staging;
    private final Thread hook;
    private final Object lock = new Object();
    private boolean done;

    /**
     * Checks that {@code dir} can be written (creating it if needed) and opens a staging folder in it.
     *
     * @throws IOException if the folder cannot be created or written
     */
    Outputs(Path dir) throws IOException {
        this.dir = dir;
        this.created = !Files.isDirectory(dir);
        Files.createDirectories(dir);
        this.staging = Files.createTempDirectory(dir, ".diffhmm-staging-");
        this.hook = new Thread(this::abandon, "diffhmm-outputs");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Where to write the file {@code name} before the commit. */
    Path file(String name) {
        return staging.resolve(name);
    }

    /** Moves every staged file into the output folder; the set appears whole even if interrupted. */
    void commit(List<String> names) throws IOException {
        synchronized (lock) {
            if (done) {
                throw new IllegalStateException("outputs already committed or abandoned");
            }
            for (String name : names) {
                Files.move(staging.resolve(name), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            }
            done = true;
            delete(staging);
        }
    }

    /** Removes the staging folder unless the set was committed (run by close() and by the shutdown hook). */
    void abandon() {
        synchronized (lock) {
            if (!done) {
                done = true;
                delete(staging);
                if (created) {
                    try {
                        Files.deleteIfExists(dir);  // only if still empty
                    } catch (IOException e) {
                        // something else was put there meanwhile: leave it
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        abandon();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs (or ran) abandon() itself
        }
    }

    private static void delete(Path folder) {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> all = Files.walk(folder)) {
            for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
