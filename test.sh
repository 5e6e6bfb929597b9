#!/usr/bin/env bash
# Quick start, part 2: install dependencies, build, and run every test
# (C++ unit tests, worker smoke and leak tests, Python tests) under ctest.
source "$(dirname "$0")/scripts/common.sh"
install_missing "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
build_release
cd "$BUILD_DIR"
exec ctest --output-on-failure -j2 "$@"
