// A workload's declaration (WorkloadInfo of workloads/workload.hpp), as --list
// reports it: the same names, units and flags as the C++ workload.
package mmbench.workloads;

public final class WorkloadInfo {
  public final String name;
  public final String unit;
  public final String description;
  public boolean openLoop = false;
  public boolean deliberateLeak = false;
  public boolean repeatable = true;
  public boolean multithreaded = false;
  public String headline = "throughput";

  public WorkloadInfo(String name, String unit, String description) {
    this.name = name;
    this.unit = unit;
    this.description = description;
  }

  public WorkloadInfo openLoop() {
    openLoop = true;
    return this;
  }

  public WorkloadInfo deliberateLeak() {
    deliberateLeak = true;
    return this;
  }

  public WorkloadInfo notRepeatable() {
    repeatable = false;
    return this;
  }

  public WorkloadInfo multithreaded() {
    multithreaded = true;
    return this;
  }

  public WorkloadInfo headline(String h) {
    headline = h;
    return this;
  }
}
