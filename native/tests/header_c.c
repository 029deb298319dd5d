/* header_c.c — diffhmm.h is a C header: this file is compiled as C11 with every warning an error
 * (cmake/NativeTests.cmake) and calls each kind of declaration, so a C++-only construct in the header
 * breaks the build. header_test.cpp runs it. */
#include <stddef.h>

#include "diffhmm/diffhmm.h"

int diffhmm_header_compiles_as_c(void) {
    diffhmm_workspace* ws = NULL;
    if (diffhmm_workspace_create(DIFFHMM_BACKEND_CPU, &ws) != DIFFHMM_OK) return 1;
    const double potential[4] = {0.0, 0.5, 0.0, 0.0}; /* B = 1, T = 1, N = 2 */
    const int64_t lengths[1] = {1};
    double log_z[1] = {0.0};
    const diffhmm_status status =
        diffhmm_forward_dense(ws, DIFFHMM_FLOAT64, 0, 1, 1, 2, potential, lengths, log_z);
    const int64_t bytes = diffhmm_workspace_bytes(ws);
    const int64_t* counter = diffhmm_workspace_bytes_counter(ws);
    const int counted = counter != NULL && *counter == bytes;
    diffhmm_workspace_destroy(ws);
    if (status != DIFFHMM_OK || bytes <= 0 || !counted) return 2;
    /* log(e^0 + e^0.5) */
    return log_z[0] > 0.974 && log_z[0] < 0.975 && diffhmm_version() != NULL ? 0 : 3;
}
