#!/usr/bin/env bash
# sanitize.sh — builds ember with AddressSanitizer + UndefinedBehaviorSanitizer
# (LeakSanitizer included) into build-asan/ and runs the whole test suite
# there. Huge allocations return NULL (so "zeros(2^40)" is an error, not an
# ASan abort); a small quarantine keeps RSS-based tests meaningful.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
EMBER_BUILD_DIR=build-asan scripts/build.sh -DEMBER_SANITIZE=ON
export ASAN_OPTIONS="allocator_may_return_null=1:quarantine_size_mb=16:detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# RSS figures mean nothing under ASan (quarantine, shadow memory): a short
# run still checks the loop for errors and leaks. The fuzz smoke test builds
# its own sanitized fuzzers, so it is left to the normal suite.
export EMBER_RSS_STEPS="${EMBER_RSS_STEPS:-500}" EMBER_RSS_REPORT_ONLY=1
ctest --test-dir build-asan --output-on-failure -j "$(nproc)" -E '^fuzz/' "$@"
