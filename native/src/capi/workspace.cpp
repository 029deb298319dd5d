// workspace.cpp — creating, configuring and destroying a diffhmm_workspace.
#include <string>

#include "capi/guard.h"
#include "dispatch/dispatch.h"

using namespace diffhmm;

extern "C" {

diffhmm_status diffhmm_workspace_create(int backend, diffhmm_workspace** out) {
    return capi::guarded([&] {
        if (out == nullptr) fail(DIFFHMM_ERROR_INVALID_ARGUMENT, "out is null");
        *out = nullptr;
        const std::string reason = unavailable_reason(backend);  // INVALID_ARGUMENT for an unknown one
        if (!reason.empty()) fail(DIFFHMM_ERROR_BACKEND_UNAVAILABLE, reason);
        diffhmm_workspace* ws = new diffhmm_workspace();
        ws->backend = backend;
        ws->cpu_isa = cpu_isa_supported();
        *out = ws;
    });
}

int64_t diffhmm_workspace_bytes(const diffhmm_workspace* ws) {
    return ws == nullptr ? 0 : workspace_bytes(*ws);
}

const int64_t* diffhmm_workspace_bytes_counter(const diffhmm_workspace* ws) {
    return ws == nullptr ? nullptr : &ws->bytes;
}

diffhmm_status diffhmm_workspace_destroy(diffhmm_workspace* ws) {
    return capi::guarded([&] { delete ws; });
}

diffhmm_status diffhmm_workspace_set_num_threads(diffhmm_workspace* ws, int num_threads) {
    return capi::guarded([&] {
        diffhmm_workspace& w = capi::workspace(ws);
        if (num_threads < 0)
            fail(DIFFHMM_ERROR_INVALID_ARGUMENT, "num_threads must be >= 0, got " + std::to_string(num_threads));
        w.num_threads = num_threads;
    });
}

diffhmm_status diffhmm_workspace_set_cpu_isa(diffhmm_workspace* ws, int isa) {
    return capi::guarded([&] {
        diffhmm_workspace& w = capi::workspace(ws);
        const int best = cpu_isa_supported();
        if (isa == DIFFHMM_CPU_ISA_AUTO) {
            w.cpu_isa = best;
            return;
        }
        if (isa < DIFFHMM_CPU_ISA_GENERIC || isa > DIFFHMM_CPU_ISA_AVX512)
            fail(DIFFHMM_ERROR_INVALID_ARGUMENT, "unknown cpu isa " + std::to_string(isa));
        if (isa > best)
            fail(DIFFHMM_ERROR_BACKEND_UNAVAILABLE,
                 "this CPU does not support the requested instruction set (" + std::to_string(isa) +
                     "); the widest it supports is " + std::to_string(best));
        w.cpu_isa = isa;
    });
}

diffhmm_status diffhmm_workspace_set_option(diffhmm_workspace* ws, const char* name, const char* value) {
    return capi::guarded([&] {
        diffhmm_workspace& w = capi::workspace(ws);
        Settings changed = w.settings;
        std::string error;
        if (!changed.set(name, value, error)) fail(DIFFHMM_ERROR_INVALID_ARGUMENT, error);
        w.settings = changed;
    });
}

diffhmm_status diffhmm_workspace_set_stream(diffhmm_workspace* ws, void* stream) {
    return capi::guarded([&] { capi::workspace(ws).cuda_stream = stream; });
}

diffhmm_status diffhmm_workspace_set_cuda_device(diffhmm_workspace* ws, int device) {
    return capi::guarded([&] {
        diffhmm_workspace& w = capi::workspace(ws);
        if (device < -1)
            fail(DIFFHMM_ERROR_INVALID_ARGUMENT,
                 "cuda device must be a device ordinal >= 0, or -1 for the current device; got " + std::to_string(device));
        if (device >= 0 && w.backend != DIFFHMM_BACKEND_CUDA)
            fail(DIFFHMM_ERROR_INVALID_ARGUMENT,
                 "cuda device " + std::to_string(device) + " was set on a workspace of the " +
                     std::string(backend(w.backend).name) + " backend; a device ordinal applies to the CUDA backend only");
        if (device != w.cuda_device) w.tape.valid = false;  // a backward must not read another device's tape
        w.cuda_device = device;
    });
}

int diffhmm_workspace_cpu_isa(const diffhmm_workspace* ws) {
    return ws == nullptr ? DIFFHMM_CPU_ISA_GENERIC : ws->cpu_isa;
}

}  // extern "C"
