// Reads one integer per line from stdin and records those in range into
// Debian's HdrHistogram (libhdrhistogram-java) with the C++ histogram's
// parameters (highest trackable 2^41, 3 significant digits), then prints its
// non-empty buckets as [lowest, highest equivalent, count]: evidence that the
// ported layout is HdrHistogram's own (tests/scripts/jvm_histogram_check.py).
package mmbench.jvm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.HistogramIterationValue;

public final class HdrHistogramDump {
  private HdrHistogramDump() {}

  public static void main(String[] args) throws IOException {
    org.HdrHistogram.Histogram h = new org.HdrHistogram.Histogram(1L << 41, 3);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
    long skipped = 0;
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (line.isEmpty()) continue;
      long v = Long.parseLong(line.trim());
      if (v < 0 || v > h.getHighestTrackableValue()) {
        ++skipped; // HdrHistogram refuses them; the port clamps and counts them
        continue;
      }
      h.recordValue(v);
    }
    List<Object> buckets = new ArrayList<>();
    for (HistogramIterationValue v : h.recordedValues()) {
      long hi = v.getValueIteratedTo();
      buckets.add(new long[] {h.lowestEquivalentValue(hi), hi, v.getCountAtValueIteratedTo()});
    }
    java.util.Map<String, Object> out = Json.obj();
    out.put("buckets", buckets);
    out.put("skipped", skipped);
    System.out.println(Json.write(out));
  }
}
