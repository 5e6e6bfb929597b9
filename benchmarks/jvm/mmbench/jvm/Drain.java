// The drain phase (--drain), as the C++ worker's: RSS at the start, after
// 100 ms and 1 s, then after the strategy's release call (System.gc(); none
// for Epsilon). Each reading is announced on stderr before a pause.
package mmbench.jvm;

import java.util.Map;

final class Drain {
  private Drain() {}

  private static long say(String phase, long kib) {
    System.err.println("mmbench-drain: " + phase + " rss_kib=" + kib);
    return kib;
  }

  private static void sleepUntil(long t) throws InterruptedException {
    for (long now = System.nanoTime(); now < t; now = System.nanoTime()) {
      Thread.sleep((t - now) / 1_000_000, (int) ((t - now) % 1_000_000));
    }
  }

  static Map<String, Object> run(Collectors.Collector c) throws InterruptedException {
    long t0 = System.nanoTime();
    long start = say("start", Proc.statmRssKib());
    sleepUntil(t0 + 100_000_000L);
    long at100 = say("100ms", Proc.statmRssKib());
    sleepUntil(t0 + 1_000_000_000L);
    long at1s = say("1s", Proc.statmRssKib());
    sleepUntil(t0 + 1_100_000_000L);
    boolean release = !c.reclaim.equals("never");
    if (release) System.gc();
    long released = say("released", release ? Proc.statmRssKib() : -1);
    sleepUntil(System.nanoTime() + 100_000_000L);
    Map<String, Object> d = Json.obj();
    d.put("rss_start_kib", start);
    d.put("rss_100ms_kib", at100);
    d.put("rss_1s_kib", at1s);
    d.put("release_call", release ? "System.gc" : null);
    d.put("rss_released_kib", release ? released : null);
    return d;
  }
}
