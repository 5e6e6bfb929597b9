// What a pass returns (WorkloadResult of workloads/workload.hpp); the fields
// hold uint64_t bit patterns.
package mmbench.workloads;

public final class WorkloadResult {
  public long checksum = 0;
  public long units = 0; // units of work done (the latency samples' unit)
  public long liveBytes = 0; // peak bytes reachable at once (see each workload)

  public WorkloadResult() {}

  public WorkloadResult(long checksum, long units, long liveBytes) {
    this.checksum = checksum;
    this.units = units;
    this.liveBytes = liveBytes;
  }
}
