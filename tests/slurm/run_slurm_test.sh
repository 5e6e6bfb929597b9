#!/usr/bin/env bash
# The quick suite as a Slurm job array against the real engine (docs/cluster.md).
#
# Installs slurm-wlm and munge (Debian 12: Slurm 22.05) if missing, writes a
# single-node slurm.conf for this host into a temporary folder, starts munged,
# slurmctld and slurmd as root in the foreground of background jobs (no
# systemd; proctrack/linuxproc, task/none), submits the quick suite with
# `mmbench slurm` as an array of 3 shards plus the merge job (task 2's first
# attempt made to fail, so it must be requeued), waits (with a timeout), and
# checks that the merged summary has every row of a local, unsharded run of the
# same plan with the same checksums and statuses. It stops only the daemons it
# started, by their process ids, whatever happens.
#
# Exit 0: passed; 1: failed; 77: skipped (no root, so no daemons to start).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
build="${MMBENCH_BUILD_DIR:-$repo/build}"
shards="${SLURM_TEST_SHARDS:-3}"
# The shards skip their own reports (the merge job writes the merged one).
run_opts=(--size quick --reps 2 --min-time 0 --max-reruns 0 --max-wait 0 --no-report)
t0=$(date +%s)

if [[ $(id -u) -ne 0 ]]; then
  echo "slurm test: skipped: needs root to install and start munged, slurmctld and slurmd"
  exit 77
fi
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  echo "slurm test: installing slurm-wlm and munge"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge >/dev/null
fi
for w in glibc mimalloc jemalloc; do
  [[ -x "$build/mmbench-worker-$w" ]] || { echo "slurm test: no $build/mmbench-worker-$w (build first)"; exit 1; }
done

tmp=$(mktemp -d /tmp/mmbench-slurm-test.XXXXXX)
chmod 755 "$tmp"
pids=()
cleanup() {
  local rc=$?
  local p
  for p in "${pids[@]}"; do
    kill "$p" 2>/dev/null || true
  done
  for p in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
  if [[ $rc -ne 0 ]]; then
    echo "slurm test: FAILED (exit $rc); daemon logs:"
    tail -n 30 "$tmp"/*.log 2>/dev/null || true
    tail -n 30 "$tmp"/study/slurm/*.out 2>/dev/null || true
  fi
  rm -rf "$tmp"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
node=$(hostname -s)
cpus=$(nproc)
mem_mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 512 ))
mkdir -p "$tmp/munge" "$tmp/state" "$tmp/spool"
chmod 700 "$tmp/munge"
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$tmp/munge/munge.key"
sock="$tmp/munge/munge.socket"

cat > "$tmp/slurm.conf" <<EOF
ClusterName=mmbenchci
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
SlurmctldTimeout=30
SlurmdTimeout=30
MinJobAge=600
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=ci Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$tmp/slurm.conf"

munged -F -f --socket="$sock" --key-file="$tmp/munge/munge.key" \
  --pid-file="$tmp/munge/munged.pid" --seed-file="$tmp/munge/munged.seed" \
  --log-file="$tmp/munged.log" > "$tmp/munged.stdout.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [[ -S "$sock" ]] && break; sleep 0.1; done
[[ -S "$sock" ]] || { echo "slurm test: munged did not start"; exit 1; }
slurmctld -D -f "$tmp/slurm.conf" > "$tmp/slurmctld.stdout.log" 2>&1 &
pids+=($!)
slurmd -D -f "$tmp/slurm.conf" -N "$node" > "$tmp/slurmd.stdout.log" 2>&1 &
pids+=($!)
ready=0
for _ in $(seq 60); do
  if sinfo -h -N -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then ready=1; break; fi
  sleep 1
done
[[ $ready -eq 1 ]] || { echo "slurm test: the node did not come up"; sinfo -N 2>&1 || true; exit 1; }
t_up=$(date +%s)
echo "slurm test: munged, slurmctld, slurmd up (pids ${pids[*]}) in $((t_up - t0)) s"

study="$tmp/study"
rc=0
# Task 2's first attempt fails (test knob): it must be requeued and succeed.
MMBENCH_SLURM_FAIL_TASK=2 timeout 900 "$repo/mmbench" --build-dir "$build" slurm --shards "$shards" --out "$study" \
  --partition ci --wait -- "${run_opts[@]}" || rc=$?
t_slurm=$(date +%s)
echo "slurm test: array of $shards shards and merge: exit $rc in $((t_slurm - t_up)) s"
[[ $rc -eq 0 ]] || exit 1
cat "$study"/slurm/shard-*.out | grep '^mmbench slurm:' || true
grep -q "shard 2 failed (exit 3); requeued" "$study/slurm/shard-2.out" &&
  grep -q "shard 2/$shards on .*, attempt 2" "$study/slurm/shard-2.out" ||
  { echo "slurm test: task 2 was not requeued after its failed first attempt"; exit 1; }
echo "slurm test: task 2 failed its first attempt, was requeued and completed"

"$repo/mmbench" --build-dir "$build" run "${run_opts[@]}" --out "$tmp/local" --no-report >/dev/null
t_local=$(date +%s)
echo "slurm test: local unsharded run of the same plan in $((t_local - t_slurm)) s"

/usr/bin/python3 - "$study/merged" "$tmp/local" "$shards" <<'EOF'
import json, sys
merged, local, shards = sys.argv[1], sys.argv[2], int(sys.argv[3])
m = json.load(open(merged + "/manifest.json"))
rows_m = json.load(open(merged + "/summary.json"))["rows"]
rows_l = json.load(open(local + "/summary.json"))["rows"]
key = lambda r: (r["workload"], r["strategy"])
assert len(m["merge"]["shards"]) == shards, m["merge"]["shards"]
assert not m["merge"]["partial"], "merge says partial"
assert [key(r) for r in rows_m] == [key(r) for r in rows_l], "rows differ: %s vs %s" % (
    [key(r) for r in rows_m], [key(r) for r in rows_l])
for a, b in zip(rows_m, rows_l):
    for field in ("status", "checksum", "checksums", "reps"):
        assert a[field] == b[field], "%s/%s %s: merged %r, local %r" % (
            a["workload"], a["strategy"], field, a[field], b[field])
assert all(r["status"] in ("ok", "unsupported") for r in rows_m), [
    (key(r), r["status"]) for r in rows_m if r["status"] not in ("ok", "unsupported")]
print("slurm test: merged summary: %d rows, every row, checksum and status as in the local run"
      % len(rows_m))
EOF
[[ -f "$study/merged/report.md" ]] || { echo "slurm test: no merged report"; exit 1; }
echo "slurm test: passed in $(( $(date +%s) - t0 )) s"
