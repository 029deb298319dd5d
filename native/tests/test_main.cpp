// test_main.cpp — runs the test named on the command line (CTest gives one each), or all of them.
#include <cstdio>
#include <cstring>

#include "harness.h"

int main(int argc, char** argv) {
    int ran = 0;
    for (const auto& [name, fn] : test::Registry::all()) {
        if (argc > 1 && std::strcmp(argv[1], name.c_str()) != 0) continue;
        const int before = test::failures();
        fn();
        std::printf("%s %s\n", test::failures() == before ? "[  OK  ]" : "[FAILED]", name.c_str());
        ++ran;
    }
    if (ran == 0) {
        std::fprintf(stderr, "no test named %s\n", argc > 1 ? argv[1] : "(any)");
        return 2;
    }
    return test::failures() == 0 ? 0 : 1;
}
