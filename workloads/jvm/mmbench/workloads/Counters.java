// Named extra figures a workload reports (Counters of workloads/workload.hpp).
// Fixed capacity, no allocation after construction: names are literals.
package mmbench.workloads;

public final class Counters {
  public static final int MAX = 32;
  private final String[] names = new String[MAX];
  private final double[] values = new double[MAX];
  private int n = 0;

  public void set(String name, double value) {
    for (int i = 0; i < n; ++i) {
      if (names[i].equals(name)) {
        values[i] = value;
        return;
      }
    }
    if (n < MAX) {
      names[n] = name;
      values[n++] = value;
    }
  }

  public void add(String name, double delta) {
    for (int i = 0; i < n; ++i) {
      if (names[i].equals(name)) {
        values[i] += delta;
        return;
      }
    }
    set(name, delta);
  }

  public int size() {
    return n;
  }

  public String name(int i) {
    return names[i];
  }

  public double value(int i) {
    return values[i];
  }
}
