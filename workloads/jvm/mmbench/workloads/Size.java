// Run sizes (base/sizes.hpp): the worker's --size and --list's "sizes".
package mmbench.workloads;

public enum Size {
  QUICK("quick"),
  DEFAULT("default"),
  LARGE("large");

  public final String label;

  Size(String label) {
    this.label = label;
  }

  public static Size parse(String name) {
    for (Size s : values()) {
      if (s.label.equals(name)) return s;
    }
    return null;
  }
}
