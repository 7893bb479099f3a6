package dev.kickback.flink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kickback.io.ModelFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeyModelSerializerTest {
  private final KeyModelSerializer serializer = new KeyModelSerializer();

  /** A key's state after {@code records} samples at micro-batch {@code batch}. */
  static KeyModel state(int records, int batch) {
    KeyLearner learner = new KeyLearner(TestStreams.config().batch(batch).every(7, 0));
    KeyModel m = null;
    List<Object> ignored = new ArrayList<>();
    for (long i = 0; i < records; i++) {
      m = learner.onRecord("k0", m, TestStreams.sample(i * 3, 3), Collect.into(ignored));
    }
    return m;
  }

  @ParameterizedTest(name = "{0} samples, micro-batch 4")
  @ValueSource(ints = {1, 37, 38, 40})
  void aStateComesBackBitwiseWithItsPendingSamples(int records) throws IOException {
    KeyModel m = state(records, 4);
    assertEquals(records % 4, m.pending());
    byte[] bytes = write(m);
    KeyModel back = serializer.deserialize(new DataInputDeserializer(bytes));
    assertArrayEquals(bytes, write(back));
    assertArrayEquals(ModelFile.encode(m.network(), null),
        ModelFile.encode(back.network(), null));
    assertEquals(m.version(), back.version());
    assertEquals(m.trained(), back.trained());
    assertEquals(m.pending(), back.pending());
    assertArrayEquals(write(m.copy()), bytes);
  }

  @Test
  void aRestoredStateLearnsOnExactlyAsTheOriginal() throws IOException {
    KeyModel m = state(38, 4);
    KeyModel back = serializer.deserialize(new DataInputDeserializer(write(m)));
    KeyLearner learner = new KeyLearner(TestStreams.config().batch(4).every(7, 0));
    List<Object> a = new ArrayList<>();
    List<Object> b = new ArrayList<>();
    for (long i = 38; i < 60; i++) {
      m = learner.onRecord("k0", m, TestStreams.sample(i * 3, 3), Collect.into(a));
      back = learner.onRecord("k0", back, TestStreams.sample(i * 3, 3), Collect.into(b));
    }
    assertArrayEquals(write(m), write(back));
    assertEquals(a, b);
  }

  @Test
  void aTruncatedStateFailsWithAnIoError() throws IOException {
    byte[] bytes = write(state(5, 4));
    byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 3);
    assertThrows(IOException.class,
        () -> serializer.deserialize(new DataInputDeserializer(cut)));
    byte[] flipped = bytes.clone();
    flipped[40] ^= 1; // inside the model: its CRC catches it
    IOException e = assertThrows(IOException.class,
        () -> serializer.deserialize(new DataInputDeserializer(flipped)));
    assertTrue(e.getMessage().startsWith("Kickback key state: "), e.getMessage());
  }

  @Test
  void theSerializerSnapshotIsVersionedAndRestoresTheSameSerializer() throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    TypeSerializerSnapshot.writeVersionedSnapshot(out, serializer.snapshotConfiguration());
    TypeSerializerSnapshot<KeyModel> back = TypeSerializerSnapshot.readVersionedSnapshot(
        new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
    assertEquals(KeyModelSerializer.FORMAT, ((KeyModelSerializer.Snapshot) back).format());
    assertEquals(serializer, back.restoreSerializer());
    TypeSerializerSchemaCompatibility<KeyModel> compat =
        serializer.snapshotConfiguration().resolveSchemaCompatibility(back);
    assertTrue(compat.isCompatibleAsIs());
  }

  @Test
  void aStateFormatNewerThanThisCodeIsRefusedByName() {
    DataOutputSerializer out = new DataOutputSerializer(8);
    KeyModelSerializer.Snapshot s = new KeyModelSerializer.Snapshot();
    IOException e = assertThrows(IOException.class, () -> {
      out.writeInt(KeyModelSerializer.FORMAT + 1);
      s.readSnapshot(1, new DataInputDeserializer(out.getCopyOfBuffer()),
          getClass().getClassLoader());
    });
    assertEquals("Kickback key state format 3 was written by a newer kickback-flink: this code"
        + " reads formats 1 to 2", e.getMessage());
    IOException v = assertThrows(IOException.class,
        () -> s.readSnapshot(2, new DataInputDeserializer(new byte[4]), null));
    assertEquals("Kickback key state serializer snapshot version 2: this code reads version 1",
        v.getMessage());
  }

  @Test
  void aFormatOneStateRestoresWithTheFullRateAndNeedsMigration() throws IOException {
    KeyModel m = state(38, 4);
    byte[] two = write(m);
    // format 1 is format 2 without the stability policy's part: scale, window sums, best NMSE,
    // windows since it, and an empty best model
    byte[] one = java.util.Arrays.copyOf(two, two.length - Float.BYTES - 2 * Double.BYTES
        - 3 * Integer.BYTES - Long.BYTES);
    KeyModelSerializer.Snapshot old = new KeyModelSerializer.Snapshot(1);
    KeyModel back = old.restoreSerializer().deserialize(new DataInputDeserializer(one));
    assertEquals(1f, back.rateScale());
    assertEquals(Double.POSITIVE_INFINITY, back.bestNmse);
    assertEquals(null, back.best);
    assertArrayEquals(one, java.util.Arrays.copyOf(write(back), one.length));
    assertTrue(serializer.snapshotConfiguration().resolveSchemaCompatibility(old)
        .isCompatibleAfterMigration());
  }

  @Test
  void theStabilityPolicysStateComesBackAndABadRateScaleIsRefused() throws IOException {
    KeyModel m = state(5, 4);
    m.rateScale = 0.125f;
    m.windowSse = 1.5;
    m.windowCount = 7;
    m.bestNmse = 0.03;
    m.windowsSinceBest = 2;
    m.best = m.network().copy();
    m.pendingSince = 1_796_000_000_000L;
    byte[] bytes = write(m);
    KeyModel back = serializer.deserialize(new DataInputDeserializer(bytes));
    assertEquals(0.125f, back.rateScale());
    assertEquals(1.5, back.windowSse);
    assertEquals(7, back.windowCount);
    assertEquals(0.03, back.bestNmse);
    assertEquals(2, back.windowsSinceBest);
    assertEquals(1_796_000_000_000L, back.pendingSince);
    assertArrayEquals(ModelFile.encode(m.best, null), ModelFile.encode(back.best, null));
    assertArrayEquals(bytes, write(back));
    int scaleAt = bytes.length - Long.BYTES - ModelFile.encode(m.best, null).length
        - 3 * Integer.BYTES - 2 * Double.BYTES - Float.BYTES;
    java.nio.ByteBuffer.wrap(bytes).putFloat(scaleAt, 2f);
    IOException e = assertThrows(IOException.class,
        () -> serializer.deserialize(new DataInputDeserializer(bytes)));
    assertEquals("Kickback key state: rate scale 2.0 is out of (0, 1]", e.getMessage());
  }

  private byte[] write(KeyModel m) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(1024);
    serializer.serialize(m, out);
    return out.getCopyOfBuffer();
  }
}
