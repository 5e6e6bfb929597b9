#!/bin/sh
# A JVM crash (--fault crash: a store to address 0) ends the worker by a
# signal (the runner's "crash") and leaves the JVM's hs_err report beside its
# gc log, where the run keeps it.
# Usage: crash_report.sh WORKER SCRATCH_DIR
worker=$1 dir=$2/crash
rm -rf "$dir" && mkdir -p "$dir"
sh -c 'exec "$@"' sh "$worker" --workload baseline --strategy jvm-g1 --size quick \
  --fault crash --detail-out "$dir/d.json" >"$dir/out" 2>&1
rc=$?
if [ "$rc" -le 128 ]; then
  echo "FAIL: exit $rc, expected death by a signal"; cat "$dir/out"; exit 1
fi
if ! grep -q "A fatal error has been detected by the Java Runtime" "$dir/d.json.hs_err.log"; then
  echo "FAIL: no hs_err report at $dir/d.json.hs_err.log"; ls "$dir"; exit 1
fi
[ ! -e "$dir/d.json" ] || { echo "FAIL: a detail file after a crash"; exit 1; }
echo "OK: killed by signal $((rc - 128)), hs_err report kept beside the gc log"
