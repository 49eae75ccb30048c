/* harness.h — a tiny test harness for the C tests: CHECK, CHECK_CLOSE, RUN
** and TEST_MAIN, which prints "FILE: N passed, M failed" and exits nonzero
** on any failure. Header-only; one test executable per .c file. Not a
** framework: no fixtures, no filtering, no forking. */
#ifndef EMBER_HARNESS_H
#define EMBER_HARNESS_H

#include <math.h>
#include <stdio.h>

static int harness_passed, harness_failed;
static const char *harness_test = "?";

#define HARNESS_FAIL_(...) do {                                              \
    harness_failed++;                                                        \
    fprintf(stderr, "%s:%d: in %s: ", __FILE__, __LINE__, harness_test);     \
    fprintf(stderr, __VA_ARGS__);                                            \
    fputc('\n', stderr);                                                     \
} while (0)

#define CHECK(cond) do {                                                     \
    if (cond) harness_passed++;                                              \
    else HARNESS_FAIL_("CHECK(%s) failed", #cond);                          \
} while (0)

/* Close within an absolute tolerance; equal infinities and two NaNs count
** as close. */
#define CHECK_CLOSE(a, b, tol) do {                                          \
    double a_ = (double)(a), b_ = (double)(b);                               \
    if (a_ == b_ || fabs(a_ - b_) <= (tol) || (a_ != a_ && b_ != b_))        \
        harness_passed++;                                                    \
    else HARNESS_FAIL_("%s = %.9g, %s = %.9g (tol %g)", #a, a_, #b, b_, (double)(tol)); \
} while (0)

#define RUN(fn) do { harness_test = #fn; fn(); } while (0)

static inline int harness_report(const char *file)
{
    printf("%s: %d passed, %d failed\n", file, harness_passed, harness_failed);
    return harness_failed != 0;
}

/* TEST_MAIN(RUN(test_a); RUN(test_b);) defines main. */
#define TEST_MAIN(...) int main(void) { __VA_ARGS__ return harness_report(__FILE__); }

#endif
