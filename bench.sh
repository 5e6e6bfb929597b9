#!/usr/bin/env bash
# Quick start, part 1: install dependencies, build (Release), run the default
# suite, print the result table, and write a run folder under results/ with the
# tables, report and plots. Extra arguments go to `mmbench run`.
source "$(dirname "$0")/scripts/common.sh"
install_missing "${BUILD_PACKAGES[@]}"
build_release
export MMBENCH_BUILD_DIR="$BUILD_DIR"
exec "$MMBENCH_ROOT/mmbench" run "$@"
