// backends.cpp — the registry: every backend the library has, one line each. A new backend is a
// folder that defines its operations table (core/backend.h) and a line here.
#include "dispatch/dispatch.h"

#include <string>

#include "core/error.h"

namespace diffhmm {
namespace cpu { const BackendOps& backend(); }
namespace cuda { const BackendOps& backend(); }
namespace reference { const BackendOps& backend(); }

const BackendOps& backend(int id) {
    static const BackendOps* const all[] = {
        &cpu::backend(),
        &cuda::backend(),
        &reference::backend(),
    };
    for (const BackendOps* b : all)
        if (b->id == id) return *b;
    fail(DIFFHMM_ERROR_INVALID_ARGUMENT, "unknown backend " + std::to_string(id));
}

}  // namespace diffhmm
