// backends.cpp — the registry: every backend the library has, one line each. A new backend is a
// folder that defines its operations table (core/backend.h) and a line here.
#include "dispatch/dispatch.h"

#include <string>

#include "core/error.h"

namespace diffhmm {
namespace cpu { const BackendOps& backend(); }
namespace cuda { const BackendOps& backend(); }
namespace reference { const BackendOps& backend(); }

namespace {

const BackendOps* const* all() {
    static const BackendOps* const registry[] = {
        &cpu::backend(),
        &cuda::backend(),
        &reference::backend(),
        nullptr,
    };
    return registry;
}

}  // namespace

const BackendOps& backend(int id) {
    for (const BackendOps* const* b = all(); *b != nullptr; ++b)
        if ((*b)->id == id) return **b;
    fail(DIFFHMM_ERROR_INVALID_ARGUMENT, "unknown backend " + std::to_string(id));
}

bool device_memory(const void* p) {
    if (p == nullptr) return false;
    for (const BackendOps* const* b = all(); *b != nullptr; ++b)
        if ((*b)->device_memory != nullptr && (*b)->device_memory(p)) return true;
    return false;
}

}  // namespace diffhmm
