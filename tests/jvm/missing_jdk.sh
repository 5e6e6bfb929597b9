#!/bin/sh
# The JDK gone since the build: the launcher still answers --list and
# --describe (the listing the build saved: every strategy unsupported, with
# the reason), so the runner finds the worker and the rest of a run goes on;
# a run exits 6 (unsupported) saying why.
# Usage: missing_jdk.sh WORKER SCRATCH_DIR
worker=$1 dir=$2
launcher=$dir/mmbench-worker-jvm-without-jdk
sed "s|^java=.*|java='/nonexistent/bin/java'|" "$worker" >"$launcher"
chmod +x "$launcher"
"$launcher" --list >"$dir/no-jdk-listing.json" || { echo "FAIL: --list failed"; exit 1; }
/usr/bin/python3 - "$dir/no-jdk-listing.json" <<'PY' || exit 1
import json, sys
listing = json.load(open(sys.argv[1]))
assert listing["family"] == "jvm" and listing["entries"], "no entries"
for name, cfg in listing["config"].items():
    assert cfg["supported"] is False and "no JDK" in cfg["unsupported_reason"], (name, cfg)
print(f"listed {len(listing['entries'])} entries, all {len(listing['config'])} strategies "
      "unsupported")
PY
out=$("$launcher" --workload binary_trees --strategy jvm-g1 --size quick 2>&1)
rc=$?
echo "$out"
[ "$rc" -eq 6 ] || { echo "FAIL: exit $rc, expected 6"; exit 1; }
echo "$out" | grep -q "no JDK" || { echo "FAIL: no reason"; exit 1; }
echo "OK: without a JDK the worker is listed and its runs are unsupported (6)"
