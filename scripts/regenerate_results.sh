#!/bin/sh
# Re-derives everything results/ commits besides the data: for each folder in
# RESULTS_DIR (default: the repo's results/), packs any per-process files on
# disk into its per-process.tar.xz (mmbench pack --remove), then redraws its
# plots and, for a run folder, rewrites report.md/.csv/.html (mmbench report),
# reading the per-process files from the archive. Run it after a change to the
# reports or the figures, and commit the result.
# Usage: scripts/regenerate_results.sh [RESULTS_DIR]
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
results=${1:-$repo/results}
mmbench="$repo/mmbench"
status=0
for dir in "$results"/*/; do
  dir=${dir%/}
  [ -f "$dir/manifest.json" ] || continue
  if [ -n "$(find "$dir" -type d \( -name raw -o -name rss -o -name logs \) -print -quit)" ]; then
    "$mmbench" pack --remove "$dir" || status=1
  fi
  # plots/ is emptied first, so that figures no longer drawn do not linger.
  # A sweep folder is also a run folder; its report is sweep.md and its figures.
  if [ -f "$dir/sweep.json" ] || [ -f "$dir/scale.json" ]; then
    rm -rf "$dir/plots" && "$mmbench" plot "$dir" >/dev/null || status=1
  elif [ -f "$dir/summary.json" ]; then
    rm -rf "$dir/plots" && "$mmbench" report --quiet "$dir" || status=1
  fi
done
exit $status
