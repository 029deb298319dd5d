// settings_test.cpp — a workspace takes its forced paths from the environment when it is made
// (core/settings.h: the one place diffhmm reads it); unknown values leave the planners' choices, and a
// workspace made earlier keeps its own. (Every other test forces paths through a workspace's settings.)
#include <cstdlib>

#include "harness.h"

TEST(workspaces_read_forced_paths_from_the_environment_when_made) {
    using S = diffhmm::Settings;
    diffhmm_workspace* before = nullptr;
    CHECK_OK(diffhmm_workspace_create(DIFFHMM_BACKEND_CPU, &before));
    setenv("DIFFHMM_CPU_FACTORIZED", "tiny", 1);
    setenv("DIFFHMM_CPU_DENSE", "rows", 1);
    setenv("DIFFHMM_CUDA_SWEEP", "chunked", 1);
    setenv("DIFFHMM_CUDA_CHUNKS", "7", 1);
    diffhmm_workspace* ws = nullptr;
    CHECK_OK(diffhmm_workspace_create(DIFFHMM_BACKEND_CPU, &ws));
    CHECK(ws->settings.cpu_factorized == S::CpuFactorized::tiny);
    CHECK(ws->settings.cpu_dense == S::CpuDense::rows);
    CHECK(ws->settings.cuda_sweep == S::CudaSweep::chunked);
    CHECK(ws->settings.cuda_chunks == 7);
    CHECK(before->settings.cpu_factorized == S::CpuFactorized::automatic);  // made before: unchanged
    setenv("DIFFHMM_CPU_FACTORIZED", "fastest", 1);
    setenv("DIFFHMM_CUDA_CHUNKS", "-3", 1);
    diffhmm_workspace* other = nullptr;
    CHECK_OK(diffhmm_workspace_create(DIFFHMM_BACKEND_CPU, &other));
    CHECK(other->settings.cpu_factorized == S::CpuFactorized::automatic);
    CHECK(other->settings.cuda_chunks == 0);
    for (const char* name : {"DIFFHMM_CPU_FACTORIZED", "DIFFHMM_CPU_DENSE", "DIFFHMM_CUDA_SWEEP", "DIFFHMM_CUDA_CHUNKS"})
        unsetenv(name);
    diffhmm_workspace* none = nullptr;
    CHECK_OK(diffhmm_workspace_create(DIFFHMM_BACKEND_CPU, &none));
    CHECK(none->settings.cpu_factorized == S::CpuFactorized::automatic && none->settings.cpu_dense == S::CpuDense::automatic &&
          none->settings.cuda_sweep == S::CudaSweep::automatic && none->settings.cuda_chunks == 0);
    for (diffhmm_workspace* w : {ws, before, other, none}) diffhmm_workspace_destroy(w);
}

TEST(options_set_through_the_c_abi_are_checked) {
    using S = diffhmm::Settings;
    test::Workspace cpu(DIFFHMM_BACKEND_CPU);
    CHECK_OK(diffhmm_workspace_set_option(cpu.ws, "DIFFHMM_CPU_FACTORIZED", "log"));
    CHECK(cpu.ws->settings.cpu_factorized == S::CpuFactorized::log);
    CHECK_OK(diffhmm_workspace_set_option(cpu.ws, "DIFFHMM_CUDA_CHUNKS", "12"));
    CHECK(cpu.ws->settings.cuda_chunks == 12);
    CHECK(diffhmm_workspace_set_option(cpu.ws, "DIFFHMM_CPU_DENSE", "diagonal") == DIFFHMM_ERROR_INVALID_ARGUMENT);
    CHECK_MSG(std::string(diffhmm_last_error()).find("DIFFHMM_CPU_DENSE cannot be 'diagonal'") != std::string::npos,
              diffhmm_last_error());
    CHECK(cpu.ws->settings.cpu_dense == S::CpuDense::automatic);  // unchanged
    for (const char* bad : {"0", "-2", "1025", "7x"})
        CHECK(diffhmm_workspace_set_option(cpu.ws, "DIFFHMM_CUDA_CHUNKS", bad) == DIFFHMM_ERROR_INVALID_ARGUMENT);
    CHECK(cpu.ws->settings.cuda_chunks == 12);
    CHECK(diffhmm_workspace_set_option(cpu.ws, "DIFFHMM_FASTER", "yes") == DIFFHMM_ERROR_INVALID_ARGUMENT);
    CHECK(diffhmm_workspace_set_option(cpu.ws, nullptr, "log") == DIFFHMM_ERROR_INVALID_ARGUMENT);
    CHECK(diffhmm_workspace_set_option(nullptr, "DIFFHMM_CPU_DENSE", "rows") == DIFFHMM_ERROR_INVALID_ARGUMENT);
    CHECK_OK(diffhmm_workspace_set_option(cpu.ws, "DIFFHMM_CPU_FACTORIZED", nullptr));  // the planner's again
    CHECK(cpu.ws->settings.cpu_factorized == S::CpuFactorized::automatic);
}
