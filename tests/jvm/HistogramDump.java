// Reads one integer per line from stdin, records each into the JVM worker's
// Histogram and prints the detail JSON's histogram: the Java side of
// tests/scripts/jvm_histogram_check.py.
package mmbench.jvm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;

public final class HistogramDump {
  private HistogramDump() {}

  public static void main(String[] args) throws IOException {
    Histogram h = new Histogram();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (!line.isEmpty()) h.record(Long.parseLong(line.trim()));
    }
    System.out.println(Json.write(Detail.histogram(h)));
  }
}
