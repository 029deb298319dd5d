package org.diffhmm;

import static org.diffhmm.internal.DiffhmmNative.*;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.javacpp.indexer.LongIndexer;
import org.diffhmm.internal.DiffhmmNative.diffhmm_workspace;

/**
 * A pool of native workspaces per backend. A call (or a {@link HmmForward.Result}, which keeps
 * the forward's saved state) takes one and gives it back when done, so steady-state calls allocate
 * no native memory: a workspace keeps the buffers of the largest problem it has seen. A workspace
 * that is never given back is freed when its Java object is garbage collected.
 */
final class Workspaces {
    private static final int MAX_POOLED_PER_BACKEND = 64;
    private static final ConcurrentLinkedDeque<Workspace> CPU = new ConcurrentLinkedDeque<>();
    private static final ConcurrentLinkedDeque<Workspace> CUDA = new ConcurrentLinkedDeque<>();

    private Workspaces() {}

    /** A native workspace with its own deallocator (diffhmm_workspace_destroy). */
    static final class Workspace extends diffhmm_workspace {
        final int backend;
        // The settings the native workspace holds now: a setter crosses into native code only when
        // a call asks for another (steady-state calls cross once, for the verb).
        private int threads = Integer.MIN_VALUE, isa = Integer.MIN_VALUE, device = Integer.MIN_VALUE;
        private long stream = -1;
        // What the native workspace holds as of the end of its last call, read without a call.
        private final LongIndexer bytes;

        private Workspace(int backend) {
            this.backend = backend;
            final diffhmm_workspace handle = new diffhmm_workspace();
            Natives.check(diffhmm_workspace_create(backend, handle));
            address = handle.address();
            deallocator(new Free(handle));
            this.bytes = LongIndexer.create(diffhmm_workspace_bytes_counter(this).capacity(1));
            // The pool owns the workspace, not whatever JavaCPP PointerScope the caller has open (a
            // libtorch training loop usually has one per step): closing that scope must not free it.
            final PointerScope scope = PointerScope.getInnerScope();
            if (scope != null) {
                retainReference();   // detach() releases the reference attach() took
                scope.detach(this);
            }
        }

        /** The native memory this workspace holds as of the end of its last call. */
        long bytes() {
            return bytes.get(0);
        }

        private static final class Free extends diffhmm_workspace implements Pointer.Deallocator {
            Free(diffhmm_workspace handle) {
                super(handle);
            }

            @Override
            public void deallocate() {
                diffhmm_workspace_destroy(this);
                setNull();
            }
        }
    }

    static int nativeBackend(Backend backend) {
        Natives.load();
        switch (backend) {
            case CPU: return DIFFHMM_BACKEND_CPU;
            case CUDA: return DIFFHMM_BACKEND_CUDA;
            default: return Diffhmm.cudaAvailable() ? DIFFHMM_BACKEND_CUDA : DIFFHMM_BACKEND_CPU;
        }
    }

    /**
     * A workspace for the options' backend, configured with their threads, instruction set and
     * stream. Device tensors among {@code operands} need the CUDA backend.
     */
    static Workspace acquire(Options options, Tensor... operands) {
        final int backend = nativeBackend(options.backend());
        if (backend != DIFFHMM_BACKEND_CUDA) {
            for (Tensor t : operands) {
                if (t != null && t.isDevice()) {
                    throw new IllegalArgumentException("a tensor in CUDA device memory " + t.describe()
                            + " needs Backend.CUDA; this call runs on the CPU");
                }
            }
        }
        return acquire(backend, options);
    }

    static Workspace acquire(int backend, Options options) {
        Natives.load();
        Workspace ws = pool(backend).pollFirst();
        if (ws == null) {
            ws = new Workspace(backend);
        }
        try {
            configure(ws, backend, options);
        } catch (RuntimeException e) {
            release(ws);
            throw e;
        }
        return ws;
    }

    /** Brings the workspace's settings to the options', calling each native setter only on a change. */
    private static void configure(Workspace ws, int backend, Options options) {
        if (ws.threads != options.threads()) {
            Natives.check(diffhmm_workspace_set_num_threads(ws, options.threads()));
            ws.threads = options.threads();
        }
        final int isa = options.cpuIsa().ordinal();
        if (ws.isa != isa) {
            ws.isa = Integer.MIN_VALUE;  // unknown until the setter succeeds
            Natives.check(diffhmm_workspace_set_cpu_isa(ws, isa));
            ws.isa = isa;
        }
        final long stream = options.stream() == null ? 0 : options.stream().address();
        if (ws.stream != stream) {
            ws.stream = -1;
            Natives.check(diffhmm_workspace_set_stream(ws, options.stream()));
            ws.stream = stream;
        }
        final int device = backend == DIFFHMM_BACKEND_CUDA ? options.cudaDevice() : -1;
        if (ws.device != device) {
            ws.device = Integer.MIN_VALUE;
            Natives.check(diffhmm_workspace_set_cuda_device(ws, device));
            ws.device = device;
        }
    }

    static void release(Workspace ws) {
        final ConcurrentLinkedDeque<Workspace> pool = pool(ws.backend);
        if (pool.size() < MAX_POOLED_PER_BACKEND) {
            pool.offerFirst(ws);
        } else {
            ws.close();
        }
    }

    /** Frees every pooled workspace (and the memory it kept). Workspaces in use are not affected. */
    static void clear() {
        for (ConcurrentLinkedDeque<Workspace> pool : List.of(CPU, CUDA)) {
            for (Workspace ws; (ws = pool.pollFirst()) != null; ) {
                ws.close();
            }
        }
    }

    /** The pool of a backend the Java API runs (CPU or CUDA: {@link #nativeBackend}). */
    private static ConcurrentLinkedDeque<Workspace> pool(int backend) {
        return backend == DIFFHMM_BACKEND_CUDA ? CUDA : CPU;
    }
}
