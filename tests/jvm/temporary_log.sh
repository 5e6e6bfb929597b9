#!/bin/sh
# Without --detail-out the launcher logs to $TMPDIR/mmbench-worker-jvm.PID.gc.log,
# and every exit removes it: a normal one, a usage error, a refused collector,
# and the out-of-memory exit (halt(), which skips deleteOnExit).
# Usage: temporary_log.sh WORKER SCRATCH_DIR
worker=$1 dir=$2/temporary-log
rm -rf "$dir" && mkdir -p "$dir" || exit 1
run() {  # EXPECTED_EXIT ENV... -- ARGS...
  expected=$1
  shift
  TMPDIR=$dir env "$@" >/dev/null 2>&1
  rc=$?
  [ "$rc" -eq "$expected" ] || { echo "FAIL: exit $rc, expected $expected: $*"; exit 1; }
}
run 0 "$worker" --strategy jvm-g1 --workload binary_trees --size quick
run 2 "$worker" --strategy jvm-g1 --workload binary_trees --size quick --no-such-flag 1
run 3 MMBENCH_JVM_OPTIONS=-XX:-UseSerialGC "$worker" --strategy jvm-serial \
  --workload binary_trees --size quick
run 4 MMBENCH_JVM_HEAP=16m "$worker" --strategy jvm-epsilon --workload binary_trees
left=$(ls "$dir")
[ -z "$left" ] || { echo "FAIL: left behind in TMPDIR: $left"; exit 1; }
echo "OK: no gc log left behind after exits 0, 2, 3 and 4"
