package org.diffhmm;

import static org.diffhmm.internal.DiffhmmNative.*;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;

/** Loads the native library once (or explains why it cannot) and turns native statuses into exceptions. */
final class Natives {
    /** The platform the bundled native libraries are built for. */
    static final String BUNDLED_PLATFORM = "linux-x86_64";
    private static volatile boolean loaded;
    private static String library = "";
    /** Why loading failed, kept so every later call fails the same clear way. */
    private static String failure;

    private Natives() {}

    /**
     * Loads libdiffhmm and its JNI glue, or throws a {@link BackendUnavailableException} that says
     * why — on this and on every later call (never an {@code UnsatisfiedLinkError} or a
     * {@code NoClassDefFoundError}).
     */
    static void load() {
        if (loaded) {
            return;
        }
        synchronized (Natives.class) {
            if (loaded) {
                return;
            }
            if (failure == null) {
                try {
                    library = Loader.load(org.diffhmm.internal.DiffhmmNative.class);
                    loaded = true;
                    return;
                } catch (UnsatisfiedLinkError | RuntimeException | ExceptionInInitializerError | NoClassDefFoundError e) {
                    failure = explain(Loader.getPlatform(), e);
                }
            }
            throw new BackendUnavailableException(failure);
        }
    }

    /** The message for a library that did not load on {@code platform}. */
    static String explain(String platform, Throwable cause) {
        final String where = platform + " (os.name " + System.getProperty("os.name") + ", os.arch "
                + System.getProperty("os.arch") + ")";
        if (!BUNDLED_PLATFORM.equals(platform)) {
            return "diffhmm has no native library for " + where + ": its jar bundles " + BUNDLED_PLATFORM
                    + " only (Linux x86-64, glibc 2.28 or newer)";
        }
        return "the diffhmm native library for " + BUNDLED_PLATFORM + " could not be loaded on " + where + ": " + cause;
    }

    /** Path of the loaded JNI library (libdiffhmm.so sits beside it). */
    static String library() {
        load();
        return library;
    }

    static String lastError() {
        final BytePointer message = diffhmm_last_error();
        return message == null || message.isNull() ? "" : message.getString();
    }

    /** Throws the exception for a non-OK status, with the native message. */
    static void check(int status) {
        if (status == DIFFHMM_OK) {
            return;
        }
        final String message = lastError();
        if (status == DIFFHMM_ERROR_BACKEND_UNAVAILABLE) {
            throw new BackendUnavailableException(message);
        }
        throw new DiffhmmException(Status.of(status), message);
    }
}
