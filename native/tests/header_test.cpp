// header_test.cpp — the public header used from C (header_c.c, compiled as C11 with -Werror).
#include "harness.h"

extern "C" int diffhmm_header_compiles_as_c(void);

namespace {

TEST(header_compiles_and_runs_as_c) {
    const int result = diffhmm_header_compiles_as_c();
    CHECK_MSG(result == 0, "the C translation unit returned " << result);
}

}  // namespace
