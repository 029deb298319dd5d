// settings.cpp — see settings.h. The only reads of the environment in diffhmm.
#include "core/settings.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace diffhmm {
namespace {

bool is(const char* value, const char* word) { return value != nullptr && std::strcmp(value, word) == 0; }

}  // namespace

Settings Settings::from_environment() {
    Settings s;
    const char* factorized = std::getenv("DIFFHMM_CPU_FACTORIZED");
    s.cpu_factorized = is(factorized, "log") ? CpuFactorized::log : is(factorized, "prob") ? CpuFactorized::prob
                       : is(factorized, "tiny") ? CpuFactorized::tiny : CpuFactorized::automatic;
    const char* dense = std::getenv("DIFFHMM_CPU_DENSE");
    s.cpu_dense = is(dense, "rows") ? CpuDense::rows : is(dense, "flat") ? CpuDense::flat : CpuDense::automatic;
    const char* sweep = std::getenv("DIFFHMM_CUDA_SWEEP");
    s.cuda_sweep = is(sweep, "sequential") ? CudaSweep::sequential : is(sweep, "pipelined") ? CudaSweep::pipelined
                   : is(sweep, "chunked") ? CudaSweep::chunked : is(sweep, "batch") ? CudaSweep::batch
                   : CudaSweep::automatic;
    const char* chunks = std::getenv("DIFFHMM_CUDA_CHUNKS");
    s.cuda_chunks = chunks != nullptr ? std::max<long long>(0, std::atoll(chunks)) : 0;
    return s;
}

bool Settings::set(const char* name, const char* value, std::string& error) {
    const std::string n = name == nullptr ? "" : name, v = value == nullptr ? "" : value;
    const bool automatic = v.empty() || v == "auto";
    auto refuse = [&](const char* expected) {
        error = n + " cannot be '" + v + "' (expected " + expected + ", or auto)";
        return false;
    };
    if (n == "DIFFHMM_CPU_FACTORIZED") {
        if (!automatic && v != "log" && v != "prob" && v != "tiny") return refuse("log, prob or tiny");
        cpu_factorized = automatic ? CpuFactorized::automatic : v == "log" ? CpuFactorized::log
                         : v == "prob" ? CpuFactorized::prob : CpuFactorized::tiny;
        return true;
    }
    if (n == "DIFFHMM_CPU_DENSE") {
        if (!automatic && v != "rows" && v != "flat") return refuse("rows or flat");
        cpu_dense = automatic ? CpuDense::automatic : v == "rows" ? CpuDense::rows : CpuDense::flat;
        return true;
    }
    if (n == "DIFFHMM_CUDA_SWEEP") {
        if (!automatic && v != "sequential" && v != "pipelined" && v != "chunked" && v != "batch")
            return refuse("sequential, pipelined, chunked or batch");
        cuda_sweep = automatic ? CudaSweep::automatic : v == "sequential" ? CudaSweep::sequential
                     : v == "pipelined" ? CudaSweep::pipelined : v == "chunked" ? CudaSweep::chunked : CudaSweep::batch;
        return true;
    }
    if (n == "DIFFHMM_CUDA_CHUNKS") {
        char* end = nullptr;
        const long long chunks = automatic ? 0 : std::strtoll(v.c_str(), &end, 10);
        if (!automatic && (end == v.c_str() || *end != '\0' || chunks < 1 || chunks > 1024))
            return refuse("a number of chunks in [1, 1024]");
        cuda_chunks = chunks;
        return true;
    }
    error = "unknown option '" + n + "' (expected DIFFHMM_CPU_FACTORIZED, DIFFHMM_CPU_DENSE, DIFFHMM_CUDA_SWEEP or "
                                     "DIFFHMM_CUDA_CHUNKS)";
    return false;
}

bool cuda_disabled_by_environment() {
    const char* v = std::getenv("DIFFHMM_DISABLE_CUDA");
    return v != nullptr && *v != '\0' && std::strcmp(v, "0") != 0;
}

bool cuda_sync_by_environment() {
    static const bool sync = [] {
        const char* v = std::getenv("DIFFHMM_CUDA_SYNC");
        return v != nullptr && std::strcmp(v, "0") != 0;
    }();
    return sync;
}

}  // namespace diffhmm
