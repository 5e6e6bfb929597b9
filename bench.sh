#!/usr/bin/env bash
# Quick start, part 1: install dependencies, build (Release), run the default
# suite, print the result table, and write a run folder under results/ with the
# tables, report and plots. Extra arguments go to `mmbench run`; with
# `--suite programs` the programs' Debian packages are installed first.
source "$(dirname "$0")/scripts/common.sh"
install_missing "${BUILD_PACKAGES[@]}"
build_release
export MMBENCH_BUILD_DIR="$BUILD_DIR"
args=" $* "
if [[ "$args" == *" --suite programs "* || "$args" == *" --suite=programs "* ]]; then
  mapfile -t program_packages < <("$BUILD_DIR/programs/mmbench-worker-programs" --packages)
  install_missing "${program_packages[@]}"
fi
exec "$MMBENCH_ROOT/mmbench" run "$@"
