#!/bin/sh
# A collector the JDK lacks: the worker lists it (config supported: false, with
# the JVM's reason) and a run of it exits 6 (unsupported) saying why.
# Usage: unsupported_collector.sh WORKER PROBE_SCRIPT JAVA TABLE SCRATCH_DIR
worker=$1 probe_script=$2 java=$3 table=$4 dir=$5
set -e
cp "$table" "$dir/collectors-with-foo.table"
echo "jvm-foo | -XX:+UseFooGC | Foo | Foo | Foo* | tracing | a collector no JDK has" \
  >>"$dir/collectors-with-foo.table"
sh "$probe_script" "$java" "$dir/collectors-with-foo.table" "$dir/collectors-with-foo.probe"
export MMBENCH_JVM_TABLE="$dir/collectors-with-foo.table"
export MMBENCH_JVM_PROBE="$dir/collectors-with-foo.probe"
"$worker" --list >"$dir/foo-listing.json"
/usr/bin/python3 - "$dir/foo-listing.json" <<'PY'
import json, sys
listing = json.load(open(sys.argv[1]))
foo = listing["config"]["jvm-foo"]
assert foo["supported"] is False, foo
assert "UseFooGC" in foo["unsupported_reason"], foo
assert any(e["strategy"] == "jvm-foo" for e in listing["entries"]), "jvm-foo not listed"
assert listing["config"]["jvm-g1"]["supported"] is True
print("listed, unsupported:", foo["unsupported_reason"])
PY
set +e
out=$("$worker" --workload binary_trees --strategy jvm-foo --size quick 2>&1)
rc=$?
echo "$out"
if [ "$rc" -ne 6 ]; then
  echo "FAIL: exit $rc, expected 6 (unsupported)"
  exit 1
fi
echo "$out" | grep -q "jvm-foo unsupported.*UseFooGC" || { echo "FAIL: no reason given"; exit 1; }
echo "OK: jvm-foo listed, its run unsupported (6) with the JVM's reason"
