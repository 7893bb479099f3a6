package dev.kickback.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * A partial micro-batch is trained once its first sample has waited {@code flushAfter}: key k0
 * gets 2 samples of a micro-batch of 4, 200 ms apart, then nothing for about 1.6 s (the source
 * is throttled to 5 records a second and sends key k1's), then a query, whose prediction carries
 * the model version: 1 when the 2 samples were trained in between, 0 when they still wait. The
 * wait, 600 ms, is well past the second sample and well before the query (a wait of 200 ms
 * raced the second sample: flushed alone, then again with it, version 2, in one CI run).
 */
class FlushTest {
  /** Records 0 and 1: k0's samples; 2 to 8: k1's; 9: a query for k0. */
  static final class Slow implements GeneratorFunction<Long, Sample> {
    private static final long serialVersionUID = 1L;

    @Override
    public Sample map(Long i) {
      if (i == 9) {
        return Sample.query("k0", i, TestStreams.sample(i, 1).x());
      }
      Sample s = TestStreams.sample(i, 1);
      return Sample.labeled(i < 2 ? "k0" : "k1", i, s.x(), s.y());
    }
  }

  private static long queryVersion(LearnerConfig c) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    KickbackStreams.Learning l = KickbackStreams.learn(env.fromSource(
        new DataGeneratorSource<>(new Slow(), 10, RateLimiterStrategy.perSecond(5),
            TypeInformation.of(Sample.class)), WatermarkStrategy.noWatermarks(), "slow"), c);
    List<Prediction> out = l.predictions().executeAndCollect(100);
    return out.stream().filter(p -> p.seq() == 9).findFirst().orElseThrow().modelVersion();
  }

  @Test
  void aPartialMicroBatchIsTrainedAfterTheWait() throws Exception {
    LearnerConfig c = TestStreams.config().batch(4);
    assertEquals(0, queryVersion(c)); // no flush: k0's 2 samples wait for 2 more
    assertEquals(1, queryVersion(c.flushAfter(Duration.ofMillis(600))));
  }

  @Test
  void theWaitIsChecked() {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class,
        () -> TestStreams.config().flushAfter(Duration.ofMillis(-1)));
    assertEquals("flushAfter PT-0.001S: must be positive (null: a partial micro-batch waits for"
        + " its key's next samples)", e.getMessage());
  }
}
