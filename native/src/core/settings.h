// settings.h — what a workspace's calls may be forced to do, for benchmarks and tests: which CPU
// path, which CUDA kernels, how many chunks. Read from the environment when a workspace is made
// (settings.cpp is the one place diffhmm reads its environment) and set directly by tests, which
// force paths through a workspace's settings, never through setenv.
//   DIFFHMM_CPU_FACTORIZED  log | prob | tiny   the factorized form's CPU path (prob.h, tiny.h)
//   DIFFHMM_CPU_DENSE       rows | flat         the dense form's CPU step kernels (prob.h)
//   DIFFHMM_CUDA_SWEEP      sequential | pipelined | chunked | batch   the CUDA α and β kernels
//   DIFFHMM_CUDA_CHUNKS     n                   the chunked scan's chunks (with SWEEP=chunked)
// Anything else (or unset) leaves the choice to the backend's planner. Two switches act on the whole
// process and are read where they act, through the functions below: DIFFHMM_DISABLE_CUDA (the CUDA
// backend reports itself unavailable) and DIFFHMM_CUDA_SYNC (synchronise after every launch).
#pragma once

#include <cstdint>
#include <string>

namespace diffhmm {

struct Settings {
    enum class CpuFactorized { automatic, log, prob, tiny };
    enum class CpuDense { automatic, rows, flat };
    enum class CudaSweep { automatic, sequential, pipelined, chunked, batch };

    CpuFactorized cpu_factorized = CpuFactorized::automatic;
    CpuDense cpu_dense = CpuDense::automatic;
    CudaSweep cuda_sweep = CudaSweep::automatic;
    int64_t cuda_chunks = 0;  // 0: the planner's

    static Settings from_environment();

    // Sets the setting an environment variable above names (DIFFHMM_CPU_FACTORIZED, …) to one of its
    // values ("" or "auto": the planner's); false, with `error` saying why, for an unknown name or value.
    bool set(const char* name, const char* value, std::string& error);
};

// DIFFHMM_DISABLE_CUDA set to anything but "" or "0" (read at every call: it can change).
bool cuda_disabled_by_environment();

// DIFFHMM_CUDA_SYNC set to anything but "0" (read once).
bool cuda_sync_by_environment();

}  // namespace diffhmm
