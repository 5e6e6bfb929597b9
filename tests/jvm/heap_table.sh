#!/bin/sh
# The launcher's heap: MMBENCH_JVM_HEAP where set, else max(floor, multiple x
# the table's G1 minimum heap) of the workload at the size, else the build's
# default; Epsilon, which never collects, always gets the default; the JVM
# really runs with it (its MaxHeapSize, in the detail).
# Usage: heap_table.sh WORKER SCRATCH_DIR
worker=$1 dir=$2
table=$dir/heaps.table
cat >"$table" <<'T'
# a fixture: multiple 3, floor 16 MiB
multiple | 3
floor_mib | 16
baseline | quick | 10.1
binary_trees | quick | 2
T
check() {  # check EXPECTED_HEAP RULE_WORD [env VAR=VALUE] WORKER ARGS... (jvm-serial unless ARGS names one)
  expected=$1 word=$2
  shift 2
  case " $* " in *" --strategy "*) ;; *) set -- "$@" --strategy jvm-serial ;; esac
  env MMBENCH_JVM_HEAPS="$table" "$@" --size quick \
    --detail-out "$dir/heap.detail.json" >/dev/null || { echo "FAIL: $* did not run"; exit 1; }
  /usr/bin/python3 - "$dir/heap.detail.json" "$expected" "$word" <<'PY' || exit 1
import json, sys
config = json.load(open(sys.argv[1]))["config"]
expected, word = sys.argv[2], sys.argv[3]
mib = {"m": 1, "g": 1024}[expected[-1]] * int(expected[:-1])
assert config["heap"] == expected, (config["heap"], expected)
# HotSpot rounds the heap up to its alignment (a few MiB at most)
assert mib << 20 <= int(config["MaxHeapSize"]) < (mib + 4) << 20, (config["MaxHeapSize"], mib)
assert word in config["heap_rule"], (config["heap_rule"], word)
print(f"heap {config['heap']}: {config['heap_rule']}")
PY
}
check 31m "3 x 10.1 MiB" "$worker" --workload baseline               # ceil(3 x 10.1)
check 16m "max(16 MiB" "$worker" --workload binary_trees             # the floor
check 1g "no entry" "$worker" --workload graph_cycles                # not in the table
check 1g "never collects" "$worker" --workload baseline --strategy jvm-epsilon  # table not for Epsilon
check 20m "MMBENCH_JVM_HEAP" env MMBENCH_JVM_HEAP=20m "$worker" --workload baseline
echo "OK: the heap comes from MMBENCH_JVM_HEAP, else the table (not for Epsilon), else the default"
