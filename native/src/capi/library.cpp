// library.cpp — diffhmm_version, diffhmm_last_error, backend availability and CPU facts.
#include <string>

#include "capi/guard.h"
#include "core/thread_pool.h"
#include "dispatch/dispatch.h"

#ifndef DIFFHMM_VERSION
#define DIFFHMM_VERSION "0.0.0"
#endif

namespace diffhmm {
namespace capi {

static thread_local std::string last_error;

void set_last_error(const std::string& message) { last_error = message; }

}  // namespace capi
}  // namespace diffhmm

using namespace diffhmm;

extern "C" {

const char* diffhmm_version(void) { return DIFFHMM_VERSION; }

const char* diffhmm_last_error(void) { return capi::last_error.c_str(); }

diffhmm_status diffhmm_backend_available(int backend) {
    return capi::guarded([&] {
        const std::string reason = unavailable_reason(backend);
        if (!reason.empty()) fail(DIFFHMM_ERROR_BACKEND_UNAVAILABLE, reason);
    });
}

const char* diffhmm_cuda_device(void) {
    static thread_local std::string description;
    description = describe_device();
    return description.c_str();
}

int diffhmm_cuda_device_count(void) { return cuda_device_count(); }

int diffhmm_cpu_isa_supported(void) { return cpu_isa_supported(); }

int diffhmm_cpu_default_threads(void) { return pool_threads(); }

}  // extern "C"
