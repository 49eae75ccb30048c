#!/usr/bin/env bash
# fuzz.sh — builds the libFuzzer targets (clang, ASan+UBSan) into build-fuzz/
# and runs each for SECONDS (default 60), seeded from ../shared/fixtures and
# files ember writes. Corpora grow in build-fuzz/corpus/<target>/ and are kept
# between runs; crashes are written to build-fuzz/crashes/ and make the script
# fail. Prints executions per target.
#   scripts/fuzz.sh [SECONDS] [TARGET...]     e.g. scripts/fuzz.sh 30 fuzz_pt
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true

if ! command -v clang >/dev/null || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  if [[ -n "${EMBER_FUZZ_NO_INSTALL:-}" ]]; then   # ctest's smoke run: skip, do not install
    echo "SKIP: clang with libFuzzer is not installed (apt-get install clang libclang-rt-dev)"
    exit 77
  fi
  EMBER_EXTRA_PACKAGES="clang libclang-rt-dev" scripts/install-deps.sh
fi
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEMBER_FUZZ=ON >/dev/null
cmake --build build-fuzz -j "$(nproc)" >/dev/null

targets=("$@")
if (( ${#targets[@]} == 0 )); then
  targets=()
  for f in build-fuzz/tests/fuzz/fuzz_*; do [[ -x "$f" ]] && targets+=("$(basename "$f")"); done
fi

fixtures=../shared/fixtures
seed() {   # seed TARGET FILES...
  local dir="build-fuzz/corpus/$1"; shift
  mkdir -p "$dir"
  for f in "$@"; do [[ -f "$f" ]] && cp -n "$f" "$dir/" 2>/dev/null || true; done
}
seed fuzz_zip "$fixtures"/pytorch/*.pt "$fixtures"/pytorch/*.tar "$fixtures"/pytorch/malicious/*
seed fuzz_pt "$fixtures"/pytorch/*.pt "$fixtures"/pytorch/*.tar "$fixtures"/pytorch/malicious/*
seed fuzz_safetensors "$fixtures"/safetensors/*.safetensors
seed fuzz_idx "$fixtures"/idx/*idx* "$fixtures"/idx/*.gz
seed fuzz_markdown lessons/*.md tests/lessons/*.md
seed fuzz_onnx tests/fuzz/seeds/*.onnx
# legacy-format checkpoints and protocol 4/5 pickles (torch.save with _use_new_zipfile_serialization=False)
seed fuzz_pt tests/fuzz/seeds/*.pt
seed fuzz_pickle tests/fuzz/seeds/*.pkl
# data.pkl of each checkpoint, for the unpickler (python3's zipfile when present)
mkdir -p build-fuzz/corpus/fuzz_pickle
if command -v python3 >/dev/null; then
  python3 - "$fixtures" build-fuzz/corpus/fuzz_pickle <<'PY'
import glob, os, sys, zipfile
src, out = sys.argv[1], sys.argv[2]
for path in glob.glob(src + "/pytorch/*.pt") + glob.glob(src + "/pytorch/*.tar") + glob.glob(src + "/pytorch/malicious/*"):
    try:
        with zipfile.ZipFile(path) as z:
            for n in z.namelist():
                if n.endswith(".pkl"):
                    open(os.path.join(out, os.path.basename(path) + ".pkl"), "wb").write(z.read(n))
    except Exception:
        pass
PY
fi

mkdir -p build-fuzz/crashes
status=0
export ASAN_OPTIONS="allocator_may_return_null=1:detect_leaks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
for t in "${targets[@]}"; do
  log="build-fuzz/$t.log"
  if build-fuzz/tests/fuzz/"$t" "build-fuzz/corpus/$t" -max_total_time="$seconds" -rss_limit_mb=2048 \
       -max_len=1048576 -timeout=10 -artifact_prefix="build-fuzz/crashes/$t-" -print_final_stats=1 >"$log" 2>&1; then
    result="ok"
  else
    result="FAILED (see $log and build-fuzz/crashes/)"
    status=1
  fi
  execs=$(grep -m1 "stat::number_of_executed_units" "$log" | awk '{print $2}')
  printf '%-20s %10s executions in %ss  %s\n' "$t" "${execs:-?}" "$seconds" "$result"
done
exit $status
