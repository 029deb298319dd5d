package org.diffhmm;

import static org.diffhmm.internal.DiffhmmNative.*;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;

/** Loads the native library once and turns native statuses into exceptions. */
final class Natives {
    private static volatile boolean loaded;
    private static String library = "";

    private Natives() {}

    /** Loads libdiffhmm and its JNI glue, or throws a DiffhmmException that says why (never an Error). */
    static void load() {
        if (loaded) {
            return;
        }
        synchronized (Natives.class) {
            if (loaded) {
                return;
            }
            try {
                library = Loader.load(org.diffhmm.internal.DiffhmmNative.class);
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                throw new DiffhmmException(Status.BACKEND_UNAVAILABLE, "the diffhmm native library could not be loaded on "
                        + Loader.getPlatform() + " (this build bundles linux-x86_64): " + e);
            }
            loaded = true;
        }
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
