/* glibc_baseline.c — definitions for the glibc symbols that the static libstdc++ picks up from a
 * glibc newer than the baseline (cmake/GlibcBaseline.cmake) and that have no older version to bind
 * to. References reach these through ld --wrap; they are hidden, so nothing outside the library sees
 * them. Tested by PortableLibraryTest (version needs of the bundled libraries). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* libstdc++ skips atomic reference counting while this is non-zero. Zero means "this process may
 * have several threads", always true in a JVM: atomics are always used, which is correct. */
char __wrap___libc_single_threaded = 0;

/* std::random_device's default source (glibc >= 2.36 has arc4random). diffhmm never creates a
 * random_device — its sampling uses counter-based random numbers — but libstdc++'s random.o is
 * linked. The kernel's generator (getrandom, Linux 3.17+), then /dev/urandom. */
uint32_t __wrap_arc4random(void) {
    uint32_t value = 0;
#ifdef SYS_getrandom
    for (;;) {
        const long got = syscall(SYS_getrandom, &value, sizeof value, 0);
        if (got == (long)sizeof value) return value;
        if (got < 0 && errno != EINTR) break;
    }
#endif
    const int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        const ssize_t got = read(fd, &value, sizeof value);
        close(fd);
        if (got == (ssize_t)sizeof value) return value;
    }
    /* No entropy source at all: a clock-derived value (never reached from diffhmm's own code). */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint32_t)(now.tv_nsec ^ (now.tv_sec * 2654435761u) ^ (uintptr_t)&now);
}
