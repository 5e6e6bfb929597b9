#!/usr/bin/env bash
# CI, after test.sh: the quick suite under ASan + UBSan.
# Builds the sanitized worker (CMake -DMMBENCH_SANITIZE=address,undefined, the
# "asan" preset's settings; folder $MMBENCH_ASAN_BUILD_DIR, default build-asan),
# runs every strategy it hosts at --size quick through `mmbench run`, and fails
# unless every run is ok (unsupported only where a multithreaded workload is
# refused, exit 6) and no worker log holds a sanitizer report
# (python3 -m mmbench.sanitizers). Then the sanitizer tests against that build.
# LeakSanitizer is on except for entries listed with deliberate_leak (the
# runner adds ASAN_OPTIONS=detect_leaks=0 for them). Figures are not kept:
# a sanitized build measures nothing comparable.
source "$(dirname "$0")/common.sh"
ASAN_BUILD_DIR="${MMBENCH_ASAN_BUILD_DIR:-$MMBENCH_ROOT/build-asan}"
# libasan and libubsan come with g++ (Debian libgcc-12-dev); nothing else to install.
install_missing "${BUILD_PACKAGES[@]}" python3-pytest

start=$SECONDS
cmake -S "$MMBENCH_ROOT" -B "$ASAN_BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMMBENCH_SANITIZE=address,undefined >/dev/null
cmake --build "$ASAN_BUILD_DIR" -j"$(nproc)"
echo "sanitizer suite: build took $((SECONDS - start)) s"

out="$(mktemp -d "${TMPDIR:-/tmp}/mmbench-asan.XXXXXX")"
trap 'rm -rf "$out"' EXIT
start=$SECONDS
rc=0
"$MMBENCH_ROOT/mmbench" run --build-dir "$ASAN_BUILD_DIR" --out "$out/run" --size quick \
  --strategies all --reps 1 --min-time 0 --max-reruns 0 --no-report --timeout 300 || rc=$?
echo "sanitizer suite: quick suite took $((SECONDS - start)) s (mmbench run exit $rc)"
PYTHONPATH="$MMBENCH_ROOT/benchmarks" /usr/bin/python3 -m mmbench.sanitizers "$out/run" \
  "$ASAN_BUILD_DIR" || { echo "sanitizer suite: FAILED (logs kept in $out/run/logs)"; trap - EXIT; exit 1; }
[ "$rc" -eq 0 ] || { echo "sanitizer suite: mmbench run failed (exit $rc)"; trap - EXIT; exit 1; }

start=$SECONDS
MMBENCH_REQUIRE_ASAN=1 MMBENCH_ASAN_BUILD_DIR="$ASAN_BUILD_DIR" MMBENCH_BUILD_DIR="$BUILD_DIR" \
  /usr/bin/python3 -m pytest -q -p no:cacheprovider "$MMBENCH_ROOT/tests/python/test_sanitizers.py" \
  -rs
echo "sanitizer suite: tests took $((SECONDS - start)) s; all clean"
