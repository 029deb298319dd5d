package org.diffhmm.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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
    private final Thread hook;
    private final Object lock = new Object();
    private boolean created;  // dir did not exist: an abandoned run removes it again
    private Path staging;     // null until the constructor made it
    private boolean done;

    /**
     * Checks that {@code dir} can be written (creating it if needed) and opens a staging folder in it.
     *
     * @throws IOException if the folder cannot be created or written
     */
    Outputs(Path dir) throws IOException {
        this.dir = dir;
        this.hook = new Thread(this::abandon, "diffhmm-outputs");
        // The hook is registered before anything is created, and creation holds the lock the hook
        // takes: a signal arriving at any moment of construction still removes what was made.
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException e) {
            throw new IOException("the process is shutting down; no outputs were started", e);
        }
        try {
            synchronized (lock) {
                if (done) {
                    throw new IOException("the process is shutting down; no outputs were started");
                }
                created = !Files.isDirectory(dir);
                Files.createDirectories(dir);
                staging = Files.createTempDirectory(dir, ".diffhmm-staging-");
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Where to write the file {@code name} before the commit. */
    Path file(String name) {
        synchronized (lock) {
            if (done) {
                throw new IllegalStateException("outputs already committed or abandoned");
            }
            return staging.resolve(name);
        }
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
                if (staging != null) {
                    delete(staging);
                }
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

    /**
     * Deletes {@code folder} and everything in it. During shutdown the training thread keeps running
     * beside the hook and may finish writing a file into the folder after it was listed; the walk is
     * repeated until the folder is gone (a file written after that fails: its parent no longer exists).
     */
    private static void delete(Path folder) {
        for (int attempt = 0; ; attempt++) {
            if (!Files.exists(folder)) {
                return;
            }
            try (Stream<Path> all = Files.walk(folder)) {
                for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(p);
                }
                return;
            } catch (DirectoryNotEmptyException e) {
                if (attempt == 100) {
                    throw new UncheckedIOException("could not remove " + folder + ": files keep appearing", e);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (UncheckedIOException e) {
                if (!(e.getCause() instanceof NoSuchFileException) || attempt == 100) {
                    throw e;
                }
                // a file listed by the walk was already gone (moved or deleted meanwhile): walk again
            }
        }
    }
}
