package dev.kickback.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The reference's output read as it prints it (of several runs, the smallest medians), and a
 * child that hangs stopped at its limit.
 */
class NativeReferenceTest {
  @Test
  void readsTheIntrinsicsKernelsMediansNotThePlainOnes() {
    String out = """
        init-net active rows per layer: 21.0 100.0 52.8 4.9
        kern-avx512 predict          ns/call min   694.2  median   767.1  max   960.6  (1303564 calls/s at median)
        plain-avx512build predict    ns/call min  2722.4  median  2803.0  max  3262.0  (356762 calls/s at median)
        kern-avx512 step             ns/call min  2806.6  median  2846.6  max  3078.5  (351296 calls/s at median)
        plain-avx512build step       ns/call min 15832.4  median 16131.7  max 17079.8  (61990 calls/s at median)
        """;
    NativeReference.Medians m = NativeReference.medians(out);
    assertEquals("avx512", m.isa());
    assertEquals(767.1, m.forwardNs());
    assertEquals(2846.6, m.stepNs());
    assertNull(NativeReference.medians("kern-avx2 predict ns/call min 1 median 2 max 3\n"),
        "no step line: no medians");
    String second = out.replace("median   767.1", "median   712.5")
        .replace("median  2846.6", "median  2901.0");
    NativeReference.Medians fastest = NativeReference.medians(out + second);
    assertEquals(712.5, fastest.forwardNs(), "the fastest run's forward median");
    assertEquals(2846.6, fastest.stepNs(), "the fastest run's step median");
  }

  @Test
  void aChildThatHangsIsStoppedAtItsLimit() throws Exception {
    long t0 = System.nanoTime();
    Subprocess.Result r = Subprocess.run(new ProcessBuilder("sh", "-c", "echo started; sleep 60"),
        1);
    assertTrue(r.timedOut());
    assertEquals(-1, r.exit());
    assertEquals("started\n", r.out());
    assertTrue(System.nanoTime() - t0 < 30e9, "returned at the limit, not when the child ended");
  }
}
