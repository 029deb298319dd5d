package org.diffhmm;

import static org.diffhmm.internal.DiffhmmNative.*;

import java.util.concurrent.ConcurrentLinkedDeque;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
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
    private static final ConcurrentLinkedDeque<Workspace> REFERENCE = new ConcurrentLinkedDeque<>();

    private Workspaces() {}

    /** A native workspace with its own deallocator (diffhmm_workspace_destroy). */
    static final class Workspace extends diffhmm_workspace {
        final int backend;

        private Workspace(int backend) {
            this.backend = backend;
            final diffhmm_workspace handle = new diffhmm_workspace();
            Natives.check(diffhmm_workspace_create(backend, handle));
            address = handle.address();
            deallocator(new Free(handle));
            // The pool owns the workspace, not whatever JavaCPP PointerScope the caller has open (a
            // libtorch training loop usually has one per step): closing that scope must not free it.
            final PointerScope scope = PointerScope.getInnerScope();
            if (scope != null) {
                retainReference();   // detach() releases the reference attach() took
                scope.detach(this);
            }
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
            Natives.check(diffhmm_workspace_set_num_threads(ws, options.threads()));
            Natives.check(diffhmm_workspace_set_cpu_isa(ws, options.cpuIsa().ordinal()));
            Natives.check(diffhmm_workspace_set_stream(ws, options.stream()));
            Natives.check(diffhmm_workspace_set_cuda_device(ws, backend == DIFFHMM_BACKEND_CUDA ? options.cudaDevice() : -1));
        } catch (RuntimeException e) {
            release(ws);
            throw e;
        }
        return ws;
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
        for (ConcurrentLinkedDeque<Workspace> pool : new ConcurrentLinkedDeque[] {CPU, CUDA, REFERENCE}) {
            for (Workspace ws; (ws = pool.pollFirst()) != null; ) {
                ws.close();
            }
        }
    }

    private static ConcurrentLinkedDeque<Workspace> pool(int backend) {
        return backend == DIFFHMM_BACKEND_CPU ? CPU : backend == DIFFHMM_BACKEND_CUDA ? CUDA : REFERENCE;
    }
}
