#!/bin/sh
# fuzz/run.sh TARGET SECONDS [libFuzzer options...]
# Builds fuzz/TARGET.c with clang (-DFUZZ=ON, in build-fuzz/ or $BUILD) and runs
# it for SECONDS on fuzz/corpus/TARGET. New inputs go to BUILD/corpus-TARGET,
# crashes, hangs and leaks to BUILD/artifacts-TARGET/; the checked-in corpus is
# only read (copy a reproducer there once its bug is fixed).
set -eu
[ $# -ge 2 ] || { echo "usage: $0 TARGET SECONDS [libFuzzer options]" >&2; exit 2; }
t=$1 secs=$2
shift 2
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$src/build-fuzz}
CC=${CC:-clang} cmake -S "$src" -B "$build" -DFUZZ=ON >/dev/null
cmake --build "$build" --target "$t" -j"${JOBS:-2}"
mkdir -p "$build/corpus-$t" "$build/artifacts-$t"
case $t in
fuzz_storyboard_tts) max=512 ;;
fuzz_color) max=64 ;;
fuzz_ssml) max=2048 ;;
fuzz_media_open) max=16384 ;;
fuzz_http) max=20000 ;;
*) max=8192 ;;
esac
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$src/tests/lsan.supp}
exec "$build/$t" -max_total_time="$secs" -max_len="$max" -timeout=5 -rss_limit_mb=2048 \
    -artifact_prefix="$build/artifacts-$t/" "$@" "$build/corpus-$t" "$src/fuzz/corpus/${t#fuzz_}"
