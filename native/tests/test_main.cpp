// test_main.cpp — runs the test named on the command line (CTest gives one each), or all of them.
#include <cstdio>
#include <cstring>

#include "harness.h"

int main(int argc, char** argv) {
    int ran = 0;
    for (const auto& [name, fn] : test::Registry::all()) {
        if (argc > 1 && std::strcmp(argv[1], name.c_str()) != 0) continue;
        const int before = test::failures(), skipped = test::skips();
        fn();
        const char* verdict = test::failures() != before ? "[FAILED]" : test::skips() != skipped ? "[ SKIP ]" : "[  OK  ]";
        std::printf("%s %s\n", verdict, name.c_str());
        ++ran;
    }
    if (ran == 0) {
        std::fprintf(stderr, "no test named %s\n", argc > 1 ? argv[1] : "(any)");
        return 2;
    }
    if (test::failures() != 0) return 1;
    return ran == 1 && test::skips() == 1 ? test::kSkipped : 0;
}
